"""Artifact roots a benchmark can run against: a name and how to get a tracking server whose
runs keep their artifacts there.

`PROXIED` is an embedded `mlflow server` serving `mlflow-artifacts:` from a local folder; `S3`
a local S3 server (moto) behind a tracking server started with `--default-artifact-root
s3://... --no-serve-artifacts`, every client writing to the bucket directly.
"""

from __future__ import annotations

from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator


@dataclass(frozen=True)
class ArtifactRoot:
    name: str  # a short key, shown in the tables and given to --roots, e.g. "proxied"
    description: str  # e.g. "mlflow-artifacts: through the tracking server"
    # Given a scratch folder (deleted after the suite), start whatever the root needs and yield
    # the tracking URI; stop it all on exit.
    serve: Callable[[Path], AbstractContextManager[str]]


@contextmanager
def _embedded_proxied_server(scratch: Path) -> Iterator[str]:
    from ..server import TrackingServer

    with TrackingServer(scratch / "proxied-server") as server:
        yield server.uri


PROXIED = ArtifactRoot("proxied", "`mlflow-artifacts:` through the tracking server (a local folder behind it)", _embedded_proxied_server)


@contextmanager
def _local_s3_server(scratch: Path) -> Iterator[str]:
    import os

    from ..s3local import local_s3
    from ..server import TrackingServer

    (scratch / "s3").mkdir()
    with local_s3(scratch / "s3", ("bench",)) as s3:
        # Clients read the S3 settings from the environment (boto3, and each new JVM session).
        old = {k: os.environ.get(k) for k in s3.env}
        os.environ.update(s3.env)
        try:
            with TrackingServer(scratch / "s3-server", env=s3.env, default_artifact_root="s3://bench/mlruns", serve_artifacts=False) as server:
                yield server.uri
        finally:
            for k, v in old.items():
                if v is None:
                    os.environ.pop(k, None)
                else:
                    os.environ[k] = v


S3 = ArtifactRoot("s3", "`s3://` on a local S3 server (moto), clients writing to the bucket directly", _local_s3_server)

ROOTS: dict[str, ArtifactRoot] = {"proxied": PROXIED, "s3": S3}
