"""Model subcommands: score, compare, demo."""

from __future__ import annotations

import argparse
import sys
import time


def _score(args: argparse.Namespace) -> int:
    from .jvm.progress import Progress
    from .models.scoring import check_score, score_file

    check_score(args.model_uri, args.input, args.output, args.engine)  # a bad line fails before anything starts
    engine = f"the {args.engine} engine" + (f" ({args.backend})" if args.engine == "scala" else "")
    print(f"scoring {args.input} with {engine}...", file=sys.stderr, flush=True)
    t0 = time.monotonic()
    with Progress("scoring"):
        rows = score_file(args.model_uri, args.input, args.output, args.engine, args.backend)
    print(f"scored {rows} rows with {engine} -> {args.output} ({time.monotonic() - t0:.1f}s)")
    return 0


def _compare(args: argparse.Namespace) -> int:
    from .jvm.progress import Progress
    from .models.scoring import compare_file

    print(f"scoring {args.input} with both engines...", file=sys.stderr, flush=True)
    with Progress("comparing"):
        report = compare_file(args.model_uri, args.input, args.tolerance, args.backend)
    print(report.render())
    return 0 if report.ok else 1


def _serve(args: argparse.Namespace) -> int:
    """Serve a model from the JVM until SIGTERM or Ctrl-C; the JVM drains requests in flight."""
    import signal
    import threading

    from .models.scoring import serving_session

    stop = threading.Event()
    with serving_session(args.model_uri, args.backend) as jvm:
        server = jvm.models.serve(args.model_uri, args.host, args.port, args.max_body_mb)
        print(f"serving {args.model_uri} on http://{server.host}:{server.port} ({args.backend}); Ctrl-C or SIGTERM stops it", flush=True)
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        try:
            stop.wait()
        except KeyboardInterrupt:
            pass
        finally:
            server.close()
    return 0


def _demo(args: argparse.Namespace) -> int:
    from .demo import run_demo

    return run_demo(keep_serving=args.keep_serving, root=args.root)


def _bench(args: argparse.Namespace) -> int:
    from .bench import render, run_bench

    print(render(run_bench(args.repeat, args.skip_log_model)))
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("bench", help="time our JVM paths against the stock tools, side by side")
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--skip-log-model", action="store_true", help="leave out the slow log_model comparison")
    p.set_defaults(func=_bench)

    p = sub.add_parser("score", help="score a CSV/Parquet/JSON-lines file with an MLflow spark model")
    p.add_argument("--model-uri", required=True, help="runs:/, models:/name/version, models:/name@alias, mlflow-artifacts:/ or a local dir")
    p.add_argument("--input", required=True)
    p.add_argument("--output", required=True)
    p.add_argument("--engine", choices=["python", "scala"], default="python")
    p.add_argument("--backend", choices=["jpype", "py4j"], default="py4j", help="how the scala engine reaches the JVM")
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
