"""log_text/log_dict/log_image/log_table, log_input and models.info from the JVM (both backends):
the files are the bytes Python's MlflowClient writes, and Python's stock readers (load_text,
load_dict, load_image, load_table, get_run(...).inputs, get_model_info) read what the JVM wrote."""

from __future__ import annotations

import io

import mlflow
import mlflow.artifacts
import numpy as np
import pandas as pd
import pytest
from conftest import unique
from mlflow.data.digest_utils import get_normalized_md5_digest
from mlflow.utils.proto_json_utils import dataframe_from_parsed_json

import bridge


def _bytes(client, run_id: str, path: str, tmp_path) -> bytes:
    return open(client.download_artifacts(run_id, path, str(tmp_path)), "rb").read()


def _png() -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (4, 3), (10, 200, 30)).save(buf, format="PNG")
    return buf.getvalue()


def test_python_reads_the_jvm_files_byte_for_byte(jvm, mlflow_client, tmp_path):
    """The same calls through the JVM and through Python's MlflowClient leave the same bytes and tags."""
    exp_id = jvm.experiments.get_or_create(unique(f"writers-{jvm.backend}"))
    py_run = mlflow_client.create_run(exp_id).info.run_id
    config = {"lr": 0.05, "layers": [64, 32], "name": "wine/ü", "opt": {"beta": 1e-05, "on": True, "none": None}}
    first = pd.DataFrame({"text": ["a/b", "ä"], "score": [0.125, 1 / 3], "n": [1, 2]})
    more = pd.DataFrame({"text": ["c"], "extra": [True]})
    with jvm.runs.start(exp_id, "writers") as run:
        run.log_text("héllo\nworld", "notes/a.txt")
        run.log_dict(config, "cfg/config.json")
        run.log_dict({"b": 1, "a": [1, 2], "c": {"d": "x"}}, "cfg/config.yaml")
        run.log_image(_png(), "plots/fig.png")
        run.log_table(first, "eval/table.json")
        run.log_table(more, "eval/table.json")  # appended, as in Python
    mlflow_client.log_text(py_run, "héllo\nworld", "notes/a.txt")
    mlflow_client.log_dict(py_run, config, "cfg/config.json")
    mlflow_client.log_dict(py_run, {"b": 1, "a": [1, 2], "c": {"d": "x"}}, "cfg/config.yaml")
    mlflow_client.log_table(py_run, first, "eval/table.json")
    mlflow_client.log_table(py_run, more, "eval/table.json")
    for path in ("notes/a.txt", "cfg/config.json", "cfg/config.yaml", "eval/table.json"):
        assert _bytes(mlflow_client, run.run_id, path, tmp_path / "j") == _bytes(mlflow_client, py_run, path, tmp_path / "p"), path
    tag = "mlflow.loggedArtifacts"
    assert mlflow_client.get_run(run.run_id).data.tags[tag] == mlflow_client.get_run(py_run).data.tags[tag]

    uri = f"runs:/{run.run_id}"
    assert mlflow.artifacts.load_text(f"{uri}/notes/a.txt") == "héllo\nworld"
    assert mlflow.artifacts.load_dict(f"{uri}/cfg/config.json") == config
    assert mlflow.artifacts.load_image(f"{uri}/plots/fig.png").getpixel((3, 2)) == (10, 200, 30)
    mlflow.set_tracking_uri(jvm.tracking_uri)
    mlflow.set_experiment(experiment_id=exp_id)
    back = mlflow.load_table("eval/table.json", run_ids=[run.run_id])
    pd.testing.assert_frame_equal(back, pd.concat([first, more], ignore_index=True), check_dtype=False)


def test_log_table_from_a_spark_frame(jvm, spark, mlflow_client, tmp_path):
    pdf = spark.range(3).selectExpr("id", "id * 0.5 AS half", "CAST(id AS STRING) AS s")
    df = pdf if jvm.backend == "py4j" else _jpype_frame(jvm, pdf, tmp_path)
    exp_id = jvm.experiments.get_or_create(unique(f"writers-table-{jvm.backend}"))
    with jvm.runs.start(exp_id, "table") as run:
        run.log_table(df, "preds.json")
    py_run = mlflow_client.create_run(exp_id).info.run_id
    mlflow_client.log_table(py_run, pdf.toPandas(), "preds.json")
    assert _bytes(mlflow_client, run.run_id, "preds.json", tmp_path / "j") == _bytes(mlflow_client, py_run, "preds.json", tmp_path / "p")


