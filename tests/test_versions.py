"""One version source: bridge/versions.properties, read by build.sbt and setup.py, matches what is installed."""

from __future__ import annotations

import json
import re
from pathlib import Path

from bridge.classpath import JARS_DIR
from bridge.versions import drift, installed, pinned, release_line, wheel_jar_version

ROOT = Path(__file__).resolve().parents[1]


def test_installed_packages_match_the_pins():
    assert drift() == []


def test_spark_and_scala_agree_between_pyspark_and_sbt():
    p = pinned()
    assert installed("pyspark") == p["spark"]
    assert wheel_jar_version("spark-mllib_2.13") == p["spark"]
    assert wheel_jar_version("scala-library") == p["scala"]
    # sbt takes Scala and every dependency version from versions.properties, never a literal.
    assert "scalaVersion := Versions.scala" in (ROOT / "build.sbt").read_text()
    deps = (ROOT / "project" / "Dependencies.scala").read_text()
    assert not re.search(r'"\d+\.\d+[\w.\-]*"', deps), "a version literal crept into project/Dependencies.scala"
    assert "Versions.spark % Provided" in deps


def test_mlflow_release_lines_match_or_the_skew_is_explained():
    p = pinned()
    assert installed("mlflow") == p["mlflow.python"]
    if release_line(p["mlflow.python"]) != release_line(p["mlflow.java"]):
        assert len(p.get("mlflow.skew", "")) > 40, "a python/java mlflow skew needs its reason in versions.properties"


def test_built_jars_match_the_pins():
    manifest = json.loads((JARS_DIR / "manifest.json").read_text())
    p = pinned()
    assert (manifest["spark"], manifest["scala"], manifest["mlflow_java"]) == (p["spark"], p["scala"], p["mlflow.java"])
    assert (JARS_DIR / f"mlflow-client-{p['mlflow.java']}.jar").is_file()


def test_drift_is_detected(monkeypatch):
    monkeypatch.setattr("bridge.versions.pinned", lambda: {**pinned(), "spark": "0.0.1"})
    problems = drift()
    assert any("pins spark=0.0.1" in d for d in problems)
    assert any("sbt compiles against 0.0.1" in d for d in problems)
