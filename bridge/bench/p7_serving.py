"""P7 serving: stock `mlflow models serve` against `mlflow-bridge serve`, and every zoo pipeline.

The wine classifier: both servers are child processes on loopback, started in turn: start-up to
the first `/ping` answer; then 1,000 sequential 1-row `dataframe_split` requests (p50 and p99
latency) and as many `GET /ping` (the same server's no-op answer: the loopback floor); then 4
concurrent clients each sending 1,000-row requests for 5 s (rows/s); then the resident memory of each
process tree.

Every pipeline of the model zoo (`tests/zoo.py`, so a repository checkout is needed): fitted,
saved as stock's `mlflow.spark.save_model` writes it, and served in turn by `models.serve` in the
JPype JVM: p50 of 1-row requests next to that server's `/ping`. Stock serves three of them too.
Every client keeps one HTTP/1.1 connection open (as a service's client would), for both servers.
"""

from __future__ import annotations

import http.client
import importlib.util
import json
import os
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path
from typing import Any

from ..errors import BadInputError
from ..server import free_port, stop_group
from . import wine
from .context import BenchContext
from .core import Measurement, RowResult, Target, within
from .p4_scoring import cli

ID = "P7"
TITLE = "serve the wine classifier and every zoo pipeline"
ONE_ROW_REQUESTS = 1000
ZOO_REQUESTS = 300  # per zoo pipeline, each of 1-row requests and /ping
STOCK_ZOO = ("text_tfidf_logistic", "categorical_onehot_logistic", "gbt_classifier")  # stock serves these too
CLIENTS, BIG_ROWS = 4, 1000
# Each server gets the same untimed second of its requests first (its JIT's, or none), then its
# 1-row requests and /ping alternate, so that both see the same machine; throughput counts the
# rows the clients get answered in a window, after an untimed window of the same load.
WARM_SECONDS, THROUGHPUT_SECONDS = 1.0, 5.0
PROFILE_NOTE = "JFR of our server before the compiled row path, 1-row requests through the DataFrame path: ~75% of samples were Catalyst planning the request's DataFrame (analysis 34%, optimisation 25%, codegen 16%) plus a Spark job for the rows check; hence the plan compiled once per input schema (RowScorer), which every zoo pipeline takes (ALS through its twin with the factors in memory instead of a join)"

STOCK = "stock: mlflow models serve"
OURS = "ours: mlflow-bridge serve (JPype)"


def stock_command(folder: Path, port: int) -> list[str]:
    """Stock `mlflow models serve` of a local model folder on 127.0.0.1."""
    return [sys.executable, "-m", "mlflow", "models", "serve", "-m", str(folder), "--env-manager", "local", "-h", "127.0.0.1", "-p", str(port)]


