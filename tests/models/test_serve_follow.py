"""`serve --follow-alias`: the served `models:/name@champion` follows the alias while clients send load.

One bare JVM (`mlflowbridge.cli.Main serve`) on the session's tracking server and registry, reading the alias
every 0.5 s; four client threads post the same request without pause. The alias moves to a version that
is no spark model (the old one keeps answering), then to one whose predictions differ visibly (wine
classes, then diabetes regression values): no request fails, every answer equals what the version its
header names predicts (none came from a half-loaded model), and each client sees the new version once
swapped, never the old one after it.
"""

from __future__ import annotations

import json
import os
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path

import mlflow
import numpy as np
import pandas as pd
import pytest
from conftest import unique
from models_fixtures import features
from test_serve import _bare_jvm, _bare_jvm_env, _start, _wait_up

from bridge import BadInputError
from bridge.server import free_port, stop_group

VERSION_HEADER = "X-Mlflowbridge-Model-Version"
ROWS = 8


def _request_frame() -> pd.DataFrame:
    """Rows holding both models' columns (wine's and diabetes'): each version reads its own."""
    wine, diabetes = features("classifier").head(ROWS), features("linear").head(ROWS)
    return pd.concat([wine.reset_index(drop=True), diabetes.reset_index(drop=True)], axis=1)


def _expected(sessions, spark, uri: str, frame: pd.DataFrame) -> list[float]:
    """The version's predictions by pyspark's `transform` of the same pipeline (the Scala loader, over py4j)."""
    model = sessions["py4j"].models.load(uri)
    return [float(r.prediction) for r in model.transform(spark.createDataFrame(frame)).select("prediction").collect()]


def _broken_source(tmp: Path) -> str:
    """A model folder whose MLmodel has no spark flavor, logged in a run of its own: a version no server can load."""
    (tmp / "broken").mkdir()
    (tmp / "broken" / "MLmodel").write_text("artifact_path: broken\nflavors:\n  python_function:\n    loader_module: mlflow.sklearn\n")
    with mlflow.start_run(run_name="follow-broken") as run:
        mlflow.log_artifacts(str(tmp / "broken"), "broken")
    return f"runs:/{run.info.run_id}/broken"


def _wait_for(what: str, done: Callable[[], bool], log: Path, failures: list[str], timeout: float = 180) -> None:
    """Polls `done()` (bounded); a failed request ends the wait; the server's log tail on failure."""
    deadline = time.monotonic() + timeout
    while not done():
        assert not failures, f"{failures[:5]}\n{log.read_text()[-3000:]}"
        assert time.monotonic() < deadline, f"not within {timeout}s: {what}\n{log.read_text()[-3000:]}"
        time.sleep(0.05)


