"""JVM autologging (issue 28): a Scala program with no MLflow code (tests/autolog/TrainJob.scala),
run by `spark-submit --conf spark.extraListeners=mlflowbridge.autolog.MlflowAutolog`, logs its
Pipeline fits as `mlflow.pyspark.ml.autolog()` logs the same fits in pyspark; the two pictures
are compared key by key, and the differences left are exactly the ones docs/autolog.md lists."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import mlflow
import pytest
import yaml
from autolog_fixtures import autolog_lines, submit
from conftest import unique

from bridge.server import free_port

# ---- one run's picture, as the comparison sees it ----------------------------------------------


def artifact_names(client, run_id: str, path: str = "") -> set[str]:
    out: set[str] = set()
    for f in client.list_artifacts(run_id, path):
        out |= artifact_names(client, run_id, f.path) if f.is_dir and not f.path.endswith("sparkml") else {f.path}
    return out


def signature(sig: dict | None) -> dict | None:
    """Inputs by name (Python lists them in a set's order), the output without its name (Python drops
    it; ours keeps `prediction`): the two differences docs/autolog.md lists."""
    if sig is None:
        return None
    outputs = [{k: v for k, v in col.items() if k != "name"} for col in json.loads(sig["outputs"])] if sig.get("outputs") else None
    return {"inputs": sorted(json.loads(sig["inputs"]), key=lambda c: c["name"]), "outputs": outputs}


def picture(client, run) -> dict:
    rid = run.info.run_id
    names = artifact_names(client, rid)
    model = None
    if "model/MLmodel" in names:
        doc = yaml.safe_load(Path(client.download_artifacts(rid, "model/MLmodel")).read_text())
        model = {"flavors": sorted(doc["flavors"]), "signature": signature(doc.get("signature"))}
    children = client.search_runs([run.info.experiment_id], f"tags.mlflow.parentRunId = '{rid}'")
    return {
        "params": run.data.params,
        "tags": {k: v for k, v in run.data.tags.items() if not k.startswith("mlflow.")},
        "system_tags": sorted(k for k in run.data.tags if k.startswith("mlflow.")),
        "artifacts": names,
        "model": model,
        "inputs": [
            (d.dataset.name, d.dataset.source_type, sorted(t.key + "=" + t.value for t in d.tags), d.dataset.schema)
            for d in run.inputs.dataset_inputs
        ],
        "children": sorted((tuple(sorted(c.data.params.items())), tuple(sorted(c.data.metrics))) for c in children),
        "status": run.info.status,
        "metrics": run.data.metrics,
    }


def top_level(client, experiment: str) -> list:
    exp = client.get_experiment_by_name(experiment)
    runs = client.search_runs([exp.experiment_id], "", order_by=["attributes.start_time ASC"], max_results=100)
    return [r for r in runs if "mlflow.parentRunId" not in r.data.tags]


# The differences docs/autolog.md lists, and why; anything else fails the comparison.
TAG_DIFFERENCES = {"estimator_class"}  # the JVM class that ran (org.apache.spark.ml.Pipeline), not pyspark's wrapper
GIT_TAGS = "mlflow.source.git."  # each side's program decides: pytest in the venv vs a main class run in the work tree
SYSTEM_TAG_DIFFERENCES = {"mlflow.log-model.history"}  # our log_model records the model in the run, as Python's fluent log_model used to


def compare(py: dict, jvm: dict) -> list[str]:
    """Every difference between the two pictures, as lines (empty: the same)."""
    diffs = []
    for k in sorted(set(py["params"]) | set(jvm["params"])):
        if py["params"].get(k) != jvm["params"].get(k):
            diffs.append(f"param {k}: python={py['params'].get(k)!r} jvm={jvm['params'].get(k)!r}")
    for k in sorted(set(py["tags"]) | set(jvm["tags"])):
        if k not in TAG_DIFFERENCES and py["tags"].get(k) != jvm["tags"].get(k):
            diffs.append(f"tag {k}: python={py['tags'].get(k)!r} jvm={jvm['tags'].get(k)!r}")
    for k in sorted(set(py["system_tags"]) ^ set(jvm["system_tags"])):
        if k not in SYSTEM_TAG_DIFFERENCES and not k.startswith(GIT_TAGS):
            diffs.append(f"system tag {k}: only in {'python' if k in py['system_tags'] else 'jvm'}")
    for k in sorted(py["artifacts"] ^ jvm["artifacts"]):
        diffs.append(f"artifact {k}: only in {'python' if k in py['artifacts'] else 'jvm'}")
    if set(py["metrics"]) != set(jvm["metrics"]):
        diffs.append(f"metrics: python={sorted(py['metrics'])} jvm={sorted(jvm['metrics'])}")
    for k in ("model", "inputs", "children", "status"):
        if py[k] != jvm[k]:
            diffs.append(f"{k}: python={py[k]!r} jvm={jvm[k]!r}")
    return diffs


# ---- the tests ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def scala_train(train_job_jar, training_data, tracking_uri):
    experiment = unique("autolog-scala")
    r = submit(train_job_jar, "train", training_data, experiment)
    assert r.returncode == 0, r.stderr[-4000:]
    return experiment, r


@pytest.fixture(scope="module")
def python_train(spark, training_data, tracking_uri):
    """The same fits in pyspark under Python's own autolog."""
    from pyspark.ml import Pipeline
    from pyspark.ml.classification import LogisticRegression
    from pyspark.ml.feature import StandardScaler, StringIndexer, VectorAssembler
    from pyspark.ml.regression import LinearRegression

    experiment = unique("autolog-python")
    mlflow.set_tracking_uri(tracking_uri)
    mlflow.set_experiment(experiment)
    reg, cls = (spark.read.parquet(p) for p in training_data)
    mlflow.pyspark.ml.autolog()
    try:
        Pipeline(stages=[VectorAssembler(inputCols=["x1", "x2", "x3"], outputCol="features"), LinearRegression(maxIter=20)]).fit(reg)
        Pipeline(
            stages=[
                StringIndexer(inputCol="species", outputCol="label"),
                VectorAssembler(inputCols=["x1", "x2"], outputCol="raw"),
                StandardScaler(inputCol="raw", outputCol="features"),
                LogisticRegression(maxIter=20),
            ]
        ).fit(cls)
    finally:
        mlflow.pyspark.ml.autolog(disable=True)
    return experiment


