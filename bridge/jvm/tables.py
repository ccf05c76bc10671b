"""Score inputs and outputs through Spark, for pyspark DataFrames: the same Scala reader and
writer the Scala engine uses (mlflowbridge.model.Scoring), so both engines read the same types
and write the same files."""

from __future__ import annotations

import os
from typing import Any

from . import py4j_backend
from .translate import translating


def _scoring(spark: Any) -> Any:
    return py4j_backend.classes(spark).get("mlflowbridge.model.Scoring")


def read(spark: Any, path: str | os.PathLike, signature_inputs: str | None) -> Any:
    """`path` (csv, parquet, json lines) as a pyspark DataFrame; CSV typed by the signature where it has one."""
    from pyspark.sql import DataFrame

    with translating():
        return DataFrame(_scoring(spark).read(spark._jsparkSession, str(path), signature_inputs), spark)


def write(sdf: Any, path: str | os.PathLike, fmt: str | None = None) -> int:
    """One file at `path` (format from its extension unless given); returns the rows written.

    Spark errors (a stage failing on a value) come back as they are, for the caller to explain.
    """
    return int(_scoring(sdf.sparkSession).write(sdf._jdf, str(path), fmt))


def staged(spark: Any, local_dir: str | os.PathLike) -> str:
    """Where Spark should read a saved model downloaded to `local_dir` on the driver: itself under
    a local master; on a cluster a copy every worker can read (mlflowbridge.model.Staging)."""
    with translating():
        return str(py4j_backend.classes(spark).get("mlflowbridge.model.Staging").stagedPath(spark._jsparkSession, str(local_dir)))
