"""P7 serving: stock `mlflow models serve` against `mlflow-bridge serve` on the same local model.

Both are child processes on loopback, started in turn: start-up to the first `/ping` answer;
then 1,000 sequential 1-row `dataframe_split` requests (p50 and p99 latency); then 4 concurrent
clients each sending 1,000-row requests (rows/s); then the resident memory of each process tree.
"""

from __future__ import annotations

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

from ..server import free_port, stop_group
from . import wine
from .context import BenchContext
from .core import Measurement, RowResult, Target, within
from .p4_scoring import cli

ID = "P7"
TITLE = "serve the wine classifier"
ONE_ROW_REQUESTS = 1000
CLIENTS, BIG_REQUESTS, BIG_ROWS = 4, 10, 1000  # per client
PROFILE_NOTE = "JFR of our server, 1-row requests through the DataFrame path: ~75% of samples are Catalyst planning the request's DataFrame (analysis 34%, optimisation 25%, codegen 16%), JSON and rows under 4%; hence the row path (built-in stages one row at a time), which this model takes"

STOCK = "stock: mlflow models serve"
OURS = "ours: mlflow-bridge serve (JPype)"


def run(ctx: BenchContext, repeat: int) -> RowResult:
    row = RowResult(ID, TITLE, profile_note=PROFILE_NOTE)
    folder = wine.local_model_folder(ctx)
    frame = wine.wine_frame().drop(columns=["label"])
    one = _body(frame.head(1))
    big = _body(frame.sample(BIG_ROWS, replace=True, random_state=7))
    env = dict(os.environ, PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}")  # stock execs `uvicorn` by name
    env.pop("MLFLOW_TRACKING_URI", None)
    commands = {
        STOCK: lambda port: [
            sys.executable,
            "-m",
            "mlflow",
            "models",
            "serve",
            "-m",
            str(folder),
            "--env-manager",
            "local",
            "-h",
            "127.0.0.1",
            "-p",
            str(port),
        ],
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
            for _ in range(20):  # warm both the same way
                _post(url, one)
            latencies = [round(_timed(url, one) * 1000, 3) for _ in range(ONE_ROW_REQUESTS)]
            rows_per_s = _throughput(url, big)
            rss = _tree_rss_mb(proc.pid)
        finally:
            stop_group(proc)
        ctx.progress(f"{name}: p50 {statistics.median(latencies):.2f} ms, {rows_per_s:,.0f} rows/s, {rss:,.0f} MB")
        row.measurements += [
            Measurement("start-up to the first answer", name, [started]),
            Measurement(f"{ONE_ROW_REQUESTS:,} sequential 1-row requests", name, latencies, "ms", {"p99 ms": [round(_p99(latencies), 2)]}),
            Measurement(f"{BIG_ROWS:,}-row requests from {CLIENTS} clients", name, [rows_per_s], "rows/s"),
            Measurement("resident memory of the process tree after the runs", name, [rss], "MB"),
        ]
    latency = f"{ONE_ROW_REQUESTS:,} sequential 1-row requests"
    row.targets.append(within("p50 latency: ours / stock", row.median(latency, OURS), row.median(latency, STOCK), 0.1))
    throughput = f"{BIG_ROWS:,}-row requests from {CLIENTS} clients"
    row.targets.append(Target("throughput: ours / stock (rows/s)", row.median(throughput, OURS) / row.median(throughput, STOCK), ">=", 2.0))
    start = "start-up to the first answer"
    row.targets.append(within("start-up: ours / stock (time)", row.median(start, OURS), row.median(start, STOCK), 1.0))
    row.notes.append(
        f"one server of each, started in turn; {CLIENTS} clients x {BIG_REQUESTS} requests of {BIG_ROWS:,} rows; 20 untimed requests first; urllib clients"
    )
    return row


def _body(frame: Any) -> bytes:
    return json.dumps({"dataframe_split": {"columns": list(frame.columns), "data": frame.to_numpy().tolist()}}).encode()


def _post(url: str, body: bytes) -> None:
    req = urllib.request.Request(f"{url}/invocations", body, {"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=120) as r:
        r.read()


def _timed(url: str, body: bytes) -> float:
    t = time.perf_counter()
    _post(url, body)
    return time.perf_counter() - t


def _throughput(url: str, body: bytes) -> float:
    def client() -> None:
        for _ in range(BIG_REQUESTS):
            _post(url, body)

    threads = [threading.Thread(target=client) for _ in range(CLIENTS)]
    t = time.perf_counter()
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    return CLIENTS * BIG_REQUESTS * BIG_ROWS / (time.perf_counter() - t)


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
