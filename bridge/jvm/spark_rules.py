"""Spark's own rules for a pyspark pipeline, asked of the JVM it runs in (the Python engine's checks).

The same Scala code (mlflowbridge.model.InputCheck, PipelineColumns) decides for the Scala engine, so
both engines accept, refuse and return the same columns.
"""

from __future__ import annotations

from typing import Any

from . import py4j_backend
from .translate import bridge_error_of, java_exception, translating


class PipelineRules:
    """One fitted pyspark pipeline's JVM twin, and the rules Spark applies to it."""

    def __init__(self, classes: Any, java_model: Any):
        self._classes = classes
        self._java_model = java_model

    @classmethod
    def of(cls, spark: Any, model: Any) -> PipelineRules | None:
        """The rules for `model`, or None when a pure-Python stage keeps the JVM from seeing it."""
        try:
            java_model = model._to_java()
        except AttributeError:  # a stage without a JVM twin (pure Python)
            return None
        return cls(py4j_backend.classes(spark), java_model)

    def check_input(self, sdf: Any, signature_inputs_json: str | None) -> None:
        """Missing columns, wrong types, stages that refuse the schema, and empty input: one clear error."""
        with translating():
            self._classes.get("mlflowbridge.model.InputCheck").checkInput(self._java_model, sdf._jdf, signature_inputs_json)

    def output_columns(self, sdf: Any) -> list[str]:
        """The model's results on `sdf`'s schema (prediction, probability, ...), as the Scala engine keeps them."""
        with translating():
            return [str(c) for c in self._classes.get("mlflowbridge.model.PipelineColumns").outputColumns(self._java_model, sdf._jdf.schema())]

    def explain_failure(self, sdf: Any, exc: BaseException) -> BaseException:
        """One sentence for a scoring failure: the stage that failed, Spark's reason, nulls it met.

        `exc` is what pyspark raised; anything that is not a Java exception is returned as it is.
        """
        jexc = java_exception(exc)
        if jexc is None:
            return exc
        with translating():
            explained = self._classes.get("mlflowbridge.model.InputCheck").explainFailure(self._java_model, sdf._jdf, jexc)
        return bridge_error_of(explained)
