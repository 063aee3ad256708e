"""How a step command's cancellation is told from the run's. The benchmarks tried running each
model call in the turn's own task (a child task per call costs 6-9% of an instant turn); that
broke a redirect issued while a call runs, so the child task stays, and these tests pin down the
cases any such speed-up must keep."""

from __future__ import annotations

import asyncio

from teamtui.core import events as ev
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
    assert result.status == "done"
    finished = {e.step: e for e in of(result, ev.AgentFinished)}
    assert finished["1.1"].interrupted and not finished["1.2"].interrupted
    assert finished["1.2"].text == "B slow answer"


async def test_a_cancel_after_the_run_task_was_cancelled_elsewhere_is_not_swallowed() -> None:
    # The run's own timeout cancels the same task a step command would: it must still end the run.
    slow = team(SEQ2.replace("name: seq2", "name: seq2\ntimeout: 0.2"))
    model = ScriptedModel({"a": ["A"], "b": ["B"]}, latency_s=1.0)
    result = await asyncio.wait_for(Runner(slow, RunOptions(models={"*": model})).run("go"), 5)
    assert result.status == "failed" and "timeout" in (result.error or "")
