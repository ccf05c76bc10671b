"""`mlflow-bridge doctor`: every check with its verdict and, for a problem, the command that fixes it."""

from __future__ import annotations

import os
from dataclasses import dataclass

from .classpath import BUILD_COMMAND, jar_problems
from .java import MIN_JAVA, java_major, java_version
from .server import is_healthy
from .versions import drift, installed, pinned


@dataclass
class Check:
    name: str
    ok: bool
    detail: str
    fix: str = ""


def run_checks(tracking_uri: str | None) -> list[Check]:
    checks = []
    jv = java_version()
    major = java_major(jv) if jv else 0
    checks.append(
        Check("java", major >= MIN_JAVA, f"java {jv}" if jv else "no java on PATH",
              "" if major >= MIN_JAVA else f"install a JDK {MIN_JAVA}+ (apt-get install openjdk-17-jdk) and put it on PATH")
    )  # fmt: skip
    problems = jar_problems()
    checks.append(Check("jars", not problems, "bridge/jars built for the pinned versions" if not problems else problems[0],
                        "" if not problems else BUILD_COMMAND))  # fmt: skip
    d = drift()
    p = pinned()
    detail = (f"pyspark {installed('pyspark')}, scala {p['scala']}, mlflow {installed('mlflow')}, "
              f"mlflow-client {p['mlflow.java']}") if not d else "; ".join(d)  # fmt: skip
    checks.append(Check("versions", not d, detail, "" if not d else "make venv   (reinstalls the pinned packages)"))
    uri = tracking_uri or os.environ.get("MLFLOW_TRACKING_URI")
    if uri:
        up = is_healthy(uri, timeout=5.0)
        checks.append(Check("tracking server", up, f"{uri} {'answers /health' if up else 'does not answer'}",
                            "" if up else "start one: mlflow-bridge server   (or fix MLFLOW_TRACKING_URI)"))  # fmt: skip
    else:
        checks.append(Check("tracking server", True, "none configured: commands start an embedded one"))
    return checks


def render(checks: list[Check]) -> str:
    lines = []
    for c in checks:
        lines.append(f"[{'ok' if c.ok else 'FAIL'}] {c.name}: {c.detail}")
        if c.fix:
            lines.append(f"       fix: {c.fix}")
    return "\n".join(lines)
