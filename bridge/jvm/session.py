"""JvmSession: `mlflowbridge.Mlflow`, the same members in Python, over either backend."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Literal

from ..errors import BadInputError
from ..server import require_reachable
from .autolog import Autolog
from .logged_models import LoggedModels
from .models import Models, Registry
from .tracing import Tracing
from .tracking import Artifacts, Experiments, Runs
from .translate import JavaProxy, translating

Backend = Literal["jpype", "py4j"]

# The variables a session hands to `mlflowbridge.Mlflow.forUri` (tracking, retries, S3 settings).
SETTING_PREFIXES = ("MLFLOW_", "AWS_")


class JvmSession:
    """A JVM holding the MLflow Java client and our Scala module, through one backend.

    Members mirror `mlflowbridge.Mlflow`: `experiments`, `runs`, `artifacts`, `models`,
    `registry`, `logged_models`, `tracing`, `autolog`. `client` is the stock `org.mlflow.tracking.MlflowClient` (its calls raise bridge
    errors), for what the stock client already does.
    """

    backend: Backend

    def __init__(self, backend: Backend, classes: Any, tracking_uri: str | None, spark: Any = None):
        self.backend = backend
        self.tracking_uri = tracking_uri  # None: no tracking server (local models only)
        self._classes = classes
        self._pyspark = spark  # py4j: the pyspark session whose JVM this is
        # The MLFLOW_* and AWS_* settings of this moment, as Python's client (and boto3, for
        # s3:// artifact roots) reads them: the JVM's own environment was fixed when it started.
        settings = classes.get("java.util.HashMap")()
        for key, value in os.environ.items():
            if key.startswith(SETTING_PREFIXES):
                settings.put(key, value)
        with translating():
            entry = classes.get("mlflowbridge.Mlflow")
            self._mlflow = entry.local() if tracking_uri is None else entry.forUri(tracking_uri, settings)
            self.experiments = Experiments(self, self._mlflow.experiments())
            self.runs = Runs(self, self._mlflow.runs())
            self.artifacts = Artifacts(self, self._mlflow.artifacts())
            self.models = Models(self, self._mlflow.models())
            self.registry = Registry(self, self._mlflow.registry())
            self.logged_models = LoggedModels(self, self._mlflow.loggedModels())
            self.tracing = Tracing(self, self._mlflow.tracing())
            self.autolog = Autolog(self, self._mlflow.autolog())

    @property
    def client(self) -> JavaProxy:
        """The stock `org.mlflow.tracking.MlflowClient` (a local session has none: a clear error)."""
        with translating():
            return JavaProxy(self._mlflow.client())

    def spark(self) -> Any:
        """The JVM's SparkSession (a Java object): pyspark's (py4j) or a local one in this process (JPype)."""
        if self._pyspark is not None:
            return self._pyspark._jsparkSession
        with translating():
            return self._class("mlflowbridge.cli.Main").localSpark("mlflow-bridge-jpype")

    def jvm_version(self) -> str:
        """The running JVM's Java version (java.version), e.g. 17.0.15."""
        return str(self._class("java.lang.System").getProperty("java.version"))

    def java_class(self, name: str) -> JavaProxy:
        """A Java class (e.g. a stock protobuf type), its constructor and statics raising bridge errors."""
        return JavaProxy(self._class(name))

    def stock_context(self) -> JavaProxy:
        """The stock fluent API, `org.mlflow.tracking.MlflowContext`, on this session's client."""
        with translating():
            return JavaProxy(self._class("org.mlflow.tracking.MlflowContext")(self._mlflow.client()))

    def java_file(self, path: str | os.PathLike, must_exist: bool = True) -> Any:
        """A java.io.File for `path` (the stock client's artifact calls take one)."""
        return self._class("java.io.File")(str(self._local(path, must_exist)))

    def java_list(self, items: list[Any]) -> Any:
        lst = self._class("java.util.ArrayList")()
        for item in items:
            lst.add(item)
        return lst

    def _bytes(self, data: bytes) -> Any:
        """A Java byte[] of `data` (py4j converts bytes itself; JPype needs the array type)."""
        if self.backend == "py4j":
            return bytearray(data)
        import jpype

        return jpype.JArray(jpype.JByte)(data)

    def close(self) -> None:
        with translating():
            self._mlflow.close()

    def __enter__(self) -> "JvmSession":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- for the wrappers in this package ---------------------------------------------------
    def _class(self, name: str) -> Any:
        return self._classes.get(name)

    def _local(self, path: str | os.PathLike, must_exist: bool = True) -> Path:
        p = Path(path).absolute()
        if must_exist and not p.exists():
            raise BadInputError(f"local file {p} does not exist")
        return p


def connect(backend: Backend = "jpype", tracking_uri: str | None = None, spark: Any = None, local: bool = False) -> JvmSession:
    """Connect to a JVM holding the MLflow Java client, through `backend`.

    tracking_uri defaults to MLFLOW_TRACKING_URI; it must be an http(s) tracking server (the
    Java client refuses local URIs). `local=True` reaches no server (`Mlflow.local()`): models
    in local folders only. For "py4j", `spark` may be a SparkSession started with
    `bridge.jvm.py4j_backend.spark_session()`; otherwise one is created.
    """
    uri = None if local else (tracking_uri or os.environ.get("MLFLOW_TRACKING_URI"))
    if not local:
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
