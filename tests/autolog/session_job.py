"""A pyspark program whose session the bridge starts with autologging on (docs/autolog.md), and no
MLflow call: a JVM Pipeline's fit (what Scala code called over py4j runs) is logged by the listener
into the experiment named after the app. (pyspark's own Pipeline fits its stages one by one from
Python: the JVM sees bare fits, which post no event.) Arguments: the experiment (app) name, the
regression Parquet file."""

import sys

from pyspark.ml import Pipeline
from pyspark.ml.feature import VectorAssembler
from pyspark.ml.regression import LinearRegression

from bridge.jvm import spark_session

experiment, data = sys.argv[1:]
spark = spark_session(app_name=experiment, master="local[1]", autolog=True)
df = spark.read.parquet(data)
pipeline = Pipeline(stages=[VectorAssembler(inputCols=["x1", "x2", "x3"], outputCol="features"), LinearRegression(maxIter=5)])
pipeline._to_java().fit(df._jdf)  # org.apache.spark.ml.Pipeline.fit, in the JVM
spark.stop()