def test_follows_the_alias_under_load(tracking_uri, logged_models, sessions, spark, mlflow_client, tmp_path) -> None:
    name = unique("follow")
    frame = _request_frame()
    sources = {"1": logged_models[("classifier", "scala")], "2": logged_models[("linear", "scala")], "3": _broken_source(tmp_path)}
    mlflow_client.create_registered_model(name)
    for version, source in sources.items():
        run_id = None if source.startswith("models:/") else source.split("/")[1]
        assert mlflow_client.create_model_version(name, source, run_id).version == version
    mlflow_client.set_registered_model_alias(name, "champion", "1")
    expected = {v: _expected(sessions, spark, sources[v], frame) for v in ("1", "2")}
    assert set(expected["1"]) <= {0.0, 1.0, 2.0} and min(expected["2"]) > 2.0  # visibly different

    port, log = free_port(), tmp_path / "server.log"
    env = dict(_bare_jvm_env(tmp_path), MLFLOW_TRACKING_URI=tracking_uri)
    cmd = ["serve", "--model-uri", f"models:/{name}@champion", "--port", str(port), "--follow-alias", "--poll-seconds", "0.5"]
    proc = _start(_bare_jvm(cmd), env, log)
    url = f"http://127.0.0.1:{port}/invocations"
    body = json.dumps({"dataframe_split": {"columns": list(frame.columns), "data": frame.to_numpy().tolist()}}).encode()
    answers: list[list[tuple[str, list[float]]]] = [[] for _ in range(4)]
    failures: list[str] = []
    stop = threading.Event()

    def client(i: int) -> None:
        while not stop.is_set():
            req = urllib.request.Request(url, body, {"Content-Type": "application/json"})
            try:
                with urllib.request.urlopen(req, timeout=60) as r:
                    answers[i].append((r.headers.get(VERSION_HEADER, ""), json.loads(r.read())["predictions"]))
            except (OSError, ValueError) as e:  # HTTPError included
                failures.append(f"client {i}: {e!r}")
                return

    threads = [threading.Thread(target=client, args=(i,), daemon=True) for i in range(4)]
    try:
        _wait_up(proc, f"http://127.0.0.1:{port}", log)
        t0 = time.monotonic()
        for t in threads:
            t.start()
        _wait_for("every client answered", lambda: all(len(a) >= 3 for a in answers), log, failures)

        mlflow_client.set_registered_model_alias(name, "champion", "3")
        _wait_for("the failed load of version 3 logged", lambda: "version 3 of" in log.read_text(), log, failures)
        mlflow_client.set_registered_model_alias(name, "champion", "2")
        _wait_for("every client answered by version 2", lambda: all(a and a[-1][0] == "2" for a in answers), log, failures)
        stop.set()
        for t in threads:
            t.join(timeout=60)
        seconds = time.monotonic() - t0

        # Every /invocations answer names its version, an error's too.
        with pytest.raises(urllib.error.HTTPError) as bad:
            urllib.request.urlopen(urllib.request.Request(url, b"{not json", {"Content-Type": "application/json"}))
        assert bad.value.code == 400 and bad.value.headers.get(VERSION_HEADER) == "2"
    finally:
        stop.set()
        stop_group(proc)

    text = log.read_text()
    assert failures == [], failures[:5]
    total = sum(len(a) for a in answers)
    for i, got in enumerate(answers):
        versions = [v for v, _ in got]
        assert set(versions) <= {"1", "2"}, f"client {i} saw {set(versions)}"
        assert versions == sorted(versions), f"client {i} was answered by version 1 after version 2"
        for version, predictions in got:
            assert np.allclose(predictions, expected[version], rtol=1e-12, atol=0), (version, predictions, expected[version])
    failed = [line for line in text.splitlines() if "version 3 of" in line]
    assert len(failed) == 1 and "failed to load" in failed[0] and "spark" in failed[0] and "still serving version 1" in failed[0], failed
    assert "now serving version 2" in text, text[-3000:]
    print(f"{total} answers from 4 clients in {seconds:.1f}s, through the failed load and the swap")


def test_only_an_alias_can_be_followed(run_cli, jvm):
    """Refused before any model loads: by the command's preflight (no JVM) and by the Scala API."""
    for uri in ("runs:/0123/model", "models:/wine/3", "./model"):
        result = run_cli("serve", "--model-uri", uri, "--follow-alias")
        assert result.returncode == 2 and "only a models:/<name>@<alias> URI can be followed" in result.stderr, result
    result = run_cli("serve", "--model-uri", "models:/wine@champion", "--poll-seconds", "1")
    assert result.returncode == 2 and "give --follow-alias too" in result.stderr, result
    with pytest.raises(BadInputError, match=r"only a models:/<name>@<alias> URI can be followed, and models:/wine/3 is none"):
        jvm.models.serve("models:/wine/3", follow_alias=True, poll_seconds=1)
    with pytest.raises(BadInputError, match="above 0"):
        jvm.models.serve("models:/wine@champion", follow_alias=True, poll_seconds=0)
    assert os.environ.get("MLFLOW_TRACKING_URI")  # the refusals above were not for want of a server
