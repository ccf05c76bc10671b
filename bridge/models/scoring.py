"""Score a table with either engine, and compare the two.

Files go straight through Spark, in and out (the same Scala reader and writer for both engines);
pandas only holds frames a Python caller hands in.
- python: stock `mlflow.spark.load_model` on pyspark.
- scala:  our Scala loader (`mlflowbridge.Models`) in the JVM, through JPype or py4j.
A local model folder needs no tracking server; runs:/ and models:/ URIs use MLFLOW_TRACKING_URI.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from .. import rules
from ..errors import BadInputError
from . import preflight, python_engine

if TYPE_CHECKING:  # pandas and the comparison load only where used (the score command needs neither)
    import pandas as pd

    from .compare import Comparison

Engine = Literal["python", "scala"]
Backend = Literal["jpype", "py4j"]
ENGINES = ("python", "scala")
ROW = "_row"  # compare's row id, made in Spark


def score_file(
    model_uri: str,
    input_path: str | os.PathLike,
    output_path: str | os.PathLike,
    engine: Engine,
    backend: Backend = "py4j",
    tracking_uri: str | None = None,
    master: str | None = None,
    staging_dir: str | os.PathLike | None = None,
) -> int:
    """Score a file (csv, parquet, json lines) into one output file; returns the rows written.

    `master` (e.g. spark://host:7077) runs Spark on a cluster; the model's files are then copied
    once from the driver to `staging_dir`, a folder every worker reads (see docs/cluster.md),
    and input and output must be paths every worker reaches."""
    local = check_score(model_uri, input_path, output_path, engine, tracking_uri)
    if master and engine == "scala" and backend != "py4j":
        raise BadInputError("--master needs --backend py4j (JPype's in-process JVM runs local Spark only)")
    if master:
        rules.check_master(master)  # before Spark starts: it would retry a dead standalone master for a minute
    spark = None
    if engine == "python" or backend == "py4j":
        from ..jvm import spark_session

        spark = spark_session(master=master or "local[2]", staging_dir=None if staging_dir is None else str(staging_dir))
    if engine == "python":
        model, signature = python_engine.load(model_uri, spark)
        return python_engine.score(model, signature, spark, input_path, output_path)
    with _scala(local, backend, tracking_uri, spark) as jvm:
        return jvm.models.score_file(model_uri, input_path, output_path)


def score_frame(model_uri: str, frame: pd.DataFrame, engine: Engine, backend: Backend = "py4j", tracking_uri: str | None = None) -> pd.DataFrame:
    """Scores of an in-memory frame, in its row order: its columns plus the model's outputs."""
    if len(frame) == 0:
        raise BadInputError("input has no rows")
    with tempfile.TemporaryDirectory(prefix="bridge-score-") as work:
        frame.to_parquet(Path(work) / "input.parquet", index=False)
        score_file(model_uri, Path(work) / "input.parquet", Path(work) / "output.parquet", engine, backend, tracking_uri)
        import pandas as pd

        return pd.read_parquet(Path(work) / "output.parquet")


def compare_file(model_uri: str, input_path: str | os.PathLike, tolerance: float = 1e-9, backend: Backend = "py4j") -> Comparison:
    """Score the same typed rows with both engines and compare them row by row.

    The input is read once by Spark with the model's signature and given a row id in Spark;
    both engines score that copy, so neither reads types the other did not.
    """
    local = _check(model_uri, "scala", None)
    preflight.check_files(input_path, None)
    import pyarrow.parquet as pq
    from pyspark.sql.functions import monotonically_increasing_id

    from ..jvm import SparkScoring, spark_session
    from .compare import compare

    spark = spark_session()
    model, signature = python_engine.load(model_uri, spark)
    with tempfile.TemporaryDirectory(prefix="bridge-compare-") as tmp:
        work = Path(tmp)
        rows = SparkScoring(spark).read(input_path, signature)
        if ROW in rows.columns:
            raise BadInputError(f"input must not have a column named {ROW!r} (the bridge uses it to align rows)")
        inputs = set(rows.columns)
        rows.withColumn(ROW, monotonically_increasing_id()).write.parquet(str(work / "typed.parquet"))
        python_engine.score(model, signature, spark, work / "typed.parquet", work / "python.parquet")
        with _scala(local, backend, None) as jvm:
            jvm.models.score_file(model_uri, work / "typed.parquet", work / "scala.parquet")
        py, sc = pq.read_table(work / "python.parquet"), pq.read_table(work / "scala.parquet")
    outputs = [c for c in py.column_names if c not in inputs and c != ROW]
    different = set(outputs) ^ {c for c in sc.column_names if c not in inputs and c != ROW}
    if different:
        raise BadInputError(f"engines produced different output columns: {sorted(different)}")
    return compare(py, sc, outputs, tolerance)


def compare_engines(model_uri: str, frame: pd.DataFrame, tolerance: float = 1e-9, backend: Backend = "py4j") -> Comparison:
    """`compare_file` for an in-memory frame."""
    if len(frame) == 0:
        raise BadInputError("input has no rows")
    with tempfile.TemporaryDirectory(prefix="bridge-compare-in-") as work:
        frame.to_parquet(Path(work) / "input.parquet", index=False)
        return compare_file(model_uri, Path(work) / "input.parquet", tolerance, backend)


def check_score(model_uri: str, input_path: str | os.PathLike, output_path: str | os.PathLike, engine: str, tracking_uri: str | None = None) -> bool:
    """Everything `score_file` can check before a JVM starts; True for a local model (no server)."""
    local = _check(model_uri, engine, tracking_uri)
    preflight.check_files(input_path, output_path)
    return local


def _check(model_uri: str, engine: str, tracking_uri: str | None) -> bool:
    if engine not in ENGINES:
        raise BadInputError(f"unknown engine {engine!r}; use 'python' or 'scala'")
    return preflight.check_model_uri(model_uri, engine, tracking_uri)


@contextmanager
def serving_session(model_uri: str, backend: Backend) -> Iterator[Any]:
    """The JVM session `mlflow-bridge serve` serves from, after the checks that need no JVM."""
    local = preflight.check_model_uri(model_uri, "scala")
    with _scala(local, backend, None) as jvm:
        yield jvm


@contextmanager
def _scala(local: bool, backend: Backend, tracking_uri: str | None, spark: Any = None) -> Iterator[Any]:
    """The Scala engine's session: no tracking server for a local model, else the one in use."""
    from ..jvm import connect, spark_session

    if backend == "py4j" and spark is None:
        spark = spark_session()
    with connect(backend, tracking_uri, spark=spark, local=local) as jvm:
        yield jvm
