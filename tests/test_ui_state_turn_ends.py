"""A turn that ends without its AgentFinished (its step failed, the run stopped, a redirect abandoned
it): the view state closes it from the step's status, on the events of real runs (Runner + ScriptedModel)."""

from __future__ import annotations

import asyncio

from teamtui.core import events as ev
from teamtui.core.models.base import ModelError, ModelRequest
from teamtui.core.models.scripted import ScriptedModel
from teamtui.core.runtime import Runner, RunOptions
from teamtui.ui import state as st
from teamtui.ui.state import RunState

from teamkit import SEQ3, run, team


def split_after(events, step: str, status: str) -> tuple[list[ev.Event], list[ev.Event]]:
    """The events up to and including ``step``'s first move to ``status``, and the rest."""
    for i, event in enumerate(events):
        if isinstance(event, ev.StepStatusChanged) and (event.step, event.status) == (step, status):
            return list(events[: i + 1]), list(events[i + 1:])
    raise AssertionError(f"step {step} never became {status}")


async def test_a_failed_call_leaves_its_agent_failed_not_thinking() -> None:
    model = ScriptedModel({"a": ["A"], "b": [ModelError("no such model", retryable=False)]})
    result = await run(team(SEQ3), model)
    assert result.status == ev.RUN_FAILED
    assert not [e for e in result.events if isinstance(e, ev.AgentFinished) and e.agent == "b"]  # the core's way
    head, rest = split_after(result.events, "2", ev.FAILED)
    state = RunState()
    changes = state.apply(head)
    assert state.agent_status("b") == st.AGENT_FAILED
    [turn] = state.agents["b"].turns
    assert turn.status == ev.FAILED and turn in changes.finished_turns  # the pane shows it ended
    state.apply(rest)
    assert state.finished and state.agent_status("b") == st.AGENT_FAILED and state.agents["b"].turns == [turn]


async def test_a_budget_stop_leaves_the_agent_still_calling_stopped() -> None:
    # a's reply crosses the hard limit; the run stops before anything new starts and cuts b's call,
    # still in flight, which never gets its AgentFinished.
    both = team("""
        name: both
        budget: {max_tokens: 40}
        agents:
          a: {role: Fast}
          b: {role: Slow}
        flow: {parallel: {branches: [{agent: a}, {agent: b}]}}
    """)
    models = {"a": ScriptedModel(default="word " * 60, latency_s=0.05), "b": ScriptedModel(default="fine", latency_s=5)}
    result = await asyncio.wait_for(Runner(both, RunOptions(models=models)).run("go"), 10)
    assert result.status == ev.RUN_STOPPED
    assert not [e for e in result.events if isinstance(e, ev.AgentFinished) and e.agent == "b"]  # the core's way
    state = RunState()
    state.apply(result.events)
    [turn] = state.agents["b"].turns
    assert turn.status == ev.INTERRUPTED and state.agent_status("b") == st.AGENT_STOPPED
    assert state.agent_status("a") != st.AGENT_STOPPED  # its turn finished: the limit keeps its reply
    assert all(not agent.active for agent in state.agents.values())


class HoldsC:
    """Answers at once, except c's first call: one chunk streamed, then it waits until cancelled."""

    label = "scripted"
    is_demo = False

    def __init__(self) -> None:
        self.inner = ScriptedModel(default="fine")
        self.c_calls = 0
        self.c_streaming = asyncio.Event()

    async def stream(self, request: ModelRequest):
        if request.agent == "c":
            self.c_calls += 1
            if self.c_calls == 1:
                async for chunk in self.inner.stream(request):
                    yield chunk
                    break
                self.c_streaming.set()
                await asyncio.Event().wait()
        async for chunk in self.inner.stream(request):
            yield chunk


async def test_a_redirect_that_abandons_a_streaming_step_leaves_its_agent_waiting_and_logs_it() -> None:
    model = HoldsC()
    handle = Runner(team(SEQ3), RunOptions(models={"*": model})).start("go")
    await asyncio.wait_for(model.c_streaming.wait(), 5)
    handle.redirect("2", "again, shorter")  # b is done; c depends on it and is streaming
    result = await asyncio.wait_for(handle.wait(), 5)
    assert result.status == ev.RUN_DONE
    head, rest = split_after(result.events, "3", ev.PENDING)
    state = RunState()
    state.apply(head)
    assert state.agent_status("c") == st.WAITING  # it will run again
    [abandoned] = state.agents["c"].turns
    assert abandoned.status == ev.INTERRUPTED
    [line] = [e for e in state.log if e.step == "3"]
    assert line.kind == "step" and line.level == "warn" and "will rerun after a redirect" in line.text
    state.apply(rest)
    assert state.agent_status("c") == st.AGENT_DONE
    assert [t.status for t in state.agents["c"].turns] == [ev.INTERRUPTED, ev.DONE]

