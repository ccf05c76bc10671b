"""The suite's JSON as a terminal report and as the benchmark section of docs/benchmarks.md.

Both read only the JSON document (`runner.run_suite`'s, or a file written by `--json`), so the
docs/benchmarks.md can be regenerated from a saved run: `mlflow-bridge bench --from-json out.json --update-docs`.
"""

from __future__ import annotations

import statistics
from pathlib import Path
from typing import Any

from ..errors import BridgeError

DOC_START = "<!-- bench:start (generated from the JSON of `mlflow-bridge bench --json F --update-docs`; do not edit) -->"
DOC_END = "<!-- bench:end -->"


# ------------------------------------------------------------------------------ figures
def fmt_value(value: float, unit: str) -> str:
    if unit == "s":
        return f"{value:.3f} s" if value < 10 else f"{value:.1f} s"
    if unit == "us":
        return f"{value:.2f} µs" if value < 100 else f"{value:,.0f} µs"
    return f"{value:.3g} {unit}"


def fmt_ratio(value: float) -> str:
    return f"{value:,.0f}×" if value >= 100 else f"{value:.2f}×"


def fmt_target(t: dict[str, Any]) -> tuple[str, str]:
    """(measured, goal) as text; ratios with ×, absolute figures with their unit."""
    if t["unit"] == "x":
        return fmt_ratio(t["value"]), f"{'≤' if t['op'] == '<=' else '≥'} {fmt_ratio(t['goal'])}"
    return fmt_value(t["value"], t["unit"]), f"{'≤' if t['op'] == '<=' else '≥'} {fmt_value(t['goal'], t['unit'])}"


def verdict(t: dict[str, Any]) -> str:
    return "met" if t["met"] else f"**missed** by {t['miss_factor']:.2f}×"


def _extra(value: Any) -> str:
    if isinstance(value, list) and value and all(isinstance(v, bool) for v in value):
        return "yes" if all(value) else "no" if not any(value) else f"{sum(value)} of {len(value)}"
    if isinstance(value, list) and value and all(isinstance(v, (int, float)) for v in value):
        return f"{statistics.median(value):,.0f}"
    return str(value)


def cell(m: dict[str, Any]) -> str:
    """A measurement's median, its repeats when fewer than the suite's, and its extras."""
    parts = [fmt_value(m["median"], m["unit"])]
    parts += [f"{k} {_extra(v)}" for k, v in m.get("extra", {}).items()]
    return " · ".join(parts)


def _pivot(row: dict[str, Any]) -> tuple[list[str], list[str], dict[tuple[str, str], dict[str, Any]]]:
    cases: list[str] = []
    contenders: list[str] = []
    by: dict[tuple[str, str], dict[str, Any]] = {}
    for m in row["measurements"]:
        if m["case"] not in cases:
            cases.append(m["case"])
        if m["contender"] not in contenders:
            contenders.append(m["contender"])
        by[(m["case"], m["contender"])] = m
    return cases, contenders, by


def _repeats(row: dict[str, Any]) -> str:
    counts = sorted({len(m["samples"]) for m in row["measurements"]})
    return "/".join(str(c) for c in counts) if counts else "-"


# ------------------------------------------------------------------------------ terminal
def render_text(doc: dict[str, Any]) -> str:
    out = [f"mlflow-bridge bench, {doc['started']}: {_machine_line(doc)}"]
    for row in doc["rows"]:
        out += ["", f"{row['id']} {row['title']}  ({row.get('seconds', 0):.0f} s)"]
        if row.get("error"):
            out.append(f"  FAILED: {row['error']}")
        cases, contenders, by = _pivot(row)
        width = max([len(c) for c in cases] + [4])
        for case in cases:
            for name in contenders:
                m = by.get((case, name))
                if m:
                    out.append(f"  {case:<{width}}  {name:<34} {cell(m)}  (n={len(m['samples'])})")
        for t in row["targets"]:
            measured, goal = fmt_target(t)
            mark = "met   " if t["met"] else "MISSED"
            miss = "" if t["met"] else f"; missed by {t['miss_factor']:.2f}×"
            out.append(f"  [{mark}] {t['label']}: {measured} (target {goal}{miss})")
        for note in row.get("notes", []):
            out.append(f"  note: {note}")
        if row.get("profile_note"):
            out.append(f"  profile: {row['profile_note']}")
    met = sum(t["met"] for r in doc["rows"] for t in r["targets"])
    total = sum(len(r["targets"]) for r in doc["rows"])
    failed = [r["id"] for r in doc["rows"] if r.get("error")]
    out += [
        "",
        f"targets met: {met} of {total}" + (f"; rows failed: {', '.join(failed)}" if failed else "") + f"; suite {doc.get('seconds', 0):.0f} s",
    ]
    return "\n".join(out) + "\n"


