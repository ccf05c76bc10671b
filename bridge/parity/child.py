"""Checks that need a JVM with an environment of its own, run as `python -m bridge.parity.child '<json>'`.

A JVM copies its environment when it starts, so "the stock client with MLFLOW_TRACKING_USERNAME
set" or "the stock client where no Python can be executed" need a fresh JVM. This process
starts one (JPype, bridge jars + Spark's), does what the JSON spec asks and prints one JSON line
with the outcome of each step: {"step": {"ok": bool, "value"|"error": ...}}.

Steps:
  stock_get_experiment   new MlflowClient(uri).getExperiment(experiment_id)        (the stock way)
  bridge_get_experiment  connect(uri).experiments.get(experiment_id)   (our way: Mlflow.forUri)
  bridge_env_get_experiment  connect() (MLFLOW_TRACKING_URI too).experiments.get(...)
  stock_log_artifact     new MlflowClient(uri).logArtifact(run_id, file, "docs")
  bridge_artifacts       connect(uri).artifacts: log, list, download
"""

from __future__ import annotations

import json
import sys
import tempfile
import traceback
from pathlib import Path
from typing import Any, Callable


def _msg(exc: BaseException) -> str:
    from bridge.jvm import to_bridge_error

    err = to_bridge_error(exc)
    text = str(err) if err is not None else f"{type(exc).__name__}: {exc}"
    return text.splitlines()[0] if text else type(exc).__name__


def main(spec: dict) -> dict:
    from bridge.jvm import connect

    uri = spec["tracking_uri"]
    out: dict[str, dict] = {}

    def step(name: str, fn: Callable[[], Any]) -> None:
        try:
            out[name] = {"ok": True, "value": fn()}
        except Exception as exc:  # noqa: BLE001 - every failure is reported, not raised
            out[name] = {"ok": False, "error": _msg(exc), "trace": traceback.format_exc()[-1500:]}

    # The wrapper layer starts the JVM (JVM path checks, options, this process's environment).
    stock = lambda: connect("jpype", uri).java_class("org.mlflow.tracking.MlflowClient")(uri)  # noqa: E731

    for name in spec["steps"]:
        if name == "stock_get_experiment":
            step(name, lambda: str(stock().getExperiment(spec["stock_experiment_id"]).getName()))
        elif name == "bridge_get_experiment":
            step(name, lambda: connect("jpype", uri).experiments.get(spec["bridge_experiment_id"]).name)
        elif name == "bridge_env_get_experiment":
            step(name, lambda: connect("jpype").experiments.get(spec["env_experiment_id"]).name)
        elif name == "stock_log_artifact":

            def log() -> str:
                d = Path(tempfile.mkdtemp(prefix="parity-child-"))
                (d / "stock.txt").write_text("from the stock client\n")
                stock().logArtifact(spec["run_id"], connect("jpype", uri).java_file(d / "stock.txt"), "docs")
                return "logged"

            step(name, log)
        elif name == "bridge_artifacts":

            def roundtrip() -> dict:
                src = Path(tempfile.mkdtemp(prefix="parity-child-src-"))
                (src / "a.txt").write_text(spec["content"])
                (src / "sub").mkdir()
                (src / "sub" / "b.txt").write_text(spec["content"] + "b")
                artifacts = connect("jpype", uri).artifacts
                artifacts.log_artifacts(spec["run_id"], src, "native")
                listed = sorted(path for path, _, _ in artifacts.list(spec["run_id"], "native"))
                dst = Path(tempfile.mkdtemp(prefix="parity-child-dst-"))
                local = str(artifacts.download(spec["run_id"], "native", dst))
                files = sorted(str(p.relative_to(local)) for p in Path(local).rglob("*") if p.is_file())
                return {
                    "listed": listed,
                    "downloaded": files,
                    "content": (Path(local) / "a.txt").read_text() if (Path(local) / "a.txt").is_file() else None,
                }

            step(name, roundtrip)
        else:
            out[name] = {"ok": False, "error": f"unknown step {name!r}"}
    return out


if __name__ == "__main__":
    result = main(json.loads(sys.argv[1]))
    print("PARITY-CHILD " + json.dumps(result), flush=True)
