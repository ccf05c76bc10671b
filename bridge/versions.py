"""The pinned versions (bridge/versions.properties, shared with build.sbt) and the installed ones."""

from __future__ import annotations

import importlib.metadata
import re
from functools import cache
from pathlib import Path

from . import properties

VERSIONS_FILE = Path(__file__).with_name("versions.properties")


@cache
def pinned() -> dict[str, str]:
    """Key/value pairs of versions.properties (comments and blank lines skipped)."""
    return properties.read(VERSIONS_FILE)


def installed(dist: str) -> str | None:
    try:
        return importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        return None


def pyspark_jars_dir() -> Path:
    import pyspark

    return Path(pyspark.__file__).parent / "jars"


def wheel_jar_version(artifact: str) -> str | None:
    """Version of `<artifact>-<version>.jar` shipped in the pyspark wheel, e.g. scala-library."""
    for jar in pyspark_jars_dir().glob(f"{artifact}-*.jar"):
        m = re.fullmatch(re.escape(artifact) + r"-(\d[\w.\-]*)\.jar", jar.name)
        if m:
            return m.group(1)
    return None


def release_line(version: str) -> str:
    """'3.17.2' -> '3.17'."""
    return ".".join(version.split(".")[:2])


def drift() -> list[str]:
    """Every way the pins and the installed packages disagree; empty when all agree."""
    p = pinned()
    problems = []
    spark = installed("pyspark")
    if spark != p["spark"]:
        problems.append(f"pyspark {spark} is installed but versions.properties pins spark={p['spark']}")
    mllib = wheel_jar_version("spark-mllib_2.13")
    if mllib != p["spark"]:
        problems.append(f"the pyspark wheel ships spark-mllib_2.13 {mllib}, sbt compiles against {p['spark']}")
    scala = wheel_jar_version("scala-library")
    if scala != p["scala"]:
        problems.append(f"the pyspark wheel ships scala-library {scala}, versions.properties pins scala={p['scala']}")
    mlflow = installed("mlflow")
    if mlflow != p["mlflow.python"]:
        problems.append(f"mlflow {mlflow} is installed but versions.properties pins mlflow.python={p['mlflow.python']}")
    if release_line(p["mlflow.python"]) != release_line(p["mlflow.java"]) and not p.get("mlflow.skew"):
        problems.append(
            f"mlflow.python={p['mlflow.python']} and mlflow.java={p['mlflow.java']} are different release lines "
            "and versions.properties gives no mlflow.skew reason"
        )
    jpype = installed("jpype1") or installed("JPype1")
    if jpype != p["jpype"]:
        problems.append(f"jpype1 {jpype} is installed but versions.properties pins jpype={p['jpype']}")
    return problems
