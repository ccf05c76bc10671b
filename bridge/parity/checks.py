"""The live checks the catalog names (bridge/parity/catalog.py: `check`, `workaround`).

Every check takes a Ctx (a JvmSession on one backend, a Python MlflowClient on the same server).

- parity_*:  both clients do it; the check compares their answers and raises AssertionError if
             they differ.
- stock_*:   the stock-Java attempt at something Java cannot do. It raises GapConfirmed (with the
             evidence) while the gap is real, and returns normally when the stock client can do it:
             the day upstream closes the gap, the strict xfail of tests/test_parity_checks.py turns
             into a failure that says "update the catalog".
- bridge_*:  our workaround, which must pass.
"""

from __future__ import annotations

import base64
import json
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
import uuid
import warnings
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Callable, Iterator

from ..jvm.translate import translating
from .reflect import JAVA_STOCK_CLASSES, java_class, java_methods
from .runs import RUN_NAME, SOURCE_NAME, SOURCE_TYPE, SYSTEM_TAGS, USER, create_run

BOTH = ("jpype", "py4j")
ONE = ("jpype",)  # the stock client's abilities do not depend on the bridge


class GapConfirmed(AssertionError):
    """The stock Java client cannot do it (today); the message is the evidence."""


class NeedsSpark(Exception):
    """The check needs a SparkSession, which this context does not have (JPype backend)."""


@dataclass
class Ctx:
    jvm: Any  # bridge.JvmSession
    py: Any  # mlflow.tracking.MlflowClient on the same server
    tracking_uri: str
    spark: Any = None  # pyspark SparkSession sharing the py4j backend's JVM, if any
    cache: dict = field(default_factory=dict)

    @property
    def backend(self) -> str:
        return self.jvm.backend

    @property
    def client(self) -> Any:
        """The stock org.mlflow.tracking.MlflowClient (errors translated to bridge errors)."""
        return self.jvm.client

    def cls(self, name: str) -> Any:
        return self.jvm.classes.get(name)

    def unique(self, prefix: str) -> str:
        return f"parity-{prefix}-{uuid.uuid4().hex[:8]}"

    @property
    def experiment_id(self) -> str:
        """One experiment per context for checks that only need somewhere to put runs."""
        if "experiment_id" not in self.cache:
            self.cache["experiment_id"] = self.py.create_experiment(self.unique(f"checks-{self.backend}"))
        return self.cache["experiment_id"]

    def java_run(self, experiment_id: str | None = None) -> str:
        return str(self.client.createRun(experiment_id or self.experiment_id).getRunId())

    def jlist(self, items: list[Any]) -> Any:
        return self.jvm.java_list(items)

    def need_spark(self) -> Any:
        if self.spark is None:
            raise NeedsSpark("needs a SparkSession: run with the py4j backend")
        return self.spark


@dataclass(frozen=True)
class Check:
    name: str
    fn: Callable[[Ctx], None]
    backends: tuple[str, ...]
    doc: str

    needs_spark: bool = False


CHECKS: dict[str, Check] = {}
_CHILD_RESULTS: dict[tuple, Any] = {}


def check(name: str | None = None, backends: tuple[str, ...] = BOTH, spark: bool = False):
    def register(fn: Callable[[Ctx], None]) -> Callable[[Ctx], None]:
        key = name or fn.__name__
        doc = (fn.__doc__ or "").strip().splitlines()[0] if fn.__doc__ else ""
        CHECKS[key] = Check(key, fn, backends, doc, spark)
        return fn

    return register


# ---------------------------------------------------------------------------------- helpers
def stock_offers(ctx: Ctx, pattern: str) -> list[str]:
    """`Class.method` of the stock client classes whose method name matches `pattern`."""
    rx = re.compile(pattern)
    found = []
    for cls in JAVA_STOCK_CLASSES:
        found += [f"{cls.rsplit('.', 1)[1]}.{m}" for m in sorted(java_methods(ctx.jvm.classes, cls)) if rx.search(m)]
    return found


def java_client_version(ctx: Ctx) -> str:
    try:
        return str(ctx.cls("org.mlflow.tracking.MlflowClientVersion").getClientVersion())
    except Exception:  # noqa: BLE001
        return "?"


def require_stock(ctx: Ctx, pattern: str, what: str) -> None:
    """Return when the stock classes offer a method matching `pattern`; raise GapConfirmed otherwise."""
    found = stock_offers(ctx, pattern)
    if not found:
        raise GapConfirmed(
            f"{what}: no public method matching /{pattern}/ on MlflowClient, MlflowContext or ActiveRun of mlflow-client {java_client_version(ctx)}"
        )


def class_exists(ctx: Ctx, name: str) -> bool:
    try:
        java_class(ctx.jvm.classes, name)
        return True
    except Exception:  # noqa: BLE001 - ClassNotFoundException on either backend
        return False


def scala_seq(seq: Any) -> list[Any]:
    """A Scala Seq's elements (iterator: JPype finds List.apply(int) ambiguous)."""
    it, out = seq.iterator(), []
    while it.hasNext():
        out.append(it.next())
    return out


@contextmanager
def fluent(ctx: Ctx) -> Iterator[Any]:
    """Python's fluent API pointed at the context's server."""
    import mlflow

    mlflow.set_tracking_uri(ctx.tracking_uri)
    yield mlflow


