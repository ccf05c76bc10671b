"""The Scala engine's scoring rules and file IO, for pyspark pipelines and DataFrames (the Python
engine's JVM side). The same Scala code (mlflowbridge.model.Scoring, InputCheck, PipelineColumns,
Staging) serves the Scala engine, so both engines read the same types, accept, refuse and return
the same columns, and write the same files."""

from __future__ import annotations

import os
from typing import Any

from . import convert, py4j_backend
from .translate import bridge_error_of, java_exception, translating


class SparkScoring:
    """Scoring helpers on pyspark session `spark`'s JVM (it must carry the bridge jars)."""

    def __init__(self, spark: Any):
        self._spark = spark
        self._t = py4j_backend.transport(spark)

    def read(self, path: str | os.PathLike, signature_inputs: str | None) -> Any:
        """`path` (csv, parquet, json lines) as a pyspark DataFrame; CSV typed by the signature where it has one."""
        from pyspark.sql import DataFrame

        with translating():
            scoring, spark = self._t.java_class("mlflowbridge.model.Scoring"), self._t.spark()
            # No null argument: py4j would pick between read's String and Option overloads by chance.
            jdf = scoring.read(spark, str(path)) if signature_inputs is None else scoring.read(spark, str(path), signature_inputs)
            return DataFrame(jdf, self._spark)

    def write(self, sdf: Any, path: str | os.PathLike, fmt: str | None = None) -> int:
        """One file at `path` (format from its extension unless given); returns the rows written.

        Spark errors (a stage failing on a value) come back as they are, for the caller to explain.
        """
        return int(self._t.java_class("mlflowbridge.model.Scoring").write(convert.dataframe(self._t, sdf), str(path), fmt))

    def staged(self, local_dir: str | os.PathLike) -> str:
        """Where Spark should read a saved model downloaded to `local_dir` on the driver: itself under
        a local master; on a cluster a copy every worker can read (mlflowbridge.model.Staging)."""
        with translating():
            return str(self._t.java_class("mlflowbridge.model.Staging").stagedPath(self._t.spark(), str(local_dir)))

    def rules(self, model: Any) -> PipelineRules | None:
        """Spark's rules for fitted pyspark `model`, or None when a pure-Python stage keeps the JVM from seeing it."""
        try:
            java_model = convert.ml_model(self._t, model)
        except AttributeError:  # a stage without a JVM twin (pure Python)
            return None
        return PipelineRules(self._t, java_model)


class PipelineRules:
    """One fitted pyspark pipeline's JVM twin, and the rules Spark applies to it."""

    def __init__(self, transport: Any, java_model: Any):
        self._t = transport
        self._java_model = java_model

    def check_input(self, sdf: Any, signature_inputs_json: str | None) -> None:
        """Missing columns, wrong types, stages that refuse the schema, and empty input: one clear error."""
        with translating():
            self._t.java_class("mlflowbridge.model.InputCheck").checkInput(self._java_model, convert.dataframe(self._t, sdf), signature_inputs_json)

    def output_columns(self, sdf: Any) -> list[str]:
        """The model's results on `sdf`'s schema (prediction, probability, ...), as the Scala engine keeps them."""
        with translating():
            return convert.strings(
                self._t.java_class("mlflowbridge.model.PipelineColumns").outputColumns(self._java_model, convert.schema(self._t, sdf))
            )

    def explain_failure(self, sdf: Any, exc: BaseException) -> BaseException:
        """One sentence for a scoring failure: the stage that failed, Spark's reason, nulls it met.

        `exc` is what pyspark raised; anything that is not a Java exception is returned as it is.
        """
        jexc = java_exception(exc)
        if jexc is None:
            return exc
        with translating():
            explained = self._t.java_class("mlflowbridge.model.InputCheck").explainFailure(self._java_model, convert.dataframe(self._t, sdf), jexc)
        return bridge_error_of(explained)
