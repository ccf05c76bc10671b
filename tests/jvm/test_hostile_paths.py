"""Hostile artifact names from a fake server on loopback, through both Python backends and the CLI.

The JVM download (mlflowbridge.ArtifactStore) refuses names that would land outside the
destination, as MLflow's Python client does; nothing is written outside it.
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlparse

import pytest

from bridge import BadInputError, connect

pytestmark = pytest.mark.reliability  # make test-reliability runs this group

HOSTILE = ["../evil.txt", "..", "/tmp/evil.txt", "a/../../evil.txt", "..\\evil.txt", "evil\x00.txt", "evil\n.txt", "C:\\evil.txt"]


class FakeArtifactServer:
    """Answers /health, and lists one file named `listed` under any artifact path."""

    def __init__(self) -> None:
        self.listed = ""
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (http.server's name)
                path = urlparse(self.path).path
                if path == "/health":
                    body = b"OK"
                elif path.endswith("/mlflow-artifacts/artifacts"):
                    body = json.dumps({"files": [{"path": outer.listed, "is_dir": False, "file_size": 6}]}).encode()
                else:
                    body = b"pwned!"
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.uri = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()


@pytest.fixture(scope="module")
def fake():
    server = FakeArtifactServer()
    yield server
    server.httpd.shutdown()


def written(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


@pytest.mark.parametrize("backend", ["jpype", "py4j"])
@pytest.mark.parametrize("name", HOSTILE)
def test_backends_refuse_a_hostile_listing(fake, spark, backend, name, tmp_path):
    fake.listed = name
    with connect(backend, fake.uri, spark=spark if backend == "py4j" else None) as jvm:
        with pytest.raises(BadInputError, match=r"^refusing artifact name .* listed by mlflow-artifacts:/m: "):
            jvm.artifacts.download_uri("mlflow-artifacts:/m", tmp_path / "dst")
    assert written(tmp_path) == []


def test_cli_refuses_a_model_whose_listing_is_hostile(fake, tracking_uri, run_cli, tmp_path):
    fake.listed = "../../evil.txt"
    (tmp_path / "in.csv").write_text("a\n1\n")
    authority = fake.uri.removeprefix("http://")
    r = run_cli("score", "--engine", "scala", "--model-uri", f"mlflow-artifacts://{authority}/m",
                "--input", str(tmp_path / "in.csv"), "--output", str(tmp_path / "out.csv"))  # fmt: skip
    assert r.returncode == 2, r.stderr[-2000:]
    assert 'error: refusing artifact name "../../evil.txt" listed by mlflow-artifacts:' in r.stderr, r.stderr[-2000:]
    assert written(tmp_path) == ["in.csv"]
