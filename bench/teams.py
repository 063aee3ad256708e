"""The teams and plans the benchmarks run (built as data, so nothing here depends on a file)."""

from __future__ import annotations

import json
import random
from typing import Any

from teamtui.core.team import Team

SEQ3_YAML = """\
name: bench-seq3
description: Three agents in a row (benchmark).
agents:
  a: {role: Analyst, instructions: "Read the request and list what matters."}
  b: {role: Writer, instructions: "Write the answer from the analysis."}
  c: {role: Editor, instructions: "Tighten the answer."}
flow:
  sequence: [{agent: a}, {agent: b}, {agent: c}]
"""


def _agents(names: list[str]) -> dict[str, Any]:
    return {n: {"role": f"Worker {n}", "instructions": "Answer the task you are given."} for n in names}


def seq3() -> Team:
    return Team.model_validate({
        "name": "bench-seq3", "agents": _agents(["a", "b", "c"]),
        "flow": {"sequence": [{"agent": "a"}, {"agent": "b"}, {"agent": "c"}]},
    })


def single() -> Team:
    return Team.model_validate({"name": "bench-one", "agents": _agents(["a"]), "flow": {"agent": "a"}})


def parallel(n: int, agents: int = 1) -> Team:
    """``n`` branches over ``agents`` distinct agents (round-robin), no arbiter."""
    names = [f"w{i}" for i in range(agents)]
    return Team.model_validate({
        "name": f"bench-parallel{n}", "agents": _agents(names),
        "flow": {"parallel": [{"agent": names[i % agents]} for i in range(n)]},
    })


def supervise(workers: list[str], max_tasks: int = 2000) -> Team:
    return Team.model_validate({
        "name": "bench-supervise", "agents": _agents(["planner", *workers]),
        "flow": {"supervise": {"planner": "planner", "workers": workers, "max_tasks": max_tasks}},
    })


def plan_json(tasks: list[tuple[str, str, list[str]]]) -> str:
    """A planner's reply: (id, worker, depends_on) per task."""
    return json.dumps({"tasks": [{"id": tid, "worker": w, "task": f"do part {tid}", "depends_on": deps}
                                 for tid, w, deps in tasks]})


def independent_plan(n: int, worker: str = "w0") -> list[tuple[str, str, list[str]]]:
    return [(f"t{i}", worker, []) for i in range(n)]


def random_dag(n: int, workers: list[str], seed: int, max_deps: int = 2, window: int = 20
               ) -> list[tuple[str, str, list[str]]]:
    """``n`` tasks; each depends on up to ``max_deps`` of the ``window`` tasks before it."""
    rng = random.Random(seed)
    tasks = []
    for i in range(n):
        earlier = list(range(max(0, i - window), i))
        deps = rng.sample(earlier, min(len(earlier), rng.randint(0, max_deps)))
        tasks.append((f"t{i}", rng.choice(workers), [f"t{d}" for d in sorted(deps)]))
    return tasks


def critical_path(tasks: list[tuple[str, str, list[str]]], latency: dict[str, float]) -> float:
    """The longest chain of latencies through the plan (tasks come in dependency order)."""
    finish: dict[str, float] = {}
    for tid, worker, deps in tasks:
        finish[tid] = max((finish[d] for d in deps), default=0.0) + latency[worker]
    return max(finish.values())
