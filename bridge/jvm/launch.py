"""Run our Scala mains in a JVM of their own (`java -cp bridge/jars/*:pyspark/jars/* ...`)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

from ..classpath import full_classpath
from ..errors import BridgeError, JavaNotFoundError
from .jpype_backend import JVM_OPTIONS


def java_command(entry: str, args: list[str]) -> list[str]:
    """`java ... <entry> <args>` on the bridge's classpath; `entry` is a main class or a .java source
    file (java's source launcher). The java of JAVA_HOME, else of PATH."""
    java = shutil.which("java", path=os.path.join(os.environ["JAVA_HOME"], "bin") if os.environ.get("JAVA_HOME") else None) or shutil.which("java")
    if not java:
        raise JavaNotFoundError("no java on PATH or in JAVA_HOME; install a JDK 17+")
    return [java, *JVM_OPTIONS, "-cp", os.pathsep.join(full_classpath()), entry, *args]


def main_command(args: list[str]) -> list[str]:
    """The command line of `java ... mlflowbridge.cli.Main <args>`."""
    return java_command("mlflowbridge.cli.Main", args)


def run_main(args: list[str], env: dict[str, str] | None = None, timeout: float = 1800) -> subprocess.CompletedProcess:
    """`mlflowbridge.cli.Main <args>`; a non-zero exit is a BridgeError carrying its error line."""
    full_env = dict(os.environ, **(env or {}))
    full_env.setdefault("MLFLOW_PYTHON_EXECUTABLE", sys.executable)
    cmd = main_command(args)
    r = subprocess.run(cmd, capture_output=True, text=True, env=full_env, timeout=timeout)
    if r.returncode != 0:
        errors = [line for line in r.stderr.splitlines() if line.startswith("error")]
        raise BridgeError(errors[-1] if errors else f"mlflowbridge.cli.Main {args[0]} exited with {r.returncode}: {r.stderr[-500:]}")
    return r


def main_outputs(stdout: str) -> dict[str, str]:
    """The `key=value` lines a Main command prints."""
    return dict(line.split("=", 1) for line in stdout.splitlines() if "=" in line and not line.startswith(" "))
