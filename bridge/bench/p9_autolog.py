"""P9 JVM autologging's cost: a Pipeline fit logged by `autolog.fit` against the same fit alone.

Contenders, on one DataFrame (the wine data, bridge.models.train's classifier) in the py4j
JVM: the plain `Pipeline.fit`; the model's upload alone (`models.log` of an already fitted
model into a fresh run: what any logging of the model costs); and `autolog.fit` (run, params,
tags, estimator_info.json, dataset input, fit, model). Target: autologged <= 1.1x (fit + upload).
The listener path (`spark.extraListeners`) does the same work on its own thread, off the job's.
"""

from __future__ import annotations

from typing import Any

from .context import BenchContext
from .core import Contender, RowResult, time_side_by_side, within
from .wine import wine_frame

ID = "P9"
TITLE = "autologged Pipeline fit vs the fit alone"
PROFILE_NOTE = ""


def run(ctx: BenchContext, repeat: int) -> RowResult:
    from pyspark.ml import Pipeline
    from pyspark.ml.classification import LogisticRegression
    from pyspark.ml.feature import StringIndexer, VectorAssembler

    row = RowResult(ID, TITLE, profile_note=PROFILE_NOTE)
    spark = ctx.spark()
    session = ctx.session("py4j")
    df = spark.createDataFrame(wine_frame()).cache()
    df.count()
    features = [c for c in df.columns if c != "label"]

    def pipeline() -> Any:  # bridge.models.train's classifier
        return Pipeline(
            stages=[
                StringIndexer(inputCol="label", outputCol="label_index", stringOrderType="alphabetAsc"),
                VectorAssembler(inputCols=features, outputCol="features"),
                LogisticRegression(labelCol="label_index", maxIter=50, regParam=0.01),
            ]
        )

    fitted = pipeline().fit(df)
    spark.conf.set("spark.mlflow.experimentName", ctx.client().get_experiment(ctx.experiment_id()).name)
    try:
        contenders = [
            Contender("Pipeline.fit alone", lambda _: pipeline().fit(df)),
            Contender(
                "model upload alone (models.log)",
                lambda rid: session.models.log(rid, fitted._to_java(), "model"),
                setup=lambda: ctx.new_run(name="p9"),
            ),
            Contender("autolog.fit", lambda _: session.autolog.fit(pipeline(), df)),
        ]
        case = f"wine ({df.count()} rows), StringIndexer -> VectorAssembler -> LogisticRegression"
        row.measurements += time_side_by_side(case, contenders, repeat, ctx.progress)
    finally:
        spark.conf.unset("spark.mlflow.experimentName")
        df.unpersist()
    reference = row.median(case, "Pipeline.fit alone") + row.median(case, "model upload alone (models.log)")
    row.targets.append(within("autolog.fit / (fit + model upload) (time)", row.median(case, "autolog.fit"), reference, 1.1))
    row.notes.append("one untimed call of each first; each autologged fit makes its own run")
    return row
