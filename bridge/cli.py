"""The `mlflow-bridge` command."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys

from .errors import BridgeError


def _doctor(args: argparse.Namespace) -> int:
    from .doctor import render, run_checks

    checks = run_checks(args.tracking_uri)
    print(render(checks))
    return 0 if all(c.ok for c in checks) else 1


def _server(args: argparse.Namespace) -> int:
    from .server import TrackingServer, wait_until_stopped

    server = TrackingServer(args.root, args.port, backend_store_uri=args.backend_store_uri, workers=args.workers).start()
    print(f"tracking server at {server.uri} (pid {server.pid}, root {server.root}, up in {server.startup_seconds:.1f}s); Ctrl-C stops it", flush=True)
    try:
        wait_until_stopped()
    finally:
        server.stop()
    return 0


def _connect_server(args: argparse.Namespace) -> int:
    from .server import wait_until_stopped
    from .spark_connect.server import ConnectServer

    server = ConnectServer(args.host, args.port, extra_jars=args.jars.split(",") if args.jars else None).start()
    print(
        f"Spark Connect server with the mlflow-bridge plugin at {server.url} (pid {server.pid}, log {server.log_path}); Ctrl-C stops it", flush=True
    )
    try:
        wait_until_stopped()
    finally:
        server.stop()
    return 0


def _with_server(args: argparse.Namespace) -> int:
    """Run a command with MLFLOW_TRACKING_URI pointing at a tracking server (embedded unless given)."""
    from .server import tracking

    cmd = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not cmd:
        raise BridgeError("with-server needs a command after --")
    with tracking(root=args.root) as t:
        uri = t.uri
        env = dict(os.environ, MLFLOW_TRACKING_URI=uri)
        if not args.verbose and env.get("MLFLOW_LOGGING_LEVEL") == "WARNING":
            env.pop("MLFLOW_LOGGING_LEVEL")  # our quiet default, not the command's
        env.setdefault("MLFLOW_PYTHON_EXECUTABLE", sys.executable)
        print(f"with-server: MLFLOW_TRACKING_URI={uri}", flush=True)
        return subprocess.call(cmd, env=env)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="mlflow-bridge", description=__doc__)
    parser.add_argument("--verbose", action="store_true", help="also Spark's and MLflow's own logging and stage bars (anywhere on the line)")
    sub = parser.add_subparsers(dest="cmd", required=True)

    p = sub.add_parser("doctor", help="check java, jars, versions and the tracking server")
    p.add_argument("--tracking-uri", default=None)
    p.set_defaults(func=_doctor)

    p = sub.add_parser("server", help="run an embedded tracking server until interrupted")
    p.add_argument("--root", default=None, help="directory for mlflow.db and artifacts (default: a temp dir)")
    p.add_argument("--port", type=int, default=None)
    p.add_argument(
        "--backend-store-uri", default=None, help="passed to mlflow server (default: sqlite under --root), e.g. postgresql://user@host:port/db"
    )
    p.add_argument("--workers", type=int, default=1, help="server worker processes (default 1)")
    p.set_defaults(func=_server)

    p = sub.add_parser("connect-server", help="run a Spark Connect server with the bridge's plugin until interrupted (docs/connect.md)")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=15002)
    p.add_argument("--jars", default=None, help="more jars for the server's classpath (comma-separated), e.g. custom stages")
    p.set_defaults(func=_connect_server)

    p = sub.add_parser("with-server", help="run a command with MLFLOW_TRACKING_URI set to a tracking server")
    p.add_argument("--root", default=None)
    p.add_argument("command", nargs=argparse.REMAINDER)
    p.set_defaults(func=_with_server)

    from . import cli_models
    from .parity import cli as parity_cli

    cli_models.register(sub)
    parity_cli.register(sub)
    return parser


def verbose(argv: list[str]) -> bool:
    return "--verbose" in argv


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    # --verbose is taken anywhere on the line, as `mlflowbridge.cli.Main` takes it.
    args = build_parser().parse_args(["--verbose", *[a for a in argv if a != "--verbose"]] if verbose(argv) else argv)
    from .quiet import quiet_logs

    if not args.verbose:
        quiet_logs()
    try:
        return args.func(args)
    except BridgeError as e:
        print(f"mlflow-bridge {args.cmd}: error: {e}", file=sys.stderr)
        return 2


def run() -> None:
    """Console entry point: exit with main()'s code, skipping an in-process JVM's teardown.

    Unless --verbose, lines JVMs print past their logging (see `bridge.quiet.NOISE`) are dropped.
    """
    from .jvm import leave_process
    from .quiet import filter_stderr, unfilter_stderr

    if not verbose(sys.argv[1:]):
        filter_stderr()
    try:
        code = main()
    finally:  # a traceback, too, must reach the terminal
        unfilter_stderr()
    leave_process(code)
    sys.exit(code)


if __name__ == "__main__":
    run()
