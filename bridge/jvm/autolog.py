"""`mlflow.autolog`: mlflowbridge's Autolog member (Spark ML fits autologged in the JVM), for Scala
stages and pipelines driven from pyspark over py4j (JPype has no pyspark objects to pass)."""

from __future__ import annotations

from typing import Any

from ..errors import BadInputError
from . import convert
from .wrapper import JvmObject


class Autolog(JvmObject):
    """`fit` and `evaluate` of pyspark.ml objects, run and logged by the JVM as Python's
    `mlflow.pyspark.ml.autolog()` logs them (see docs/autolog.md)."""

    def fit(self, estimator: Any, dataset: Any) -> Any:
        """The fitted pyspark model; the run is `last_run_id`."""
        from pyspark.ml.wrapper import JavaParams

        self._needs_py4j()
        return JavaParams._from_java(self._call("fit", convert.ml_model(self._t, estimator), convert.dataframe(self._t, dataset)))

    def evaluate(self, evaluator: Any, predictions: Any, dataset_name: str, run_id: str | None = None) -> float:
        """`{metricName}_{dataset_name}` in run `run_id` (default: the last `fit`'s run)."""
        self._needs_py4j()
        run = run_id if run_id is not None else self.last_run_id
        return float(self._call("evaluate", convert.ml_model(self._t, evaluator), convert.dataframe(self._t, predictions), dataset_name, run))

    @property
    def last_run_id(self) -> str | None:
        r = self._call("lastRunId")
        return None if r is None else str(r)

    def _needs_py4j(self) -> None:
        if self._session.backend != "py4j":
            raise BadInputError("autolog takes pyspark objects: connect with the py4j backend (bridge.connect('py4j', uri, spark=spark))")