def test_a_scala_program_without_mlflow_code_is_logged_as_python_logs_it(scala_train, python_train, mlflow_client):
    experiment, r = scala_train
    jvm_runs, py_runs = top_level(mlflow_client, experiment), top_level(mlflow_client, python_train)
    names = [(x.data.tags.get("estimator_name"), x.info.status) for x in jvm_runs]
    # regression, classifier, the nested Pipeline as one run, the CrossValidator (its fold fits are child runs)
    assert names == [("Pipeline", "FINISHED"), ("Pipeline", "FINISHED"), ("Pipeline", "FINISHED"), ("CrossValidator", "FINISHED")]
    for py_run, jvm_run in zip(py_runs, jvm_runs[:2], strict=True):
        diffs = compare(picture(mlflow_client, py_run), picture(mlflow_client, jvm_run))
        assert diffs == [], "\n".join(diffs)
    jvm = picture(mlflow_client, jvm_runs[0])
    assert jvm["params"]["stages"] == "['VectorAssembler', 'LinearRegression']"
    assert jvm["tags"]["estimator_class"] == "org.apache.spark.ml.Pipeline"
    assert jvm["model"]["flavors"] == ["python_function", "spark"]
    # The system tags of a JVM program: its main class is the source.
    assert jvm_runs[0].data.tags["mlflow.source.name"] == "com.acme.train.TrainJob"
    assert jvm_runs[0].data.tags["mlflow.autologging"] == "spark.ml"


def test_fold_fits_are_child_runs_and_a_model_off_the_allowlist_is_named(scala_train, mlflow_client):
    experiment, r = scala_train
    runs = top_level(mlflow_client, experiment)
    search = picture(mlflow_client, runs[3])
    # 2 folds x 2 param maps, each a child with its regParam; the refit's params and model in the search's run
    assert sorted(dict(c[0])["LinearRegression.regParam"] for c in search["children"]) == ["0.0", "0.0", "0.5", "0.5"]
    # The refit's params, dataset and model, though the program stops Spark right after this last fit
    # (what needs Spark jobs is written before `fit` returns; only the uploads wait for the application's end).
    assert search["params"]["stages"] == "['VectorAssembler', 'LinearRegression']"
    assert search["model"] is not None and search["model"]["flavors"] == ["python_function", "spark"], autolog_lines(r)
    assert [i[2] for i in search["inputs"]] == [["mlflow.data.context=train"]], autolog_lines(r)
    nested = picture(mlflow_client, runs[2])
    assert nested["params"]["stages"] == "['Pipeline_2', 'PCA']" and "Pipeline_2.stages" in nested["params"]
    assert nested["model"] is None
    [refused] = autolog_lines(r)  # the only autologging line of the run: nothing else was lost
    assert "pyspark.ml.feature.PCAModel is not on the model allowlist" in refused, autolog_lines(r)


def test_a_failed_fit_ends_its_run_failed(train_job_jar, training_data, tracking_uri, mlflow_client):
    experiment = unique("autolog-fail")
    r = submit(train_job_jar, "fail", training_data, experiment)
    assert r.returncode != 0 and "no_such_column" in r.stderr
    [run] = top_level(mlflow_client, experiment)
    assert run.info.status == "FAILED" and run.data.params["StringIndexer.inputCol"] == "no_such_column"


def test_a_server_that_does_not_answer_costs_one_line(train_job_jar, training_data):
    dead = f"http://127.0.0.1:{free_port()}"
    r = submit(train_job_jar, "one", training_data, "anything", {"MLFLOW_TRACKING_URI": dead, "MLFLOW_HTTP_REQUEST_MAX_RETRIES": "0"})
    assert r.returncode == 0, r.stderr[-3000:]
    [line] = autolog_lines(r)
    assert f"MLflow autologging is off for this application: could not start a run on {dead}" in line


