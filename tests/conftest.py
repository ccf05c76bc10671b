"""Shared fixtures: one tracking server per session (or MLFLOW_TRACKING_URI), one JVM per backend.

JPype's JVM lives in this process and can never be restarted; py4j's JVM is pyspark's driver,
started once with the bridge jars. Both stay up for the whole session.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from bridge import connect
from bridge.server import tracking

BACKENDS = ["jpype", "py4j"]

# Session fixtures shared by several modules live in plugins (imported once, so they run once).
pytest_plugins = ["models_fixtures", "spark_cluster", "custom_stage", "connect_fixture", "autolog_fixtures"]

# The Java client forks this interpreter for artifact calls.
os.environ.setdefault("MLFLOW_PYTHON_EXECUTABLE", sys.executable)

# Every Python process started during the session (the JVMs' forks included: they take this
# environment when they start) appends its command line to PYTHON_STARTS as it starts, so a test
# can see, without polling, which Python processes ran meanwhile (tests/jvm/test_s3.py).
PYTHON_STARTS = Path(tempfile.mkdtemp(prefix="python-starts-"))
(PYTHON_STARTS / "sitecustomize.py").write_text(
    "import os, sys\n"
    "if os.environ.get('MLFLOW_BRIDGE_TEST_PYTHON_STARTS'):\n"
    "    with open(os.environ['MLFLOW_BRIDGE_TEST_PYTHON_STARTS'], 'a') as f:\n"
    "        f.write(' '.join(sys.orig_argv).replace('\\n', ' ') + '\\n')\n"
)
os.environ["MLFLOW_BRIDGE_TEST_PYTHON_STARTS"] = str(PYTHON_STARTS / "starts.log")
os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(PYTHON_STARTS), os.environ.get("PYTHONPATH")]))


def python_starts() -> list[str]:
    """Command lines of the Python processes started so far in this session, in order."""
    log = PYTHON_STARTS / "starts.log"
    return log.read_text().splitlines() if log.exists() else []


# `make test-fast` (pytest -m fast): tests that start no server or process of their own, only the
# session's tracking server and JVMs; a round trip per backend (test_jvm_api, test_roundtrip). By node id prefix.
FAST = (
    "tests/models/test_compare.py::",
    "tests/test_versions.py::",
    "tests/jvm/test_roundtrip.py::test_get_or_create",  # not test_java_round_trip: the stock client forks Python per artifact call
    "tests/jvm/test_roundtrip.py::test_python_logged",
    "tests/jvm/test_jvm_api.py::",
    "tests/jvm/test_layers.py::",
    "tests/test_packaging.py::test_a_command_without_its_extra_says_which_to_install",
    "tests/parity/test_parity_catalog.py::test_catalog",
    "tests/parity/test_parity_catalog.py::test_endpoints",
    "tests/parity/test_parity_catalog.py::test_reflection",
    "tests/parity/test_parity_catalog.py::test_bridged",
    "tests/parity/test_parity_catalog.py::test_xfail",
    "tests/parity/test_parity_catalog.py::test_readme",
    "tests/parity/test_parity_catalog.py::test_update_readme",
    "tests/parity/test_parity_catalog.py::test_cli_catalog_only",
    "tests/parity/test_parity_catalog.py::test_render_formats_agree",
)


def pytest_ignore_collect(collection_path, config):
    """With -m fast, other test modules are not even imported (collecting them all costs a minute)."""
    if config.getoption("markexpr") == "fast" and collection_path.is_file() and collection_path.name.startswith("test_"):
        rel = collection_path.relative_to(config.rootpath).as_posix()
        return True if not any(f.startswith(f"{rel}::") for f in FAST) else None
    return None


def pytest_collection_modifyitems(config, items):
    for item in items:
        if item.nodeid.startswith(FAST):
            item.add_marker(pytest.mark.fast)


@pytest.fixture(scope="session")
def tracking_uri(tmp_path_factory):
    with tracking(root=tmp_path_factory.mktemp("server")) as t:
        uri = t.uri
        old = os.environ.get("MLFLOW_TRACKING_URI")
        os.environ["MLFLOW_TRACKING_URI"] = uri
        yield uri
        if old is None:
            os.environ.pop("MLFLOW_TRACKING_URI", None)
        else:
            os.environ["MLFLOW_TRACKING_URI"] = old


@pytest.fixture(scope="session")
def spark():
    """pyspark's session, with the bridge jars on the driver classpath (the py4j backend's JVM)."""
    from bridge.jvm import spark_session

    session = spark_session(app_name="mlflow-bridge-tests")
    yield session
    session.stop()


@pytest.fixture(scope="session")
def sessions(tracking_uri, spark):
    opened = {"jpype": connect("jpype", tracking_uri), "py4j": connect("py4j", tracking_uri, spark=spark)}
    yield opened
    for s in opened.values():
        s.close()


@pytest.fixture(params=BACKENDS)
def jvm(request, sessions):
    """A bridge.Mlflow session on each backend in turn."""
    return sessions[request.param]


@pytest.fixture(scope="session")
def mlflow_client(tracking_uri):
    from mlflow.tracking import MlflowClient

    return MlflowClient(tracking_uri)


@pytest.fixture()
def run_cli(capfd, monkeypatch):
    """`mlflow-bridge ARGS` run by its `main()` inside this process, on the session's JVMs: a
    CompletedProcess with its exit code and what it printed. A fresh process would start a JVM
    each time; the tests whose subject is the process itself (quiet output, which processes
    start, its environment, a fresh session adding jars, clusters) run the real command instead."""
    from bridge import cli, quiet

    monkeypatch.setattr(quiet, "_quiet", quiet.is_quiet())  # main() sets these; put back after the test
    monkeypatch.delenv("MLFLOW_LOGGING_LEVEL", raising=False)

    def run(*args: str) -> subprocess.CompletedProcess:
        capfd.readouterr()
        code = cli.main(list(args))
        out, err = capfd.readouterr()
        return subprocess.CompletedProcess(["mlflow-bridge", *args], code, out, err)

    return run


def unique(prefix: str) -> str:
    import uuid

    return f"{prefix}-{uuid.uuid4().hex[:8]}"


_exit_status = 0


def pytest_sessionfinish(session, exitstatus):
    global _exit_status
    _exit_status = int(exitstatus)


@pytest.hookimpl(trylast=True)
def pytest_unconfigure(config):
    # JPype's in-process JVM (with a local Spark inside) can crash while the interpreter tears
    # it down, turning a green run into exit 139. Every result is reported by now, and the
    # server and Spark fixtures are finalized: leave without that teardown.
    from bridge.jvm import leave_process

    leave_process(_exit_status)
