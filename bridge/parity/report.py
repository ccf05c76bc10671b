"""The parity report: the catalog, live outcomes of its checks, reflection, system tags; rendered
as a text table, markdown, JSON or one self-contained HTML page. Also rewrites docs/parity.md's region.
"""

from __future__ import annotations

import html
import json
import platform
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from ..errors import BridgeError
from ..versions import installed, pinned
from .catalog import (
    BRIDGED,
    CATALOG,
    CLIENT_CODE,
    GAP,
    PARITY,
    RAW_REST,
    RAW_REST_IN_PART,
    REACHES,
    STATUSES,
    UNREACHABLE,
    Capability,
    counts,
    reach_counts,
)
from .checks import CHECKS, Ctx, GapConfirmed, NeedsSpark

DOC_START = "<!-- parity:start -->"
DOC_END = "<!-- parity:end -->"
STATIC_START = "<!-- parity:catalog:start (generated from bridge/parity/catalog.py by `mlflow-bridge parity --update-docs`; do not edit) -->"
STATIC_END = "<!-- parity:catalog:end -->"
STATUS_WORD = {PARITY: "parity", BRIDGED: "bridged", GAP: "gap"}
REACH_WORD = {
    RAW_REST: "reachable only through raw REST calls (*raw REST*)",
    RAW_REST_IN_PART: "reachable in part (*raw REST in part*: the rest needs DELETE, /api/3.0 or OTLP)",
    UNREACHABLE: "not reachable at all (*unreachable*)",
    CLIENT_CODE: "with server routes the stock client has, missing client code (*client code*)",
}


@dataclass
class Outcome:
    kind: str  # confirmed | closed | pass | fail | error | not-run
    detail: str = ""
    seconds: float = 0.0

    def to_json(self) -> dict:
        return {"kind": self.kind, "detail": self.detail, "seconds": round(self.seconds, 2)}


@dataclass
class Row:
    cap: Capability
    stock: Outcome | None = None  # parity: the comparison; gap/bridged: the stock-Java attempt
    workaround: Outcome | None = None  # bridged only

    @property
    def verdict(self) -> tuple[bool | None, str]:
        """(True: as catalogued, False: not as catalogued, None: not run), and a few words."""
        s, w, status = self.stock, self.workaround, self.cap.status
        if s is None or s.kind == "not-run" or (w is not None and w.kind == "not-run"):
            why = next((o.detail for o in (s, w) if o is not None and o.kind == "not-run"), "not run")
            return None, f"not run: {why}"
        if status == PARITY:
            return (True, "same answer from both clients") if s.kind == "pass" else (False, f"MISMATCH: {s.detail}")
        if s.kind == "closed":
            return False, "stock Java does it now: update the catalog"
        if s.kind != "confirmed":
            return False, f"stock attempt errored: {s.detail}"
        if status == GAP:
            return True, "gap confirmed"
        if w is None:
            return False, "no workaround check ran"
        return (True, "gap confirmed, workaround passes") if w.kind == "pass" else (False, f"WORKAROUND FAILS: {w.detail}")


@dataclass
class Report:
    rows: list[Row]
    versions: dict[str, str]
    reflection: Any = None  # reflect.Reflection
    systags: Any = None  # systags.TagTable
    notes: list[str] = field(default_factory=list)
    live: bool = True

    def live_counts(self) -> dict[str, int]:
        out = {"as catalogued": 0, "NOT as catalogued": 0, "not run": 0}
        for r in self.rows:
            ok, _ = r.verdict
            out["as catalogued" if ok else "not run" if ok is None else "NOT as catalogued"] += 1
        return out

    @property
    def ok(self) -> bool:
        return all(r.verdict[0] is not False for r in self.rows) and (self.reflection is None or self.reflection.ok)