def python_fluent_run_tags(ctx: Ctx, experiment_id: str, run_name: str) -> dict[str, str]:
    with fluent(ctx) as mlflow:
        with mlflow.start_run(experiment_id=experiment_id, run_name=run_name) as run:
            run_id = run.info.run_id
    return ctx.py.get_run(run_id).data.tags


def system_subset(tags: dict[str, str]) -> dict[str, str]:
    return {k: v for k, v in tags.items() if k in SYSTEM_TAGS}


def java_tags(ctx: Ctx, run_id: str) -> dict[str, str]:
    return {str(t.getKey()): str(t.getValue()) for t in ctx.client.getRun(run_id).getData().getTagsList()}


def _run_child(spec: dict, env: dict[str, str | None]) -> dict:
    """Run bridge/parity/child.py in a fresh interpreter+JVM with `env` on top of ours."""
    full_env = dict(os.environ)
    for k, v in env.items():
        if v is None:
            full_env.pop(k, None)
        else:
            full_env[k] = v
    repo_root = str(Path(__file__).resolve().parents[2])
    full_env["PYTHONPATH"] = repo_root + (os.pathsep + full_env["PYTHONPATH"] if full_env.get("PYTHONPATH") else "")
    r = subprocess.run([sys.executable, "-m", "bridge.parity.child", json.dumps(spec)], env=full_env, capture_output=True, text=True, timeout=300)
    for line in r.stdout.splitlines():
        if line.startswith("PARITY-CHILD "):
            return json.loads(line[len("PARITY-CHILD ") :])
    raise RuntimeError(f"parity child exited {r.returncode} without a result: {(r.stderr or r.stdout)[-1500:]}")


# ---------------------------------------------------------------------------------- parity
@check()
def parity_experiments(ctx: Ctx) -> None:
    """Experiments made/changed by one client read the same from the other."""
    c, py = ctx.client, ctx.py
    name = ctx.unique("exp")
    eid = str(c.createExperiment(name))
    assert py.get_experiment_by_name(name).experiment_id == eid
    assert str(c.getExperimentByName(name).get().getExperimentId()) == eid
    c.setExperimentTag(eid, "team", "jvm")
    assert py.get_experiment(eid).tags.get("team") == "jvm"
    new = name + "-renamed"
    py.rename_experiment(eid, new)
    assert str(c.getExperiment(eid).getName()) == new
    j_ids = [str(e.getExperimentId()) for e in c.searchExperiments(f"name = '{new}'").getItems()]
    p_ids = [e.experiment_id for e in py.search_experiments(filter_string=f"name = '{new}'")]
    assert j_ids == p_ids == [eid], (j_ids, p_ids)
    c.deleteExperiment(eid)
    assert py.get_experiment(eid).lifecycle_stage == "deleted"
    py.restore_experiment(eid)
    assert str(c.getExperiment(eid).getLifecycleStage()) == "active"


@check()
def parity_runs(ctx: Ctx) -> None:
    """Runs created, ended, deleted and restored by one client read the same from the other."""
    c, py = ctx.client, ctx.py
    eid = ctx.experiment_id
    status = ctx.cls("org.mlflow.api.proto.Service$RunStatus")
    j_run = ctx.java_run(eid)
    assert py.get_run(j_run).info.experiment_id == eid
    p_run = py.create_run(eid).info.run_id
    assert str(c.getRun(p_run).getInfo().getExperimentId()) == eid
    c.setTerminated(j_run, status.FAILED)
    assert py.get_run(j_run).info.status == "FAILED"
    py.set_terminated(p_run, "KILLED")
    assert str(c.getRun(p_run).getInfo().getStatus()) == "KILLED"
    c.deleteRun(j_run)
    assert py.get_run(j_run).info.lifecycle_stage == "deleted"
    py.restore_run(j_run)
    assert str(c.getRun(j_run).getInfo().getLifecycleStage()) == "active"
    listed = {str(r.getRunId()) for r in c.listRunInfos(eid)}
    assert {j_run, p_run} <= listed


@check()
def parity_logging(ctx: Ctx) -> None:
    """Params, metric history, tags and log_batch logged by one client read the same from the other."""
    c, py = ctx.client, ctx.py
    Metric = ctx.cls("org.mlflow.api.proto.Service$Metric")
    Param = ctx.cls("org.mlflow.api.proto.Service$Param")
    RunTag = ctx.cls("org.mlflow.api.proto.Service$RunTag")
    rid = ctx.java_run()
    now = int(time.time() * 1000)
    c.logParam(rid, "alpha", "0.5")
    for step in range(3):
        c.logMetric(rid, "loss", 1.0 / (step + 1), now + step, step)
    c.setTag(rid, "team", "jvm")
    c.setTag(rid, "tmp", "x")
    c.deleteTag(rid, "tmp")
    c.logBatch(
        rid,
        ctx.jlist([Metric.newBuilder().setKey("acc").setValue(0.9).setTimestamp(now).setStep(7).build()]),
        ctx.jlist([Param.newBuilder().setKey("beta").setValue("2").build()]),
        ctx.jlist([RunTag.newBuilder().setKey("batch").setValue("yes").build()]),
    )
    data = py.get_run(rid).data
    assert data.params == {"alpha": "0.5", "beta": "2"}, data.params
    assert [(m.step, m.value) for m in py.get_metric_history(rid, "loss")] == [(0, 1.0), (1, 0.5), (2, 1 / 3)]
    assert data.metrics["acc"] == 0.9
    assert data.tags.get("team") == "jvm" and data.tags.get("batch") == "yes" and "tmp" not in data.tags
    # and the other way round
    p_run = py.create_run(ctx.experiment_id).info.run_id
    for step in range(3):
        py.log_metric(p_run, "rmse", 0.1 * step, step=step)
    j_hist = sorted((int(m.getStep()), float(m.getValue())) for m in c.getMetricHistory(p_run, "rmse"))
    p_hist = sorted((m.step, m.value) for m in py.get_metric_history(p_run, "rmse"))
    assert j_hist == p_hist, (j_hist, p_hist)


