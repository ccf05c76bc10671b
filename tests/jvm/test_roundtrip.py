"""The stock Java client's tracking and artifact calls, driven from Python through both bridges."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest
from conftest import unique


def sha256_tree(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def payload(tmp_path_factory) -> Path:
    """Binary, empty, 20 MB, nested and non-ASCII files."""
    root = tmp_path_factory.mktemp("payload")
    (root / "model.bin").write_bytes(bytes(range(256)) * 64)
    (root / "tree" / "a" / "b").mkdir(parents=True)
    (root / "tree" / "empty.txt").write_bytes(b"")
    (root / "tree" / "a" / "b" / "deep.json").write_text('{"k": [1, 2, 3]}')
    (root / "tree" / "déjà vu").mkdir()
    (root / "tree" / "déjà vu" / "ünïcødé 名前.txt").write_text("grüße, 世界", encoding="utf-8")
    (root / "tree" / "big.bin").write_bytes(os.urandom(20 * 1024 * 1024))
    return root


def test_get_or_create_experiment_is_idempotent(jvm, mlflow_client):
    name = unique(f"py-{jvm.backend}")
    exp_id = jvm.experiments.get_or_create(name)
    assert jvm.experiments.get_or_create(name) == exp_id
    assert mlflow_client.get_experiment_by_name(name).experiment_id == exp_id
    assert str(jvm.client.getExperiment(exp_id).getName()) == name


# One backend: the stock client forks Python for each of its six artifact calls whichever bridge
# drives it. JavaClientRoundTripSuite runs the same calls from Scala; the parity check
# `artifacts` hands it java.io.File paths through both bridges, and the next test downloads
# through both.
@pytest.mark.parametrize("jvm", ["py4j"], indirect=True)
def test_java_round_trip(jvm, mlflow_client, payload, tmp_path):
    exp_id = jvm.experiments.get_or_create(unique(f"roundtrip-{jvm.backend}"))
    run_id = str(jvm.client.createRun(exp_id).getRunId())
    jvm.client.logParam(run_id, "alpha", "0.5")
    jvm.client.logMetric(run_id, "rmse", 0.125)
    jvm.client.setTag(run_id, "bridge", jvm.backend)

    jvm.client.logArtifact(run_id, jvm.java_file(payload / "model.bin"), "single/sub")
    jvm.client.logArtifacts(run_id, jvm.java_file(payload / "tree"), "tree")

    top = sorted(str(f.getPath()) for f in jvm.client.listArtifacts(run_id))
    assert top == ["single", "tree"]
    inner = {str(f.getPath()): bool(f.getIsDir()) for f in jvm.client.listArtifacts(run_id, "tree")}
    assert inner["tree/a"] is True and inner["tree/big.bin"] is False and "tree/déjà vu" in inner

    one = Path(str(jvm.client.downloadArtifacts(run_id, "single/sub/model.bin").getAbsolutePath()))
    assert one.read_bytes() == (payload / "model.bin").read_bytes()
    tree = Path(str(jvm.client.downloadArtifacts(run_id, "tree").getAbsolutePath()))
    assert sha256_tree(tree) == sha256_tree(payload / "tree")

    jvm.client.setTerminated(run_id)
    # What the JVM logged, the stock Python client sees.
    run = mlflow_client.get_run(run_id)
    assert run.info.status == "FINISHED"
    assert run.data.params == {"alpha": "0.5"}
    assert run.data.metrics == {"rmse": 0.125}
    assert run.data.tags["bridge"] == jvm.backend
    py_tree = Path(mlflow_client.download_artifacts(run_id, "tree", str(tmp_path)))
    assert sha256_tree(py_tree) == sha256_tree(payload / "tree")


def test_python_logged_is_visible_to_java(jvm, mlflow_client, payload):
    exp_id = mlflow_client.create_experiment(unique(f"from-python-{jvm.backend}"))
    run_id = mlflow_client.create_run(exp_id).info.run_id
    mlflow_client.log_param(run_id, "lr", "0.01")
    mlflow_client.log_metric(run_id, "auc", 0.75)
    mlflow_client.log_artifacts(run_id, str(payload / "tree"), "data")
    mlflow_client.set_terminated(run_id)

    run = jvm.client.getRun(run_id)
    params = {str(p.getKey()): str(p.getValue()) for p in run.getData().getParamsList()}
    metrics = {str(m.getKey()): float(m.getValue()) for m in run.getData().getMetricsList()}
    assert params == {"lr": "0.01"} and metrics == {"auc": 0.75}
    got = Path(str(jvm.client.downloadArtifacts(run_id, "data").getAbsolutePath()))
    assert sha256_tree(got) == sha256_tree(payload / "tree")