# ---------------------------------------------------------------------------------- running
def outcome(check_name: str, ctx: Ctx, expect_gap: bool) -> Outcome:
    t0 = time.monotonic()
    try:
        CHECKS[check_name].fn(ctx)
    except GapConfirmed as e:
        return Outcome("confirmed" if expect_gap else "fail", _first(e), time.monotonic() - t0)
    except NeedsSpark as e:
        return Outcome("not-run", str(e), time.monotonic() - t0)
    except AssertionError as e:
        return Outcome("fail", _first(e) or traceback.format_exc(limit=-1).strip().splitlines()[-1], time.monotonic() - t0)
    except (BridgeError, Exception) as e:  # noqa: BLE001 - reported, not raised
        return Outcome("error", f"{type(e).__name__}: {_first(e)}", time.monotonic() - t0)
    return Outcome("closed" if expect_gap else "pass", "", time.monotonic() - t0)


def _first(e: BaseException) -> str:
    text = str(e).strip()
    return text.splitlines()[0][:400] if text else ""


def run_rows(ctx: Ctx, only: set[str] | None = None, progress: Callable[[str], None] | None = None) -> list[Row]:
    rows = []
    for cap in CATALOG:
        if only and cap.id not in only:
            continue
        if progress:
            progress(cap.id)
        row = Row(cap)
        if CHECKS[cap.check].needs_spark and ctx.spark is None:
            row.stock = Outcome("not-run", "needs Spark: use --backend py4j")
        else:
            row.stock = outcome(cap.check, ctx, expect_gap=cap.status != PARITY)
        if cap.status == BRIDGED:
            if CHECKS[cap.workaround].needs_spark and ctx.spark is None:
                row.workaround = Outcome("not-run", "needs Spark: use --backend py4j")
            else:
                row.workaround = outcome(cap.workaround, ctx, expect_gap=False)
        rows.append(row)
    return rows


def versions(ctx: Ctx | None = None) -> dict[str, str]:
    p = pinned()
    out = {
        "mlflow (Python, pinned)": p["mlflow.python"],
        "mlflow (Python, installed)": installed("mlflow") or "?",
        "mlflow-client (Java, pinned)": p["mlflow.java"],
        "spark (pinned)": p["spark"],
        "pyspark (installed)": installed("pyspark") or "?",
        "python": platform.python_version(),
    }
    if ctx is not None:
        from .checks.base import java_client_version

        out["mlflow-client (Java, in the JVM)"] = java_client_version(ctx)
        out["java"] = ctx.jvm.jvm_version()
        out["backend"] = ctx.backend
        out["tracking server"] = ctx.tracking_uri
    return out


def static_report() -> Report:
    return Report([Row(c) for c in CATALOG], versions(), live=False)


# ---------------------------------------------------------------------------------- markdown
def _md(s: str) -> str:
    return s.replace("|", "\\|").replace("\n", " ")


def catalog_markdown(doc: dict) -> str:
    """The catalog as a markdown table; with a live run, a column of outcomes. A static report's
    output depends on nothing but the catalog and versions.properties."""
    p = pinned()
    c = doc["counts"]
    lines = [
        f"Generated from `bridge/parity/catalog.py` for mlflow {p['mlflow.python']} (Python) and "
        f"`org.mlflow:mlflow-client` {p['mlflow.java']} (Java): **{c[PARITY]} parity, {c[BRIDGED]} bridged, "
        f"{c[GAP]} gap** ({len(doc['capabilities'])} capabilities). *parity*: both clients do it; *bridged*: the stock Java "
        "client cannot, our code does; *gap*: Java cannot and we have no workaround. Every entry is a live "
        "check (`mlflow-bridge parity`); gaps and bridged entries are strict xfails in "
        "`tests/parity/test_parity_checks.py` that fail the day the stock client catches up.",
        "",
        "*Stock reach* says how far the stock client gets on its own with a bridged or gap entry: "
        + ", ".join(f"**{doc['reach_counts'][r]}** {REACH_WORD[r]}" for r in REACHES)
        + ". Its raw `sendGet`/`sendPost`/`sendPatch` reach GET, POST and PATCH under `/api/2.0/mlflow/` and nothing "
        "else: no DELETE, no `/api/3.0`, no OTLP. The server calls each entry needs are listed in the catalog "
        "(`endpoints`) and checked against the 3.17 server's routes.",
        "",
    ]
    head = ["Capability", "Status", "Stock reach", "Python", "Stock Java client", "Our bridge", "Upstream"]
    if doc["live"]:
        head.append("Live check")
    lines += ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for cap in doc["capabilities"]:
        cells = [
            _md(cap["title"]),
            f"**{STATUS_WORD[cap['status']]}**",
            cap["reach"],
            _md(cap["python"]),
            _md(cap["java"]),
            f"`{_md(cap['bridge'])}`" if cap["bridge"] else "",
            _md(cap["issue"]),
        ]
        if doc["live"]:
            ok, text = cap["live"]["ok"], cap["live"]["verdict"]
            cells.append(("✅ " if ok else "⚪ " if ok is None else "❌ ") + _md(text))
        lines.append("| " + " | ".join(cells) + " |")
    lines += ["", "The FAQ's statements, as checked:", ""]
    for faq, caps in _faqs(doc).items():
        lines.append(f'- *"{faq}"*: ' + "; ".join(f"{cap['title']} → **{cap['status']}**" for cap in caps))
    return "\n".join(lines)


