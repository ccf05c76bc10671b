"""Spark Connect (issue 27): MLflow spark models for a Python client with no JVM.

This side (classic pyspark, the bridge's JVM) logs the models the client loads, runs the client's
tests in .venv-connect (`make venv-connect`: pyspark-client; no java on PATH, JAVA_HOME unset)
against one Connect server, then checks both directions row by row (<= 1e-9): what the client
fitted and logged over Connect loads in stock classic Python and in the Scala engine; what stock
Python and the Scala engine logged predicts over Connect as it does here.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import mlflow
import numpy as np
import pandas as pd
import pytest
import zoo
from secure_servers import basic_auth_server

from bridge.models import data, train
from bridge.versions import pinned

pytestmark = [pytest.mark.spark, pytest.mark.timeout(1800)]  # the module fixture runs the client suite

REPO = Path(__file__).resolve().parents[2]
CONNECT_PY = REPO / ".venv-connect" / "bin" / "python"
TOL = 1e-9


def _write(df: pd.DataFrame, path: Path) -> str:
    df.reset_index(drop=True).assign(id=range(len(df))).to_parquet(path)
    return str(path)


@pytest.fixture(scope="module")
def client_run(spark, sessions, tracking_uri, connect_server, custom_model, tmp_path_factory):
    """Logs the models, runs the client suite once; (work folder, plan, results, pytest's output)."""
    assert CONNECT_PY.exists(), "the no-JVM client environment is missing: make venv-connect"
    work = tmp_path_factory.mktemp("connect-work")
    wine = data.wine()
    wine["label"] = wine["label"].str[-1].astype(float)
    zoo_train = zoo.with_missing(zoo.categorical(), ["weight", "price"])
    zoo_train["label"] = (zoo_train["label"] == "buy").astype(float)
    zoo_score = zoo_train.head(60).copy()
    zoo_score.loc[:4, "color"] = "purple"  # unseen: handleInvalid="keep"
    custom_uri, _, custom_features = custom_model
    plan = {
        "connect_url": connect_server.url,
        "tracking_uri": tracking_uri,
        "spark": pinned()["spark"],
        "wine": _write(wine, work / "wine.parquet"),
        "zoo_train": _write(zoo_train, work / "zoo_train.parquet"),
        "zoo_score": _write(zoo_score, work / "zoo_score.parquet"),
        "custom_data": _write(custom_features.toPandas(), work / "custom.parquet"),
    }
    from pyspark.ml import Pipeline
    from pyspark.ml.classification import LogisticRegression
    from pyspark.ml.feature import VectorAssembler

    sdf = spark.read.parquet(plan["wine"])
    feats = [c for c in wine.columns if c != "label"]
    model = Pipeline(stages=[VectorAssembler(inputCols=feats, outputCol="features"), LogisticRegression(maxIter=50)]).fit(sdf)
    mlflow.set_tracking_uri(tracking_uri)
    mlflow.set_experiment("bridge-tests-connect")
    with mlflow.start_run(run_name="stock-and-scala-logged") as run:
        stock = train.log_stock(model, "stock", pip_requirements=train.pinned_requirements())
        scala = sessions["py4j"].models.log(run.info.run_id, model, "scala", example=sdf.drop("label").limit(3), training=sdf.drop("label")).model_uri
        from sklearn.linear_model import LinearRegression

        sk = mlflow.sklearn.log_model(LinearRegression().fit([[0.0], [1.0]], [0.0, 1.0]), name="sklearn", pip_requirements=["mlflow"]).model_uri
    plan.update(stock=[stock, plan["wine"]], scala=[scala, plan["wine"]], custom=[custom_uri, plan["custom_data"]], sklearn=sk)
    auth_server, alice, admin = basic_auth_server(work / "basic-auth")
    try:
        plan["auth"] = {"uri": auth_server.uri, "alice": alice["password"], "admin": admin["password"]}
        (work / "plan.json").write_text(json.dumps(plan))
        env = {k: v for k, v in os.environ.items() if not k.startswith(("JAVA", "SPARK", "PYSPARK", "MLFLOW_TRACKING"))}
        env.update(PATH=str(CONNECT_PY.parent), BRIDGE_CONNECT_WORK=str(work))
        test_file = str(Path(__file__).parent / "client" / "test_client.py")
        cmd = [str(CONNECT_PY), "-m", "pytest", "--noconftest", "-p", "no:cacheprovider", "-q", "--timeout", "600", test_file]
        with open(work / "client.log", "w") as log:
            r = subprocess.run(cmd, cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT, text=True, timeout=1500)
        r.stdout = (work / "client.log").read_text()
    finally:
        auth_server.stop()
    results = json.loads((work / "results.json").read_text()) if (work / "results.json").exists() else {}
    secrets = [alice["password"], admin["password"]]
    return work, plan, results, r, secrets, {"wine": model}


def test_client_suite_passes_without_a_jvm(client_run):
    _, _, _, r, _, _ = client_run
    sys.stdout.write(r.stdout[-4000:])
    assert r.returncode == 0, r.stdout[-6000:]
    assert " passed" in r.stdout and "failed" not in r.stdout


def _close(a: pd.DataFrame, b: pd.DataFrame) -> None:
    a, b = a.sort_values("id").reset_index(drop=True), b.sort_values("id").reset_index(drop=True)
    assert list(a["id"]) == list(b["id"]) and len(a) > 0
    np.testing.assert_allclose(a["prediction"].to_numpy(float), b["prediction"].to_numpy(float), rtol=0, atol=TOL)
    if "probability" in a and "probability" in b:
        np.testing.assert_allclose(np.stack(a["probability"]), np.stack(b["probability"]), rtol=0, atol=TOL)


def _classic(df) -> pd.DataFrame:
    from pyspark.ml.functions import vector_to_array

    cols = ["id", "prediction"] + (["probability"] if "probability" in df.columns else [])
    out = df.select(*cols)
    if "probability" in cols:
        out = out.withColumn("probability", vector_to_array(out["probability"]))
    return out.toPandas()


@pytest.mark.parametrize("name,data_key", [("wine", "wine"), ("zoo", "zoo_score")])
def test_connect_logged_loads_in_stock_python_and_scala(client_run, spark, sessions, name, data_key):
    work, plan, results, _, _, _ = client_run
    uri = results[name]
    connect = pd.read_parquet(work / f"connect_{name}.parquet")
    frame = spark.read.parquet(plan[data_key]).drop("label")
    _close(connect, _classic(mlflow.spark.load_model(uri).transform(frame)))
    _close(connect, _classic(sessions["py4j"].models.load(uri).transform(frame)))
    pdf = pd.read_parquet(plan[data_key]).drop(columns=["label"])
    pyfunc = mlflow.pyfunc.load_model(uri).predict(pdf)
    got = pd.DataFrame({"id": pdf["id"], "prediction": np.asarray(pyfunc).reshape(-1) if not isinstance(pyfunc, pd.DataFrame) else pyfunc.iloc[:, 0]})
    _close(connect[["id", "prediction"]], got)


@pytest.mark.parametrize("name", ["stock", "scala", "alias"])
def test_models_loaded_over_connect_predict_as_here(client_run, spark, name):
    work, plan, _, _, _, models = client_run
    here = _classic(models["wine"].transform(spark.read.parquet(plan["wine"]).drop("label")))
    _close(pd.read_parquet(work / f"loaded_{name}.parquet"), here)


def test_custom_scala_stage_scored_on_the_server_as_here(client_run, spark, custom_model):
    """com.acme.ml.ShiftModel cannot load in a Connect client (docs/connect.md); `score --remote` scores it on the server."""
    from pyspark.sql import DataFrame

    work, plan, _, _, _, _ = client_run
    here = DataFrame(custom_model[1].transform(spark.read.parquet(plan["custom_data"])._jdf), spark)  # the JVM pipeline itself
    _close(spark.read.parquet(str(work / "scored_custom.parquet")).select("id", "prediction").toPandas(), _classic(here))


def test_connect_logged_served_by_stock_mlflow_models_serve(client_run, tmp_path):
    """The wine pipeline fitted over Connect and logged through the bridge, served by stock `mlflow models serve`."""
    import requests

    from bridge.server import free_port, stop_group

    work, plan, results, _, _, _ = client_run
    local = mlflow.artifacts.download_artifacts(results["wine"], dst_path=str(tmp_path / "model"))
    port = free_port()
    env = dict(os.environ, PATH=f"{Path(sys.executable).parent}:{os.environ['PATH']}")  # mlflow execs `uvicorn` by name
    cmd = [sys.executable, "-m", "mlflow", "models", "serve", "-m", local, "--env-manager", "local", "-h", "127.0.0.1", "-p", str(port)]
    with open(tmp_path / "serve.log", "wb") as log:
        proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, env=env, start_new_session=True)
    try:
        url = f"http://127.0.0.1:{port}"
        _wait_up(proc, url, tmp_path / "serve.log")
        rows = pd.read_parquet(plan["wine"]).drop(columns=["label"])
        body = {"dataframe_split": {"columns": list(rows.columns), "data": rows.to_numpy().tolist()}}
        r = requests.post(f"{url}/invocations", json=body, timeout=300)
        assert r.status_code == 200, r.text
        served = pd.DataFrame({"id": rows["id"], "prediction": [float(p) for p in r.json()["predictions"]]})
    finally:
        stop_group(proc)
    _close(pd.read_parquet(work / "connect_wine.parquet")[["id", "prediction"]], served)


def _wait_up(proc: subprocess.Popen, url: str, log: Path) -> None:
    """Until the server answers /ping (it starts a JVM for Spark: tens of seconds), or it exits."""
    import requests

    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        assert proc.poll() is None, log.read_text()[-3000:]
        try:
            if requests.get(f"{url}/ping", timeout=2).ok:
                return
        except requests.ConnectionError:
            pass
        time.sleep(0.5)
    raise AssertionError(f"{url} did not answer within 300s: {log.read_text()[-3000:]}")


def test_no_secret_in_the_connect_server_log(client_run, connect_server):
    *_, secrets, _ = client_run
    log = connect_server.log_path.read_text(errors="replace")
    assert log and not [s for s in secrets if s in log]
