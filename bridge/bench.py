"""`mlflow-bridge bench`: our JVM paths against the stock tools, side by side in one run.

Each row times the stock way and ours on the same input in the same process and prints the
ratio. Timings are medians of `--repeat` runs (log_model: one run each; it takes a minute).
"""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path
from typing import Callable


def _median_seconds(fn: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def run_bench(repeat: int = 3, skip_log_model: bool = False) -> list[dict]:
    import mlflow

    from .jvm import connect, spark_session
    from .models import data, train
    from .server import tracking

    rows: list[dict] = []

    def row(what: str, stock: str, ours: str, stock_s: float, ours_s: float) -> None:
        rows.append({"what": what, "stock": stock, "ours": ours, "stock s": stock_s, "ours s": ours_s, "speed-up": stock_s / ours_s})
        print(f"  {what}: stock {stock_s:.3f}s, ours {ours_s:.3f}s -> {stock_s / ours_s:.1f}x", flush=True)

    with tracking() as t:
        uri = t.uri
        spark = spark_session(app_name="mlflow-bridge-bench")
        mlflow.set_tracking_uri(uri)
        with connect("py4j", uri, spark=spark) as jvm:
            name = f"bench-{int(time.time())}"
            jvm.experiments.get_or_create(name)
            from .errors import BridgeError

            def stock_create() -> None:
                try:
                    jvm.client.createExperiment(name)  # existing: a 400 the stock client retries blindly
                except BridgeError:
                    pass

            row("set_experiment on an existing name", "MlflowClient.createExperiment (fails, retried)",
                "Mlflow.experiments.getOrCreate",
                _median_seconds(stock_create, repeat), _median_seconds(lambda: jvm.experiments.get_or_create(name), repeat))  # fmt: skip

            exp_id = mlflow.set_experiment(name).experiment_id
            small = Path(tempfile.mkdtemp(prefix="bench-art-"))
            for i in range(5):
                (small / f"f{i}.bin").write_bytes(bytes(range(256)) * 40 * (i + 1))
            run_id = str(jvm.client.createRun(exp_id).getRunId())
            row("upload a 5-file directory", "MlflowClient.logArtifacts (forks python)", "Mlflow.artifacts.logArtifacts (REST)",
                _median_seconds(lambda: jvm.client.logArtifacts(run_id, jvm.java_file(small), "stock"), repeat),
                _median_seconds(lambda: jvm.artifacts.log(run_id, small, "ours"), repeat))  # fmt: skip

            if not skip_log_model:
                pdf = data.wine()
                model = train.fit(spark, pdf, "classifier")
                sdf = spark.createDataFrame(pdf)

                def stock_log() -> None:
                    with mlflow.start_run():
                        train.log_stock(model)

                def ours_log() -> None:
                    with mlflow.start_run() as run:
                        jvm.models.log(run.info.run_id, model, "model", example=sdf.limit(3), training=sdf)

                ours_log()  # warm the JVM paths once; the stock path warms inside its own first call
                row("log a SparkML PipelineModel", "mlflow.spark.log_model (Python)", "Mlflow.models.log (Scala)",
                    _median_seconds(stock_log, 1), _median_seconds(ours_log, max(1, repeat)))  # fmt: skip
    return rows


def render(rows: list[dict]) -> str:
    head = f"{'what':<36} {'stock':<48} {'ours':<38} {'stock s':>8} {'ours s':>8} {'speed-up':>9}"
    lines = [head, "-" * len(head)]
    for r in rows:
        lines.append(f"{r['what']:<36} {r['stock']:<48} {r['ours']:<38} {r['stock s']:>8.3f} {r['ours s']:>8.3f} {r['speed-up']:>8.1f}x")
    return "\n".join(lines)