def _faqs(doc: dict) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {}
    for cap in doc["capabilities"]:
        if cap["faq"]:
            out.setdefault(cap["faq"], []).append(cap)
    return out


def doc_static() -> str:
    return f"{STATIC_START}\n{catalog_markdown(to_json(static_report()))}\n{STATIC_END}"


def _tag_table(doc: dict) -> Any:
    from .systags import TagTable

    t = doc.get("system_tags")
    return None if t is None else TagTable(t["tags"], t["rows"], t.get("checkout", ""))


def _reflection_line(r: dict) -> str:
    return (
        f"Python `MlflowClient` has {len(r['python_methods'])} public methods, Java `MlflowClient` "
        f"{len(r['java_methods'])} method names ({r['java_overloads']} overloads); "
        + ("all classified by the catalog." if not r["problems"] else "; ".join(r["problems"]))
    )


def live_markdown(doc: dict, for_docs: bool = False) -> str:
    """The live part: outcome counts, versions, reflection, system tags. `for_docs` leaves out what
    differs between machines (server address, tag values: the tags table then shows set/unset)."""
    from . import systags

    lines = ["Last live run: " + ", ".join(f"{v} {k}" for k, v in doc["live_counts"].items()) + ".", ""]
    shown = {k: v for k, v in doc["versions"].items() if not (for_docs and k in ("tracking server", "python"))}
    lines.append("Versions: " + ", ".join(f"{k} {v}" for k, v in shown.items()) + ".")
    if "reflection" in doc:
        lines += ["", "Reflection: " + _reflection_line(doc["reflection"])]
    table = _tag_table(doc)
    if table is not None:
        lines += [
            "",
            'System run tags (the FAQ\'s "What are the MLflow system run tags?"): one run and one nested run '
            "per creator, from scripts in a fresh git checkout with a remote; the last column is a JVM program "
            "of its own (`java JvmTagProbe.java`), whose `mlflow.source.name` is its entry point (a main class, "
            "a jar, or the `.java` file)" + (" (✓ set, — not set)" if for_docs else "") + ":",
            "",
            systags.markdown(table, values=not for_docs),
        ]
    return "\n".join(lines)


def markdown(doc: dict) -> str:
    parts = ["## Java/Python parity", "", catalog_markdown(doc)]
    if doc["live"]:
        parts += ["", live_markdown(doc)]
    parts += [f"\n{n}" for n in doc["notes"]]
    return "\n".join(parts) + "\n"


