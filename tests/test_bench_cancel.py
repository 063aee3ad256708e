"""How a step command's cancellation is told from the run's. A model call runs in the turn's own
task (a child task per call cost ~10% of an instant turn): a command cancels that task and the
call takes back just that cancellation, the way asyncio.timeout does. These tests pin down the
cases that must keep working."""

from __future__ import annotations

import asyncio

from teamtui.core import events as ev
from teamtui.core.models.base import ModelError, ModelRequest, TextChunk, UsageChunk
from teamtui.core.models.scripted import ScriptedModel
from teamtui.core.runtime import Runner, RunOptions

from teamkit import of, team

SEQ2 = """
name: seq2
agents:
  a: {role: First}
  b: {role: Second}
flow: {sequence: [{agent: a}, {agent: b}]}
"""

PAR2 = """
name: par2
agents:
  a: {role: First}
  b: {role: Second}
flow: {parallel: [{agent: a}, {agent: b}]}
"""


async def started(handle, agent: str) -> None:
    async def scan() -> None:
        async for event in handle.subscribe():
            if isinstance(event, ev.AgentStarted) and event.agent == agent:
                return

    await asyncio.wait_for(scan(), 5)


async def test_stop_together_with_a_step_cancel_still_stops_the_run() -> None:
    model = ScriptedModel({"a": ["A"], "b": ["B"]}, latency_s=0.5)
    handle = Runner(team(SEQ2), RunOptions(models={"*": model})).start("go")
    await started(handle, "a")
    handle.cancel_step("1")
    handle.stop()
    result = await asyncio.wait_for(handle.wait(), 5)
    assert result.status == "stopped"
    assert [c.agent for c in model.calls] == ["a"]  # b never started


async def test_cancelling_one_parallel_branch_leaves_the_other_running() -> None:
    model = ScriptedModel({"a": ["A slow answer"], "b": ["B slow answer"]}, latency_s=0.3)
    handle = Runner(team(PAR2), RunOptions(models={"*": model})).start("go")
    await started(handle, "a")
    await started(handle, "b")
    handle.cancel_step("1.1")
    result = await asyncio.wait_for(handle.wait(), 5)
    # The run goes on to its end; as its answer joins the cut branch's reply, it ends stopped, not done.
    assert (result.status, result.stopped_by) == ("stopped", "user") and "step 1.1" in result.error
    finished = {e.step: e for e in of(result, ev.AgentFinished)}
    assert finished["1.1"].interrupted and not finished["1.2"].interrupted
    assert finished["1.2"].text == "B slow answer"


async def test_a_cancel_after_the_run_task_was_cancelled_elsewhere_is_not_swallowed() -> None:
    # The run's own timeout cancels the same task a step command would: it must still end the run.
    slow = team(SEQ2.replace("name: seq2", "name: seq2\ntimeout: 0.2"))
    model = ScriptedModel({"a": ["A"], "b": ["B"]}, latency_s=1.0)
    result = await asyncio.wait_for(Runner(slow, RunOptions(models={"*": model})).run("go"), 5)
    assert result.status == "failed" and "timeout" in (result.error or "")


async def test_a_command_from_inside_the_call_ends_that_call_and_nothing_else() -> None:
    # A sink runs inside the emitting task: a command it issues must end the call it came from,
    # even though the call never waits again, and must not land later on another step.
    holder: list = []
    seen: list[int] = []

    def sink(event: ev.Event) -> None:
        if isinstance(event, ev.TextDelta) and event.step == "1" and not seen:
            seen.append(1)
            holder[0].cancel_step("1")

    def reply_b(request: ModelRequest) -> str:
        seen.append(asyncio.current_task().cancelling())
        return "B"

    model = ScriptedModel({"a": ["A"], "b": [reply_b]}, latency_s=0.01)
    holder.append(Runner(team(SEQ2), RunOptions(models={"*": model}, sinks=[sink])).start("go"))
    result = await asyncio.wait_for(holder[0].wait(), 5)
    assert result.status == "done" and result.output == "B"
    assert [e.step for e in of(result, ev.AgentFinished) if e.interrupted] == ["1"]
    assert seen == [1, 0]  # b's call ran with no cancellation pending on its task


class _Stubborn:
    """A model that swallows the cancellation of its call and answers anyway."""

    label, is_demo = "stubborn", False

    async def stream(self, request: ModelRequest):
        try:
            await asyncio.sleep(5)
        except asyncio.CancelledError:
            pass
        yield TextChunk("kept going")
        yield UsageChunk()


async def test_a_model_that_swallows_the_cancellation_leaves_none_behind() -> None:
    counts: list[int] = []

    def reply_b(request: ModelRequest) -> str:
        counts.append(asyncio.current_task().cancelling())
        return "B"

    handle = Runner(team(SEQ2), RunOptions(models={"a": _Stubborn(), "b": ScriptedModel({"b": [reply_b]})})).start("go")
    await started(handle, "a")
    handle.cancel_step("1")
    result = await asyncio.wait_for(handle.wait(), 5)
    assert result.status == "done" and result.output == "B"
    assert counts == [0]


async def test_cancelling_a_supervised_task_leaves_the_plan_running() -> None:
    plan = '{"tasks": [{"id": "x", "worker": "a", "task": "slow", "depends_on": []}, ' \
           '{"id": "y", "worker": "b", "task": "quick", "depends_on": []}, ' \
           '{"id": "z", "worker": "b", "task": "after x", "depends_on": ["x"]}]}'
    sup = team("""
name: sup
agents:
  p: {role: Planner}
  a: {role: First}
  b: {role: Second}
flow: {supervise: {planner: p, workers: [a, b]}}
""")
    models = {"p": ScriptedModel([plan, "final"]), "a": ScriptedModel(default="slow answer", latency_s=5),
              "b": ScriptedModel(default="B")}
    handle = Runner(sup, RunOptions(models=models)).start("go")
    await started(handle, "a")
    handle.cancel_step("1.t.x")
    result = await asyncio.wait_for(handle.wait(), 5)
    assert result.status == "done" and result.output == "final"
    finished = {e.step: e for e in of(result, ev.AgentFinished)}
    assert finished["1.t.x"].interrupted and not finished["1.t.z"].interrupted


class _Translating:
    """A model that turns the cancellation of its call into a retryable error (as an HTTP client may)."""

    label, is_demo = "translating", False

    async def stream(self, request: ModelRequest):
        try:
            await asyncio.sleep(5)
        except asyncio.CancelledError:
            raise ModelError("connection closed", retryable=True) from None
        yield TextChunk("never")


async def test_a_cancel_the_model_turned_into_an_error_skips_the_retry_wait() -> None:
    handle = Runner(team(SEQ2), RunOptions(models={"a": _Translating(), "b": ScriptedModel(default="B")})).start("go")
    await started(handle, "a")
    cancelled = asyncio.get_running_loop().time()
    handle.cancel_step("1")
    result = await asyncio.wait_for(handle.wait(), 5)
    assert asyncio.get_running_loop().time() - cancelled < 0.2  # a first retry waits 0.25-0.5 s
    assert result.status == "done" and result.output == "B"
    assert [e.step for e in of(result, ev.AgentFinished) if e.interrupted] == ["1"]
