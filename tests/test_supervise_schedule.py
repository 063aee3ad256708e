"""How a supervisor's plan is scheduled: dependencies first, failures skip what needs them, and a
cap on tasks in flight holds."""

from __future__ import annotations

import asyncio
import json

from teamtui.core import events as ev
from teamtui.core.models.base import ModelError, ModelRequest
from teamtui.core.models.scripted import ScriptedModel

from teamkit import of, run, statuses, team

SUP = """
name: sup
{extra}
agents:
  p: {{role: Planner}}
  a: {{role: First}}
  b: {{role: Second}}
flow: {{supervise: {{planner: p, workers: [a, b]{cap}}}}}
"""

#: t1 and t2 start at once; t3 needs both; t4 and t5 need t3; t6 needs t4 only.
PLAN = json.dumps({"tasks": [
    {"id": "t1", "worker": "a", "task": "one", "depends_on": []},
    {"id": "t2", "worker": "b", "task": "two", "depends_on": []},
    {"id": "t3", "worker": "a", "task": "three", "depends_on": ["t1", "t2"]},
    {"id": "t4", "worker": "b", "task": "four", "depends_on": ["t3"]},
    {"id": "t5", "worker": "a", "task": "five", "depends_on": ["t3"]},
    {"id": "t6", "worker": "b", "task": "six", "depends_on": ["t4"]},
]})
DEPS = {t["id"]: t["depends_on"] for t in json.loads(PLAN)["tasks"]}


def sup(extra: str = "", cap: str = ""):
    return team(SUP.format(extra=extra, cap=cap))


def task_times(result, kind) -> dict[str, float]:
    return {e.step.rsplit(".", 1)[-1]: e.seq for e in of(result, kind) if ".t." in e.step}


async def test_each_task_starts_after_all_it_depends_on_and_sees_their_results() -> None:
    def reply(request: ModelRequest) -> str:
        return "result of " + request.step.rsplit(".", 1)[-1]

    model = ScriptedModel({"p": [PLAN, "final"]}, default=reply, latency_s=0.01)
    result = await run(sup(), model)
    assert result.status == "done" and result.output == "final"
    started, finished = task_times(result, ev.AgentStarted), task_times(result, ev.AgentFinished)
    assert set(started) == set(DEPS)
    for tid, deps in DEPS.items():
        assert all(finished[d] < started[tid] for d in deps), tid
    prompt = next(c for c in model.calls if c.step == "1.t.t3").messages[-1]["content"]
    assert "result of t1" in prompt and "result of t2" in prompt


async def test_a_failed_task_skips_what_needs_it_and_the_rest_goes_on() -> None:
    def reply(request: ModelRequest) -> str:
        if request.step.endswith(".t4"):
            raise ModelError("bad request", status=400)
        return "ok"

    model = ScriptedModel({"p": [PLAN, "final"]}, default=reply)
    result = await run(sup("on_failure: degrade"), model)
    assert result.status == "done"
    steps = statuses(result)
    assert steps["1.t.t4"] == "failed" and steps["1.t.t6"] == "skipped"
    assert all(steps[f"1.t.{t}"] == "done" for t in ("t1", "t2", "t3", "t5"))
    assert set(result.missing) == {"1.t.t4", "1.t.t6"}


async def test_max_parallel_caps_the_tasks_in_flight() -> None:
    wide = json.dumps({"tasks": [{"id": f"w{i}", "worker": "ab"[i % 2], "task": "x", "depends_on": []}
                                 for i in range(6)]})
    in_flight, peak = [0], [0]

    class Counting(ScriptedModel):
        async def stream(self, request):
            in_flight[0] += 1
            peak[0] = max(peak[0], in_flight[0])
            try:
                await asyncio.sleep(0.01)
                async for chunk in super().stream(request):
                    yield chunk
            finally:
                in_flight[0] -= 1

    result = await run(sup(cap=", max_parallel: 2"), Counting({"p": [wide, "final"]}, default="ok"))
    assert result.status == "done" and len(task_times(result, ev.AgentFinished)) == 6
    assert peak[0] == 2