# ---------------------------------------------------------------------------------- text, json
def text_table(doc: dict) -> str:
    head = ("capability", "status", "live check")
    live = doc["live"]
    data = []
    for cap in doc["capabilities"]:
        ok, verdict = (cap["live"]["ok"], cap["live"]["verdict"]) if live else (None, "")
        mark = "" if not live else ("ok   " if ok else "--   " if ok is None else "FAIL ")
        data.append((cap["id"], cap["status"], mark + (verdict if live else cap["bridge"] or cap["java"])))
    w0 = max(len(head[0]), *(len(d[0]) for d in data))
    w1 = max(len(head[1]), *(len(d[1]) for d in data))
    out = [f"{head[0]:<{w0}}  {head[1]:<{w1}}  {head[2] if live else 'bridge / stock Java'}", f"{'-' * w0}  {'-' * w1}  {'-' * 40}"]
    out += [f"{a:<{w0}}  {b:<{w1}}  {c}" for a, b, c in data]
    c = doc["counts"]
    out += ["", "catalog: " + ", ".join(f"{c[s]} {s}" for s in STATUSES) + f" ({len(doc['capabilities'])} capabilities)"]
    if live:
        out.append("live:    " + ", ".join(f"{v} {k}" for k, v in doc["live_counts"].items()))
    out.append("versions: " + ", ".join(f"{k} {v}" for k, v in doc["versions"].items()))
    if "reflection" in doc:
        out.append("reflection: " + _reflection_line(doc["reflection"]).replace("`", ""))
    t = _tag_table(doc)
    if t is not None:
        from .systags import CREATORS, short

        out += ["", "system run tags:"]
        w = max(len(k) for k in t.rows)
        out.append(f"{'':<{w}}  " + "  |  ".join(CREATORS.values()))
        for k in t.rows:
            out.append(f"{k:<{w}}  " + "  |  ".join(short(k, t.value(c, k)) for c in CREATORS))
        out.append(f"{'same as Python':<{w}}  " + "  |  ".join("-" if c == "python" else ("yes" if t.same_as_python(c) else "no") for c in CREATORS))
    out += doc["notes"]
    return "\n".join(out) + "\n"


def to_json(report: Report) -> dict:
    """The report's one form: every renderer (text, markdown, HTML) reads this."""
    rows = []
    for row in report.rows:
        ok, verdict = row.verdict
        d = {
            k: getattr(row.cap, k)
            for k in ("id", "title", "status", "reach", "python", "java", "bridge", "issue", "faq", "note", "check", "workaround")
        }
        d["endpoints"] = list(row.cap.endpoints)
        d["py_methods"], d["java_methods"] = list(row.cap.py_methods), list(row.cap.java_methods)
        d["line"] = row.cap.line()
        if report.live:
            d["live"] = {
                "ok": ok,
                "verdict": verdict,
                "stock": row.stock.to_json() if row.stock else None,
                "workaround": row.workaround.to_json() if row.workaround else None,
            }
        rows.append(d)
    out: dict[str, Any] = {
        "counts": counts(),
        "reach_counts": reach_counts(),
        "versions": report.versions,
        "capabilities": rows,
        "live": report.live,
        "notes": report.notes,
    }
    if report.live:
        out["live_counts"] = report.live_counts()
        out["ok"] = report.ok
    if report.reflection is not None:
        r = report.reflection
        out["reflection"] = {
            "python_methods": sorted(r.python),
            "java_methods": sorted(r.java),
            "java_overloads": r.java_overloads,
            "unclassified_python": r.unclassified_python,
            "unclassified_java": r.unclassified_java,
            "problems": r.problems(),
        }
    if report.systags is not None:
        out["system_tags"] = report.systags.to_json()
    return out