def _jpype_frame(jvm, pdf, tmp_path):
    """The same rows as a DataFrame of the JPype JVM (pyspark's frames live in pyspark's JVM)."""
    pdf.write.parquet(str(tmp_path / "df.parquet"))
    return jvm.spark().read().parquet(str(tmp_path / "df.parquet"))


def test_log_input_records_what_from_spark_records(jvm, spark, mlflow_client, tmp_path):
    pdf = spark.range(5).selectExpr("id", "CAST(id AS DOUBLE) AS x", "concat('r', id) AS s")
    df = pdf if jvm.backend == "py4j" else _jpype_frame(jvm, pdf, tmp_path)
    exp_id = jvm.experiments.get_or_create(unique(f"inputs-{jvm.backend}"))
    with jvm.runs.start(exp_id, "inputs") as run:
        run.log_input(df, path="s3://bucket/train", name="train", context="training")
    (ours,) = mlflow_client.get_run(run.run_id).inputs.dataset_inputs

    mlflow.set_tracking_uri(jvm.tracking_uri)
    with mlflow.start_run(experiment_id=exp_id) as py_run:
        mlflow.log_input(mlflow.data.from_spark(pdf, path="s3://bucket/train", name="train"), context="training")
    (theirs,) = mlflow_client.get_run(py_run.info.run_id).inputs.dataset_inputs

    field = ("name", "source_type", "source", "schema", "profile")
    assert [getattr(ours.dataset, f) for f in field] == [getattr(theirs.dataset, f) for f in field]
    assert [(t.key, t.value) for t in ours.tags] == [(t.key, t.value) for t in theirs.tags] == [("mlflow.data.context", "training")]
    # Python's algorithm over the JVM frame's semantic hash; the same frame in pyspark gives the same digest.
    assert ours.dataset.digest == get_normalized_md5_digest([np.int64(df.semanticHash())])
    if jvm.backend == "py4j":
        assert ours.dataset.digest == theirs.dataset.digest
    with pytest.raises(bridge.BadInputError, match="exactly one source"):
        run.log_input(df, path="a", table_name="b")


def test_model_info_is_get_model_info(jvm, logged_models):
    """models.info reads MLmodel (and the example) alone and agrees with Python's get_model_info."""
    for origin in ("python", "scala"):
        uri = logged_models[("linear", origin)]
        ours, theirs = jvm.models.info(uri), mlflow.models.get_model_info(uri)
        assert (ours.run_id, ours.artifact_path, ours.model_uuid, ours.utc_time_created) == (
            theirs.run_id, theirs.artifact_path, theirs.model_uuid, theirs.utc_time_created,
        ), origin  # fmt: skip
        assert set(ours.flavors) == set(theirs.flavors), origin
        sig = theirs.signature.to_dict() if theirs.signature else {"inputs": None, "outputs": None}
        assert (ours.signature_inputs, ours.signature_outputs) == (sig["inputs"], sig["outputs"]), origin
        if theirs.saved_input_example_info:
            example = mlflow.artifacts.load_dict(f"{uri}/{theirs.saved_input_example_info['artifact_path']}")
            pd.testing.assert_frame_equal(ours.input_example, dataframe_from_parsed_json(example, pandas_orient="split"))
        else:
            assert ours.input_example is None
    assert jvm.models.info(logged_models[("linear", "scala")]).input_example is not None


def test_bad_inputs_name_what_was_wrong(jvm):
    exp_id = jvm.experiments.get_or_create(unique(f"writers-bad-{jvm.backend}"))
    with jvm.runs.start(exp_id, "bad") as run:
        with pytest.raises(bridge.BadInputError, match=r"'d.csv' has the extension '.csv': logDict writes JSON"):
            run.log_dict({"a": 1}, "d.csv")
        with pytest.raises(bridge.BadInputError, match="must end in .json"):
            run.log_table({"a": [1]}, "t.parquet")
        with pytest.raises(bridge.BadInputError, match="neither PNG nor JPEG"):
            run.log_image(b"BM\x00\x00 not an image", "x.png")
        with pytest.raises(bridge.BadInputError, match="not a safe relative path"):
            run.log_text("x", "../up.txt")
