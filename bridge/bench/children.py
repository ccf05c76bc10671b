"""Run one command as a child and watch it: wall time, peak resident memory of the child itself
(e.g. the Python process) and of its whole process tree (with the JVMs it starts), and whether
an `mlflow server` appeared anywhere in that tree.

Memory is sampled with psutil every 50 ms (so a peak shorter than that can be missed);
`getrusage(RUSAGE_CHILDREN)` would not do: it reports the largest of all waited-for
descendants, which for pyspark is its JVM, not the Python process.
"""

from __future__ import annotations

import os
import signal
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from ..errors import BridgeError

SAMPLE_S = 0.05
MB = 1024 * 1024


@dataclass
class ChildRun:
    seconds: float
    peak_rss_mb: float  # the child process alone
    peak_tree_rss_mb: float  # the child and every descendant, summed at each sample
    tracking_server_started: bool
    stdout: str


def run_child(cmd: list[str], env: dict[str, str] | None = None, cwd: Path | None = None, timeout: float = 900) -> ChildRun:
    """Run `cmd` in a process group of its own; a non-zero exit is a BridgeError with its tail."""
    import psutil

    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)
    watch = _Watcher(psutil.Process(proc.pid))
    watch.start()
    try:
        out, _ = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill_group(proc)
        raise BridgeError(f"{cmd[0]} took more than {timeout:.0f}s; stopped it") from None
    finally:
        seconds = time.perf_counter() - t0
        watch.stop()
        _kill_group(proc)  # anything it left behind in its group (it should have left nothing)
    if proc.returncode != 0:
        raise BridgeError(f"{' '.join(cmd[:6])} ... exited with {proc.returncode}: {out[-1500:]}")
    return ChildRun(seconds, watch.peak_rss / MB, watch.peak_tree / MB, watch.saw_server, out)


def _kill_group(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)  # start_new_session: the group id is the child's pid
    except (ProcessLookupError, PermissionError):
        pass
    proc.wait()


class _Watcher(threading.Thread):
    def __init__(self, process) -> None:
        super().__init__(daemon=True)
        self.process = process
        self.peak_rss = 0
        self.peak_tree = 0
        self.saw_server = False
        self._done = threading.Event()

    def stop(self) -> None:
        self._done.set()
        self.join()

    def run(self) -> None:
        import psutil

        while not self._done.is_set():
            try:
                rss = self.process.memory_info().rss
                tree = rss
                for child in self.process.children(recursive=True):
                    try:
                        tree += child.memory_info().rss
                        if not self.saw_server and _is_tracking_server(child.cmdline()):
                            self.saw_server = True
                    except psutil.Error:
                        pass
            except psutil.Error:
                return
            self.peak_rss = max(self.peak_rss, rss)
            self.peak_tree = max(self.peak_tree, tree)
            self._done.wait(SAMPLE_S)


def _is_tracking_server(cmdline: list[str]) -> bool:
    text = " ".join(cmdline)
    return ("mlflow" in text and " server" in text) or "mlflow.server" in text or "uvicorn" in text
