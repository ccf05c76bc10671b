"""py4j: pyspark's gateway. The JVM is pyspark's driver, started with our jars on its classpath."""

from __future__ import annotations

import os
import shlex
import sys
from typing import Any

from .. import quiet
from ..classpath import bridge_jars
from ..errors import BadInputError
from ..java import prepare_environment, user_jvm_options
from .transport import Backend, Transport

AUTOLOG_LISTENER = "mlflowbridge.autolog.MlflowAutolog"


def spark_session(app_name: str = "mlflow-bridge", master: str = "local[2]", staging_dir: str | None = None, autolog: bool = False) -> Any:
    """A SparkSession whose driver classpath carries the bridge jars: local (loopback only), or on
    a cluster (`spark://...`), where the jars reach the executors through `spark.jars` and a
    model's files are staged under `staging_dir` (see `mlflowbridge.model.Staging`). `autolog`:
    the JVM autologging listener is on (docs/autolog.md): each outermost JVM Pipeline fit becomes a
    run in the experiment named `app_name`, on the server MLFLOW_TRACKING_URI names."""
    from pyspark.sql import SparkSession

    active = SparkSession.getActiveSession()
    if active is not None:
        return active
    jars = bridge_jars()
    prepare_environment()
    builder = SparkSession.builder
    if quiet.is_quiet():
        builder = builder.config("spark.ui.showConsoleProgress", "false")
    driver_options = [*(quiet.log_options() if quiet.is_quiet() else []), *user_jvm_options()]
    if driver_options:
        builder = builder.config("spark.driver.extraJavaOptions", shlex.join(driver_options))
    if master.startswith("local"):
        os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")  # loopback only; no hostname lookups
        builder = (
            builder.config("spark.executor.extraClassPath", os.pathsep.join(jars))
            .config("spark.driver.host", "127.0.0.1")
            .config("spark.driver.bindAddress", "127.0.0.1")
        )
    else:
        builder = builder.config("spark.jars", ",".join(jars)).config("spark.pyspark.python", sys.executable)
    if staging_dir:
        builder = builder.config("spark.mlflowbridge.stagingDir", str(staging_dir))
    if autolog:
        builder = builder.config("spark.extraListeners", AUTOLOG_LISTENER)
    session = (
        builder.master(master)
        .appName(app_name)
        .config("spark.driver.extraClassPath", os.pathsep.join(jars))
        .config("spark.ui.enabled", "false")
        .config("spark.sql.catalogImplementation", "in-memory")
        .config("spark.sql.shuffle.partitions", "4")
        .getOrCreate()
    )
    _quiet_expected_errors(session)
    return session


def _quiet_expected_errors(spark: Any) -> None:
    # Stock mlflow.spark.log_model first tries to save straight to `mlflow-artifacts:/...`, which
    # Hadoop cannot write; Spark's Instrumentation logs that expected failure with a full stack
    # trace before mlflow falls back to a local save. The exception itself still propagates.
    jvm = spark.sparkContext._jvm
    level = jvm.org.apache.logging.log4j.Level.OFF
    jvm.org.apache.logging.log4j.core.config.Configurator.setLevel("org.apache.spark.ml.util.Instrumentation", level)


class Py4jTransport(Transport):
    """pyspark's gateway to its driver JVM; class references kept (resolving `jvm.a.b.C` costs
    a round trip per package step, ~0.6 ms)."""

    backend: Backend = "py4j"

    def __init__(self, spark: Any):
        self.pyspark = spark
        self._jvm = spark.sparkContext._jvm
        self._classes: dict[str, Any] = {}
        from py4j.java_gateway import JavaClass

        if not isinstance(self.java_class("mlflowbridge.Mlflow").py4j_class, JavaClass):
            raise BadInputError(
                "the running SparkSession's JVM lacks the bridge jars; start Spark with "
                "bridge.jvm.spark_session() (or spark.driver.extraClassPath = bridge/jars/*)"
            )

    def java_class(self, name: str) -> Any:
        cls = self._classes.get(name)
        if cls is None:
            found = self._jvm
            for part in name.split("."):
                found = getattr(found, part)
            cls = self._classes[name] = StaticMembers(found)
        return cls

    def java_bytes(self, data: bytes) -> Any:
        return bytearray(data)  # py4j sends a bytearray as byte[]

    def dataframe(self, df: Any) -> Any:
        return df._jdf

    def pyspark_dataframe(self, jdf: Any, like: Any) -> Any:
        from pyspark.sql import DataFrame

        return DataFrame(jdf, like.sparkSession)

    def ml_model(self, model: Any) -> Any:
        return model._to_java()

    def pyspark_pipeline(self, jmodel: Any) -> Any:
        from pyspark.ml import PipelineModel

        return PipelineModel._from_java(jmodel)

    def spark(self) -> Any:
        return self.pyspark._jsparkSession


class StaticMembers:
    """A py4j class whose static methods and nested classes are looked up once. py4j's JavaClass
    asks the JVM for the member on every attribute access: a second socket round trip per call
    (docs/benchmarks.md, P3). Static fields are read afresh each time (they may change)."""

    def __init__(self, cls: Any):
        self.py4j_class = cls

    def __getattr__(self, name: str) -> Any:
        from py4j.java_gateway import JavaClass, JavaMember

        member = getattr(self.py4j_class, name)
        if isinstance(member, JavaClass):
            member = StaticMembers(member)
        if isinstance(member, (JavaMember, StaticMembers)):
            setattr(self, name, member)  # found in the instance's __dict__ from now on
        return member

    def __call__(self, *args: Any) -> Any:
        return self.py4j_class(*args)

    def __repr__(self) -> str:
        return f"StaticMembers({self.py4j_class!r})"


_transports: dict[int, Py4jTransport] = {}


def transport(spark: Any = None) -> Py4jTransport:
    """The transport to `spark`'s JVM (a SparkSession with the bridge jars is started when None)."""
    spark = spark or spark_session()
    key = id(spark.sparkContext._jvm)
    if key not in _transports:
        _transports[key] = Py4jTransport(spark)
    found = _transports[key]
    found.pyspark = spark
    return found
