"""The parity catalog itself: well-formed, covering both clients' methods, in docs/parity.md, rendered.

Needs no tracking server; the reflection test starts the in-process JVM (JPype).
"""

from __future__ import annotations

import html
import json
import re
import struct
from html.parser import HTMLParser
from pathlib import Path

import browser
import pytest

from bridge.cli import main
from bridge.parity.catalog import (
    BRIDGED,
    BY_ID,
    CATALOG,
    GAP,
    PARITY,
    RAW_REST,
    RAW_REST_IN_PART,
    STATUSES,
    UNREACHABLE,
    counts,
    reach_counts,
)
from bridge.parity.checks import CHECKS
from bridge.parity.report import (
    Outcome,
    Report,
    Row,
    doc_static,
    doc_static_part,
    render,
    static_report,
    update_doc,
)
from bridge.parity.systags import build
from bridge.versions import pinned

PARITY_DOC = Path(__file__).resolve().parents[2] / "docs" / "parity.md"


def test_catalog_is_well_formed():
    assert len(BY_ID) == len(CATALOG), "duplicate catalog ids"
    used = set()
    for cap in CATALOG:
        assert cap.status in STATUSES, cap.id
        assert cap.check in CHECKS, f"{cap.id}: no check {cap.check!r} in bridge/parity/checks/"
        used.add(cap.check)
        assert cap.python and cap.java and cap.title, cap.id
        if cap.status == PARITY:
            assert cap.check.startswith("parity_") and not cap.bridge and not cap.workaround, cap.id
        else:
            assert cap.check.startswith("stock_"), f"{cap.id}: a {cap.status} entry's check is a stock-Java attempt"
        if cap.status == BRIDGED:
            assert cap.bridge and cap.requires, f"{cap.id}: a bridged entry names its function(s)"
            assert cap.workaround in CHECKS and cap.workaround.startswith("bridge_"), cap.id
            used.add(cap.workaround)
        if cap.status == GAP:
            assert not cap.bridge and not cap.workaround and not cap.requires, f"{cap.id}: a gap has no workaround"
    assert sorted(set(CHECKS) - used) == [], "checks no catalog entry uses"
    assert "|" not in "".join(c.line() for c in CATALOG).replace(" | ", ""), "a field contains the line separator"


def test_catalog_covers_the_issue():
    """The capabilities the issue names are all there."""
    needed = [
        "experiments",
        "runs",
        "search_runs",
        "artifacts_no_python",
        "log_model_spark",
        "flavors_other",
        "load_model_spark",
        "managed_from_raw",
        "projects",
        "register_model",
        "stage_transitions",
        "aliases",
        "search_registered_models",
        "delete_registered_model",
        "delete_model_version",
        "logged_models",
        "log_inputs",
        "log_text_etc",
        "autolog",
        "traces",
        "local_tracking_uri",
        "credentials_env",
        "score_non_sparkml_jvm",
        "score_sparkml_jvm",
        "system_tags",
        "set_experiment",
    ]
    assert [n for n in needed if n not in BY_ID] == []
    c = counts()
    assert sum(c.values()) == len(CATALOG) and all(c[s] > 0 for s in STATUSES)


def _server_routes() -> set[str]:
    """ "METHOD path" of every route the installed tracking server serves: its Flask handlers, OTLP and MCP routers."""
    from mlflow.server.handlers import get_endpoints
    from mlflow.server.mcp_server_api import _MCP_SERVER_API_PREFIX, mcp_server_router
    from mlflow.tracing.utils.otlp import OTLP_TRACES_PATH

    routes = {f"{m} {path}" for path, _, methods in get_endpoints() for m in methods}
    routes |= {f"{m} {_MCP_SERVER_API_PREFIX}{getattr(r, 'path', '')}" for r in mcp_server_router.routes for m in getattr(r, "methods", ())}
    return routes | {f"POST {OTLP_TRACES_PATH}"}


