"""Both engines agree on models logged from either side; stock Python loads Scala-logged models."""

from __future__ import annotations

import json

import mlflow
import numpy as np
import pytest
from models_fixtures import KINDS, ORIGINS, features

from bridge.models import scoring

# Both engines run the same Spark MLlib code on the same typed input, so scores are expected to
# be bit-identical; 1e-9 is the product's default tolerance and what is asserted.
TOLERANCE = 1e-9


@pytest.mark.parametrize("origin", ORIGINS)
@pytest.mark.parametrize("kind", KINDS)
def test_engines_agree(logged_models, kind, origin):
    cmp = scoring.compare_engines(logged_models[(kind, origin)], features(kind), TOLERANCE, backend="py4j")
    print(f"{kind}/{origin}: {cmp.max_abs_diff}")
    assert cmp.rows == len(features(kind))
    assert "prediction" in cmp.max_abs_diff
    if kind == "classifier":
        assert "probability" in cmp.max_abs_diff
    assert cmp.ok, cmp.render()


@pytest.mark.parametrize("origin", ORIGINS)
def test_scala_engine_through_jpype_matches_python(logged_models, origin):
    frame = features("classifier")
    py = scoring.score_frame(logged_models[("classifier", origin)], frame, "python")
    sc = scoring.score_frame(logged_models[("classifier", origin)], frame, "scala", backend="jpype")
    assert np.array_equal(py["alcohol"].to_numpy(), frame["alcohol"].to_numpy())  # the input's row order, kept
    assert np.array_equal(py["prediction"].to_numpy(), sc["prediction"].to_numpy())
    assert np.abs(np.stack(py["probability"]) - np.stack(sc["probability"])).max() <= TOLERANCE


@pytest.mark.parametrize("kind", KINDS)
def test_stock_python_loads_scala_logged_models(logged_models, kind):
    uri = logged_models[(kind, "scala")]
    x = features(kind)
    pyfunc_pred = np.asarray(mlflow.pyfunc.load_model(uri).predict(x), dtype=float).ravel()
    scala = scoring.score_frame(uri, x, "scala", backend="py4j")
    assert np.abs(pyfunc_pred - scala["prediction"].to_numpy()).max() <= TOLERANCE
    spark_model = mlflow.spark.load_model(uri)
    assert [type(s).__name__ for s in spark_model.stages][-1] in ("LinearRegressionModel", "GBTRegressionModel", "LogisticRegressionModel")


def test_scala_logged_model_is_a_model_in_the_ui(logged_models, mlflow_client):
    uri = logged_models[("classifier", "scala")]
    run_id = uri.split("/")[1]
    history = json.loads(mlflow_client.get_run(run_id).data.tags["mlflow.log-model.history"])
    assert history[0]["artifact_path"] == "model"
    assert set(history[0]["flavors"]) == {"spark", "python_function"}
    files = {f.path for f in mlflow_client.list_artifacts(run_id, "model")}
    assert {"model/MLmodel", "model/sparkml", "model/requirements.txt", "model/conda.yaml", "model/python_env.yaml"} <= files
    info = mlflow.models.get_model_info(uri)
    assert info.flavors["python_function"]["loader_module"] == "mlflow.spark"
    assert [c["name"] for c in info.signature.inputs.to_dict()][:2] == ["alcohol", "malic_acid"]


def test_registry_alias_uri_scores_in_scala(logged_models, registered_name):
    cmp = scoring.compare_engines(f"models:/{registered_name}@champion", features("classifier"), TOLERANCE, backend="py4j")
    # Agreement on what matters: the classifier's outputs, compared on every row.
    assert {"prediction", "probability"} <= {c.name for c in cmp.columns}, cmp.render()
    assert cmp.rows == len(features("classifier")) > 0 and all(len(c.per_row) == cmp.rows for c in cmp.columns)
    assert cmp.ok, cmp.render()
