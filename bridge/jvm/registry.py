"""`mlflow.registry`: mlflowbridge's Registry member (the model registry)."""

from __future__ import annotations

from typing import Any

from . import convert
from .wrapper import JvmObject


class Registry(JvmObject):
    """The registry writes the stock Java client lacks; results are MLflow's Python entities."""

    def _version(self, j: Any) -> Any:
        from mlflow.entities.model_registry import ModelVersion
        from mlflow.protos.model_registry_pb2 import ModelVersion as PbModelVersion

        return self._entity(j, PbModelVersion, ModelVersion)

    def _model(self, j: Any) -> Any:
        from mlflow.entities.model_registry import RegisteredModel
        from mlflow.protos.model_registry_pb2 import RegisteredModel as PbRegisteredModel

        return self._entity(j, PbRegisteredModel, RegisteredModel)

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
        return convert.strings(self._call("getModelVersionStages", name, str(version)))

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
