"""A run with reruns (redirects, retries, resumes) still reads as one run in its transcript."""

from __future__ import annotations

import asyncio
from typing import AsyncIterator

import msgspec

from teamtui.core import events as ev
from teamtui.core.models.base import Chunk, ModelError, ModelRequest, TextChunk, UsageChunk
from teamtui.core.models.scripted import ScriptedModel
from teamtui.core.runtime import Runner, RunOptions
from teamtui.core.transcript import fold
from teamtui.export import html, markdown

from teamkit import SOFTWARE_HOUSE, run, team


def turn_headings(md: str) -> list[str]:
    return [line for line in md.splitlines() if line.startswith("### ")]


async def test_redirecting_a_finished_step_shows_the_rerun_once_with_a_note() -> None:
    handle_box = {}

    def qa_redirects_the_pm(request: ModelRequest) -> str:
        handle_box["handle"].redirect("1", "focus on security")
        return "this reply is cut by the redirect"

    model = ScriptedModel({"pm": ["SPEC-1", "SPEC-2"], "developer": ["CODE-1", "CODE-2"],
                           "qa": [qa_redirects_the_pm, "APPROVED"]})
    handle = Runner(team(SOFTWARE_HOUSE), RunOptions(models={"*": model})).start("build it")
    handle_box["handle"] = handle
    result = await asyncio.wait_for(handle.wait(), 10)
    assert result.status == "done"

    md = markdown.render(result.events)
    assert turn_headings(md) == ["### pm · step 1", "### developer · step 2.r1.1", "### qa · step 2.r1.2"]
    assert "SPEC-2" in md and "CODE-2" in md
    assert "SPEC-1" not in md and "CODE-1" not in md and "cut by the redirect" not in md
    transcript = md.split("## Transcript")[1]
    assert transcript.index("> **Command** redirect 1: focus on security") < transcript.index("SPEC-2")
    assert "| 1 | pm (redirected 1×) | pm |  | done |" in md
    # Both pm calls were paid for, so usage counts both.
    assert "| pm | 2 |" in md.split("## Usage")[1]
    page = html.render(result.events)
    assert page.count("<details") == 3 and "SPEC-1" not in page


async def test_redirecting_a_running_step_restarts_its_turn() -> None:
    handle_box = {}

    calls = {"n": 0}

    def pm(request: ModelRequest) -> str:
        calls["n"] += 1
        if calls["n"] == 1:
            asyncio.get_running_loop().call_later(0.05, handle_box["handle"].redirect, "1", "shorter please")
            return "LONG SPEC " * 20
        return "SHORT SPEC"

    model = ScriptedModel({"pm": [pm, pm], "developer": ["CODE"], "qa": ["APPROVED"]}, latency_s=0.1, chunks=20)
    handle = Runner(team(SOFTWARE_HOUSE), RunOptions(models={"*": model})).start("build it")
    handle_box["handle"] = handle
    result = await asyncio.wait_for(handle.wait(), 10)
    assert result.status == "done" and calls["n"] == 2
    assert sum(isinstance(e, ev.AgentStarted) and e.agent == "pm" for e in result.events) == 2

    md = markdown.render(result.events)
    assert turn_headings(md)[0] == "### pm · step 1" and turn_headings(md).count("### pm · step 1") == 1
    assert "SHORT SPEC" in md and "LONG SPEC" not in md


class FlakyModel:
    """Streams part of a reply, then fails (retryable, no wait); the retry succeeds."""

    label = "flaky"
    is_demo = False

    def __init__(self) -> None:
        self.calls = 0

    async def stream(self, request: ModelRequest) -> AsyncIterator[Chunk]:
        self.calls += 1
        if self.calls == 1:
            yield TextChunk("half a rep")
            raise ModelError("connection reset", retryable=True, retry_after_s=0)
        yield TextChunk("the whole reply")
        yield UsageChunk(input_tokens=3, output_tokens=3)


async def test_a_retried_call_shows_only_the_reply_that_succeeded() -> None:
    t = team("""
        name: one
        agents: {solo: {role: Solo}}
        flow: {agent: solo}
    """)
    result = await run(t, FlakyModel())  # type: ignore[arg-type]
    assert any(isinstance(e, ev.RetryScheduled) for e in result.events)
    md = markdown.render(result.events)
    assert "the whole reply" in md and "half a rep" not in md.split("## Transcript")[1].split("> **Retry**")[1]
    assert "> **Retry** solo attempt 2 in 0.0s: connection reset" in md


def _events(*items: ev.Event) -> list[ev.Event]:
    """Events numbered and timed the way the runtime does it."""
    return [msgspec.structs.replace(e, run_id="r1", seq=i + 1, ts=100.0 + i) for i, e in enumerate(items)]


def test_a_turn_cut_off_by_a_crash_keeps_what_streamed() -> None:
    events = _events(
        ev.RunStarted(team="t"),
        ev.StepAdded(step="1", label="writer", step_kind="agent", agent="w"),
        ev.StepStatusChanged(step="1", status="running"),
        ev.AgentStarted(agent="w", step="1"),
        ev.TextDelta(agent="w", step="1", text="half of "),
        ev.TextDelta(agent="w", step="1", text="an answer"),
    )
    md = markdown.render(events)
    assert "*cut off before it finished*" in md and "half of an answer" in md
    assert "- **Status:** unfinished" in md and "## Final answer" not in md


def test_a_replayed_turn_stands_in_only_when_no_real_one_exists() -> None:
    replay_only = _events(
        ev.RunStarted(team="t", resumed_from="r0"),
        ev.StepAdded(step="1", label="writer", step_kind="agent", agent="w"),
        ev.AgentFinished(agent="w", step="1", text="from the journal", reused=True),
        ev.RunFinished(status="done", output="from the journal"),
    )
    md = markdown.render(replay_only)
    assert "*replayed from the journal*" in md and "- **Resumed from:** r0" in md
    # replays cost nothing: they are not counted as turns in the usage table
    assert fold(replay_only).usage_by_agent() == {}

    both = _events(
        ev.RunStarted(team="t"),
        ev.StepAdded(step="1", label="writer", step_kind="agent", agent="w"),
        ev.StepStatusChanged(step="1", status="running"),
        ev.AgentStarted(agent="w", step="1"),
        ev.ModelReplied(agent="w", step="1", key="k", text="the original", input_tokens=4),
        ev.AgentFinished(agent="w", step="1", text="the original", input_tokens=4),
        ev.StepStatusChanged(step="1", status="done"),
        ev.RunStarted(team="t", resumed_from="r0"),
        ev.StepAdded(step="1", label="writer", step_kind="agent", agent="w"),
        ev.StepStatusChanged(step="1", status="running"),
        ev.AgentFinished(agent="w", step="1", text="the original", reused=True),
        ev.RunFinished(status="done", output="the original"),
    )
    tr = fold(both)
    assert [t.finished.reused for t in tr.turns()] == [False]
    assert tr.resumes == 1 and tr.usage_by_agent() == {"w": (1, 4, 0, 0.0)}


def test_a_step_whose_parents_loop_is_still_listed() -> None:
    events = _events(
        ev.StepAdded(step="a", label="a", step_kind="agent", parent="b"),
        ev.StepAdded(step="b", label="b", step_kind="agent", parent="a"),
        ev.StepAdded(step="c", label="c", step_kind="agent", parent="c"),
    )
    assert sorted(step.id for _, step in fold(events).plan()) == ["a", "b", "c"]