@check()
def parity_search_runs(ctx: Ctx) -> None:
    """The FAQ's best-run and last-run recipes give the same run from Java searchRuns and Python search_runs."""
    c, py = ctx.client, ctx.py
    eid = py.create_experiment(ctx.unique("search"))
    CreateRun = ctx.cls("org.mlflow.api.proto.Service$CreateRun")
    base = int(time.time() * 1000) - 60_000
    runs = []
    for i, rmse in enumerate([0.3, 0.1, 0.2]):
        req = CreateRun.newBuilder().setExperimentId(eid).setStartTime(base + 1000 * i).setRunName(f"r{i}").build()
        rid = str(c.createRun(req).getRunId())
        c.logMetric(rid, "rmse", rmse)
        runs.append(rid)
    view = ctx.cls("org.mlflow.api.proto.Service$ViewType").ACTIVE_ONLY
    with fluent(ctx) as mlflow:
        for order_by, expected in ((["metrics.rmse ASC"], runs[1]), (["attributes.start_time DESC"], runs[2])):
            j = [str(r.getInfo().getRunId()) for r in c.searchRuns(ctx.jlist([eid]), "", view, 1, ctx.jlist(order_by)).getItems()]
            p = [r.info.run_id for r in py.search_runs([eid], order_by=order_by, max_results=1)]
            f = list(mlflow.search_runs(experiment_ids=[eid], order_by=order_by, max_results=1)["run_id"])
            assert j == p == f == [expected], (order_by, j, p, f, expected)


@check()
def parity_artifacts(ctx: Ctx) -> None:
    """An artifact logged by Java (through its Python fork) lists and reads the same from both clients."""
    c, py = ctx.client, ctx.py
    rid = ctx.java_run()
    d = Path(tempfile.mkdtemp(prefix="parity-art-"))
    (d / "hello.txt").write_text("hello from the JVM\n")
    c.logArtifact(rid, ctx.jvm.java_file(d / "hello.txt"), "docs")
    j = [(str(f.getPath()), bool(f.getIsDir())) for f in c.listArtifacts(rid, "docs")]
    p = [(f.path, f.is_dir) for f in py.list_artifacts(rid, "docs")]
    assert j == p == [("docs/hello.txt", False)], (j, p)
    local = py.download_artifacts(rid, "docs/hello.txt", str(d / "dl"))
    assert Path(local).read_text() == "hello from the JVM\n"


def _registered_version(ctx: Ctx) -> tuple[str, str]:
    """A registered model (Python-made) with version 1 pointing at a run's artifacts; cached per ctx."""
    if "registered" not in ctx.cache:
        py = ctx.py
        name = ctx.unique("reg")
        rid = py.create_run(ctx.experiment_id).info.run_id
        py.create_registered_model(name, description="made by Python")
        py.create_model_version(name, f"runs:/{rid}/model", run_id=rid)
        ctx.cache["registered"] = (name, rid)
    return ctx.cache["registered"]


@check()
def parity_registry_reads(ctx: Ctx) -> None:
    """Registry reads of a Python-registered model agree between the clients."""
    c, py = ctx.client, ctx.py
    name, rid = _registered_version(ctx)
    rm = c.getRegisteredModel(name)
    assert (str(rm.getName()), str(rm.getDescription())) == (name, py.get_registered_model(name).description)
    jv, pv = c.getModelVersion(name, "1"), py.get_model_version(name, "1")
    assert (str(jv.getVersion()), str(jv.getSource()), str(jv.getRunId())) == (pv.version, pv.source, pv.run_id)
    j = [str(v.getVersion()) for v in c.searchModelVersions(f"name = '{name}'").getItems()]
    p = [v.version for v in py.search_model_versions(f"name = '{name}'")]
    assert j == p == ["1"], (j, p)
    assert str(c.getModelVersionDownloadUri(name, "1")) == py.get_model_version_download_uri(name, "1")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # get_latest_versions is deprecated in Python
        p_latest = [v.version for v in py.get_latest_versions(name)]
    assert [str(v.getVersion()) for v in c.getLatestVersions(name)] == p_latest == ["1"]


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
    with translating():
        other = ctx.cls("mlflowbridge.MlflowUtils").clientFor(ctx.tracking_uri)
        other.close()


def _spark_model(ctx: Ctx) -> dict:
    """A small SparkML PipelineModel, its training frame and its predictions; cached per ctx."""
    if "spark_model" not in ctx.cache:
        spark = ctx.need_spark()
        from pyspark.ml import Pipeline
        from pyspark.ml.feature import VectorAssembler
        from pyspark.ml.regression import LinearRegression

        df = spark.createDataFrame([(float(i), float(i % 3), 2.0 * i + 1.0 + (i % 3)) for i in range(12)], ["a", "b", "y"])
        model = Pipeline(stages=[VectorAssembler(inputCols=["a", "b"], outputCol="features"), LinearRegression(labelCol="y", maxIter=5)]).fit(df)
        preds = sorted((r.a, round(r.prediction, 9)) for r in model.transform(df).select("a", "prediction").collect())
        ctx.cache["spark_model"] = {"df": df, "model": model, "preds": preds}
    return ctx.cache["spark_model"]


