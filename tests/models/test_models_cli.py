"""`mlflow-bridge score` / `compare` on files, bad input at the API and the CLI, legacy layouts.

(Stock `mlflow models serve` on a Scala-logged model is in test_serve, beside ours.)
"""

from __future__ import annotations

import shutil
from pathlib import Path

import mlflow
import numpy as np
import pandas as pd
import pytest
from models_fixtures import features

from bridge import BadInputError, NotFoundError
from bridge.models import python_engine, scoring, tables


@pytest.mark.parametrize("fmt", ["csv", "parquet", "jsonl"])
def test_score_file_formats_round_trip(logged_models, tmp_path, fmt):
    x = features("classifier").head(25)
    src = tmp_path / f"in.{fmt}"
    tables.write(x, src)
    uri = logged_models[("classifier", "scala")]
    assert scoring.score_file(uri, src, tmp_path / f"py.{fmt}", "python") == 25
    assert scoring.score_file(uri, src, tmp_path / f"sc.{fmt}", "scala", backend="py4j") == 25
    # Both engines write the same file, byte for byte (the same Spark writer), in the input's order.
    assert (tmp_path / f"py.{fmt}").read_bytes() == (tmp_path / f"sc.{fmt}").read_bytes()
    back = tables.read(tmp_path / f"sc.{fmt}")
    assert list(back.columns) == list(x.columns) + ["prediction", "rawPrediction", "probability"]
    assert np.array_equal(back["alcohol"].to_numpy(), x["alcohol"].to_numpy())
    expected = mlflow.pyfunc.load_model(uri).predict(x)
    assert np.array_equal(back["prediction"].to_numpy(dtype=float), np.asarray(expected, dtype=float))


def test_cli_score_with_the_scala_engine_over_jpype(logged_models, run_cli, tmp_path):
    x = features("linear").head(40)
    tables.write(x, tmp_path / "in.csv")
    r = run_cli("score", "--model-uri", logged_models[("linear", "python")], "--input", str(tmp_path / "in.csv"),
            "--output", str(tmp_path / "out.parquet"), "--engine", "scala", "--backend", "jpype")  # fmt: skip
    assert r.returncode == 0, r.stderr[-3000:]
    assert "scored 40 rows with the scala engine (jpype)" in r.stdout
    out = pd.read_parquet(tmp_path / "out.parquet")
    expected = scoring.score_frame(logged_models[("linear", "python")], x, "python")
    assert np.abs(out["prediction"].to_numpy() - expected["prediction"].to_numpy()).max() <= 1e-9


def test_cli_compare_reports_and_exits_zero(logged_models, run_cli, tmp_path):
    tables.write(features("gbt").head(60), tmp_path / "in.jsonl")
    r = run_cli("compare", "--model-uri", logged_models[("gbt", "scala")], "--input", str(tmp_path / "in.jsonl"))
    assert r.returncode == 0, r.stderr[-3000:]
    assert "rows compared: 60" in r.stdout and "verdict: AGREE" in r.stdout
    assert "prediction" in r.stdout


# -- bad input: a clear error naming what was wrong, at the API and the CLI ------------------------


@pytest.mark.parametrize("engine", ["python", "scala"])
def test_missing_column(logged_models, engine):
    x = features("linear").drop(columns=["bmi"]).head(5)
    with pytest.raises(BadInputError, match="bmi"):
        scoring.score_frame(logged_models[("linear", "scala")], x, engine, backend="py4j")


@pytest.mark.parametrize("engine", ["python", "scala"])
def test_wrong_type(logged_models, engine):
    x = features("linear").head(5).copy()
    x["age"] = "old"
    with pytest.raises(BadInputError, match="age"):
        scoring.score_frame(logged_models[("linear", "scala")], x, engine, backend="py4j")


@pytest.mark.parametrize("engine", ["python", "scala"])
def test_nulls(logged_models, engine):
    x = features("linear").head(5).copy()
    x.loc[2, "bp"] = None
    with pytest.raises(BadInputError, match="bp.*null|null.*bp"):
        scoring.score_frame(logged_models[("linear", "scala")], x, engine, backend="py4j")


