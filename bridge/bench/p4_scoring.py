"""P4 scoring 1,000,000 rows: `mlflow-bridge score` with each engine against plain Spark jobs.

Every contender is a child process started fresh (JVM start-up included), scoring the same
Parquet file (the wine features resampled with noise) with the same logged model (stock
`mlflow.spark.log_model`, a `models:/` URI on the suite's tracking server) into Parquet:
- `mlflow-bridge score --engine scala --backend jpype|py4j` and `--engine python`;
- the plain Python job (`plain_spark_job.py`: `mlflow.spark.load_model`, `transform`,
  `write.parquet`);
- the plain Scala job: `spark-submit --class mlflowbridge.cli.Main` (pyspark's) with our jars,
  running `score`: a JVM and no Python at all.

Memory is sampled by `children.run_child`: "python MB" is the peak RSS of the child process
itself (the Python process; for JPype it holds the JVM too), "tree MB" the peak of the child
and all its descendants together (Spark's JVM for py4j). Time targets compare each CLI engine
with the plain job of its own language; the memory target compares the CLI's Python process
with the plain Python job's.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path
from typing import Any

from . import wine
from .children import run_child
from .context import BenchContext
from .core import Contender, RowResult, time_side_by_side, within

ID = "P4"
TITLE = "score 1,000,000 rows"
ROWS = 1_000_000
REPEAT = 1  # each contender is a fresh process scoring 1M rows: 30-90 s
PROFILE_NOTE = "pyinstrument (CLI, python engine, 1M rows, after the streaming rewrite): 20.7 s = Spark start 5.5 s + mlflow import and load_model 6.6 s + Spark's read/transform/write job 7.7 s + our checks 0.3 s; the rest was the CLI's own (a pandas import 0.9 s, the stderr filter waiting 1 s on py4j's pipe), both removed since; JFR: JVM samples are Spark's own (catalyst/codegen, Parquet write, MLlib); the JPype memory figure is the in-process JVM's heap, by design (its Python process is the JVM)"

PLAIN_PYTHON = "plain Python Spark job"
PLAIN_SCALA = "plain Scala job (spark-submit)"
ENGINES = {  # contender -> (CLI arguments, plain job it is held to)
    "score --engine scala --backend jpype": (["--engine", "scala", "--backend", "jpype"], PLAIN_SCALA),
    "score --engine scala --backend py4j": (["--engine", "scala", "--backend", "py4j"], PLAIN_SCALA),
    "score --engine python": (["--engine", "python"], PLAIN_PYTHON),
}


def cli() -> str:
    """The `mlflow-bridge` beside this interpreter (the venv's)."""
    found = Path(sys.executable).with_name("mlflow-bridge")
    return str(found) if found.exists() else "mlflow-bridge"


def child_env(tracking_uri: str | None) -> dict[str, str]:
    """The suite's environment, with the venv first on PATH and the tracking URI given or removed."""
    env = {k: v for k, v in os.environ.items() if k != "MLFLOW_TRACKING_URI"}
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    if tracking_uri:
        env["MLFLOW_TRACKING_URI"] = tracking_uri
    return env


def spark_submit_command(args: list[str]) -> list[str]:
    """pyspark's spark-submit running `mlflowbridge.cli.Main <args>` with our jars."""
    import pyspark

    from ..classpath import bridge_jars

    ours = [j for j in bridge_jars() if Path(j).name.startswith("mlflow-bridge_")]
    others = [j for j in bridge_jars() if j not in ours]
    submit = Path(pyspark.__file__).parent / "bin" / "spark-submit"
    return [str(submit), "--master", "local[2]", "--class", "mlflowbridge.cli.Main", "--jars", ",".join(others), ours[0], *args]


def run(ctx: BenchContext, repeat: int) -> RowResult:
    row = RowResult(ID, TITLE, profile_note=PROFILE_NOTE)
    model_uri = wine.logged_model_uri(ctx)
    src = wine.scoring_input(ctx, ROWS)
    env = child_env(ctx.tracking_uri())
    plain_job = Path(__file__).with_name("plain_spark_job.py")

    def scored(name: str, cmd_of: Any) -> Contender:
        def go(dst: Path) -> dict[str, Any]:
            r = run_child(cmd_of(dst / "out.parquet"), env=env, cwd=dst)
            if name == PLAIN_SCALA:  # spark-submit execs the JVM: there is no Python process
                return {"tree MB": round(r.peak_tree_rss_mb)}
            return {"python MB": round(r.peak_rss_mb), "tree MB": round(r.peak_tree_rss_mb)}

        return Contender(
            name, go, setup=lambda: ctx.tmp("p4-out-"), teardown=lambda d: shutil.rmtree(d, ignore_errors=True), repeat=REPEAT, warm=False
        )

    def score_args(out: Path) -> list[str]:
        return ["score", "--model-uri", model_uri, "--input", str(src), "--output", str(out)]

    contenders = [scored(name, lambda out, a=args: [cli(), *score_args(out), *a]) for name, (args, _) in ENGINES.items()]
    contenders.append(scored(PLAIN_PYTHON, lambda out: [sys.executable, str(plain_job), model_uri, str(src), str(out)]))
    contenders.append(scored(PLAIN_SCALA, lambda out: spark_submit_command(score_args(out))))

    case = f"{ROWS:,} rows, Parquet to Parquet"
    row.measurements += time_side_by_side(case, contenders, repeat, ctx.progress)
    plain_py_mb = _median_extra(row, case, PLAIN_PYTHON, "python MB")
    for name, (_, plain) in ENGINES.items():
        row.targets.append(within(f"{name}: time / {plain}", row.median(case, name), row.median(case, plain), 1.1))
        row.targets.append(
            within(f"{name}: Python process peak memory / plain Python job's", _median_extra(row, case, name, "python MB"), plain_py_mb, 1.5)
        )
    row.notes.append(
        f"{min(repeat, REPEAT)} run per contender (each a fresh process: JVM and Spark start-up included); memory sampled every 50 ms with psutil: "
        "python MB = the child process itself (JPype: with its in-process JVM), tree MB = with its descendants (py4j: pyspark's JVM)"
    )
    return row


def _median_extra(row: RowResult, case: str, contender: str, key: str) -> float:
    import statistics

    for m in row.measurements:
        if m.case == case and m.contender == contender:
            return float(statistics.median(m.extra[key]))
    raise KeyError(contender)
