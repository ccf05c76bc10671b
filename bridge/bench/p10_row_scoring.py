"""P10 score one row in the JVM: `models.row_scorer` against the floor, the model's own predictor.

The wine classifier (StringIndexer on the label, VectorAssembler of 13 columns, logistic
regression), loaded once with `models.row_scorer` in the JPype JVM. The timing loops run inside
the JVM (`mlflowbridge.bench.RowLatency`), so no Python call is timed: each call of
`RowScorer.predict(row)` (a Row of the 13 features in, the prediction out), and the floor,
`LogisticRegressionModel.predict(Vector)` on that row's features assembled beforehand.
"""

from __future__ import annotations

import statistics

from . import wine
from .context import BenchContext
from .core import Measurement, RowResult, Target

ID = "P10"
TITLE = "score one row in the JVM (no Spark job, no HTTP)"
CALLS, WARM = 20_000, 20_000
PROFILE_NOTE = (
    "not profiled yet: the floor is one 13x3 dot product on the same Vector every call; the row path also "
    "turns the Row into Spark's internal row and back and runs, through generated code, VectorAssembler's UDF "
    "(a Row of the inputs, a new vector) and the predictor's UDFs: within the 20 µs goal and MLeap's published "
    "6-7 µs, far from 3x that floor"
)

OURS = "ours: models.row_scorer(uri).predict(row)"
FLOOR = "floor: the last stage's predict(Vector), features assembled beforehand"


def run(ctx: BenchContext, repeat: int) -> RowResult:
    row = RowResult(ID, TITLE, profile_note=PROFILE_NOTE)
    session = ctx.session("jpype")
    uri = wine.logged_model_uri(ctx)
    scorer = session.models.row_scorer(uri)
    src = ctx.tmp("p10-") / "row.parquet"
    wine.wine_frame().drop(columns=["label"]).head(1).to_parquet(src, index=False)
    jrow = session.spark().read().parquet(str(src)).collectAsList().get(0)
    timer = session.transport.java_class("mlflowbridge.bench.RowLatency")
    jscorer, jmodel = scorer._java, scorer._java.model()
    case = "1 row, p50 of each call"
    timers = {OURS: lambda n: timer.scorer(jscorer, jrow, n), FLOOR: lambda n: timer.predictor(jmodel, jrow, n)}
    for time_calls in timers.values():
        time_calls(WARM)  # the JIT compiles both before any is timed
    samples: dict[str, list[float]] = {name: [] for name in timers}
    for i in range(repeat):  # interleaved
        for name, time_calls in timers.items():
            ns = list(time_calls(CALLS))
            samples[name].append(statistics.median(ns) / 1000)
            ctx.progress(f"{name} #{i + 1}: p50 {samples[name][-1]:.2f} us, p99 {sorted(ns)[int(0.99 * (len(ns) - 1))] / 1000:.2f} us")
    for name in timers:
        row.measurements.append(Measurement(case, name, samples[name], unit="us", extra={"calls per repeat": CALLS}))
    ours, floor = row.median(case, OURS), row.median(case, FLOOR)
    row.targets.append(Target("p50: row scorer / predictor floor", ours / floor, "<=", 3.0))
    row.targets.append(Target("p50: row scorer", ours, "<=", 20.0, unit="us"))
    row.notes.append(f"{CALLS:,} timed calls per repeat after {WARM:,} untimed ones each; System.nanoTime around each call, in the JVM")
    return row
