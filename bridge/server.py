"""A real `mlflow server` on 127.0.0.1 for the JVM side (the Java client refuses local URIs).

Started in its own process group so that stopping it ends uvicorn's workers too
(SIGTERM alone does not stop it promptly). sqlite backend, proxied artifacts (or, with
`serve_artifacts=False`, a `default_artifact_root` such as s3://bucket/prefix that clients use directly).
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import sqlite3
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from contextlib import closing, contextmanager
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path
from typing import Iterator

from . import rules
from .errors import ServerUnreachableError

STARTUP_TIMEOUT_S = 240.0
# A new sqlite store runs every schema migration (several seconds of a server's start): each
# proxied-artifact server starts from a copy of one migrated, empty store per mlflow version.
TEMPLATES = Path.home() / ".cache" / "mlflow-bridge" / "stores"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def stop_group(proc: subprocess.Popen, wait: float = 10) -> None:
    """End a child started with `start_new_session` and everything in its process group (its
    group id is its pid): TERM, then KILL after `wait` seconds; then KILL what outlived the leader
    (a server's workers may, for a moment)."""
    if proc.poll() is None:
        for sig in (signal.SIGTERM, signal.SIGKILL):
            try:
                os.killpg(proc.pid, sig)
            except ProcessLookupError:
                return
            try:
                proc.wait(timeout=wait)
                break
            except subprocess.TimeoutExpired:
                continue
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def tls_context(insecure: bool | None = None) -> ssl.SSLContext:
    """TLS as Python's client sets it up: MLFLOW_TRACKING_INSECURE_TLS, else MLFLOW_TRACKING_SERVER_CERT_PATH, else defaults."""
    if insecure is None:
        insecure = os.environ.get("MLFLOW_TRACKING_INSECURE_TLS", "").lower() in ("true", "1")
    if insecure:
        return ssl._create_unverified_context()
    return ssl.create_default_context(cafile=os.environ.get("MLFLOW_TRACKING_SERVER_CERT_PATH") or None)


def _health(uri: str, timeout: float, context: ssl.SSLContext | None = None) -> bool:
    ctx = context if context is not None else (tls_context() if uri.startswith("https://") else None)
    with urllib.request.urlopen(uri.rstrip("/") + "/health", timeout=timeout, context=ctx) as r:
        return r.status == 200


def is_healthy(uri: str, timeout: float = 2.0, context: ssl.SSLContext | None = None) -> bool:
    try:
        return _health(uri, timeout, context)
    except (urllib.error.URLError, OSError):
        return False


def require_reachable(uri: str) -> None:
    try:
        if _health(uri, 5.0):
            return
    except urllib.error.URLError as e:
        if isinstance(e.reason, ssl.SSLError):
            raise ServerUnreachableError(
                f"tracking server {uri}: TLS failed ({e.reason.reason or e.reason}); to trust its certificate set "
                "MLFLOW_TRACKING_SERVER_CERT_PATH to the CA certificate (PEM), or set MLFLOW_TRACKING_INSECURE_TLS=true to skip verification"
            ) from None
    except OSError:
        pass
    raise ServerUnreachableError(f"tracking server {uri} is unreachable; start one (mlflow-bridge server) or fix MLFLOW_TRACKING_URI")


class BackgroundServer:
    """A server process in its own process group, with its log in `log_path`: stop() ends the group."""

    log_path: Path
    _proc: subprocess.Popen | None = None

    def stop(self) -> None:
        """End the server's whole process group: TERM, then KILL after 10 s."""
        proc, self._proc = self._proc, None
        if proc is not None:
            stop_group(proc)

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc else None

    def _log_tail(self, n: int = 2000) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-n:].strip().replace("\n", " | ")
        except OSError:
            return "(no log)"

    def __exit__(self, *exc: object) -> None:
        self.stop()


def wait_until_stopped() -> None:
    """Blocks until SIGTERM or Ctrl-C: what the serving commands do once their server is up."""
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        stop.wait()
    except KeyboardInterrupt:
        pass


