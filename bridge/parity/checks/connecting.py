"""Checks of the catalog's section: connecting: credentials, local tracking URIs, raw REST."""

from __future__ import annotations

import base64
import json
import os
import tempfile
import threading
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Iterator

from ...errors import JvmError
from .base import ONE, Ctx, GapConfirmed, _run_child, check, overlay
from .registry import _registered_version


@check(backends=ONE)
def stock_local_tracking_uri(ctx: Ctx) -> None:
    """new MlflowClient("sqlite:///...") / ("file:///...") and a search."""
    d = Path(tempfile.mkdtemp(prefix="parity-local-"))
    errors = []
    for uri in (f"sqlite:///{d / 'mlflow.db'}", (d / "mlruns").as_uri()):
        try:
            ctx.cls("org.mlflow.tracking.MlflowClient")(uri).searchExperiments()
            return
        except JvmError as e:
            # Only the constructor's refusal of the URI shows the gap; anything else is an error of the check.
            if not str(e).startswith("java.lang.IllegalArgumentException: ") or not any(w in str(e) for w in LOCAL_URI_REFUSALS):
                raise
            errors.append(f"{uri.split(':')[0]}: {str(e).splitlines()[0]}")
    raise GapConfirmed("; ".join(errors))


# What MlflowClient(String) says to a local URI: sqlite: is an "Invalid tracking server uri", file: "local tracking URIs".
LOCAL_URI_REFUSALS = ("Invalid tracking server uri", "does not support local tracking URIs")


def _creds_children(ctx: Ctx) -> dict:
    """The stock client and ours, each in a JVM whose environment has MLflow credentials, against a
    recording HTTP server; plus what Python sends with the same environment. Cached per ctx."""
    if "creds" in ctx.cache:
        return ctx.cache["creds"]
    seen: dict[str, str | None] = {}

    class Recorder(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            from urllib.parse import parse_qs, urlparse

            eid = parse_qs(urlparse(self.path).query).get("experiment_id", ["?"])[0]
            seen[eid] = self.headers.get("Authorization")
            body = json.dumps(
                {"experiment": {"experiment_id": eid, "name": f"recorded-{eid}", "lifecycle_stage": "active", "artifact_location": ""}}
            ).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    uri = f"http://127.0.0.1:{server.server_address[1]}"
    scenarios = {
        "basic": (
            {"MLFLOW_TRACKING_USERNAME": "parity-user", "MLFLOW_TRACKING_PASSWORD": "parity-pw", "MLFLOW_TRACKING_TOKEN": None},
            "Basic " + base64.b64encode(b"parity-user:parity-pw").decode(),
        ),
        "token": (
            {"MLFLOW_TRACKING_USERNAME": None, "MLFLOW_TRACKING_PASSWORD": None, "MLFLOW_TRACKING_TOKEN": "parity-token"},
            "Bearer parity-token",
        ),
    }
    result = {}
    try:
        for i, (scenario, (env, expected)) in enumerate(scenarios.items()):
            stock_id, bridge_id, py_id, env_id = f"{i}01", f"{i}02", f"{i}03", f"{i}04"
            out = _run_child(
                {
                    "tracking_uri": uri,
                    "steps": ["stock_get_experiment", "bridge_get_experiment", "bridge_env_get_experiment"],
                    "stock_experiment_id": stock_id,
                    "bridge_experiment_id": bridge_id,
                    "env_experiment_id": env_id,
                },
                dict(env, MLFLOW_TRACKING_URI=uri),
            )
            with _env(env):
                from mlflow.tracking import MlflowClient

                MlflowClient(uri).get_experiment(py_id)
            result[scenario] = {
                "expected": expected,
                "child": out,
                "stock": seen.get(stock_id, "NO REQUEST"),
                "bridge": seen.get(bridge_id, "NO REQUEST"),
                "python": seen.get(py_id, "NO REQUEST"),
                "bridge_env": seen.get(env_id, "NO REQUEST"),
            }
    finally:
        server.shutdown()
        server.server_close()
    ctx.cache["creds"] = result
    return result


@contextmanager
def _env(env: dict[str, str | None]) -> Iterator[None]:
    """This process's environment with `env` on top (None removes), restored afterwards."""
    old = dict(os.environ)
    os.environ.clear()
    os.environ.update(overlay(old, env))
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(old)


@check(backends=ONE)
def stock_credentials_env(ctx: Ctx) -> None:
    """new MlflowClient(uri) in a JVM whose environment holds MLFLOW_TRACKING_* credentials."""
    res = _creds_children(ctx)
    wrong = []
    for scenario, r in res.items():
        if not r["child"]["stock_get_experiment"]["ok"]:
            raise AssertionError(f"stock client call failed: {r['child']['stock_get_experiment']}")
        assert r["python"] == r["expected"], f"Python sent {r['python']!r}, expected {r['expected']!r}"
        if r["stock"] != r["python"]:
            wrong.append(f"{scenario}: stock client sent Authorization={r['stock']!r}, Python sent {r['python']!r}")
    if wrong:
        raise GapConfirmed("; ".join(wrong))


@check(backends=ONE)
def bridge_credentials_env(ctx: Ctx) -> None:
    """Mlflow.forUri(uri) and Mlflow.fromEnv() send the credentials Python sends, from the same environment."""
    for scenario, r in _creds_children(ctx).items():
        for step in ("bridge_get_experiment", "bridge_env_get_experiment"):
            assert r["child"][step]["ok"], r["child"][step]
        assert r["bridge"] == r["bridge_env"] == r["python"] == r["expected"], (scenario, r)


@check()
def parity_raw_rest(ctx: Ctx) -> None:
    """sendGet/sendPost/sendPatch reach the same REST API as Python's http_request; close() closes."""
    from mlflow.utils.credentials import get_default_host_creds
    from mlflow.utils.rest_utils import http_request

    c, py = ctx.client, ctx.py
    eid = ctx.experiment_id
    j = json.loads(str(c.sendGet(f"experiments/get?experiment_id={eid}")))["experiment"]
    p = http_request(get_default_host_creds(ctx.tracking_uri), "/api/2.0/mlflow/experiments/get", "GET", params={"experiment_id": eid}).json()[
        "experiment"
    ]
    assert (j["experiment_id"], j["name"]) == (p["experiment_id"], p["name"]) == (eid, py.get_experiment(eid).name)
    c.sendPost("experiments/set-experiment-tag", json.dumps({"experiment_id": eid, "key": "raw", "value": "post"}))
    assert py.get_experiment(eid).tags.get("raw") == "post"
    name, _ = _registered_version(ctx)
    c.sendPatch("registered-models/update", json.dumps({"name": name, "description": "patched by Java"}))
    assert py.get_registered_model(name).description == "patched by Java"
    other = ctx.cls("org.mlflow.tracking.MlflowClient")(ctx.tracking_uri)
    other.close()
