"""Mlflow: `mlflowbridge.Mlflow`, the same members in Python, over any Transport."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any, Literal, overload

from .. import rules
from ..errors import BadInputError
from ..server import require_reachable
from . import convert
from .artifacts import Artifacts
from .autolog import Autolog
from .experiments import Experiments
from .logged_models import LoggedModels
from .models import Models
from .registry import Registry
from .runs import Runs
from .tracing import Tracing
from .translate import JavaProxy, translating
from .transport import Backend, Transport

if TYPE_CHECKING:  # the Connect client is imported when that backend is asked for
    from ..spark_connect import ConnectMlflow

# The variables a session hands to `mlflowbridge.Mlflow.forUri` (tracking, retries, S3 settings).
SETTING_PREFIXES = ("MLFLOW_", "AWS_")


class Mlflow:
    """A JVM holding the MLflow Java client and our Scala module, reached through `transport`.

    Members mirror `mlflowbridge.Mlflow`: `experiments`, `runs`, `artifacts`, `models`,
    `registry`, `logged_models`, `tracing`, `autolog`. `client` is the stock `org.mlflow.tracking.MlflowClient` (its calls raise bridge
    errors), for what the stock client already does.
    """

    def __init__(self, transport: Transport, tracking_uri: str | None):
        self.transport = transport
        self.tracking_uri = tracking_uri  # None: no tracking server (local models only)
        # The MLFLOW_* and AWS_* settings of this moment, as Python's client (and boto3, for
        # s3:// artifact roots) reads them: the JVM's own environment was fixed when it started.
        settings = transport.java_map({k: v for k, v in os.environ.items() if k.startswith(SETTING_PREFIXES)})
        with translating():
            entry = transport.java_class("mlflowbridge.Mlflow")
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
    def backend(self) -> Backend:
        return self.transport.backend

    @property
    def client(self) -> JavaProxy:
        """The stock `org.mlflow.tracking.MlflowClient` (a local session has none: a clear error)."""
        with translating():
            return JavaProxy(self._mlflow.client())

    def spark(self) -> Any:
        """The JVM's SparkSession (a Java object): pyspark's (py4j) or a local one in this process (JPype)."""
        with translating():
            return self.transport.spark()

    def jvm_version(self) -> str:
        """The running JVM's Java version (java.version), e.g. 17.0.15."""
        with translating():
            return str(self.transport.java_class("java.lang.System").getProperty("java.version"))

    def java_class(self, name: str) -> JavaProxy:
        """A Java class (e.g. a stock protobuf type), its constructor and statics raising bridge errors."""
        with translating():
            return JavaProxy(self.transport.java_class(name))

    def stock_context(self) -> JavaProxy:
        """The stock fluent API, `org.mlflow.tracking.MlflowContext`, on this session's client."""
        with translating():
            return JavaProxy(self.transport.java_class("org.mlflow.tracking.MlflowContext")(self._mlflow.client()))

    def java_file(self, path: str | os.PathLike, must_exist: bool = True) -> Any:
        """A java.io.File for `path` (the stock client's artifact calls take one)."""
        return self.transport.java_class("java.io.File")(convert.local_path(path, must_exist))

    def java_list(self, items: list[Any]) -> Any:
        """A java.util.List of `items` (for the stock client's calls)."""
        return self.transport.java_list(items)

    def close(self) -> None:
        with translating():
            self._mlflow.close()
        self.transport.close()

    def __enter__(self) -> Mlflow:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


@overload
def connect(backend: Literal["connect"], tracking_uri: str | None = None, spark: Any = None, local: bool = False) -> ConnectMlflow: ...
@overload
def connect(backend: Backend = "jpype", tracking_uri: str | None = None, spark: Any = None, local: bool = False) -> Mlflow: ...
def connect(backend: str = "jpype", tracking_uri: str | None = None, spark: Any = None, local: bool = False) -> Mlflow | ConnectMlflow:
    """Connect to a JVM holding the MLflow Java client, through `backend`.

    "connect": `spark` is a Spark Connect session (`SparkSession.builder.remote("sc://host:port")`);
    this process needs no JVM: the bridge's plugin on the Connect server runs the Scala API there
    and reaches the tracking server (docs/connect.md). The other backends run it in a JVM here.

    tracking_uri defaults to MLFLOW_TRACKING_URI; it must be an http(s) tracking server (the
    Java client refuses local URIs). `local=True` reaches no server (`Mlflow.local()`): models
    in local folders only. For "py4j", `spark` may be a SparkSession started with
    `bridge.jvm.spark_session()`; otherwise one is created.
    """
    uri = None if local else (tracking_uri or os.environ.get("MLFLOW_TRACKING_URI"))
    if backend == "connect":
        if spark is None or local:
            raise BadInputError(
                "backend 'connect' needs spark=, a Spark Connect session (SparkSession.builder.remote('sc://host:port')), and a tracking server"
            )
        from ..spark_connect import ConnectMlflow

        return ConnectMlflow(spark, uri)
    if not local:
        require_reachable(rules.check_tracking_uri(uri))
    if backend == "jpype":
        from . import jpype_backend

        return Mlflow(jpype_backend.transport(), uri)
    if backend == "py4j":
        from . import py4j_backend

        return Mlflow(py4j_backend.transport(spark), uri)
    raise BadInputError(f"unknown backend {backend!r}; use 'jpype', 'py4j' or 'connect'")
