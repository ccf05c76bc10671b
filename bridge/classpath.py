"""The JVM classpath for Python: our exported jars (bridge/jars) plus Spark's from the pyspark wheel.

`build/sbt bridgeJars` (run by `make jars`) writes bridge/jars/ with our module's jar,
mlflow-client and a manifest.json of the versions they were built against.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from .errors import JarNotBuiltError
from .versions import pinned, pyspark_jars_dir

PACKAGE_DIR = Path(__file__).parent
JARS_DIR = Path(os.environ.get("MLFLOW_BRIDGE_JARS", PACKAGE_DIR / "jars"))
REPO_ROOT = PACKAGE_DIR.parent
BUILD_COMMAND = "make jars   (or: build/sbt bridgeJars)"


def _scala_sources() -> list[Path]:
    src = REPO_ROOT / "scala" / "src" / "main"
    extra = [REPO_ROOT / "build.sbt", PACKAGE_DIR / "versions.properties", PACKAGE_DIR / "rules.properties"]
    return [p for p in src.rglob("*") if p.is_file()] + [p for p in extra if p.exists()] if src.is_dir() else []


def jar_problems() -> list[str]:
    """Why bridge/jars cannot be used as it is; empty when it can."""
    manifest = JARS_DIR / "manifest.json"
    if not manifest.is_file():
        return [f"the bridge jars are not built ({manifest} is missing); run: {BUILD_COMMAND}"]
    info = json.loads(manifest.read_text(encoding="utf-8"))
    jar = JARS_DIR / info["bridge_jar"]
    problems = []
    if not jar.is_file():
        problems.append(f"{jar} is missing; run: {BUILD_COMMAND}")
    p = pinned()
    for key, pin in (("spark", "spark"), ("scala", "scala"), ("mlflow_java", "mlflow.java")):
        if info.get(key) != p[pin]:
            problems.append(f"bridge/jars was built for {key} {info.get(key)}, versions.properties pins {p[pin]}; run: {BUILD_COMMAND}")
    if jar.is_file() and JARS_DIR == PACKAGE_DIR / "jars":
        # Only for our own build in a source checkout: a Scala file newer than the jar means it is stale.
        newer = [s for s in _scala_sources() if s.stat().st_mtime > jar.stat().st_mtime]
        if newer:
            problems.append(f"{jar.name} is older than {newer[0].relative_to(REPO_ROOT)}; run: {BUILD_COMMAND}")
    return problems


def bridge_jars() -> list[str]:
    """Our jars, checked; raises JarNotBuiltError with the command that builds them."""
    problems = jar_problems()
    if problems:
        raise JarNotBuiltError(problems[0])
    return sorted(str(p) for p in JARS_DIR.glob("*.jar"))


def spark_jars() -> list[str]:
    return sorted(str(p) for p in pyspark_jars_dir().glob("*.jar"))


def full_classpath() -> list[str]:
    """What an in-process JVM (JPype) needs: our jars first, then Spark's."""
    return bridge_jars() + spark_jars()
