"""mlflow-bridge: MLflow's Java client and SparkML models across Python and the JVM.

from bridge import connect
with connect(backend="jpype", tracking_uri=uri) as jvm:     # or backend="py4j"
    exp_id = jvm.get_or_create_experiment_id("wine")
    run = jvm.client.createRun(exp_id)
"""

from .errors import (
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
    "BadInputError",
    "JarNotBuiltError",
    "JavaNotFoundError",
    "JvmError",
    "NotFoundError",
    "ServerUnreachableError",
]
