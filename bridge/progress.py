"""A progress bar for long Spark work on the command line, drawn from Spark's status tracker.

Spark's own stage bars are off on the command line (they interleave with our lines); this one
line sums the tasks of the running stages of whichever JVM is working (pyspark's or JPype's),
as `bridge.jvm.spark_tasks()` reads them.
"""

from __future__ import annotations

import sys
import threading
import time
from typing import IO

WIDTH = 30


def bar(label: str, done: int, total: int, seconds: float) -> str:
    """`label [#####.....] 12/40 tasks 3s`: one line, redrawn in place."""
    filled = 0 if total <= 0 else min(WIDTH, WIDTH * done // total)
    return f"\r{label} [{'#' * filled}{'.' * (WIDTH - filled)}] {done}/{total} tasks {seconds:.0f}s"


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
        from .jvm import spark_tasks

        t0 = time.monotonic()
        if self._stop.wait(self.delay):
            return
        while not self._stop.is_set():
            try:
                tasks = spark_tasks()
            except Exception:  # noqa: BLE001 - a bar is never worth a failure (a JVM going away)
                return
            if tasks:
                self.stream.write(bar(self.label, *tasks, time.monotonic() - t0))
                self.stream.flush()
                self._drawn = True
            self._stop.wait(0.5)