def test_endpoints_are_server_routes_and_decide_the_stock_reach():
    """Every server call an entry lists is a route of the installed server, so `reach` (what the stock
    sendGet/sendPost/sendPatch under /api/2.0/mlflow/ can send) comes from real routes."""
    routes = _server_routes()
    assert [f"{c.id}: {e}" for c in CATALOG for e in c.endpoints if e not in routes] == []
    assert [c.id for c in CATALOG if c.status == PARITY and (c.endpoints or c.reach)] == []
    reach = {c.id: c.reach for c in CATALOG}
    # The issue's examples: these are reachable by raw REST, deletes are not.
    assert {k: reach[k] for k in ("log_inputs", "copy_model_version", "metrics_linked")} == dict.fromkeys(
        ("log_inputs", "copy_model_version", "metrics_linked"), RAW_REST
    )
    assert reach["logged_models"] == reach["traces"] == reach["aliases"] == RAW_REST_IN_PART
    assert reach["delete_registered_model"] == reach["delete_model_version"] == UNREACHABLE
    assert sum(reach_counts().values()) == sum(1 for c in CATALOG if c.status != PARITY)


@pytest.fixture(scope="module")
def jpype_session(sessions):
    return sessions["jpype"]


def test_reflection_every_method_is_classified(jpype_session):
    """Every public method of the installed Python and Java MlflowClient is classified by one entry,
    and every classified method exists: a version bump fails here until the catalog decides."""
    from bridge.parity.reflect import reflect

    r = reflect(jpype_session)
    assert len(r.python) > 100 and len(r.java) > 30, (len(r.python), len(r.java))
    assert r.problems() == []


def test_bridged_functions_are_in_the_jars(jpype_session):
    """A bridged entry's functions exist in bridge/jars (or Python); otherwise it is a gap today."""
    import importlib

    from bridge.parity.reflect import java_methods

    missing = []
    for cap in CATALOG:
        for req in cap.requires:
            if req.startswith("py:"):
                mod, _, fn = req[3:].rpartition(".")
                if not hasattr(importlib.import_module(mod), fn):
                    missing.append(f"{cap.id}: {req}")
                continue
            cls, _, method = req.partition("#")
            try:
                ok = method in java_methods(jpype_session, cls)
            except Exception:  # noqa: BLE001 - ClassNotFoundException
                ok = False
            if not ok:
                missing.append(f"{cap.id}: {req}")
    assert missing == [], "not in bridge/jars (rebuild with `make jars`, or classify as gap): " + "; ".join(missing)


def test_xfail_reasons_are_the_catalog_lines():
    import test_parity_checks as t

    reasons = {p.id: m.kwargs["reason"] for p in t._params("stock") for m in p.marks if m.name == "xfail"}
    for cap in CATALOG:
        if cap.status != PARITY:
            assert any(r.startswith(cap.line()) for pid, r in reasons.items() if pid.startswith(cap.id + "-")), cap.id
    assert all(m.kwargs["strict"] for p in t._params("stock") for m in p.marks if m.name == "xfail")
    assert [m.name for kind in ("workaround", "parity") for p in t._params(kind) for m in p.marks if m.name != "spark"] == [], (
        "only the stock-Java attempts are xfails"
    )


def test_docs_parity_table_is_current():
    part = doc_static_part(PARITY_DOC.read_text(encoding="utf-8"))
    assert part is not None, "docs/parity.md has no generated parity table: run `mlflow-bridge parity --no-live --update-docs`"
    assert part == doc_static(), "docs/parity.md's parity table is stale: run `mlflow-bridge parity --no-live --update-docs`"


def test_update_doc_rewrites_only_the_region(tmp_path):
    page = tmp_path / "parity.md"
    page.write_text("# x\n\nbefore\n<!-- parity:start -->\nold\n<!-- parity:end -->\nafter\n", encoding="utf-8")
    assert update_doc(page) is True
    text = page.read_text(encoding="utf-8")
    assert text.startswith("# x\n\nbefore\n<!-- parity:start -->\n") and text.endswith("<!-- parity:end -->\nafter\n")
    assert doc_static_part(text) == doc_static()
    assert update_doc(page) is False
    # a catalog-only update keeps the live part of the last live run
    page.write_text(page.read_text(encoding="utf-8").replace("<!-- parity:end -->", "live part\n<!-- parity:end -->"))
    update_doc(page)
    assert page.read_text(encoding="utf-8").endswith("-->\n\nlive part\n<!-- parity:end -->\nafter\n")
    assert update_doc(page) is False


