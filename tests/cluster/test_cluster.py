"""Both directions on a real standalone cluster (tests/spark_cluster.py: a master and two workers
on loopback), against local mode: the same rows, predictions within 1e-9.

- a Python-logged model (stock mlflow.spark.log_model) scored by `mlflowbridge.cli.Main score`
  submitted with `spark-submit --master spark://...` and our jar;
- a Scala-logged model (Mlflow.models.log) holding a team's own stage (tests/custom_stage.py)
  scored by stock `mlflow.spark.load_model` and `mlflow.pyfunc.spark_udf` in a plain pyspark job;
- `mlflow-bridge score --master spark://...` with each engine (the Scala one on the custom stage,
  whose jar the bridge adds itself, while a worker dies);
- a master that does not answer.
The model's files reach the executors through the staging folder (`--staging-dir`), never the
driver's download folder. Each cluster job is a process of its own (one SparkContext a process).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import mlflow.spark
import numpy as np
import pandas as pd
import pytest
from autolog_fixtures import autolog_lines, submit
from conftest import unique
from models_fixtures import features

from bridge import BadInputError, BridgeError
from bridge.classpath import bridge_jars
from bridge.java import run_main
from bridge.models import scoring
from bridge.server import free_port, stop_group
from bridge.versions import pyspark_jars_dir

pytestmark = pytest.mark.cluster  # `pytest -m cluster` runs this group alone
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
def local_predictions(spark, rows, logged_models, custom_model):
    """{model URI: predictions by row id} in local mode: stock mlflow.spark.load_model, and the
    custom-stage pipeline's own transform."""
    from pyspark.sql import DataFrame

    def by_row(sdf) -> pd.Series:
        return sdf.select("row_id", "prediction").toPandas().set_index("row_id")["prediction"].sort_index()

    df = spark.read.parquet(str(rows))
    out = {uri: by_row(mlflow.spark.load_model(uri).transform(df)) for uri in (logged_models[("gbt", "python")], logged_models[("gbt", "scala")])}
    out[custom_model[0]] = by_row(DataFrame(custom_model[1].transform(df._jdf), spark))
    return out


def env() -> dict[str, str]:
    return dict(os.environ, SPARK_LOCAL_IP="127.0.0.1", PYSPARK_PYTHON=sys.executable)


def run(cmd: list[str], timeout: float = 600) -> subprocess.CompletedProcess:
    r = subprocess.run(cmd, capture_output=True, text=True, env=env(), timeout=timeout)
    assert r.returncode == 0, f"{cmd[:4]} exited {r.returncode}:\n{r.stdout[-3000:]}\n{r.stderr[-5000:]}"
    return r


def score_cmd(uri: str, rows: Path, out: Path, engine: str, master: str) -> list[str]:
    return [
        sys.executable, "-m", "bridge", "score", "--model-uri", uri, "--input", str(rows), "--output", str(out),
        "--engine", engine, "--master", master, "--staging-dir", str(out.parent / "staging"),
    ]  # fmt: skip


def assert_same(path: Path, expected: pd.Series) -> None:
    got = pd.read_parquet(path).set_index("row_id")["prediction"].sort_index()
    assert list(got.index) == list(expected.index)  # the same rows, each once
    assert np.max(np.abs(got.to_numpy() - expected.to_numpy())) <= TOL


def test_spark_submit_scores_a_python_logged_model(spark_cluster, logged_models, local_predictions, rows, tmp_path):
    uri = logged_models[("gbt", "python")]
    ours = next(j for j in bridge_jars() if Path(j).name.startswith("mlflow-bridge"))
    others = [j for j in bridge_jars() if j != ours]  # the stock client and the AWS SDK (S3 roots)
    submit = str(pyspark_jars_dir().parent / "bin" / "spark-submit")
    out = tmp_path / "scored.parquet"
    run([
        submit, "--master", spark_cluster.url, "--class", "mlflowbridge.cli.Main", "--jars", ",".join(others),
        "--conf", "spark.ui.enabled=false", "--conf", "spark.executor.memory=512m", ours,
        "score", "--model-uri", uri, "--input", str(rows), "--output", str(out), "--staging-dir", str(tmp_path / "staging"),
    ])  # fmt: skip
    assert_same(out, local_predictions[uri])
    assert (tmp_path / "staging").is_dir()  # the copy the workers read (removed with the driver's JVM)