def _python_logged_spark_model(ctx: Ctx) -> dict:
    """The SparkML model logged by Python's mlflow.spark.log_model and registered as version 1; cached."""
    if "py_spark_model" not in ctx.cache:
        m = _spark_model(ctx)
        name = ctx.unique("sparkml")
        with fluent(ctx) as mlflow, warnings.catch_warnings():
            warnings.simplefilter("ignore")
            import mlflow.spark

            with mlflow.start_run(experiment_id=ctx.experiment_id) as run:
                mlflow.spark.log_model(m["model"], artifact_path="model")
            mlflow.register_model(f"runs:/{run.info.run_id}/model", name)
        ctx.cache["py_spark_model"] = {"run_id": run.info.run_id, "name": name, "version": "1"}
    return ctx.cache["py_spark_model"]


def _jvm_predictions(java_df: Any) -> list[tuple[float, float]]:
    return sorted((float(r.getAs("a")), round(float(r.getAs("prediction")), 9)) for r in java_df.collectAsList())


def _jvm_frame(ctx: Ctx) -> Any:
    """The training frame as a DataFrame of the backend's JVM (py4j: pyspark's own; JPype: via parquet)."""
    m = _spark_model(ctx)
    if ctx.backend == "py4j":
        return m["df"]._jdf
    if "jpype_df" not in ctx.cache:
        path = Path(tempfile.mkdtemp(prefix="parity-df-")) / "df.parquet"
        m["df"].write.parquet(str(path))
        with translating():
            ctx.cache["jpype_df"] = ctx.jvm.jvm_spark().read().parquet(str(path))
    return ctx.cache["jpype_df"]


def _jvm_model(ctx: Ctx) -> Any:
    """The fitted PipelineModel as an object of the backend's JVM."""
    m = _spark_model(ctx)
    if ctx.backend == "py4j":
        return m["model"]._to_java()
    if "jpype_model" not in ctx.cache:
        path = Path(tempfile.mkdtemp(prefix="parity-model-")) / "pipeline"
        m["model"].write().save(str(path))
        ctx.jvm.jvm_spark()  # PipelineModel.load needs an active SparkSession in that JVM
        with translating():
            ctx.cache["jpype_model"] = ctx.cls("org.apache.spark.ml.PipelineModel").load(str(path))
    return ctx.cache["jpype_model"]


@check(spark=True)
def parity_score_sparkml_jvm(ctx: Ctx) -> None:
    """A SparkML model logged by Python scores the same on the JVM (stock downloadModelVersion + PipelineModel.load)."""
    m = _spark_model(ctx)
    logged = _python_logged_spark_model(ctx)
    local = str(ctx.client.downloadModelVersion(logged["name"], logged["version"]).getPath())
    assert (Path(local) / "MLmodel").is_file(), os.listdir(local)
    ctx.jvm.jvm_spark()
    jmodel = ctx.cls("org.apache.spark.ml.PipelineModel").load(str(Path(local) / "sparkml"))
    assert _jvm_predictions(jmodel.transform(_jvm_frame(ctx))) == m["preds"]


# ---------------------------------------------------------------------------------- stock attempts
@check(backends=ONE)
def stock_set_experiment(ctx: Ctx) -> None:
    """MlflowContext.setExperimentName with a new name (Python's set_experiment creates it)."""
    name = ctx.unique("setexp")
    try:
        with translating():
            ctx.cls("org.mlflow.tracking.MlflowContext")(ctx.jvm.raw_client).setExperimentName(name)
    except Exception as e:  # noqa: BLE001
        if ctx.py.get_experiment_by_name(name) is None:
            raise GapConfirmed(f"MlflowContext.setExperimentName('{name}') refuses a new name: {e}") from None
        raise
    assert ctx.py.get_experiment_by_name(name) is not None


@check(backends=ONE)
def stock_delete_experiment_tag(ctx: Ctx) -> None:
    require_stock(ctx, r"^deleteExperimentTag$", "delete_experiment_tag")


@check(backends=ONE)
def stock_update_run(ctx: Ctx) -> None:
    require_stock(ctx, r"^(updateRun|setRunName|renameRun)$", "update_run")


@check(backends=ONE)
def stock_parent_run(ctx: Ctx) -> None:
    require_stock(ctx, r"^getParentRun$", "get_parent_run")


