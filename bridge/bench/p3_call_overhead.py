"""P3 per-call overhead: the static `java.lang.Math.abs(1)` through JPype and through py4j.

Each repeat times many calls in a tight loop and reports microseconds per call. py4j is timed
against its own floor, measured in the same row: a command the JVM answers without running any
method (deleting an object id that does not exist: one socket round trip through py4j's client
and the JVM's command loop), and a bare py4j call with the bound method kept in a variable.
Ours: the class as the session's transport keeps it (static members looked up once), and
"wrapped", which adds our error translation (`Mlflow.java_class`), what library code pays. And
`gateway.jvm.java.lang.Math` walked on every call (pyspark's own gateway, a reflection round trip
per package step).
"""

from __future__ import annotations

import time
from typing import Any, Callable, Literal

from ..errors import BadInputError
from .context import BenchContext
from .core import Measurement, RowResult, Target, within

ID = "P3"
TITLE = "per-call overhead of a no-op static method"
JPYPE_CALLS = 20_000
PY4J_CALLS = 2_000
PROFILE_NOTE = (
    "cProfile and the floor contenders: py4j's cost is its protocol, one socket round trip to pyspark's JVM per call "
    "(cProfile of 2,000 calls: sendall ~20 µs a call, py4j's argument conversion ~30 µs with pyspark's converter checks); py4j's JavaClass asked the JVM for the member "
    "on every call, a second round trip (199 µs with the class cached, 2026-11-29): our transport now looks static members up once"
)
FLOOR = "py4j floor: no-op command (no method run)"
BARE = "py4j floor: bare call, method kept"
OURS = "py4j, ours: transport's class"

CONTENDERS = [  # (name, backend, lookup, calls)
    ("JPype, class cached", "jpype", "cached_class", JPYPE_CALLS),
    ("JPype, wrapped (jvm.java_class)", "jpype", "wrapped", JPYPE_CALLS),
    (FLOOR, "py4j", "noop_command", PY4J_CALLS),
    (BARE, "py4j", "cached_method", PY4J_CALLS),
    (OURS, "py4j", "cached_class", PY4J_CALLS),
    ("py4j, ours wrapped (jvm.java_class)", "py4j", "wrapped", PY4J_CALLS),
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
    row.targets.append(Target("JPype, class cached: per call", jpype_us, "<=", 2.0, unit="us"))
    row.targets.append(Target(f"{OURS}: per call", row.median(case, OURS), "<=", 100.0, unit="us"))
    row.targets.append(within(f"{OURS} / {FLOOR} (time)", row.median(case, OURS), row.median(case, FLOOR), 1.1))
    row.targets.append(within(f"{OURS} / {BARE} (time)", row.median(case, OURS), row.median(case, BARE), 1.1))
    row.notes.append(f"{JPYPE_CALLS:,} calls per repeat on JPype, {PY4J_CALLS:,} on py4j ({PY4J_CALLS // 4:,} re-resolved); after 200 warm-up calls")
    return row


# How the class reference is found on each call:
# - "cached_method": the bound static kept in a variable (py4j: one round trip per call)
# - "cached_class":  the class kept (the transport's cache, static members looked up once)
# - "noop_command": py4j only: a command the JVM answers without running a method (the floor)
# - "resolved":      py4j only: walk gateway.jvm.java.lang.Math on every call (a reflection
#                    round trip per package step)
# - "wrapped":       session.java_class(...) (a JavaProxy that translates Java errors)
Lookup = Literal["cached_method", "cached_class", "noop_command", "resolved", "wrapped"]


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
    if lookup == "noop_command":
        if session.backend != "py4j":
            raise BadInputError("the no-op command is py4j's protocol floor; JPype has no protocol")
        client = ctx.spark().sparkContext._gateway._gateway_client
        command = "m\nd\nmlflow-bridge-no-such-object\ne\n"  # py4j's "forget object <id>", for an id never made
        return _per_call(lambda: client.send_command(command), calls)
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
