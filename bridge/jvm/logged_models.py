"""`mlflow.logged_models`: mlflowbridge's LoggedModels member (MLflow 3 logged models, `models:/m-...`)."""

from __future__ import annotations

import os
from typing import Any

from . import convert
from .wrapper import JvmObject


class LoggedModels(JvmObject):
    """Python `MlflowClient`'s logged-model calls, answered by the JVM: results are MLflow's own entities."""

    def create_logged_model(
        self,
        experiment_id: str,
        name: str | None = None,
        source_run_id: str | None = None,
        tags: dict[str, str] | None = None,
        params: dict[str, str] | None = None,
        model_type: str | None = None,
    ) -> Any:
        return self._logged_model(
            self._call(
                "create", str(experiment_id), name, source_run_id, model_type, convert.string_map(self._t, params), convert.string_map(self._t, tags)
            )
        )

    def get_logged_model(self, model_id: str) -> Any:
        return self._logged_model(self._call("get", model_id))

    def search_logged_models(self, experiment_ids: list[str], filter_string: str | None = None, max_results: int | None = None) -> list[Any]:
        ids = convert.string_list(self._t, experiment_ids)
        found = self._call("search", ids, filter_string, int(max_results or 2**31 - 1))
        return [self._logged_model(m) for m in found]

    def finalize_logged_model(self, model_id: str, status: Any) -> Any:
        """`status`: "READY", "FAILED", or an `mlflow.entities.LoggedModelStatus`."""
        return self._logged_model(self._call("finalizeModel", model_id, str(getattr(status, "value", status))))

    def set_logged_model_tags(self, model_id: str, tags: dict[str, Any]) -> None:
        self._call("setTags", model_id, convert.string_map(self._t, tags))

    def delete_logged_model_tag(self, model_id: str, key: str) -> None:
        self._call("deleteTag", model_id, key)

    def delete_logged_model(self, model_id: str) -> None:
        self._call("delete", model_id)

    def log_model_params(self, model_id: str, params: dict[str, Any]) -> None:
        self._call("logParams", model_id, convert.string_map(self._t, params))

    def log_metric(self, model_id: str, run_id: str, key: str, value: float, step: int = 0) -> None:
        """A metric of run `run_id` linked to the model (Python's `log_metric(..., model_id=)`)."""
        self._call("logMetric", model_id, run_id, key, float(value), int(step))

    def log_model_artifacts(self, model_id: str, local: str | os.PathLike, artifact_path: str | None = None) -> None:
        """A file lands at `<artifact_path>/<name>`, a folder's contents under `<artifact_path>/`."""
        self._call("logArtifacts", model_id, convert.local_path(local), artifact_path)

    def list_logged_model_artifacts(self, model_id: str, path: str | None = None) -> list[Any]:
        """The entries directly under `path`, as `mlflow.entities.FileInfo`."""
        from mlflow.entities import FileInfo
        from mlflow.protos.service_pb2 import FileInfo as PbFileInfo

        return [self._entity(f, PbFileInfo, FileInfo) for f in self._call("listArtifacts", model_id, path)]

    def _logged_model(self, j: Any) -> Any:
        """A Scala `LoggedModel` (the server's JSON) as `mlflow.entities.LoggedModel`."""
        from mlflow.entities import LoggedModel
        from mlflow.protos.service_pb2 import LoggedModel as PbLoggedModel

        return convert.entity(JvmObject(self._session, j)._call("json"), PbLoggedModel, LoggedModel)
