"""JvmSession: the same Python-level operations over either backend."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Literal

from ..errors import BadInputError
from ..server import require_reachable
from .translate import JavaProxy, translating

Backend = Literal["jpype", "py4j"]


class JvmSession:
    """A connection to a JVM that holds the MLflow Java client and our Scala module.

    `client` is the stock `org.mlflow.tracking.MlflowClient` (calls are translated so that Java
    exceptions arrive as bridge exceptions); `classes` resolves and caches Java classes.
    """

    backend: Backend

    def __init__(self, backend: Backend, classes: Any, tracking_uri: str, spark: Any = None):
        self.backend = backend
        self.classes = classes
        self.tracking_uri = tracking_uri
        self._pyspark = spark  # py4j: the pyspark session whose JVM this is
        self._utils = classes.get("mlflowbridge.MlflowUtils")
        with translating():
            raw_client = self._utils.clientFor(tracking_uri)
        self.raw_client = raw_client
        self.client = JavaProxy(raw_client)

    # -- helpers in our Scala module --------------------------------------------------------
    def get_or_create_experiment_id(self, name: str) -> str:
        """Python's `mlflow.set_experiment` for the JVM (mlflowbridge.MlflowUtils)."""
        with translating():
            return str(self._utils.getOrCreateExperimentId(self.raw_client, name))

    def jvm_spark(self) -> Any:
        """The JVM SparkSession: pyspark's (py4j) or a local one inside this process (JPype)."""
        if self._pyspark is not None:
            return self._pyspark._jsparkSession
        with translating():
            return self.classes.get("mlflowbridge.Main").localSpark("mlflow-bridge-jpype")

    def score_parquet(self, model_uri: str, input_path: str | os.PathLike, output_path: str | os.PathLike) -> int:
        """Score with the Scala engine (mlflowbridge.Scoring): our loader, Spark's transform."""
        with translating():
            n = self.classes.get("mlflowbridge.Scoring").scoreFile(self.jvm_spark(), self.raw_client, model_uri, str(input_path), str(output_path))
        return int(n)

    def log_spark_model(self, run_id: str, model: Any, artifact_path: str = "model", example: Any = None, training: Any = None) -> str:
        """Log a pyspark PipelineModel with Scala's `SparkModels.logModel` (py4j: same JVM); returns its runs:/ URI.

        `example` (a few rows) becomes the input example, `training`'s schema the signature.
        """
        if self._pyspark is None:
            raise BadInputError("a pyspark model lives in pyspark's JVM: log it through backend='py4j'")
        with translating():
            return str(
                self.classes.get("mlflowbridge.SparkModels").logModel(
                    self.raw_client,
                    run_id,
                    model._to_java(),
                    artifact_path,
                    None if example is None else example._jdf,
                    None if training is None else training._jdf.schema(),
                )
            )

    def artifact_store(self) -> Any:
        """mlflowbridge.ArtifactStore: artifacts over the tracking server's REST API, no Python fork."""
        with translating():
            return JavaProxy(self.classes.get("mlflowbridge.ArtifactStore")(self.raw_client))

    def register_model(self, name: str, model_uri: str, run_id: str, alias: str | None = None) -> str:
        """Register `model_uri` as a new version of `name` (created if missing) from the JVM; returns the version."""
        registry = self.classes.get("mlflowbridge.Registry")
        with translating():
            registry.createRegisteredModel(self.raw_client, name, True)
            version = str(registry.createModelVersion(self.raw_client, name, model_uri, run_id).version())
            if alias:
                registry.setAlias(self.raw_client, name, alias, version)
        return version

    def java_file(self, path: str | os.PathLike, must_exist: bool = True) -> Any:
        """A java.io.File for `path`; a missing file is a BadInputError naming it."""
        p = Path(path).absolute()
        if must_exist and not p.exists():
            raise BadInputError(f"local file {p} does not exist")
        return self.classes.get("java.io.File")(str(p))

    def java_list(self, items: list[Any]) -> Any:
        lst = self.classes.get("java.util.ArrayList")()
        for item in items:
            lst.add(item)
        return lst

    def close(self) -> None:
        with translating():
            self.raw_client.close()

    def __enter__(self) -> "JvmSession":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def connect(backend: Backend = "jpype", tracking_uri: str | None = None, spark: Any = None) -> JvmSession:
    """Connect to a JVM holding the MLflow Java client, through `backend`.

    tracking_uri defaults to MLFLOW_TRACKING_URI; it must be an http(s) tracking server (the
    Java client refuses local URIs). For "py4j", `spark` may be a SparkSession started with
    `bridge.jvm.py4j_backend.spark_session()`; otherwise one is created.
    """
    uri = tracking_uri or os.environ.get("MLFLOW_TRACKING_URI")
    if not uri or not uri.startswith(("http://", "https://")):
        raise BadInputError(
            f"tracking URI {uri!r} is not an http(s) tracking server; the Java client needs one "
            "(start one with `mlflow-bridge server` or pass tracking_uri=)"
        )
    require_reachable(uri)
    if backend == "jpype":
        from . import jpype_backend

        return JvmSession("jpype", jpype_backend.classes(), uri)
    if backend == "py4j":
        from . import py4j_backend
        from .py4j_backend import spark_session

        spark = spark or spark_session()
        return JvmSession("py4j", py4j_backend.classes(spark), uri, spark)
    raise BadInputError(f"unknown backend {backend!r}; use 'jpype' or 'py4j'")
