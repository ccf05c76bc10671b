"""Calls to the bridge's plugin on a Spark Connect server (`mlflowbridge.connect.MlflowRelationPlugin`).

A call is a relation of the plugin's own type: a `protobuf.Any` (type URL `TYPE_URL`) whose value
is a two-field message written here by hand (no generated code): field 1 the request as JSON,
field 2 (repeated) the relations of the DataFrames it takes. The server answers with one row,
one column `result`: `{"ok": {...}}` or `{"error": {"kind", "message"}}`. Each call carries a
fresh nonce, so no plan cache on the server can answer it from an earlier call.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from ..errors import AccessDeniedError, BadInputError, BridgeError, NotFoundError, ServerUnreachableError

TYPE_URL = "type.googleapis.com/mlflowbridge.connect.Call"
PLUGIN_CLASS = "mlflowbridge.connect.MlflowRelationPlugin"
PLUGIN_CONF = "spark.connect.extensions.relation.classes"
# Session conf keys that hold a client's credentials: <prefix><client id>.<MLFLOW_TRACKING_* name>.
CREDENTIALS_PREFIX = "mlflowbridge.credentials."

_ERRORS: dict[str, type[BridgeError]] = {
    "NOT_FOUND": NotFoundError,
    "BAD_INPUT": BadInputError,
    "UNREACHABLE": ServerUnreachableError,
    "ACCESS_DENIED": AccessDeniedError,
    "PERMISSION_DENIED": AccessDeniedError,
    "UNAUTHENTICATED": AccessDeniedError,
}


def _varint(n: int) -> bytes:
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        out.append(b | (0x80 if n else 0))
        if not n:
            return bytes(out)


def _field(number: int, data: bytes) -> bytes:
    """A length-delimited protobuf field."""
    return _varint(number << 3 | 2) + _varint(len(data)) + data


def encode(request: dict[str, Any], relations: list[bytes]) -> bytes:
    return _field(1, json.dumps(request).encode()) + b"".join(_field(2, r) for r in relations)


def _plan_class() -> type:
    from pyspark.sql.connect import proto
    from pyspark.sql.connect.plan import LogicalPlan

    class CallPlan(LogicalPlan):
        def __init__(self, payload: bytes, frames: list[Any]) -> None:
            super().__init__(None)
            self._payload, self._frames = payload, frames

        def plan(self, session: Any) -> proto.Relation:
            rel = self._create_proto_relation()
            rel.extension.type_url = TYPE_URL
            rel.extension.value = self._payload + b"".join(_field(2, f._plan.plan(session).SerializeToString()) for f in self._frames)
            return rel

    return CallPlan


def call(
    spark: Any, op: str, args: dict[str, Any] | None = None, tracking: dict[str, Any] | None = None, frames: list[Any] | None = None
) -> dict[str, Any]:
    """Run `op` on the server; its answer, or the bridge error it names (one line)."""
    from pyspark.errors import PySparkException
    from pyspark.sql.connect.dataframe import DataFrame

    request = {"op": op, "args": args or {}, "tracking": tracking or {}, "nonce": uuid.uuid4().hex}
    df = DataFrame(_plan_class()(encode(request, []), list(frames or [])), spark)
    try:
        rows = df.collect()
    except PySparkException as e:
        raise _connect_error(spark, e) from None
    answer = json.loads(rows[0][0])
    if "error" in answer:
        err = answer["error"]
        raise _ERRORS.get(err["kind"], BridgeError)(err["message"])
    return answer["ok"]


def _connect_error(spark: Any, e: Exception) -> BridgeError:
    text = str(e)
    first = text.strip().splitlines()[0] if text.strip() else type(e).__name__
    if "No handler found for extension" in text or "NO_HANDLER_FOR_EXTENSION" in text:
        return BadInputError(
            f"the Spark Connect server {_address(spark)} has no mlflow-bridge plugin: start it with --conf {PLUGIN_CONF}={PLUGIN_CLASS} "
            "and the bridge jars on its driver classpath (mlflow-bridge connect-server does both)"
        )
    if PLUGIN_CLASS in text and "ClassNotFound" in text:
        return BadInputError(f"the Spark Connect server {_address(spark)} names the plugin but lacks the bridge jars on its driver classpath")
    if "UNAVAILABLE" in text or "failed to connect" in text.lower() or "connection refused" in text.lower():
        return ServerUnreachableError(f"Spark Connect server {_address(spark)} does not answer: {first}")
    return BridgeError(f"Spark Connect call failed: {first}")


def _address(spark: Any) -> str:
    try:
        conn = spark.client._builder
        return f"sc://{conn.host}:{conn.port}"
    except AttributeError:
        return "(unknown)"
