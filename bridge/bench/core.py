"""What a benchmark row produces: measurements of contenders, and targets checked against them.

A row's result is plain data (`RowResult.to_json()`), so the table of docs/benchmarks.md can be rendered from
the JSON file alone, long after the run.
"""

from __future__ import annotations

import statistics
import time
from dataclasses import asdict, dataclass, field
from typing import Any, Callable, Literal


@dataclass
class Measurement:
    """One contender on one case: samples of `unit` (seconds unless said), their median."""

    case: str  # e.g. "1 KB upload"
    contender: str  # e.g. "ours (jvm.artifacts.log, JPype)"
    samples: list[float]
    unit: str = "s"
    extra: dict[str, Any] = field(default_factory=dict)  # e.g. peak memory, "tracking server started"

    @property
    def median(self) -> float:
        return statistics.median(self.samples)


@dataclass
class Target:
    """`value` (a ratio or an absolute figure) checked against `goal` with `op`."""

    label: str  # e.g. "1 KB upload: ours vs stock Java client, speed-up"
    value: float
    op: Literal["<=", ">="]
    goal: float
    unit: str = "x"  # "x" for ratios, else the absolute unit ("us")

    @property
    def met(self) -> bool:
        return self.value <= self.goal if self.op == "<=" else self.value >= self.goal

    @property
    def miss_factor(self) -> float:
        """How many times off the goal a missed target is (1.0 when met)."""
        if self.met or self.value <= 0:
            return 1.0
        return self.value / self.goal if self.op == "<=" else self.goal / self.value

    def to_json(self) -> dict[str, Any]:
        return {**asdict(self), "met": self.met, "miss_factor": self.miss_factor}


@dataclass
class RowResult:
    id: str  # "P1"
    title: str
    measurements: list[Measurement] = field(default_factory=list)
    targets: list[Target] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # repeats that differ from --repeat, what memory means, ...
    profile_note: str = ""
    seconds: float = 0.0  # wall time of the whole row

    def median(self, case: str, contender: str) -> float:
        for m in self.measurements:
            if m.case == case and m.contender == contender:
                return m.median
        raise KeyError(f"{self.id}: no measurement of {contender!r} on {case!r}")

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "seconds": round(self.seconds, 1),
            "profile_note": self.profile_note,
            "notes": self.notes,
            "measurements": [{**asdict(m), "median": m.median} for m in self.measurements],
            "targets": [t.to_json() for t in self.targets],
        }


@dataclass
class Contender:
    """One way of doing a case's job. `setup` (untimed) gives what `run` takes; `teardown`
    (untimed) cleans after it; `repeat` caps the suite's --repeat for slow contenders; `warm`:
    one untimed call first (class loading, JIT), skipped for the slow ones."""

    name: str
    run: Callable[[Any], Any]
    setup: Callable[[], Any] = lambda: None
    teardown: Callable[[Any], None] = lambda _: None
    repeat: int | None = None
    warm: bool = True


def time_side_by_side(case: str, contenders: list[Contender], repeat: int, progress: Callable[[str], None]) -> list[Measurement]:
    """Time each contender `repeat` times (or its own cap), interleaved round by round so that a
    machine that slows down mid-way slows every contender alike. A `run` that returns a dict
    adds its values (e.g. peak memory) to the measurement's `extra`, one per sample."""
    samples: dict[str, list[float]] = {c.name: [] for c in contenders}
    extras: dict[str, dict[str, list[Any]]] = {c.name: {} for c in contenders}
    for c in contenders:
        if c.warm:
            arg = c.setup()
            try:
                c.run(arg)
            finally:
                c.teardown(arg)
    for i in range(repeat):
        for c in contenders:
            if i >= (c.repeat if c.repeat is not None else repeat):
                continue
            arg = c.setup()
            t0 = time.perf_counter()
            try:
                result = c.run(arg)
            finally:
                elapsed = time.perf_counter() - t0
                c.teardown(arg)
            samples[c.name].append(elapsed)
            if isinstance(result, dict):
                for key, value in result.items():
                    extras[c.name].setdefault(key, []).append(value)
            progress(f"{case}: {c.name} #{i + 1}: {elapsed:.3f}s" + (f" {result}" if isinstance(result, dict) else ""))
    return [Measurement(case, c.name, samples[c.name], extra=extras[c.name]) for c in contenders if samples[c.name]]


def speedup(label: str, slow: float, fast: float, goal: float) -> Target:
    """`fast` must be at least `goal` times faster than `slow`."""
    return Target(label, slow / fast, ">=", goal)


def within(label: str, ours: float, reference: float, goal: float) -> Target:
    """`ours` must be at most `goal` times `reference`."""
    return Target(label, ours / reference, "<=", goal)
