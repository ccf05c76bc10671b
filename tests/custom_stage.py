"""A team's own Scala stage (scala/src/test/scala/com/acme/ml/ShiftModel.scala: params and saved
state), compiled into a jar by the Scala compiler of the pyspark wheel, and a model holding it
logged from the JVM (Mlflow.models.log), which stores the jar and a generated pyspark wrapper."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import mlflow
import pytest

from bridge.java import main_command
from bridge.models import data
from bridge.versions import pyspark_jars_dir

SOURCE = Path(__file__).resolve().parents[1] / "scala/src/test/scala/com/acme/ml/ShiftModel.scala"
CLASS = "com.acme.ml.ShiftModel"
FEATURES = ["age", "bmi", "bp"]


@pytest.fixture(scope="session")
def custom_stage_jar(tmp_path_factory) -> Path:
    """scalac (scala.tools.nsc.Main, in the pyspark wheel's jars) against Spark's jars: a few seconds, no sbt."""
    jar = tmp_path_factory.mktemp("custom-stage") / "acme-stages.jar"
    java = main_command([])[0]
    cp = os.path.join(str(pyspark_jars_dir()), "*")
    r = subprocess.run(
        [java, "-cp", cp, "scala.tools.nsc.Main", "-usejavacp", "-d", str(jar), str(SOURCE)], capture_output=True, text=True, timeout=300
    )
    assert r.returncode == 0, r.stdout + r.stderr
    return jar


@pytest.fixture(scope="session")
def custom_model(spark, sessions, custom_stage_jar, tracking_uri):
    """(model URI, the JVM pipeline, the frame it was fit on): ShiftModel(age * 2 + mean age) ->
    VectorAssembler -> LinearRegression, logged from the JVM into a run."""
    from pyspark.ml.feature import VectorAssembler
    from pyspark.ml.regression import LinearRegression
    from pyspark.sql import DataFrame

    spark.sql(f"ADD JAR '{custom_stage_jar}'")  # what spark.jars / --jars does for a user's session
    pdf = data.diabetes()[[*FEATURES, "label"]]
    sdf = spark.createDataFrame(pdf)
    jvm = spark._jvm
    shift = jvm.com.acme.ml.ShiftModel().setInputCol("age").setOutputCol("age_shifted").setScale(2.0).setOffset(float(pdf["age"].mean()))
    assembler = VectorAssembler(inputCols=["age_shifted", "bmi", "bp"], outputCol="features")
    lr = LinearRegression(labelCol="label").fit(assembler.transform(DataFrame(shift.transform(sdf._jdf), spark)))
    stages = spark.sparkContext._gateway.new_array(jvm.org.apache.spark.ml.Transformer, 3)
    for i, s in enumerate([shift, assembler._to_java(), lr._to_java()]):
        stages[i] = s
    pipeline = jvm.org.apache.spark.ml.mlflowbridge.BridgeMlAccess.pipelineModel("custom-pipeline", stages)
    mlflow.set_tracking_uri(tracking_uri)
    mlflow.set_experiment("bridge-tests-custom-stages")
    features = sdf.drop("label")
    with mlflow.start_run(run_name="scala-custom-stage") as run:
        uri = sessions["py4j"].models.log(run.info.run_id, pipeline, "model", example=features.limit(3), training=features).model_uri
    return uri, pipeline, features
