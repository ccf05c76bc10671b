"""The rules both sides apply (bridge/rules.properties, also in the jar for `mlflowbridge.Rules`):
table formats by extension, the tracking-URI scheme, the standalone-master check. Python applies
them where a check runs before any JVM starts."""

from __future__ import annotations

import os
import socket
from functools import cache
from pathlib import Path

from . import properties
from .errors import BadInputError

RULES_FILE = Path(__file__).with_name("rules.properties")


@cache
def table() -> dict[str, str]:
    """Key/value pairs of rules.properties (comments and blank lines skipped)."""
    return properties.read(RULES_FILE)


def message(key: str, **values: object) -> str:
    text = table()[key]
    for name, value in values.items():
        text = text.replace("{" + name + "}", str(value))
    return text


@cache
def formats() -> dict[str, str]:
    """Extension -> format, in the table's order."""
    return {ext: key.removeprefix("format.") for key, exts in table().items() if key.startswith("format.") for ext in exts.split()}


def _either(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " or " + items[-1]


def extension(path: str | os.PathLike) -> str:
    """The file name's last extension, lower case ('' without one)."""
    return Path(path).suffix.lower()


def format_of(path: str | os.PathLike) -> str:
    """csv, parquet or json, by the file name's extension; a one-line error naming the accepted ones."""
    ext = extension(path)
    if ext not in formats():
        raise BadInputError(message("message.unknown-format", path=path, ext=ext, accepted=_either(list(formats()))))
    return formats()[ext]


def is_tracking_server(uri: str | None) -> bool:
    return bool(uri) and str(uri).startswith(tuple(table()["tracking.schemes"].split()))


def check_tracking_uri(uri: str | None) -> str:
    """`uri`, when the Java client can use it; a one-line error otherwise."""
    if uri is None or not is_tracking_server(uri):
        raise BadInputError(message("message.tracking-uri", uri="" if uri is None else uri))
    return uri


def check_master(master: str) -> None:
    """A standalone master (spark://host:port[,host:port...]) answers on one of its ports; other masters are Spark's to check."""
    prefix = table()["master.standalone"]
    if not master.startswith(prefix):
        return
    problems = []
    for hostport in master.removeprefix(prefix).split(","):
        host, _, port = hostport.rpartition(":")
        if not host or not port.isdigit():
            raise BadInputError(message("message.master-malformed", master=master))
        try:
            socket.create_connection((host, int(port)), timeout=float(table()["master.timeout.seconds"])).close()
            return
        except OSError as e:
            problems.append(f"{hostport} ({e.strerror or type(e).__name__})")
    raise BadInputError(message("message.master-unreachable", master=master, problems=", ".join(problems)))
