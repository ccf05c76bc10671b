"""`mlflow-bridge demo`: the FAQ's two cross-language questions answered end to end.

1. Train a classifier in PySpark, log it with stock `mlflow.spark.log_model`, register it with
   an alias, and score it with the Scala engine (our loader in the JVM).
2. Train a regression in Scala (`mlflowbridge.cli.Main train`, a JVM of its own), log it with
   `mlflow.models.log` (mlflowbridge.Mlflow), register it from the JVM, and score it with stock Python loaders.
3. Compare both engines on both models, log a plot and a report to the demo run.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

from . import rules
from .server import tracking

EXPERIMENT = "mlflow-bridge-demo"
TOLERANCE = 1e-9


class Progress:
    def __init__(self) -> None:
        self.t0 = time.monotonic()

    def __call__(self, msg: str) -> None:
        print(f"[{time.monotonic() - self.t0:6.1f}s] {msg}", flush=True)


def run_demo(keep_serving: str = "auto", root: str = ".bridge-work/demo") -> int:
    step = Progress()
    embedded = not rules.is_tracking_server(os.environ.get("MLFLOW_TRACKING_URI"))
    step("starting a local tracking server (sqlite, proxied artifacts)..." if embedded else f"using {os.environ['MLFLOW_TRACKING_URI']}")
    with tracking(root=Path(root) / "server") as t:
        uri, server = t.uri, t.server
        os.environ["MLFLOW_TRACKING_URI"] = uri
        summary = _run(uri, step)
        print()
        print(summary)
        exp_url = f"{uri}/#/experiments/{summary.experiment_id}"
        print(f"\nMLflow UI: {exp_url}")
        wait = keep_serving == "yes" or (keep_serving == "auto" and sys.stdin.isatty())
        if server and wait:
            try:
                input("The tracking server stays up for the UI; press Enter to stop it. ")
            except (EOFError, KeyboardInterrupt):
                pass
        elif server:
            print(f"(server stopped; browse again with: mlflow-bridge server --root {server.root} --port {server.port})")
    return 0 if summary.ok else 1


class Summary:
    def __init__(self, experiment_id: str):
        self.experiment_id = experiment_id
        self.rows: list[dict] = []

    @property
    def ok(self) -> bool:
        return all(r["agree"] for r in self.rows)

    def __str__(self) -> str:
        df = pd.DataFrame(self.rows)
        return df.to_string(index=False)


def _run(uri: str, step: Progress) -> Summary:
    import mlflow
    from mlflow.tracking import MlflowClient

    from .java import main_outputs, run_main
    from .jvm import connect, spark_session
    from .models import data, train
    from .models.scoring import compare_engines

    mlflow.set_tracking_uri(uri)
    client = MlflowClient(uri)
    exp_id = mlflow.set_experiment(EXPERIMENT).experiment_id
    summary = Summary(exp_id)
    work = Path(tempfile.mkdtemp(prefix="bridge-demo-"))
    step("starting local Spark (pyspark, with the bridge jars)...")
    spark = spark_session(app_name="mlflow-bridge-demo")

    with mlflow.start_run(run_name="demo: python <-> scala") as demo_run:
        # 1. Python-trained, scored in Scala.
        wine = data.wine()
        step("Python: training a PySpark classifier on scikit-learn's wine data (string label)...")
        model = train.fit(spark, wine, "classifier")
        with mlflow.start_run(run_name="python-wine-classifier", nested=True) as py_run:
            step("Python: logging it with stock mlflow.spark.log_model (slow: it infers requirements)...")
            t = time.monotonic()
            py_uri = train.log_stock(model)
            py_log_s = time.monotonic() - t
        client.create_registered_model("bridge-demo-python") if not _exists(client, "bridge-demo-python") else None
        mv = client.create_model_version("bridge-demo-python", py_uri, py_run.info.run_id)
        client.set_registered_model_alias("bridge-demo-python", "champion", mv.version)
        py_alias = "models:/bridge-demo-python@champion"
        step(f"Scala: scoring {py_alias} with our JVM loader and comparing with pyspark...")
        cmp_py = compare_engines(py_alias, wine.drop(columns=["label"]), TOLERANCE, backend="py4j")
        summary.rows.append(_row("wine classifier", "python (stock log_model)", py_alias, cmp_py, py_log_s))

        # 2. Scala-trained, scored in Python.
        diabetes = data.diabetes()
        csv = work / "diabetes.csv"
        diabetes.to_csv(csv, index=False)
        step("Scala: training a decision-tree regression on diabetes in a JVM of its own (mlflowbridge.cli.Main)...")
        t = time.monotonic()
        out = main_outputs(run_main(["train", "--kind", "regression", "--experiment", EXPERIMENT, "--input", str(csv),
                                "--label", "label", "--register", "bridge-demo-scala", "--alias", "champion"]).stdout)  # fmt: skip
        sc_train_s = time.monotonic() - t
        sc_alias = out["model_uri"]
        step(f"Python: loading {sc_alias} with stock mlflow.pyfunc.load_model and predicting...")
        pyfunc = mlflow.pyfunc.load_model(sc_alias)
        features = diabetes.drop(columns=["label"])
        pyfunc_pred = pyfunc.predict(features)
        step("comparing both engines on the Scala-logged model...")
        cmp_sc = compare_engines(sc_alias, features, TOLERANCE, backend="py4j")
        summary.rows.append(_row("diabetes regression", "scala (Mlflow.models.log)", sc_alias, cmp_sc, sc_train_s))

        # 3. What the UI shows: a plot and a report on the demo run.
        step("logging the comparison plot and report to the demo run...")
        fig = _plot(cmp_py, cmp_sc)
        mlflow.log_figure(fig, "comparison.png")
        mlflow.log_text(_report(summary, pyfunc_pred, cmp_py, cmp_sc), "report.md")
        mlflow.log_metrics({"max_abs_diff_wine": max(cmp_py.max_abs_diff.values()), "max_abs_diff_diabetes": max(cmp_sc.max_abs_diff.values())})
        with connect("py4j", uri, spark=spark) as jvm:
            jvm.client.setTag(demo_run.info.run_id, "bridge.verdict", "agree" if summary.ok else "disagree")
    step("done")
    return summary


def _exists(client, name: str) -> bool:
    from mlflow.exceptions import MlflowException

    try:
        client.get_registered_model(name)
        return True
    except MlflowException:
        return False


def _row(model: str, logged_by: str, uri: str, cmp, seconds: float) -> dict:
    return {
        "model": model,
        "logged by": logged_by,
        "uri": uri,
        "rows": cmp.rows,
        "max |python - scala|": f"{max(cmp.max_abs_diff.values()):.1e}",
        "agree": cmp.ok,
        "log/train s": f"{seconds:.1f}",
    }


def _plot(*comparisons):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, len(comparisons), figsize=(5 * len(comparisons), 4.5))
    for ax, (title, cmp) in zip(axes, zip(["wine classifier (Python-logged)", "diabetes regression (Scala-logged)"], comparisons)):
        ax.scatter(cmp.python_values, cmp.scala_values, s=12, alpha=0.7)
        lo, hi = min(cmp.python_values.min(), cmp.scala_values.min()), max(cmp.python_values.max(), cmp.scala_values.max())
        ax.plot([lo, hi], [lo, hi], "k--", linewidth=0.8)
        ax.set_title(f"{title}\nmax |diff| = {max(cmp.max_abs_diff.values()):.1e}")
        what = "probability of the first class" if cmp.plotted_column == "probability" else cmp.plotted_column
        ax.set_xlabel(f"Python engine: {what}")
        ax.set_ylabel(f"Scala engine: {what}")
    fig.tight_layout()
    return fig


def _report(summary: Summary, pyfunc_pred, cmp_py, cmp_sc) -> str:
    return "\n".join([
        "# mlflow-bridge demo",
        "",
        summary_table_markdown(summary),
        "",
        "## Wine classifier: Python-logged, scored by both engines",
        "```", cmp_py.render(), "```",
        "## Diabetes regression: Scala-logged, scored by both engines",
        "```", cmp_sc.render(), "```",
        f"Stock `mlflow.pyfunc.load_model(...).predict` on the Scala-logged model returned {len(pyfunc_pred)} predictions.",
    ])  # fmt: skip


def summary_table_markdown(summary: Summary) -> str:
    rows = summary.rows
    head = list(rows[0])
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    lines += ["| " + " | ".join(str(r[h]) for h in head) + " |" for r in rows]
    return "\n".join(lines)
