"""Java exceptions -> bridge exceptions, for both backends.

A Java exception arrives as a jpype JException or a py4j Py4JJavaError; callers see one of
bridge.errors with a one-line message instead.
"""

from __future__ import annotations

import re
from contextlib import contextmanager
from typing import Any, Iterator

from .. import errors

_KIND_TO_ERROR = {
    "NOT_FOUND": errors.NotFoundError,
    "BAD_INPUT": errors.BadInputError,
    "UNREACHABLE": errors.ServerUnreachableError,
    "ACCESS_DENIED": errors.AccessDeniedError,
}


def java_exception(exc: BaseException) -> Any | None:
    """The Java Throwable behind `exc`, or None when it is not a Java exception."""
    try:
        from py4j.protocol import Py4JJavaError

        if isinstance(exc, Py4JJavaError):
            return exc.java_exception
    except ImportError:
        pass
    origin = getattr(exc, "_origin", None)  # pyspark's CapturedException keeps the Java one
    if origin is not None and hasattr(origin, "getClass"):
        return origin
    try:
        import jpype

        if isinstance(exc, jpype.JException):
            return exc
    except ImportError:
        pass
    return None


def _root_causes(throwable: Any) -> list[Any]:
    chain, seen = [], 0
    while throwable is not None and seen < 10:
        chain.append(throwable)
        throwable = throwable.getCause()
        seen += 1
    return chain


def to_bridge_error(exc: BaseException) -> errors.BridgeError | None:
    """A bridge error for a Java exception, None for anything else."""
    jexc = java_exception(exc)
    if jexc is None:
        return None
    for t in _root_causes(jexc):
        cls = str(t.getClass().getName())
        msg = str(t.getMessage() or "").strip()
        if cls == "mlflowbridge.BridgeException":
            return bridge_error_of(t)
        if cls.endswith("MlflowHttpException"):
            return _http_error(t, msg)
        if "HttpHostConnectException" in cls or cls == "java.net.ConnectException":
            return errors.ServerUnreachableError(f"tracking server is unreachable: {msg}")
    first = msg_of(jexc)
    return errors.JvmError(first)


def bridge_error_of(t: Any) -> errors.BridgeError:
    """The bridge error for a Java mlflowbridge.BridgeException object (thrown or returned)."""
    return _KIND_TO_ERROR.get(str(t.kind()), errors.JvmError)(str(t.getMessage() or "").strip())


def msg_of(t: Any) -> str:
    msg = str(t.getMessage() or "").strip().splitlines()
    return f"{t.getClass().getName()}: {msg[0] if msg else ''}"


def _http_error(t: Any, msg: str) -> errors.BridgeError:
    status = int(t.getStatusCode())
    body = str(t.getBodyMessage() or msg)
    m = re.search(r'"message":\s*"([^"]*)"', body)
    text = m.group(1) if m else body
    if status == 404 or "RESOURCE_DOES_NOT_EXIST" in body:
        return errors.NotFoundError(f"not found (HTTP {status}): {text}")
    if status == 400 and "INVALID_PARAMETER_VALUE" in body and "not found" in body.lower():
        return errors.NotFoundError(f"not found (HTTP {status}): {text}")
    return errors.JvmError(f"tracking server answered HTTP {status}: {text}")


@contextmanager
def translating() -> Iterator[None]:
    try:
        yield
    except errors.BridgeError:
        raise
    except Exception as exc:
        err = to_bridge_error(exc)
        if err is None:
            raise
        raise err from None


class JavaProxy:
    """Wraps a Java object so its methods raise bridge errors; results come back unwrapped."""

    __slots__ = ("_obj",)

    def __init__(self, obj: Any):
        self._obj = obj

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self._obj, name)
        if not callable(attr):
            return attr

        def call(*args: Any) -> Any:
            with translating():
                return attr(*args)

        call.__name__ = name
        return call

    def __call__(self, *args: Any) -> Any:
        with translating():
            return self._obj(*args)

    def __repr__(self) -> str:
        return f"JavaProxy({self._obj!r})"
