"""P6 logBatch of 10,000 metrics into a fresh run, from a Python dict of name -> value.

Contenders: Python's `MlflowClient.log_batch` (it sends 1,000 metrics per request) and the JVM
(`bridge.jvm.ActiveRun.log_metrics`: the dict becomes a java.util.Map, then Scala's `ActiveRun.logMetrics` splits it
into 1,000-metric requests too) through JPype and through py4j. Building the request from the
dict is timed on every side: it is what a caller pays.
"""

from __future__ import annotations

import time
from typing import Any, Callable

from .context import BenchContext
from .core import Contender, RowResult, time_side_by_side, within

ID = "P6"
TITLE = "log a batch of 10,000 metrics"
METRICS = 10_000
PROFILE_NOTE = ""


def run(ctx: BenchContext, repeat: int) -> RowResult:
    from mlflow.entities import Metric

    row = RowResult(ID, TITLE, profile_note=PROFILE_NOTE)
    client = ctx.client()
    values = {f"m{i:05d}": float(i) for i in range(METRICS)}
    sessions = {backend: ctx.session(backend) for backend in ("jpype", "py4j")}

    def python_log(run_id: str) -> None:
        now = int(time.time() * 1000)
        client.log_batch(run_id, metrics=[Metric(k, v, now, 0) for k, v in values.items()])

    def new_run() -> str:
        return ctx.new_run(name="p6")

    def jvm_run(backend: str) -> Callable[[], Any]:
        return lambda: sessions[backend].runs.resume(new_run())

    def jvm_log(run: Any) -> None:
        run.log_metrics(values)

    contenders = [Contender("Python MlflowClient.log_batch", python_log, setup=new_run)]
    contenders += [Contender(f"JVM through {name}", jvm_log, setup=jvm_run(backend)) for backend, name in (("jpype", "JPype"), ("py4j", "py4j"))]

    case = f"{METRICS:,} metrics, one step"
    row.measurements += time_side_by_side(case, contenders, repeat, ctx.progress)
    row.targets.append(
        within(
            "JVM through JPype / Python client (time)", row.median(case, "JVM through JPype"), row.median(case, "Python MlflowClient.log_batch"), 1.5
        )
    )
    row.notes.append("one untimed call of each first; a fresh run per call")
    return row
