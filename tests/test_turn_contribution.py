"""A turn hands on the contribution it added to the shared memory, so a supervisor keeps one
record per task for the rest of the run, not a copy of it; results still reach the tasks that
need them and the synthesis, each under its own task."""

from __future__ import annotations

import asyncio

from teamtui.core.agent import Turn, TurnRunner
from teamtui.core.context import RunContext
from teamtui.core.models.base import ModelRequest
from teamtui.core.models.scripted import ScriptedModel
from teamtui.core.runtime import Runner, RunOptions
from teamtui.core.stream import EventStream

from teamkit import SOFTWARE_HOUSE, team
from test_supervise_schedule import DEPS, PLAN, sup


async def test_a_turn_hands_on_the_contribution_it_added_to_memory() -> None:
    t = team(SOFTWARE_HOUSE)
    stream = EventStream()
    ctx = RunContext(team=t, run_id="r", stream=stream, models={"pm": ScriptedModel(["the spec"])}, request="go")
    result = await TurnRunner(ctx).run(Turn(agent="pm", step="1", prompt="write the spec"))
    assert result.contribution is ctx.memory.history[-1]
    assert (result.contribution.agent, result.contribution.step, result.contribution.text) == ("pm", "1", "the spec")


async def test_supervised_tasks_pass_on_their_own_results_to_dependents_and_synthesis() -> None:
    def reply(request: ModelRequest) -> str:
        return "result of " + request.step.rsplit(".", 1)[-1]

    model = ScriptedModel({"p": [PLAN, "final"]}, default=reply)
    handle = Runner(sup(), RunOptions(models={"*": model})).start("go")
    assert (await asyncio.wait_for(handle.wait(), 10)).status == "done"
    roles = {"a": "First", "b": "Second"}
    workers = {"t1": "a", "t2": "b", "t3": "a", "t4": "b", "t5": "a", "t6": "b"}

    def section(tid: str) -> str:
        return f"### {workers[tid]} ({roles[workers[tid]]}), step 1.t.{tid}\nresult of {tid}"

    for tid, deps in DEPS.items():
        prompt = next(c for c in model.calls if c.step == f"1.t.{tid}").messages[-1]["content"]
        assert all(section(d) in prompt for d in deps), tid
    synthesis = model.calls[-1].messages[-1]["content"]
    assert all(section(tid) in synthesis for tid in DEPS)
    memory = handle._control.ctx.memory.history
    assert sorted(c.step for c in memory if ".t." in c.step) == sorted(f"1.t.{t}" for t in DEPS)
