"""Compare two engines' scores row by row, by what each column holds.

Numbers compare by absolute difference; NaN equals NaN and null equals null (counted, never a
disagreement by themselves); text and booleans compare by value; vectors and arrays elementwise
(strings by value, numbers within the tolerance); maps and structs field by field.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from numbers import Number
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from ..errors import BadInputError


@dataclass
class ColumnComparison:
    name: str
    kind: str  # number | vector | text | texts | nested | struct | other
    how: str  # how the values were compared, for the report
    max_abs_diff: float | None = None  # numeric kinds only
    mismatches: int = 0  # rows whose values differ (numbers: beyond the tolerance)
    nulls: int = 0  # rows null in both engines
    nans: int = 0  # NaN values present in both at the same place
    per_row: np.ndarray = field(default_factory=lambda: np.zeros(0))  # numeric diff per row (NaN-safe)


@dataclass
class Comparison:
    rows: int
    tolerance: float
    columns: list[ColumnComparison]
    worst_rows: pd.DataFrame = field(default_factory=pd.DataFrame)
    # The first numeric output column of each engine, for plots.
    plotted_column: str = ""
    python_values: np.ndarray = field(default_factory=lambda: np.zeros(0))
    scala_values: np.ndarray = field(default_factory=lambda: np.zeros(0))

    @property
    def max_abs_diff(self) -> dict[str, float]:
        """Numeric columns: the largest |python - scala| (NaN pairs and null pairs excluded)."""
        return {c.name: c.max_abs_diff for c in self.columns if c.max_abs_diff is not None}

    @property
    def ok(self) -> bool:
        """Agreement needs something compared: no output column is no evidence."""
        return bool(self.columns) and all(c.mismatches == 0 for c in self.columns)

    def render(self) -> str:
        lines = [f"rows compared: {self.rows}   tolerance: {self.tolerance:g}   verdict: {'AGREE' if self.ok else 'DISAGREE'}"]
        lines.append(f"{'column':<22} {'compared as':<34} {'max |python - scala|':>20} {'differ':>7} {'null=null':>9} {'NaN=NaN':>8}")
        for c in self.columns:
            diff = "" if c.max_abs_diff is None else f"{c.max_abs_diff:.3e}"
            lines.append(f"{c.name:<22} {c.how:<34} {diff:>20} {c.mismatches:>7} {c.nulls:>9} {c.nans:>8}")
        if not self.worst_rows.empty:
            lines.append("worst rows:")
            lines.append(self.worst_rows.to_string(index=False))
        return "\n".join(lines)


def _is_null(v: Any) -> bool:
    return v is None


def _is_nan(v: Any) -> bool:
    return isinstance(v, (float, np.floating)) and bool(np.isnan(v))


def _is_seq(v: Any) -> bool:
    return isinstance(v, (list, tuple, np.ndarray))


def _is_number(v: Any) -> bool:
    return isinstance(v, Number) and not isinstance(v, bool)


def _kind(values: list[Any]) -> str:
    sample = next((v for v in values if not _is_null(v)), None)
    if sample is None:
        return "other"
    if _is_seq(sample):
        inner = next((x for v in values if _is_seq(v) for x in v if not _is_null(x)), None)
        if isinstance(inner, str):
            return "texts"
        return "vector" if inner is None or _is_number(inner) else "nested"
    if isinstance(sample, dict):
        return "struct"
    if _is_number(sample):
        return "number"
    if isinstance(sample, str):
        return "text"
    return "other"


HOW = {
    "number": "number, |difference|",
    "vector": "numbers elementwise, |difference|",
    "text": "text, by value",
    "texts": "array of text, by value",
    "nested": "array of arrays/structs, elementwise",
    "struct": "map/struct, field by field",
    "other": "by value",
}


class _Tally:
    def __init__(self, tolerance: float):
        self.tolerance = tolerance
        self.max_diff = 0.0
        self.nulls = 0
        self.nans = 0

    def same(self, a: Any, b: Any) -> bool:
        """Whether two values agree, recording numeric differences, null and NaN pairs."""
        if _is_null(a) or _is_null(b):
            if _is_null(a) and _is_null(b):
                self.nulls += 1
                return True
            return False
        if _is_seq(a) or _is_seq(b):
            if not (_is_seq(a) and _is_seq(b)) or len(a) != len(b):
                return False
            return all([self.same(x, y) for x, y in zip(a, b)])  # a list: tally every element
        if isinstance(a, dict) or isinstance(b, dict):
            if not (isinstance(a, dict) and isinstance(b, dict)) or set(a) != set(b):
                return False
            return all([self.same(a[k], b[k]) for k in a])
        if _is_number(a) and _is_number(b):
            if _is_nan(a) or _is_nan(b):
                if _is_nan(a) and _is_nan(b):
                    self.nans += 1
                    return True
                return False
            d = abs(float(a) - float(b))
            self.max_diff = max(self.max_diff, d)
            return d <= self.tolerance
        return bool(a == b)


def compare_column(name: str, a: list[Any], b: list[Any], tolerance: float) -> ColumnComparison:
    kind = _kind(a) if _kind(a) != "other" else _kind(b)
    per_row = np.zeros(len(a))
    mismatches = nulls = nans = 0
    max_diff = 0.0
    for i, (x, y) in enumerate(zip(a, b)):
        t = _Tally(tolerance)
        if not t.same(x, y):
            mismatches += 1
            per_row[i] = np.inf if t.max_diff <= tolerance else t.max_diff
        else:
            per_row[i] = t.max_diff
        max_diff = max(max_diff, t.max_diff)
        nulls, nans = nulls + t.nulls, nans + t.nans
    numeric = kind in ("number", "vector", "nested", "struct")
    return ColumnComparison(name, kind, HOW[kind], max_diff if numeric else None, mismatches, nulls, nans, per_row)


def compare(python: pa.Table, scala: pa.Table, output_columns: list[str], tolerance: float, worst: int = 5) -> Comparison:
    """Both tables carry `_row`; outputs are compared on the columns given.

    Arrow tables, not pandas: pandas turns a null float into NaN, and the report tells them apart.
    """
    if python.num_rows != scala.num_rows:
        raise BadInputError(f"engines returned different row counts: python {python.num_rows}, scala {scala.num_rows}")
    a, b = python.sort_by("_row"), scala.sort_by("_row")
    values = {c: (_values(a, c), _values(b, c)) for c in output_columns}
    columns = [compare_column(c, *values[c], tolerance) for c in output_columns]
    rows = a.num_rows
    per_row = np.max(np.stack([c.per_row for c in columns]), axis=0) if columns and rows else np.zeros(rows)
    order = np.argsort(-per_row, kind="stable")[:worst]
    worst_rows = pd.DataFrame({"_row": np.asarray(a.column("_row").to_pylist())[order] if rows else [], "max_abs_diff": per_row[order]})
    for col in output_columns[:2]:
        worst_rows[f"python_{col}"] = [values[col][0][i] for i in order]
        worst_rows[f"scala_{col}"] = [values[col][1][i] for i in order]
    # Plot class probabilities where there are some (a class id is too coarse to see agreement).
    numeric = [c.name for c in columns if c.kind in ("number", "vector")]
    plotted = "probability" if "probability" in numeric else next(iter(numeric), "")
    points = (_first_values(values[plotted][0]), _first_values(values[plotted][1])) if plotted else (np.zeros(0), np.zeros(0))
    return Comparison(rows, tolerance, columns, worst_rows, plotted, *points)


def _values(table: pa.Table, column: str) -> list[Any]:
    """Python values of a column: maps as dicts (compared by key), NaN and null kept apart."""
    return table.column(column).to_pylist(maps_as_pydicts="strict")


def _first_values(values: list[Any]) -> np.ndarray:
    """A plottable number per row: the value, or a vector's first element (NaN where null)."""
    out = [np.nan if v is None or (_is_seq(v) and len(v) == 0) else float(v[0] if _is_seq(v) else v) for v in values]
    return np.asarray(out, dtype=float)
