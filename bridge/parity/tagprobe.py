"""Create one run (and a nested child run) with each run creator and print their tags (a JSON line); run as a script.

    python tagprobe.py <tracking_uri> <experiment_id>

Run as a *file* (not `-m`) so that sys.argv[0] is this file: Python's start_run then takes
mlflow.source.name and, inside a git checkout, mlflow.source.git.* from it, as it would for a
user's training script. bridge.parity.systags copies it into a checkout and turns the answer into the table.
"""

from __future__ import annotations

import json
import os
import sys

if __name__ == "__main__":
    uri, experiment_id = sys.argv[1], sys.argv[2]
    os.environ["MLFLOW_TRACKING_URI"] = uri
    os.environ.setdefault("MLFLOW_PYTHON_EXECUTABLE", sys.executable)

    import mlflow
    from mlflow.tracking import MlflowClient

    from bridge import connect
    from bridge.parity.runs import create_run

    py = MlflowClient(uri)
    ids, children = {}, {}
    with mlflow.start_run(experiment_id=experiment_id, run_name="tag-probe") as run:
        ids["python"] = run.info.run_id
        with mlflow.start_run(run_name="tag-probe-child", nested=True) as child:
            children["python"] = child.info.run_id
    with connect("jpype", uri) as jvm:
        context = jvm.stock_context().setExperimentId(experiment_id)
        active = context.startRun("tag-probe")
        ids["java_context"] = str(active.getId())
        child_run = context.startRun("tag-probe-child", ids["java_context"])
        children["java_context"] = str(child_run.getId())
        child_run.endRun()
        active.endRun()
        ids["java_client"] = str(jvm.client.createRun(experiment_id).getRunId())  # createRun has no parent argument
        ids["bridge"] = create_run(jvm, experiment_id, "tag-probe")
        children["bridge"] = jvm.runs.resume(ids["bridge"]).start_child("tag-probe-child").run_id
    out = {
        who: {"run_id": rid, "tags": py.get_run(rid).data.tags, "child_tags": py.get_run(children[who]).data.tags if who in children else None}
        for who, rid in ids.items()
    }
    print("TAGPROBE " + json.dumps(out), flush=True)
