"""The live checks the catalog names (bridge/parity/catalog.py: `check`, `workaround`), one module
per catalog section. A stock attempt that only asks "does the stock client have such a method?"
is not written out: the catalog's `stock_methods` drives one generic check."""

from __future__ import annotations

from ..catalog import CATALOG
from . import artifacts, connecting, models, registry, spark_connect, tracking  # noqa: F401 - they register their checks
from .base import CHECKS, ONE, Check, Ctx, GapConfirmed, NeedsConnect, NeedsSpark, require_stock, run_check


def _method_check(pattern: str, what: str):
    return lambda ctx: require_stock(ctx, pattern, what)


for _cap in CATALOG:
    if _cap.stock_methods:
        assert _cap.check not in CHECKS, f"{_cap.id}: {_cap.check} is both written out and generated"
        CHECKS[_cap.check] = Check(_cap.check, _method_check(_cap.stock_methods, _cap.python), ONE, f"the stock classes have /{_cap.stock_methods}/")

__all__ = ["CHECKS", "Ctx", "GapConfirmed", "NeedsConnect", "NeedsSpark", "run_check"]
