"""A cache of Java class references: resolving `jvm.a.b.C` per call costs ~0.6 ms on py4j."""

from __future__ import annotations

from typing import Any, Callable


class ClassCache:
    def __init__(self, resolve: Callable[[str], Any]):
        self._resolve = resolve
        self._cache: dict[str, Any] = {}

    def get(self, name: str) -> Any:
        cls = self._cache.get(name)
        if cls is None:
            cls = self._cache[name] = self._resolve(name)
        return cls