@check(backends=ONE)
def stock_system_tags(ctx: Ctx) -> None:
    """Runs made by MlflowContext.startRun and createRun(expId) carry Python's system tags."""
    eid = ctx.experiment_id
    python = system_subset(python_fluent_run_tags(ctx, eid, "py-fluent"))
    ctx_run = ctx.cls("org.mlflow.tracking.MlflowContext")(ctx.jvm.raw_client).setExperimentId(eid).startRun("py-fluent")
    ctx_run.endRun()
    bare = ctx.java_run(eid)
    problems = []
    for who, run_id in (("MlflowContext.startRun", str(ctx_run.getId())), ("MlflowClient.createRun", bare)):
        tags = system_subset(java_tags(ctx, run_id))
        missing = sorted(k for k in python if k not in tags)
        if missing:
            problems.append(f"{who} lacks {', '.join(missing)}")
    if problems:
        raise GapConfirmed("; ".join(problems) + f" (Python's start_run sets {', '.join(sorted(python))})")


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
    old = {k: os.environ.get(k) for k in env}
    try:
        for k, v in env.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
        yield
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


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
def stock_artifacts_no_python(ctx: Ctx) -> None:
    """The stock logArtifact in a JVM where no Python can be executed (MLFLOW_PYTHON_EXECUTABLE=/nonexistent)."""
    rid = ctx.java_run()
    out = _run_child(
        {"tracking_uri": ctx.tracking_uri, "steps": ["stock_log_artifact"], "run_id": rid}, {"MLFLOW_PYTHON_EXECUTABLE": "/nonexistent/python"}
    )["stock_log_artifact"]
    repos = [c for c in ("org.mlflow.artifacts.CliBasedArtifactRepository",) if class_exists(ctx, c)]
    if not out["ok"]:
        raise GapConfirmed(f"logArtifact without Python: {out['error']} (artifact repositories in the jar: {repos})")
    assert [f.path for f in ctx.py.list_artifacts(rid, "docs")] == ["docs/stock.txt"]


@check(backends=ONE)
def stock_log_text_etc(ctx: Ctx) -> None:
    require_stock(ctx, r"^(logText|logDict|logFigure|logImage|logTable|loadTable)$", "log_text/log_dict/...")


@check(backends=ONE)
def stock_log_model(ctx: Ctx) -> None:
    require_stock(ctx, r"^(logModel|saveModel)$", "log_model")


@check(backends=ONE)
def stock_flavors_other(ctx: Ctx) -> None:
    found = [c for c in ("org.mlflow.models.Model", "org.mlflow.models.ModelSignature") if class_exists(ctx, c)]
    if not found:
        require_stock(ctx, r"(?i)^(log|save).*model$", "log_model for any flavor (and no org.mlflow.models classes)")


@check(backends=ONE)
def stock_load_model(ctx: Ctx) -> None:
    require_stock(ctx, r"^(loadModel|loadSparkModel)$", "load_model")


@check(backends=ONE)
def stock_managed_from_raw(ctx: Ctx) -> None:
    """Java logArtifacts a native model directory; it is a raw artifact and never a managed model."""
    from mlflow.models import get_model_info

    rid = ctx.java_run()
    d = Path(tempfile.mkdtemp(prefix="parity-native-"))
    (d / "model.bin").write_bytes(b"\x00native jvm model\x00")
    ctx.client.logArtifacts(rid, ctx.jvm.java_file(d), "model")  # the half of the FAQ that works
    assert [f.path for f in ctx.py.list_artifacts(rid, "model")] == ["model/model.bin"]
    if not stock_offers(ctx, r"(?i)^(log|save|create).*model$"):
        try:
            get_model_info(f"runs:/{rid}/model")
        except Exception as e:  # noqa: BLE001
            raise GapConfirmed(
                f"saved as a raw artifact (model/model.bin), but the stock client has no way to make "
                f"it a managed model: get_model_info('runs:/{rid}/model') -> {type(e).__name__}: "
                f"{str(e).splitlines()[0][:160]}"
            ) from None


@check(backends=ONE)
def stock_score_non_sparkml(ctx: Ctx) -> None:
    found = [c for c in ("org.mlflow.models.Model", "org.mlflow.sagemaker.ScoringServer", "org.mlflow.mleap.MLeapLoader") if class_exists(ctx, c)]
    if not found:
        require_stock(
            ctx,
            r"(?i)^(loadModel|predict|score)",
            "a pyfunc/flavor loader on the JVM (no org.mlflow.models, org.mlflow.sagemaker or org.mlflow.mleap classes)",
        )


@check(backends=ONE)
def stock_logged_models(ctx: Ctx) -> None:
    require_stock(ctx, r"(?i)loggedmodel", "MLflow 3 logged models")


@check(backends=ONE)
def stock_projects(ctx: Ctx) -> None:
    require_stock(ctx, r"(?i)project", "MLflow projects")


@check(backends=ONE)
def stock_register_model(ctx: Ctx) -> None:
    require_stock(ctx, r"^(createRegisteredModel|createModelVersion|registerModel)$", "register a model")


@check(backends=ONE)
def stock_aliases(ctx: Ctx) -> None:
    require_stock(ctx, r"(?i)alias", "model aliases")


@check(backends=ONE)
def stock_search_registered_models(ctx: Ctx) -> None:
    require_stock(ctx, r"^searchRegisteredModels$", "search_registered_models")


@check(backends=ONE)
def stock_delete_registered_model(ctx: Ctx) -> None:
    """Delete a registered model with what the stock client has (no sendDelete: sendPost)."""
    if stock_offers(ctx, r"^(deleteRegisteredModel|sendDelete)$"):
        return
    name = ctx.unique("del")
    ctx.py.create_registered_model(name)
    try:
        ctx.client.sendPost("registered-models/delete", json.dumps({"name": name}))
    except Exception as e:  # noqa: BLE001
        err = str(e).splitlines()[0]
    else:
        err = "no error"
    try:
        ctx.py.get_registered_model(name)
    except Exception:  # noqa: BLE001 - gone: the stock client did delete it
        return
    raise GapConfirmed(f"no deleteRegisteredModel/sendDelete; sendPost('registered-models/delete') -> {err[:120]}; '{name}' still exists")


