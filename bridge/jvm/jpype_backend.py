"""JPype: a JVM inside this process, started once with our jars and Spark's.

JPype cannot restart a JVM: the first start fixes the classpath for the process' lifetime.
"""
from __future__ import annotations

import shutil
import subprocess
import threading

from ..classpath import full_classpath
from ..errors import JavaNotFoundError
from .classes import ClassCache

_lock = threading.Lock()
_cache: ClassCache | None = None

# What Spark needs on JDK 17 (the same list spark-submit passes).
JVM_OPTIONS = [
    "-Xmx2g",
    "--add-opens=java.base/java.lang=ALL-UNNAMED",
    "--add-opens=java.base/java.lang.invoke=ALL-UNNAMED",
    "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
    "--add-opens=java.base/java.io=ALL-UNNAMED",
    "--add-opens=java.base/java.net=ALL-UNNAMED",
    "--add-opens=java.base/java.nio=ALL-UNNAMED",
    "--add-opens=java.base/java.util=ALL-UNNAMED",
    "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED",
    "--add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED",
    "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
    "--add-opens=java.base/sun.nio.cs=ALL-UNNAMED",
    "--add-opens=java.base/sun.security.action=ALL-UNNAMED",
    "--add-opens=java.base/sun.util.calendar=ALL-UNNAMED",
    "-Djdk.reflect.useDirectMethodHandle=false",
    "-Dio.netty.tryReflectionSetAccessible=true",
]


def _start() -> None:
    import jpype

    if jpype.isJVMStarted():
        return
    try:
        jvm_path = jpype.getDefaultJVMPath()
    except jpype.JVMNotFoundException as e:
        raise JavaNotFoundError(f"no JVM found for JPype ({e}); install a JDK 17+ and set JAVA_HOME") from None
    jpype.startJVM(jvm_path, *JVM_OPTIONS, classpath=full_classpath(), convertStrings=True)


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
    for token in out.split():
        token = token.strip('"')
        if token[:1].isdigit() and "." in token or token.isdigit():
            return token
    return None
