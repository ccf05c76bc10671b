"""`jvm.models` and `jvm.registry`: mlflowbridge's Models and Registry members."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import BadInputError
from .wrapper import JvmObject, proto_entity


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
    def of(cls, j: Any) -> "ModelInfo":
        def s(v: Any) -> Any:
            return None if v is None else str(v)

        return cls(
            str(j.modelUri()), s(j.runId()), s(j.artifactPath()), tuple(str(f) for f in j.flavors()),
            s(j.signatureInputs()), s(j.modelUuid()), s(j.utcTimeCreated()), s(j.signatureOutputs()), s(j.inputExample()),
        )  # fmt: skip


def _is_pyspark(x: Any) -> bool:
    """A pyspark wrapper (model, DataFrame), not a Java object (py4j answers any attribute)."""
    return type(x).__module__.startswith("pyspark.")


class Models(JvmObject):
    def log(self, run_id: str, model: Any, artifact_path: str = "model", example: Any = None, training: Any = None) -> ModelInfo:
        """Log a PipelineModel as `mlflow.spark.log_model` does: a pyspark model (backend='py4j',
        pyspark's JVM) or a JVM PipelineModel of this session's JVM.

        `example` (a few rows) becomes the input example, `training`'s schema the signature
        (pyspark DataFrames, or Java ones of this JVM).
        """
        if any(_is_pyspark(x) for x in (model, example, training)) and self._session.backend != "py4j":
            raise BadInputError("a pyspark model or DataFrame lives in pyspark's JVM: log it through backend='py4j'")
        java_model = model._to_java() if _is_pyspark(model) else model
        jexample = example._jdf if _is_pyspark(example) else example
        jtraining = training._jdf if _is_pyspark(training) else training
        jschema = None if jtraining is None else jtraining.schema()
        return ModelInfo.of(self._call("log", run_id, java_model, artifact_path, jexample, jschema))

    def log_onnx(self, run_id: str, onnx_model: bytes, artifact_path: str = "model", example: Any = None, schema: Any = None) -> ModelInfo:
        """Log ONNX bytes (e.g. `linear_onnx`'s) with the onnx and python_function flavors, as
        `mlflow.onnx.log_model` does; `schema` (the feeding columns, in order; a pyspark DataFrame or a Java StructType) makes the signature, `example` (a few rows) the input example."""
        jexample = example._jdf if _is_pyspark(example) else example
        jschema = schema._jdf.schema() if _is_pyspark(schema) else schema
        return ModelInfo.of(self._call("logOnnx", run_id, self._session._bytes(onnx_model), artifact_path, jexample, jschema))

    def linear_onnx(self, model: Any) -> bytes:
        """A Spark LinearRegressionModel or LogisticRegressionModel (pyspark's, or a JVM one) as an ONNX graph made on the JVM."""
        java_model = model._to_java() if _is_pyspark(model) else model
        return bytes(self._session.java_class("mlflowbridge.onnx.OnnxGraph").linear(java_model))

    def load_onnx(self, model_uri: str) -> "OnnxModel":
        """An ONNX model (onnx flavor) scored by ONNX Runtime on the JVM: rows here, DataFrames in Spark's executors."""
        return OnnxModel(self._session, self._call("loadOnnx", model_uri))

    def load(self, model_uri: str) -> Any:
        """The PipelineModel behind `model_uri` (any URI Python's load_model accepts), loaded by
        our Scala loader: a pyspark PipelineModel under py4j, the JVM object under JPype."""
        java_model = self._call("load", model_uri, self._session.spark())
        if self._session.backend != "py4j":
            return java_model
        from pyspark.ml import PipelineModel

        return PipelineModel._from_java(java_model)

    def download(self, model_uri: str, dst: str | os.PathLike) -> Path:
        return Path(str(self._call("download", model_uri, str(dst))))

    def info(self, model_uri: str) -> ModelInfo:
        """`mlflow.models.get_model_info`: from the model's MLmodel (and input example) alone, no model data downloaded."""
        return ModelInfo.of(self._call("info", model_uri))

    def score_file(self, model_uri: str, input_path: str | os.PathLike, output_path: str | os.PathLike) -> int:
        """Score a file (csv, parquet, json lines) with the Scala engine; returns the row count."""
        return int(self._call("scoreFile", self._session.spark(), model_uri, str(input_path), str(output_path)))

    def serve(self, model_uri: str, host: str = "127.0.0.1", port: int = 0, max_body_mb: int = 50) -> "ScoringServer":
        """Serve `model_uri` with MLflow's scoring protocol from this JVM (loaded once); close the handle to stop."""
        jserver = self._call("serve", model_uri, self._session.spark(), host, int(port), int(max_body_mb) * 1024 * 1024)
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
        jrows = self._session.java_list([self._map(r) for r in rows])
        return [{str(k): _python(m.get(k)) for k in m.keySet()} for m in self._call("predict", jrows)]

    def transform(self, df: Any) -> Any:
        """`df` plus the model's output columns, computed in the executors (a pyspark DataFrame under py4j)."""
        if _is_pyspark(df):
            from pyspark.sql import DataFrame

            return DataFrame(self._call("transform", df._jdf), df.sparkSession)
        return self._call("transform", df)


def _python(v: Any) -> Any:
    """A Java result value as Python's: boxed numbers, strings, and lists of them."""
    if v is None or isinstance(v, (bool, int, float, str)):
        return v
    name = str(v.getClass().getName())
    if name in ("java.lang.Float", "java.lang.Double"):
        return float(v.doubleValue())
    if name in ("java.lang.Long", "java.lang.Integer"):
        return int(v.longValue())
    if name == "java.lang.String":
        return str(v)
    return [_python(x) for x in v]


class ScoringServer(JvmObject):
    """A running `mlflowbridge.serve.ScoringServer`: its address, and `close()` (drains requests in flight)."""

    @property
    def port(self) -> int:
        return int(self._call("port"))

    @property
    def host(self) -> str:
        return str(self._call("host"))

    def close(self) -> None:
        self._call("close")


class Registry(JvmObject):
    """The registry writes the stock Java client lacks; results are MLflow's Python entities."""

    def _version(self, j: Any) -> Any:
        from mlflow.entities.model_registry import ModelVersion
        from mlflow.protos.model_registry_pb2 import ModelVersion as PbModelVersion

        return proto_entity(self._session, j, PbModelVersion, ModelVersion)

    def _model(self, j: Any) -> Any:
        from mlflow.entities.model_registry import RegisteredModel
        from mlflow.protos.model_registry_pb2 import RegisteredModel as PbRegisteredModel

        return proto_entity(self._session, j, PbRegisteredModel, RegisteredModel)

    def register(self, model_uri: str, name: str, alias: str | None = None) -> Any:
        """`mlflow.register_model`: a READY version (model created when missing), aliased when asked."""
        return self._version(self._call("register", model_uri, name) if alias is None else self._call("register", model_uri, name, alias))

    def create_registered_model(self, name: str, if_not_exists: bool = False) -> None:
        self._call("createRegisteredModel", name, bool(if_not_exists))

    def create_model_version(self, name: str, source: str, run_id: str | None = None) -> Any:
        return self._version(self._call("createModelVersion", name, source, run_id))

    def copy_model_version(self, src_model_uri: str, dst_name: str) -> Any:
        """Python's `copy_model_version`: a new READY version of `dst_name` (created when missing) from a models:/ version URI."""
        return self._version(self._call("copyModelVersion", src_model_uri, dst_name))

    def get_model_version(self, name: str, version: str) -> Any:
        return self._version(self._call("getModelVersion", name, str(version)))

    def get_registered_model(self, name: str) -> Any:
        return self._model(self._call("getRegisteredModel", name))

    def search_registered_models(self, filter_string: str | None = None) -> list[Any]:
        return [self._model(m) for m in self._call("searchRegisteredModels", filter_string)]

    def set_registered_model_alias(self, name: str, alias: str, version: str) -> None:
        self._call("setAlias", name, alias, str(version))

    def get_model_version_by_alias(self, name: str, alias: str) -> Any:
        return self._version(self._call("getModelVersionByAlias", name, alias))

    def delete_registered_model_alias(self, name: str, alias: str) -> None:
        self._call("deleteAlias", name, alias)

    def get_model_version_download_uri(self, name: str, version: str) -> str:
        return str(self._call("downloadUri", name, str(version)))

    def delete_registered_model(self, name: str) -> None:
        self._call("deleteRegisteredModel", name)

    def delete_model_version(self, name: str, version: str) -> None:
        self._call("deleteModelVersion", name, str(version))

    def transition_model_version_stage(self, name: str, version: str, stage: str, archive_existing_versions: bool = False) -> Any:
        return self._version(self._call("transitionModelVersionStage", name, str(version), stage, bool(archive_existing_versions)))

    def get_model_version_stages(self, name: str, version: str) -> list[str]:
        return [str(s) for s in self._call("getModelVersionStages", name, str(version))]

    def update_model_version(self, name: str, version: str, description: str) -> None:
        self._call("updateModelVersion", name, str(version), description)

    def set_model_version_tag(self, name: str, version: str, key: str, value: str) -> None:
        self._call("setModelVersionTag", name, str(version), key, str(value))

    def delete_model_version_tag(self, name: str, version: str, key: str) -> None:
        self._call("deleteModelVersionTag", name, str(version), key)

    def rename_registered_model(self, name: str, new_name: str) -> None:
        self._call("renameRegisteredModel", name, new_name)

    def update_registered_model(self, name: str, description: str) -> None:
        self._call("updateRegisteredModel", name, description)

    def set_registered_model_tag(self, name: str, key: str, value: str) -> None:
        self._call("setRegisteredModelTag", name, key, str(value))

    def delete_registered_model_tag(self, name: str, key: str) -> None:
        self._call("deleteRegisteredModelTag", name, key)
