"""P8 ONNX scoring of 1,000,000 rows: the JVM's ONNX Runtime (`mlflow-bridge score`, which takes
onnx-flavor models) against Python's ONNX Runtime through `mlflow.pyfunc.spark_udf`.

The model: scikit-learn's StandardScaler + RandomForestRegressor (50 trees, depth 8) on the 13
wine features, converted by skl2onnx and saved by stock `mlflow.onnx.save_model` to a local
folder (one float output, `variable`, so spark_udf returns a double column). Both contenders are
fresh child processes (JVM and Spark start-up included) scoring P4's Parquet input into Parquet
with local[2]: ours runs one ONNX Runtime session per executor JVM, one thread per task; the
pandas UDF runs one session per Python worker with ONNX Runtime's default threads.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path
from typing import Any

from . import wine
from .children import run_child
from .context import BenchContext
from .core import Contender, RowResult, time_side_by_side, within
from .p4_scoring import child_env, cli

ID = "P8"
TITLE = "ONNX scoring of 1,000,000 rows"
ROWS = 1_000_000
REPEAT = 1  # fresh processes scoring 1M rows each

STOCK = "stock: mlflow.pyfunc.spark_udf (Python's ONNX Runtime)"
OURS = "ours: mlflow-bridge score --engine scala --backend jpype (ONNX Runtime on the JVM)"


def onnx_model_folder(ctx: BenchContext) -> Path:
    """The wine regressor as an MLflow onnx model in a local folder."""
    if "onnx_folder" not in ctx.shared:
        import mlflow.models
        import mlflow.onnx
        from skl2onnx import to_onnx
        from skl2onnx.common.data_types import FloatTensorType
        from sklearn.ensemble import RandomForestRegressor
        from sklearn.pipeline import make_pipeline
        from sklearn.preprocessing import StandardScaler

        from ..models import data

        frame = wine.wine_frame()
        x = frame[data.features(frame)]
        y = frame["label"].str[-1].astype(float)
        model = make_pipeline(StandardScaler(), RandomForestRegressor(n_estimators=50, max_depth=8, random_state=0)).fit(x, y)
        onx = to_onnx(model, initial_types=[("float_input", FloatTensorType([None, x.shape[1]]))])
        folder = ctx.tmp("p8-model-") / "model"
        mlflow.onnx.save_model(onx, str(folder), signature=mlflow.models.infer_signature(x))
        ctx.shared["onnx_folder"] = folder
    return ctx.shared["onnx_folder"]


def run(ctx: BenchContext, repeat: int) -> RowResult:
    row = RowResult(ID, TITLE)
    folder = onnx_model_folder(ctx)
    src = wine.scoring_input(ctx, ROWS)
    env = child_env(None)
    job = Path(__file__).with_name("onnx_udf_job.py")

    def scored(name: str, cmd_of: Any) -> Contender:
        def go(dst: Path) -> dict[str, Any]:
            r = run_child(cmd_of(dst / "out.parquet"), env=env, cwd=dst)
            return {"tree MB": round(r.peak_tree_rss_mb)}

        return Contender(
            name, go, setup=lambda: ctx.tmp("p8-out-"), teardown=lambda d: shutil.rmtree(d, ignore_errors=True), repeat=REPEAT, warm=False
        )

    contenders = [
        scored(
            OURS,
            lambda out: [
                cli(),
                "score",
                "--model-uri",
                str(folder),
                "--input",
                str(src),
                "--output",
                str(out),
                "--engine",
                "scala",
                "--backend",
                "jpype",
            ],
        ),
        scored(STOCK, lambda out: [sys.executable, str(job), str(folder), str(src), str(out)]),
    ]
    case = f"{ROWS:,} rows, Parquet to Parquet"
    row.measurements += time_side_by_side(case, contenders, repeat, ctx.progress)
    row.targets.append(within("time: ours / stock", row.median(case, OURS), row.median(case, STOCK), 1.0))
    row.notes.append(
        f"{min(repeat, REPEAT)} run per contender (fresh processes, JVM and Spark start-up included); local[2]; "
        "a RandomForestRegressor (50 trees, depth 8) on the 13 wine features as ONNX; tree MB = peak RSS of the process tree"
    )
    return row
