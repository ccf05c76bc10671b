"""jvm.logged_models (MLflow 3 logged models) on both backends: what the JVM writes, Python's
stock MlflowClient reads, and the other way round; errors name the model."""

from __future__ import annotations

import pytest
from conftest import unique
from mlflow.entities import LoggedModel, LoggedModelStatus

import bridge


def test_logged_model_lifecycle_read_by_python(jvm, mlflow_client, tmp_path):
    lm = jvm.logged_models
    exp_id = jvm.experiments.get_or_create(unique(f"logged-{jvm.backend}"))
    with jvm.runs.start(exp_id, "train") as run:
        params = {f"p{i}": i for i in range(130)}  # over the 100 that go with the create
        m = lm.create_logged_model(exp_id, "scorer", source_run_id=run.run_id, tags={"team": "jvm"}, params=params, model_type="spark")
        assert isinstance(m, LoggedModel) and m.model_id.startswith("m-") and m.status == LoggedModelStatus.PENDING
        lm.log_model_params(m.model_id, {"extra": "yes"})
        lm.set_logged_model_tags(m.model_id, {"stage": "dev", "gone": "soon"})
        lm.delete_logged_model_tag(m.model_id, "gone")
        lm.log_metric(m.model_id, run.run_id, "rmse", 0.25, step=3)
        (tmp_path / "weights.txt").write_text("w=1\n")
        (tmp_path / "sub").mkdir()
        (tmp_path / "sub" / "more.txt").write_text("more\n")
        lm.log_model_artifacts(m.model_id, tmp_path)
        done = lm.finalize_logged_model(m.model_id, "READY")
    assert done.status == LoggedModelStatus.READY

    py = mlflow_client.get_logged_model(m.model_id)
    assert (py.name, py.experiment_id, py.source_run_id, py.model_type) == ("scorer", exp_id, run.run_id, "spark")
    assert py.params == {**{k: str(v) for k, v in params.items()}, "extra": "yes"}
    assert {k: v for k, v in py.tags.items() if not k.startswith("mlflow.")} == {"team": "jvm", "stage": "dev"}
    assert [(x.key, x.value, x.step, x.run_id) for x in py.metrics] == [("rmse", 0.25, 3, run.run_id)]
    got = lm.get_logged_model(m.model_id)
    assert (got.params, got.tags, got.status, got.artifact_location) == (py.params, py.tags, py.status, py.artifact_location)
    assert mlflow_client.get_run(run.run_id).data.metrics["rmse"] == 0.25

    files = {(f.path, f.is_dir) for f in lm.list_logged_model_artifacts(m.model_id)}
    assert files == {(f.path, f.is_dir) for f in mlflow_client.list_logged_model_artifacts(m.model_id)}
    assert files == {("weights.txt", False), ("sub", True)}
    assert [f.path for f in lm.list_logged_model_artifacts(m.model_id, "sub")] == ["sub/more.txt"]

    # Python-made models are found by the JVM's search, and the JVM's by Python's.
    other = mlflow_client.create_logged_model(exp_id, name="from-python")
    found = lm.search_logged_models([exp_id], filter_string="name = 'from-python'")
    assert [x.model_id for x in found] == [other.model_id]
    assert {x.model_id for x in lm.search_logged_models([exp_id])} == {m.model_id, other.model_id}
    assert len(lm.search_logged_models([exp_id], max_results=1)) == 1
    assert [x.model_id for x in lm.search_logged_models([exp_id], "metrics.rmse < 1")] == [m.model_id]
    assert [x.model_id for x in mlflow_client.search_logged_models([exp_id], filter_string="name = 'scorer'")] == [m.model_id]

    lm.delete_logged_model(m.model_id)
    with pytest.raises(bridge.NotFoundError, match=m.model_id):
        lm.get_logged_model(m.model_id)
    assert [x.model_id for x in mlflow_client.search_logged_models([exp_id])] == [other.model_id]


def test_logged_model_errors_name_what_was_wrong(jvm):
    lm = jvm.logged_models
    with pytest.raises(bridge.NotFoundError, match="logged model 'm-0000'"):
        lm.get_logged_model("m-0000")
    with pytest.raises(bridge.BadInputError, match="status 'DONE' is not one of READY, FAILED"):
        lm.finalize_logged_model("m-0000", "DONE")
    with pytest.raises(bridge.BadInputError, match="experiment id must not be empty"):
        lm.create_logged_model("")
    with pytest.raises(bridge.BadInputError, match="give at least one experiment id"):
        lm.search_logged_models([])