class TrackingServer(BackgroundServer):
    """An embedded tracking server. Use as a context manager, or start()/stop()."""

    def __init__(
        self,
        root: str | os.PathLike | None = None,
        port: int | None = None,
        app_name: str | None = None,
        env: dict[str, str] | None = None,
        tls: tuple[str | os.PathLike, str | os.PathLike] | None = None,
        backend_store_uri: str | None = None,
        workers: int = 1,
        default_artifact_root: str | None = None,
        serve_artifacts: bool = True,
    ):
        """`app_name` (e.g. "basic-auth"), `env`, `backend_store_uri` (default: sqlite under `root`;
        e.g. postgresql://...), `workers` and `default_artifact_root` (new experiments' artifact
        location) go to `mlflow server`; `tls` is (certfile, keyfile) for https. With
        `serve_artifacts` (the default) the server proxies artifacts, stored under `root`;
        without it clients read and write the artifact root themselves (--no-serve-artifacts)."""
        self.root = Path(root) if root else Path(tempfile.mkdtemp(prefix="mlflow-bridge-server-"))
        self.port = port or free_port()
        self.app_name, self.env, self.tls = app_name, env or {}, tls
        self.backend_store_uri = backend_store_uri or f"sqlite:///{self.root / 'mlflow.db'}"
        self.workers = workers
        self.default_artifact_root, self.serve_artifacts = default_artifact_root, serve_artifacts
        self.uri = f"{'https' if tls else 'http'}://127.0.0.1:{self.port}"
        self.log_path = self.root / "server.log"
        self._proc: subprocess.Popen | None = None
        self.startup_seconds: float | None = None

    def _template(self) -> Path | None:
        """The empty store to copy, when this server's store is the default one (its default
        experiment's artifact location, `mlflow-artifacts:/0`, is then the same for all)."""
        plain = self.backend_store_uri == f"sqlite:///{self.root / 'mlflow.db'}" and self.serve_artifacts and not self.default_artifact_root
        return TEMPLATES / f"mlflow-{version('mlflow')}.db" if plain else None

    def _save_template(self, template: Path) -> None:
        """A consistent copy (sqlite's backup API) of the store the server has just migrated."""
        template.parent.mkdir(parents=True, exist_ok=True)
        partial = template.with_suffix(f".{os.getpid()}.partial")
        with closing(sqlite3.connect(self.root / "mlflow.db")) as src, closing(sqlite3.connect(partial)) as dst:
            src.backup(dst)
        partial.replace(template)

    def start(self) -> "TrackingServer":
        self.root.mkdir(parents=True, exist_ok=True)
        template = self._template()
        fresh = template if template is not None and not (self.root / "mlflow.db").exists() else None
        if fresh is not None and fresh.exists():
            shutil.copyfile(fresh, self.root / "mlflow.db")
        cmd = [
            sys.executable, "-m", "mlflow", "server",
            "--host", "127.0.0.1", "--port", str(self.port), "--workers", str(self.workers),
            "--backend-store-uri", self.backend_store_uri,
        ]  # fmt: skip
        if self.serve_artifacts:
            cmd += ["--artifacts-destination", str(self.root / "artifacts")]
        else:
            cmd += ["--no-serve-artifacts"]
        if self.default_artifact_root:
            cmd += ["--default-artifact-root", self.default_artifact_root]
        if self.app_name:
            cmd += ["--app-name", self.app_name]
        if self.tls:
            cmd += ["--uvicorn-opts", f"--ssl-certfile {self.tls[0]} --ssl-keyfile {self.tls[1]}"]
        env = dict(os.environ, MLFLOW_SERVER_ENABLE_JOB_EXECUTION="false", **self.env)
        env.pop("MLFLOW_TRACKING_URI", None)
        t0 = time.monotonic()
        log = open(self.log_path, "ab")
        self._proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, env=env, start_new_session=True)
        log.close()
        while time.monotonic() - t0 < STARTUP_TIMEOUT_S:
            if self._proc.poll() is not None:
                raise ServerUnreachableError(f"mlflow server exited with {self._proc.returncode} on start: {self._log_tail()}")
            if is_healthy(self.uri, timeout=1.0, context=tls_context(insecure=True) if self.tls else None):  # our own server
                self.startup_seconds = time.monotonic() - t0
                if fresh is not None and not fresh.exists():
                    self._save_template(fresh)
                return self
            time.sleep(0.25)
        self.stop()
        raise ServerUnreachableError(f"mlflow server did not answer {self.uri}/health within {STARTUP_TIMEOUT_S:.0f}s: {self._log_tail()}")

    def __enter__(self) -> "TrackingServer":
        return self.start()


@dataclass
class Tracking:
    uri: str
    server: "TrackingServer | None"  # the embedded server, or None when the URI was given


@contextmanager
def tracking(given: str | None = None, root: str | os.PathLike | None = None) -> Iterator[Tracking]:
    """The one rule for which tracking server to use: `given`, else MLFLOW_TRACKING_URI when it
    names an http(s) server, else an embedded server (data under `root`) for the block."""
    if given is not None:
        rules.check_tracking_uri(given)
    uri = given or os.environ.get("MLFLOW_TRACKING_URI", "")
    if rules.is_tracking_server(uri):
        require_reachable(uri)
        yield Tracking(uri, None)
        return
    with TrackingServer(root) as server:
        yield Tracking(server.uri, server)
