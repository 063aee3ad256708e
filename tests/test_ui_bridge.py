"""The bridge: one message per batch, never one per token, and no backlog when the UI is slow."""

from __future__ import annotations

import asyncio

from teamtui.core import events as ev
from teamtui.ui.bridge import EventsArrived, pump

from ui_scenes import software_house_finished, software_house_start


class Target:
    """Stands in for the screen: records messages; applies them at once unless told to hold."""

    def __init__(self, hold: bool = False) -> None:
        self.messages: list[EventsArrived] = []
        self.hold = hold

    def post_message(self, message: EventsArrived) -> bool:
        self.messages.append(message)
        if not self.hold:
            message.applied.set()
        return True


def deltas(n: int) -> list[ev.TextDelta]:
    return [ev.TextDelta(agent="pm", step="1", text=f"t{i} ") for i in range(n)]


async def test_a_burst_of_tokens_is_one_message() -> None:
    handle, _ = software_house_start().handle()
    for delta in deltas(2000):
        handle.stream.emit(delta)
    target = Target()
    task = asyncio.create_task(pump(handle, target, frame_s=0))
    await asyncio.sleep(0.05)
    assert len(target.messages) == 1
    assert len(target.messages[0].events) == len(handle.history)
    handle.stream.close()
    await asyncio.wait_for(task, 1)
    assert [m.closed for m in target.messages] == [False, True]


async def test_events_arriving_while_the_ui_is_busy_join_the_next_batch() -> None:
    handle, _ = software_house_start().handle()
    target = Target(hold=True)
    task = asyncio.create_task(pump(handle, target, frame_s=0))
    await asyncio.sleep(0.01)
    assert len(target.messages) == 1  # the history so far
    for delta in deltas(500):  # the UI has not applied the first batch yet
        handle.stream.emit(delta)
        await asyncio.sleep(0)
    assert len(target.messages) == 1  # no backlog of messages builds up
    target.hold = False
    target.messages[0].applied.set()
    await asyncio.sleep(0.01)
    assert len(target.messages) == 2 and len(target.messages[1].events) == 500
    handle.stream.close()
    await asyncio.wait_for(task, 1)


async def test_a_frame_gathers_what_streams_in_meanwhile() -> None:
    handle, _ = software_house_start().handle()
    target = Target()
    task = asyncio.create_task(pump(handle, target, frame_s=0.1))
    await asyncio.sleep(0.01)
    for delta in deltas(100):  # one token a millisecond, for 0.1 s
        handle.stream.emit(delta)
        await asyncio.sleep(0.001)
    await asyncio.sleep(0.15)
    assert len(target.messages) <= 4  # ~3 frames' worth, not 100 messages
    assert sum(len(m.events) for m in target.messages) == len(handle.history)
    handle.stream.close()
    await asyncio.wait_for(task, 1)


async def test_a_replay_is_its_history_then_the_end() -> None:
    handle, _ = software_house_finished().handle(close=True)
    target = Target()
    await asyncio.wait_for(pump(handle, target), 1)
    assert [len(m.events) for m in target.messages] == [len(handle.history), 0]
    assert target.messages[-1].closed
    assert handle.stream._subscribers == set()  # the subscription is released
