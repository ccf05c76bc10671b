"""A pyspark program whose session the bridge starts with autologging on (docs/autolog.md), and no
MLflow call: its Pipeline fit is logged by the JVM listener into the experiment named after the app.
Arguments: the experiment (app) name, the regression Parquet file."""

import sys

from pyspark.ml import Pipeline
from pyspark.ml.feature import VectorAssembler
from pyspark.ml.regression import LinearRegression

from bridge.jvm import spark_session

experiment, data = sys.argv[1:]
spark = spark_session(app_name=experiment, master="local[1]", autolog=True)
df = spark.read.parquet(data)
Pipeline(stages=[VectorAssembler(inputCols=["x1", "x2", "x3"], outputCol="features"), LinearRegression(maxIter=5)]).fit(df)
spark.stop()
