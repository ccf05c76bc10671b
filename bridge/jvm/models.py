"""`mlflow.models`: mlflowbridge's Models member (logging, loading, scoring and serving models)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import convert
from .wrapper import JvmObject


@dataclass(frozen=True)
class ModelInfo:
    """What `log_model` and `mlflow.models.get_model_info` return (after `mlflow.models.model.ModelInfo`)."""

    model_uri: str
    run_id: str
    artifact_path: str
    flavors: tuple[str, ...]
    signature_inputs: str | None  # the MLmodel's inputs JSON
    model_uuid: str
    utc_time_created: str
    signature_outputs: str | None  # the MLmodel's outputs JSON
    input_example_json: str | None  # the saved input example, pandas' split layout

    @property
    def input_example(self) -> Any:
        """The input example as a pandas DataFrame (as `Model.load_input_example` gives it), or None."""
        if self.input_example_json is None:
            return None
        import json

        from mlflow.utils.proto_json_utils import dataframe_from_parsed_json  # what _read_example uses

        return dataframe_from_parsed_json(json.loads(self.input_example_json), pandas_orient="split")

    @classmethod
    def of(cls, j: Any) -> ModelInfo:
        def s(v: Any) -> Any:
            return convert.text(v)

        return cls(
            str(j.modelUri()), s(j.runId()), s(j.artifactPath()), tuple(convert.strings(j.flavors())),
            s(j.signatureInputs()), s(j.modelUuid()), s(j.utcTimeCreated()), s(j.signatureOutputs()), s(j.inputExample()),
        )  # fmt: skip


class Models(JvmObject):
    def log(self, run_id: str, model: Any, artifact_path: str = "model", example: Any = None, training: Any = None) -> ModelInfo:
        """Log a PipelineModel as `mlflow.spark.log_model` does: a pyspark model (backend='py4j',
        pyspark's JVM) or a JVM PipelineModel of this session's JVM.

        `example` (a few rows) becomes the input example, `training`'s schema the signature
        (pyspark DataFrames, or Java ones of this JVM).
        """
        t = self._t
        java_model, jexample, jschema = convert.ml_model(t, model), convert.dataframe(t, example), convert.schema(t, training)
        return ModelInfo.of(self._call("log", run_id, java_model, artifact_path, jexample, jschema))

    def log_onnx(self, run_id: str, onnx_model: bytes, artifact_path: str = "model", example: Any = None, schema: Any = None) -> ModelInfo:
        """Log ONNX bytes (e.g. `linear_onnx`'s) with the onnx and python_function flavors, as
        `mlflow.onnx.log_model` does; `schema` (the feeding columns, in order; a pyspark DataFrame or a Java StructType) makes the signature, `example` (a few rows) the input example."""
        t = self._t
        jschema = convert.schema(t, schema) if convert.is_pyspark(schema) else schema
        return ModelInfo.of(self._call("logOnnx", run_id, convert.java_bytes(t, onnx_model), artifact_path, convert.dataframe(t, example), jschema))

    def linear_onnx(self, model: Any) -> bytes:
        """A Spark LinearRegressionModel or LogisticRegressionModel (pyspark's, or a JVM one) as an ONNX graph made on the JVM."""
        graph = JvmObject(self._session, self._t.java_class("mlflowbridge.onnx.OnnxGraph"))
        return bytes(graph._call("linear", convert.ml_model(self._t, model)))

    def load_onnx(self, model_uri: str) -> "OnnxModel":
        """An ONNX model (onnx flavor) scored by ONNX Runtime on the JVM: rows here, DataFrames in Spark's executors."""
        return OnnxModel(self._session, self._call("loadOnnx", model_uri))

    def load(self, model_uri: str) -> Any:
        """The PipelineModel behind `model_uri` (any URI Python's load_model accepts), loaded by
        our Scala loader: a pyspark PipelineModel under py4j, the JVM object under JPype."""
        return self._t.pyspark_pipeline(self._call("load", model_uri, self._session.spark()))

    def download(self, model_uri: str, dst: str | os.PathLike) -> Path:
        return Path(str(self._call("download", model_uri, str(dst))))

    def info(self, model_uri: str) -> ModelInfo:
        """`mlflow.models.get_model_info`: from the model's MLmodel (and input example) alone, no model data downloaded."""
        return ModelInfo.of(self._call("info", model_uri))

    def score_file(self, model_uri: str, input_path: str | os.PathLike, output_path: str | os.PathLike) -> int:
        """Score a file (csv, parquet, json lines) with the Scala engine; returns the row count."""
        return int(self._call("scoreFile", self._session.spark(), model_uri, str(input_path), str(output_path)))

    def row_scorer(self, model_uri: str) -> "RowScorer":
        """`mlflowbridge.RowScorer`: `model_uri` loaded once, its plan compiled per input schema, scoring
        rows in the JVM with no Spark job (a BadInputError naming the stage when its plan is not row-wise)."""
        return RowScorer(self._session, self._call("rowScorer", model_uri, self._session.spark()))

    def serve(
        self, model_uri: str, host: str = "127.0.0.1", port: int = 0, max_body_mb: int = 50, follow_alias: bool = False, poll_seconds: float = 30.0
    ) -> "ScoringServer":
        """Serve `model_uri` with MLflow's scoring protocol from this JVM; close the handle to stop.

        With `follow_alias`, `model_uri` is `models:/<name>@<alias>` and the registry is read every
        `poll_seconds`: when the alias moves, the new version is loaded and swapped in (docs/serving.md)."""
        spark, max_bytes = self._session.spark(), int(max_body_mb) * 1024 * 1024
        if follow_alias:
            jserver = self._call("serveFollowingAlias", model_uri, float(poll_seconds), spark, host, int(port), max_bytes)
        else:
            jserver = self._call("serve", model_uri, spark, host, int(port), max_bytes)
        return ScoringServer(self._session, jserver)


class OnnxModel(JvmObject):
    """`mlflowbridge.onnx.OnnxModel`: `predict` for rows (dicts), `transform` for Spark DataFrames."""

    @property
    def input_columns(self) -> list[str]:
        return [str(c) for c in self._call("inputColumns")]

    @property
    def output_columns(self) -> list[str]:
        return [str(c) for c in self._call("outputColumns")]

    def predict(self, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Scores rows in one ONNX Runtime call; each result maps output names to values (arrays as lists)."""
        jrows = self._t.java_list([convert.value_map(self._t, r) for r in rows])
        return [convert.python_map(m) for m in self._call("predict", jrows)]

    def transform(self, df: Any) -> Any:
        """`df` plus the model's output columns, computed in the executors (a pyspark DataFrame under py4j)."""
        if convert.is_pyspark(df):
            return self._t.pyspark_dataframe(self._call("transform", convert.dataframe(self._t, df)), df)
        return self._call("transform", df)


class RowScorer(JvmObject):
    """`mlflowbridge.RowScorer`; for JVM services the Scala/Java API scores single rows (`score(Row)`, `predict(Row)`)."""

    def score(self, df: Any) -> Any:
        """The rows of a small DataFrame (pyspark's, or a Java one) scored row by row, as a local DataFrame of the same kind."""
        jdf = self._call("score", convert.dataframe(self._t, df))
        return self._t.pyspark_dataframe(jdf, df) if convert.is_pyspark(df) else jdf


class ScoringServer(JvmObject):
    """A running `mlflowbridge.serve.ScoringServer`: its address, and `close()` (drains requests in flight)."""

    @property
    def port(self) -> int:
        return int(self._call("port"))

    @property
    def host(self) -> str:
        return str(self._call("host"))

    @property
    def model_version(self) -> str | None:
        """The registry version answering now (each answer's X-Mlflowbridge-Model-Version), None for a model not from the registry."""
        v = self._call("modelVersion")
        return None if v is None else str(v)

    def close(self) -> None:
        self._call("close")
