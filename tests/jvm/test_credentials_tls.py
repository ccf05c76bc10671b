"""Credentials and TLS, against real servers on loopback: MLflow's basic-auth app, a bearer-token
proxy, and https with a certificate made at test time. The JVM reads the same MLFLOW_TRACKING_*
settings Python's client reads, at connect time, and no secret shows in errors or output."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import unique
from mlflow.tracking import MlflowClient
from secure_servers import BearerProxy, basic_auth_server, tls_server

import bridge
from bridge import connect
from bridge.java import run_main
from bridge.jvm import Backend

pytestmark = pytest.mark.reliability  # make test-reliability runs this group

BACKENDS: tuple[Backend, ...] = ("jpype", "py4j")
CLI = [sys.executable, "-m", "bridge.cli"]


def _connect(backend: Backend, uri: str, spark) -> bridge.Mlflow:
    return connect(backend, uri, spark=spark if backend == "py4j" else None)


def _round_trip(jvm: bridge.Mlflow, tmp_path: Path) -> tuple[str, str]:
    """Tracking, tracing, logged-model, artifact and registry calls through the entry object; returns (run id, model name)."""
    exp_id = jvm.experiments.get_or_create(unique(f"secure-{jvm.backend}"))
    (tmp_path / "model").mkdir(parents=True, exist_ok=True)
    (tmp_path / "model" / "MLmodel").write_text("flavors: {}\n")
    with jvm.runs.start(exp_id, "secure") as run:
        run.log_param("backend", jvm.backend)
        run.log_metric("x", 1.5)
        run.log_artifacts(tmp_path / "model", "model")
    # Spans and logged models go with the same credentials and TLS settings; flush raises when refused.
    with jvm.tracing.tracer(exp_id, run.run_id).span("secure"):
        assert jvm.logged_models.create_logged_model(exp_id, "secure").experiment_id == exp_id
    jvm.tracing.flush()
    back = jvm.artifacts.download(run.run_id, "model", tmp_path / f"back-{jvm.backend}")
    assert (back / "MLmodel").read_text() == "flavors: {}\n"
    name = unique(f"secure-{jvm.backend}")
    assert jvm.registry.register(f"runs:/{run.run_id}/model", name, alias="champion").version == "1"
    return run.run_id, name


@pytest.fixture(scope="module")
def auth(tmp_path_factory):
    server, user, admin = basic_auth_server(tmp_path_factory.mktemp("basic-auth"))
    yield server, user, admin
    server.stop()


@pytest.mark.parametrize("backend", BACKENDS)
def test_basic_auth_credentials_reach_the_server_from_the_jvm(auth, backend, spark, monkeypatch, tmp_path):
    server, user, _ = auth
    monkeypatch.setenv("MLFLOW_TRACKING_USERNAME", user["username"])
    monkeypatch.setenv("MLFLOW_TRACKING_PASSWORD", user["password"])
    with _connect(backend, server.uri, spark) as jvm:
        run_id, name = _round_trip(jvm, tmp_path)
    python = MlflowClient(server.uri)  # the same variables, read by Python's client
    run = python.get_run(run_id)
    assert run.data.params == {"backend": backend} and run.data.tags["mlflow.user"] == user["username"]
    assert python.get_model_version_by_alias(name, "champion").run_id == run_id


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_wrong_password_is_access_denied_without_the_password(auth, backend, spark, monkeypatch):
    server, user, _ = auth
    wrong = "not-" + user["password"]
    monkeypatch.setenv("MLFLOW_TRACKING_USERNAME", user["username"])
    monkeypatch.setenv("MLFLOW_TRACKING_PASSWORD", wrong)
    with _connect(backend, server.uri, spark) as jvm:
        with pytest.raises(bridge.AccessDeniedError, match=r"refused the credentials \(HTTP 401\); set MLFLOW_TRACKING_USERNAME") as e:
            jvm.experiments.get_or_create("anything")
    assert wrong not in str(e.value) and user["password"] not in str(e.value)


@pytest.mark.parametrize("backend", BACKENDS)
def test_what_the_user_may_not_do_is_access_denied(auth, backend, spark, monkeypatch):
    server, user, admin = auth
    monkeypatch.setenv("MLFLOW_TRACKING_USERNAME", admin["username"])
    monkeypatch.setenv("MLFLOW_TRACKING_PASSWORD", admin["password"])
    admins = MlflowClient(server.uri).create_experiment(unique("admins-only"), tags={"k": "v"})
    monkeypatch.setenv("MLFLOW_TRACKING_USERNAME", user["username"])
    monkeypatch.setenv("MLFLOW_TRACKING_PASSWORD", user["password"])
    with _connect(backend, server.uri, spark) as jvm:
        with pytest.raises(bridge.AccessDeniedError, match=rf"delete tag 'k' of experiment {admins}: user 'alice' may not do this \(HTTP 403\)"):
            jvm.experiments.delete_tag(admins, "k")


def test_cli_wrong_password_exits_2_and_no_secret_shows_anywhere(auth, tmp_path):
    server, user, _ = auth
    wrong = "not-" + user["password"]
    env = dict(os.environ, MLFLOW_TRACKING_URI=server.uri, MLFLOW_TRACKING_USERNAME=user["username"], MLFLOW_TRACKING_PASSWORD=wrong)
    (tmp_path / "in.csv").write_text("a,b\n1.0,2.0\n")
    score = subprocess.run([*CLI, "score", "--model-uri", "models:/m@champion", "--input", str(tmp_path / "in.csv"), "--output",
                            str(tmp_path / "out.csv"), "--engine", "scala", "--backend", "jpype"], capture_output=True, text=True, env=env, timeout=300)  # fmt: skip
    assert score.returncode == 2, score.stderr[-2000:]
    assert "refused the credentials (HTTP 401)" in score.stderr and "at org." not in score.stderr and "Py4J" not in score.stderr
    doctor = subprocess.run([*CLI, "doctor", "--tracking-uri", server.uri], capture_output=True, text=True, env=env, timeout=300)
    parity = subprocess.run([*CLI, "parity", "--no-live", "--format", "json"], capture_output=True, text=True, env=env, timeout=300)
    assert doctor.returncode == 0 and f"[ok] tracking server: {server.uri} answers /health" in doctor.stdout, (doctor.stdout + doctor.stderr)[-2000:]
    assert parity.returncode == 0 and json.loads(parity.stdout)["live"] is False, parity.stderr[-2000:]  # the catalog needs no server
    logs = (Path(server.root) / "server.log").read_text(errors="replace")
    for what, text in (
        ("score", score.stdout + score.stderr),
        ("doctor", doctor.stdout + doctor.stderr),
        ("parity", parity.stdout + parity.stderr),
        ("server log", logs),
    ):
        assert wrong not in text and user["password"] not in text, f"a secret shows in the {what} output"


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_token_is_sent_as_a_bearer_token(tracking_uri, backend, spark, monkeypatch, tmp_path):
    token = "tok-" + unique("secret")
    with BearerProxy(tracking_uri, token) as proxy:
        monkeypatch.setenv("MLFLOW_TRACKING_TOKEN", token)
        with _connect(backend, proxy.uri, spark) as jvm:
            run_id, _ = _round_trip(jvm, tmp_path)
        assert proxy.seen_tokens and all(t == f"Bearer {token}" for t in proxy.seen_tokens if t)
        monkeypatch.setenv("MLFLOW_TRACKING_TOKEN", "wrong-" + token)
        with _connect(backend, proxy.uri, spark) as jvm:
            with pytest.raises(bridge.AccessDeniedError, match="refused the credentials") as e:
                jvm.runs.get(run_id)
        assert token not in str(e.value)
    assert MlflowClient(tracking_uri).get_run(run_id).data.params == {"backend": backend}


@pytest.fixture(scope="module")
def https(tmp_path_factory):
    yield from tls_server(tmp_path_factory.mktemp("https"))


@pytest.mark.parametrize("backend", BACKENDS)
def test_https_verifies_by_default_and_trusts_what_it_is_told(https, backend, spark, monkeypatch, tmp_path):
    server, certfile = https
    monkeypatch.delenv("MLFLOW_TRACKING_SERVER_CERT_PATH", raising=False)
    monkeypatch.delenv("MLFLOW_TRACKING_INSECURE_TLS", raising=False)
    with pytest.raises(bridge.ServerUnreachableError, match="TLS failed .*CERTIFICATE_VERIFY_FAILED.*MLFLOW_TRACKING_SERVER_CERT_PATH"):
        _connect(backend, server.uri, spark)
    monkeypatch.setenv("MLFLOW_TRACKING_SERVER_CERT_PATH", str(certfile))
    with _connect(backend, server.uri, spark) as jvm:
        run_id, _ = _round_trip(jvm, tmp_path / "trusted")
    assert MlflowClient(server.uri).get_run(run_id).info.status == "FINISHED"
    monkeypatch.delenv("MLFLOW_TRACKING_SERVER_CERT_PATH")
    monkeypatch.setenv("MLFLOW_TRACKING_INSECURE_TLS", "true")
    with _connect(backend, server.uri, spark) as jvm:
        _round_trip(jvm, tmp_path / "insecure")


def test_https_from_a_jvm_program(https):
    """The Scala API in a JVM of its own (mlflowbridge.cli.Main, built on Mlflow.fromEnv)."""
    server, certfile = https
    train = ["train", "--kind", "regression", "--experiment", unique("tls-main")]
    with pytest.raises(
        bridge.BridgeError, match=r"error \[UNREACHABLE\]: tracking server https://127.0.0.1:\d+: TLS failed \(.*\); to trust its certificate"
    ):
        run_main(train, env={"MLFLOW_TRACKING_URI": server.uri})
    out = run_main(train, env={"MLFLOW_TRACKING_URI": server.uri, "MLFLOW_TRACKING_SERVER_CERT_PATH": str(certfile)})
    assert "model_uri=runs:/" in out.stdout
