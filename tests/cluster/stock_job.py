"""Stock Python on a Spark cluster: for each model URI, `mlflow.spark.load_model` and
`mlflow.pyfunc.spark_udf`, each writing row_id + prediction to <out>/<i>-load_model.parquet and
<out>/<i>-spark_udf.parquet. Plain pyspark and mlflow only. argv: master, input parquet, output
folder, the jar of a model's own stages (given as a user would: spark.jars for this session, and
PYSPARK_SUBMIT_ARGS for the local Spark that mlflow's spark flavor starts inside each executor's
Python worker for spark_udf), then the model URIs; MLFLOW_TRACKING_URI from the environment."""

import sys

import mlflow.pyfunc
import mlflow.spark
from pyspark.sql import SparkSession

master, src, out, jar, *uris = sys.argv[1:]
spark = (
    SparkSession.builder.master(master)
    .appName("stock-mlflow-on-a-cluster")
    .config("spark.jars", jar)
    .config("spark.executorEnv.PYSPARK_SUBMIT_ARGS", f"--jars {jar} pyspark-shell")
    .config("spark.ui.enabled", "false")
    .config("spark.pyspark.python", sys.executable)
    .config("spark.executor.memory", "512m")
    .getOrCreate()
)
rows = spark.read.parquet(src)
for i, uri in enumerate(uris):
    model = mlflow.spark.load_model(uri)
    model.transform(rows).select("row_id", "prediction").write.parquet(f"{out}/{i}-load_model.parquet")
    udf = mlflow.pyfunc.spark_udf(spark, uri, result_type="double")
    rows.withColumn("prediction", udf()).select("row_id", "prediction").write.parquet(f"{out}/{i}-spark_udf.parquet")
spark.stop()
