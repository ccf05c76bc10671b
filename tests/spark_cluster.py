"""A real Spark standalone cluster on loopback: one master and two workers from the installed pyspark.

`spark_cluster` (session scope) starts `spark-class ...deploy.master.Master` and two
`...deploy.worker.Worker`s bound to 127.0.0.1, each worker with 1 core, 1 GiB and its own work
dir, each process in its own process group; teardown ends every group (executors are the
workers' children, in their groups), so nothing is left running.
"""

from __future__ import annotations

import json
import os
import subprocess
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from bridge.server import free_port, stop_group
from bridge.versions import pyspark_jars_dir

WORKERS = 2


def spark_class() -> str:
    return str(pyspark_jars_dir().parent / "bin" / "spark-class")


@dataclass
class Cluster:
    url: str  # spark://127.0.0.1:P
    ui: str  # the master's JSON status page
    root: Path
    procs: dict[str, subprocess.Popen] = field(default_factory=dict)

    def start(self, name: str, *args: str) -> subprocess.Popen:
        log = open(self.root / f"{name}.log", "wb")  # noqa: SIM115 - kept open for the child's lifetime
        env = dict(os.environ, SPARK_LOCAL_IP="127.0.0.1", SPARK_NO_DAEMONIZE="1", SPARK_LOG_DIR=str(self.root))
        proc = subprocess.Popen([spark_class(), *args], stdout=log, stderr=subprocess.STDOUT, env=env, start_new_session=True)
        self.procs[name] = proc
        return proc

    def start_worker(self, name: str) -> subprocess.Popen:
        work = self.root / name
        work.mkdir(exist_ok=True)
        return self.start(
            name, "org.apache.spark.deploy.worker.Worker", "--host", "127.0.0.1", "--port", str(free_port()),
            "--webui-port", str(free_port()), "--cores", "1", "--memory", "1g", "--work-dir", str(work), self.url,
        )  # fmt: skip

    def alive_workers(self) -> int:
        with urllib.request.urlopen(self.ui, timeout=5) as r:
            return sum(1 for w in json.load(r).get("workers", []) if w.get("state") == "ALIVE")

    def wait_workers(self, n: int, timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        while True:
            try:
                if self.alive_workers() >= n:
                    return
            except OSError:
                pass
            for name, p in self.procs.items():
                if p.poll() is not None:
                    raise RuntimeError(f"{name} exited with {p.returncode}: {(self.root / f'{name}.log').read_text()[-2000:]}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"the cluster has fewer than {n} workers after {timeout:.0f} s; logs in {self.root}")
            time.sleep(0.5)

    def stop(self) -> None:
        for proc in reversed(list(self.procs.values())):
            stop_group(proc)


@pytest.fixture(scope="session")
def spark_cluster(tmp_path_factory):
    root = tmp_path_factory.mktemp("cluster")
    port, ui_port = free_port(), free_port()
    cluster = Cluster(f"spark://127.0.0.1:{port}", f"http://127.0.0.1:{ui_port}/json/", root)
    try:
        cluster.start("master", "org.apache.spark.deploy.master.Master", "--host", "127.0.0.1", "--port", str(port), "--webui-port", str(ui_port))
        for i in range(WORKERS):
            cluster.start_worker(f"worker{i + 1}")
        cluster.wait_workers(WORKERS)
        yield cluster
    finally:
        cluster.stop()