def test_stock_python_scores_a_scala_logged_model_on_the_cluster(spark_cluster, custom_model, custom_stage_jar, local_predictions, rows, tmp_path):
    """The Scala-logged pipeline with a team's own stage: the hardest case of that direction
    (one model keeps the job's time down: spark_udf starts a Spark inside each executor's Python)."""
    uris = [custom_model[0]]
    run([sys.executable, str(HERE / "stock_job.py"), spark_cluster.url, str(rows), str(tmp_path), str(custom_stage_jar), *uris])
    for i, uri in enumerate(uris):
        assert_same(tmp_path / f"{i}-load_model.parquet", local_predictions[uri])
        assert_same(tmp_path / f"{i}-spark_udf.parquet", local_predictions[uri])


def test_cli_python_engine_on_the_cluster(spark_cluster, logged_models, local_predictions, rows, tmp_path):
    uri = logged_models[("gbt", "scala")]
    r = run(score_cmd(uri, rows, tmp_path / "scored.parquet", "python", spark_cluster.url))
    assert "scored 442 rows" in r.stdout
    assert_same(tmp_path / "scored.parquet", local_predictions[uri])


def test_a_master_that_does_not_answer_is_named(logged_models, rows, tmp_path):
    dead = f"spark://127.0.0.1:{free_port()}"
    uri = logged_models[("gbt", "python")]
    words = rf"Spark master {dead} does not answer at 127.0.0.1:\d+ \(Connection refused\): start the cluster or fix --master"
    with pytest.raises(BadInputError, match=words):
        scoring.score_file(uri, rows, tmp_path / "out.parquet", "python", master=dead)
    with pytest.raises(BridgeError, match=words):
        run_main(["score", "--model-uri", uri, "--input", str(rows), "--output", str(tmp_path / "out.parquet"), "--master", dead], timeout=120)


def test_cli_scala_engine_adds_the_custom_stage_jar_and_outlives_a_worker(spark_cluster, custom_model, local_predictions, rows, tmp_path):
    """The custom-stage model with the Scala engine (the CLI adds the stage's jar itself). One
    worker's processes (and its executor) are killed once the job has both executors: the other
    worker runs the rest, and the output is complete and equal."""
    uri = custom_model[0]
    job = subprocess.Popen(
        score_cmd(uri, rows, tmp_path / "scored.parquet", "scala", spark_cluster.url),
        env=env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 300
        while not _running_app_cores(spark_cluster.ui) >= 2 and job.poll() is None and time.monotonic() < deadline:
            time.sleep(0.2)
        assert job.poll() is None, "the job ended before both executors ran"
        stop_group(spark_cluster.procs["worker2"], wait=0)
        out, err = job.communicate(timeout=600)
        assert job.returncode == 0, out + err[-5000:]
        assert_same(tmp_path / "scored.parquet", local_predictions[uri])
    finally:
        if job.poll() is None:
            job.kill()
        spark_cluster.start_worker("worker2")  # the fixture's cluster whole again for later tests
        spark_cluster.wait_workers(2)


def _running_app_cores(ui: str) -> int:
    with urllib.request.urlopen(ui, timeout=5) as r:
        return sum(int(a.get("cores", 0)) for a in json.load(r).get("activeapps", []))


def test_the_autolog_listener_logs_a_program_submitted_to_the_cluster(spark_cluster, train_job_jar, training_data, tracking_uri, mlflow_client):
    """Zero-code autologging on the cluster (tests/test_autolog.py compares the runs in depth): the
    listener lives in the driver, the fit's tasks run on the workers; the run has its model."""
    experiment = unique("autolog-cluster")
    r = submit(train_job_jar, "one", training_data, experiment, master=spark_cluster.url)
    assert r.returncode == 0, r.stderr[-4000:]
    assert autolog_lines(r) == [], autolog_lines(r)
    [run] = mlflow_client.search_runs([mlflow_client.get_experiment_by_name(experiment).experiment_id])
    assert run.info.status == "FINISHED" and run.data.params["stages"] == "['VectorAssembler', 'LinearRegression']"
    assert "model/MLmodel" in {f.path for f in mlflow_client.list_artifacts(run.info.run_id, "model")}
