"""`mlflow.tracing`: mlflowbridge's Tracing member. Spans made on the JVM become MLflow traces."""

from __future__ import annotations

import contextlib
import contextvars
import json
from collections.abc import Iterator
from typing import Any

from .wrapper import JvmObject

# The span whose `with` block we are in (per thread and asyncio task): the parent of the next one.
_OPEN: contextvars.ContextVar[Span | None] = contextvars.ContextVar("bridge_open_span", default=None)


class Tracing(JvmObject):
    def tracer(self, experiment_id: str, run_id: str | None = None) -> "Tracer":
        """Spans become traces of `experiment_id`, linked to run `run_id` when given."""
        return Tracer(self._session, self._call("tracer", str(experiment_id), run_id))

    def flush(self) -> None:
        """Sends every ended span now (closing the session does too)."""
        self._call("flush")


class Tracer(JvmObject):
    """One experiment's (and run's) `ExperimentTracer`. `with tracer.span("name") as span:` nests:
    a span opened inside another one's block is its child."""

    @contextlib.contextmanager
    def span(self, name: str, attributes: dict[str, Any] | None = None) -> Iterator["Span"]:
        """A span for the block: ended on exit; ERROR, with an `exception` event, when the block raises (re-raised)."""
        parent = _OPEN.get()
        span = Span(self._session, self._call("start", name, None if parent is None else parent._java))
        token = _OPEN.set(span)
        try:
            if attributes:
                span.set_attributes(attributes)
            yield span
        except BaseException as e:
            span._call("fail", type(e).__name__, str(e))
            raise
        finally:
            _OPEN.reset(token)
            span._call("end")

    def flush(self) -> None:
        self._call("flush")


class Span(JvmObject):
    @property
    def trace_id(self) -> str:
        """MLflow's trace id (`tr-<OpenTelemetry trace id>`), as `mlflow.search_traces` shows it."""
        return str(self._call("traceId"))

    @property
    def span_id(self) -> str:
        return str(self._call("spanId"))

    def set_attributes(self, attributes: dict[str, Any]) -> None:
        """Text, numbers, booleans and lists of one of those keep their type; others become JSON text."""
        self._call("setAttributes", json.dumps(attributes, default=str))

    def add_event(self, name: str) -> None:
        self._call("addEvent", name)