@check(backends=ONE)
def stock_delete_model_version(ctx: Ctx) -> None:
    require_stock(ctx, r"^(deleteModelVersion|sendDelete)$", "delete_model_version")


@check(backends=ONE)
def stock_stage_transitions(ctx: Ctx) -> None:
    require_stock(ctx, r"^(transitionModelVersionStage|getModelVersionStages)$", "stage transitions")


@check(backends=ONE)
def stock_registry_updates(ctx: Ctx) -> None:
    require_stock(
        ctx,
        r"^(updateRegisteredModel|renameRegisteredModel|updateModelVersion|setRegisteredModelTag|"
        r"deleteRegisteredModelTag|setModelVersionTag|deleteModelVersionTag)$",
        "registry updates",
    )


@check(backends=ONE)
def stock_copy_model_version(ctx: Ctx) -> None:
    require_stock(ctx, r"^copyModelVersion$", "copy_model_version")


@check(backends=ONE)
def stock_log_inputs(ctx: Ctx) -> None:
    require_stock(ctx, r"^logInputs?$", "log_inputs")


@check(backends=ONE)
def stock_autolog(ctx: Ctx) -> None:
    require_stock(ctx, r"(?i)autolog", "autolog")


@check(backends=ONE)
def stock_traces(ctx: Ctx) -> None:
    require_stock(ctx, r"(?i)(trace|span)", "tracing")


@check(backends=ONE)
def stock_prompts(ctx: Ctx) -> None:
    require_stock(ctx, r"(?i)prompt", "prompt registry")


@check(backends=ONE)
def stock_eval_datasets(ctx: Ctx) -> None:
    require_stock(ctx, r"(?i)dataset", "evaluation datasets")


@check(backends=ONE)
def stock_webhooks(ctx: Ctx) -> None:
    require_stock(ctx, r"(?i)webhook", "webhooks")


@check(backends=ONE)
def stock_workspaces(ctx: Ctx) -> None:
    require_stock(ctx, r"(?i)workspace", "workspaces")


@check(backends=ONE)
def stock_mcp_servers(ctx: Ctx) -> None:
    require_stock(ctx, r"(?i)mcp", "MCP servers")


@check(backends=ONE)
def stock_local_tracking_uri(ctx: Ctx) -> None:
    """new MlflowClient("sqlite:///...") / ("file:///...") and a search."""
    d = Path(tempfile.mkdtemp(prefix="parity-local-"))
    errors = []
    for uri in (f"sqlite:///{d / 'mlflow.db'}", (d / "mlruns").as_uri()):
        try:
            with translating():
                ctx.cls("org.mlflow.tracking.MlflowClient")(uri).searchExperiments()
            return
        except Exception as e:  # noqa: BLE001
            errors.append(f"{uri.split(':')[0]}: {str(e).splitlines()[0]}")
    raise GapConfirmed("; ".join(errors))


# ---------------------------------------------------------------------------------- our workarounds
@check()
def bridge_set_experiment(ctx: Ctx) -> None:
    """MlflowUtils.getOrCreateExperimentId creates once, then finds; it agrees with Python."""
    name = ctx.unique("getorcreate")
    eid = ctx.jvm.get_or_create_experiment_id(name)
    assert ctx.jvm.get_or_create_experiment_id(name) == eid
    assert ctx.py.get_experiment_by_name(name).experiment_id == eid
    other = ctx.unique("getorcreate-py")
    assert ctx.jvm.get_or_create_experiment_id(other) == ctx.py.get_experiment_by_name(other).experiment_id


@check()
def bridge_system_tags(ctx: Ctx) -> None:
    """MlflowUtils.createRun (through bridge.parity.runs.create_run) sets the same system tags as Python's start_run here."""
    eid = ctx.experiment_id
    python = system_subset(python_fluent_run_tags(ctx, eid, "same-name"))
    ours = system_subset(java_tags(ctx, create_run(ctx.jvm, eid, "same-name")))
    assert ours == python, {"python": python, "bridge": ours}
    assert {USER, SOURCE_NAME, SOURCE_TYPE, RUN_NAME} <= set(ours)


@check(backends=ONE)
def bridge_credentials_env(ctx: Ctx) -> None:
    """MlflowUtils.clientFor(uri) and clientFromEnv() send the credentials Python sends, from the same environment."""
    for scenario, r in _creds_children(ctx).items():
        for step in ("bridge_get_experiment", "bridge_env_get_experiment"):
            assert r["child"][step]["ok"], r["child"][step]
        assert r["bridge"] == r["bridge_env"] == r["python"] == r["expected"], (scenario, r)


def _artifact_store(ctx: Ctx) -> Any:
    return ctx.cls("mlflowbridge.ArtifactStore")(ctx.jvm.raw_client)


