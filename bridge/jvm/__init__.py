"""The wrapper layer: the only code that touches the JVM (after delta's and mleap's habit).

`connect()` gives a `JvmSession`, Python's face of `mlflowbridge.Mlflow`, over one of two backends:
- "jpype": the JVM runs inside this Python process. One per process, never restartable
  (JPype cannot restart a JVM); do not fork after it started (use spawn).
- "py4j":  pyspark's gateway; the JVM is pyspark's driver, with our jars on its classpath
  (`spark_session()` starts one so).

Also here, for the rest of the package: running `mlflowbridge.cli.Main` in a JVM of its own
(`run_main`), the Java version check, and leaving a process that holds an in-process JVM.
"""

from __future__ import annotations

from .call_overhead import static_call_seconds
from .env import filter_stderr, quiet_logs, unfilter_stderr
from .jpype_backend import JVM_OPTIONS, MIN_JAVA, java_major, java_version, leave_process
from .launch import java_command, main_command, main_outputs, run_main
from .models import ModelInfo
from .py4j_backend import spark_session
from .session import Backend, JvmSession, connect
from .tracking import JvmRun
from .translate import to_bridge_error

__all__ = [
    "Backend",
    "JvmRun",
    "JvmSession",
    "JVM_OPTIONS",
    "MIN_JAVA",
    "ModelInfo",
    "connect",
    "java_command",
    "java_major",
    "java_version",
    "leave_process",
    "main_command",
    "main_outputs",
    "filter_stderr",
    "quiet_logs",
    "run_main",
    "spark_session",
    "static_call_seconds",
    "to_bridge_error",
    "unfilter_stderr",
]