def _machine_line(doc: dict[str, Any]) -> str:
    m, v = doc["machine"], doc["versions"]
    load = m.get("load_average_at_start") or []
    parts = [
        f"{m.get('cores')} cores",
        f"{m.get('memory_gib')} GiB" if m.get("memory_gib") else None,
        f"load average at start {load[0]:.1f}" if load else None,
        f"JDK {v.get('java')}",
        f"Spark {v.get('spark')}",
        f"mlflow {v.get('mlflow_python')} (Python) / {v.get('mlflow_java')} (Java)",
        f"medians of {doc['repeat']} unless a row says fewer",
    ]
    return ", ".join(p for p in parts if p)


# ------------------------------------------------------------------------ docs/benchmarks.md
def render_markdown(doc: dict[str, Any]) -> str:
    lines = [f"Run of {doc['started']}: {_machine_line(doc)}; the whole suite took {doc.get('seconds', 0) / 60:.1f} min."]
    if doc.get("note"):
        lines.append(f"*{doc['note']}*")
    lines += ["", "| row | target | measured | goal | result | profile |", "|---|---|---|---|---|---|"]
    for row in doc["rows"]:
        profile = row.get("profile_note") or ""
        if row.get("error"):
            lines.append(f"| {row['id']} {row['title']} | the row failed: {row['error'][:200]} |  |  | **failed** | {profile} |")
            continue
        for i, t in enumerate(row["targets"]):
            measured, goal = fmt_target(t)
            head = f"{row['id']} {row['title']}" if i == 0 else ""
            lines.append(f"| {head} | {t['label']} | {measured} | {goal} | {verdict(t)} | {profile if i == 0 else ''} |")
    for row in doc["rows"]:
        if not row["measurements"]:
            continue
        cases, contenders, by = _pivot(row)
        lines += ["", f"**{row['id']} {row['title']}** (repeats: {_repeats(row)}; {row.get('seconds', 0):.0f} s)", ""]
        lines.append("| case | " + " | ".join(contenders) + " |")
        lines.append("|---" * (len(contenders) + 1) + "|")
        for case in cases:
            cells = [cell(by[(case, c)]) if (case, c) in by else "" for c in contenders]
            lines.append(f"| {case} | " + " | ".join(cells) + " |")
        for note in row.get("notes", []):
            lines.append(f"- {note}")
    return "\n".join(lines)


def update_doc(path: Path, doc: dict[str, Any]) -> bool:
    """Rewrite the region between the bench markers from `doc`; True when the file changed."""
    text = path.read_text(encoding="utf-8")
    if DOC_START not in text or DOC_END not in text:
        raise BridgeError(f"{path} has no {DOC_START} ... {DOC_END} region")
    head, rest = text.split(DOC_START, 1)
    _, tail = rest.split(DOC_END, 1)
    new = f"{head}{DOC_START}\n{render_markdown(doc)}\n{DOC_END}{tail}"
    if new != text:
        path.write_text(new, encoding="utf-8")
        return True
    return False


def doc_region(text: str) -> str | None:
    """What lies between the bench markers in a page's text, or None."""
    if DOC_START not in text or DOC_END not in text:
        return None
    return text.split(DOC_START, 1)[1].split(DOC_END, 1)[0].strip("\n")
