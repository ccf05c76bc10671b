"""mlflow-bridge: MLflow's Java client and SparkML models across Python and the JVM.

from bridge import connect
with connect(backend="py4j", tracking_uri=uri) as mlflow:     # or backend="jpype"; a bridge.Mlflow
    exp_id = mlflow.experiments.get_or_create("wine")
    with mlflow.runs.start(exp_id, "train") as run:             # a bridge.jvm.ActiveRun
        run.log_params({"depth": 5})
        info = run.log_model(pyspark_model, "model")
    mlflow.registry.register(info.model_uri, "wine", alias="champion")
"""

from .errors import (
    AccessDeniedError,
    BadInputError,
    BridgeError,
    JarNotBuiltError,
    JavaNotFoundError,
    JvmError,
    NotFoundError,
    ServerUnreachableError,
)
from .jvm import Mlflow, connect
from .server import Tracking, TrackingServer, tracking

__all__ = [
    "connect",
    "Mlflow",
    "TrackingServer",
    "tracking",
    "Tracking",
    "BridgeError",
    "AccessDeniedError",
    "BadInputError",
    "JarNotBuiltError",
    "JavaNotFoundError",
    "JvmError",
    "NotFoundError",
    "ServerUnreachableError",
]
