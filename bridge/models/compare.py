"""Compare two engines' scores row by row: max absolute difference per output column, worst rows."""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..errors import BadInputError


@dataclass
class Comparison:
    rows: int
    tolerance: float
    max_abs_diff: dict[str, float]
    mismatched_values: dict[str, int] = field(default_factory=dict)  # non-numeric columns
    worst_rows: pd.DataFrame = field(default_factory=pd.DataFrame)
    # The first numeric output column of each engine, for plots.
    plotted_column: str = ""
    python_values: np.ndarray = field(default_factory=lambda: np.zeros(0))
    scala_values: np.ndarray = field(default_factory=lambda: np.zeros(0))

    @property
    def ok(self) -> bool:
        return all(d <= self.tolerance for d in self.max_abs_diff.values()) and not any(self.mismatched_values.values())

    def render(self) -> str:
        lines = [f"rows compared: {self.rows}   tolerance: {self.tolerance:g}   verdict: {'AGREE' if self.ok else 'DISAGREE'}"]
        lines.append(f"{'column':<22} max |python - scala|")
        for col, d in self.max_abs_diff.items():
            lines.append(f"{col:<22} {d:.3e}")
        for col, n in self.mismatched_values.items():
            lines.append(f"{col:<22} {n} differing value(s)")
        if not self.worst_rows.empty:
            lines.append("worst rows:")
            lines.append(self.worst_rows.to_string(index=False))
        return "\n".join(lines)


def _as_matrix(series: pd.Series) -> np.ndarray:
    if len(series) and isinstance(series.iloc[0], (list, tuple, np.ndarray)):
        return np.array([np.asarray(v, dtype=float) for v in series])
    return series.to_numpy(dtype=float).reshape(-1, 1)


def compare(python: pd.DataFrame, scala: pd.DataFrame, output_columns: list[str], tolerance: float, worst: int = 5) -> Comparison:
    """Both frames carry `_row`; outputs are compared on the columns given."""
    if len(python) != len(scala):
        raise BadInputError(f"engines returned different row counts: python {len(python)}, scala {len(scala)}")
    a = python.sort_values("_row").reset_index(drop=True)
    b = scala.sort_values("_row").reset_index(drop=True)
    max_diff: dict[str, float] = {}
    mismatched: dict[str, int] = {}
    per_row = np.zeros(len(a))
    for col in output_columns:
        if pd.api.types.is_string_dtype(a[col]) and not isinstance(a[col].iloc[0], (list, tuple, np.ndarray)):
            mismatched[col] = int((a[col].astype(str) != b[col].astype(str)).sum())
            continue
        diff = np.abs(_as_matrix(a[col]) - _as_matrix(b[col])).max(axis=1)
        max_diff[col] = float(diff.max()) if len(diff) else 0.0
        per_row = np.maximum(per_row, diff)
    order = np.argsort(-per_row)[:worst]
    worst_rows = pd.DataFrame({"_row": a["_row"].to_numpy()[order], "max_abs_diff": per_row[order]})
    for col in output_columns[:2]:
        worst_rows[f"python_{col}"] = a[col].to_numpy()[order]
        worst_rows[f"scala_{col}"] = b[col].to_numpy()[order]
    # Plot class probabilities where there are some (a class id is too coarse to see agreement).
    plotted = "probability" if "probability" in max_diff else next(iter(max_diff), "")
    values = (_as_matrix(a[plotted])[:, 0], _as_matrix(b[plotted])[:, 0]) if plotted else (np.zeros(0), np.zeros(0))
    return Comparison(len(a), tolerance, max_diff, mismatched, worst_rows, plotted, *values)
