"""A figure: several samples of one measurement, reported as median with min and max."""

from __future__ import annotations

import statistics
import time
from dataclasses import dataclass, field
from typing import Any, Awaitable, Callable


@dataclass
class Figure:
    name: str
    unit: str
    samples: list[float]
    goal: float | None = None
    higher_is_better: bool = False
    note: str = ""
    extra: dict[str, Any] = field(default_factory=dict)  # context worth keeping (sizes, counts)

    @property
    def median(self) -> float:
        return statistics.median(self.samples)

    @property
    def meets_goal(self) -> bool | None:
        if self.goal is None:
            return None
        return self.median >= self.goal if self.higher_is_better else self.median <= self.goal

    def to_dict(self) -> dict[str, Any]:
        return {
            "median": _round(self.median), "min": _round(min(self.samples)), "max": _round(max(self.samples)),
            "runs": len(self.samples), "unit": self.unit, "goal": self.goal,
            "goal_is": "at least" if self.higher_is_better else "at most", "meets_goal": self.meets_goal,
            **({"note": self.note} if self.note else {}), **self.extra,
        }


def _round(value: float) -> float:
    return float(f"{value:.4g}")


async def sample_async(fn: Callable[[], Awaitable[float | None]], runs: int, warmup: int = 1,
                       cpu_ms: list[float] | None = None) -> list[float]:
    """Call ``fn`` ``warmup + runs`` times. ``fn`` returns its own figure, or None to be timed (ms).

    ``cpu_ms`` collects each run's CPU time: on a shared machine it moves far less than wall
    time when other jobs take the cores (it is only meaningful for runs that never sleep)."""
    samples: list[float] = []
    for i in range(warmup + runs):
        start, cpu_start = time.perf_counter(), time.process_time()
        value = await fn()
        cpu = (time.process_time() - cpu_start) * 1000
        if value is None:
            value = (time.perf_counter() - start) * 1000
        if i >= warmup:
            samples.append(value)
            if cpu_ms is not None:
                cpu_ms.append(cpu)
    return samples


def cpu_extra(cpu_ms: list[float]) -> dict[str, float]:
    return {"cpu_ms_median": float(f"{statistics.median(cpu_ms):.4g}")} if cpu_ms else {}


def format_table(figures: list[Figure]) -> str:
    rows = [("figure", "median", "min", "max", "unit", "goal", "")]
    for f in figures:
        goal = "" if f.goal is None else ("≥ " if f.higher_is_better else "≤ ") + f"{f.goal:,g}"
        mark = {True: "ok", False: "MISS", None: ""}[f.meets_goal]
        rows.append((f.name, _fmt(f.median), _fmt(min(f.samples)), _fmt(max(f.samples)), f.unit, goal, mark))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(c.ljust(w) if i in (0, 4, 5, 6) else c.rjust(w) for i, (c, w) in enumerate(zip(r, widths)))
             for r in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(line.rstrip() for line in lines)


def _fmt(value: float) -> str:
    if value >= 10_000:
        return f"{value:,.0f}"
    if value >= 100:
        return f"{value:.0f}"
    if value >= 10:
        return f"{value:.1f}"
    return f"{value:.3g}"
