"""Run the selected rows in order, each in the shared context, and collect one JSON document.

A row that fails is recorded with its error and the suite goes on; everything the suite
started is stopped when it ends (the context's ExitStack), whatever happened.
"""

from __future__ import annotations

import os
import platform
import time
import traceback
from contextlib import ExitStack
from types import ModuleType
from typing import Any

from ..errors import BadInputError
from . import (
    p1_artifacts,
    p2_model_logging,
    p3_call_overhead,
    p4_scoring,
    p5_first_prediction,
    p6_log_batch,
    p7_serving,
    p8_onnx,
    p9_autolog,
    p10_row_scoring,
    p11_connect,
)
from .context import BenchContext
from .roots import ROOTS

ROWS: dict[str, ModuleType] = {
    m.ID: m
    for m in (
        p1_artifacts,
        p2_model_logging,
        p3_call_overhead,
        p4_scoring,
        p5_first_prediction,
        p6_log_batch,
        p7_serving,
        p8_onnx,
        p9_autolog,
        p10_row_scoring,
        p11_connect,
    )
}


def select_rows(spec: str | None) -> list[str]:
    """`P1,P3` -> ["P1", "P3"] in suite order; None or "all" -> every row."""
    if not spec or spec == "all":
        return list(ROWS)
    wanted = [s.strip().upper() for s in spec.split(",") if s.strip()]
    unknown = [w for w in wanted if w not in ROWS]
    if unknown:
        raise BadInputError(f"--rows: unknown rows {', '.join(unknown)}; known: {', '.join(ROWS)}")
    return [r for r in ROWS if r in wanted]


def select_roots(spec: str | None) -> list[Any]:
    if not spec:
        return list(ROOTS.values())
    names = [s.strip() for s in spec.split(",") if s.strip()]
    unknown = [n for n in names if n not in ROOTS]
    if unknown:
        raise BadInputError(f"--roots: unknown artifact roots {', '.join(unknown)}; known: {', '.join(ROOTS)}")
    return [ROOTS[n] for n in names]


def run_suite(rows: list[str], repeat: int, tracking_uri: str | None = None, roots: list[Any] | None = None) -> dict[str, Any]:
    if repeat < 1:
        raise BadInputError("--repeat must be 1 or more")
    doc: dict[str, Any] = {
        "suite": "mlflow-bridge bench",
        "started": time.strftime("%Y-%m-%d %H:%M:%S %z"),
        "repeat": repeat,
        "machine": machine(),
        "versions": versions(),
        "rows": [],
    }
    t0 = time.monotonic()
    with ExitStack() as stack:
        ctx = BenchContext(stack, tracking_uri)
        for row_id in rows:
            module = ROWS[row_id]
            ctx.progress(f"{row_id} {module.TITLE}")
            started = time.monotonic()
            kwargs = {"roots": roots or list(ROOTS.values())} if row_id == "P1" else {}
            try:
                result = module.run(ctx, repeat, **kwargs).to_json()
            except Exception as e:  # noqa: BLE001 - one broken row must not hide the others' numbers
                ctx.progress(f"{row_id} failed: {e}")
                result = {"id": row_id, "title": module.TITLE, "error": f"{type(e).__name__}: {e}", "trace": traceback.format_exc()[-3000:],
                          "profile_note": getattr(module, "PROFILE_NOTE", ""), "measurements": [], "targets": [], "notes": []}  # fmt: skip
            result["seconds"] = round(time.monotonic() - started, 1)
            doc["rows"].append(result)
        ctx.progress("stopping what the suite started")
    doc["seconds"] = round(time.monotonic() - t0, 1)
    return doc


def machine() -> dict[str, Any]:
    mem_gib = None
    try:
        import psutil

        mem_gib = round(psutil.virtual_memory().total / 2**30)
    except ImportError:
        pass
    return {
        "cores": os.cpu_count(),
        "memory_gib": mem_gib,
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
        "platform": platform.platform(),
    }


def versions() -> dict[str, Any]:
    from ..java import java_version
    from ..versions import installed, pinned

    p = pinned()
    return {
        "java": java_version(),
        "python": platform.python_version(),
        "spark": installed("pyspark"),
        "mlflow_python": installed("mlflow"),
        "mlflow_java": p.get("mlflow.java"),
        "jpype": installed("jpype1"),
    }


def merge_rows(saved: dict[str, Any], fresh: dict[str, Any]) -> dict[str, Any]:
    """`saved` with the rows of `fresh` in place of its own (suite order); the note says which rows ran when."""
    new = {r["id"]: r for r in fresh["rows"]}
    rows = {r["id"]: r for r in saved["rows"]} | new
    merged = dict(saved, rows=[rows[i] for i in ROWS if i in rows])
    merged["seconds"] = round(sum(r.get("seconds", 0) for r in merged["rows"]), 1)
    ran = ", ".join(new)
    merged["note"] = " ".join(
        x
        for x in (
            saved.get("note", ""),
            f"Rows {ran} ran separately on {fresh['started']} (load average at start {fresh['machine']['load_average_at_start'][0]}).",
        )
        if x
    )
    return merged
