"""Score a table with either engine, and compare the two.

Both engines read the same typed input: the user's file is read once with pandas, tagged with
a `_row` id and written to Parquet, so CSV type inference can't make the engines disagree.
- python: stock `mlflow.spark.load_model` on pyspark.
- scala:  our Scala loader (`mlflowbridge.Models`) in the JVM, through JPype or py4j.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
import pyarrow.parquet as pq

from ..errors import BadInputError
from . import python_engine, tables
from .compare import Comparison, compare

Engine = Literal["python", "scala"]
Backend = Literal["jpype", "py4j"]
ROW = "_row"


def with_row_ids(frame: pd.DataFrame) -> pd.DataFrame:
    if ROW in frame.columns:
        raise BadInputError(f"input must not have a column named {ROW!r} (the bridge uses it to align rows)")
    out = frame.copy()
    out.insert(0, ROW, range(len(out)))
    return out


def score_frame(model_uri: str, frame: pd.DataFrame, engine: Engine, backend: Backend = "py4j", tracking_uri: str | None = None) -> pd.DataFrame:
    """Scores of `frame` (which carries `_row`): input columns plus the model's outputs."""
    with tempfile.TemporaryDirectory(prefix="bridge-score-") as work:
        src = input_parquet(frame, Path(work))
        return pd.read_parquet(score_parquet(model_uri, src, engine, backend, tracking_uri))


def input_parquet(frame: pd.DataFrame, work: Path) -> Path:
    """The typed input both engines read: one Parquet file, `input.parquet` in `work`."""
    if len(frame) == 0:
        raise BadInputError("input has no rows")
    frame.to_parquet(work / "input.parquet", index=False)
    return work / "input.parquet"


def score_parquet(model_uri: str, src: Path, engine: Engine, backend: Backend = "py4j", tracking_uri: str | None = None) -> Path:
    """Score the Parquet file `src` with one engine; returns the output Parquet file beside it."""
    dst = src.with_name(f"{engine}-output.parquet")
    if engine == "python":
        from ..jvm import spark_session

        spark = spark_session()
        model, signature = python_engine.load(model_uri, spark)
        python_engine.score(model, signature, spark, src, dst)
        return dst
    if engine == "scala":
        from ..jvm import connect
        from ..server import tracking

        spark = None
        if backend == "py4j":
            from ..jvm import spark_session

            spark = spark_session()
        with tracking(tracking_uri) as t:
            with connect(backend, t.uri, spark=spark) as jvm:
                jvm.models.score_file(model_uri, src, dst)
        return dst
    raise BadInputError(f"unknown engine {engine!r}; use 'python' or 'scala'")


def score_file(model_uri: str, input_path: str | Path, output_path: str | Path, engine: Engine, backend: Backend = "py4j") -> pd.DataFrame:
    tables.format_of(output_path)  # fail before any work on a bad output name
    frame = with_row_ids(tables.read(input_path))
    scored = score_frame(model_uri, frame, engine, backend).sort_values(ROW)
    result = scored.drop(columns=[ROW]).reset_index(drop=True)
    tables.write(_lists_for(output_path, result), output_path)
    return result


def _lists_for(path: str | Path, df: pd.DataFrame) -> pd.DataFrame:
    """CSV has no arrays: vectors become JSON lists in a cell."""
    if tables.format_of(path) != "csv":
        return df
    out = df.copy()
    for c in out.columns:
        if out[c].map(lambda v: isinstance(v, (list, tuple, np.ndarray, dict))).any():
            out[c] = out[c].map(lambda v: None if v is None else json.dumps(_plain(v)))
    return out


def _plain(v: Any) -> Any:
    """numpy arrays and scalars as JSON's lists and numbers (NaN as null), strings as they are."""
    if isinstance(v, (list, tuple, np.ndarray)):
        return [_plain(x) for x in v]
    if isinstance(v, dict):
        return {k: _plain(x) for k, x in v.items()}
    if isinstance(v, np.generic):
        v = v.item()
    return None if isinstance(v, float) and np.isnan(v) else v


def compare_engines(model_uri: str, frame: pd.DataFrame, tolerance: float = 1e-9, backend: Backend = "py4j") -> Comparison:
    with tempfile.TemporaryDirectory(prefix="bridge-compare-") as work:
        src = input_parquet(with_row_ids(frame), Path(work))
        py = pq.read_table(score_parquet(model_uri, src, "python"))
        sc = pq.read_table(score_parquet(model_uri, src, "scala", backend))
    outputs = [c for c in py.column_names if c not in frame.columns and c != ROW]
    different = set(outputs) ^ {c for c in sc.column_names if c not in frame.columns and c != ROW}
    if different:
        raise BadInputError(f"engines produced different output columns: {sorted(different)}")
    return compare(py, sc, outputs, tolerance)


def compare_file(model_uri: str, input_path: str | Path, tolerance: float = 1e-9, backend: Backend = "py4j") -> Comparison:
    return compare_engines(model_uri, tables.read(input_path), tolerance, backend)
