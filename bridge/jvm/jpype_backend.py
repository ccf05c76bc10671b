"""JPype: a JVM inside this process, started once with our jars and Spark's.

JPype cannot restart a JVM: the first start fixes the classpath for the process' lifetime.
"""

from __future__ import annotations

import os
import re
import sys
import threading
from pathlib import Path
from typing import Any

from .. import quiet
from ..classpath import full_classpath
from ..errors import BadInputError, JavaNotFoundError
from ..java import MIN_JAVA, java_major, jvm_options, prepare_environment
from .transport import Backend, Transport

_lock = threading.Lock()
_transport: JpypeTransport | None = None


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


def _start() -> None:
    import jpype

    if jpype.isJVMStarted():
        return
    prepare_environment()
    jpype.startJVM(jvm_path(), *jvm_options(), *quiet.log_options(), classpath=full_classpath(), convertStrings=True)


class JpypeTransport(Transport):
    """The in-process JVM; classes resolved once (JClass) and kept."""

    backend: Backend = "jpype"

    def __init__(self) -> None:
        import jpype

        self._jpype = jpype
        self._classes: dict[str, Any] = {}

    def java_class(self, name: str) -> Any:
        cls = self._classes.get(name)
        if cls is None:
            cls = self._classes[name] = self._jpype.JClass(name)
        return cls

    def java_bytes(self, data: bytes) -> Any:
        return self._jpype.JArray(self._jpype.JByte)(data)

    def dataframe(self, df: Any) -> Any:
        raise BadInputError("a pyspark DataFrame lives in pyspark's JVM: pass it through backend='py4j'")

    def pyspark_dataframe(self, jdf: Any, like: Any) -> Any:
        return jdf  # no pyspark here: Java DataFrames stay Java

    def ml_model(self, model: Any) -> Any:
        raise BadInputError("a pyspark model lives in pyspark's JVM: pass it through backend='py4j'")

    def pyspark_pipeline(self, jmodel: Any) -> Any:
        return jmodel

    def spark(self) -> Any:
        return self.java_class("mlflowbridge.cli.Main").localSpark("mlflow-bridge-jpype")


def transport() -> JpypeTransport:
    """Start the in-process JVM on first use; one transport per process."""
    global _transport
    with _lock:
        if _transport is None:
            _start()
            _transport = JpypeTransport()
        return _transport


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
