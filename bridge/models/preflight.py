"""What can be told of a score or compare command before any JVM, Spark or server starts.

A malformed model URI, a missing input or an unknown output format costs a second, not Spark's
start. The Scala command line makes the same checks (`ModelUri.checkWithoutServer`), in the
same words; table formats, tracking URIs and masters by the rules both sides read (bridge/rules.py).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from .. import rules
from ..errors import BadInputError, NotFoundError

REMOTE = ("runs:", "models:", "mlflow-artifacts:", "s3://")


def check_model_uri(uri: str, engine: str, tracking_uri: str | None = None) -> bool:
    """Checks `uri`; True when it names a local model (a folder or file: URI), which needs no tracking server.

    `tracking_uri` is the server the caller names (default: MLFLOW_TRACKING_URI).
    """
    if not uri or not uri.strip():
        raise BadInputError("model URI must not be empty")
    uri = uri.strip()
    if uri.startswith("runs:"):
        run_id, _, path = uri.removeprefix("runs:").lstrip("/").partition("/")
        if not run_id:
            raise BadInputError(f"model URI {uri} is not a proper runs:/ URI: use runs:/<run_id>/<path>")
        _check_path(path.rstrip("/"), uri)
    elif uri.startswith("models:"):
        parts = uri.removeprefix("models:").lstrip("/").split("/")
        head = parts[0]
        aliased = head.split("@")
        if not head.strip() or (len(aliased) > 1 and (len(aliased) != 2 or not all(aliased))) or (len(parts) > 1 and not parts[1]):
            raise BadInputError(
                f"model URI {uri} is not a proper models:/ URI: use models:/<name>/<version>, models:/<name>@<alias>, "
                "models:/<name>/latest or models:/<model_id>"
            )
    elif uri.startswith("file:") or ":" not in uri.split("/")[0]:
        local = Path(uri.removeprefix("file://").removeprefix("file:"))
        if not local.exists():
            raise NotFoundError(f"model URI {uri} does not exist (no such local directory)")
        return True
    elif engine == "scala" and not uri.startswith(REMOTE):
        raise BadInputError(f"model URI {uri} has an unsupported scheme; use runs:/, models:/, mlflow-artifacts:/, s3://, file: or a local path")
    # The Python engine follows MLflow's own default store when no server is set; the Scala one needs a server.
    where = tracking_uri or os.environ.get("MLFLOW_TRACKING_URI")
    if engine == "scala" and uri.startswith(REMOTE) and not rules.is_tracking_server(where):
        raise BadInputError(
            f"model URI {uri} needs a tracking server: set MLFLOW_TRACKING_URI"
            + (f" to an http(s) server (it is {where!r}; serve that store with `mlflow server`)" if where else "")
            + " (a local model folder needs none)"
        )
    return False


def check_followable(uri: str) -> None:
    """Only `models:/<name>@<alias>` moves; as the JVM says (`AliasFollower.aliasOf`)."""
    u = (uri or "").strip()
    name, at, alias = u.removeprefix("models:").removeprefix("/").partition("@")
    if not (u.startswith("models:") and at and name and alias and "/" not in name + alias and "@" not in alias):
        raise BadInputError(f"only a models:/<name>@<alias> URI can be followed, and {u} is none (a version, a run or a folder never moves)")


def _check_path(path: str, uri: str) -> None:
    """The run-relative path, refused as MLflow refuses it (and as the JVM does)."""
    if not path:
        return
    why = None
    if path.startswith("/") or re.match(r"^[A-Za-z]:", path):
        why = "it is absolute"
    elif "\\" in path:
        why = "it holds a backslash"
    elif any(ord(c) < 32 or ord(c) == 127 for c in path):
        why = "it holds a control character"
    elif any(seg in (".", "..") for seg in path.split("/")):
        why = "it has a '.' or '..' segment"
    elif any(seg == "" for seg in path.split("/")):
        why = "it has an empty segment"
    if why:
        raise BadInputError(f'model URI {uri}: path "{path}" is not a safe relative path: {why}')


def _parquet_magic(path: Path) -> bool:
    with path.open("rb") as f:
        head = f.read(4)
        f.seek(0, os.SEEK_END)
        if f.tell() < 12:
            return False
        f.seek(-4, os.SEEK_END)
        return head == b"PAR1" and f.read(4) == b"PAR1"


def check_files(input_path: str | os.PathLike, output_path: str | os.PathLike | None) -> None:
    """The input exists and is not empty, both names have a known format, and they differ."""
    fmt = rules.format_of(input_path)
    src = Path(input_path)
    if not src.exists():
        raise NotFoundError(f"input {src} does not exist")
    if src.is_file() and src.stat().st_size == 0:
        raise BadInputError(f"input file {src} is empty")
    if fmt == "parquet" and src.is_file() and not _parquet_magic(src):
        raise BadInputError(f"input file {input_path} is not valid parquet: it does not start and end with Parquet's magic bytes PAR1")
    if output_path is not None:
        rules.format_of(output_path)
        if Path(output_path).absolute() == src.absolute():
            raise BadInputError(f"output {output_path} is the input file; write the scores elsewhere")
