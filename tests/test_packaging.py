"""Consumable by other builds: the wheel carries the jars, and a separate sbt project compiles
against what `build/sbt publishLocal` published, resolving offline."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from bridge.versions import pinned

REPO = Path(__file__).resolve().parents[1]


def test_the_wheel_carries_the_jars_and_finds_them_installed(tmp_path):
    # Built from a copy: setuptools writes build/ and *.egg-info next to the sources.
    src = tmp_path / "src"
    shutil.copytree(REPO / "bridge", src / "bridge", ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "setup.py", "README.md"):
        shutil.copy(REPO / name, src / name)
    r = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path / "dist"), str(src)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert r.returncode == 0, r.stderr[-3000:]
    wheel = next((tmp_path / "dist").glob("mlflow_bridge-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    jars = {n for n in names if n.startswith("bridge/jars/") and n.endswith(".jar")}
    assert {"bridge/jars/manifest.json", "bridge/versions.properties", "bridge/spark-jvm-options.txt"} <= names
    assert any("mlflow-bridge_2.13" in j for j in jars) and any("mlflow-client" in j for j in jars), jars

    # Installed (no sbt, no checkout): the package finds its own jars.
    r = subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(tmp_path / "site"), str(wheel)],
                       capture_output=True, text=True, timeout=600)  # fmt: skip
    assert r.returncode == 0, r.stderr[-3000:]
    code = "import bridge, bridge.classpath as c; print(bridge.__file__); print('\\n'.join(c.bridge_jars()))"
    env = dict(os.environ, PYTHONPATH=str(tmp_path / "site"))
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, env=env, cwd=tmp_path)
    assert r.returncode == 0, r.stderr[-3000:]
    lines = r.stdout.splitlines()
    assert lines[0].startswith(str(tmp_path / "site"))
    assert len(lines) >= 3 and all(line.startswith(str(tmp_path / "site" / "bridge" / "jars")) for line in lines[1:])


CONSUMER = """
import mlflowbridge.{Mlflow, ModelInfo}
import org.apache.spark.ml.PipelineModel
import org.apache.spark.sql.SparkSession

object Consumer {
  // Compiles against the published API: the entry object, a run scope, logging and loading.
  def roundTrip(spark: SparkSession, model: PipelineModel): PipelineModel = {
    val mlflow = Mlflow.fromEnv()
    val exp = mlflow.experiments.getOrCreate("consumer")
    val info: ModelInfo = mlflow.runs.withRun(exp, "train") { run => run.logModel(model, "model") }
    mlflow.registry.register(info.modelUri, "consumer", "champion")
    mlflow.models.load("models:/consumer@champion", spark)
  }
  def main(args: Array[String]): Unit = println(classOf[Mlflow].getName)
}
"""


def test_a_separate_sbt_project_compiles_against_the_published_jar(tmp_path):
    # A smaller heap than make test's sbt, with the same JVM options as every JVM of the run (C1 only).
    env = dict(os.environ, SBT_JAVA_OPTS=f"-Xmx1g -Xss4m {os.environ.get('MLFLOW_BRIDGE_JAVA_OPTIONS', '')}".strip())
    r = subprocess.run([str(REPO / "build" / "sbt"), "publishLocal"], capture_output=True, text=True, timeout=900, env=env)
    assert r.returncode == 0, r.stdout[-3000:]
    assert "published mlflow-bridge_2.13" in r.stdout

    project = tmp_path / "consumer"
    (project / "project").mkdir(parents=True)
    (project / "src" / "main" / "scala").mkdir(parents=True)
    sbt_version = (REPO / "project" / "build.properties").read_text()
    (project / "project" / "build.properties").write_text(sbt_version)
    v = pinned()
    # The dependencies are docs/build.md's, as shown there (tests/test_docs.py checks it shows this file).
    dependencies = (REPO / "tests" / "examples" / "consumer.sbt").read_text(encoding="utf-8")
    assert f'"spark-mllib" % "{v["spark"]}"' in dependencies, "tests/examples/consumer.sbt names another Spark than the pin"
    header = f'scalaVersion := "{v["scala"]}"\noffline := true  // everything comes from the local caches: no network\n'
    (project / "build.sbt").write_text(header + dependencies)
    (project / "src" / "main" / "scala" / "Consumer.scala").write_text(CONSUMER)
    r = subprocess.run([str(REPO / "build" / "sbt"), "compile", "export Compile/dependencyClasspath"], capture_output=True, text=True,
                       timeout=900, env=dict(env, SBT_PROJECT_DIR=str(project)))  # fmt: skip
    assert r.returncode == 0, r.stdout[-3000:]
    assert "mlflow-bridge_2.13" in r.stdout and "mlflow-client" in r.stdout  # the jar and its dependency resolved
    assert (project / "target" / "scala-2.13" / "classes" / "Consumer.class").is_file()


def test_runtime_requirements_leave_the_demo_and_the_benchmarks_to_extras():
    """`import bridge` and the CLI need no scikit-learn, matplotlib, psutil or pyinstrument; the
    demo and bench extras bring them (setup.py), the test extra both."""
    from importlib.metadata import requires

    from bridge.extras import EXTRAS

    reqs = requires("mlflow-bridge") or []

    def names(extra: str | None) -> set[str]:
        picked = [r for r in reqs if ((f'extra == "{extra}"' in r) if extra else ("extra ==" not in r))]
        return {re.split(r"[\s\[<>=!;~]", r, maxsplit=1)[0].lower() for r in picked}

    optional = {dist for extra in EXTRAS.values() for _, dist in extra}
    assert {"mlflow", "pyspark", "jpype1", "pandas", "pyarrow"} <= names(None) and not names(None) & {
        "scikit-learn",
        "matplotlib",
        "psutil",
        "pyinstrument",
    }
    for extra, needs in EXTRAS.items():
        assert {dist for _, dist in needs} <= names(extra) <= names("test"), extra
    assert optional <= names("test")
    # Nothing the runtime imports needs an extra.
    code = "import sys\nfor m in ('sklearn', 'matplotlib', 'psutil', 'pyinstrument'): sys.modules[m] = None\nimport bridge, bridge.cli, bridge.models.scoring, bridge.parity.cli"
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr[-3000:]


@pytest.mark.parametrize("command,extra", [("demo", "demo"), ("bench", "bench")])
def test_a_command_without_its_extra_says_which_to_install(command, extra, monkeypatch, capsys):
    from bridge.cli import main

    monkeypatch.setitem(sys.modules, "sklearn", None)  # as if scikit-learn were not installed
    assert main([command]) == 2
    err = capsys.readouterr().err
    assert err == f"mlflow-bridge {command}: error: needs the '{extra}' extra (scikit-learn not installed): pip install 'mlflow-bridge[{extra}]'\n"