@check()
def bridge_artifacts_no_python(ctx: Ctx) -> None:
    """ArtifactStore uploads, lists and downloads over HTTP: in this JVM, and in one that cannot run Python."""
    py = ctx.py
    rid = ctx.java_run()
    src = Path(tempfile.mkdtemp(prefix="parity-store-"))
    (src / "a.txt").write_text("native a\n")
    (src / "sub").mkdir()
    (src / "sub" / "b.txt").write_text("native b\n")
    store = _artifact_store(ctx)
    with translating():
        store.logArtifacts(rid, ctx.jvm.java_file(src).toPath(), "native")
        listed = sorted(str(e.path()) for e in scala_seq(store.listRun(rid, "native")))
        dst = Path(tempfile.mkdtemp(prefix="parity-store-dl-"))
        local = Path(str(store.downloadRun(rid, "native", ctx.jvm.java_file(dst).toPath())))
    assert listed == sorted(f.path for f in py.list_artifacts(rid, "native")), listed
    assert sorted(str(p.relative_to(local)) for p in local.rglob("*") if p.is_file()) == ["a.txt", "sub/b.txt"]
    assert (local / "sub" / "b.txt").read_text() == "native b\n"
    # The proof that no Python is needed: a JVM that cannot exec any.
    key = ("no_python", ctx.tracking_uri)  # one child JVM per server, whichever backend asks first
    if key not in _CHILD_RESULTS:
        crid = ctx.java_run()
        _CHILD_RESULTS[key] = (
            crid,
            _run_child(
                {"tracking_uri": ctx.tracking_uri, "steps": ["bridge_artifacts"], "run_id": crid, "content": "no python\n"},
                {"MLFLOW_PYTHON_EXECUTABLE": "/nonexistent/python"},
            )["bridge_artifacts"],
        )
    crid, out = _CHILD_RESULTS[key]
    assert out["ok"], out
    assert out["value"]["downloaded"] == ["a.txt", "sub/b.txt"] and out["value"]["content"] == "no python\n", out
    assert sorted(f.path for f in py.list_artifacts(crid, "native")) == out["value"]["listed"]


def _registry(ctx: Ctx) -> Any:
    return ctx.cls("mlflowbridge.Registry")


@check()
def bridge_register_model(ctx: Ctx) -> None:
    """Registry.createRegisteredModel + createModelVersion; Python sees the model and version."""
    reg, py = _registry(ctx), ctx.py
    name = ctx.unique("bridge-reg")
    rid = ctx.java_run()
    with translating():
        reg.createRegisteredModel(ctx.jvm.raw_client, name)
        mv = reg.createModelVersion(ctx.jvm.raw_client, name, f"runs:/{rid}/model", rid)
    pv = py.get_model_version(name, "1")
    assert (pv.name, pv.run_id, pv.status) == (name, rid, "READY")
    assert (str(mv.version()), str(mv.runId())) == ("1", rid)


@check()
def bridge_aliases(ctx: Ctx) -> None:
    """Registry.setAlias / getModelVersionByAlias / deleteAlias agree with Python."""
    reg, py = _registry(ctx), ctx.py
    name, _ = _registered_version(ctx)
    with translating():
        reg.setAlias(ctx.jvm.raw_client, name, "champion", "1")
    assert py.get_model_version_by_alias(name, "champion").version == "1"
    with translating():
        assert str(reg.getModelVersionByAlias(ctx.jvm.raw_client, name, "champion").version()) == "1"
        reg.deleteAlias(ctx.jvm.raw_client, name, "champion")
    assert "champion" not in py.get_registered_model(name).aliases


@check()
def bridge_search_registered_models(ctx: Ctx) -> None:
    """Registry.searchRegisteredModels finds what Python's search_registered_models finds."""
    reg, py = _registry(ctx), ctx.py
    name, _ = _registered_version(ctx)
    flt = f"name = '{name}'"
    with translating():
        found = reg.searchRegisteredModels(ctx.jvm.raw_client, flt)
    names = [str(m.name()) for m in found]
    assert names == [m.name for m in py.search_registered_models(flt)] == [name]


@check()
def bridge_delete_registered_model(ctx: Ctx) -> None:
    """Registry.deleteRegisteredModel deletes; Python no longer finds the model."""
    reg, py = _registry(ctx), ctx.py
    name = ctx.unique("bridge-del")
    py.create_registered_model(name)
    with translating():
        reg.deleteRegisteredModel(ctx.jvm.raw_client, name)
    assert py.search_registered_models(f"name = '{name}'") == []


def _model_with_two_versions(ctx: Ctx, prefix: str) -> str:
    """A new registered model (made by Python) with versions 1 and 2; returns its name."""
    name = ctx.unique(prefix)
    rid = ctx.java_run()
    ctx.py.create_registered_model(name)
    for _ in range(2):
        ctx.py.create_model_version(name, f"runs:/{rid}/model", run_id=rid)
    return name


@check()
def bridge_delete_model_version(ctx: Ctx) -> None:
    """Registry.deleteModelVersion deletes one version; Python no longer finds it."""
    reg, py = _registry(ctx), ctx.py
    name = _model_with_two_versions(ctx, "bridge-delver")
    with translating():
        reg.deleteModelVersion(ctx.jvm.raw_client, name, "2")
    assert [v.version for v in py.search_model_versions(f"name = '{name}'")] == ["1"]


