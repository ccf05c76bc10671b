"""Create one run with each run creator and print their tags (a JSON line); run as a script.

    python bridge/parity/tagprobe.py <tracking_uri> <experiment_id>

Run as a *file* (not `-m`) so that sys.argv[0] is this file: Python's start_run then takes
mlflow.source.name and, inside a git checkout, mlflow.source.git.* from it, as it would for a
user's training script. bridge.parity.systags runs it and turns the answer into the table.
"""

from __future__ import annotations

import json
import os
import sys

if __name__ == "__main__":
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
    uri, experiment_id = sys.argv[1], sys.argv[2]
    os.environ["MLFLOW_TRACKING_URI"] = uri
    os.environ.setdefault("MLFLOW_PYTHON_EXECUTABLE", sys.executable)

    import mlflow
    from mlflow.tracking import MlflowClient

    from bridge import connect
    from bridge.parity.runs import create_run

    py = MlflowClient(uri)
    ids = {}
    with mlflow.start_run(experiment_id=experiment_id, run_name="tag-probe") as run:
        ids["python"] = run.info.run_id
    with connect("jpype", uri) as jvm:
        context = jvm.stock_context().setExperimentId(experiment_id)
        active = context.startRun("tag-probe")
        active.endRun()
        ids["java_context"] = str(active.getId())
        ids["java_client"] = str(jvm.client.createRun(experiment_id).getRunId())
        ids["bridge"] = create_run(jvm, experiment_id, "tag-probe")
    out = {who: {"run_id": rid, "tags": py.get_run(rid).data.tags} for who, rid in ids.items()}
    print("TAGPROBE " + json.dumps(out), flush=True)
