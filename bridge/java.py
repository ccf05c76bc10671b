"""The `java` program, run as a process of its own: its version, its options, our Scala mains.

No JVM calls here (those live in `bridge.jvm`): commands, subprocesses and the environment a
JVM starts with (it copies the environment once, at start).
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

from .classpath import full_classpath
from .errors import BridgeError, JavaNotFoundError

MIN_JAVA = 17

# What Spark needs on JDK 17+ (the list spark-submit passes), shared with the sbt build.
SPARK_JVM_OPTIONS_FILE = Path(__file__).parent / "spark-jvm-options.txt"


def spark_jvm_options() -> list[str]:
    lines = SPARK_JVM_OPTIONS_FILE.read_text(encoding="utf-8").splitlines()
    return [ln.strip() for ln in lines if ln.strip() and not ln.lstrip().startswith("#")]


# Extra options for every JVM the bridge starts (JPype's, py4j's driver, `java` mains, the Connect
# server), after its own: later options win, so "-Xmx8g" raises the default heap.
JAVA_OPTIONS_ENV = "MLFLOW_BRIDGE_JAVA_OPTIONS"


def user_jvm_options() -> list[str]:
    return shlex.split(os.environ.get(JAVA_OPTIONS_ENV, ""))


def jvm_options() -> list[str]:
    """The options of a JVM the bridge starts itself: a 2 GiB heap, Spark's JDK 17+ options, the user's."""
    return ["-Xmx2g", *spark_jvm_options(), *user_jvm_options()]


def prepare_environment() -> None:
    """Before a JVM starts: the stock Java client forks `$MLFLOW_PYTHON_EXECUTABLE -m
    mlflow.store.artifact.cli` for every artifact call (default: `python`, which may not exist or lack mlflow)."""
    os.environ.setdefault("MLFLOW_PYTHON_EXECUTABLE", sys.executable)


def java_major(version: str) -> int:
    parts = version.split(".")
    if parts[0] == "1":
        return int(parts[1])
    major = re.match(r"\d+", parts[0])
    if major is None:
        raise JavaNotFoundError(f"cannot read the Java version {version!r}")
    return int(major.group(0))


def java_version() -> str | None:
    """The `java` on PATH (what py4j and sbt use), e.g. '17.0.15'; None when there is none."""
    java = shutil.which("java")
    if not java:
        return None
    out = subprocess.run([java, "-version"], capture_output=True, text=True).stderr
    m = re.search(r'version "([^"]+)"', out)
    return m.group(1) if m else None


def java_command(entry: str, args: list[str]) -> list[str]:
    """`java ... <entry> <args>` on the bridge's classpath; `entry` is a main class or a .java source
    file (java's source launcher). The java of JAVA_HOME, else of PATH."""
    java = shutil.which("java", path=os.path.join(os.environ["JAVA_HOME"], "bin") if os.environ.get("JAVA_HOME") else None) or shutil.which("java")
    if not java:
        raise JavaNotFoundError("no java on PATH or in JAVA_HOME; install a JDK 17+")
    return [java, *jvm_options(), "-cp", os.pathsep.join(full_classpath()), entry, *args]


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
