"""The parity row "MLflow spark flavor from a Spark Connect client", run as a Spark Connect client
with no JVM: `python -m bridge.parity.connect_child '<json>'` (bridge/parity/checks/spark_connect.py
starts it with no java on PATH and JAVA_HOME unset; never `remote("local[...]")`, which starts a
py4j gateway in the client and hides the gap).

It fits a small pipeline on the Connect server, then per step prints one JSON line
`PARITY-CHILD {"step": {"ok": bool, "value"|"error": ...}}`:
  stock        mlflow.spark.log_model and save_model of the Connect-fitted pipeline; mlflow.spark.load_model
               and mlflow.pyfunc.load_model of a spark model (logged through the bridge for the attempt)
  bridge       bridge.connect("connect", ...): log the pipeline, load it, predict over Connect
"""

from __future__ import annotations

import json
import shutil
import sys
import tempfile
import traceback
import uuid
from typing import Any, Callable


def _fit(spark: Any) -> tuple[Any, Any]:
    from pyspark.ml import Pipeline
    from pyspark.ml.feature import VectorAssembler
    from pyspark.ml.regression import LinearRegression

    df = spark.createDataFrame([(float(i), float(i % 3), 2.0 * i + 1.0 + (i % 3)) for i in range(12)], ["a", "b", "y"])
    model = Pipeline(stages=[VectorAssembler(inputCols=["a", "b"], outputCol="features"), LinearRegression(labelCol="y", maxIter=5)]).fit(df)
    return df, model


def _bridge_log(spark: Any, uri: str, df: Any, model: Any) -> str:
    import bridge

    m = bridge.connect("connect", uri, spark=spark)
    with m.runs.start(m.experiments.get_or_create("parity-spark-connect"), f"connect-{uuid.uuid4().hex[:8]}") as run:
        features = df.drop("y")
        return run.log_model(model, "model", example=features.limit(3), training=features).model_uri


def main(spec: dict) -> dict:
    import os

    from pyspark.sql import SparkSession

    assert shutil.which("java") is None and "JAVA_HOME" not in os.environ, "this client must have no JVM to reach"
    uri = spec["tracking_uri"]
    spark = SparkSession.builder.remote(spec["connect_url"]).create()
    out: dict[str, dict] = {}

    def step(name: str, fn: Callable[[], Any]) -> None:
        try:
            out[name] = {"ok": True, "value": fn()}
        except Exception as exc:  # noqa: BLE001 - every failure is reported, not raised
            text = f"{type(exc).__name__}: {exc}".splitlines()[0]
            out[name] = {"ok": False, "error": text, "trace": traceback.format_exc()[-1500:]}

    try:
        df, model = _fit(spark)
        if "stock" in spec["steps"]:
            import mlflow

            mlflow.set_tracking_uri(uri)
            mlflow.set_experiment("parity-spark-connect")

            def stock_log() -> str:
                with mlflow.start_run():
                    return mlflow.spark.log_model(model, artifact_path="model").model_uri

            logged = _bridge_log(spark, uri, df, model)  # a spark model for the stock loaders to try
            step("stock_log_model", stock_log)
            step("stock_save_model", lambda: mlflow.spark.save_model(model, tempfile.mkdtemp(prefix="parity-connect-") + "/model") or "saved")
            step("stock_spark_load_model", lambda: str(mlflow.spark.load_model(logged).transform(df).count()))
            step("stock_pyfunc_load_model", lambda: str(mlflow.pyfunc.load_model(logged).predict(df.drop("y").toPandas())))
        if "bridge" in spec["steps"]:

            def bridged() -> dict:
                import bridge

                logged = _bridge_log(spark, uri, df, model)
                loaded = bridge.connect("connect", uri, spark=spark).models.load(logged)
                rows = lambda m: sorted((r.a, r.prediction) for r in m.transform(df).select("a", "prediction").collect())  # noqa: E731
                return {"model_uri": logged, "here": rows(model), "loaded": rows(loaded)}

            step("bridge", bridged)
        from pyspark import SparkContext

        out["jvm"] = {"ok": True, "value": SparkContext._gateway is not None or SparkContext._active_spark_context is not None}
    finally:
        spark.stop()
    return out


if __name__ == "__main__":
    result = main(json.loads(sys.argv[1]))
    print("PARITY-CHILD " + json.dumps(result), flush=True)
