"""Spark's own rules for a pyspark pipeline, asked of the JVM it runs in (the Python engine's checks).

The same Scala code (mlflowbridge.InputCheck, PipelineColumns) decides for the Scala engine, so
both engines accept, refuse and return the same columns.
"""
from __future__ import annotations

from typing import Any

from . import py4j_backend
from .translate import bridge_error_of, java_exception, translating


def _classes(spark: Any) -> Any:
    return py4j_backend.classes(spark)


def check_input(spark: Any, model: Any, sdf: Any, signature_inputs_json: str | None) -> None:
    """Missing columns, wrong types, stages that refuse the schema, and empty input: one clear error."""
    with translating():
        _classes(spark).get("mlflowbridge.InputCheck").checkInput(model._to_java(), sdf._jdf, signature_inputs_json)


def output_columns(spark: Any, model: Any, sdf: Any) -> list[str]:
    """The model's results on `sdf`'s schema (prediction, probability, ...), as the Scala engine keeps them."""
    with translating():
        return [str(c) for c in _classes(spark).get("mlflowbridge.PipelineColumns").outputColumns(model._to_java(), sdf._jdf.schema())]


def explain_failure(spark: Any, model: Any, sdf: Any, exc: BaseException) -> BaseException:
    """One sentence for a scoring failure: the stage that failed, Spark's reason, nulls it met.

    `exc` is what pyspark raised; anything that is not a Java exception is returned as it is.
    """
    jexc = java_exception(exc)
    if jexc is None:
        return exc
    with translating():
        explained = _classes(spark).get("mlflowbridge.InputCheck").explainFailure(model._to_java(), sdf._jdf, jexc)
    return bridge_error_of(explained)
