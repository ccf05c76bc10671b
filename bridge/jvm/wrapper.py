"""The base of every member: one Java object, called by name through `translating()` (after
pyspark's `JavaWrapper`), so errors arrive as bridge errors."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from . import convert
from .translate import translating

if TYPE_CHECKING:
    from .session import Mlflow
    from .transport import Transport


class JvmObject:
    """Holds one Java object; subclasses stay a few lines per method."""

    def __init__(self, session: Mlflow, java: Any):
        self._session = session
        self._java = java

    @property
    def _t(self) -> Transport:
        return self._session.transport

    def _call(self, method: str, *args: Any) -> Any:
        with translating():
            return getattr(self._java, method)(*args)

    def _entity(self, message: Any, pb_class: type, cls: Any) -> Any:
        """A stock-client protobuf result as MLflow's own Python entity (same JSON, same proto schema)."""
        with translating():
            text = self._t.java_class("mlflowbridge.rest.Protos").json(message)
        return convert.entity(text, pb_class, cls)
