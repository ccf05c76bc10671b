"""Faults the bridge must ride out: a tracking server restarted while Python and the JVM log to
one run, and many threads logging and registering at once. Nothing logged may be lost or doubled."""

from __future__ import annotations

import hashlib
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from conftest import unique
from mlflow.entities import Metric
from mlflow.tracking import MlflowClient
from postgres import postgres

from bridge import TrackingServer, connect

pytestmark = pytest.mark.reliability  # make test-reliability runs this group

PER_WRITER = 250  # values each writer logs, one request each, across the restart (the restart comes after 50)


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def store(request):
    """The tracking server's backend store: sqlite with 1 worker, or PostgreSQL with 4 (production's shape)."""
    if request.param == "sqlite":
        yield None, 1
    else:
        for uri in postgres():
            yield uri, 4


@pytest.fixture(scope="module")
def own_server(store, tmp_path_factory):
    """A server of this module's own for each store (a fixed port and store, so it can be restarted)."""
    uri, workers = store
    server = TrackingServer(root=tmp_path_factory.mktemp("server"), backend_store_uri=uri, workers=workers).start()
    yield server
    server.stop()


def test_every_value_survives_a_server_restart(own_server, spark):
    """Three writers log to one run while the server is killed and started again on the same port
    and store: the JVM through JPype and through py4j (mlflowbridge's ActiveRun, which retries as
    Python does), and the stock Python client. Every value is there afterwards, once."""
    uri = own_server.uri
    python = MlflowClient(uri)
    jvms = {"jpype": connect("jpype", uri), "py4j": connect("py4j", uri, spark=spark)}
    exp_id = jvms["jpype"].experiments.get_or_create(unique("restart"))
    run = jvms["jpype"].runs.start(exp_id, "restart")
    logged = {name: 0 for name in (*jvms, "python")}
    started = threading.Barrier(len(logged) + 1)

    def jvm_writer(name: str) -> None:
        active = jvms[name].runs.resume(run.run_id)
        started.wait()
        for i in range(PER_WRITER):
            active.log_metric(name, float(i), step=i)
            logged[name] += 1

    def python_writer() -> None:
        started.wait()
        for i in range(PER_WRITER):
            python.log_metric(run.run_id, "python", float(i), step=i)
            logged["python"] += 1

    with ThreadPoolExecutor(len(logged)) as pool:
        futures = [pool.submit(jvm_writer, n) for n in jvms] + [pool.submit(python_writer)]
        started.wait()
        while min(logged.values()) < 50:  # every writer is under way
            time.sleep(0.01)
        before = dict(logged)
        own_server.stop()
        own_server.start()
        for f in futures:
            f.result(timeout=600)
    assert all(before[n] < PER_WRITER for n in before), f"the restart came after the writers finished: {before}"
    for name in logged:
        history = python.get_metric_history(run.run_id, name)
        assert sorted((m.step, m.value) for m in history) == [(i, float(i)) for i in range(PER_WRITER)], name
    run.end()
    for jvm in jvms.values():
        jvm.close()


def test_eight_threads_log_to_one_run_and_eight_registrations_race(own_server, tmp_path):
    """4 stock Python threads and 4 JVM threads (JPype) each log 1,000 metric values (in batches)
    and an artifact to one run; then 8 JVM threads register the same model name at once."""
    jvm = connect("jpype", own_server.uri)
    mlflow_client = MlflowClient(own_server.uri)
    exp_id = jvm.experiments.get_or_create(unique("concurrent"))
    run = jvm.runs.start(exp_id, "eight-threads")
    payloads = {}
    for w in range(8):
        d = tmp_path / f"w{w}"
        d.mkdir()
        (d / f"w{w}.bin").write_bytes(hashlib.sha256(str(w).encode()).digest() * 4096)
        payloads[w] = d / f"w{w}.bin"

    def jvm_writer(w: int) -> None:
        active = jvm.runs.resume(run.run_id)
        for start in range(0, 1000, 100):
            active.log_metrics({f"w{w}-{i}": float(i) for i in range(start, start + 100)})
        active.log_artifacts(payloads[w], "payloads")

    def python_writer(w: int) -> None:
        now = int(time.time() * 1000)
        for start in range(0, 1000, 100):
            mlflow_client.log_batch(run.run_id, metrics=[Metric(f"w{w}-{i}", float(i), now, 0) for i in range(start, start + 100)])
        mlflow_client.log_artifact(run.run_id, str(payloads[w]), "payloads")

    with ThreadPoolExecutor(8) as pool:
        for f in [pool.submit(jvm_writer, w) for w in range(4)] + [pool.submit(python_writer, w) for w in range(4, 8)]:
            f.result(timeout=600)
    run.end()
    metrics = mlflow_client.get_run(run.run_id).data.metrics
    assert len(metrics) == 8000 and all(metrics[f"w{w}-{i}"] == float(i) for w in range(8) for i in range(1000))
    back = jvm.artifacts.download(run.run_id, "payloads", tmp_path / "back")
    assert {p.name: p.read_bytes() for p in back.iterdir()} == {p.name: p.read_bytes() for p in payloads.values()}

    name = unique("race")
    with ThreadPoolExecutor(8) as pool:
        versions = list(pool.map(lambda _: jvm.registry.register(f"runs:/{run.run_id}/payloads", name), range(8)))
    assert sorted(int(v.version) for v in versions) == list(range(1, 9)) and {v.status for v in versions} == {"READY"}
    assert len(mlflow_client.search_model_versions(f"name = '{name}'")) == 8
    jvm.close()