def test_an_experiment_the_server_refuses_costs_one_line(train_job_jar, training_data, tracking_uri, mlflow_client):
    experiment = unique("autolog-deleted")
    mlflow_client.delete_experiment(mlflow_client.create_experiment(experiment))
    r = submit(train_job_jar, "one", training_data, experiment)
    assert r.returncode == 0, r.stderr[-3000:]
    [line] = autolog_lines(r)
    assert f"experiment '{experiment}' (spark.mlflow.experimentName)" in line and "is deleted" in line


def test_a_cross_validator_through_the_session_matches_python(spark, sessions, training_data, tracking_uri, mlflow_client):
    """The explicit call (Scala code over py4j) against Python's autolog of the same CrossValidator,
    then the same evaluation: `rmse_test` in both runs."""
    from pyspark.ml import Pipeline
    from pyspark.ml.evaluation import RegressionEvaluator
    from pyspark.ml.feature import VectorAssembler
    from pyspark.ml.regression import LinearRegression
    from pyspark.ml.tuning import CrossValidator, ParamGridBuilder

    reg = spark.read.parquet(training_data[0])
    test = spark.read.parquet(training_data[0])  # its own object: Python names the metric after the variable

    def cross_validator() -> CrossValidator:
        lr = LinearRegression(maxIter=10)
        pipeline = Pipeline(stages=[VectorAssembler(inputCols=["x1", "x2", "x3"], outputCol="features"), lr])
        grid = ParamGridBuilder().addGrid(lr.regParam, [0.0, 0.5]).build()
        return CrossValidator(estimator=pipeline, evaluator=RegressionEvaluator(), estimatorParamMaps=grid, numFolds=2, seed=7)

    py_experiment, jvm_experiment = unique("autolog-cv-python"), unique("autolog-cv-jvm")
    mlflow.set_tracking_uri(tracking_uri)
    mlflow.set_experiment(py_experiment)
    mlflow.pyspark.ml.autolog()
    try:
        model = cross_validator().fit(reg)
        predictions = model.transform(test)
        RegressionEvaluator().evaluate(predictions)
    finally:
        mlflow.pyspark.ml.autolog(disable=True)
    autolog = sessions["py4j"].autolog
    spark.conf.set("spark.mlflow.experimentName", jvm_experiment)
    try:
        jvm_model = autolog.fit(cross_validator(), reg)
        rmse = autolog.evaluate(RegressionEvaluator(), jvm_model.transform(test), "test")
    finally:
        spark.conf.unset("spark.mlflow.experimentName")
    [py_run], [jvm_run] = top_level(mlflow_client, py_experiment), top_level(mlflow_client, jvm_experiment)
    assert jvm_run.info.run_id == autolog.last_run_id
    py, jvm = picture(mlflow_client, py_run), picture(mlflow_client, jvm_run)
    diffs = compare(py, jvm)
    assert diffs == [], "\n".join(diffs)
    assert jvm["metrics"] == {"rmse_test": pytest.approx(rmse)}
    assert len(jvm["children"]) == 2 and all(metrics == ("avg_rmse", "std_rmse") for _, metrics in jvm["children"])


def test_wrong_credentials_cost_one_line(train_job_jar, training_data, tracking_uri):
    from secure_servers import BearerProxy

    with BearerProxy(tracking_uri, "the-right-token") as proxy:
        r = submit(
            train_job_jar, "one", training_data, unique("autolog-creds"), {"MLFLOW_TRACKING_URI": proxy.uri, "MLFLOW_TRACKING_TOKEN": "a-wrong-token"}
        )
    assert r.returncode == 0, r.stderr[-3000:]
    [line] = autolog_lines(r)
    assert f"MLflow autologging is off for this application: could not start a run on {proxy.uri}" in line and "401" in line, line


def test_a_session_the_bridge_starts_with_autolog_on_logs_a_pipeline_fit(training_data, tracking_uri, mlflow_client):
    """`bridge.jvm.spark_session(autolog=True)` in a pyspark program of its own (a session's listeners
    are fixed when it starts): the fit is a run with its model, the program has no MLflow call."""
    experiment = unique("autolog-session")
    job = Path(__file__).parent / "autolog" / "session_job.py"
    r = subprocess.run([sys.executable, str(job), experiment, training_data[0]], capture_output=True, text=True, timeout=600, env=dict(os.environ))
    assert r.returncode == 0, r.stderr[-4000:]
    assert autolog_lines(r) == [], autolog_lines(r)
    [run] = top_level(mlflow_client, experiment)
    jvm = picture(mlflow_client, run)
    assert jvm["status"] == "FINISHED" and jvm["params"]["stages"] == "['VectorAssembler', 'LinearRegression']"
    assert jvm["model"]["flavors"] == ["python_function", "spark"] and run.data.tags["mlflow.autologging"] == "spark.ml"
