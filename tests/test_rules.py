"""The rule table (bridge/rules.properties): Python's checks before a JVM starts, and the JVM's
(`mlflowbridge.Rules`, reading the same file from its jar), accept the same and say the same."""

from __future__ import annotations

import socket

import pytest

from bridge import rules
from bridge.errors import BadInputError, BridgeError

NAMES = ["in.csv", "in.parquet", "in.pq", "in.json", "in.jsonl", "in.ndjson", "IN.PQ", "in.txt", "in", "in.csv.gz", "in.xlsx"]
ACCEPTED = ".csv, .parquet, .pq, .json, .jsonl or .ndjson (JSON lines)"


def test_every_extension_of_the_table_has_its_format():
    assert rules.formats() == {".csv": "csv", ".parquet": "parquet", ".pq": "parquet", ".json": "json", ".jsonl": "json", ".ndjson": "json"}
    assert rules.format_of("/data/IN.PQ") == "parquet" and rules.format_of("parts.ndjson") == "json"


@pytest.mark.parametrize("path,ext", [("/data/in.txt", ".txt"), ("/data/in", ""), ("/data/in.csv.gz", ".gz")])
def test_an_unknown_extension_gets_one_line_naming_the_accepted_ones(path, ext):
    with pytest.raises(BadInputError) as e:
        rules.format_of(path)
    assert str(e.value) == f"{path}: unknown table format '{ext}'; use {ACCEPTED}"


def test_tracking_uris_are_http_or_https():
    assert rules.is_tracking_server("http://127.0.0.1:5000") and rules.is_tracking_server("https://mlflow.example")
    for uri in ("file:///tmp/mlruns", "databricks", "", None):
        assert not rules.is_tracking_server(uri)
        with pytest.raises(BadInputError, match=r"^tracking URI '.*' is not an http\(s\) tracking server; the Java client needs one"):
            rules.check_tracking_uri(uri)


def test_a_standalone_master_must_be_well_formed_and_answer():
    rules.check_master("local[2]")
    with pytest.raises(BadInputError, match=r"^Spark master spark://nohost is not a proper spark:// URL: use spark://host:port$"):
        rules.check_master("spark://nohost")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        free = s.getsockname()[1]
    with pytest.raises(BadInputError, match=rf"^Spark master spark://127.0.0.1:{free} does not answer at 127.0.0.1:{free} \(.+\): start the cluster"):
        rules.check_master(f"spark://127.0.0.1:{free}")
    with socket.create_server(("127.0.0.1", 0)) as live:
        rules.check_master(f"spark://127.0.0.1:{free},127.0.0.1:{live.getsockname()[1]}")


def _jvm_format_of(rules_class, path: str) -> str:
    try:
        return str(rules_class.formatOf(path))
    except BridgeError as e:
        return f"error: {e}"


def _py_format_of(path: str) -> str:
    try:
        return rules.format_of(path)
    except BridgeError as e:
        return f"error: {e}"


def test_the_jvm_accepts_what_python_accepts_and_refuses_in_the_same_words(jvm):
    """A format one side takes the other takes; an unknown one gets the same line from both."""
    jrules = jvm.java_class("mlflowbridge.Rules")
    for name in NAMES:
        path = f"/data/{name}"
        assert _jvm_format_of(jrules, path) == _py_format_of(path), path
    for uri in ("file:///tmp/mlruns", "http://127.0.0.1:1"):
        assert bool(jrules.isTrackingServer(uri)) == rules.is_tracking_server(uri), uri
