"""The wrapper layer: the only code that touches the JVM (after delta's and mleap's habit).

`connect()` gives an `Mlflow`, Python's face of `mlflowbridge.Mlflow`, over a Transport
(`transport.py`, which says what a third one must provide):
- "jpype": the JVM runs inside this Python process. One per process, never restartable
  (JPype cannot restart a JVM); do not fork after it started (use spawn).
- "py4j":  pyspark's gateway; the JVM is pyspark's driver, with our jars on its classpath
  (`spark_session()` starts one so).

The public API is `__all__` below and nothing else; the rest of the package imports only these
names from `bridge.jvm` (never a submodule; tests/jvm/test_layers.py checks it):
- the session: `connect`, `Mlflow`, `Backend`, and the objects it hands out (`ActiveRun`,
  `Tracer`, `Span`, `ModelInfo`, `OnnxModel`, `ScoringServer`);
- for the Python engine, which scores with pyspark itself: `spark_session` (a SparkSession with
  our jars), `SparkScoring` (the Scala engine's reader, writer and rules on pyspark's JVM),
  `to_bridge_error` (a Java exception pyspark raised, as a bridge error);
- for the command line: `spark_tasks` (progress of running Spark work) and `leave_process`
  (exit without tearing down an in-process JVM).
What is not a JVM call lives outside: `bridge.java` (the `java` program: versions, options,
running our Scala mains), `bridge.quiet` (log settings and stderr's noise filter),
`bridge.progress` (the bar).
"""

from __future__ import annotations

from .jpype_backend import leave_process
from .models import ModelInfo, OnnxModel, ScoringServer
from .py4j_backend import spark_session
from .runs import ActiveRun
from .session import Mlflow, connect
from .spark_scoring import SparkScoring
from .spark_status import spark_tasks
from .tracing import Span, Tracer
from .translate import to_bridge_error
from .transport import Backend

__all__ = [
    "ActiveRun",
    "Backend",
    "Mlflow",
    "ModelInfo",
    "OnnxModel",
    "ScoringServer",
    "Span",
    "SparkScoring",
    "Tracer",
    "connect",
    "leave_process",
    "spark_session",
    "spark_tasks",
    "to_bridge_error",
]
