"""The command line's quiet mode: JVM notices that bypass logging are dropped, nothing else is."""

from __future__ import annotations

import subprocess
import sys

from bridge.progress import WIDTH, bar

SCRIPT = r"""
import os, subprocess, sys
from bridge.quiet import filter_stderr, unfilter_stderr
filter_stderr()
os.write(2, b"WARNING: Using incubator modules: jdk.incubator.vector\n")
os.write(2, b"keep: one\nnetlib-blas: JNI_OnLoad: dlopen(libblas.so.3) failed: no such file\nkeep: two\n")
os.write(2, b"\rscoring [###] 1/3 tasks")  # a partial line (a progress bar) goes out as it is
os.write(2, b"\nnetlib-")  # the start of a noise line, held until its end
os.write(2, b"lapack: JNI_OnLoad: dlopen(liblapack.so.3) failed\n")
subprocess.run(["sh", "-c", "echo 'WARNING: Using incubator modules: x' >&2; echo 'keep: from a child' >&2"])
print("error: the last line", file=sys.stderr)
unfilter_stderr()
os.write(2, b"after: unfiltered\n")
"""


def test_noise_lines_are_dropped_and_everything_else_passes_in_order():
    r = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, timeout=60)
    assert r.returncode == 0, r.stderr
    assert r.stderr.decode() == ("keep: one\nkeep: two\n\rscoring [###] 1/3 tasks\nkeep: from a child\nerror: the last line\nafter: unfiltered\n")


def test_progress_bar_line():
    assert bar("scoring", 12, 40, 3.4) == f"\rscoring [{'#' * 9}{'.' * (WIDTH - 9)}] 12/40 tasks 3s"
    assert bar("scoring", 0, 0, 0) == f"\rscoring [{'.' * WIDTH}] 0/0 tasks 0s"
