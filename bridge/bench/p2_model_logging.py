"""P2 model logging: the wine classifier (a pyspark PipelineModel) logged to a fresh run.

Contenders: ours (`jvm.models.log` through py4j; bare, and with an input example and a
signature from the training frame), stock `mlflow.spark.log_model` (default: it infers pip
requirements in a second Spark, so one repeat; and with `pip_requirements` given), and the
floor: pyspark's `PipelineModel.save` to a local folder plus our upload of those files
(`jvm.artifacts.log`), i.e. the bytes a spark-flavor model needs without its MLmodel.
"""

from __future__ import annotations

import shutil
from typing import Any

from . import wine
from .context import BenchContext
from .core import Contender, RowResult, time_side_by_side, within

ID = "P2"
TITLE = "log a SparkML model"
STOCK_DEFAULT_REPEAT = 1  # 15-50 s a call
STOCK_GIVEN_REPEAT = 2
PROFILE_NOTE = "JFR (pyspark's JVM, 5 x models.log): of the samples under mlflowbridge frames 80% are Spark's PipelineModel writers, 20% the REST upload; pyinstrument: stock default spends 44 of 51 s waiting on a child process (mlflow's pip-requirement inference), given requirements 1.7 s"


def run(ctx: BenchContext, repeat: int) -> RowResult:
    import mlflow
    import mlflow.spark

    from ..models import train

    row = RowResult(ID, TITLE, profile_note=PROFILE_NOTE)
    jvm = ctx.session("py4j")
    model = wine.fitted_pipeline(ctx)
    frame = ctx.spark().createDataFrame(wine.wine_frame())
    ctx.use_fluent()

    def new_run() -> str:  # a fresh run per call, untimed
        return ctx.new_run(name="p2")

    def stock(pip_requirements: list[str] | None) -> Any:
        def log(run_id: str) -> None:
            with mlflow.start_run(run_id=run_id):
                mlflow.spark.log_model(model, "model", pip_requirements=pip_requirements)

        return log

    def floor_setup() -> tuple[str, Any]:
        return ctx.new_run(name="p2-floor"), ctx.tmp("p2-floor-")

    def floor(arg: tuple[str, Any]) -> None:
        run_id, folder = arg
        model.save(str(folder / "sparkml"))
        jvm.artifacts.log_artifacts(run_id, folder, "model")

    case = "wine classifier (3 stages)"
    contenders = [
        Contender("ours (jvm.models.log)", lambda run_id: jvm.models.log(run_id, model, "model"), setup=new_run),
        Contender(
            "ours + example & signature", lambda run_id: jvm.models.log(run_id, model, "model", example=frame.limit(3), training=frame), setup=new_run
        ),
        Contender("floor (save + our upload)", floor, setup=floor_setup, teardown=lambda arg: shutil.rmtree(arg[1], ignore_errors=True)),
        Contender("stock, pip_requirements given", stock(train.pinned_requirements()), setup=new_run, repeat=STOCK_GIVEN_REPEAT, warm=False),
        Contender("stock log_model (default)", stock(None), setup=new_run, repeat=STOCK_DEFAULT_REPEAT, warm=False),
    ]
    row.measurements += time_side_by_side(case, contenders, repeat, ctx.progress)
    ours, floor_s = row.median(case, "ours (jvm.models.log)"), row.median(case, "floor (save + our upload)")
    row.targets.append(within("ours / floor (time)", ours, floor_s, 1.2))
    row.notes.append(
        f"through py4j; stock default {min(repeat, STOCK_DEFAULT_REPEAT)} repeat, stock with requirements {min(repeat, STOCK_GIVEN_REPEAT)}; "
        "ours and the floor after one untimed call; ours writes MLmodel, requirements and environments besides the floor's files"
    )
    return row
