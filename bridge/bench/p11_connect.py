"""P11 Spark Connect: the wine classifier logged and loaded over Connect against the same through
py4j, and 1,000,000 rows scored over Connect against the plain Connect job.

The Connect side is a client process with no JVM (bridge/bench/connect_job.py) against one
`mlflow-bridge connect-server` (local[2], on this machine: its paths are ours). Log + load: ours
over Connect (`ConnectMlflow.models.log` of a pipeline fitted over Connect, then `models.load`)
against `jvm.models.log` + `jvm.models.load` through py4j, each after one untimed call. Scoring:
the stock-logged wine model (P4's) on P4's input, Parquet to Parquet, round by round: ours
(`models.load(uri).transform`), the plain Connect job (`PipelineModel.load` of the model's
`sparkml` folder, the same transform and write) and the Scala engine on the server (`score_file`).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

from . import connect_job, wine
from .context import BenchContext
from .core import Contender, Measurement, RowResult, time_side_by_side, within

ID = "P11"
TITLE = "Spark Connect: log + load, score 1,000,000 rows"
ROWS = 1_000_000
SCORE_REPEAT = 2  # each a 1M-row job
PY4J = "through py4j (jvm.models.log + jvm.models.load)"
PROFILE_NOTE = "not profiled yet: one run of each on a machine shared with other jobs (load average 13-30); ours over Connect adds a server-side download and a fetch call per load, which 1M-row scoring should amortise"


def run(ctx: BenchContext, repeat: int) -> RowResult:
    row = RowResult(ID, TITLE, profile_note=PROFILE_NOTE)
    url = ctx.connect_url()
    jvm = ctx.session("py4j")
    model = wine.fitted_pipeline(ctx)
    model_uri = wine.logged_model_uri(ctx)
    sparkml = wine.local_model_folder(ctx) / "sparkml"
    src = wine.scoring_input(ctx, ROWS)

    log_load = "wine classifier (3 stages): log + load"
    py4j = Contender(PY4J, lambda run_id: jvm.models.load(jvm.models.log(run_id, model, "model").model_uri), setup=lambda: ctx.new_run(name="p11"))
    row.measurements += time_side_by_side(log_load, [py4j], repeat, ctx.progress)

    score_repeat = min(repeat, SCORE_REPEAT)
    spec = {
        "connect_url": url,
        "tracking_uri": ctx.tracking_uri(),
        "experiment_id": ctx.experiment_id(),
        "repeat": repeat,
        "score_repeat": score_repeat,
        "model_uri": model_uri,
        "sparkml": str(sparkml),
        "input": str(src),
        "out_dir": str(ctx.tmp("p11-out-")),
    }
    env = {k: v for k, v in os.environ.items() if not k.startswith(("JAVA", "SPARK", "PYSPARK"))}
    env["PATH"] = os.path.dirname(sys.executable)  # no java: a Connect-only client
    ctx.progress("the Connect client: fitting over Connect, then timing")
    r = subprocess.run([sys.executable, "-m", "bridge.bench.connect_job", json.dumps(spec)], env=env, capture_output=True, text=True, timeout=3600)
    lines = [line for line in r.stdout.splitlines() if line.startswith("BENCH-CONNECT ")]
    if r.returncode != 0 or not lines:
        raise RuntimeError(f"the Connect client exited {r.returncode}: {r.stderr[-2000:]}")
    samples = json.loads(lines[-1][len("BENCH-CONNECT ") :])
    row.measurements.append(Measurement(log_load, connect_job.LOG_LOAD, samples[connect_job.LOG_LOAD]))
    score = f"{ROWS:,} rows, Parquet to Parquet, over Connect"
    for name in (connect_job.OURS, connect_job.PLAIN, connect_job.SCALA):
        row.measurements.append(Measurement(score, name, samples[name]))

    row.targets.append(
        within("log + load: over Connect / through py4j (time)", row.median(log_load, connect_job.LOG_LOAD), row.median(log_load, PY4J), 1.5)
    )
    row.targets.append(
        within("score: ours over Connect / plain Connect job (time)", row.median(score, connect_job.OURS), row.median(score, connect_job.PLAIN), 1.1)
    )
    row.notes.append(
        f"log + load: {repeat} runs each after one untimed call, py4j's in this process, Connect's in a client process with no JVM "
        f"(not interleaved); scoring: {score_repeat} rounds, the three contenders in turn, on one Connect server (local[2])"
    )
    return row
