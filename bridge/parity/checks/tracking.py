"""Checks of the catalog's section: experiments, runs, logging, system tags."""

from __future__ import annotations

import json
import time
from typing import Any

from mlflow.utils.mlflow_tags import MLFLOW_PARENT_RUN_ID as PARENT_RUN_ID

from ..reflect import JAVA_STOCK_CLASSES, java_class, java_methods
from ..runs import RUN_NAME, SOURCE_NAME, SOURCE_TYPE, USER, create_run
from .base import ONE, Ctx, GapConfirmed, check, fluent, java_client_version, java_tags, python_fluent_run_tags, stock_offers, system_subset


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


@check(backends=ONE)
def stock_set_experiment(ctx: Ctx) -> None:
    """MlflowContext.setExperimentName with a new name (Python's set_experiment creates it)."""
    name = ctx.unique("setexp")
    try:
        ctx.jvm.stock_context().setExperimentName(name)
    except Exception as e:  # noqa: BLE001
        if ctx.py.get_experiment_by_name(name) is None:
            raise GapConfirmed(f"MlflowContext.setExperimentName('{name}') refuses a new name: {e}") from None
        raise
    assert ctx.py.get_experiment_by_name(name) is not None


@check()
def bridge_set_experiment(ctx: Ctx) -> None:
    """experiments.getOrCreate creates once, then finds; it agrees with Python."""
    name = ctx.unique("getorcreate")
    eid = ctx.jvm.experiments.get_or_create(name)
    assert ctx.jvm.experiments.get_or_create(name) == eid
    assert ctx.py.get_experiment_by_name(name).experiment_id == eid
    other = ctx.unique("getorcreate-py")
    assert ctx.jvm.experiments.get_or_create(other) == ctx.py.get_experiment_by_name(other).experiment_id


@check()
def bridge_delete_experiment_tag(ctx: Ctx) -> None:
    """experiments.delete_tag removes the tag Python set."""
    eid = ctx.py.create_experiment(ctx.unique("deltag"), tags={"keep": "1", "drop": "2"})
    ctx.jvm.experiments.delete_tag(eid, "drop")
    tags = ctx.py.get_experiment(eid).tags
    assert tags.get("keep") == "1" and "drop" not in tags, tags


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
def parity_update_run(ctx: Ctx) -> None:
    """The stock setTag("mlflow.runName") + setTerminated give the run Python's update_run gives."""
    status = ctx.cls("org.mlflow.api.proto.Service$RunStatus")
    rid = ctx.java_run()
    ctx.client.setTag(rid, RUN_NAME, "renamed")
    ctx.client.setTerminated(rid, status.FINISHED)
    other = ctx.py.create_run(ctx.experiment_id).info.run_id
    ctx.py.update_run(other, status="FINISHED", name="renamed")
    j, p = ctx.py.get_run(rid), ctx.py.get_run(other)
    got = [(r.info.run_name, r.info.status, r.data.tags.get(RUN_NAME)) for r in (j, p)]
    assert got[0] == got[1] == ("renamed", "FINISHED", "renamed"), got
    assert str(ctx.client.getRun(rid).getInfo().getRunName()) == "renamed"  # the server renamed the run itself


@check()
def parity_parent_run(ctx: Ctx) -> None:
    """getRun + getRun of the mlflow.parentRunId tag finds the parent Python's get_parent_run finds."""
    with fluent(ctx) as mlflow:
        with mlflow.start_run(experiment_id=ctx.experiment_id) as parent:
            with mlflow.start_run(nested=True) as child:
                child_id = child.info.run_id
    tags = java_tags(ctx, child_id)
    stock_parent = str(ctx.client.getRun(tags[PARENT_RUN_ID]).getInfo().getRunId())
    assert stock_parent == ctx.py.get_parent_run(child_id).info.run_id == parent.info.run_id
    assert ctx.jvm.runs.get_parent_run(child_id).info.run_id == parent.info.run_id
    assert PARENT_RUN_ID not in java_tags(ctx, parent.info.run_id) and ctx.py.get_parent_run(parent.info.run_id) is None
    assert ctx.jvm.runs.get_parent_run(parent.info.run_id) is None


