"""What one crossing into the JVM costs, per backend (`mlflow-bridge bench`, row P3).

The loops live here because only this package may touch the backends. Each times `calls` calls
of the static `java.lang.Math.abs(1)` and returns seconds per call; "bare" calls skip our error
translation, "wrapped" ones go through `jvm.java_class` as library code does.
"""

from __future__ import annotations

import time
from typing import Any, Literal

from ..errors import BadInputError

# How the class reference is found on each call:
# - "cached_method": the bound static kept in a variable (py4j: one round trip per call)
# - "cached_class":  the class kept (our ClassCache); py4j asks the JVM for the member on each call
# - "resolved":      py4j only: walk gateway.jvm.java.lang.Math on every call (a reflection
#                    round trip per package step)
# - "wrapped":       jvm.java_class(...) (a JavaProxy that translates Java errors)
Lookup = Literal["cached_method", "cached_class", "resolved", "wrapped"]


def static_call_seconds(session: Any, calls: int, lookup: Lookup) -> float:
    """Seconds per call of java.lang.Math.abs(1) through `session`'s backend."""
    if lookup == "wrapped":
        math = session.java_class("java.lang.Math")
        return _per_call(lambda: math.abs(1), calls)
    if lookup == "cached_class":
        cls = session._class("java.lang.Math")
        return _per_call(lambda: cls.abs(1), calls)
    if lookup == "cached_method":
        abs_ = session._class("java.lang.Math").abs
        return _per_call(lambda: abs_(1), calls)
    if lookup == "resolved":
        if session.backend != "py4j":
            raise BadInputError("re-resolving a class per call is a py4j cost; JPype resolves once (JClass)")
        jvm = session._pyspark.sparkContext._jvm
        return _per_call(lambda: jvm.java.lang.Math.abs(1), calls)
    raise BadInputError(f"unknown lookup {lookup!r}")


def _per_call(call: Any, calls: int) -> float:
    for _ in range(min(calls, 200)):  # warm the backend's method dispatch
        call()
    t0 = time.perf_counter()
    for _ in range(calls):
        call()
    return (time.perf_counter() - t0) / calls