def run(ctx: BenchContext, repeat: int) -> RowResult:
    row = RowResult(ID, TITLE, profile_note=PROFILE_NOTE)
    folder = wine.local_model_folder(ctx)
    frame = wine.wine_frame().drop(columns=["label"])
    one = _body(frame.head(1))
    big = _body(frame.sample(BIG_ROWS, replace=True, random_state=7))
    env = dict(os.environ, PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}")  # stock execs `uvicorn` by name
    env.pop("MLFLOW_TRACKING_URI", None)
    commands = {
        STOCK: lambda port: stock_command(folder, port),
        OURS: lambda port: [cli(), "serve", "--model-uri", str(folder), "--port", str(port)],
    }
    for name, command in commands.items():
        port = free_port()
        log = ctx.tmp("p7-") / "server.log"
        t0 = time.monotonic()
        with open(log, "wb") as out:
            proc = subprocess.Popen(command(port), stdout=out, stderr=subprocess.STDOUT, env=env, start_new_session=True)
        try:
            url = f"http://127.0.0.1:{port}"
            _wait_up(proc, url, log)
            started = time.monotonic() - t0
            ctx.progress(f"{name}: up in {started:.1f}s")
            client = Client(port)
            latencies, floor, _ = _one_row(client, one, ONE_ROW_REQUESTS)
            client.close()
            rows_per_s = _throughput(port, big)
            rss = _tree_rss_mb(proc.pid)
        finally:
            stop_group(proc)
        ctx.progress(f"{name}: p50 {statistics.median(latencies):.2f} ms, {rows_per_s:,.0f} rows/s, {rss:,.0f} MB")
        row.measurements += [
            Measurement("start-up to the first answer", name, [started]),
            Measurement(f"{ONE_ROW_REQUESTS:,} sequential 1-row requests", name, latencies, "ms", {"p99 ms": [round(_p99(latencies), 2)]}),
            Measurement(f"{ONE_ROW_REQUESTS:,} sequential GET /ping (the loopback floor)", name, floor, "ms"),
            Measurement(f"{BIG_ROWS:,}-row requests from {CLIENTS} clients", name, [rows_per_s], "rows/s"),
            Measurement("resident memory of the process tree after the runs", name, [rss], "MB"),
        ]
    latency = f"{ONE_ROW_REQUESTS:,} sequential 1-row requests"
    row.targets.append(within("p50 latency: ours / stock", row.median(latency, OURS), row.median(latency, STOCK), 0.1))
    throughput = f"{BIG_ROWS:,}-row requests from {CLIENTS} clients"
    row.targets.append(Target("throughput: ours / stock (rows/s)", row.median(throughput, OURS) / row.median(throughput, STOCK), ">=", 10.0))
    start = "start-up to the first answer"
    row.targets.append(within("start-up: ours / stock (time)", row.median(start, OURS), row.median(start, STOCK), 1.0))
    row.notes.append(
        f"one server of each, started in turn; 1-row requests after {WARM_SECONDS:g} s of untimed ones, each followed by a /ping; "
        f"throughput: {CLIENTS} clients sending {BIG_ROWS:,}-row requests for {THROUGHPUT_SECONDS:g} s after {THROUGHPUT_SECONDS:g} s untimed; "
        "http.client, one kept connection per client"
    )
    _zoo(ctx, row, env)
    return row


def _zoo(ctx: BenchContext, row: RowResult, env: dict[str, str]) -> None:
    """Each zoo pipeline served in turn by `models.serve` (JPype): 1-row p50 next to /ping; stock on STOCK_ZOO."""
    import mlflow.spark

    from ..models import train

    zoo = _zoo_module()
    session = ctx.session("jpype")
    ratios: dict[str, float] = {}
    for entry in zoo.ENTRIES:
        if "prediction" not in entry.outputs or entry.name == "fpgrowth":
            continue  # the protocol answers a model's prediction column; fpgrowth reads lists of strings, which it does not carry
        ctx.progress(f"zoo {entry.name}: fitting")
        model, _, rows = entry.fit(ctx.spark())
        folder = ctx.tmp(f"p7-{entry.name}-") / "model"
        mlflow.spark.save_model(model, str(folder), pip_requirements=train.pinned_requirements())
        body = json.dumps({"dataframe_split": json.loads(rows.dropna().head(1).to_json(orient="split", index=False))}).encode()
        server = session.models.serve(str(folder))
        try:
            client = Client(server.port)
            latencies, floor, path = _one_row(client, body, ZOO_REQUESTS)
            client.close()
        finally:
            server.close()
        case = f"zoo {entry.name}: 1-row requests (scored by: {path})"
        row.measurements += [Measurement(case, "ours: 1-row request", latencies, "ms"), Measurement(case, "ours: GET /ping", floor, "ms")]
        ratios[entry.name] = statistics.median(latencies) / statistics.median(floor)
        ctx.progress(f"zoo {entry.name}: p50 {statistics.median(latencies):.3f} ms, /ping {statistics.median(floor):.3f} ms, {path}")
        if entry.name in STOCK_ZOO:
            port = free_port()
            log = ctx.tmp("p7-stock-") / "server.log"
            with open(log, "wb") as out:
                cmd = stock_command(folder, port)
                proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, env=env, start_new_session=True)
            try:
                _wait_up(proc, f"http://127.0.0.1:{port}", log)
                client = Client(port)
                latencies, floor, _ = _one_row(client, body, ZOO_REQUESTS)
                client.close()
            finally:
                stop_group(proc)
            row.measurements += [Measurement(case, "stock: 1-row request", latencies, "ms"), Measurement(case, "stock: GET /ping", floor, "ms")]
    worst = max(ratios, key=lambda n: ratios[n])
    slowest = max(ratios, key=lambda n: _median_of(row, n, "ours: 1-row request"))
    row.targets.append(Target(f"zoo, worst pipeline ({worst}): 1-row p50 / /ping p50", ratios[worst], "<=", 2.0))
    row.targets.append(Target(f"zoo, slowest pipeline ({slowest}): 1-row p50", _median_of(row, slowest, "ours: 1-row request"), "<=", 0.3, unit="ms"))
    over = sorted(n for n, r in ratios.items() if r > 2.0)
    row.notes.append(
        f"zoo: {len(ratios)} pipelines with a prediction column, {ZOO_REQUESTS} 1-row requests each followed by a /ping, after {WARM_SECONDS:g} s of untimed ones; "
        f"over 2x /ping: {', '.join(over) or 'none'}"
    )


