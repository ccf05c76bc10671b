"""A progress bar for long Spark work on the command line, drawn from Spark's status tracker.

Spark's own stage bars are off on the command line (they interleave with our lines); this one
line sums the tasks of the running stages of whichever JVM is working (pyspark's or JPype's).
"""

from __future__ import annotations

import sys
import threading
import time
from typing import IO, Any

WIDTH = 30


def bar(label: str, done: int, total: int, seconds: float) -> str:
    """`label [#####.....] 12/40 tasks 3s`: one line, redrawn in place."""
    filled = 0 if total <= 0 else min(WIDTH, WIDTH * done // total)
    return f"\r{label} [{'#' * filled}{'.' * (WIDTH - filled)}] {done}/{total} tasks {seconds:.0f}s"


def _tasks() -> tuple[int, int] | None:
    """Completed and total tasks of the running stages, or None when no Spark is working."""
    done = total = 0
    for tracker in _trackers():
        for stage in tracker.getActiveStageIds():
            info = tracker.getStageInfo(stage)
            if info is not None:
                total += int(info.numTasks() if callable(info.numTasks) else info.numTasks)
                done += int(info.numCompletedTasks() if callable(info.numCompletedTasks) else info.numCompletedTasks)
    return (done, total) if total else None


def _trackers() -> list[Any]:
    found = []
    from pyspark import SparkContext

    if SparkContext._active_spark_context is not None:
        found.append(SparkContext._active_spark_context.statusTracker())
    import jpype

    if jpype.isJVMStarted():
        session = jpype.JClass("org.apache.spark.sql.SparkSession").getDefaultSession()
        if session.isDefined():
            found.append(session.get().sparkContext().statusTracker())
    return found


class Progress:
    """`with Progress("scoring"):` draws a bar on a terminal after `delay` seconds of work."""

    def __init__(self, label: str, stream: IO[str] | None = None, delay: float = 2.0):
        self.label = label
        self.stream = stream or sys.stderr
        self.delay = delay
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._draw, name="mlflow-bridge-progress", daemon=True)
        self._drawn = False

    def __enter__(self) -> "Progress":
        if self.stream.isatty():
            self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=2)
        if self._drawn:
            self.stream.write("\r" + " " * (len(self.label) + WIDTH + 30) + "\r")
            self.stream.flush()

    def _draw(self) -> None:
        t0 = time.monotonic()
        if self._stop.wait(self.delay):
            return
        while not self._stop.is_set():
            try:
                tasks = _tasks()
            except Exception:  # noqa: BLE001 - a bar is never worth a failure (a JVM going away)
                return
            if tasks:
                self.stream.write(bar(self.label, *tasks, time.monotonic() - t0))
                self.stream.flush()
                self._drawn = True
            self._stop.wait(0.5)
