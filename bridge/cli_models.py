"""Model subcommands: score, compare, demo, bench."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from . import extras
from .errors import BadInputError

BENCH_DOC = Path(__file__).resolve().parents[1] / "docs" / "benchmarks.md"


def _score(args: argparse.Namespace) -> int:
    if args.remote:
        return _score_remote(args)
    from .models.scoring import check_score, score_file
    from .progress import Progress

    check_score(args.model_uri, args.input, args.output, args.engine)  # a bad line fails before anything starts
    engine = f"the {args.engine} engine" + (f" ({args.backend})" if args.engine == "scala" else "")
    print(f"scoring {args.input} with {engine}...", file=sys.stderr, flush=True)
    t0 = time.monotonic()
    with Progress("scoring"):
        rows = score_file(args.model_uri, args.input, args.output, args.engine, args.backend, master=args.master, staging_dir=args.staging_dir)
    print(f"scored {rows} rows with {engine} -> {args.output} ({time.monotonic() - t0:.1f}s)")
    return 0


def _score_remote(args: argparse.Namespace) -> int:
    """The Scala engine on a Spark Connect server: the files are the server's, as the model is."""
    from .spark_connect import ConnectMlflow

    t0 = time.monotonic()
    m = ConnectMlflow.remote(args.remote)
    try:
        rows = m.models.score_file(args.model_uri, args.input, args.output)
    finally:
        m.spark.stop()
    print(f"scored {rows} rows on {args.remote} with the scala engine -> {args.output} ({time.monotonic() - t0:.1f}s)")
    return 0


def _compare(args: argparse.Namespace) -> int:
    from .models.scoring import compare_file
    from .progress import Progress

    print(f"scoring {args.input} with both engines...", file=sys.stderr, flush=True)
    with Progress("comparing"):
        report = compare_file(args.model_uri, args.input, args.tolerance, args.backend)
    print(report.render())
    return 0 if report.ok else 1


def _serve(args: argparse.Namespace) -> int:
    """Serve a model from the JVM until SIGTERM or Ctrl-C; the JVM drains requests in flight."""
    from .models.preflight import check_followable
    from .models.scoring import serving_session
    from .server import wait_until_stopped

    if args.poll_seconds is not None and not args.follow_alias:
        raise BadInputError("--poll-seconds is how often --follow-alias reads the registry; give --follow-alias too")
    if args.follow_alias:
        check_followable(args.model_uri)
    poll_seconds = 30.0 if args.poll_seconds is None else args.poll_seconds
    with serving_session(args.model_uri, args.backend) as jvm:
        server = jvm.models.serve(args.model_uri, args.host, args.port, args.max_body_mb, args.follow_alias, poll_seconds)
        version = server.model_version
        following = f", following the alias every {poll_seconds:g}s" if args.follow_alias else ""
        what = f"{args.model_uri}" + (f" (version {version}{following})" if version else "")
        print(f"serving {what} on http://{server.host}:{server.port} ({args.backend}); Ctrl-C or SIGTERM stops it", flush=True)
        try:
            wait_until_stopped()
        finally:
            server.close()
    return 0


def _seconds(text: str) -> float:
    """A poll interval: a number of seconds above 0 (argparse names the option when this raises)."""
    value = float(text)
    if not 0 < value < float("inf"):
        raise ValueError(text)
    return value


def _demo(args: argparse.Namespace) -> int:
    extras.require("demo")
    from .demo import run_demo

    return run_demo(keep_serving=args.keep_serving, root=args.root)


