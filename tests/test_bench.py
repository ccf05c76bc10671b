"""`mlflow-bridge bench`: the cheapest row runs and writes the JSON the table of docs/benchmarks.md is made from.

No timing is asserted (the suite's targets are reported by the suite, not tested): only the
JSON's shape, the targets' arithmetic, and that the docs' tables are rendered from JSON.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from bridge.bench import p3_call_overhead as p3
from bridge.bench import render_markdown
from bridge.bench.core import Target
from bridge.bench.render import DOC_END, DOC_START, doc_region

REPO = Path(__file__).resolve().parents[1]
CLI = str(Path(sys.executable).with_name("mlflow-bridge"))


def test_target_says_by_how_much_it_is_missed():
    assert Target("t", 1.32, "<=", 1.1).miss_factor == pytest.approx(1.2)
    assert not Target("t", 1.32, "<=", 1.1).met
    assert Target("t", 50.0, ">=", 100.0).miss_factor == pytest.approx(2.0)
    assert Target("t", 150.0, ">=", 100.0).met and Target("t", 150.0, ">=", 100.0).miss_factor == 1.0


@pytest.mark.spark
def test_p3_writes_json_and_the_docs_table_from_it(tmp_path, tracking_uri):
    page = tmp_path / "benchmarks.md"
    page.write_text(f"# x\n\n{DOC_START}\nold table\n{DOC_END}\n\ntail\n", encoding="utf-8")
    out = tmp_path / "bench.json"
    cmd = [CLI, "bench", "--rows", "P3", "--repeat", "1", "--json", str(out), "--update-docs", str(page), "--tracking-uri", tracking_uri]
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stdout[-2000:] + r.stderr[-2000:]

    doc = json.loads(out.read_text(encoding="utf-8"))
    assert doc["repeat"] == 1 and {"started", "machine", "versions", "seconds"} <= set(doc)
    [row] = doc["rows"]
    assert row["id"] == "P3" and "error" not in row and "profile_note" in row
    names = {m["contender"] for m in row["measurements"]}
    assert {"JPype, class cached", p3.FLOOR, p3.BARE, p3.OURS, "py4j, re-resolved each call"} <= names
    for m in row["measurements"]:
        assert m["unit"] == "us" and len(m["samples"]) == 1 and m["median"] == m["samples"][0] > 0
    assert [(t["op"], t["goal"], t["unit"]) for t in row["targets"]] == [("<=", 2.0, "us"), ("<=", 100.0, "us"), ("<=", 1.1, "x"), ("<=", 1.1, "x")]
    for t in row["targets"]:
        assert t["met"] == (t["value"] <= t["goal"]) and t["miss_factor"] >= 1.0

    text = page.read_text(encoding="utf-8")
    assert text.startswith("# x\n\n") and text.endswith("\n\ntail\n") and "old table" not in text
    assert doc_region(text) == render_markdown(doc)  # the table is the JSON, rendered
    assert all(name in text for name in names)

    # Re-rendering from the saved JSON alone, without running anything, gives the same table.
    again = tmp_path / "benchmarks-again.md"
    again.write_text(f"{DOC_START}\n{DOC_END}\n", encoding="utf-8")
    r = subprocess.run([CLI, "bench", "--from-json", str(out), "--update-docs", str(again)], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr[-2000:]
    assert doc_region(again.read_text(encoding="utf-8")) == doc_region(text)


def test_docs_benchmark_table_is_rendered_from_benchmarks_json():
    doc = json.loads((REPO / "benchmarks.json").read_text(encoding="utf-8"))
    assert doc_region((REPO / "docs" / "benchmarks.md").read_text(encoding="utf-8")) == render_markdown(doc)
