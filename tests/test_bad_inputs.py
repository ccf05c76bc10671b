"""More bad inputs at the CLI: each is exit 2 with words that say what was wrong, and never a raw
Py4JJavaError, JPype trace or `at org.` frame (the rest are in test_models_cli, test_errors,
test_hostile_paths, test_credentials_tls and the Scala suites; docs/reliability.md counts them)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from models_fixtures import features

pytestmark = pytest.mark.reliability  # make test-reliability runs this group

RAW = ("Py4JJavaError", "jpype._", "JException", "\tat org.", "Traceback (most recent call last)")


def no_raw_trace(r: subprocess.CompletedProcess) -> subprocess.CompletedProcess:
    assert not any(raw in r.stderr for raw in RAW), r.stderr[-3000:]
    return r


@pytest.fixture()
def cli(run_cli):
    return lambda *args: no_raw_trace(run_cli(*args))


def fresh_cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    """The real command, for what only a fresh process shows (its environment's tracking URI)."""
    cmd = [sys.executable, "-m", "bridge", *args]
    return no_raw_trace(subprocess.run(cmd, capture_output=True, text=True, timeout=600, env=dict(os.environ, **env)))


def _input_csv(tmp_path: Path) -> Path:
    path = tmp_path / "in.csv"
    features("linear").head(5).to_csv(path, index=False)
    return path


@pytest.fixture()
def html_server():
    """A web server at the tracking URI that answers every request with an HTML page."""

    class Html(BaseHTTPRequestHandler):
        def _page(self) -> None:
            body = b"<!doctype html><html><body>Welcome to nginx!</body></html>"
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_GET = do_POST = _page  # noqa: N815

        def log_message(self, *args) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Html)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


@pytest.mark.parametrize("engine", ["scala", "python"])
def test_a_server_that_answers_html(html_server, tmp_path, engine):
    r = fresh_cli("score", "--model-uri", "runs:/0123456789abcdef/model", "--input", str(_input_csv(tmp_path)), "--output", str(tmp_path / "o.csv"),
            "--engine", engine, "--backend", "jpype", env={"MLFLOW_TRACKING_URI": html_server})  # fmt: skip
    assert r.returncode == 2, r.stderr[-2000:]
    assert "HTML" in r.stderr and "not MLflow's JSON" in r.stderr and "is MLFLOW_TRACKING_URI the tracking server's address" in r.stderr, r.stderr[
        -2000:
    ]


@pytest.mark.parametrize("engine", ["scala", "python"])
def test_an_input_of_unknown_format(cli, logged_models, tmp_path, engine):
    path = tmp_path / "in.txt"
    path.write_text("a b\n1 2\n")
    r = cli("score", "--model-uri", logged_models[("linear", "scala")], "--input", str(path), "--output", str(tmp_path / "o.csv"), "--engine", engine)
    assert r.returncode == 2 and f"{path}: unknown table format '.txt'; use .csv, .parquet" in r.stderr, r.stderr[-2000:]


@pytest.mark.parametrize("engine", ["scala", "python"])
def test_an_input_that_is_not_parquet(cli, logged_models, tmp_path, engine):
    path = tmp_path / "in.parquet"
    path.write_bytes(b"PAR1 this is not a parquet file")
    r = cli("score", "--model-uri", logged_models[("linear", "scala")], "--input", str(path), "--output", str(tmp_path / "o.csv"), "--engine", engine)
    assert r.returncode == 2 and f"input file {path} is not valid parquet" in r.stderr, r.stderr[-2000:]


@pytest.mark.parametrize("engine", ["scala", "python"])
def test_a_model_whose_spark_data_is_truncated(cli, logged_models, tmp_path, engine):
    local = Path(tmp_path / "model")
    import mlflow

    shutil.copytree(mlflow.artifacts.download_artifacts(logged_models[("linear", "scala")], dst_path=str(tmp_path / "dl")), local)
    data = sorted((local / "sparkml").rglob("*.parquet"))
    assert data, "the logged model has stage data"
    data[0].write_bytes(data[0].read_bytes()[:40])
    r = cli("score", "--model-uri", str(local), "--input", str(_input_csv(tmp_path)), "--output", str(tmp_path / "o.csv"), "--engine", engine)
    assert r.returncode == 2 and f"model {local} is corrupt: " in r.stderr, r.stderr[-2000:]
