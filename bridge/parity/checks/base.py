"""The checks' common ground: the context, the registry of checks, and helpers.

The live checks the catalog names (bridge/parity/catalog.py: `check`, `workaround`).

Every check takes a Ctx (a bridge.Mlflow session on one backend, a Python MlflowClient on the same server).

- parity_*:  both clients do it; the check compares their answers and raises AssertionError if
             they differ.
- stock_*:   the stock-Java attempt at something Java cannot do. It raises GapConfirmed (with the
             evidence) while the gap is real, and returns normally when the stock client can do it:
             the day upstream closes the gap, the strict xfail of tests/parity/test_parity_checks.py turns
             into a failure that says "update the catalog".
- bridge_*:  our workaround, which must pass.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import uuid
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator, Mapping

from ..reflect import JAVA_STOCK_CLASSES, java_class, java_methods
from ..runs import SYSTEM_TAGS

BOTH = ("jpype", "py4j")


ONE = ("jpype",)  # the stock client's abilities do not depend on the bridge


class GapConfirmed(AssertionError):
    """The stock Java client cannot do it (today); the message is the evidence."""


class NeedsSpark(Exception):
    """The check needs a SparkSession, which this context does not have (JPype backend)."""


class NeedsConnect(NeedsSpark):
    """The check needs a Spark Connect server (with the bridge's plugin), which this context does not name."""


@dataclass
class Ctx:
    jvm: Any  # bridge.Mlflow
    py: Any  # mlflow.tracking.MlflowClient on the same server
    tracking_uri: str
    spark: Any = None  # pyspark SparkSession sharing the py4j backend's JVM, if any
    connect_url: str | None = None  # sc://host:port of a Spark Connect server with the bridge's plugin, if any
    cache: dict = field(default_factory=dict)

    @property
    def backend(self) -> str:
        return self.jvm.backend

    @property
    def client(self) -> Any:
        """The stock org.mlflow.tracking.MlflowClient (errors translated to bridge errors)."""
        return self.jvm.client

    def cls(self, name: str) -> Any:
        """A stock Java class (the subject of the parity checks), calls raising bridge errors."""
        return self.jvm.java_class(name)

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

    def need_connect(self) -> str:
        if not self.connect_url:
            raise NeedsConnect("needs a Spark Connect server: give --connect sc://host:port (mlflow-bridge connect-server)")
        return self.connect_url


@dataclass(frozen=True)
class Check:
    name: str
    fn: Callable[[Ctx], None]
    backends: tuple[str, ...]
    doc: str

    needs_spark: bool = False
    needs_connect: bool = False


CHECKS: dict[str, Check] = {}


_CHILD_RESULTS: dict[tuple, Any] = {}


def check(name: str | None = None, backends: tuple[str, ...] = BOTH, spark: bool = False, connect: bool = False):
    def register(fn: Callable[[Ctx], None]) -> Callable[[Ctx], None]:
        key = name or fn.__name__
        doc = (fn.__doc__ or "").strip().splitlines()[0] if fn.__doc__ else ""
        CHECKS[key] = Check(key, fn, backends, doc, spark, connect)
        return fn

    return register


def stock_offers(ctx: Ctx, pattern: str) -> list[str]:
    """`Class.method` of the stock client classes whose method name matches `pattern`."""
    rx = re.compile(pattern)
    found = []
    for cls in JAVA_STOCK_CLASSES:
        found += [f"{cls.rsplit('.', 1)[1]}.{m}" for m in sorted(java_methods(ctx.jvm, cls)) if rx.search(m)]
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
        java_class(ctx.jvm, name)
        return True
    except Exception:  # noqa: BLE001 - ClassNotFoundException on either backend
        return False


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


def overlay(base: Mapping[str, str], env: dict[str, str | None]) -> dict[str, str]:
    """`base` with `env` on top; a None value removes the variable."""
    out = dict(base)
    for k, v in env.items():
        if v is None:
            out.pop(k, None)
        else:
            out[k] = v
    return out


def _run_child(spec: dict, env: dict[str, str | None], module: str = "bridge.parity.child") -> dict:
    """Run `module` (default bridge/parity/child.py: a fresh interpreter+JVM) with `env` on top of ours."""
    full_env = overlay(os.environ, env)
    repo_root = str(Path(__file__).resolve().parents[3])  # bridge/parity/checks/base.py
    full_env["PYTHONPATH"] = repo_root + (os.pathsep + full_env["PYTHONPATH"] if full_env.get("PYTHONPATH") else "")
    r = subprocess.run([sys.executable, "-m", module, json.dumps(spec)], env=full_env, capture_output=True, text=True, timeout=300)
    for line in r.stdout.splitlines():
        if line.startswith("PARITY-CHILD "):
            return json.loads(line[len("PARITY-CHILD ") :])
    raise RuntimeError(f"parity child exited {r.returncode} without a result: {(r.stderr or r.stdout)[-1500:]}")


def run_check(name: str, ctx: Ctx) -> None:
    CHECKS[name].fn(ctx)
