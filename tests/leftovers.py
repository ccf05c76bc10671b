"""Process hygiene: after `make test`, no process the run started may be left (tracking servers,
JVMs, sbt, Spark). The Makefile marks the run with MLFLOW_BRIDGE_RUN in the environment, which
every process it starts inherits; this finds any still alive, even those re-parented to init."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

MARKER = "MLFLOW_BRIDGE_RUN"


def marked(run: str) -> dict[int, str]:
    """pid -> command line of every other process whose environment carries MARKER=run."""
    found = {}
    needle = f"{MARKER}={run}".encode()
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit() or int(proc.name) == os.getpid():
            continue
        try:
            if needle in (proc / "environ").read_bytes().split(b"\0"):
                found[int(proc.name)] = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace").strip()
        except OSError:  # gone, or not ours
            continue
    return found


def main() -> int:
    run = os.environ.get(MARKER)
    if not run:
        print(f"leftovers: {MARKER} is not set; run through `make test`", file=sys.stderr)
        return 2
    deadline = time.monotonic() + 20  # a server's workers may take a moment to go
    while (left := marked(run)) and time.monotonic() < deadline:
        time.sleep(0.5)
    if left:
        for pid, cmd in sorted(left.items()):
            print(f"leftovers: process {pid} is still running: {cmd[:300]}", file=sys.stderr)
        return 1
    print("leftovers: no process of this run is left (0)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