# ---------------------------------------------------------------------------------- html
_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;margin:24px;color:#1d232a;background:#fff}
h1{font-size:22px;margin:0 0 6px} h2{font-size:17px;margin:26px 0 8px}
.sub{color:#57606a;font-size:13px;margin-bottom:14px}
.counts span{display:inline-block;margin-right:10px;padding:4px 10px;border-radius:12px;font-weight:600;font-size:13px}
table{border-collapse:collapse;width:100%;font-size:12.5px;table-layout:fixed}
table.tags{table-layout:auto} table.tags code{overflow-wrap:normal;white-space:nowrap}
th,td{border:1px solid #d0d7de;padding:5px 7px;text-align:left;vertical-align:top}
th{background:#f6f8fa;position:sticky;top:0}
tr:nth-child(even) td{background:#fbfcfd}
.badge{display:inline-block;padding:1px 8px;border-radius:10px;font-weight:600;font-size:12px;white-space:nowrap}
.parity{background:#dafbe1;color:#116329} .bridged{background:#ddf4ff;color:#0550ae} .gap{background:#ffebe9;color:#a40e26}
.ok{color:#116329} .bad{color:#a40e26;font-weight:600} .nr{color:#6e7781}
code{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:11.5px;background:#f6f8fa;padding:0 3px;border-radius:3px;overflow-wrap:anywhere}
td{overflow-wrap:anywhere}
.detail{color:#57606a;font-size:11.5px;margin-top:3px}
dl{display:grid;grid-template-columns:max-content auto;gap:2px 14px;font-size:13px} dt{color:#57606a} dd{margin:0}
"""


def _h(s: Any) -> str:
    return html.escape(str(s))


def render_html(doc: dict) -> str:
    from .systags import CREATORS, DESCRIPTIONS, short

    c, versions, live = doc["counts"], doc["versions"], doc["live"]
    parts = [
        "<!doctype html><html lang=en><head><meta charset=utf-8>",
        "<meta name=viewport content='width=device-width,initial-scale=1'>",
        "<title>MLflow Java/Python parity</title>",
        f"<style>{_CSS}</style></head><body>",
        "<h1>MLflow Java/Python parity</h1>",
        f"<div class=sub>Python <code>mlflow</code> {_h(versions.get('mlflow (Python, installed)'))} vs the "
        f"stock Java client <code>org.mlflow:mlflow-client</code> "
        f"{_h(versions.get('mlflow-client (Java, in the JVM)') or versions.get('mlflow-client (Java, pinned)') or pinned()['mlflow.java'])}"
        f"{' — live checks against ' + _h(versions.get('tracking server')) if live else ' — catalog only (no live run)'}"
        "</div>",
        "<div class=counts>" + "".join(f"<span class={s}>{c[s]} {s}</span>" for s in STATUSES),
    ]
    if live:
        lc = doc["live_counts"]
        parts.append(
            f"<span class=parity>{lc['as catalogued']} as catalogued</span>"
            f"<span class=gap>{lc['NOT as catalogued']} not as catalogued</span>"
            f"<span style='background:#eaeef2'>{lc['not run']} not run</span>"
        )
    parts.append("</div>")
    widths = [18, 6, 17, 18, 14, 9] + ([18] if live else [])
    parts.append(
        "<h2>Capabilities</h2><table><colgroup>"
        + "".join(f"<col style='width:{w}%'>" for w in widths)
        + "</colgroup><thead><tr><th>Capability</th><th>Status</th><th>Python</th>"
        "<th>Stock Java client</th><th>Our bridge</th><th>Upstream</th>" + ("<th>Live check</th>" if live else "") + "</tr></thead><tbody>"
    )
    for cap in doc["capabilities"]:
        cells = [
            f"{_h(cap['title'])}<div class=detail><code>{_h(cap['id'])}</code></div>"
            + (f"<div class=detail>{_h(cap['note'])}</div>" if cap["note"] else ""),
            f"<span class='badge {cap['status']}'>{cap['status']}</span>",
            _h(cap["python"]),
            _h(cap["java"]),
            f"<code>{_h(cap['bridge'])}</code>" if cap["bridge"] else "",
            _h(cap["issue"]),
        ]
        if live:
            ok, verdict = cap["live"]["ok"], cap["live"]["verdict"]
            cls = "ok" if ok else "nr" if ok is None else "bad"
            details = [
                f"{label}: {o['kind']} ({o['seconds']:.1f}s){' — ' + o['detail'] if o['detail'] else ''}"
                for label, o in (
                    ("stock Java" if cap["status"] != PARITY else "comparison", cap["live"]["stock"]),
                    ("workaround", cap["live"]["workaround"]),
                )
                if o is not None
            ]
            cells.append(f"<span class={cls}>{_h(verdict)}</span>" + "".join(f"<div class=detail>{_h(d)}</div>" for d in details))
        parts.append("<tr>" + "".join(f"<td>{x}</td>" for x in cells) + "</tr>")
    parts.append("</tbody></table>")
    parts.append("<h2>The FAQ's statements</h2><ul>")
    for faq, caps in _faqs(doc).items():
        parts.append(
            f"<li><i>“{_h(faq)}”</i>: "
            + "; ".join(f"{_h(cap['title'])} → <span class='badge {cap['status']}'>{cap['status']}</span>" for cap in caps)
            + "</li>"
        )
    parts.append("</ul>")
    t = _tag_table(doc)
    if t is not None:
        parts.append(
            "<h2>System run tags</h2><table class=tags><thead><tr><th>Tag</th><th>Meaning</th>"
            + "".join(f"<th>{_h(v)}</th>" for v in CREATORS.values())
            + "</tr></thead><tbody>"
        )
        for k in t.rows:
            parts.append(
                f"<tr><td><code>{_h(k)}</code></td><td>{_h(DESCRIPTIONS.get(k, ''))}</td>"
                + "".join(f"<td>{_h(short(k, t.value(cr, k)))}</td>" for cr in CREATORS)
                + "</tr>"
            )
        parts.append(
            "<tr><td><b>same as Python?</b></td><td></td>"
            + "".join(
                "<td>—</td>"
                if cr == "python"
                else ("<td class=ok>yes</td>" if t.same_as_python(cr) else f"<td class=bad>no: {_h(', '.join(t.differences(cr)))}</td>")
                for cr in CREATORS
            )
            + "</tr>"
        )
        parts.append("</tbody></table>")
    if "reflection" in doc:
        r = doc["reflection"]
        parts.append(
            f"<h2>Reflection</h2><p>Python <code>MlflowClient</code>: {len(r['python_methods'])} public methods; Java "
            f"<code>MlflowClient</code>: {len(r['java_methods'])} method names ({r['java_overloads']} overloads). "
            + ("All classified by the catalog." if not r["problems"] else "<span class=bad>" + _h("; ".join(r["problems"])) + "</span>")
            + "</p>"
        )
    parts.append("<h2>Versions</h2><dl>" + "".join(f"<dt>{_h(k)}</dt><dd>{_h(v)}</dd>" for k, v in versions.items()) + "</dl>")
    for n in doc["notes"]:
        parts.append(f"<p class=sub>{_h(n)}</p>")
    parts.append("</body></html>\n")
    return "".join(parts)


def render(report: Report, fmt: str) -> str:
    """Every format from the report's one JSON form."""
    doc = to_json(report)
    if fmt == "json":
        return json.dumps(doc, indent=2) + "\n"
    if fmt == "table":
        return text_table(doc)
    if fmt == "markdown":
        return markdown(doc)
    if fmt == "html":
        return render_html(doc)
    raise ValueError(f"unknown format {fmt!r}")


# ---------------------------------------------------------------------------- docs/parity.md
def doc_region(report: Report | None = None) -> str:
    """What goes between docs/parity.md's parity markers: the static catalog table, then (when given)
    the live part of a run (not compared by tests: it depends on the machine)."""
    parts = [doc_static()]
    if report is not None and report.live:
        parts += ["", live_markdown(to_json(report), for_docs=True)]
    return "\n".join(parts)


def update_doc(path: Path, report: Report | None = None) -> bool:
    """Rewrite the region between the parity markers; True when the file changed."""
    text = path.read_text(encoding="utf-8")
    if DOC_START not in text or DOC_END not in text:
        raise BridgeError(f"{path} has no {DOC_START} ... {DOC_END} region")
    head, rest = text.split(DOC_START, 1)
    region, tail = rest.split(DOC_END, 1)
    body = doc_region(report)
    if (report is None or not report.live) and STATIC_END in region:
        kept = region.split(STATIC_END, 1)[1].strip("\n")  # a catalog-only update keeps the last live run
        if kept:
            body += "\n\n" + kept
    new = f"{head}{DOC_START}\n{body}\n{DOC_END}{tail}"
    if new != text:
        path.write_text(new, encoding="utf-8")
        return True
    return False


def doc_static_part(text: str) -> str | None:
    """The static catalog part found in a page's text, or None."""
    if STATIC_START not in text or STATIC_END not in text:
        return None
    return STATIC_START + text.split(STATIC_START, 1)[1].split(STATIC_END, 1)[0] + STATIC_END
