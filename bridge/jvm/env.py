"""The environment a JVM must start with (it copies the environment once, at start)."""

from __future__ import annotations

import os
import sys


def prepare() -> None:
    # The stock Java client forks `$MLFLOW_PYTHON_EXECUTABLE -m mlflow.store.artifact.cli` for
    # every artifact call (default: `python`, which may not exist or lack mlflow).
    os.environ.setdefault("MLFLOW_PYTHON_EXECUTABLE", sys.executable)