def _bench(args: argparse.Namespace) -> int:
    extras.require("bench")
    import json

    from .bench import merge_rows, render_text, run_suite, select_roots, select_rows, update_doc

    if args.from_json:
        doc = json.loads(Path(args.from_json).read_text(encoding="utf-8"))
    else:
        doc = run_suite(select_rows(args.rows), args.repeat, args.tracking_uri, select_roots(args.roots))
        if args.note:
            doc["note"] = args.note
        if args.merge:
            doc = merge_rows(json.loads(Path(args.merge).read_text(encoding="utf-8")), doc)
    print(render_text(doc), end="")
    if args.json:
        Path(args.json).write_text(json.dumps(doc, indent=1) + "\n", encoding="utf-8")
        print(f"bench: wrote {args.json}")
    if args.update_docs:
        changed = update_doc(Path(args.update_docs), doc)
        print(f"bench: {args.update_docs} {'updated' if changed else 'already current'}")
    return 1 if any(r.get("error") for r in doc["rows"]) else 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("bench", help="time our paths against the stock tools, side by side, and check the speed targets")
    p.add_argument("--rows", default=None, help="comma-separated rows, e.g. P1,P3 (default: all, P1-P11)")
    p.add_argument("--repeat", type=int, default=3, help="runs per contender, medians reported (slow contenders run fewer; each row says)")
    p.add_argument("--json", default=None, metavar="FILE", help="write the results as JSON")
    p.add_argument("--from-json", default=None, metavar="FILE", help="run nothing: report (and --update-docs from) a saved JSON")
    p.add_argument(
        "--update-docs",
        nargs="?",
        const=str(BENCH_DOC),
        default=None,
        metavar="FILE",
        help="rewrite the benchmark table of docs/benchmarks.md (default: this checkout's) from the results",
    )
    p.add_argument("--tracking-uri", default=None, help="a running server to use as the proxied artifact root (default: start one)")
    p.add_argument("--roots", default=None, help="artifact roots for P1, comma-separated (default: all known: proxied,s3)")
    p.add_argument(
        "--merge", default=None, metavar="FILE", help="the rows run now replace theirs in a saved JSON; the others are kept (and said to be older)"
    )
    p.add_argument("--note", default=None, help="a line stored with the results and printed above the table in docs/benchmarks.md")
    p.set_defaults(func=_bench)

    p = sub.add_parser("score", help="score a CSV/Parquet/JSON-lines file with an MLflow spark model")
    p.add_argument("--model-uri", required=True, help="runs:/, models:/name/version, models:/name@alias, mlflow-artifacts:/ or a local dir")
    p.add_argument("--input", required=True)
    p.add_argument("--output", required=True)
    p.add_argument("--engine", choices=["python", "scala"], default="python")
    p.add_argument("--backend", choices=["jpype", "py4j"], default="py4j", help="how the scala engine reaches the JVM")
    p.add_argument("--master", default=None, help="Spark's master, e.g. spark://host:7077 (default: local[2])")
    p.add_argument(
        "--staging-dir", default=None, help="on a cluster: a folder every worker reads (hdfs://, s3a://, a shared mount) for the model's files"
    )
    p.add_argument(
        "--remote",
        default=None,
        metavar="sc://HOST:PORT",
        help="score on this Spark Connect server (mlflow-bridge connect-server); paths are the server's",
    )
    p.set_defaults(func=_score)

    p = sub.add_parser("compare", help="score with both engines and report their differences")
    p.add_argument("--model-uri", required=True)
    p.add_argument("--input", required=True)
    p.add_argument("--tolerance", type=float, default=1e-9)
    p.add_argument("--backend", choices=["jpype", "py4j"], default="py4j", help="how the scala engine reaches the JVM")
    p.set_defaults(func=_compare)

    p = sub.add_parser("serve", help="serve an MLflow spark model from the JVM with MLflow's scoring protocol")
    p.add_argument("--model-uri", required=True, help="runs:/, models:/name/version, models:/name@alias, mlflow-artifacts:/ or a local dir")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=5000)
    p.add_argument("--max-body-mb", type=int, default=50, help="larger request bodies are refused with 413")
    p.add_argument("--backend", choices=["jpype", "py4j"], default="jpype", help="how to reach the JVM")
    p.add_argument(
        "--follow-alias",
        action="store_true",
        help="with a models:/NAME@ALIAS URI: read the registry every --poll-seconds and swap in the version the alias moves to",
    )
    p.add_argument("--poll-seconds", type=_seconds, default=None, metavar="N", help="how often --follow-alias reads the registry (default 30)")
    p.set_defaults(func=_serve)

    p = sub.add_parser("demo", help="train in Python and score in Scala, train in Scala and score in Python, compare")
    p.add_argument(
        "--keep-serving",
        choices=["auto", "yes", "no"],
        default="auto",
        help="keep the embedded tracking server up for the UI afterwards (auto: when on a terminal)",
    )
    p.add_argument("--root", default=".bridge-work/demo", help="where the embedded server keeps its data")
    p.set_defaults(func=_demo)
