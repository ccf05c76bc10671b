"""The Spark Connect client tests, run in .venv-connect (pyspark-client, no py4j, no JPype, no
java on PATH, JAVA_HOME unset) by tests/spark_connect/test_connect.py, which starts the servers,
logs the models this side loads, and checks what this side logged and predicted (plan.json in
BRIDGE_CONNECT_WORK in, results.json and <name>.parquet out). Self-contained: run with --noconftest."""

from __future__ import annotations

import importlib.metadata
import importlib.util
import json
import os
import re
import shutil
import socket
import threading
from pathlib import Path

import pytest

from bridge import AccessDeniedError, BadInputError, NotFoundError, ServerUnreachableError
from bridge.spark_connect import ConnectMlflow

WORK = Path(os.environ["BRIDGE_CONNECT_WORK"])
PLAN = json.loads((WORK / "plan.json").read_text())
RESULTS = WORK / "results.json"


def _record(**kv: str) -> None:
    done = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    RESULTS.write_text(json.dumps({**done, **kv}))


@pytest.fixture(scope="module")
def spark():
    from pyspark.sql import SparkSession

    session = SparkSession.builder.remote(PLAN["connect_url"]).getOrCreate()
    yield session
    session.stop()


@pytest.fixture(scope="module")
def m(spark):
    """The session API's third backend: `bridge.connect("connect", ...)` over this Connect session."""
    import bridge

    session = bridge.connect("connect", PLAN["tracking_uri"], spark=spark)
    assert isinstance(session, ConnectMlflow)
    return session


def _predictions(df, name: str) -> None:
    """Rows by id, prediction and (for classifiers) the probabilities, saved for the other side."""
    from pyspark.ml.functions import vector_to_array

    cols = ["id", "prediction"] + (["probability"] if "probability" in df.columns else [])
    out = df.select(*cols)
    if "probability" in cols:
        out = out.withColumn("probability", vector_to_array(out["probability"]))
    pdf = out.toPandas().sort_values("id")
    pdf.attrs = {}  # Connect's plan metrics, which Parquet's pandas metadata cannot hold
    pdf.to_parquet(WORK / f"{name}.parquet")


def test_this_client_has_no_jvm():
    assert shutil.which("java") is None and "JAVA_HOME" not in os.environ
    assert importlib.util.find_spec("py4j") is None and importlib.util.find_spec("jpype") is None
    assert importlib.metadata.version("pyspark-client") == PLAN["spark"]
    with pytest.raises(importlib.metadata.PackageNotFoundError):
        importlib.metadata.version("pyspark")


def test_fit_and_log_over_connect(spark, m):
    """Wine (numbers) and the zoo's categorical data (strings, missing values, an unseen category)."""
    from pyspark.ml import Pipeline
    from pyspark.ml.classification import LogisticRegression
    from pyspark.ml.feature import Imputer, OneHotEncoder, StringIndexer, VectorAssembler

    wine = spark.read.parquet(PLAN["wine"])
    feats = [c for c in wine.columns if c not in ("id", "label")]
    wine_model = Pipeline(stages=[VectorAssembler(inputCols=feats, outputCol="features"), LogisticRegression(maxIter=50)]).fit(wine)

    zoo_train, zoo_score = spark.read.parquet(PLAN["zoo_train"]), spark.read.parquet(PLAN["zoo_score"])
    cats, nums = ["color", "size", "shape"], ["weight", "price"]
    zoo_model = Pipeline(
        stages=[
            StringIndexer(inputCols=cats, outputCols=[f"{c}_i" for c in cats], handleInvalid="keep"),
            OneHotEncoder(inputCols=[f"{c}_i" for c in cats], outputCols=[f"{c}_v" for c in cats]),
            Imputer(inputCols=nums, outputCols=[f"{c}_f" for c in nums]),
            VectorAssembler(inputCols=[f"{c}_v" for c in cats] + [f"{c}_f" for c in nums], outputCol="features"),
            LogisticRegression(maxIter=30),
        ]
    ).fit(zoo_train)

    exp = m.experiments.get_or_create("bridge-tests-connect")
    with m.runs.start(exp, "connect-fitted") as run:
        run.log_params({"maxIter": 50})
        wine_info = run.log_model(wine_model, "wine", example=wine.drop("label").limit(3), training=wine.drop("label"))
        zoo_in = zoo_train.drop("label")
        zoo_info = run.log_model(zoo_model, "zoo", example=zoo_in.limit(3), training=zoo_in)
    assert set(wine_info.flavors) == {"spark", "python_function"} and "alcohol" in wine_info.input_columns
    assert wine_info.input_example_json and zoo_info.signature_inputs
    _predictions(wine_model.transform(wine), "connect_wine")
    _predictions(zoo_model.transform(zoo_score.drop("label")), "connect_zoo")
    _record(wine=wine_info.model_uri, zoo=zoo_info.model_uri, run_id=run.run_id)

    registered = m.registry.register(wine_info.model_uri, "bridge-tests-connect-wine", alias="champion")
    assert registered["version"]
    _record(registered=f"models:/{registered['name']}@champion")


