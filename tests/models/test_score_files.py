"""Scoring files straight through Spark: no tracking server for a local model, checks before any
JVM starts, quiet by default, one output file from many parts, CSV typed by the signature.

Each command runs as a child process whose Python processes record every process they start (an
audit hook), so the tests see which processes a command started: a tracking server, a JVM. Where
no JVM may start, none can: the command runs without a usable Java. `tests/leftovers.py`'s marker
finds any left running.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import mlflow
import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest
from leftovers import MARKER, marked
from models_fixtures import features

from bridge.models import scoring, tables

CLI = [sys.executable, "-m", "bridge"]
ENGINES = [("python", "py4j"), ("scala", "py4j"), ("scala", "jpype")]


# Loaded by every Python process of a watched command (PYTHONPATH): an audit hook writes each
# process it starts to the log as it starts it, so none is missed however short it lives.
SPAWN_HOOK = """import os, sys

def _record(event, args):
    if event in ("subprocess.Popen", "os.posix_spawn", "os.exec", "os.spawn", "os.system"):
        argv = args[0] if event == "os.system" else args[1]
        line = argv if isinstance(argv, (str, bytes)) else " ".join(map(os.fsdecode, argv))
        with open(os.environ["MLFLOW_BRIDGE_TEST_SPAWNS"], "a") as f:
            f.write(os.fsdecode(line).replace("\\n", " ") + "\\n")

if os.environ.get("MLFLOW_BRIDGE_TEST_SPAWNS"):
    sys.addaudithook(_record)
