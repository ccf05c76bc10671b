"""The README's examples are these files, and they run: Java compiled with javac against the
jars, Python as a script (Scala's runs in ExamplesSuite; tests/test_docs.py checks that the README
shows them as they are). Each does the FAQ's round trip with the entry object alone; the tests
check on the server that it did."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from bridge.classpath import full_classpath
from bridge.java import jvm_options

REPO = Path(__file__).resolve().parents[1]
EXAMPLES = REPO / "tests" / "examples"


def _result(stdout: str) -> dict[str, str]:
    line = next((ln for ln in stdout.splitlines() if ln.startswith("run_id=")), None)
    assert line is not None, stdout[-3000:]
    return dict(field.split("=", 1) for field in line.split(" "))


def _check_round_trip(mlflow_client, name: str, result: dict[str, str]) -> None:
    run = mlflow_client.get_run(result["run_id"])
    assert (run.info.status, run.info.run_name) == ("FINISHED", "train")
    assert run.data.params == {"maxIter": "100"} and run.data.metrics == {"rows": 50.0}
    champion = mlflow_client.get_model_version_by_alias(name, "champion")
    assert (champion.version, champion.run_id) == (result["version"], result["run_id"])
    # y = 3a - b exactly, so the fit predicts the first rows (a = b = 1, 2, 3) within 1e-6.
    predictions = [float(p) for p in result["predictions"].split(",")]
    assert len(predictions) == 3 and all(abs(p - want) < 1e-6 for p, want in zip(predictions, (2.0, 4.0, 6.0))), predictions


def test_java_example_compiles_with_javac_and_runs(tracking_uri, mlflow_client, tmp_path):
    classpath = os.pathsep.join(full_classpath())
    javac, java = shutil.which("javac"), shutil.which("java")
    assert javac and java, "the tests need a JDK (javac and java on PATH)"
    r = subprocess.run([javac, "--release", "17", "-d", str(tmp_path), "-cp", classpath, str(EXAMPLES / "JavaRoundTrip.java")],
                       capture_output=True, text=True, timeout=300)  # fmt: skip
    assert r.returncode == 0, r.stderr[-3000:]
    env = dict(os.environ, MLFLOW_TRACKING_URI=tracking_uri, MLFLOW_PYTHON_EXECUTABLE=sys.executable)
    r = subprocess.run([java, *jvm_options(), "-cp", os.pathsep.join([str(tmp_path), classpath]), "JavaRoundTrip"],
                       capture_output=True, text=True, timeout=600, env=env)  # fmt: skip
    assert r.returncode == 0, r.stderr[-3000:]
    _check_round_trip(mlflow_client, "round-trip-java", _result(r.stdout))


def test_python_example_runs(tracking_uri, mlflow_client):
    env = dict(os.environ, MLFLOW_TRACKING_URI=tracking_uri, PYTHONPATH=str(REPO))
    r = subprocess.run([sys.executable, str(EXAMPLES / "round_trip.py")], capture_output=True, text=True, timeout=600, env=env, cwd=REPO)
    assert r.returncode == 0, r.stderr[-3000:]
    _check_round_trip(mlflow_client, "round-trip-python", _result(r.stdout))
