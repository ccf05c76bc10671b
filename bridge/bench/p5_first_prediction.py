"""P5 first prediction: 10 rows from a CSV with a LOCAL model folder, each a fresh process.

`mlflow-bridge score` with each engine against stock `mlflow models predict --env-manager
local`, with no MLFLOW_TRACKING_URI in the environment, the venv first on PATH, a fresh
working folder per call. Whether a tracking server was started is read from the child's
process tree while it runs (any descendant whose command line is an `mlflow server` or
uvicorn, sampled every 50 ms).
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from . import wine
from .children import run_child
from .context import BenchContext
from .core import Contender, RowResult, time_side_by_side, within
from .p4_scoring import child_env, cli

ID = "P5"
TITLE = "first prediction on 10 rows (local model folder)"
ROWS = 10
REPEAT = 2  # fresh processes, 10-40 s each
PROFILE_NOTE = "a local model starts no tracking server now (it did: 10-17 s); pyinstrument of the python engine on 1M rows (P4) shows what is left for 10 rows too: Spark start ~5.5 s, mlflow import and load_model ~6.6 s, Python and JVM start; the checks before any JVM take under 1 s, so a bad line costs that, not Spark's start"

STOCK = "stock: mlflow models predict"
ENGINES = {
    "score --engine scala --backend jpype": ["--engine", "scala", "--backend", "jpype"],
    "score --engine scala --backend py4j": ["--engine", "scala", "--backend", "py4j"],
    "score --engine python": ["--engine", "python"],
}


def run(ctx: BenchContext, repeat: int) -> RowResult:
    row = RowResult(ID, TITLE, profile_note=PROFILE_NOTE)
    folder = wine.local_model_folder(ctx)
    src = wine.scoring_input(ctx, ROWS, fmt="csv")
    env = child_env(None)  # a local model needs no tracking server

    def child(name: str, cmd_of: Any) -> Contender:
        def go(cwd: Path) -> dict[str, Any]:
            r = run_child(cmd_of(cwd), env=env, cwd=cwd)
            return {"tracking server started": r.tracking_server_started}

        return Contender(
            name, go, setup=lambda: ctx.tmp("p5-cwd-"), teardown=lambda d: shutil.rmtree(d, ignore_errors=True), repeat=REPEAT, warm=False
        )

    contenders = [
        child(name, lambda cwd, a=args: [cli(), "score", "--model-uri", str(folder), "--input", str(src), "--output", str(cwd / "out.csv"), *a])
        for name, args in ENGINES.items()
    ]

    def stock_cmd(cwd: Path) -> list[str]:
        predict = ["mlflow", "models", "predict", "-m", str(folder), "-i", str(src), "-t", "csv"]
        return [*predict, "-o", str(cwd / "out.json"), "--env-manager", "local"]

    contenders.append(child(STOCK, stock_cmd))

    case = f"{ROWS} rows, CSV"
    row.measurements += time_side_by_side(case, contenders, repeat, ctx.progress)
    for name in ENGINES:
        row.targets.append(within(f"{name}: time / stock", row.median(case, name), row.median(case, STOCK), 1.0))
    row.notes.append(f"{min(repeat, REPEAT)} run(s) per contender, each a fresh process in a fresh folder, no MLFLOW_TRACKING_URI")
    return row
