"""Every step is announced with its label, kind, agent, parent, dependencies, round and instruction
in the right fields (``StepAdded`` is built from positional arguments on that path, and a plan's
step ids are made once for the whole plan), and the event still round-trips through the journal
shape by name."""

from __future__ import annotations

import asyncio
import json

from teamtui.core import events as ev
from teamtui.core.models.scripted import ScriptedModel
from teamtui.core.runtime import Runner, RunOptions

from teamkit import SOFTWARE_HOUSE, of, team
from test_supervise_schedule import PLAN, sup


async def test_plan_tasks_are_announced_with_their_own_fields() -> None:
    model = ScriptedModel({"p": [PLAN, "final"]}, default="done")
    result = await asyncio.wait_for(Runner(sup(), RunOptions(models={"*": model})).run("go"), 10)
    assert result.status == "done"
    added = {e.step: e for e in of(result, ev.StepAdded)}
    for task in json.loads(PLAN)["tasks"]:
        e = added[f"1.t.{task['id']}"]
        deps = tuple(f"1.t.{d}" for d in task["depends_on"]) or ("1.plan",)
        assert (e.label, e.step_kind, e.agent, e.parent, e.depends_on, e.round, e.instruction) == (
            task["id"], "task", task["worker"], "1", deps, None, task["task"])


async def test_loop_steps_carry_their_round_and_the_event_round_trips() -> None:
    model = ScriptedModel({"pm": ["spec"], "developer": ["c1"], "qa": ["APPROVED"]})
    result = await asyncio.wait_for(Runner(team(SOFTWARE_HOUSE), RunOptions(models={"*": model})).run("go"), 10)
    dev = next(e for e in of(result, ev.StepAdded) if e.agent == "developer")
    assert (dev.step, dev.step_kind, dev.parent, dev.round, dev.depends_on) == ("2.r1.1", "agent", "2", 1, ("1",))
    again = ev.Event.from_dict(json.loads(json.dumps(dev.to_dict())))
    assert again == dev


def test_the_context_keeps_each_announced_step_with_its_own_fields() -> None:
    """``StepInfo`` is built from positional arguments too: a new step is pending, not started yet."""
    from teamtui.core.context import RunContext
    from teamtui.core.stream import EventStream

    ctx = RunContext(team=team(SOFTWARE_HOUSE), run_id="r", stream=EventStream(), models={})
    info = ctx.add_step("1.t.a", "a", "task", agent="pm", parent="1", depends_on=("1.plan",), instruction="do a")
    assert (info.id, info.label, info.kind, info.agent, info.parent, info.depends_on) == (
        "1.t.a", "a", "task", "pm", "1", ("1.plan",))
    assert (info.status, info.started, info.instruction) == (ev.PENDING, None, "do a")
    assert ctx.steps["1.t.a"] is info
