"""The environment a JVM must start with (it copies the environment once, at start)."""

from __future__ import annotations

import os
import sys


def prepare() -> None:
    # The stock Java client forks `$MLFLOW_PYTHON_EXECUTABLE -m mlflow.store.artifact.cli` for
    # every artifact call (default: `python`, which may not exist or lack mlflow).
    os.environ.setdefault("MLFLOW_PYTHON_EXECUTABLE", sys.executable)


# The command line prints results and one-line errors; Spark's INFO lines and the stack traces
# its loggers attach would bury them. Library users keep Spark's own logging.
CLI_LOG_CONFIG = "mlflowbridge/log4j2-cli.properties"
_quiet = False


def quiet_logs() -> None:
    """Log WARN and up, without stack traces, in JVMs started after this (the CLI calls it first)."""
    global _quiet
    _quiet = True


def log_options() -> list[str]:
    return [f"-Dlog4j2.configurationFile={CLI_LOG_CONFIG}"] if _quiet else []
