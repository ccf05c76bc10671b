"""Stock Python on a Spark cluster: `mlflow.spark.load_model` and `mlflow.pyfunc.spark_udf` on a
model URI, each writing row_id + prediction to a Parquet file. Plain pyspark and mlflow only:
argv = master, model URI, input parquet, output folder[, the jar of the model's own stages, given
as a user would: spark.jars for this session, PYSPARK_SUBMIT_ARGS for the local Spark that
mlflow's spark flavor starts inside each executor's Python worker for spark_udf];
MLFLOW_TRACKING_URI from the environment."""

import sys

import mlflow.pyfunc
import mlflow.spark
from pyspark.sql import SparkSession

master, uri, src, out = sys.argv[1:5]
builder = SparkSession.builder
if len(sys.argv) > 5:
    builder = builder.config("spark.jars", sys.argv[5]).config("spark.executorEnv.PYSPARK_SUBMIT_ARGS", f"--jars {sys.argv[5]} pyspark-shell")
spark = (
    builder.master(master)
    .appName("stock-mlflow-on-a-cluster")
    .config("spark.ui.enabled", "false")
    .config("spark.pyspark.python", sys.executable)
    .config("spark.executor.memory", "512m")
    .getOrCreate()
)
rows = spark.read.parquet(src)
model = mlflow.spark.load_model(uri)
model.transform(rows).select("row_id", "prediction").write.parquet(f"{out}/load_model.parquet")
udf = mlflow.pyfunc.spark_udf(spark, uri, result_type="double")
rows.withColumn("prediction", udf()).select("row_id", "prediction").write.parquet(f"{out}/spark_udf.parquet")
spark.stop()
