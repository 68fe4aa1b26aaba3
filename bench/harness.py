"""The benchmark harness: a registry of named benchmarks and the figures they report.

A benchmark is a function `(ctx: Context) -> Iterable[Figure]` registered with `@benchmark`
in a module of `bench/benchmarks/`. It runs against whatever database Django is configured
for (`run.py` makes a fresh one), measures its subject and a baseline in the same run, and
yields one Figure per number. Each figure prints as one JSON line.
"""

from __future__ import annotations

import importlib
import json
import pkgutil
import resource
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

SCALES = ("small", "full")


@dataclass(frozen=True)
class Context:
    """What a benchmark is run with: the scale, a scratch folder, the database vendor."""

    scale: str  # "small", "full", or "tiny" (the smoke test)
    workdir: Path
    db: str  # "sqlite" or "postgresql"
    log: Callable[[str], None] = field(default=lambda message: None)
    reuse: bool = False  # the workdir's database holds data a benchmark generated before


@dataclass(frozen=True)
class Figure:
    """One measured number beside its baseline from the same run.

    `ratio` is value / baseline; `goal` says in words what the ratio (or value) should be, and
    `met` whether it is.
    """

    bench: str
    figure: str
    value: float
    unit: str
    baseline: float | None
    ratio: float | None
    goal: str
    met: bool | None
    extra: dict[str, Any] = field(default_factory=dict)

    def as_json(self, **context: Any) -> str:
        data = {
            "bench": self.bench,
            "figure": self.figure,
            "value": self.value,
            "unit": self.unit,
            "baseline": self.baseline,
            "ratio": self.ratio,
            "goal": self.goal,
            "met": self.met,
            **context,
            **self.extra,
        }
        return json.dumps(data)


Benchmark = Callable[[Context], Iterable[Figure]]


@dataclass(frozen=True)
class Registered:
    name: str
    description: str
    run: Benchmark


REGISTRY: dict[str, Registered] = {}


def benchmark(name: str, description: str) -> Callable[[Benchmark], Benchmark]:
    """Register a benchmark under `name` (what `run.py NAME` runs)."""

    def register(function: Benchmark) -> Benchmark:
        if name in REGISTRY and REGISTRY[name].run is not function:
            raise ValueError(f"benchmark {name!r} is registered twice")
        REGISTRY[name] = Registered(name, description, function)
        return function

    return register


def discover() -> dict[str, Registered]:
    """Import every module of bench/benchmarks/ so that each registers its benchmarks."""
    import bench.benchmarks as package

    for module in pkgutil.iter_modules(package.__path__):
        importlib.import_module(f"{package.__name__}.{module.name}")
    return REGISTRY


def peak_rss_mib() -> float:
    """The process's peak resident memory so far, in MiB."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    # Linux reports KiB, macOS bytes.
    return round(peak / (1024 * 1024 if sys.platform == "darwin" else 1024), 1)


def rate_figure(
    bench: str, figure: str, rows: int, seconds: float, baseline_seconds: float, at_least: float
) -> Figure:
    """Rows per second of the subject beside the baseline's, with the goal on their ratio."""
    value = rows / seconds if seconds else 0.0
    baseline = rows / baseline_seconds if baseline_seconds else 0.0
    ratio = value / baseline if baseline else None
    return Figure(
        bench=bench,
        figure=figure,
        value=round(value, 1),
        unit="rows/s",
        baseline=round(baseline, 1),
        ratio=None if ratio is None else round(ratio, 3),
        goal=f"ratio >= {at_least:.3g}",
        met=None if ratio is None else ratio >= at_least,
        extra={
            "rows": rows,
            "seconds": round(seconds, 2),
            "baseline_seconds": round(baseline_seconds, 2),
        },
    )
