"""Both directions on a real standalone cluster (tests/spark_cluster.py: a master and two workers on
loopback), against local mode: the same rows, predictions within 1e-9.

- a Python-logged model (stock mlflow.spark.log_model) scored by `mlflowbridge.cli.Main score`
  submitted with `spark-submit --master spark://...` and our jar;
- a Scala-logged model (Mlflow.models.log) scored by stock `mlflow.spark.load_model` and
  `mlflow.pyfunc.spark_udf` in a plain pyspark job on the cluster;
- `mlflow-bridge score --master spark://...` with each engine.
The model's files reach the executors through the staging folder (`--staging-dir`), never the
driver's download folder.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import mlflow.spark
import numpy as np
import pandas as pd
import pytest
from models_fixtures import features

from bridge.classpath import bridge_jars
from bridge.versions import pyspark_jars_dir

TOL = 1e-9
HERE = Path(__file__).parent


@pytest.fixture(scope="module")
def rows(tmp_path_factory):
    """The diabetes features with a row id, as one Parquet file every worker reads."""
    pdf = features("gbt").reset_index(drop=True)
    pdf.insert(0, "row_id", np.arange(len(pdf), dtype="int64"))
    path = tmp_path_factory.mktemp("cluster-input") / "rows.parquet"
    pdf.to_parquet(path, index=False)
    return path


@pytest.fixture(scope="module")
def local_predictions(spark, rows, logged_models):
    """{model URI: predictions by row id} from stock mlflow.spark.load_model in local mode."""

    def predict(uri: str) -> pd.Series:
        out = mlflow.spark.load_model(uri).transform(spark.read.parquet(str(rows))).select("row_id", "prediction").toPandas()
        return out.set_index("row_id")["prediction"].sort_index()

    return {uri: predict(uri) for uri in (logged_models[("gbt", "python")], logged_models[("gbt", "scala")])}


def env() -> dict[str, str]:
    return dict(os.environ, SPARK_LOCAL_IP="127.0.0.1", PYSPARK_PYTHON=sys.executable)


def run(cmd: list[str], timeout: float = 300) -> subprocess.CompletedProcess:
    r = subprocess.run(cmd, capture_output=True, text=True, env=env(), timeout=timeout)
    assert r.returncode == 0, f"{cmd[:4]} exited {r.returncode}:\n{r.stdout[-3000:]}\n{r.stderr[-5000:]}"
    return r


def assert_same(path: Path, expected: pd.Series) -> None:
    got = pd.read_parquet(path).set_index("row_id")["prediction"].sort_index()
    assert list(got.index) == list(expected.index)  # the same rows, each once
    assert np.max(np.abs(got.to_numpy() - expected.to_numpy())) <= TOL


def test_spark_submit_scores_a_python_logged_model(spark_cluster, logged_models, local_predictions, rows, tmp_path):
    uri = logged_models[("gbt", "python")]
    ours = next(j for j in bridge_jars() if Path(j).name.startswith("mlflow-bridge"))
    others = [j for j in bridge_jars() if j != ours]
    submit = str(pyspark_jars_dir().parent / "bin" / "spark-submit")
    out = tmp_path / "scored.parquet"
    run([
        submit, "--master", spark_cluster.url, "--class", "mlflowbridge.cli.Main", "--jars", ",".join(others),
        "--conf", "spark.ui.enabled=false", "--conf", "spark.executor.memory=512m", ours,
        "score", "--model-uri", uri, "--input", str(rows), "--output", str(out), "--staging-dir", str(tmp_path / "staging"),
    ])  # fmt: skip
    assert_same(out, local_predictions[uri])


def test_stock_python_scores_a_scala_logged_model_on_the_cluster(spark_cluster, logged_models, local_predictions, rows, tmp_path):
    uri = logged_models[("gbt", "scala")]
    run([sys.executable, str(HERE / "stock_job.py"), spark_cluster.url, uri, str(rows), str(tmp_path)], timeout=600)
    assert_same(tmp_path / "load_model.parquet", local_predictions[uri])
    assert_same(tmp_path / "spark_udf.parquet", local_predictions[uri])


@pytest.mark.parametrize(("engine", "origin"), [("scala", "python"), ("python", "scala")])
def test_cli_score_on_the_cluster(spark_cluster, logged_models, local_predictions, rows, tmp_path, engine, origin):
    uri = logged_models[("gbt", origin)]
    out, staging = tmp_path / "scored.parquet", tmp_path / "staging"
    r = run([
        sys.executable, "-m", "bridge", "score", "--model-uri", uri, "--input", str(rows), "--output", str(out),
        "--engine", engine, "--master", spark_cluster.url, "--staging-dir", str(staging),
    ])  # fmt: skip
    assert "scored 442 rows" in r.stdout
    assert_same(out, local_predictions[uri])
    assert staging.is_dir()  # the copy the workers read (removed with the driver's JVM)


def test_a_custom_stage_on_the_cluster(spark_cluster, custom_model, custom_stage_jar, spark, tmp_path):
    """The Scala-logged pipeline with a team's own stage: stock Python with the jar in spark.jars,
    and `mlflow-bridge score --master` (which adds the model's jar itself), equal local mode."""
    from pyspark.sql import DataFrame

    uri, pipeline, features = custom_model
    src = tmp_path / "rows.parquet"
    features.toPandas().assign(row_id=lambda d: np.arange(len(d), dtype="int64")).to_parquet(src, index=False)
    rows = spark.read.parquet(str(src))
    local = DataFrame(pipeline.transform(rows._jdf), spark).select("row_id", "prediction").toPandas()
    expected = local.set_index("row_id")["prediction"].sort_index()
    run([sys.executable, str(HERE / "stock_job.py"), spark_cluster.url, uri, str(src), str(tmp_path), str(custom_stage_jar)], timeout=600)
    assert_same(tmp_path / "load_model.parquet", expected)
    assert_same(tmp_path / "spark_udf.parquet", expected)
    out = tmp_path / "scored.parquet"
    run([
        sys.executable, "-m", "bridge", "score", "--model-uri", uri, "--input", str(src), "--output", str(out),
        "--engine", "scala", "--master", spark_cluster.url, "--staging-dir", str(tmp_path / "staging"),
    ])  # fmt: skip
    assert_same(out, expected)
