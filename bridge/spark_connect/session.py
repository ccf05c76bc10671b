"""The bridge over Spark Connect: the session's members for a Python client with no JVM.

The client holds a Spark Connect session (`SparkSession.builder.remote("sc://host:port")`, from
`pyspark-client` or `pyspark`); every call runs on the Connect server, in the bridge's plugin,
where the model files are (see docs/connect.md). Nothing here imports py4j, JPype or bridge.jvm.
"""

from __future__ import annotations

import json
import os
import socket
import uuid
from dataclasses import dataclass
from typing import Any

from ..errors import BadInputError, ServerUnreachableError
from . import wire

# Sent with each call so that the server acts as this client's user; never more than these.
CREDENTIAL_VARIABLES = ("MLFLOW_TRACKING_USERNAME", "MLFLOW_TRACKING_PASSWORD", "MLFLOW_TRACKING_TOKEN", "MLFLOW_TRACKING_INSECURE_TLS")


@dataclass(frozen=True)
class ModelInfo:
    """What `log_model` and `mlflow.models.get_model_info` return (the fields of the JVM session's ModelInfo)."""

    model_uri: str
    run_id: str | None
    artifact_path: str | None
    flavors: tuple[str, ...]
    signature_inputs: str | None
    model_uuid: str | None
    utc_time_created: str | None
    signature_outputs: str | None
    input_example_json: str | None

    @classmethod
    def of(cls, d: dict[str, Any]) -> "ModelInfo":
        return cls(
            d["model_uri"], d.get("run_id"), d.get("artifact_path"), tuple(d.get("flavors") or ()), d.get("signature_inputs"),
            d.get("model_uuid"), d.get("utc_time_created"), d.get("signature_outputs"), d.get("input_example"),
        )  # fmt: skip

    @property
    def input_columns(self) -> list[str]:
        """The signature's input column names (empty without a signature)."""
        return [c["name"] for c in json.loads(self.signature_inputs or "[]") if "name" in c]


class ConnectMlflow:
    """`bridge.Mlflow`'s members over a Spark Connect session.

    `tracking_uri` and the MLFLOW_TRACKING_* credentials (default: this process's environment)
    travel with each call; with neither, the server's own tracking settings apply (the operator's).
    """

    def __init__(self, spark: Any, tracking_uri: str | None = None, env: dict[str, str] | None = None) -> None:
        if not _is_connect(spark):
            raise BadInputError("bridge.spark_connect needs a Spark Connect session: SparkSession.builder.remote('sc://host:port').getOrCreate()")
        self.spark = spark
        source = os.environ if env is None else env
        uri = tracking_uri if tracking_uri is not None else source.get("MLFLOW_TRACKING_URI", "")
        self._tracking = {"uri": uri, "id": uuid.uuid4().hex} if uri else {}
        if uri:
            # Credentials go into this Connect session's own conf (isolated per session; the key names
            # match Spark's redaction regex), never into a plan, which the server may log.
            for k in CREDENTIAL_VARIABLES:
                if source.get(k):
                    spark.conf.set(f"{wire.CREDENTIALS_PREFIX}{self._tracking['id']}.{k}", source[k])
        self.server_version = self._call("ping")["version"]
        self.experiments = Experiments(self)
        self.runs = Runs(self)
        self.models = Models(self)
        self.registry = Registry(self)

    @classmethod
    def remote(cls, url: str, tracking_uri: str | None = None, env: dict[str, str] | None = None) -> "ConnectMlflow":
        """A new Connect session to `url` (sc://host:port; checked to answer first, where pyspark's
        client would retry for minutes) and the bridge over it; stop it with `.spark.stop()`."""
        from .client import remote_session

        _require_answering(url)
        spark = remote_session(url)
        try:
            return cls(spark, tracking_uri, env)
        except BaseException:
            spark.stop()
            raise

    def _call(self, op: str, frames: list[Any] | None = None, **args: Any) -> dict[str, Any]:
        return wire.call(self.spark, op, args, self._tracking, frames)

    def __getattr__(self, name: str) -> Any:
        if name in ("artifacts", "logged_models", "tracing", "client", "java_class", "stock_context"):
            raise BadInputError(
                f"{name} is not available over Spark Connect (only experiments, runs, models and registry are); "
                "use the mlflow Python client for it, or a JVM session (bridge.connect)"
            )
        raise AttributeError(name)

    def close(self) -> None:
        """Nothing to release: the Connect session stays the caller's."""

    def __enter__(self) -> "ConnectMlflow":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


class Experiments:
    def __init__(self, m: ConnectMlflow) -> None:
        self._m = m

    def get_or_create(self, name: str) -> str:
        return self._m._call("experiments.getOrCreate", name=name)["experiment_id"]


class Runs:
    def __init__(self, m: ConnectMlflow) -> None:
        self._m = m

    def start(self, experiment_id: str, run_name: str | None = None) -> "ActiveRun":
        return ActiveRun(self._m, self._m._call("runs.start", experiment_id=experiment_id, run_name=run_name)["run_id"])

    def resume(self, run_id: str) -> "ActiveRun":
        return ActiveRun(self._m, run_id)

    def update(self, run_id: str, status: str) -> None:
        self._m._call("runs.end", run_id=run_id, status=status)


