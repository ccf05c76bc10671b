"""`jvm.experiments`, `jvm.runs` (and the run scope), `jvm.artifacts`: mlflowbridge's members."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from .wrapper import JvmObject, proto_entity


class Experiments(JvmObject):
    def get_or_create(self, name: str) -> str:
        """Python's `mlflow.set_experiment(name)`: the id, created when missing (race-safe)."""
        return str(self._call("getOrCreate", name))

    def get(self, experiment_id: str) -> Any:
        """The experiment as `mlflow.entities.Experiment`."""
        from mlflow.entities import Experiment
        from mlflow.protos.service_pb2 import Experiment as PbExperiment

        return proto_entity(self._session, self._call("get", str(experiment_id)), PbExperiment, Experiment)

    def delete_tag(self, experiment_id: str, key: str) -> None:
        self._call("deleteTag", str(experiment_id), key)


class Runs(JvmObject):
    def start(self, experiment_id: str, run_name: str | None = None, tags: dict[str, str] | None = None) -> "JvmRun":
        """A new run with Python's system tags; use it as `with jvm.runs.start(...) as run:`."""
        return JvmRun(self._session, self._call("start", str(experiment_id), run_name, self._map(tags)))

    def resume(self, run_id: str) -> "JvmRun":
        return JvmRun(self._session, self._call("resume", run_id))

    def get(self, run_id: str) -> Any:
        """The run as `mlflow.entities.Run` (info, data, inputs)."""
        from mlflow.entities import Run
        from mlflow.protos.service_pb2 import Run as PbRun

        return proto_entity(self._session, self._call("get", run_id), PbRun, Run)

    def get_parent_run(self, run_id: str) -> Any:
        """Python's `get_parent_run`: the run its `mlflow.parentRunId` tag names, None for a top-level run."""
        from mlflow.entities import Run
        from mlflow.protos.service_pb2 import Run as PbRun

        parent = self._call("getParentRun", run_id)
        return None if parent is None else proto_entity(self._session, parent, PbRun, Run)

    def update(self, run_id: str, status: str | None = None, name: str | None = None) -> None:
        """Python's `MlflowClient.update_run`."""
        self._call("update", run_id, status, name)


class JvmRun(JvmObject):
    """One run. As a context manager it ends FINISHED, or FAILED when the block raises (and the
    exception propagates), as `with mlflow.start_run()` does."""

    @property
    def run_id(self) -> str:
        return str(self._call("runId"))

    @property
    def experiment_id(self) -> str:
        return str(self._call("experimentId"))

    def log_param(self, key: str, value: Any) -> None:
        self._call("logParam", key, str(value))

    def log_params(self, params: dict[str, Any]) -> None:
        self._call("logParams", self._map({k: str(v) for k, v in params.items()}))

    def log_metric(self, key: str, value: float, step: int = 0) -> None:
        self._call("logMetrics", self._doubles({key: value}), int(step))

    def log_metrics(self, metrics: dict[str, float], step: int = 0) -> None:
        """Any number of metrics; split into requests of the server's size (1,000 each)."""
        self._call("logMetrics", self._doubles(metrics), int(step))

    def set_tag(self, key: str, value: Any) -> None:
        self._call("setTag", key, str(value))

    def set_tags(self, tags: dict[str, Any]) -> None:
        self._call("setTags", self._map({k: str(v) for k, v in tags.items()}))

    def log_artifacts(self, local: str | os.PathLike, artifact_path: str | None = None) -> None:
        """A file lands at `<artifact_path>/<name>`, a directory's contents under `<artifact_path>/`."""
        self._call("logArtifacts", str(self._session._local(local)), artifact_path)

    def log_model(self, model: Any, artifact_path: str = "model", example: Any = None, training: Any = None) -> Any:
        """`jvm.models.log` into this run."""
        return self._session.models.log(self.run_id, model, artifact_path, example=example, training=training)

    def start_child(self, run_name: str | None = None) -> "JvmRun":
        """`start_run(nested=True)`: tagged `mlflow.parentRunId`."""
        return JvmRun(self._session, self._call("startChild", run_name))

    def end(self, status: str = "FINISHED") -> None:
        self._call("end", status)

    def __enter__(self) -> "JvmRun":
        return self

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        self.end("FINISHED" if exc_type is None else "KILLED" if exc_type is KeyboardInterrupt else "FAILED")


class Artifacts(JvmObject):
    """Run and model artifacts over the server's REST API (mlflow-artifacts:) or S3 (s3://): no forked Python per call."""

    def log(self, run_id: str, local: str | os.PathLike, artifact_path: str | None = None) -> None:
        self._call("logArtifacts", run_id, str(self._session._local(local)), artifact_path)

    def list(self, run_id: str, path: str | None = None) -> list[tuple[str, bool, int]]:
        """(path, is_dir, size) of the run's artifacts under `path`."""
        return [(str(e.path()), bool(e.isDir()), int(e.fileSize())) for e in self._call("listRun", run_id, path)]

    def download(self, run_id: str, path: str | None, dst: str | os.PathLike) -> Path:
        """The run's artifact `path` (None: all) copied under `dst`; returns the local path."""
        return Path(str(self._call("downloadRun", run_id, path, str(dst))))

    def download_uri(self, artifact_uri: str, dst: str | os.PathLike) -> Path:
        return Path(str(self._call("download", artifact_uri, str(dst))))
