"""What the rows share, started on first use and stopped when the suite ends: tracking servers
(one per artifact root), pyspark's session, JVM sessions, scratch folders."""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from .roots import PROXIED, ArtifactRoot


class BenchContext:
    def __init__(self, stack: ExitStack, tracking_uri: str | None = None):
        """`tracking_uri`: an existing server to use as the proxied root (default: start one)."""
        self._stack = stack
        self.scratch = Path(tempfile.mkdtemp(prefix="mlflow-bridge-bench-"))
        stack.callback(shutil.rmtree, self.scratch, ignore_errors=True)
        self._given_uri = tracking_uri
        self._uris: dict[str, str] = {}
        self._sessions: dict[tuple[str, str], Any] = {}
        self._spark: Any = None
        self._experiments: dict[str, str] = {}
        self.shared: dict[str, Any] = {}  # what several rows use (bench.wine), made once
        self._t0 = time.monotonic()
        os.environ.setdefault("MLFLOW_PYTHON_EXECUTABLE", sys.executable)  # the stock Java client forks it

    def progress(self, msg: str) -> None:
        print(f"[bench {time.monotonic() - self._t0:6.1f}s] {msg}", file=sys.stderr, flush=True)

    def tmp(self, prefix: str) -> Path:
        return Path(tempfile.mkdtemp(prefix=prefix, dir=self.scratch))

    def tracking_uri(self, root: ArtifactRoot = PROXIED) -> str:
        if root.name not in self._uris:
            if root is PROXIED and self._given_uri:
                self._uris[root.name] = self._given_uri
            else:
                self.progress(f"starting a tracking server for the {root.name} root")
                self._uris[root.name] = self._stack.enter_context(root.serve(self.tmp("root-")))
        return self._uris[root.name]

    def spark(self) -> Any:
        """pyspark's session with the bridge jars (py4j's JVM); stopped at the end if we started it."""
        if self._spark is None:
            from pyspark.sql import SparkSession

            from ..jvm import spark_session

            owned = SparkSession.getActiveSession() is None
            self.progress("starting Spark (py4j)")
            self._spark = spark_session(app_name="mlflow-bridge-bench")
            if owned:
                self._stack.callback(self._spark.stop)
        return self._spark

    def connect_url(self) -> str:
        """A Spark Connect server with the bridge's plugin (mlflow-bridge connect-server), started once."""
        if "connect_url" not in self.shared:
            from ..spark_connect.server import ConnectServer

            self.progress("starting a Spark Connect server")
            self.shared["connect_url"] = self._stack.enter_context(ConnectServer(log_dir=self.tmp("connect-server-"))).url
        return self.shared["connect_url"]

    def session(self, backend: str, root: ArtifactRoot = PROXIED) -> Any:
        """A bridge.Mlflow session on `backend` for the root's tracking server."""
        key = (backend, root.name)
        if key not in self._sessions:
            from ..jvm import connect

            uri = self.tracking_uri(root)
            spark = self.spark() if backend == "py4j" else None
            if backend == "jpype":
                self.progress("starting the in-process JVM (JPype)")
            self._sessions[key] = self._stack.enter_context(connect(backend, uri, spark=spark))  # type: ignore[call-overload]
        return self._sessions[key]

    def client(self, root: ArtifactRoot = PROXIED) -> Any:
        from mlflow.tracking import MlflowClient

        return MlflowClient(self.tracking_uri(root))

    def experiment_id(self, root: ArtifactRoot = PROXIED) -> str:
        if root.name not in self._experiments:
            client = self.client(root)
            name = f"mlflow-bridge-bench-{time.strftime('%Y%m%d-%H%M%S')}"
            found = client.get_experiment_by_name(name)
            self._experiments[root.name] = found.experiment_id if found else client.create_experiment(name)
        return self._experiments[root.name]

    def new_run(self, root: ArtifactRoot = PROXIED, name: str | None = None) -> str:
        return self.client(root).create_run(self.experiment_id(root), run_name=name).info.run_id

    def use_fluent(self, root: ArtifactRoot = PROXIED) -> None:
        """Point Python's fluent API (mlflow.start_run, mlflow.spark.log_model) at the root's server."""
        import mlflow

        mlflow.set_tracking_uri(self.tracking_uri(root))
        mlflow.set_experiment(experiment_id=self.experiment_id(root))