class ActiveRun:
    """One run. As a context manager it ends FINISHED, or FAILED when the block raises."""

    def __init__(self, m: ConnectMlflow, run_id: str) -> None:
        self._m, self.run_id = m, run_id

    def log_param(self, key: str, value: Any) -> None:
        self.log_params({key: value})

    def log_params(self, params: dict[str, Any]) -> None:
        self._m._call("runs.logParams", run_id=self.run_id, params={k: str(v) for k, v in params.items()})

    def log_metric(self, key: str, value: float, step: int = 0) -> None:
        self.log_metrics({key: value}, step)

    def log_metrics(self, metrics: dict[str, float], step: int = 0) -> None:
        self._m._call("runs.logMetrics", run_id=self.run_id, metrics={k: float(v) for k, v in metrics.items()}, step=int(step))

    def log_model(self, model: Any, artifact_path: str = "model", example: Any = None, training: Any = None) -> ModelInfo:
        return self._m.models.log(self.run_id, model, artifact_path, example=example, training=training)

    def end(self, status: str = "FINISHED") -> None:
        self._m.runs.update(self.run_id, status)

    def __enter__(self) -> "ActiveRun":
        return self

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        self.end("FINISHED" if exc_type is None else "KILLED" if exc_type is KeyboardInterrupt else "FAILED")


class Models:
    def __init__(self, m: ConnectMlflow) -> None:
        self._m = m

    def log(self, run_id: str, model: Any, artifact_path: str = "model", example: Any = None, training: Any = None) -> ModelInfo:
        """Log a PipelineModel fitted over Connect as `mlflow.spark.log_model` does: saved to a folder
        the server hands out, then logged there by the bridge. `example` (a few rows) becomes the
        input example and `training`'s schema the signature (Connect DataFrames; either may be None)."""
        if not hasattr(model, "write"):
            raise BadInputError(f"model must be a fitted pyspark.ml model (a PipelineModel), not {type(model).__name__}")
        path = self._m._call("workdir")["path"]
        try:
            model.write().overwrite().save(path)
        except Exception:
            self._m._call("release", path=path)
            raise
        frames = [f for f in (example, training) if f is not None]
        which = {"example": 0 if example is not None else -1, "training": len(frames) - 1 if training is not None else -1}
        return ModelInfo.of(self._m._call("models.log", frames, run_id=run_id, path=path, artifact_path=artifact_path, **which))

    def info(self, model_uri: str) -> ModelInfo:
        return ModelInfo.of(self._m._call("models.info", model_uri=model_uri))

    def load(self, model_uri: str) -> "ConnectModel":
        """A spark-flavor model from any model URI the bridge takes (runs:/, models:/name/version,
        models:/name@alias, models:/m-..., a server path), loaded by Spark's Connect ML on the server."""
        from pyspark.ml import PipelineModel

        answer = self._m._call("models.fetch", model_uri=model_uri)
        try:
            model = PipelineModel.load(answer["path"])
        except ImportError as e:
            # pyspark's Connect ML maps each stage's JVM class to a Python class of the same name.
            raise BadInputError(
                f"model {model_uri} has a stage that pyspark's Connect ML cannot load ({e}): it needs a Python class named after "
                "the stage's JVM class on the client; score it on the server instead (models.score_file)"
            ) from None
        finally:
            self._m._call("release", path=answer["root"])
        return ConnectModel(model, ModelInfo.of(answer))

    def score_file(self, model_uri: str, input_path: str, output_path: str) -> int:
        """Scores a file on the server (csv, parquet, json lines) with the bridge's Scala engine; returns the row count."""
        return int(self._m._call("models.scoreFile", model_uri=model_uri, input=input_path, output=output_path)["rows"])


class ConnectModel:
    """A loaded model: `transform` a Connect DataFrame (checked against the signature first)."""

    def __init__(self, model: Any, info: ModelInfo) -> None:
        self.model, self.info = model, info

    def transform(self, df: Any) -> Any:
        missing = [c for c in self.info.input_columns if c not in df.columns]
        if missing:
            raise BadInputError(
                f"the DataFrame lacks column(s) {', '.join(missing)} that model {self.info.model_uri} needs (it has: {', '.join(df.columns)})"
            )
        return self.model.transform(df)


class Registry:
    def __init__(self, m: ConnectMlflow) -> None:
        self._m = m

    def register(self, model_uri: str, name: str, alias: str | None = None) -> dict[str, str]:
        """A new READY version of `name` from `model_uri`; returns {"name", "version"}."""
        return self._m._call("registry.register", model_uri=model_uri, name=name, alias=alias)


def _is_connect(spark: Any) -> bool:
    return type(spark).__module__.startswith("pyspark.sql.connect")


def _require_answering(address: str) -> None:
    """Fail at once, in one line, when nothing listens (pyspark's client would retry for minutes)."""
    try:
        host, port = address[len("sc://") :].split("/")[0].rsplit(":", 1)
        socket.create_connection((host, int(port)), timeout=5).close()
    except ValueError:
        return
    except OSError as e:
        raise ServerUnreachableError(
            f"Spark Connect server {address} does not answer ({e.strerror or e}); start one with: mlflow-bridge connect-server"
        ) from None
