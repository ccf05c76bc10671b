"""Java/Python parity, generated from bridge/parity/catalog.py (the single source).

- test_stock_java: for every GAP and BRIDGED entry, the stock-Java attempt, a strict xfail whose
  reason is the catalog line. It may only fail with GapConfirmed: any other error is a real
  failure, and a pass (XPASS, strict) means the stock client caught up: update the catalog.
- test_workaround: for every BRIDGED entry, our function, which must pass.
- test_parity: for every PARITY entry, both clients must give the same answer.

Backends: comparisons and workarounds run through both bridges (jpype, py4j); stock-Java attempts
once (jpype), because what the stock client can do does not depend on how Python reaches it.
"""

from __future__ import annotations

import dataclasses

import pytest

from bridge.parity.catalog import BRIDGED, CATALOG, GAP, PARITY
from bridge.parity.checks import CHECKS, Ctx, GapConfirmed, run_check

UPDATE = " -- an XPASS here means the stock Java client does it now: update bridge/parity/catalog.py"


def _params(kind: str) -> list:
    out = []
    for cap in CATALOG:
        if kind == "stock" and cap.status in (GAP, BRIDGED):
            name = cap.check
            marks = [pytest.mark.xfail(strict=True, raises=GapConfirmed, reason=cap.line() + UPDATE)]
        elif kind == "workaround" and cap.status == BRIDGED:
            name, marks = cap.workaround, []
        elif kind == "parity" and cap.status == PARITY:
            name, marks = cap.check, []
        else:
            continue
        if CHECKS[name].needs_spark or CHECKS[name].needs_connect:
            marks = marks + [pytest.mark.spark]
        for backend in CHECKS[name].backends:
            out.append(pytest.param(name, backend, marks=marks, id=f"{cap.id}-{backend}"))
    return out


@pytest.fixture(scope="module")
def ctxs(sessions, mlflow_client, tracking_uri, spark):
    return {b: Ctx(s, mlflow_client, tracking_uri, spark) for b, s in sessions.items()}


def _ctx(ctxs, check_name: str, backend: str, request) -> Ctx:
    """The backend's context; with the session's Connect server for the checks that need one (started only then)."""
    if not CHECKS[check_name].needs_connect:
        return ctxs[backend]
    return dataclasses.replace(ctxs[backend], connect_url=request.getfixturevalue("connect_server").url)


@pytest.mark.parametrize("check_name,backend", _params("stock"))
def test_stock_java(ctxs, check_name, backend, request):
    run_check(check_name, _ctx(ctxs, check_name, backend, request))


@pytest.mark.parametrize("check_name,backend", _params("workaround"))
def test_workaround(ctxs, check_name, backend, request):
    run_check(check_name, _ctx(ctxs, check_name, backend, request))


@pytest.mark.parametrize("check_name,backend", _params("parity"))
def test_parity(ctxs, check_name, backend, request):
    run_check(check_name, _ctx(ctxs, check_name, backend, request))
