"""P11's Spark Connect client, a process of its own with no JVM (`python -m bridge.bench.connect_job
'<json>'`): a Connect session and the bench's in-process py4j Spark would share pyspark's globals.

It fits the wine classifier over Connect (untimed), then times, and prints one line
`BENCH-CONNECT {"contender": [seconds, ...], ...}`:
- log + load over Connect: `models.log` of the Connect-fitted pipeline, then `models.load` of it;
- scoring the input file over Connect, round by round: ours (`models.load(uri).transform(...)`,
  written as Parquet), the plain Connect job (pyspark's `PipelineModel.load` of the model's
  `sparkml` folder, the same transform and write), and the Scala engine on the server (`models.score_file`).
"""

from __future__ import annotations

import json
import sys
import time
from typing import Any, Callable

LOG_LOAD = "over Connect (models.log + models.load)"
OURS = "ours over Connect (models.load + transform + write)"
PLAIN = "plain Connect job (PipelineModel.load + transform + write)"
SCALA = "ours, Scala engine on the server (models.score_file)"


def main(spec: dict) -> dict[str, list[float]]:
    from pyspark.ml import PipelineModel
    from pyspark.sql import SparkSession

    from bridge.models import data, train
    from bridge.spark_connect import ConnectMlflow

    spark = SparkSession.builder.remote(spec["connect_url"]).create()
    try:
        m = ConnectMlflow(spark, spec["tracking_uri"])
        model = train.fit(spark, data.wine(), "classifier")
        out: dict[str, list[float]] = {LOG_LOAD: [], OURS: [], PLAIN: [], SCALA: []}

        def log_and_load(run_id: str) -> None:
            m.models.load(m.models.log(run_id, model, "model").model_uri)

        def timed(name: str, fn: Callable[[], Any]) -> None:
            t0 = time.perf_counter()
            fn()
            out[name].append(time.perf_counter() - t0)
            print(f"{name} #{len(out[name])}: {out[name][-1]:.3f}s", file=sys.stderr, flush=True)

        log_and_load(m.runs.start(spec["experiment_id"], "p11-warm").run_id)  # untimed: class loading on both sides
        for i in range(spec["repeat"]):
            run_id = m.runs.start(spec["experiment_id"], f"p11-{i}").run_id
            timed(LOG_LOAD, lambda: log_and_load(run_id))

        src, uri, dst = spec["input"], spec["model_uri"], spec["out_dir"]
        jobs = {
            OURS: lambda d: m.models.load(uri).transform(spark.read.parquet(src)).write.parquet(d),
            PLAIN: lambda d: PipelineModel.load(spec["sparkml"]).transform(spark.read.parquet(src)).write.parquet(d),
            SCALA: lambda d: m.models.score_file(uri, src, d),
        }
        for i in range(spec["score_repeat"]):
            for name, job in jobs.items():
                timed(name, lambda: job(f"{dst}/{i}-{len(out[name])}-{abs(hash(name))}.parquet"))
        return out
    finally:
        spark.stop()


if __name__ == "__main__":
    print("BENCH-CONNECT " + json.dumps(main(json.loads(sys.argv[1]))), flush=True)