@check()
def bridge_stage_transitions(ctx: Ctx) -> None:
    """Registry.transitionModelVersionStage (archiving the others) and getModelVersionStages agree with Python."""
    reg, py = _registry(ctx), ctx.py
    name = _model_with_two_versions(ctx, "bridge-stage")
    with translating():
        assert str(reg.transitionModelVersionStage(ctx.jvm.raw_client, name, "1", "Production", False)) == "Production"
        reg.transitionModelVersionStage(ctx.jvm.raw_client, name, "2", "Production", True)
        stages = [str(s) for s in reg.getModelVersionStages(ctx.jvm.raw_client, name, "1")]
    assert (py.get_model_version(name, "1").current_stage, py.get_model_version(name, "2").current_stage) == ("Archived", "Production")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # stages are deprecated in Python
        assert stages == py.get_model_version_stages(name, "1")


@check()
def bridge_registry_updates(ctx: Ctx) -> None:
    """Registry rename, descriptions and model/version tags; Python sees each change."""
    reg, py = _registry(ctx), ctx.py
    name = ctx.unique("bridge-upd")
    rid = ctx.java_run()
    py.create_registered_model(name)
    py.create_model_version(name, f"runs:/{rid}/model", run_id=rid)
    c = ctx.jvm.raw_client
    with translating():
        reg.updateRegisteredModel(c, name, "model described by the JVM")
        reg.updateModelVersion(c, name, "1", "version described by the JVM")
        reg.setRegisteredModelTag(c, name, "owner", "jvm")
        reg.setRegisteredModelTag(c, name, "tmp", "x")
        reg.deleteRegisteredModelTag(c, name, "tmp")
        reg.setModelVersionTag(c, name, "1", "validated", "yes")
        reg.setModelVersionTag(c, name, "1", "tmp", "x")
        reg.deleteModelVersionTag(c, name, "1", "tmp")
        reg.renameRegisteredModel(c, name, name + "-renamed")
    new = name + "-renamed"
    rm, mv = py.get_registered_model(new), py.get_model_version(new, "1")
    assert (rm.description, rm.tags) == ("model described by the JVM", {"owner": "jvm"}), (rm.description, rm.tags)
    assert (mv.description, mv.tags) == ("version described by the JVM", {"validated": "yes"}), (mv.description, mv.tags)
    assert py.search_registered_models(f"name = '{name}'") == []


@check()
def bridge_delete_experiment_tag(ctx: Ctx) -> None:
    """MlflowUtils.deleteExperimentTag removes the tag Python set."""
    eid = ctx.py.create_experiment(ctx.unique("deltag"), tags={"keep": "1", "drop": "2"})
    with translating():
        ctx.cls("mlflowbridge.MlflowUtils").deleteExperimentTag(ctx.jvm.raw_client, eid, "drop")
    tags = ctx.py.get_experiment(eid).tags
    assert tags.get("keep") == "1" and "drop" not in tags, tags


@check()
def bridge_update_run(ctx: Ctx) -> None:
    """MlflowUtils.updateRun renames a run and sets its status, as Python's update_run does."""
    rid = ctx.java_run()
    utils = ctx.cls("mlflowbridge.MlflowUtils")
    with translating():
        utils.updateRun(ctx.jvm.raw_client, rid, None, "renamed-by-jvm")
        utils.updateRun(ctx.jvm.raw_client, rid, "FINISHED", None)
    run = ctx.py.get_run(rid)
    assert (run.info.run_name, run.info.status) == ("renamed-by-jvm", "FINISHED"), (run.info.run_name, run.info.status)
    assert run.data.tags.get(RUN_NAME) == "renamed-by-jvm"
    other = ctx.py.create_run(ctx.experiment_id).info.run_id
    ctx.py.update_run(other, status="FINISHED", name="renamed-by-jvm")
    p = ctx.py.get_run(other)
    assert (p.info.run_name, p.info.status, p.data.tags.get(RUN_NAME)) == (run.info.run_name, run.info.status, run.data.tags.get(RUN_NAME))


def _spark_models(ctx: Ctx) -> Any:
    return ctx.cls("mlflowbridge.SparkModels")


@check(spark=True)
def bridge_log_model_spark(ctx: Ctx) -> None:
    """SparkModels.logModel from the JVM; Python loads it (spark and python_function flavors)."""
    import mlflow.pyfunc
    import mlflow.spark
    from mlflow.models import get_model_info

    m = _spark_model(ctx)
    rid = ctx.java_run()
    with translating():
        uri = str(_spark_models(ctx).logModel(ctx.jvm.raw_client, rid, _jvm_model(ctx), "model", None, None))
    assert uri == f"runs:/{rid}/model", uri
    info = get_model_info(f"runs:/{rid}/model")
    assert {"spark", "python_function"} <= set(info.flavors), info.flavors
    loaded = mlflow.spark.load_model(f"runs:/{rid}/model")
    got = sorted((r.a, round(r.prediction, 9)) for r in loaded.transform(m["df"]).select("a", "prediction").collect())
    assert got == m["preds"]


@check(spark=True)
def bridge_load_model_spark(ctx: Ctx) -> None:
    """SparkModels.loadModel of a Python-logged model by runs:/ and models:/name/version."""
    m = _spark_model(ctx)
    logged = _python_logged_spark_model(ctx)
    jspark = ctx.jvm.jvm_spark()
    for uri in (f"runs:/{logged['run_id']}/model", f"models:/{logged['name']}/{logged['version']}"):
        with translating():
            jmodel = _spark_models(ctx).loadModel(ctx.jvm.raw_client, uri, jspark)
        assert _jvm_predictions(jmodel.transform(_jvm_frame(ctx))) == m["preds"], uri


def run_check(name: str, ctx: Ctx) -> None:
    CHECKS[name].fn(ctx)