@check(backends=ONE)
def stock_run_scope(ctx: Ctx) -> None:
    """MlflowContext.withActiveRun with a body that throws (Python's `with start_run()` re-raises)."""
    eid = ctx.py.create_experiment(ctx.unique("scope"))
    context = ctx.jvm.stock_context().setExperimentId(eid)
    # A JDK Consumer whose accept throws: a Stream.Builder after build() (IllegalStateException).
    body = ctx.cls("java.util.stream.Stream").builder()
    body.build()
    try:
        context.withActiveRun(body)
    except Exception as e:  # noqa: BLE001 - the day it re-raises, the gap is closed
        if "IllegalStateException" in f"{type(e).__name__} {e}":
            return
        raise
    statuses = [r.info.status for r in ctx.py.search_runs([eid])]
    raise GapConfirmed(f"withActiveRun returned normally after its body threw; the run ended {statuses} and the caller never saw the error")


@check()
def bridge_run_scope(ctx: Ctx) -> None:
    """jvm.runs.start as a context manager re-raises the body's error and ends the run FAILED."""
    run_id = ""
    try:
        with ctx.jvm.runs.start(ctx.experiment_id, "scope") as run:
            run_id = run.run_id
            raise ValueError("the body failed")
    except ValueError as e:
        assert str(e) == "the body failed"
    else:
        raise AssertionError("the body's error was swallowed")
    assert ctx.py.get_run(run_id).info.status == "FAILED"


@check(backends=ONE)
def stock_log_batch_limits(ctx: Ctx) -> None:
    """The stock logBatch with 1,001 metrics (Python's log_batch splits at the server's 1,000)."""
    Metric = ctx.cls("org.mlflow.api.proto.Service$Metric")
    now = int(time.time() * 1000)
    metrics = [Metric.newBuilder().setKey(f"m{i}").setValue(float(i)).setTimestamp(now).setStep(0).build() for i in range(1001)]
    rid = ctx.java_run()
    try:
        ctx.client.logBatch(rid, ctx.jlist(metrics), ctx.jlist([]), ctx.jlist([]))
    except Exception as e:  # noqa: BLE001
        if "1000" in str(e) or "1,000" in str(e):
            raise GapConfirmed(f"logBatch sends one request and the server refuses it: {str(e).splitlines()[0][:200]}") from None
        raise
    assert len(ctx.py.get_run(rid).data.metrics) == 1001


@check()
def bridge_log_batch_limits(ctx: Ctx) -> None:
    """ActiveRun.log_metrics / log_params split over the server's limits; Python reads every value."""
    with ctx.jvm.runs.start(ctx.experiment_id, "big-batch") as run:
        run.log_metrics({f"m{i}": float(i) for i in range(1001)})
        run.log_params({f"p{i}": i for i in range(101)})
    data = ctx.py.get_run(run.run_id).data
    assert len(data.metrics) == 1001 and data.metrics["m1000"] == 1000.0
    assert len(data.params) == 101 and data.params["p100"] == "100"


@check(backends=ONE)
def stock_system_tags(ctx: Ctx) -> None:
    """Runs made by MlflowContext.startRun and createRun(expId) carry Python's system tags."""
    eid = ctx.experiment_id
    python = system_subset(python_fluent_run_tags(ctx, eid, "py-fluent"))
    ctx_run = ctx.jvm.stock_context().setExperimentId(eid).startRun("py-fluent")
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


@check()
def bridge_system_tags(ctx: Ctx) -> None:
    """runs.start (through bridge.parity.runs.create_run) sets the same system tags as Python's start_run here."""
    eid = ctx.experiment_id
    python = system_subset(python_fluent_run_tags(ctx, eid, "same-name"))
    ours = system_subset(java_tags(ctx, create_run(ctx.jvm, eid, "same-name")))
    assert ours == python, {"python": python, "bridge": ours}
    assert {USER, SOURCE_NAME, SOURCE_TYPE, RUN_NAME} <= set(ours)


