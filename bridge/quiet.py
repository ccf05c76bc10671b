"""Quiet command-line output: JVM log settings (fixed when a JVM starts) and stderr's noise filter.

No JVM calls here: the backends read `log_options()` when they start a JVM.
"""

from __future__ import annotations

import os
import sys

# The command line prints results and one-line errors; Spark's INFO lines and the stack traces
# its loggers attach would bury them. Library users keep Spark's own logging.
CLI_LOG_CONFIG = "mlflowbridge/log4j2-cli.properties"
_quiet = False


def quiet_logs() -> None:
    """Log WARN and up, without stack traces, in JVMs started after this, with no Spark stage
    bars; Python's mlflow logs warnings only (the CLI calls it first, unless --verbose)."""
    global _quiet
    _quiet = True
    os.environ.setdefault("MLFLOW_LOGGING_LEVEL", "WARNING")  # mlflow sets its level when imported


def log_options() -> list[str]:
    return [f"-Dlog4j2.configurationFile={CLI_LOG_CONFIG}"] if _quiet else []


def is_quiet() -> bool:
    return _quiet


# Lines JVMs print straight to the process' stderr, past any logging configuration: the module
# system's notice for the vector API that Spark's launcher enables, netlib's native BLAS probe
# (no system BLAS here; Spark falls back to its Java BLAS), and the notice every JVM prints when
# JAVA_TOOL_OPTIONS is set (containers often set it; `make test` does).
NOISE = (
    b"WARNING: Using incubator modules: ",
    b"netlib-blas: JNI_OnLoad: ",
    b"netlib-lapack: JNI_OnLoad: ",
    b"Picked up JAVA_TOOL_OPTIONS: ",
)


class StderrFilter:
    """Drops the NOISE lines from this process' stderr (file descriptor 2) and every JVM it starts.

    fd 2 becomes a pipe; a thread passes on every other byte as it comes (a partial line at
    once, so prompts and progress bars still show). `close()` puts fd 2 back and drains the pipe.
    """

    def __init__(self) -> None:
        import threading

        sys.stderr.flush()
        self._saved = os.dup(2)
        read, write = os.pipe()
        os.dup2(write, 2)
        os.close(write)
        self._read = read
        self._thread = threading.Thread(target=self._pump, name="mlflow-bridge-stderr", daemon=True)
        self._thread.start()

    def _pump(self) -> None:
        pending = b""
        while chunk := os.read(self._read, 65536):
            pending += chunk
            *lines, pending = pending.split(b"\n")
            out = b"".join(line + b"\n" for line in lines if not line.startswith(NOISE))
            # A partial line goes out now unless it could still become a noise line.
            if pending and not any(n.startswith(pending[: len(n)]) for n in NOISE):
                out, pending = out + pending, b""
            if out:
                os.write(self._saved, out)
        if pending:
            os.write(self._saved, pending)

    def close(self, timeout: float = 1.0) -> None:
        """Puts fd 2 back once what is already in the pipe has gone out. A JVM child still holding
        the pipe keeps it open, so the pump is not waited for past that."""
        import fcntl
        import struct
        import termios
        import time

        sys.stderr.flush()
        os.dup2(self._saved, 2)
        deadline = time.monotonic() + timeout
        unread = lambda: struct.unpack("i", fcntl.ioctl(self._read, termios.FIONREAD, b"\0\0\0\0"))[0]  # noqa: E731
        while self._thread.is_alive() and unread() > 0 and time.monotonic() < deadline:
            time.sleep(0.01)
        self._thread.join(0.05)  # the last chunk read, being written


_filter: StderrFilter | None = None


def filter_stderr() -> None:
    """Install the filter once (the command line, when quiet)."""
    global _filter
    if _filter is None:
        _filter = StderrFilter()


def unfilter_stderr() -> None:
    global _filter
    if _filter is not None:
        _filter.close()
        _filter = None
