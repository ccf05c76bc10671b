"""A Scala-logged pipeline holding a team's own stage (tests/custom_stage.py) loads in stock
Python: the jar and a generated pyspark wrapper travel with the model; predictions equal the JVM
pipeline's own transform within 1e-9, params and saved state intact."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import mlflow
import mlflow.pyfunc
import mlflow.spark
import numpy as np
import pandas as pd
import pytest
import yaml
from custom_stage import CLASS

from bridge import BadInputError
from bridge.models import scoring

TOL = 1e-9


@pytest.fixture(scope="module")
def expected(custom_model, spark):
    from pyspark.sql import DataFrame

    _, pipeline, features = custom_model
    return DataFrame(pipeline.transform(features._jdf), spark).select("prediction").toPandas()["prediction"].to_numpy()


@pytest.fixture(scope="module")
def model_dir(custom_model, tmp_path_factory) -> Path:
    return Path(mlflow.artifacts.download_artifacts(custom_model[0], dst_path=str(tmp_path_factory.mktemp("custom-model"))))


def test_the_jar_and_the_wrapper_travel_with_the_model(model_dir, custom_stage_jar):
    flavors = yaml.safe_load((model_dir / "MLmodel").read_text())["flavors"]
    assert flavors["spark"]["jvm_stage_jars"] == {CLASS: f"jars/{custom_stage_jar.name}"}
    assert flavors["spark"]["code"] == "code" and flavors["python_function"]["code"] == "code"
    assert (model_dir / "jars" / custom_stage_jar.name).read_bytes() == custom_stage_jar.read_bytes()
    shim = (model_dir / "code/com/acme/ml/__init__.py").read_text()
    assert "class ShiftModel(JavaModel, JavaMLReadable, JavaMLWritable):" in shim


def test_stock_spark_load_model_with_the_jar_on_the_session(custom_model, spark, expected):
    model = mlflow.spark.load_model(custom_model[0])  # `spark` has the jar (ADD JAR, as spark.jars would)
    stage = model.stages[0]
    assert f"{type(stage).__module__}.{type(stage).__name__}" == CLASS
    assert stage.getOrDefault(stage.getParam("scale")) == 2.0 and stage.getOrDefault(stage.getParam("inputCol")) == "age"
    got = model.transform(custom_model[2]).select("prediction").toPandas()["prediction"].to_numpy()
    assert np.max(np.abs(got - expected)) <= TOL


def test_stock_pyfunc_load_model(custom_model, expected):
    pdf = custom_model[2].toPandas()
    got = np.asarray(mlflow.pyfunc.load_model(custom_model[0]).predict(pdf), dtype=float)
    assert np.max(np.abs(got - expected)) <= TOL


@pytest.mark.parametrize("engine", ["scala", "python"])
def test_a_fresh_bridge_session_adds_the_jar_itself(custom_model, expected, tmp_path, engine):
    """`mlflow-bridge score` in a new process: no --jars, the model's own jar is added by the bridge."""
    src, out = tmp_path / "in.parquet", tmp_path / "out.parquet"
    custom_model[2].toPandas().to_parquet(src, index=False)
    cmd = [sys.executable, "-m", "bridge", "score", "--model-uri", custom_model[0], "--input", str(src), "--output", str(out), "--engine", engine]
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=600, env=dict(os.environ))
    assert r.returncode == 0, r.stdout + r.stderr
    got = pd.read_parquet(out)["prediction"].to_numpy()
    assert np.max(np.abs(got - expected)) <= TOL


@pytest.mark.parametrize("engine", ["scala", "python"])
def test_a_missing_stage_jar_is_named(model_dir, custom_model, custom_stage_jar, tmp_path, engine):
    broken = tmp_path / "model"
    shutil.copytree(model_dir, broken)
    (broken / "jars" / custom_stage_jar.name).unlink()
    src = tmp_path / "in.parquet"
    custom_model[2].limit(5).toPandas().to_parquet(src, index=False)
    with pytest.raises(
        BadInputError, match=rf"needs the jar 'jars/{custom_stage_jar.name}' for its stage class {CLASS}, but the model has no such file"
    ):
        scoring.score_file(str(broken), src, tmp_path / "out.parquet", engine)
