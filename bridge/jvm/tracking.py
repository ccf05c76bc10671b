"""`jvm.experiments`, `jvm.runs` (and the run scope), `jvm.artifacts`: mlflowbridge's members."""

from __future__ import annotations

import io
import json
import os
from pathlib import Path
from typing import Any

from ..errors import BadInputError
from .models import _is_pyspark
from .translate import translating
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

    def log_input(
        self, run_id: str, df: Any, path: str | None = None, table_name: str | None = None, sql: str | None = None,
        name: str | None = None, context: str | None = None,
    ) -> None:  # fmt: skip
        """`mlflow.log_input(mlflow.data.from_spark(df, path=|table_name=|sql=, name=name), context=context)`:
        `df` is a pyspark DataFrame (backend='py4j') or a Java one of this JVM; one source."""
        self._call("logInput", run_id, _java_df(self._session, df), _source(self._session, path, table_name, sql), name, context)


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

    def log_text(self, text: str, artifact_file: str) -> None:
        self._session.artifacts.log_text(self.run_id, text, artifact_file)

    def log_dict(self, dictionary: dict[str, Any], artifact_file: str) -> None:
        self._session.artifacts.log_dict(self.run_id, dictionary, artifact_file)

    def log_image(self, image: Any, artifact_file: str) -> None:
        self._session.artifacts.log_image(self.run_id, image, artifact_file)

    def log_table(self, data: Any, artifact_file: str) -> None:
        self._session.artifacts.log_table(self.run_id, data, artifact_file)

    def log_input(self, df: Any, path: str | None = None, table_name: str | None = None, sql: str | None = None, **kw: Any) -> None:
        """`jvm.runs.log_input` into this run (`name=`, `context=`)."""
        self._session.runs.log_input(self.run_id, df, path=path, table_name=table_name, sql=sql, **kw)

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

    def log_text(self, run_id: str, text: str, artifact_file: str) -> None:
        """`MlflowClient.log_text`: UTF-8 text at `artifact_file` (e.g. "notes/summary.txt")."""
        self._call("logText", run_id, text, artifact_file)

    def log_dict(self, run_id: str, dictionary: dict[str, Any], artifact_file: str) -> None:
        """`MlflowClient.log_dict`: JSON (.json or no extension) or YAML (.yml, .yaml); what json can't hold as str()."""
        self._call("logDict", run_id, _java_tree(self._session, json.loads(json.dumps(dictionary, default=str))), artifact_file)

    def log_image(self, run_id: str, image: Any, artifact_file: str) -> None:
        """`log_image`/`log_figure`: PNG or JPEG bytes, or a PIL image (saved as the extension says)."""
        if not isinstance(image, (bytes, bytearray)):
            buf = io.BytesIO()
            image.save(buf, format="PNG" if artifact_file.lower().endswith(".png") else "JPEG")
            image = buf.getvalue()
        self._call("logImage", run_id, bytes(image), artifact_file)

    def log_table(self, run_id: str, data: Any, artifact_file: str) -> None:
        """`MlflowClient.log_table` (.json): a pyspark/Java DataFrame, a pandas DataFrame or a dict of columns;
        appended to the table already there."""
        if isinstance(data, dict) or type(data).__module__.startswith("pandas"):
            import pandas as pd

            frame = data if isinstance(data, pd.DataFrame) else pd.DataFrame(data)
            # pandas' own JSON turns numpy values into plain ones (NaN -> null) before they cross.
            split = json.loads(frame.to_json(orient="split", index=False, date_format="iso"))
            rows = self._session.java_list([self._session.java_list([_java_tree(self._session, v) for v in r]) for r in split["data"]])
            self._call("logTable", run_id, self._session.java_list([str(c) for c in split["columns"]]), rows, artifact_file)
        else:
            self._call("logTable", run_id, _java_df(self._session, data), artifact_file)


def _java_tree(session: Any, v: Any) -> Any:
    """JSON values as Java ones (ordered maps, lists); the JVM writes them as Python would."""
    if isinstance(v, dict):
        m = session._class("java.util.LinkedHashMap")()
        for k, x in v.items():
            m.put(str(k), _java_tree(session, x))
        return m
    if isinstance(v, list):
        return session.java_list([_java_tree(session, x) for x in v])
    if isinstance(v, bool):
        return session._class("java.lang.Boolean")(v)
    if isinstance(v, int):
        return session._class("java.lang.Long")(v)
    if isinstance(v, float):
        return session._class("java.lang.Double")(v)
    return v


def _java_df(session: Any, df: Any) -> Any:
    """A pyspark DataFrame's Java side (it lives in pyspark's JVM: backend='py4j'), or a Java DataFrame as is."""
    if _is_pyspark(df):
        if session.backend != "py4j":
            raise BadInputError("a pyspark DataFrame lives in pyspark's JVM: log it through backend='py4j'")
        return df._jdf
    return df


def _source(session: Any, path: str | None, table_name: str | None, sql: str | None) -> Any:
    given = {k: v for k, v in (("path", path), ("table", table_name), ("sql", sql)) if v is not None}
    if len(given) != 1:
        raise BadInputError("a dataset needs exactly one source: path=, table_name= or sql=")
    ((kind, value),) = given.items()
    with translating():
        return getattr(session._class("mlflowbridge.DatasetSource"), kind)(str(value))
