"""A PostgreSQL server for tests (Debian's postgresql-15): its own data folder, a loopback port,
started and stopped here. As root, the server runs as the `postgres` user (it refuses root)."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Iterator

from bridge.server import free_port

BIN = Path("/usr/lib/postgresql/15/bin")


def _as_postgres(cmd: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *cmd] if os.geteuid() == 0 else cmd


def postgres() -> Iterator[str]:
    """Yields a postgresql:// URI of an empty database `mlflow`; stops the server and removes its data afterwards."""
    assert (BIN / "initdb").is_file(), "the PostgreSQL tests need Debian's postgresql-15 (make test installs it)"
    root = Path(tempfile.mkdtemp(prefix="bridge-postgres-"))  # not under pytest's 0700 tmp: the postgres user must reach it
    data, sockets, port = root / "pgdata", root / "sockets", free_port()
    sockets.mkdir()
    if os.geteuid() == 0:
        shutil.chown(root, "postgres")
        shutil.chown(sockets, "postgres")
    run = lambda cmd: subprocess.run(_as_postgres(cmd), check=True, capture_output=True, text=True, timeout=120)  # noqa: E731
    run([str(BIN / "initdb"), "-D", str(data), "-A", "trust", "-U", "mlflow", "--no-sync"])
    options = f"-p {port} -k {sockets} -c listen_addresses=127.0.0.1 -c max_connections=200 -c fsync=off"
    run([str(BIN / "pg_ctl"), "-D", str(data), "-o", options, "-l", str(root / "postgres.log"), "-w", "start"])
    try:
        run([str(BIN / "createdb"), "-h", "127.0.0.1", "-p", str(port), "-U", "mlflow", "mlflow"])
        yield f"postgresql://mlflow@127.0.0.1:{port}/mlflow"
    finally:
        run([str(BIN / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"])
        shutil.rmtree(root, ignore_errors=True)
