"""`mlflow-bridge serve` and `mlflowbridge.cli.Main serve` against stock `mlflow models serve`.

For one Python-logged and one Scala-logged model: stock's server and ours on the same model,
the same requests in every content type, equal predictions. Ours runs once through the Python
command (py4j, a runs:/ URI) and once as a bare JVM (a local folder; no Python on PATH, no
MLFLOW_PYTHON_EXECUTABLE). Then bad input, concurrency and SIGTERM.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import fuzz_bodies
import mlflow
import numpy as np
import protocol_cases
import pytest
from models_fixtures import dataset, features

from bridge.java import main_command
from bridge.models import scoring, train
from bridge.server import free_port, stop_group

CASES = {"python": ("classifier", "python"), "scala": ("linear", "scala")}


@dataclass
class Served:
    kind: str
    stock: str  # base URLs
    ours: str
    ours_proc: subprocess.Popen
    how: str  # "python command" or "bare JVM"
    has_signature: bool


def _start(cmd: list[str], env: dict[str, str], log: Path) -> subprocess.Popen:
    return subprocess.Popen(cmd, stdout=open(log, "wb"), stderr=subprocess.STDOUT, env=env, start_new_session=True)


def _wait_up(proc: subprocess.Popen, url: str, log: Path, timeout: float = 300) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert proc.poll() is None, log.read_text()[-3000:]
        try:
            urllib.request.urlopen(f"{url}/ping", timeout=2)
            return
        except OSError:
            time.sleep(0.5)
    raise AssertionError(f"{url} did not answer within {timeout}s: {log.read_text()[-3000:]}")


def _bare_jvm(args: list[str]) -> list[str]:
    """`java ... mlflowbridge.cli.Main <args>` with the Vector API module spark-submit adds (pyspark's JVM has it):
    netlib's BLAS then sums as in stock's JVM, so linear predictions agree to the last bit."""
    cmd = main_command(args)
    return [cmd[0], "--add-modules=jdk.incubator.vector", *cmd[1:]]


def _bare_jvm_env(home: Path) -> dict[str, str]:
    """Only java's own folder on PATH: no python, no MLFLOW_PYTHON_EXECUTABLE, no tracking server."""
    java_bin = str(Path(os.path.realpath(main_command([])[0])).parent)
    env = {"PATH": java_bin, "HOME": str(home), "LANG": "C.UTF-8"}
    if os.environ.get("MLFLOW_BRIDGE_RUN"):
        env["MLFLOW_BRIDGE_RUN"] = os.environ["MLFLOW_BRIDGE_RUN"]  # tests/leftovers.py finds our processes by it
    return env


@pytest.fixture(scope="module", params=list(CASES))
def served(request, logged_models, tmp_path_factory):
    kind, origin = CASES[request.param]
    uri = logged_models[(kind, origin)]
    tmp = tmp_path_factory.mktemp(f"serve-{origin}")
    local = mlflow.artifacts.download_artifacts(uri, dst_path=str(tmp / "model"))
    stock_port, our_port = free_port(), free_port()
    venv_bin = Path(sys.executable).parent  # mlflow execs `uvicorn` by name
    stock = _start([sys.executable, "-m", "mlflow", "models", "serve", "-m", local, "--env-manager", "local",
                    "-h", "127.0.0.1", "-p", str(stock_port)],
                   dict(os.environ, PATH=f"{venv_bin}:{os.environ['PATH']}"), tmp / "stock.log")  # fmt: skip
    if origin == "python":  # the Python command, over py4j, by the runs:/ URI
        how = "python command"
        cmd = [sys.executable, "-m", "bridge", "serve", "--model-uri", uri, "--port", str(our_port), "--backend", "py4j", "--max-body-mb", "1"]
        ours = _start(cmd, dict(os.environ), tmp / "ours.log")  # 1 MB body limit (the 413 test), as the bare JVM's
    else:  # a bare JVM on the local folder
        how = "bare JVM"
        ours = _start(_bare_jvm(["serve", "--model-uri", local, "--port", str(our_port), "--max-body-mb", "1"]), _bare_jvm_env(tmp), tmp / "ours.log")
    try:
        _wait_up(ours, f"http://127.0.0.1:{our_port}", tmp / "ours.log")
        _wait_up(stock, f"http://127.0.0.1:{stock_port}", tmp / "stock.log")
        has_signature = "signature:" in (Path(local) / "MLmodel").read_text()
        yield Served(kind, f"http://127.0.0.1:{stock_port}", f"http://127.0.0.1:{our_port}", ours, how, has_signature)
    finally:
        stop_group(ours)
        stop_group(stock)


def post(url: str, body: bytes | str, content_type: str = "application/json") -> tuple[int, dict]:
    status, answer, _ = post_and_path(url, body, content_type)
    return status, answer


def post_and_path(url: str, body: bytes | str, content_type: str = "application/json") -> tuple[int, dict, str | None]:
    """Status, JSON answer, and which path scored it (our header; None from stock)."""
    data = body.encode() if isinstance(body, str) else body
    req = urllib.request.Request(f"{url}/invocations", data, {"Content-Type": content_type})
    try:
        with urllib.request.urlopen(req, timeout=120) as r:
            return r.status, json.loads(r.read()), r.headers.get("X-Mlflowbridge-Scored-By")
    except urllib.error.HTTPError as e:
        text = e.read().decode()
        try:
            return e.code, json.loads(text), None
        except json.JSONDecodeError:
            return e.code, {"text": text}, None


def requests_for(kind: str) -> dict[str, tuple[str, str]]:
    """The same 20 rows in every content type the protocol has."""
    x = features(kind).head(20)
    cols = list(x.columns)
    rows = x.to_numpy().tolist()  # json.dumps writes floats exactly
    records = [dict(zip(cols, r)) for r in rows]
    js = "application/json"
    return {
        "dataframe_split": (json.dumps({"dataframe_split": {"columns": cols, "data": rows}}), js),
        "dataframe_records": (json.dumps({"dataframe_records": records}), js),
        "instances": (json.dumps({"instances": records}), js),
        "inputs": (json.dumps({"inputs": {c: x[c].tolist() for c in cols}}), js),
        "csv": (x.to_csv(index=False), "text/csv"),
    }


@pytest.mark.parametrize("fmt", ["dataframe_split", "dataframe_records", "instances", "inputs", "csv"])
def test_same_predictions_as_stock(served, fmt):
    body, ctype = requests_for(served.kind)[fmt]
    s_status, stock = post(served.stock, body, ctype)
    o_status, ours = post(served.ours, body, ctype)
    if fmt in ("instances", "inputs") and not served.has_signature:
        # Stock hands a model without a signature these as a dict of arrays, which its spark flavor
        # refuses (400); ours reads them as the same table as dataframe_split.
        assert s_status == 400, stock
        s_status, stock = post(served.stock, *requests_for(served.kind)["dataframe_split"])
    assert (s_status, o_status) == (200, 200), (stock, ours)
    assert list(ours) == list(stock) == ["predictions"]
    a, b = np.asarray(stock["predictions"], dtype=float), np.asarray(ours["predictions"], dtype=float)
    assert a.shape == b.shape == (20,)
    # CSV: pandas' fast float parser may be one ulp off the exact value json.dumps wrote.
    assert np.allclose(a, b, rtol=1e-12 if fmt == "csv" else 0, atol=1e-9 if fmt == "csv" else 0), (a, b)


def test_ping_health_version_as_stock(served):
    for path in ("/ping", "/health", "/version"):
        with urllib.request.urlopen(served.stock + path) as s, urllib.request.urlopen(served.ours + path) as o:
            assert (s.status, s.read()) == (o.status, o.read()), path


def _assert_mlflow_error(status: int, body: dict, want_status: int, *words: str) -> None:
    assert status == want_status, body
    assert set(body) == {"error_code", "message"}, body
    for w in words:
        assert w in body["message"], body
    assert "\tat " not in body["message"] and "Exception" not in body["message"], body


def test_bad_input_is_a_clear_error(served):
    x = features(served.kind).head(3)
    missing = x.columns[1]
    status, body = post(served.ours, "{not json")
    _assert_mlflow_error(status, body, 400, "valid JSON")
    status, body = post(served.ours, json.dumps({"dataframe_records": x.drop(columns=[missing]).to_dict("records")}))
    _assert_mlflow_error(status, body, 400, "missing", f"'{missing}'")
    wrong = x.assign(**{missing: "x"}).to_dict("records")  # text that reads as a number is taken for a double, as stock does
    status, body = post(served.ours, json.dumps({"dataframe_records": wrong}))
    # The CLI's words: the signature's check, or without one Spark's own at the stage that refuses it.
    words = (f"'{missing}'", "wrong type") if served.has_signature else (missing, "VectorAssembler", "not supported")
    _assert_mlflow_error(status, body, 400, *words)
    nulls = x.to_dict("records")
    nulls[0][missing] = None  # a null the assembler refuses at run time: the row path leaves it to Spark's rules
    status, body = post(served.ours, json.dumps({"dataframe_records": nulls}))
    _assert_mlflow_error(status, body, 400, "VectorAssembler", "null", f"'{missing}'")
    status, body = post(served.ours, json.dumps({"columns": list(x.columns)}))
    _assert_mlflow_error(status, body, 400, "dataframe_split")
    status, body = post(served.ours, "a,b\n1,2\n", "text/plain")
    _assert_mlflow_error(status, body, 415, "text/plain")


def test_concurrent_requests_agree(served):
    body, ctype = requests_for(served.kind)["dataframe_split"]
    want = post(served.ours, body, ctype)[1]["predictions"]
    results: list[object] = []

    def client() -> None:
        for _ in range(5):
            results.append(post(served.ours, body, ctype))

    threads = [threading.Thread(target=client) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [(200, {"predictions": want})] * 20


def test_body_over_the_limit_is_413(served):
    """Both servers were started with --max-body-mb 1."""
    status, body = post(served.ours, b'{"inputs": "' + b"x" * (2 * 1024 * 1024) + b'"}')
    _assert_mlflow_error(status, body, 413, "limit")


def _every_row(kind: str) -> str:
    x = features(kind)
    return json.dumps({"dataframe_split": {"columns": list(x.columns), "data": x.to_numpy().tolist()}})


def test_row_path_equals_transform_on_every_row(served):
    """Every row through the compiled row path (the plan made once per input schema), twice: the same as stock."""
    body = _every_row(served.kind)
    first, (*second, path), stock = post(served.ours, body), post_and_path(served.ours, body), post(served.stock, body)
    assert first == tuple(second) == stock
    assert first[0] == 200 and len(first[1]["predictions"]) == len(features(served.kind))
    assert path == "row"


class Connection:
    """One persistent HTTP/1.1 connection (http.client): thousands of requests without a TCP handshake each."""

    def __init__(self, url: str) -> None:
        self.host, self.port = url.removeprefix("http://").split(":")
        self.conn = http.client.HTTPConnection(self.host, int(self.port), timeout=120)

    def post(self, body: bytes, content_type: str | None) -> tuple[int, bytes]:
        headers = {} if content_type is None else {"Content-Type": content_type}
        for attempt in range(2):  # a server may close a kept-alive connection (after a 413): once more on a new one
            try:
                self.conn.request("POST", "/invocations", body, headers)
                r = self.conn.getresponse()
                answer = r.read()
                if r.will_close or r.status == 413:
                    self.reopen()
                return r.status, answer
            except (ConnectionError, http.client.HTTPException):
                self.reopen()
                if attempt:
                    raise
        raise AssertionError("unreachable")

    def reopen(self) -> None:
        self.conn.close()
        self.conn = http.client.HTTPConnection(self.host, int(self.port), timeout=120)


def _predictions(answer: bytes) -> list | None:
    try:
        return json.loads(answer).get("predictions")
    except (ValueError, AttributeError):
        return None


# Deliberate differences, in docs/serving.md: a model without a signature gets `instances`/`inputs`
# as the same table as dataframe_split (stock hands its spark flavor a dict of arrays: 400).
_OURS_ONLY_WITHOUT_SIGNATURE = {"instances records", "inputs records", "inputs columns", "instances columns"}
# Text read as numbers: pandas' fast float parser may be one ulp off the exact value; ours is exact.
_TEXT_NUMBERS = {"csv", "csv with index", "csv charset", "parquet string column", "strings for numbers"}


def test_protocol_side_by_side_with_stock(served):
    """One list of requests, valid and invalid, to stock and to ours: the same status, the same predictions."""
    stock, ours = Connection(served.stock), Connection(served.ours)
    differences = []
    for case in protocol_cases.cases(features(served.kind).head(3)):
        (s_status, s_body), (o_status, o_body) = stock.post(case.body, case.content_type), ours.post(case.body, case.content_type)
        if o_status != 200:  # ours: always MLflow's JSON error, never a stack trace
            err = json.loads(o_body)
            assert set(err) == {"error_code", "message"} and "\tat " not in err["message"], (case.name, err)
        if case.name in _OURS_ONLY_WITHOUT_SIGNATURE and not served.has_signature:
            s_status, s_body = (200, o_body) if s_status == 400 else (s_status, s_body)
        s_pred, o_pred = _predictions(s_body), _predictions(o_body)
        same_predictions = s_status != 200 or (
            s_pred is not None and o_pred is not None and len(s_pred) == len(o_pred)
            and np.allclose(np.asarray(s_pred, dtype=float), np.asarray(o_pred, dtype=float), rtol=1e-12 if case.name in _TEXT_NUMBERS else 0, atol=0, equal_nan=True)
        )  # fmt: skip
        if s_status != o_status or not same_predictions:
            differences.append((case.name, s_status, s_body[:200], o_status, o_body[:200]))
    assert not differences, "\n".join(map(str, differences))


FUZZ_BODIES = 5_000  # per served model: 10,000 over the two


def _java_pid(proc: subprocess.Popen) -> int:
    """Our server's JVM: the process itself (bare JVM) or the java in its process group (the py4j command's gateway)."""
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            pid, rest = stat.read_text().split(" (", 1)
            comm, fields = rest.rsplit(") ", 1)
        except OSError:
            continue
        if comm == "java" and int(fields.split()[2]) == proc.pid:
            return int(pid)
    raise AssertionError(f"no java process in the group of {proc.pid}")


def _heap_after_gc_mb(pid: int) -> float:
    """The JVM's heap in use after a full GC (jcmd): what the requests left behind, not garbage not yet collected."""
    subprocess.run(["jcmd", str(pid), "GC.run"], check=True, capture_output=True, timeout=60)
    out = subprocess.run(["jcmd", str(pid), "GC.heap_info"], check=True, capture_output=True, text=True, timeout=60).stdout
    used = re.search(r"used (\d+)K", out)
    assert used, out
    return int(used.group(1)) / 1024


def _rss_mb(pid: int) -> float:
    rss = re.search(r"VmRSS:\s+(\d+) kB", Path(f"/proc/{pid}/status").read_text())
    assert rss
    return int(rss.group(1)) / 1024


def test_fuzzed_bodies_never_get_a_5xx(served):
    """5,000 seeded generated and mutated bodies (tests/models/fuzz_bodies.py): no 5xx, the server alive, its
    heap after GC within 64 MB of where it started and its RSS within 1 GB, then a valid request answered as stock."""
    x = features(served.kind)
    pid = _java_pid(served.ours_proc)
    heap_before, rss_before = _heap_after_gc_mb(pid), _rss_mb(pid)
    ours = Connection(served.ours)
    statuses: dict[int, int] = {}
    server_errors = []
    t0 = time.monotonic()
    for i, (ctype, body) in enumerate(fuzz_bodies.bodies(seed=29 + len(served.kind), n=FUZZ_BODIES, x=x)):
        status, answer = ours.post(body, ctype)
        statuses[status] = statuses.get(status, 0) + 1
        if status >= 500:
            server_errors.append((i, ctype, body[:300], answer[:300]))
    took = time.monotonic() - t0
    heap_after, rss_after = _heap_after_gc_mb(pid), _rss_mb(pid)
    print(f"fuzz {served.kind}: {FUZZ_BODIES} bodies in {took:.1f}s {sorted(statuses.items())}; "
          f"heap after GC {heap_before:.0f} -> {heap_after:.0f} MB, RSS {rss_before:.0f} -> {rss_after:.0f} MB")  # fmt: skip
    assert not server_errors, "\n".join(map(str, server_errors[:20]))
    assert served.ours_proc.poll() is None
    assert heap_after - heap_before < 64, (heap_before, heap_after)
    assert rss_after - rss_before < 1024, (rss_before, rss_after)
    body, ctype = requests_for(served.kind)["dataframe_split"]
    assert post(served.ours, body, ctype) == post(served.stock, body, ctype)


def test_sigterm_drains_and_exits_within_5s(served):
    """Last for each server: SIGTERM to the process itself (not its group), gone within 5 s."""
    served.ours_proc.send_signal(signal.SIGTERM)
    t0 = time.monotonic()
    served.ours_proc.wait(timeout=5)
    assert time.monotonic() - t0 < 5


def _scaled_linear(spark, path: Path) -> None:
    """VectorAssembler, StandardScaler (mean and std), LinearRegression; saved by stock mlflow.spark.save_model."""
    from pyspark.ml import Pipeline
    from pyspark.ml.feature import StandardScaler, VectorAssembler
    from pyspark.ml.regression import LinearRegression

    pdf = dataset("linear")
    stages: list[Any] = [VectorAssembler(inputCols=list(features("linear").columns), outputCol="raw"),
              StandardScaler(inputCol="raw", outputCol="features", withMean=True, withStd=True),
              LinearRegression(featuresCol="features", labelCol="label", regParam=0.1)]  # fmt: skip
    model = Pipeline(stages=stages).fit(spark.createDataFrame(pdf))
    mlflow.spark.save_model(model, str(path), pip_requirements=train.pinned_requirements())  # given: no inference (a second Spark)


@pytest.mark.parametrize("which", ["gbt", "scaled"])
def test_row_path_equals_transform_in_a_bare_jvm(logged_models, spark, tmp_path, which):
    """GBT and StandardScaler pipelines: every row, through the row path (the first request compiles it), equals pyspark's transform."""
    if which == "gbt":
        uri = logged_models[("gbt", "python")]
        local = mlflow.artifacts.download_artifacts(uri, dst_path=str(tmp_path / "model"))
    else:
        local = str(tmp_path / "model")
        _scaled_linear(spark, Path(local))
    kind = "gbt" if which == "gbt" else "linear"
    port = free_port()
    proc = _start(_bare_jvm(["serve", "--model-uri", local, "--port", str(port)]), _bare_jvm_env(tmp_path), tmp_path / "ours.log")
    try:
        url = f"http://127.0.0.1:{port}"
        _wait_up(proc, url, tmp_path / "ours.log")
        body = _every_row(kind)
        first, second = post_and_path(url, body), post_and_path(url, body)
        assert (first[2], second[2]) == ("row", "row")
        assert first[:2] == second[:2] and first[0] == 200
        expected = scoring.score_frame(local, features(kind), "python")["prediction"].to_numpy()
        assert np.array_equal(np.asarray(second[1]["predictions"], dtype=float), expected)
    finally:
        stop_group(proc)
