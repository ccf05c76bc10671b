"""bridge.Mlflow, Python's face of mlflowbridge.Mlflow, on both backends: the run scope, batching,
registry results as MLflow's own entities, artifacts, and errors that name what was wrong."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import unique
from mlflow.entities import Run
from mlflow.entities.model_registry import ModelVersion, RegisteredModel

import bridge


def test_run_scope_finishes_and_splits_batches(jvm, mlflow_client):
    exp_id = jvm.experiments.get_or_create(unique(f"api-{jvm.backend}"))
    params = {f"p{i}": i for i in range(150)}
    metrics = {f"m{i}": i / 4 for i in range(1200)}
    with jvm.runs.start(exp_id, "scope", tags={"team": "jvm"}) as run:
        run.log_params(params)
        run.log_metrics(metrics, step=2)
        run.log_metric("rmse", 0.5)
        run.set_tags({"stage": "train"})
    got = jvm.runs.get(run.run_id)
    assert isinstance(got, Run) and got.info.status == "FINISHED" and got.info.run_name == "scope"
    assert got.data.params == {k: str(v) for k, v in params.items()}
    assert len(got.data.metrics) == 1201 and got.data.metrics["m1199"] == 299.75
    assert got.data.tags["team"] == "jvm" and got.data.tags["stage"] == "train"
    assert mlflow_client.get_metric_history(run.run_id, "m7")[0].step == 2
    assert jvm.experiments.get(exp_id).experiment_id == exp_id == run.experiment_id


def test_run_scope_fails_and_reraises_and_children_name_their_parent(jvm, mlflow_client):
    exp_id = jvm.experiments.get_or_create(unique(f"api-fail-{jvm.backend}"))
    with pytest.raises(ZeroDivisionError):
        with jvm.runs.start(exp_id, "outer") as outer:
            with outer.start_child("inner") as inner:
                inner.log_param("depth", 2)
            1 / 0
    assert mlflow_client.get_run(outer.run_id).info.status == "FAILED"
    child = mlflow_client.get_run(inner.run_id)
    assert child.info.status == "FINISHED" and child.data.tags["mlflow.parentRunId"] == outer.run_id


def test_artifacts_round_trip_without_python(jvm, tmp_path):
    exp_id = jvm.experiments.get_or_create(unique(f"api-art-{jvm.backend}"))
    (tmp_path / "src" / "sub").mkdir(parents=True)
    (tmp_path / "src" / "a.txt").write_text("a\n")
    (tmp_path / "src" / "sub" / "b.bin").write_bytes(bytes(range(256)))
    with jvm.runs.start(exp_id, "artifacts") as run:
        run.log_artifacts(tmp_path / "src", "data")
    assert sorted(jvm.artifacts.list(run.run_id, "data")) == [("data/a.txt", False, 2), ("data/sub", True, 0)]
    local = jvm.artifacts.download(run.run_id, "data", tmp_path / "dst")
    assert (local / "sub" / "b.bin").read_bytes() == bytes(range(256)) and (local / "a.txt").read_text() == "a\n"


def test_registry_results_are_mlflow_entities(jvm, mlflow_client, tmp_path):
    exp_id = jvm.experiments.get_or_create(unique(f"api-reg-{jvm.backend}"))
    (tmp_path / "MLmodel").write_text("flavors: {}\n")
    with jvm.runs.start(exp_id, "reg") as run:
        run.log_artifacts(tmp_path / "MLmodel", "model")
    name = unique(f"api-reg-{jvm.backend}")
    mv = jvm.registry.register(f"runs:/{run.run_id}/model", name, alias="champion")
    assert isinstance(mv, ModelVersion) and (mv.name, mv.version, mv.run_id, mv.status, mv.aliases) == (name, "1", run.run_id, "READY", ["champion"])
    assert jvm.registry.get_model_version_by_alias(name, "champion").version == "1"
    rm = jvm.registry.get_registered_model(name)
    assert isinstance(rm, RegisteredModel) and rm.aliases == {"champion": "1"}
    assert [m.name for m in jvm.registry.search_registered_models(f"name = '{name}'")] == [name]
    assert mlflow_client.get_model_version_by_alias(name, "champion").run_id == run.run_id


def test_errors_name_what_was_wrong(jvm):
    with pytest.raises(bridge.NotFoundError, match="run '0123456789abcdef0123456789abcdef' does not exist"):
        jvm.runs.get("0123456789abcdef0123456789abcdef")
    with pytest.raises(bridge.BadInputError, match="experiment name must not be empty"):
        jvm.experiments.get_or_create(" ")
    with pytest.raises(bridge.NotFoundError, match="registered model 'no-such-model-x' does not exist"):
        jvm.registry.get_registered_model("no-such-model-x")
    run = jvm.runs.start(jvm.experiments.get_or_create(unique("api-err")), "bad-end")
    with pytest.raises(bridge.BadInputError, match="a run ends FINISHED, FAILED or KILLED, not 'DONE'"):
        run.end("DONE")
    run.end()
    with pytest.raises(bridge.BadInputError, match="does not exist"):
        run.log_artifacts(Path("/no/such/file"))


def test_a_pyspark_model_needs_the_py4j_backend(sessions, spark):
    from pyspark.ml import Pipeline
    from pyspark.ml.feature import VectorAssembler

    df = spark.createDataFrame([(1.0, 2.0)], ["a", "b"])
    model = Pipeline(stages=[VectorAssembler(inputCols=["a", "b"], outputCol="f")]).fit(df)
    with pytest.raises(bridge.BadInputError, match="lives in pyspark's JVM: pass it through backend='py4j'"):
        sessions["jpype"].models.log("any-run", model)
