"""jvm.tracing on both backends: spans made on the JVM become traces that Python's stock
`mlflow.search_traces` reads (names, nesting, attributes, events, status, the run link)."""

from __future__ import annotations

import runpy
from pathlib import Path

import mlflow
import pytest
from conftest import unique

import bridge

API_TOUR = runpy.run_path(str(Path(__file__).resolve().parents[1] / "examples" / "api_tour.py"))


def test_jvm_spans_are_traces_python_reads(jvm):
    exp_id = jvm.experiments.get_or_create(unique(f"traces-{jvm.backend}"))
    with jvm.runs.start(exp_id, "traced") as run:
        tracer = jvm.tracing.tracer(exp_id, run.run_id)
        with tracer.span("predict", attributes={"rows": 3, "model": "m-1", "scale": 0.5, "ok": True, "cols": ["a", "b"], "code": "3"}) as root:
            with tracer.span("load") as load:
                load.add_event("cache-miss")
            with pytest.raises(KeyError):
                with tracer.span("score", attributes={"mlflow.spanInputs": {"a": 1}, "mlflow.spanType": "CHAIN"}):
                    raise KeyError("b")
        with tracer.span("second"):
            pass
    jvm.tracing.flush()

    traces = mlflow.search_traces(locations=[exp_id], return_type="list", order_by=["timestamp_ms ASC"])
    assert [t.info.trace_id for t in traces][0] == root.trace_id and len(traces) == 2
    t = traces[0]
    assert t.info.state.value == "OK" and t.info.experiment_id == exp_id
    spans = {s.name: s for s in t.data.spans}
    assert set(spans) == {"predict", "load", "score"}
    assert spans["predict"].parent_id is None and root.span_id == spans["predict"].span_id
    assert spans["load"].parent_id == spans["score"].parent_id == spans["predict"].span_id
    attrs = spans["predict"].attributes
    assert (attrs["rows"], attrs["model"], attrs["scale"], attrs["ok"], attrs["cols"]) == (3, "m-1", 0.5, True, ["a", "b"])
    assert attrs["code"] == "3"  # text stays text unless it holds a JSON object (below)
    # A dict goes as its JSON text, which MLflow's reader parses back: the span's inputs are a dict.
    assert (spans["score"].inputs, spans["score"].span_type) == ({"a": 1}, "CHAIN")
    assert [e.name for e in spans["load"].events] == ["cache-miss"]
    assert spans["score"].status.status_code == "ERROR" and spans["score"].status.description == "KeyError: 'b'"
    assert [(e.name, e.attributes["exception.type"]) for e in spans["score"].events] == [("exception", "KeyError")]
    assert spans["predict"].status.status_code == "UNSET"
    linked = mlflow.search_traces(locations=[exp_id], run_id=run.run_id, return_type="list")
    assert sorted(x.info.trace_id for x in linked) == sorted(x.info.trace_id for x in traces)


def test_tracing_errors_name_what_was_wrong(jvm):
    with pytest.raises(bridge.BadInputError, match="experiment id must not be empty"):
        jvm.tracing.tracer("")
    tracer = jvm.tracing.tracer(jvm.experiments.get_or_create(unique("traces-bad")))
    with pytest.raises(bridge.BadInputError, match="span name must not be empty"):
        with tracer.span(""):
            pass


def test_the_docs_tracing_example_makes_a_trace_python_reads(jvm):
    """docs/api.md's Python tracing block (tests/examples/api_tour.py), run as shown."""
    exp_id = jvm.experiments.get_or_create(unique(f"traces-docs-{jvm.backend}"))
    with jvm.runs.start(exp_id, "traced") as run:
        traces = API_TOUR["tracing"](jvm, exp_id, run)
    [trace] = traces
    [span] = trace.data.spans
    assert (span.name, span.attributes["rows"], [e.name for e in span.events]) == ("predict", 3, ["loaded"])