@pytest.mark.parametrize("name", ["stock", "scala"])
def test_load_over_connect(spark, m, name):
    """Models logged by stock classic Python, by the Scala engine, and one with a custom Scala stage."""
    uri, data = PLAN[name]
    model = m.models.load(uri)
    _predictions(model.transform(spark.read.parquet(data)), f"loaded_{name}")


def test_load_registered_alias(spark, m):
    model = m.models.load(json.loads(RESULTS.read_text())["registered"])
    _predictions(model.transform(spark.read.parquet(PLAN["wine"]).drop("label")), "loaded_alias")


def test_bad_input(spark, m):
    wine = spark.read.parquet(PLAN["wine"])
    model = m.models.load(PLAN["scala"][0])  # the stock one has no signature: Spark's own error then
    with pytest.raises(BadInputError, match=r"lacks column\(s\) alcohol that model .* needs"):
        model.transform(wine.drop("alcohol"))
    with pytest.raises(NotFoundError, match="0123456789abcdef"):
        m.models.load("runs:/0123456789abcdef/model")
    with pytest.raises(BadInputError, match="is not a spark model"):
        m.models.load(PLAN["sklearn"])
    with pytest.raises(BadInputError, match="needs a Python class named after the stage's JVM class"):
        m.models.load(PLAN["custom"][0])  # com.acme.ml.ShiftModel: pyspark's Connect ML has no Python class for it
    with pytest.raises(BadInputError, match="not available over Spark Connect"):
        m.artifacts  # noqa: B018


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_server_that_does_not_answer():
    port = _free_port()
    with pytest.raises(ServerUnreachableError, match=f"sc://127.0.0.1:{port} does not answer"):
        ConnectMlflow.remote(f"sc://127.0.0.1:{port}", PLAN["tracking_uri"])


# A call of a type no plugin on the server takes gets what a Connect server without ours answers
# (Spark's "no handler for extension"), from the same server.
NO_SUCH_CALL = "type.googleapis.com/mlflowbridge.connect.NoSuchCall"
NO_PLUGIN = (
    r"has no mlflow-bridge plugin: start it with --conf spark\.connect\.extensions\.relation\.classes=mlflowbridge\.connect\.MlflowRelationPlugin"
)


def test_server_without_the_plugin(spark, monkeypatch):
    from bridge.spark_connect import wire

    monkeypatch.setattr(wire, "TYPE_URL", NO_SUCH_CALL)
    with pytest.raises(BadInputError, match=NO_PLUGIN):
        ConnectMlflow(spark, PLAN["tracking_uri"])


