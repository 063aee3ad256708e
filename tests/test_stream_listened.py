"""The event stream hands events to sinks and subscribers only while it has some (``listened``),
and the run's context writes that path out itself: events must still reach every listener that
comes or goes in the middle of a run, and the history must hold every event either way."""

from __future__ import annotations

import asyncio

from teamtui.core import events as ev
from teamtui.core.models.scripted import ScriptedModel
from teamtui.core.runtime import Runner, RunOptions
from teamtui.core.stream import EventStream

from teamkit import SOFTWARE_HOUSE, of, team


def delta(text: str) -> ev.TextDelta:
    return ev.TextDelta("a", "1", text)


async def test_listeners_that_come_and_go_get_the_events_emitted_while_they_listen() -> None:
    stream = EventStream()
    assert not stream.listened
    stream.emit(delta("0"))
    first = stream.subscribe(replay=False)
    assert stream.listened
    stream.emit(delta("1"))
    first.unsubscribe()
    assert not stream.listened
    stream.emit(delta("2"))
    sunk: list[str] = []
    stream.add_sink(lambda e: sunk.append(e.text))
    second = stream.subscribe(replay=False)
    stream.emit(delta("3"))
    second.unsubscribe()
    assert stream.listened  # the sink still listens
    stream.emit(delta("4"))
    stream.close()
    assert [e.text for e in stream.history] == ["0", "1", "2", "3", "4"]
    assert [e.text for e in await first.next_batch()] == ["1"]
    assert [e.text for e in await second.next_batch()] == ["3"]
    assert sunk == ["3", "4"]


async def test_a_run_nobody_follows_keeps_every_event_in_order() -> None:
    result = await asyncio.wait_for(Runner(team(SOFTWARE_HOUSE), RunOptions(models={"*": ScriptedModel(
        {"pm": ["spec"], "developer": ["code"], "qa": ["APPROVED"]})})).run("go"), 10)
    assert result.status == "done"
    assert [e.seq for e in result.events] == list(range(1, len(result.events) + 1))
    assert [e.agent for e in of(result, ev.AgentFinished)] == ["pm", "developer", "qa"]


async def test_subscribers_joining_and_leaving_mid_run_see_what_was_emitted_meanwhile() -> None:
    """A sink subscribes when the developer starts and drops the subscription when QA starts:
    the subscription holds exactly the events in between, as the history has them."""
    handle = Runner(team(SOFTWARE_HOUSE), RunOptions(models={"*": ScriptedModel(
        {"pm": ["spec"], "developer": ["code"], "qa": ["APPROVED"]})})).start("go")
    late: list = []

    def sink(event: ev.Event) -> None:
        if isinstance(event, ev.AgentStarted) and event.agent == "developer":
            late.append(handle.subscribe(replay=False))
        elif isinstance(event, ev.AgentStarted) and event.agent == "qa":
            late[0].unsubscribe()

    handle.stream.add_sink(sink)
    result = await asyncio.wait_for(handle.wait(), 10)
    got = await late[0].next_batch()
    history = result.events
    start = next(i for i, e in enumerate(history) if isinstance(e, ev.AgentStarted) and e.agent == "developer")
    stop = next(i for i, e in enumerate(history) if isinstance(e, ev.AgentStarted) and e.agent == "qa")
    # Sinks run before subscribers: the subscription takes the event that made it, not the one that ended it.
    assert got == history[start:stop]