def _median_of(row: RowResult, name: str, contender: str) -> float:
    return next(m.median for m in row.measurements if m.case.startswith(f"zoo {name}:") and m.contender == contender)


def _one_row(client: "Client", body: bytes, requests: int) -> tuple[list[float], list[float], str]:
    """`requests` timed POSTs of `body`, each followed by a timed /ping (ms); and the path that scored it."""
    deadline = time.perf_counter() + WARM_SECONDS
    path = client.post(body) or "-"
    while time.perf_counter() < deadline:
        client.post(body)
    latencies, floor = [], []
    for _ in range(requests):
        latencies.append(round(client.timed_post(body) * 1000, 4))
        floor.append(round(client.timed_ping() * 1000, 4))
    return latencies, floor, path


def _zoo_module() -> Any:
    path = Path(__file__).resolve().parents[2] / "tests" / "zoo.py"
    if not path.is_file():
        raise BadInputError(f"P7 serves the model zoo of a repository checkout: {path} is missing")
    spec = importlib.util.spec_from_file_location("zoo", path)
    module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    sys.modules["zoo"] = module  # its custom stage pickles by module name
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module


class Client:
    """One kept HTTP/1.1 connection to a local server; a failed answer raises."""

    def __init__(self, port: int):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)

    def post(self, body: bytes) -> str | None:
        """POST /invocations; returns the X-Mlflowbridge-Scored-By header (None from stock)."""
        self.conn.request("POST", "/invocations", body, {"Content-Type": "application/json"})
        r = self.conn.getresponse()
        data = r.read()
        if r.status != 200:
            raise RuntimeError(f"HTTP {r.status}: {data[:300]!r}")
        return r.getheader("X-Mlflowbridge-Scored-By")

    def timed_post(self, body: bytes) -> float:
        t = time.perf_counter()
        self.post(body)
        return time.perf_counter() - t

    def timed_ping(self) -> float:
        t = time.perf_counter()
        self.conn.request("GET", "/ping")
        r = self.conn.getresponse()
        r.read()
        return time.perf_counter() - t

    def close(self) -> None:
        self.conn.close()


def _body(frame: Any) -> bytes:
    return json.dumps({"dataframe_split": {"columns": list(frame.columns), "data": frame.to_numpy().tolist()}}).encode()


def _throughput(port: int, body: bytes) -> float:
    """Rows/s answered to CLIENTS clients sending `body` for THROUGHPUT_SECONDS, after as long untimed."""

    def window(seconds: float) -> float:
        answered = [0] * CLIENTS
        deadline = time.perf_counter() + seconds

        def client(k: int) -> None:
            c = Client(port)
            while time.perf_counter() < deadline:
                c.post(body)
                answered[k] += 1
            c.close()

        threads = [threading.Thread(target=client, args=(k,)) for k in range(CLIENTS)]
        t = time.perf_counter()
        for th in threads:
            th.start()
        for th in threads:
            th.join()
        return sum(answered) * BIG_ROWS / (time.perf_counter() - t)

    window(THROUGHPUT_SECONDS)
    return window(THROUGHPUT_SECONDS)


def _p99(values: list[float]) -> float:
    return sorted(values)[int(0.99 * (len(values) - 1))]


def _tree_rss_mb(pid: int) -> float:
    import psutil

    root = psutil.Process(pid)
    return sum(p.memory_info().rss for p in [root, *root.children(recursive=True)]) / 2**20


def _wait_up(proc: subprocess.Popen, url: str, log: Path, timeout: float = 300) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the server at {url} exited with {proc.returncode}: {log.read_text(errors='replace')[-2000:]}")
        try:
            urllib.request.urlopen(f"{url}/ping", timeout=2).close()
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer within {timeout:.0f} s: {log.read_text(errors='replace')[-2000:]}")
