"""`mlflow-bridge parity` (registered by bridge.cli).

    mlflow-bridge parity [--format table|markdown|json|html] [--output F] [--tracking-uri U]
                         [--backend py4j|jpype] [--connect sc://H:P] [--only ID,ID] [--no-live] [--no-systags]
                         [--update-docs]

Runs every catalog entry's check live against U (default: MLFLOW_TRACKING_URI when it is an
http(s) server, else an embedded server), then prints the table with the counts per status and
the versions it ran against. Exit status 0 when everything is as catalogued, 1 otherwise.
"""

from __future__ import annotations

import argparse
import os
import sys
from contextlib import ExitStack
from pathlib import Path

from ..errors import BadInputError

FORMATS = ("table", "markdown", "json", "html")
PARITY_DOC = Path(__file__).resolve().parents[2] / "docs" / "parity.md"


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "parity",
        help="Java/Python feature parity: run the catalog's checks live and print the table",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--format", choices=FORMATS, default="table")
    p.add_argument("--output", "-o", default=None, help="write the report to this file instead of stdout")
    p.add_argument("--tracking-uri", default=None, help="an http(s) tracking server (default: MLFLOW_TRACKING_URI, else an embedded server)")
    p.add_argument(
        "--backend",
        choices=("py4j", "jpype"),
        default="py4j",
        help="JVM bridge for the checks (default py4j: it has Spark, which the SparkML checks need)",
    )
    p.add_argument(
        "--connect",
        default=None,
        metavar="sc://HOST:PORT",
        help="a Spark Connect server with the bridge's plugin (mlflow-bridge connect-server) for the Spark Connect row; without it that row is not run",
    )
    p.add_argument("--only", default=None, help="comma-separated catalog ids to check (default: all)")
    p.add_argument("--no-live", action="store_true", help="catalog only: no server, no JVM, no checks")
    p.add_argument("--no-systags", action="store_true", help="skip the system tags table (it starts a child JVM)")
    p.add_argument(
        "--update-docs",
        nargs="?",
        const=str(PARITY_DOC),
        default=None,
        metavar="FILE",
        help="rewrite the parity region of docs/parity.md (default: this checkout's)",
    )
    p.set_defaults(func=run)


def build_report(args: argparse.Namespace):
    from .catalog import BY_ID
    from .report import Report, run_rows, static_report, versions

    if args.no_live:
        return static_report()
    only = {s.strip() for s in args.only.split(",") if s.strip()} if args.only else None
    unknown = sorted((only or set()) - set(BY_ID))
    if unknown:
        raise BadInputError(f"--only: unknown catalog ids {', '.join(unknown)}; known: {', '.join(BY_ID)}")
    from mlflow.tracking import MlflowClient

    from ..jvm import connect
    from .checks import Ctx
    from .reflect import reflect

    with ExitStack() as stack:
        from ..server import tracking

        uri = stack.enter_context(tracking(args.tracking_uri)).uri
        os.environ["MLFLOW_TRACKING_URI"] = uri
        os.environ.setdefault("MLFLOW_PYTHON_EXECUTABLE", sys.executable)  # before any JVM starts
        spark = None
        if args.backend == "py4j":
            from ..jvm import spark_session

            spark = spark_session(app_name="mlflow-bridge-parity")
            stack.callback(spark.stop)
        jvm = connect(args.backend, uri, spark=spark)
        stack.callback(jvm.close)
        ctx = Ctx(jvm, MlflowClient(uri), uri, spark, args.connect)
        rows = run_rows(ctx, only, progress=lambda cid: print(f"parity: checking {cid}", file=sys.stderr, flush=True))
        report = Report(rows, versions(ctx), reflect(jvm))
        if not args.no_systags and (only is None or "system_tags" in only):
            from .systags import probe

            print("parity: system tags (child JVM)", file=sys.stderr, flush=True)
            try:
                report.systags = probe(uri, ctx.experiment_id)
            except Exception as e:  # noqa: BLE001 - the rest of the report still stands
                report.notes.append(f"system tags table: not generated ({e})")
        return report


def run(args: argparse.Namespace) -> int:
    from .report import render, update_doc

    report = build_report(args)
    text = render(report, args.format)
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")
        print(f"parity: wrote {args.output}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    if args.update_docs:
        changed = update_doc(Path(args.update_docs), report)
        print(f"parity: {args.update_docs} {'updated' if changed else 'already current'}", file=sys.stderr)
    return 0 if (not report.live or report.ok) else 1