"""
# On PATH instead of java, for commands that must start no JVM: a java started anyway is logged and fails loudly.
JAVA_SHIM = """#!/bin/sh
echo "java $*" >> "$MLFLOW_BRIDGE_TEST_SPAWNS"
echo "tests: a JVM was started" >&2
exit 97
"""


def watched(*args: str, env: dict[str, str] | None = None, java: bool = True) -> tuple[subprocess.CompletedProcess, list[str]]:
    """Runs the CLI; returns its result and the command lines of every process it and its Python
    children started. With java=False no JVM can start: JAVA_HOME is an empty folder (JPype and
    spark-submit take it strictly) and `java` on PATH is a shim that fails."""
    token = f"watch-{uuid.uuid4().hex[:8]}"
    work = Path(tempfile.mkdtemp(prefix="watched-"))
    (work / "hook").mkdir()
    (work / "hook" / "sitecustomize.py").write_text(SPAWN_HOOK)
    log = work / "spawns.log"
    log.touch()
    child_env = {k: v for k, v in os.environ.items() if k != "MLFLOW_TRACKING_URI"} | (env or {}) | {MARKER: token}
    child_env |= {
        "MLFLOW_BRIDGE_TEST_SPAWNS": str(log),
        "PYTHONPATH": os.pathsep.join(filter(None, [str(work / "hook"), child_env.get("PYTHONPATH")])),
    }
    if not java:
        (work / "bin").mkdir()
        (work / "bin" / "java").write_text(JAVA_SHIM)
        (work / "bin" / "java").chmod(0o755)
        (work / "no-java-home").mkdir()
        child_env |= {"JAVA_HOME": str(work / "no-java-home"), "PATH": f"{work / 'bin'}{os.pathsep}{child_env['PATH']}"}
    r = subprocess.run([*CLI, *args], capture_output=True, text=True, env=child_env, timeout=600)
    time.sleep(0.5)
    assert not marked(token), f"left running: {marked(token)}"
    return r, log.read_text().splitlines()


def servers(cmds: list[str]) -> list[str]:
    return [c for c in cmds if "mlflow" in c and " server" in c]


def jvms(cmds: list[str]) -> list[str]:
    """java itself, or spark-submit (pyspark's way to start one)."""
    return [c for c in cmds if c.split(" ")[0].endswith(("java", "spark-submit"))]


@pytest.fixture(scope="module")
def local_model(logged_models, tmp_path_factory) -> Path:
    """The Scala-logged classifier, downloaded to a plain folder."""
    return Path(mlflow.artifacts.download_artifacts(logged_models[("classifier", "scala")], dst_path=str(tmp_path_factory.mktemp("local"))))


@pytest.mark.parametrize("engine,backend", ENGINES)
def test_a_local_model_scores_without_a_tracking_server_and_quietly(local_model, tmp_path, engine, backend):
    x = features("classifier").head(10)
    x.to_csv(tmp_path / "in.csv", index=False)
    r, started = watched("score", "--model-uri", str(local_model), "--input", str(tmp_path / "in.csv"), "--output", str(tmp_path / "out.csv"),
                         "--engine", engine, "--backend", backend)  # fmt: skip
    assert r.returncode == 0, r.stderr[-3000:]
    assert not servers(started), f"a tracking server was started for a local model: {servers(started)}"
    # Quiet: our own line on stderr and nothing else (no Spark banner, log4j notices, stage bars or JVM notices).
    engine_words = f"the {engine} engine" + (f" ({backend})" if engine == "scala" else "")
    assert r.stderr.splitlines() == [f"scoring {tmp_path / 'in.csv'} with {engine_words}..."], r.stderr[-3000:]
    assert r.stdout.startswith(f"scored 10 rows with {engine_words} -> {tmp_path / 'out.csv'}")
    out = pd.read_csv(tmp_path / "out.csv")
    assert np.array_equal(out["prediction"].to_numpy(dtype=float), np.asarray(mlflow.pyfunc.load_model(str(local_model)).predict(x), dtype=float))


def test_verbose_brings_spark_logging_back(local_model, tmp_path):
    features("classifier").head(5).to_csv(tmp_path / "in.csv", index=False)
    r, _ = watched("score", "--model-uri", str(local_model), "--input", str(tmp_path / "in.csv"), "--output", str(tmp_path / "out.csv"), "--verbose")
    assert r.returncode == 0, r.stderr[-3000:]
    assert "Using Spark's default log4j profile" in r.stderr, r.stderr[-3000:]


@pytest.mark.parametrize(
    "uri,engine,words",
    [
        ("runs:/", "python", "model URI runs:/ is not a proper runs:/ URI: use runs:/<run_id>/<path>"),
        ("runs:/0123/../x", "scala", "model URI runs:/0123/../x: path \"../x\" is not a safe relative path: it has a '.' or '..' segment"),
        ("models:/wine@", "scala", "model URI models:/wine@ is not a proper models:/ URI"),
        ("models:/wine/1", "scala", "model URI models:/wine/1 needs a tracking server: set MLFLOW_TRACKING_URI (a local model folder needs none)"),
        ("ftp://host/model", "scala", "model URI ftp://host/model has an unsupported scheme"),
        ("/no/such/model", "python", "model URI /no/such/model does not exist (no such local directory)"),
    ],
)
def test_bad_lines_fail_before_any_jvm_starts(tmp_path, uri, engine, words):
    features("classifier").head(3).to_csv(tmp_path / "in.csv", index=False)
    r, started = watched(
        "score", "--model-uri", uri, "--input", str(tmp_path / "in.csv"), "--output", str(tmp_path / "o.csv"), "--engine", engine, java=False
    )
    assert r.returncode == 2, r.stderr[-2000:]
    assert r.stderr.startswith(f"mlflow-bridge score: error: {words}") and r.stderr.count("\n") == 1, r.stderr
    assert not jvms(started) and not servers(started), started


def test_a_missing_input_or_an_unknown_output_fails_before_any_jvm_starts(local_model, tmp_path):
    for args, words in (
        (["--input", str(tmp_path / "none.csv"), "--output", str(tmp_path / "o.csv")], f"input {tmp_path / 'none.csv'} does not exist"),
        (["--input", str(tmp_path / "in.csv"), "--output", str(tmp_path / "o.xlsx")], f"{tmp_path / 'o.xlsx'}: unknown table format '.xlsx'"),
        (["--input", str(tmp_path / "in.csv"), "--output", str(tmp_path / "in.csv")], f"output {tmp_path / 'in.csv'} is the input file"),
    ):
        features("classifier").head(3).to_csv(tmp_path / "in.csv", index=False)
        r, started = watched("score", "--model-uri", str(local_model), *args, java=False)
        assert r.returncode == 2 and words in r.stderr, r.stderr[-2000:]
        assert not jvms(started), started


@pytest.mark.parametrize("engine,backend", [("python", "py4j"), ("scala", "jpype")])
def test_pq_in_and_ndjson_out_are_parquet_and_json_lines(local_model, tmp_path, engine, backend):
    """The rule table's other names: accepted by the checks before any JVM and by both engines' reader and writer."""
    x = features("classifier").head(20)
    x.to_parquet(tmp_path / "in.pq", index=False)
    out = tmp_path / "out.ndjson"
    assert scoring.score_file(str(local_model), tmp_path / "in.pq", out, engine, backend) == len(x)  # type: ignore[arg-type]
    back = tables.read(out)
    assert len(back) == len(x) and list(back.columns[: len(x.columns)]) == list(x.columns) and "prediction" in back.columns


@pytest.mark.parametrize("engine,backend", ENGINES[:2])
@pytest.mark.parametrize("fmt", ["parquet", "csv", "jsonl"])
def test_many_input_parts_make_one_output_file(local_model, tmp_path, engine, backend, fmt):
    """A directory of Parquet parts is read in parallel; the parts Spark writes become one file."""
    x = features("classifier").assign(row_id=lambda d: range(len(d)))
    parts = tmp_path / "in.parquet"
    parts.mkdir()
    for i, chunk in enumerate(np.array_split(x, 3)):
        chunk.to_parquet(parts / f"part-{i}.parquet", index=False)
    out = tmp_path / f"out.{fmt}"
    assert scoring.score_file(str(local_model), parts, out, engine, backend) == len(x)  # type: ignore[arg-type]
    assert out.is_file()
    if fmt == "csv":
        assert out.read_text().count("alcohol,") == 1  # one header
    if fmt == "parquet":
        assert pq.ParquetFile(out).metadata.num_rows == len(x)
    back = tables.read(out).sort_values("row_id").reset_index(drop=True)
    assert back["row_id"].tolist() == list(range(len(x)))
    expected = np.asarray(mlflow.pyfunc.load_model(str(local_model)).predict(x.drop(columns=["row_id"])), dtype=float)
    assert np.array_equal(back["prediction"].to_numpy(dtype=float), expected)


@pytest.mark.parametrize("engine,backend", ENGINES[:2])
def test_csv_takes_the_signature_types_and_keeps_other_columns_as_text(local_model, tmp_path, engine, backend):
    """Columns the signature names get its types (whole numbers read as doubles); the others pass through as written."""
    x = features("classifier").head(6).copy()
    x["magnesium"] = x["magnesium"].astype(int)  # written as 127, not 127.0
    x.insert(0, "sample", ["007", "008", "1e3", "x", "0.50", ""])
    x.to_csv(tmp_path / "in.csv", index=False)
    assert scoring.score_file(str(local_model), tmp_path / "in.csv", tmp_path / "out.csv", engine, backend) == 6  # type: ignore[arg-type]
    out = pd.read_csv(tmp_path / "out.csv", dtype={"sample": str}, keep_default_na=False)
    assert out["sample"].tolist() == ["007", "008", "1e3", "x", "0.50", ""]
    assert out["magnesium"].tolist() == [float(v) for v in x["magnesium"]]
