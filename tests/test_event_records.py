"""Events as records: the journal's shape, and what the collector sees of them."""

from __future__ import annotations

import gc
import json

import pytest

from teamtui.core import events as ev

ONE_OF_EACH = [
    ev.RunStarted(team="t", agents=({"name": "a", "role": "r", "model": "m"},)),
    ev.RunStatusChanged(status=ev.RUN_PAUSED),
    ev.RunFinished(status=ev.RUN_DONE, output="out", missing=("s2",)),
    ev.StepAdded("s1", "label", "agent", "a", None, ("s0",)),
    ev.StepStatusChanged("s1", ev.DONE, "", 0.5),
    ev.AgentStarted("a", "s1", "demo", "prompt", ("note",)),
    ev.TextDelta("a", "s1", "word "),
    ev.AgentFinished("a", "s1", "text", 1, 2, 0.0, 0.1),
    ev.ModelReplied("a", "s1", "key", "text", ({"id": "c1", "name": "x", "arguments": "{}"},)),
    ev.ToolCalled(agent="a", step="s1", call_id="c1", tool="x", arguments="{}"),
    ev.ToolReturned(agent="a", step="s1", call_id="c1", tool="x", result="ok"),
    ev.HandedOff(step="s1", source="a", target="b"),
    ev.RouteChosen(step="s1", classifier="c", category="k", target="a"),
    ev.PlanProposed(step="s1", tasks=({"id": "t1", "worker": "a", "task": "do", "depends_on": []},)),
    ev.PlanRejected(step="s1", error="bad", attempt=1, will_repair=True),
    ev.BusMessage(step="s1", topic="t", payload="p", source="a", hop=1),
    ev.MemoryWritten(agent="a", key="k", value="v"),
    ev.RetryScheduled(agent="a", step="s1", attempt=2, error="e", delay_s=0.1),
    ev.ErrorRaised(message="m"),
    ev.BudgetReached(tokens=10, cost=0.5, paused=True),
    ev.CommandIssued(command="pause"),
]


def test_the_list_covers_every_kind() -> None:
    assert {type(e) for e in ONE_OF_EACH} == set(ev._REGISTRY.values())


def test_every_kind_round_trips_through_json_with_the_stamp_first() -> None:
    for event in ONE_OF_EACH:
        event.run_id, event.seq, event.ts = "r1", 7, 1.5
        data = json.loads(json.dumps(event.to_dict()))
        assert list(data)[:5] == ["v", "kind", "run_id", "seq", "ts"], type(event).__name__
        assert ev.Event.from_dict(data) == event


def test_events_are_not_tracked_by_the_collector() -> None:
    # A run keeps every event it emitted; the collector's full passes must not rescan them.
    for event in ONE_OF_EACH:
        assert not gc.is_tracked(event), type(event).__name__


def test_the_stamp_is_named_and_the_hot_events_fields_positional() -> None:
    delta = ev.TextDelta("a", "s1", "word", run_id="r1", seq=3, ts=2.0)
    assert (delta.agent, delta.step, delta.text, delta.run_id, delta.seq, delta.ts) == ("a", "s1", "word", "r1", 3, 2.0)
    with pytest.raises(TypeError):
        ev.RunFinished("done")  # type: ignore[misc]  # the rarer events take their fields by name