def test_empty_file(tmp_path, logged_models, run_cli):
    (tmp_path / "empty.csv").write_text("")
    with pytest.raises(BadInputError, match=f"input file {tmp_path / 'empty.csv'} is empty"):
        scoring.score_file(logged_models[("linear", "python")], tmp_path / "empty.csv", tmp_path / "o.csv", "python")
    r = run_cli(
        "score", "--model-uri", logged_models[("linear", "python")], "--input", str(tmp_path / "empty.csv"), "--output", str(tmp_path / "o.csv")
    )
    assert r.returncode == 2
    assert r.stderr.strip() == f"mlflow-bridge score: error: input file {tmp_path / 'empty.csv'} is empty"


@pytest.mark.parametrize("engine", ["python", "scala"])
def test_model_uri_that_does_not_exist(engine, tracking_uri):
    x = features("linear").head(3)
    with pytest.raises(NotFoundError, match="0123456789abcdef0123456789abcdef"):
        scoring.score_frame("runs:/0123456789abcdef0123456789abcdef/model", x, engine, backend="py4j")


@pytest.mark.parametrize("engine", ["python", "scala"])
def test_registered_model_without_that_alias(logged_models, registered_name, engine):
    x = features("classifier").head(3)
    with pytest.raises(NotFoundError, match="nosuchalias"):
        scoring.score_frame(f"models:/{registered_name}@nosuchalias", x, engine, backend="py4j")


def _copy_model(uri: str, dst: Path) -> Path:
    return Path(mlflow.artifacts.download_artifacts(uri, dst_path=str(dst)))


@pytest.mark.parametrize("engine", ["python", "scala"])
def test_corrupted_mlmodel(logged_models, tmp_path, engine):
    local = _copy_model(logged_models[("linear", "scala")], tmp_path)
    (local / "MLmodel").write_text("flavors: [this is: not: valid\n")
    with pytest.raises(BadInputError, match="MLmodel"):
        scoring.score_frame(str(local), features("linear").head(3), engine, backend="py4j")


@pytest.mark.parametrize("engine", ["python", "scala"])
def test_sparkml_directory_missing(logged_models, tmp_path, engine):
    local = _copy_model(logged_models[("linear", "scala")], tmp_path)
    shutil.rmtree(local / "sparkml")
    with pytest.raises(BadInputError, match="sparkml"):
        scoring.score_frame(str(local), features("linear").head(3), engine, backend="py4j")


def test_cli_names_a_missing_column(logged_models, run_cli, tmp_path):
    tables.write(features("linear").drop(columns=["s1"]).head(5), tmp_path / "in.csv")
    r = run_cli("score", "--model-uri", logged_models[("linear", "python")], "--input", str(tmp_path / "in.csv"), "--output", str(tmp_path / "o.csv"))
    assert r.returncode == 2
    assert "error: input is missing column(s) 's1' needed by stage 1 of 2 (VectorAssembler" in r.stderr, r.stderr


# -- legacy Scala runs: a saved PipelineModel logged as raw artifacts (amesar/mlflow-examples) ---


def test_legacy_layout_loads_in_python(spark, logged_models, mlflow_client, tmp_path, jvm):
    model = mlflow.spark.load_model(logged_models[("linear", "scala")])
    model.write().overwrite().save(str(tmp_path / "spark-model" / "sparkml"))
    exp_id = jvm.experiments.get_or_create("legacy-layout")
    run_id = str(jvm.client.createRun(exp_id).getRunId())
    jvm.client.logArtifacts(run_id, jvm.java_file(tmp_path / "spark-model"), "spark-model")
    src = tmp_path / "input.parquet"
    features("linear").head(10).to_parquet(src, index=False)
    python_engine.score(model, None, spark, src, tmp_path / "expected.parquet")
    expected = pd.read_parquet(tmp_path / "expected.parquet")["prediction"].to_numpy()
    for uri in (f"runs:/{run_id}/spark-model/sparkml", f"runs:/{run_id}/spark-model"):
        assert "legacy layout" in python_engine.describe_layout(uri)
        legacy, signature = python_engine.load(uri, spark)
        assert signature is None
        python_engine.score(legacy, signature, spark, src, tmp_path / "got.parquet")
        assert np.array_equal(pd.read_parquet(tmp_path / "got.parquet")["prediction"].to_numpy(), expected)
