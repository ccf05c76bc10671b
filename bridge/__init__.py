"""mlflow-bridge: MLflow's Java client and SparkML models across Python and the JVM.

from bridge import connect
with connect(backend="py4j", tracking_uri=uri) as jvm:     # or backend="jpype"
    exp_id = jvm.experiments.get_or_create("wine")
    with jvm.runs.start(exp_id, "train") as run:
        run.log_params({"depth": 5})
        info = run.log_model(pyspark_model, "model")
    jvm.registry.register(info.model_uri, "wine", alias="champion")
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
from .jvm import JvmSession, connect
from .server import Tracking, TrackingServer, tracking

__all__ = [
    "connect",
    "JvmSession",
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
