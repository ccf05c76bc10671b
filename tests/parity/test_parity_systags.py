"""The system run tags table (the FAQ's "What are the MLflow system run tags?") and the live CLI."""

from __future__ import annotations

import json

import browser
from conftest import unique

from bridge.cli import main
from bridge.parity.catalog import BY_ID
from bridge.parity.runs import GIT_COMMIT, GIT_REPO_URL, RUN_NAME, SOURCE_NAME, SOURCE_TYPE, USER
from bridge.parity.systags import CREATORS, ITS_PARENT, JVM_PROBE, PARENT_RUN_ID, PROBE, PROBE_REMOTE, markdown, probe
from bridge.versions import pinned


def test_system_tags_table_bridge_row_matches_python(tracking_uri, mlflow_client):
    """One run and one nested run per creator, from scripts in a git checkout with a remote: our
    create_run sets what Python's start_run sets (git commit, branch and repoURL included), children
    name their parent, and a JVM program's own run takes its entry point (here the .java source)."""
    eid = mlflow_client.create_experiment(unique("parity-systags"))
    table = probe(tracking_uri, eid)
    assert set(table.tags) == set(CREATORS)
    python, ours, jvm_main = table.tags["python"], table.tags["bridge"], table.tags["jvm_main"]
    assert python[SOURCE_NAME] == PROBE.name and python[SOURCE_TYPE] == "LOCAL" and python[RUN_NAME] == "tag-probe"
    assert python[GIT_REPO_URL] == PROBE_REMOTE and len(python[GIT_COMMIT]) == 40  # MLflow's own rule, not ours
    assert table.same_as_python("bridge"), {k: (python.get(k), ours.get(k)) for k in table.differences("bridge")}
    assert {USER, SOURCE_NAME, SOURCE_TYPE, RUN_NAME, GIT_REPO_URL} <= set(ours)
    for who in ("python", "java_context", "bridge", "jvm_main"):
        assert table.value(who, PARENT_RUN_ID) == ITS_PARENT, who
    assert table.value("java_client", PARENT_RUN_ID) is None  # createRun(expId) cannot name a parent
    assert jvm_main[SOURCE_NAME] == JVM_PROBE.name and table.differences("jvm_main") == [SOURCE_NAME]
    md = markdown(table)
    assert md.count("\n") == len(table.rows) + 2 and "| **same as Python?** |" in md
    assert md.splitlines()[-1].split(" | ")[-2].startswith("yes")  # the bridge's column


def test_cli_live_subset_json_and_html(tracking_uri, tmp_path):
    """`mlflow-bridge parity` against a given server: as catalogued, counts and versions in the output."""
    only = ["experiments", "search_runs", "set_experiment", "projects", "local_tracking_uri"]
    args = ["parity", "--backend", "jpype", "--tracking-uri", tracking_uri, "--only", ",".join(only), "--no-systags"]
    out = tmp_path / "parity.json"
    assert main(args + ["--format", "json", "--output", str(out)]) == 0
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["ok"] is True and data["live_counts"] == {"as catalogued": len(only), "NOT as catalogued": 0, "not run": 0}
    assert sorted(c["id"] for c in data["capabilities"]) == sorted(only)
    got = {c["id"]: c["live"]["verdict"] for c in data["capabilities"]}
    assert got["projects"] == "gap confirmed" and got["experiments"] == "same answer from both clients"
    assert got["set_experiment"] == "gap confirmed, workaround passes"
    assert data["versions"]["mlflow-client (Java, in the JVM)"] == pinned()["mlflow.java"] and data["versions"]["backend"] == "jpype"
    assert data["reflection"]["problems"] == []
    assert BY_ID["projects"].line() == next(c["line"] for c in data["capabilities"] if c["id"] == "projects")

    page = tmp_path / "parity.html"
    assert main(args + ["--format", "html", "--output", str(page)]) == 0
    html = page.read_text(encoding="utf-8")
    assert "gap confirmed" in html and tracking_uri in html
    dom = browser.dump_dom(page)
    assert "gap confirmed, workaround passes" in dom


def test_cli_rejects_unknown_ids(tracking_uri, capsys):
    assert main(["parity", "--backend", "jpype", "--tracking-uri", tracking_uri, "--only", "nope"]) == 2
    assert "unknown catalog ids nope" in capsys.readouterr().err