def _score_cli(capsys, url: str, model_uri: str, data: str, output: Path) -> tuple[int, str, str]:
    """`mlflow-bridge score --remote ...` by its main() in this process: (exit code, stdout, stderr)."""
    from bridge import cli

    capsys.readouterr()
    code = cli.main(["score", "--remote", url, "--model-uri", model_uri, "--input", data, "--output", str(output)])
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_scores_a_custom_scala_stage_on_the_server(monkeypatch, capsys):
    """com.acme.ml.ShiftModel (its jar on the server's classpath): the Scala engine scores it there."""
    monkeypatch.setenv("MLFLOW_TRACKING_URI", PLAN["tracking_uri"])
    uri, data = PLAN["custom"]
    code, out, err = _score_cli(capsys, PLAN["connect_url"], uri, data, WORK / "scored_custom.parquet")
    assert code == 0 and "with the scala engine" in out, err


@pytest.mark.parametrize("case", ["no plugin", "no server", "no such model", "not a spark model", "wrong password", "missing column"])
def test_cli_bad_input_is_one_line(case, monkeypatch, capsys, tmp_path):
    from bridge.spark_connect import wire

    url, uri, data = PLAN["connect_url"], PLAN["scala"][0], PLAN["wine"]
    monkeypatch.setenv("MLFLOW_TRACKING_URI", PLAN["tracking_uri"])
    if case == "no plugin":
        monkeypatch.setattr(wire, "TYPE_URL", NO_SUCH_CALL)
        want = NO_PLUGIN
    elif case == "no server":
        url = f"sc://127.0.0.1:{_free_port()}"
        want = f"{url} does not answer"
    elif case == "no such model":
        uri, want = "runs:/0123456789abcdef/model", "0123456789abcdef"
    elif case == "not a spark model":
        uri, want = PLAN["sklearn"], "(?i)not a spark (ml )?model"
    elif case == "wrong password":
        auth = PLAN["auth"]
        monkeypatch.setenv("MLFLOW_TRACKING_URI", auth["uri"])
        monkeypatch.setenv("MLFLOW_TRACKING_USERNAME", "alice")
        monkeypatch.setenv("MLFLOW_TRACKING_PASSWORD", "wrong-" + auth["alice"])
        want = "(?i)(denied|unauthori[sz]ed|credentials)"
    else:
        import pandas as pd

        data = str(tmp_path / "wine_without_alcohol.parquet")
        pd.read_parquet(PLAN["wine"]).drop(columns=["alcohol"]).to_parquet(data)
        want = "alcohol"
    code, out, err = _score_cli(capsys, url, uri, data, tmp_path / "out.parquet")
    lines = [line for line in err.splitlines() if line.strip()]
    assert code == 2 and len(lines) == 1 and lines[0].startswith("mlflow-bridge score: error: "), err
    assert re.search(want, lines[0]), lines[0]


def test_two_users_at_once(spark):
    """Each call acts as its own client's user: two users, each with a Connect session of their own, on one server at the same time."""
    from pyspark.sql import SparkSession

    auth = PLAN["auth"]
    admin = ConnectMlflow(spark, auth["uri"], env={"MLFLOW_TRACKING_USERNAME": "admin", "MLFLOW_TRACKING_PASSWORD": auth["admin"]})
    other = SparkSession.builder.remote(PLAN["connect_url"]).create()
    alice = ConnectMlflow(other, auth["uri"], env={"MLFLOW_TRACKING_USERNAME": "alice", "MLFLOW_TRACKING_PASSWORD": auth["alice"]})
    outcome: dict[str, object] = {}

    def as_admin():
        outcome["admin"] = admin.experiments.get_or_create("admins-only")

    def as_alice():
        outcome["alice"] = alice.experiments.get_or_create("alices")

    threads = [threading.Thread(target=f) for f in (as_admin, as_alice)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert outcome["admin"] and outcome["alice"] and outcome["admin"] != outcome["alice"]
    with pytest.raises(AccessDeniedError):  # READ only on what the admin made
        alice.runs.start(str(outcome["admin"]), "not-allowed")
    wrong = {"MLFLOW_TRACKING_USERNAME": "alice", "MLFLOW_TRACKING_PASSWORD": "wrong-" + auth["alice"]}
    with pytest.raises(AccessDeniedError):
        ConnectMlflow(spark, auth["uri"], env=wrong).experiments.get_or_create("alices")
