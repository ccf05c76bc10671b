"""Java exceptions -> bridge exceptions, for both backends.

A Java exception arrives as a jpype JException or a py4j Py4JJavaError; callers see one of
bridge.errors with a one-line message instead. The Python type follows the Java class, our
BridgeException's kind, or the server's `error_code` and HTTP status: never message text.
"""

from __future__ import annotations

import json
from contextlib import contextmanager
from typing import Any, Iterator

from .. import errors

_KIND_TO_ERROR = {
    "NOT_FOUND": errors.NotFoundError,
    "BAD_INPUT": errors.BadInputError,
    "UNREACHABLE": errors.ServerUnreachableError,
    "ACCESS_DENIED": errors.AccessDeniedError,
}


# The tracking server's `error_code` (its JSON error body), then its HTTP status.
_CODE_TO_ERROR = {
    "RESOURCE_DOES_NOT_EXIST": errors.NotFoundError,
    "INVALID_PARAMETER_VALUE": errors.BadInputError,
    "PERMISSION_DENIED": errors.AccessDeniedError,
    "UNAUTHENTICATED": errors.AccessDeniedError,
}
_LABEL = {errors.NotFoundError: "not found", errors.BadInputError: "refused", errors.AccessDeniedError: "access denied"}
_STATUS_TO_ERROR = {404: errors.NotFoundError, 401: errors.AccessDeniedError, 403: errors.AccessDeniedError}


def error_of_kind(kind: str, message: str) -> errors.BridgeError:
    """The bridge error for a BridgeException kind (NOT_FOUND, BAD_INPUT, ...): JvmError for others."""
    return _KIND_TO_ERROR.get(kind, errors.JvmError)(message)


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
    return error_of_kind(str(t.kind()), str(t.getMessage() or "").strip())


def msg_of(t: Any) -> str:
    msg = str(t.getMessage() or "").strip().splitlines()
    return f"{t.getClass().getName()}: {msg[0] if msg else ''}"


def _http_error(t: Any, msg: str) -> errors.BridgeError:
    status = int(t.getStatusCode())
    body = str(t.getBodyMessage() or msg)
    try:
        parsed = json.loads(body)
    except ValueError:  # not MLflow's JSON (a proxy's page): the status alone decides
        parsed = None
    fields = parsed if isinstance(parsed, dict) else {}
    code, text = str(fields.get("error_code", "")), str(fields.get("message", body))
    error = _CODE_TO_ERROR.get(code) or _STATUS_TO_ERROR.get(status)
    if error is None:
        return errors.JvmError(f"tracking server answered HTTP {status}: {text}")
    return error(f"{_LABEL[error]} (HTTP {status}): {text}")


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
