"""Live reflection: the installed clients' public methods against the catalog's classification."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from .catalog import CATALOG, classified_java, classified_python

JAVA_CLIENT = "org.mlflow.tracking.MlflowClient"
# The stock fluent API: looked at too when asking "does Java offer X?".
JAVA_STOCK_CLASSES = (JAVA_CLIENT, "org.mlflow.tracking.MlflowContext", "org.mlflow.tracking.ActiveRun")


def python_methods() -> set[str]:
    """Public methods of the installed Python `mlflow.tracking.MlflowClient`."""
    from mlflow.tracking import MlflowClient

    return {n for n in dir(MlflowClient) if not n.startswith("_") and callable(getattr(MlflowClient, n))}


def java_class(jvm: Any, name: str) -> Any:
    """The java.lang.Class called `name`, through a bridge.Mlflow session (either backend)."""
    return jvm.java_class("java.lang.Class").forName(name)


def java_methods(jvm: Any, name: str = JAVA_CLIENT) -> set[str]:
    """Names of the public methods that class `name` declares or inherits, less java.lang.Object's."""
    cls = java_class(jvm, name)
    return {str(m.getName()) for m in cls.getMethods() if str(m.getDeclaringClass().getName()) != "java.lang.Object"}


def java_overload_count(jvm: Any, name: str = JAVA_CLIENT) -> int:
    cls = java_class(jvm, name)
    return sum(1 for m in cls.getMethods() if str(m.getDeclaringClass().getName()) != "java.lang.Object")


@dataclass
class Reflection:
    python: set[str]
    java: set[str]
    java_overloads: int

    @property
    def unclassified_python(self) -> list[str]:
        return sorted(self.python - set(classified_python()))

    @property
    def unclassified_java(self) -> list[str]:
        return sorted(self.java - set(classified_java()))

    @property
    def stale_python(self) -> list[str]:
        """Classified by the catalog but not on the installed Python client."""
        return sorted(set(classified_python()) - self.python)

    @property
    def stale_java(self) -> list[str]:
        return sorted(set(classified_java()) - self.java)

    @property
    def ok(self) -> bool:
        return not (self.unclassified_python or self.unclassified_java or self.stale_python or self.stale_java or duplicates())

    def problems(self) -> list[str]:
        out = []
        if self.unclassified_python:
            out.append(f"unclassified Python MlflowClient methods: {', '.join(self.unclassified_python)}")
        if self.unclassified_java:
            out.append(f"unclassified Java MlflowClient methods: {', '.join(self.unclassified_java)}")
        if self.stale_python:
            out.append(f"catalogued Python methods that no longer exist: {', '.join(self.stale_python)}")
        if self.stale_java:
            out.append(f"catalogued Java methods that no longer exist: {', '.join(self.stale_java)}")
        for m, ids in duplicates().items():
            out.append(f"{m} is classified twice: {', '.join(ids)}")
        if out:
            out.append("classify them in bridge/parity/catalog.py (py_methods / java_methods of an entry)")
        return out


def duplicates() -> dict[str, list[str]]:
    counts = Counter(m for c in CATALOG for m in c.py_methods) + Counter(f"java:{m}" for c in CATALOG for m in c.java_methods)
    out = {}
    for m, n in counts.items():
        if n > 1:
            java = m.startswith("java:")
            name = m[5:] if java else m
            out[m] = [c.id for c in CATALOG if name in (c.java_methods if java else c.py_methods)]
    return out


def reflect(jvm: Any) -> Reflection:
    return Reflection(python_methods(), java_methods(jvm), java_overload_count(jvm))
