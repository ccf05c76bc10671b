"""`mlflow.runs` and the run scope `ActiveRun`: mlflowbridge's Runs member and ActiveRun."""

from __future__ import annotations

import os
from typing import Any

from ..errors import BadInputError
from . import convert
from .wrapper import JvmObject


class Runs(JvmObject):
    def start(self, experiment_id: str, run_name: str | None = None, tags: dict[str, str] | None = None) -> ActiveRun:
        """A new run with Python's system tags; use it as `with mlflow.runs.start(...) as run:`."""
        return ActiveRun(self._session, self._call("start", str(experiment_id), run_name, convert.string_map(self._t, tags)))

    def resume(self, run_id: str) -> ActiveRun:
        return ActiveRun(self._session, self._call("resume", run_id))

    def get(self, run_id: str) -> Any:
        """The run as `mlflow.entities.Run` (info, data, inputs)."""
        from mlflow.entities import Run
        from mlflow.protos.service_pb2 import Run as PbRun

        return self._entity(self._call("get", run_id), PbRun, Run)

    def get_parent_run(self, run_id: str) -> Any:
        """Python's `get_parent_run`: the run its `mlflow.parentRunId` tag names, None for a top-level run."""
        from mlflow.entities import Run
        from mlflow.protos.service_pb2 import Run as PbRun

        parent = self._call("getParentRun", run_id)
        return None if parent is None else self._entity(parent, PbRun, Run)

    def update(self, run_id: str, status: str | None = None, name: str | None = None) -> None:
        """Python's `MlflowClient.update_run`."""
        self._call("update", run_id, status, name)

    def log_input(
        self, run_id: str, df: Any, path: str | None = None, table_name: str | None = None, sql: str | None = None,
        name: str | None = None, context: str | None = None,
    ) -> None:  # fmt: skip
        """`mlflow.log_input(mlflow.data.from_spark(df, path=|table_name=|sql=, name=name), context=context)`:
        `df` is a pyspark DataFrame (backend='py4j') or a Java one of this JVM; one source."""
        self._call("logInput", run_id, convert.dataframe(self._t, df), self._source(path, table_name, sql), name, context)

    def _source(self, path: str | None, table_name: str | None, sql: str | None) -> Any:
        given = {k: v for k, v in (("path", path), ("table", table_name), ("sql", sql)) if v is not None}
        if len(given) != 1:
            raise BadInputError("a dataset needs exactly one source: path=, table_name= or sql=")
        ((kind, value),) = given.items()
        return JvmObject(self._session, self._t.java_class("mlflowbridge.DatasetSource"))._call(kind, str(value))


class ActiveRun(JvmObject):
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
        self._call("logParams", convert.string_map(self._t, params))

    def log_metric(self, key: str, value: float, step: int = 0) -> None:
        self._call("logMetrics", convert.double_map(self._t, {key: value}), int(step))

    def log_metrics(self, metrics: dict[str, float], step: int = 0) -> None:
        """Any number of metrics; split into requests of the server's size (1,000 each)."""
        self._call("logMetrics", convert.double_map(self._t, metrics), int(step))

    def set_tag(self, key: str, value: Any) -> None:
        self._call("setTag", key, str(value))

    def set_tags(self, tags: dict[str, Any]) -> None:
        self._call("setTags", convert.string_map(self._t, tags))

    def log_artifacts(self, local: str | os.PathLike, artifact_path: str | None = None) -> None:
        """A file lands at `<artifact_path>/<name>`, a directory's contents under `<artifact_path>/`."""
        self._call("logArtifacts", convert.local_path(local), artifact_path)

    def log_text(self, text: str, artifact_file: str) -> None:
        self._session.artifacts.log_text(self.run_id, text, artifact_file)

    def log_dict(self, dictionary: dict[str, Any], artifact_file: str) -> None:
        self._session.artifacts.log_dict(self.run_id, dictionary, artifact_file)

    def log_image(self, image: Any, artifact_file: str) -> None:
        self._session.artifacts.log_image(self.run_id, image, artifact_file)

    def log_table(self, data: Any, artifact_file: str) -> None:
        self._session.artifacts.log_table(self.run_id, data, artifact_file)

    def log_input(self, df: Any, path: str | None = None, table_name: str | None = None, sql: str | None = None, **kw: Any) -> None:
        """`mlflow.runs.log_input` into this run (`name=`, `context=`)."""
        self._session.runs.log_input(self.run_id, df, path=path, table_name=table_name, sql=sql, **kw)

    def log_model(self, model: Any, artifact_path: str = "model", example: Any = None, training: Any = None) -> Any:
        """`mlflow.models.log` into this run."""
        return self._session.models.log(self.run_id, model, artifact_path, example=example, training=training)

    def start_child(self, run_name: str | None = None) -> ActiveRun:
        """`start_run(nested=True)`: tagged `mlflow.parentRunId`."""
        return ActiveRun(self._session, self._call("startChild", run_name))

    def end(self, status: str = "FINISHED") -> None:
        self._call("end", status)

    def __enter__(self) -> ActiveRun:
        return self

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        self.end("FINISHED" if exc_type is None else "KILLED" if exc_type is KeyboardInterrupt else "FAILED")
