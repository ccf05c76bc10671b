"""py4j: pyspark's gateway. The JVM is pyspark's driver, started with our jars on its classpath."""

from __future__ import annotations

import os
import sys
from typing import Any

from ..classpath import bridge_jars
from ..errors import BadInputError
from . import env
from .classes import ClassCache

_caches: dict[int, ClassCache] = {}


def spark_session(app_name: str = "mlflow-bridge", master: str = "local[2]", staging_dir: str | None = None) -> Any:
    """A SparkSession whose driver classpath carries the bridge jars: local (loopback only), or on
    a cluster (`spark://...`), where the jars reach the executors through `spark.jars` and a
    model's files are staged under `staging_dir` (see `mlflowbridge.model.Staging`)."""
    from pyspark.sql import SparkSession

    active = SparkSession.getActiveSession()
    if active is not None:
        return active
    jars = bridge_jars()
    env.prepare()
    builder = SparkSession.builder
    if env.is_quiet():
        builder = builder.config("spark.driver.extraJavaOptions", " ".join(env.log_options())).config("spark.ui.showConsoleProgress", "false")
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


def classes(spark: Any = None) -> ClassCache:
    spark = spark or spark_session()
    jvm = spark.sparkContext._jvm
    cache = _caches.get(id(jvm))
    if cache is None:
        cache = _caches[id(jvm)] = ClassCache(lambda name: _resolve(jvm, name))
        from py4j.java_gateway import JavaClass

        if not isinstance(cache.get("mlflowbridge.Mlflow"), JavaClass):
            del _caches[id(jvm)]
            raise BadInputError(
                "the running SparkSession's JVM lacks the bridge jars; start Spark with "
                "bridge.jvm.py4j_backend.spark_session() (or spark.driver.extraClassPath = bridge/jars/*)"
            )
    return cache


def _resolve(jvm: Any, name: str) -> Any:
    obj = jvm
    for part in name.split("."):
        obj = getattr(obj, part)
    return obj
