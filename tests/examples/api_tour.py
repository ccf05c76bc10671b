"""The Python blocks of docs/api.md: each is the region between `docs:start` and `docs:end` below,
shown as it is (tests/test_docs.py); tests/jvm/test_tracing.py runs it on both backends."""

from __future__ import annotations

from typing import Any

import mlflow


def tracing(jvm: Any, experiment_id: str, run: Any) -> list:
    """Spans made on the JVM, read back by stock Python as traces."""
    # docs:start tracing
    tracer = jvm.tracing.tracer(experiment_id, run.run_id)
    with tracer.span("predict", attributes={"rows": 3}) as span:  # nested `with` blocks are children
        span.add_event("loaded")
    jvm.tracing.flush()
    traces = mlflow.search_traces(locations=[experiment_id], run_id=run.run_id, return_type="list")  # stock Python reads them
    # docs:end tracing
    return traces
