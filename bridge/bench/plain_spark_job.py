"""The plain Spark job in Python that P4 compares the engines with: load, transform, write.

Run as a file (`python plain_spark_job.py MODEL_URI INPUT OUTPUT`), not as part of the bridge
package: it imports only pyspark and mlflow, as a user's own job would. Spark settings are the
ones our engines use (local[2], no UI, loopback).
"""

import sys

import mlflow.spark
from pyspark.sql import SparkSession


def main(model_uri: str, src: str, dst: str) -> None:
    spark = (
        SparkSession.builder.master("local[2]")
        .appName("plain-spark-job")
        .config("spark.ui.enabled", "false")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .getOrCreate()
    )
    model = mlflow.spark.load_model(model_uri)
    frame = spark.read.parquet(src)
    outputs = [c for c in model.transform(frame.limit(0)).columns if c not in frame.columns]
    # The engines keep the model's results (prediction, probability, ...), not its helper columns.
    kept = [c for c in outputs if c in ("prediction", "probability", "rawPrediction")]
    model.transform(frame).select(*frame.columns, *kept).write.parquet(dst)
    spark.stop()


if __name__ == "__main__":
    main(*sys.argv[1:4])
