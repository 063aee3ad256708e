"""A reply is paid for once: one reused after a redirect or on resume costs nothing again, and
every total (the run's, the turns', the export's rows, `teamtui runs`) is the same sum of the
calls actually made (ModelReplied events)."""

from __future__ import annotations

import asyncio
from pathlib import Path

from teamtui.core import events as ev
from teamtui.core.journal import JournalWriter, RunMeta, load_for_resume, read_events
from teamtui.core.models.scripted import ScriptedModel
from teamtui.core.runtime import Runner, RunOptions
from teamtui.core.transcript import fold
from teamtui.runs import list_runs

from teamkit import of, team

SEQ3 = """
name: seq3
agents: {a: {role: First}, b: {role: Second}, c: {role: Third}}
flow: {sequence: [{agent: a}, {agent: b}, {agent: c}]}
"""


def paid(events: list[ev.Event]) -> tuple[int, int]:
    """What the model calls made cost: the sum of every ModelReplied."""
    replies = [e for e in events if isinstance(e, ev.ModelReplied)]
    return sum(e.input_tokens for e in replies), sum(e.output_tokens for e in replies)


def assert_every_total_agrees(events: list[ev.Event]) -> None:
    finished = [e for e in events if isinstance(e, ev.RunFinished)][-1]
    total = (finished.input_tokens, finished.output_tokens)
    assert total == paid(events) and total[0] > 0
    rows = fold(events).usage_by_agent().values()  # the export's Usage table
    assert (sum(r[1] for r in rows), sum(r[2] for r in rows)) == total
    for turn in (e for e in events if isinstance(e, ev.AgentFinished) and e.reused):
        assert (turn.input_tokens, turn.output_tokens, turn.cost) == (0, 0, 0.0)


async def test_a_redirect_does_not_count_the_reused_steps_again() -> None:
    model = ScriptedModel({"a": ["A1"], "b": ["B1", "B2"], "c": ["C1", "C2"]}, latency_s=0.05)
    handle = Runner(team(SEQ3), RunOptions(models={"*": model})).start("go")
    async for event in handle.subscribe():
        if isinstance(event, ev.AgentStarted) and event.agent == "c":
            break
    handle.redirect("2", "again, shorter")
    result = await asyncio.wait_for(handle.wait(), 5)
    assert result.status == "done" and [c.agent for c in model.calls] == ["a", "b", "c", "b", "c"]
    assert [e.agent for e in of(result, ev.AgentFinished) if e.reused] == ["a"]
    assert_every_total_agrees(result.events)
    # What the UI's header adds up, turn by turn, is the same total.
    turns = of(result, ev.AgentFinished)
    assert (sum(e.input_tokens for e in turns), sum(e.output_tokens for e in turns)) == paid(result.events)


async def test_a_resumed_run_counts_each_call_once_across_both_processes(tmp_path: Path) -> None:
    t = team(SEQ3)
    meta = RunMeta(run_id="r1", team="seq3", team_text=SEQ3, team_path=None, input="go")
    first = await asyncio.wait_for(
        Runner(t, RunOptions(models={"*": ScriptedModel({"a": ["A"], "b": ["B"], "c": ["C"]})})).run("go"), 5)
    # The process "dies" after b's reply was journaled, before c's reply was.
    cut = next(i for i, e in enumerate(first.events) if isinstance(e, ev.ModelReplied) and e.agent == "c")
    with JournalWriter.open(tmp_path / "r1", meta) as writer:
        for event in first.events[:cut]:
            writer(event)
    data = load_for_resume(tmp_path / "r1")
    again = ScriptedModel({"c": ["C again"]})
    with JournalWriter.open(tmp_path / "r1", meta) as writer:
        options = RunOptions(models={"*": again}, run_id="r1", replies=data.replies, seq_start=data.last_seq,
                             resumed_from="r1", spent=data.spent, sinks=[writer])
        second = await asyncio.wait_for(Runner(t, options).run("go"), 5)
    assert second.status == "done" and [c.agent for c in again.calls] == ["c"]
    events = read_events(tmp_path / "r1")
    assert_every_total_agrees(events)
    # The resumed session starts from what the first one paid (the TUI's header starts there).
    assert data.spent[:2] == paid(first.events[:cut])
    resumed = [e for e in events if isinstance(e, ev.RunStarted)][-1]
    assert (resumed.input_tokens, resumed.output_tokens) == data.spent[:2]
    assert (second.input_tokens, second.output_tokens) == paid(events)
    (listed,) = list_runs(tmp_path)
    assert (listed.input_tokens, listed.output_tokens) == paid(events)
