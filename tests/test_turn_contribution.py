"""A turn hands on the contribution it added to the shared memory, so a supervisor keeps one
record per task for the rest of the run, not a copy of it; results still reach the tasks that
need them and the synthesis, each under its own task."""

from __future__ import annotations

import asyncio

from teamtui.core.agent import Turn, TurnRunner
from teamtui.core.context import RunContext
from teamtui.core.models.base import ModelRequest
from teamtui.core.models.scripted import ScriptedModel
from teamtui.core.patterns import FlowRunner, Scope
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


PAIR = """
name: pair
agents:
  a: {role: First}
  b: {role: Second}
flow:
  parallel: [{agent: a}, {agent: b}]
"""


async def test_agent_steps_hand_on_the_memory_record_not_a_copy() -> None:
    t = team(PAIR)
    ctx = RunContext(team=t, run_id="r", stream=EventStream(), models={"a": ScriptedModel(["from a"]),
                                                                       "b": ScriptedModel(["from b"])}, request="go")
    outcome = await FlowRunner(ctx).run(t.flow, "1", Scope())
    by_step = {c.step: c for c in ctx.memory.history}
    assert [(c.agent, c.step, c.text) for c in outcome.produced] == [("a", "1.1", "from a"), ("b", "1.2", "from b")]
    assert all(c is by_step[c.step] for c in outcome.produced)


async def test_an_agent_step_cancelled_before_it_ran_still_produces_an_empty_contribution() -> None:
    t = team(PAIR)
    ctx = RunContext(team=t, run_id="r", stream=EventStream(), models={"a": ScriptedModel(["from a"]),
                                                                       "b": ScriptedModel(["from b"])}, request="go")
    ctx.control("1.1").interrupt("cancel")
    outcome = await FlowRunner(ctx).run(t.flow, "1", Scope())
    assert [(c.agent, c.step, c.text) for c in outcome.produced] == [("a", "1.1", ""), ("b", "1.2", "from b")]
    assert [c.step for c in ctx.memory.history] == ["1.2"]
