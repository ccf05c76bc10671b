"""`mlflow-bridge doctor`: passes on a good setup, names the fix on a broken one."""

from __future__ import annotations

import os
import subprocess
import sys

MLFLOW_BRIDGE = [sys.executable, "-m", "bridge"]


def doctor(*args: str, **env: str) -> subprocess.CompletedProcess:
    full_env = dict(os.environ, **env)
    return subprocess.run([*MLFLOW_BRIDGE, "doctor", *args], capture_output=True, text=True, env=full_env, timeout=120)


def test_doctor_passes_on_a_good_setup(tracking_uri):
    r = doctor("--tracking-uri", tracking_uri)
    assert r.returncode == 0, r.stdout + r.stderr
    for name in ("java", "jars", "versions", "tracking server"):
        assert f"[ok] {name}:" in r.stdout
    assert f"{tracking_uri} answers /health" in r.stdout


def test_doctor_names_the_fix_when_the_jars_are_missing(tracking_uri, tmp_path):
    r = doctor("--tracking-uri", tracking_uri, MLFLOW_BRIDGE_JARS=str(tmp_path / "no-jars"))
    assert r.returncode == 1
    assert "[FAIL] jars: the bridge jars are not built" in r.stdout
    assert "fix: make jars" in r.stdout


def test_doctor_names_the_fix_when_the_server_is_down():
    r = doctor("--tracking-uri", "http://127.0.0.1:9")
    assert r.returncode == 1
    assert "[FAIL] tracking server: http://127.0.0.1:9 does not answer" in r.stdout
    assert "fix: start one: mlflow-bridge server" in r.stdout


def test_doctor_flags_an_old_java(tmp_path, tracking_uri):
    fake = tmp_path / "bin"
    fake.mkdir()
    java = fake / "java"
    java.write_text("#!/bin/sh\necho 'openjdk version \"11.0.2\" 2019-01-15' >&2\n")
    java.chmod(0o755)
    r = doctor("--tracking-uri", tracking_uri, PATH=f"{fake}:{os.environ['PATH']}")
    assert r.returncode == 1
    assert "[FAIL] java: java 11.0.2" in r.stdout
    assert "install a JDK 17+" in r.stdout


def test_cli_errors_exit_non_zero_with_one_line(tmp_path):
    r = subprocess.run([*MLFLOW_BRIDGE, "with-server"], capture_output=True, text=True, timeout=60)
    assert r.returncode == 2
    assert r.stderr.strip() == "mlflow-bridge with-server: error: with-server needs a command after --"


def test_a_jar_older_than_the_scala_sources_is_stale(monkeypatch, tmp_path):
    import time

    from bridge import classpath

    newer = tmp_path / "scala" / "Foo.scala"
    newer.parent.mkdir()
    newer.write_text("object Foo")
    future = time.time() + 3600
    os.utime(newer, (future, future))
    monkeypatch.setattr(classpath, "REPO_ROOT", tmp_path)
    monkeypatch.setattr(classpath, "_scala_sources", lambda: [newer])
    problems = classpath.jar_problems()
    assert len(problems) == 1
    assert problems[0].endswith("is older than scala/Foo.scala; run: make jars   (or: build/sbt bridgeJars)")
