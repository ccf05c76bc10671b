"""Artifact roots a benchmark can run against: a name and how to get a tracking server whose
runs keep their artifacts there.

`PROXIED` is an embedded `mlflow server` serving `mlflow-artifacts:` from a local folder.
Another root (e.g. `s3://` on a local S3 server) is one more `ArtifactRoot` whose `serve`
starts what it needs and yields the tracking URI; add it to `ROOTS` and row P1 runs it too.
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

# Wire an S3 root here once it exists, e.g.
#   S3 = ArtifactRoot("s3", "`s3://` on a local S3 server, clients writing to it directly", _embedded_s3_server)
# and add it here.
ROOTS: dict[str, ArtifactRoot] = {"proxied": PROXIED}