@check(backends=ONE)
def stock_metrics_linked(ctx: Ctx) -> None:
    """A metric linked to a model id or a dataset: the stock Metric proto and logMetric overloads."""
    builder = java_methods(ctx.jvm, "org.mlflow.api.proto.Service$Metric$Builder")
    fields = sorted(m for m in builder if m in ("setModelId", "setDatasetName", "setDatasetDigest"))
    if not fields:
        raise GapConfirmed("the stock Metric proto has no model_id, dataset_name or dataset_digest (no setModelId on Metric.Builder)")


@check()
def bridge_traces(ctx: Ctx) -> None:
    """tracing: nested JVM spans (one failing) become a trace Python's search_traces reads, linked to the run."""
    py = ctx.py
    rid = ctx.java_run()
    tracer = ctx.jvm.tracing.tracer(ctx.experiment_id, rid)
    try:
        with tracer.span("outer", attributes={"rows": 3}) as outer:
            with tracer.span("inner"):
                raise ValueError("bad row")
    except ValueError:
        pass
    tracer.flush()
    traces = py.search_traces(locations=[ctx.experiment_id], run_id=rid)
    assert [t.info.trace_id for t in traces] == [outer.trace_id], traces
    spans = {s.name: s for s in traces[0].data.spans}
    assert (spans["inner"].parent_id, spans["outer"].attributes["rows"]) == (spans["outer"].span_id, 3)
    assert (spans["inner"].status.status_code, traces[0].info.state.value) == ("ERROR", "ERROR")


@check()
def bridge_metrics_linked(ctx: Ctx) -> None:
    """logged_models.log_metric: a run's metric linked to a logged model, as Python's log_metric(model_id=) links it."""
    rid = ctx.java_run()
    model = ctx.py.create_logged_model(ctx.experiment_id, source_run_id=rid, name="linked")
    ctx.jvm.logged_models.log_metric(model.model_id, rid, "auc", 0.91, step=2)
    got = [(m.key, m.value, m.step, m.model_id, m.run_id) for m in ctx.py.get_logged_model(model.model_id).metrics]
    assert got == [("auc", 0.91, 2, model.model_id, rid)], got


@check(backends=ONE)
def stock_log_inputs(ctx: Ctx) -> None:
    """No stock method logs a dataset input: none is called logInput(s), none takes a Service.DatasetInput."""
    takes = []
    for cls in JAVA_STOCK_CLASSES:
        for m in java_class(ctx.jvm, cls).getMethods():
            if any("DatasetInput" in str(t.getName()) for t in m.getParameterTypes()):
                takes.append(f"{cls.rsplit('.', 1)[1]}.{m.getName()}")
    named = stock_offers(ctx, r"^logInputs?$")
    if not takes and not named:
        raise GapConfirmed(
            "log_input: no method of MlflowClient, MlflowContext or ActiveRun is called logInput(s) or takes a "
            f"Service.DatasetInput (mlflow-client {java_client_version(ctx)}); runs/log-inputs only through raw sendPost"
        )


def _input_frame(ctx: Ctx) -> tuple[Any, Any]:
    """(pyspark frame, the same rows as a frame of the backend's JVM) for a dataset input."""
    from .models import _jvm_frame, _spark_model

    return _spark_model(ctx)["df"], _jvm_frame(ctx)


@check(spark=True)
def bridge_log_inputs(ctx: Ctx) -> None:
    """runs.log_input of a Spark DataFrame: Python's get_run(...).inputs shows what from_spark + log_input record."""
    import numpy as np
    from mlflow.data.digest_utils import get_normalized_md5_digest

    pdf, jdf = _input_frame(ctx)
    rid = ctx.java_run()
    ctx.jvm.runs.log_input(rid, jdf, path="/data/train.parquet", name="train", context="training")
    (got,) = ctx.py.get_run(rid).inputs.dataset_inputs
    d = got.dataset
    assert (d.name, d.source_type, json.loads(d.source)) == ("train", "spark", {"path": "/data/train.parquet"}), d
    assert d.digest == get_normalized_md5_digest([np.int64(jdf.semanticHash())]), d.digest
    assert json.loads(d.schema) == {"mlflow_colspec": [{"type": "double", "name": c, "required": True} for c in ("a", "b", "y")]}, d.schema
    assert json.loads(d.profile) == {"approx_count": pdf.count()}, d.profile
    assert [(t.key, t.value) for t in got.tags] == [("mlflow.data.context", "training")]
