"""`mlflow.experiments`: mlflowbridge's Experiments member."""

from __future__ import annotations

from typing import Any

from .wrapper import JvmObject


class Experiments(JvmObject):
    def get_or_create(self, name: str) -> str:
        """Python's `mlflow.set_experiment(name)`: the id, created when missing (race-safe)."""
        return str(self._call("getOrCreate", name))

    def get(self, experiment_id: str) -> Any:
        """The experiment as `mlflow.entities.Experiment`."""
        from mlflow.entities import Experiment
        from mlflow.protos.service_pb2 import Experiment as PbExperiment

        return self._entity(self._call("get", str(experiment_id)), PbExperiment, Experiment)

    def delete_tag(self, experiment_id: str, key: str) -> None:
        self._call("deleteTag", str(experiment_id), key)
