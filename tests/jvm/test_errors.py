"""Every failure a user can cause arrives as one of bridge's exception types with a one-line message."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from bridge import BadInputError, NotFoundError, ServerUnreachableError, connect


def test_unknown_experiment_id(jvm):
    with pytest.raises(NotFoundError, match="999999"):
        jvm.client.getExperiment("999999")


def test_unknown_run_id(jvm):
    with pytest.raises(NotFoundError, match="0123456789abcdef0123456789abcdef"):
        jvm.client.getRun("0123456789abcdef0123456789abcdef")


def test_server_refusal_is_typed_by_its_error_code(jvm):
    """The stock client's HTTP error: the server's JSON `error_code` (INVALID_PARAMETER_VALUE) picks the type."""
    exp_id = jvm.experiments.get_or_create("errors-refused")
    with pytest.raises(BadInputError, match=r"refused \(HTTP 400\): Invalid comparator '>>>'"):
        jvm.client.searchRuns(jvm.java_list([exp_id]), "metrics.x >>> 1")


def test_local_file_that_does_not_exist(jvm, tmp_path):
    missing = tmp_path / "nope.bin"
    with pytest.raises(BadInputError, match=f"local file {missing} does not exist"):
        jvm.java_file(missing)


def test_deleted_experiment_names_it(jvm, mlflow_client):
    from conftest import unique

    name = unique("deleted")
    exp_id = jvm.experiments.get_or_create(name)
    mlflow_client.delete_experiment(exp_id)
    with pytest.raises(BadInputError, match=f"experiment '{name}' \\(id {exp_id}\\) is deleted"):
        jvm.experiments.get_or_create(name)


@pytest.mark.parametrize("backend", ["jpype", "py4j"])
def test_unreachable_server(backend):
    with pytest.raises(ServerUnreachableError, match="http://127.0.0.1:9 is unreachable"):
        connect(backend, "http://127.0.0.1:9")


def test_local_tracking_uri_is_refused():
    with pytest.raises(BadInputError, match="'sqlite:///x.db' is not an http\\(s\\) tracking server"):
        connect("jpype", "sqlite:///x.db")


def test_unknown_backend(tracking_uri):
    with pytest.raises(BadInputError, match="unknown backend 'grpc'"):
        connect("grpc", tracking_uri)


def test_no_jvm_for_jpype(tracking_uri, tmp_path):
    """In a fresh process (JPype cannot restart a JVM) with no Java to be found."""
    env = {"PATH": "/usr/bin/nonexistent", "JAVA_HOME": str(tmp_path / "no-jdk"), "HOME": str(tmp_path)}
    r = _connect_in_fresh_process(tracking_uri, env)
    assert r.returncode == 3, r.stderr[-2000:]
    assert f"JAVA_HOME={tmp_path / 'no-jdk'} holds no JVM" in r.stdout


def _connect_in_fresh_process(tracking_uri, env):
    code = (
        "import bridge, sys\n"
        "try:\n    bridge.connect('jpype', sys.argv[1])\n"
        "except bridge.JavaNotFoundError as e:\n    print('JavaNotFoundError:', e); sys.exit(3)\n"
    )
    return subprocess.run([sys.executable, "-c", code, tracking_uri], capture_output=True, text=True, env=env, timeout=120)


def test_java_too_old_for_jpype(tracking_uri, tmp_path):
    old = tmp_path / "jdk-11"
    (old / "lib" / "server").mkdir(parents=True)
    (old / "lib" / "server" / "libjvm.so").write_bytes(b"")
    (old / "release").write_text('JAVA_VERSION="11.0.2"\n')
    r = _connect_in_fresh_process(tracking_uri, {"PATH": "/usr/bin:/bin", "JAVA_HOME": str(old), "HOME": str(tmp_path)})
    assert r.returncode == 3, r.stderr[-2000:]
    assert "Java 11.0.2" in r.stdout and "too old: the bridge needs Java 17+" in r.stdout


@pytest.mark.parametrize("backend", ["jpype", "py4j"])
def test_jars_not_built(tracking_uri, tmp_path, backend):
    """A fresh process (JPype can't restart a JVM; py4j's Spark may already be up here)."""
    code = (
        "import bridge, sys\n"
        "try:\n    bridge.connect(sys.argv[2], sys.argv[1])\n"
        "except bridge.JarNotBuiltError as e:\n    print('JarNotBuiltError:', e); sys.exit(3)\n"
    )
    env = dict(os.environ, MLFLOW_BRIDGE_JARS=str(tmp_path / "none"))
    r = subprocess.run([sys.executable, "-c", code, tracking_uri, backend], capture_output=True, text=True, env=env, timeout=300)
    assert r.returncode == 3, r.stderr[-2000:]
    assert "the bridge jars are not built" in r.stdout and "run: make jars" in r.stdout
