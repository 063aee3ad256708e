"""A resumed run finds its finished calls again even when the user redirected steps and sent notes."""

from __future__ import annotations

import asyncio

from teamtui.core import events as ev
from teamtui.core.models.scripted import ScriptedModel
from teamtui.core.resume import restore_controls
from teamtui.core.runtime import Runner, RunOptions

from teamkit import SEQ3, team


async def test_resume_after_redirect_and_note_calls_only_the_unfinished_step():
    t = team(SEQ3)
    model = ScriptedModel({"a": ["A"], "b": ["B"], "c": ["C"]}, latency_s=0.05)
    handle = Runner(t, RunOptions(models={"*": model})).start("go")
    async for event in handle.subscribe():
        if isinstance(event, ev.AgentStarted) and event.agent == "a":
            break
    handle.redirect("2", "be brief")
    handle.inject("b", "mind the budget")
    handle.inject("c", "sign your name")
    first = await asyncio.wait_for(handle.wait(), 5)
    assert "be brief" in model.calls_for("b")[0].messages[0]["content"]
    # The process "dies" after b's reply was journaled, before c's reply was.
    cut = next(i for i, e in enumerate(first.events) if isinstance(e, ev.ModelReplied) and e.agent == "c")
    journal = first.events[:cut]
    replies = {e.key: e for e in journal if isinstance(e, ev.ModelReplied)}
    again = ScriptedModel({"c": ["C again"]})
    options = RunOptions(models={"*": again}, replies=replies, controls=restore_controls(journal))
    second = await asyncio.wait_for(Runner(t, options).run("go"), 5)
    assert second.status == "done" and second.output == "C again"
    assert [c.agent for c in again.calls] == ["c"]
    assert "sign your name" in again.calls[0].messages[0]["content"]
    reused = [e.agent for e in second.events if isinstance(e, ev.AgentFinished) and e.reused]
    assert reused == ["a", "b"]


def test_restore_controls_keeps_notes_not_yet_taken_in():
    events = [
        ev.CommandIssued(command="inject", agent="b", text="first"),
        ev.AgentStarted(agent="b", step="2", notes=("first",)),
        ev.CommandIssued(command="inject", agent="b", text="second"),
        ev.CommandIssued(command="redirect", step="3", text="shorter"),
        ev.CommandIssued(command="redirect", step="3", text="shortest"),
    ]
    restored = restore_controls(events)
    assert restored.step_notes == {"2": ["first"]}
    assert restored.pending_notes == {"b": ["second"]}
    assert restored.overrides == {"3": "shortest"}
