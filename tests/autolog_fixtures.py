"""Session fixtures for JVM autologging (tests/test_autolog.py, tests/cluster/test_cluster.py): a
Scala training program with no MLflow code (tests/autolog/TrainJob.scala), compiled once; the
Parquet files it and pyspark train on; one `spark-submit` of it with our listener."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from bridge.classpath import bridge_jars
from bridge.java import main_command
from bridge.versions import pyspark_jars_dir

SOURCE = Path(__file__).resolve().parent / "autolog" / "TrainJob.scala"
LISTENER = "mlflowbridge.autolog.MlflowAutolog"


@pytest.fixture(scope="session")
def train_job_jar(tmp_path_factory) -> Path:
    """The program compiled with the Scala compiler in the pyspark wheel, against Spark's jars only."""
    jar = tmp_path_factory.mktemp("train-job") / "train-job.jar"
    cp = os.path.join(str(pyspark_jars_dir()), "*")
    r = subprocess.run(
        [main_command([])[0], "-cp", cp, "scala.tools.nsc.Main", "-usejavacp", "-d", str(jar), str(SOURCE)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert r.returncode == 0, r.stdout + r.stderr
    return jar


@pytest.fixture(scope="session")
def training_data(spark, tmp_path_factory) -> tuple[str, str]:
    """Parquet files both sides read: a regression (x1..x3 -> label) and a classifier (x1, x2 -> species)."""
    rng = np.random.default_rng(3)
    x = rng.normal(size=(200, 3))
    root = tmp_path_factory.mktemp("autolog-data")
    reg = pd.DataFrame({"x1": x[:, 0], "x2": x[:, 1], "x3": x[:, 2], "label": 2 * x[:, 0] - x[:, 1] + 0.5 * x[:, 2] + rng.normal(0, 0.1, 200)})
    cls = pd.DataFrame({"x1": x[:, 0], "x2": x[:, 1], "species": np.where(x[:, 0] + x[:, 1] > 0, "setosa", "virginica")})
    paths = str(root / "regression.parquet"), str(root / "classifier.parquet")
    spark.createDataFrame(reg).coalesce(1).write.parquet(paths[0])
    spark.createDataFrame(cls).coalesce(1).write.parquet(paths[1])
    return paths


def submit(
    jar: Path, mode: str, data: tuple[str, str], experiment: str, env: dict[str, str] | None = None, master: str = "local[2]"
) -> subprocess.CompletedProcess:
    """One spark-submit of the program (local mode, or on `master`), with our listener and jars and nothing else."""
    cmd = [
        str(pyspark_jars_dir().parent / "bin" / "spark-submit"), "--master", master, "--class", "com.acme.train.TrainJob",
        "--jars", ",".join(bridge_jars()), "--conf", f"spark.extraListeners={LISTENER}", "--conf", f"spark.mlflow.experimentName={experiment}",
        "--conf", "spark.ui.enabled=false", "--conf", "spark.driver.host=127.0.0.1", "--conf", "spark.driver.bindAddress=127.0.0.1",
        *([] if master.startswith("local") else ["--conf", "spark.executor.memory=512m"]),  # the test cluster's workers have 1 GiB
        str(jar), mode, *data,
    ]  # fmt: skip
    full = dict(os.environ, SPARK_LOCAL_IP="127.0.0.1", **(env or {}))
    return subprocess.run(cmd, capture_output=True, text=True, env=full, timeout=900)


def autolog_lines(r: subprocess.CompletedProcess) -> list[str]:
    return [line for line in r.stderr.splitlines() if "MLflow autologging" in line]
