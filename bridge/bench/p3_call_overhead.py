"""P3 per-call overhead: the static `java.lang.Math.abs(1)` through JPype and through py4j.

Each repeat times many calls in a tight loop and reports microseconds per call. py4j is timed
three ways: the method kept in a variable, the class kept (what the session's transport keeps;
py4j then asks the JVM for the member on each call), and `gateway.jvm.java.lang.Math` walked on
every call (pyspark's own gateway). "wrapped" adds our error translation (`Mlflow.java_class`),
which every call of library code pays.
"""

from __future__ import annotations

import time
from typing import Any, Callable, Literal

from ..errors import BadInputError
from .context import BenchContext
from .core import Measurement, RowResult, Target

ID = "P3"
TITLE = "per-call overhead of a no-op static method"
JPYPE_CALLS = 20_000
PY4J_CALLS = 2_000
PROFILE_NOTE = "not profiled: py4j's cost is its protocol, a socket round trip to pyspark's JVM per call (two with the class cached: py4j asks for the member first); on this loaded 2-core machine the round trip alone nears 100 µs"

CONTENDERS = [  # (name, backend, lookup, calls)
    ("JPype, class cached", "jpype", "cached_class", JPYPE_CALLS),
    ("JPype, wrapped (jvm.java_class)", "jpype", "wrapped", JPYPE_CALLS),
    ("py4j, method cached", "py4j", "cached_method", PY4J_CALLS),
    ("py4j, class cached", "py4j", "cached_class", PY4J_CALLS),
    ("py4j, wrapped (jvm.java_class)", "py4j", "wrapped", PY4J_CALLS),
    ("py4j, re-resolved each call", "py4j", "resolved", PY4J_CALLS // 4),
]


def run(ctx: BenchContext, repeat: int) -> RowResult:
    row = RowResult(ID, TITLE, profile_note=PROFILE_NOTE)
    case = "java.lang.Math.abs(1)"
    samples: dict[str, list[float]] = {name: [] for name, *_ in CONTENDERS}
    sessions = {backend: ctx.session(backend) for backend in ("jpype", "py4j")}
    for i in range(repeat):  # interleaved, as every row
        for name, backend, lookup, calls in CONTENDERS:
            us = static_call_seconds(ctx, sessions[backend], calls, lookup) * 1e6  # type: ignore[arg-type]
            samples[name].append(us)
            ctx.progress(f"{case}: {name} #{i + 1}: {us:.2f} us/call over {calls:,} calls")
    for name, _, _, calls in CONTENDERS:
        row.measurements.append(Measurement(case, name, samples[name], unit="us", extra={"calls per repeat": calls}))
    jpype_us = row.median(case, "JPype, class cached")
    py4j_us = min(row.median(case, "py4j, method cached"), row.median(case, "py4j, class cached"))
    row.targets.append(Target("JPype, class cached: per call", jpype_us, "<=", 2.0, unit="us"))
    row.targets.append(Target("py4j, cached reference (the faster of method/class kept): per call", py4j_us, "<=", 100.0, unit="us"))
    row.notes.append(f"{JPYPE_CALLS:,} calls per repeat on JPype, {PY4J_CALLS:,} on py4j ({PY4J_CALLS // 4:,} re-resolved); after 200 warm-up calls")
    return row


# How the class reference is found on each call:
# - "cached_method": the bound static kept in a variable (py4j: one round trip per call)
# - "cached_class":  the class kept (the transport's cache); py4j asks the JVM for the member on each call
# - "resolved":      py4j only: walk gateway.jvm.java.lang.Math on every call (a reflection
#                    round trip per package step)
# - "wrapped":       session.java_class(...) (a JavaProxy that translates Java errors)
Lookup = Literal["cached_method", "cached_class", "resolved", "wrapped"]


def static_call_seconds(ctx: BenchContext, session: Any, calls: int, lookup: Lookup) -> float:
    """Seconds per call of java.lang.Math.abs(1) through `session` (a bridge.Mlflow)."""
    if lookup == "wrapped":
        math = session.java_class("java.lang.Math")
        return _per_call(lambda: math.abs(1), calls)
    if lookup == "cached_class":
        cls = session.transport.java_class("java.lang.Math")
        return _per_call(lambda: cls.abs(1), calls)
    if lookup == "cached_method":
        abs_ = session.transport.java_class("java.lang.Math").abs
        return _per_call(lambda: abs_(1), calls)
    if lookup == "resolved":
        if session.backend != "py4j":
            raise BadInputError("re-resolving a class per call is a py4j cost; JPype resolves once (JClass)")
        gateway = ctx.spark().sparkContext._jvm
        return _per_call(lambda: gateway.java.lang.Math.abs(1), calls)
    raise BadInputError(f"unknown lookup {lookup!r}")


def _per_call(call: Callable[[], Any], calls: int) -> float:
    for _ in range(min(calls, 200)):  # warm the backend's method dispatch
        call()
    t0 = time.perf_counter()
    for _ in range(calls):
        call()
    return (time.perf_counter() - t0) / calls
