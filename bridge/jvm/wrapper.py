"""The one crossing into the JVM: every call on a Java object goes through `JvmObject` (after
pyspark's `JavaWrapper`), so errors arrive as bridge errors and results as Python types."""

from __future__ import annotations

from typing import Any

from .translate import translating


class JvmObject:
    """Holds one Java object; subclasses stay a few lines per method."""

    def __init__(self, session: Any, java: Any):
        self._session = session
        self._java = java

    def _call(self, method: str, *args: Any) -> Any:
        with translating():
            return getattr(self._java, method)(*args)

    def _map(self, d: dict[str, Any] | None) -> Any:
        """A java.util.HashMap of `d` (None stays null)."""
        if d is None:
            return None
        m = self._session._class("java.util.HashMap")()
        for k, v in d.items():
            m.put(str(k), v)
        return m

    def _doubles(self, d: dict[str, float]) -> Any:
        m = self._session._class("java.util.HashMap")()
        for k, v in d.items():
            m.put(str(k), self._session._class("java.lang.Double")(float(v)))
        return m


def proto_entity(session: Any, message: Any, pb_class: type, entity: Any) -> Any:
    """A stock-client protobuf result as MLflow's own Python entity (same JSON, same proto schema)."""
    from google.protobuf.json_format import Parse

    with translating():
        text = str(session._class("mlflowbridge.rest.Protos").json(message))
    return entity.from_proto(Parse(text, pb_class(), ignore_unknown_fields=True))
