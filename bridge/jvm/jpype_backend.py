"""JPype: a JVM inside this process, started once with our jars and Spark's.

JPype cannot restart a JVM: the first start fixes the classpath for the process' lifetime.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import threading
from pathlib import Path

from ..classpath import full_classpath
from ..errors import JavaNotFoundError
from . import env
from .classes import ClassCache

_lock = threading.Lock()
_cache: ClassCache | None = None

# What Spark needs on JDK 17+ (the list spark-submit passes), shared with the sbt build.
SPARK_JVM_OPTIONS_FILE = Path(__file__).parent.parent / "spark-jvm-options.txt"


def spark_jvm_options() -> list[str]:
    lines = SPARK_JVM_OPTIONS_FILE.read_text(encoding="utf-8").splitlines()
    return [ln.strip() for ln in lines if ln.strip() and not ln.lstrip().startswith("#")]


JVM_OPTIONS = ["-Xmx2g", *spark_jvm_options()]


MIN_JAVA = 17


def jvm_path() -> str:
    """libjvm of JAVA_HOME when set (strictly: no silent fallback), else JPype's default; Java 17+."""
    import jpype

    home = os.environ.get("JAVA_HOME")
    if home:
        found = sorted(Path(home).glob("lib/server/libjvm.*")) + sorted(Path(home).glob("jre/lib/*/server/libjvm.*"))
        if not found:
            raise JavaNotFoundError(f"JAVA_HOME={home} holds no JVM (no lib/server/libjvm); install a JDK 17+ and set JAVA_HOME")
        path = str(found[0])
    else:
        try:
            path = jpype.getDefaultJVMPath()
        except jpype.JVMNotFoundException as e:
            raise JavaNotFoundError(f"no JVM found for JPype ({e}); install a JDK 17+ and set JAVA_HOME") from None
    version = _release_version(Path(path))
    if version is not None and java_major(version) < MIN_JAVA:
        raise JavaNotFoundError(f"Java {version} at {path} is too old: the bridge needs Java {MIN_JAVA}+; set JAVA_HOME to a JDK {MIN_JAVA}+")
    return path


def _release_version(libjvm: Path) -> str | None:
    """JAVA_VERSION from the `release` file of the JDK holding libjvm."""
    for parent in libjvm.parents:
        release = parent / "release"
        if release.is_file():
            m = re.search(r'^JAVA_VERSION="([^"]+)"', release.read_text(errors="replace"), re.M)
            return m.group(1) if m else None
    return None


def java_major(version: str) -> int:
    parts = version.split(".")
    if parts[0] == "1":
        return int(parts[1])
    major = re.match(r"\d+", parts[0])
    if major is None:
        raise JavaNotFoundError(f"cannot read the Java version {version!r}")
    return int(major.group(0))


def _start() -> None:
    import jpype

    if jpype.isJVMStarted():
        return
    env.prepare()
    jpype.startJVM(jvm_path(), *JVM_OPTIONS, *env.log_options(), classpath=full_classpath(), convertStrings=True)


def classes() -> ClassCache:
    """Start the in-process JVM on first use and return its class cache."""
    global _cache
    with _lock:
        if _cache is None:
            _start()
            import jpype

            _cache = ClassCache(jpype.JClass)
        return _cache


def java_version() -> str | None:
    """The `java` on PATH (what py4j and sbt use), e.g. '17.0.15'; None when there is none."""
    java = shutil.which("java")
    if not java:
        return None
    out = subprocess.run([java, "-version"], capture_output=True, text=True).stderr
    m = re.search(r'version "([^"]+)"', out)
    return m.group(1) if m else None


def leave_process(code: int) -> None:
    """Exit now, skipping JVM teardown when JPype started one here (it can crash the process at
    exit once a local Spark ran inside it); otherwise return and let Python exit normally."""
    import jpype

    if jpype.isJVMStarted():
        try:  # what the skipped shutdown hooks would have cleaned up: Spark's folders, our downloads
            jpype.JClass("mlflowbridge.cli.Main").beforeHardExit()
        except Exception as e:  # noqa: BLE001 - leaving anyway; say why the clean-up failed
            print(f"mlflow-bridge: clean-up before exit failed: {e}", file=sys.stderr)
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