@pytest.mark.parametrize("fmt", ["table", "markdown", "json", "html"])
def test_cli_catalog_only(fmt, tmp_path, capsys):
    out = tmp_path / f"parity.{fmt}"
    assert main(["parity", "--no-live", "--format", fmt, "--output", str(out)]) == 0
    text = out.read_text(encoding="utf-8")
    c = counts()
    if fmt == "json":
        data = json.loads(text)
        assert data["counts"] == c and len(data["capabilities"]) == len(CATALOG) and data["live"] is False
    else:
        if fmt == "html":
            text = html.unescape(re.sub(r"<[^>]+>", " ", text))  # the page's text, as a reader sees it
        for cap in CATALOG[:3]:
            assert cap.id in text or cap.title in text or cap.title.replace("|", "\\|") in text
        assert str(c[GAP]) in text
    pins = pinned()  # versions.properties (tests/test_versions.py checks it against what is installed)
    for version in (pins["mlflow.python"], pins["mlflow.java"]):
        assert version in text, version


def _fake_live_report() -> Report:
    """Every verdict the page can show, and a system tags table, without a server."""
    rows = []
    for i, cap in enumerate(CATALOG):
        row = Row(cap)
        if cap.status == PARITY:
            row.stock = Outcome("pass", "", 0.5) if i % 5 else Outcome("fail", "java said 1, python said 2", 0.4)
        else:
            row.stock = Outcome("confirmed", "no method <matching> & such", 0.1) if i % 7 else Outcome("closed")
            if cap.status == BRIDGED:
                row.workaround = Outcome("pass", "", 1.0) if i % 3 else Outcome("not-run", "needs Spark")
        rows.append(row)
    pythons = {
        "mlflow.user": "u",
        "mlflow.source.name": "/x/train.py",
        "mlflow.source.type": "LOCAL",
        "mlflow.runName": "r",
        "mlflow.source.git.commit": "0123456789abcdef",
    }
    tags = {
        "python": {"tags": pythons},
        "java_context": {"tags": {"mlflow.user": "u", "mlflow.source.type": "LOCAL", "mlflow.runName": "r"}},
        "java_client": {"tags": {"mlflow.runName": "generated-name-1"}},
        "bridge": {"tags": dict(pythons)},  # the bridge sets the same tags
    }
    return Report(rows, {"mlflow (Python, installed)": "3.17.2", "tracking server": "http://127.0.0.1:1"}, systags=build(tags))


class _Scan(HTMLParser):
    def __init__(self):
        super().__init__()
        self.external, self.rows, self.text = [], 0, []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag in ("script", "link", "img", "iframe") or any(k in ("src", "href") and v and re.match(r"(https?:)?//", v) for k, v in a.items()):
            self.external.append((tag, a))
        if tag == "tr":
            self.rows += 1

    def handle_data(self, data):
        self.text.append(data)


def _png_size(path: Path) -> tuple[int, int]:
    head = path.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    return struct.unpack(">II", head[16:24])


@pytest.mark.parametrize("live", [False, True], ids=["catalog", "live"])
def test_html_page_is_self_contained_and_renders(live, tmp_path):
    """One file, nothing fetched from elsewhere, every capability on it; Chromium renders it
    (`make test` installs it)."""
    report = _fake_live_report() if live else static_report()
    page = tmp_path / "parity.html"
    page.write_text(render(report, "html"), encoding="utf-8")
    scan = _Scan()
    scan.feed(page.read_text(encoding="utf-8"))
    assert scan.external == []
    text = " ".join(scan.text)
    assert all(cap.title in text for cap in CATALOG)
    assert scan.rows >= len(CATALOG) + 1
    if live:
        assert "update the catalog" in text and "MISMATCH" in text and "same as Python?" in text
    dom = browser.dump_dom(page)
    assert all(cap.id in dom for cap in CATALOG) and "MLflow Java/Python parity" in dom
    png = browser.screenshot(page, tmp_path / "parity.png")
    w, h = _png_size(png)
    assert (w, h) == (1400, 1800) and png.stat().st_size > 50_000, (w, h, png.stat().st_size)


def test_render_formats_agree_on_counts():
    report = _fake_live_report()
    data = json.loads(render(report, "json"))
    lc = report.live_counts()
    assert data["live_counts"] == lc and sum(lc.values()) == len(CATALOG)
    assert f"{lc['NOT as catalogued']} NOT as catalogued" in render(report, "table")
    md = render(report, "markdown")
    assert "| Capability | Status |" in md and "Live check" in md and "same as Python?" in md
