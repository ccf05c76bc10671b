"""The Python side of P8: an ONNX model scored by Python's ONNX Runtime through `mlflow.pyfunc.spark_udf`.

Run as a file (`python onnx_udf_job.py MODEL_URI INPUT OUTPUT`), as a user's own job would be:
pyspark and mlflow only, the Spark settings our engines use (local[2], no UI, loopback).
"""

import sys

import mlflow.pyfunc
from pyspark.sql import SparkSession


def main(model_uri: str, src: str, dst: str) -> None:
    spark = (
        SparkSession.builder.master("local[2]")
        .appName("onnx-udf-job")
        .config("spark.ui.enabled", "false")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .getOrCreate()
    )
    udf = mlflow.pyfunc.spark_udf(spark, model_uri, result_type="double", env_manager="local")
    frame = spark.read.parquet(src)
    frame.withColumn("variable", udf(*frame.columns)).write.parquet(dst)
    spark.stop()


if __name__ == "__main__":
    main(*sys.argv[1:4])
