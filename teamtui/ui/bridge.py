"""The one worker between a run's event stream and the UI.

It reads ``await subscription.next_batch()`` and posts ONE ``EventsArrived`` message per batch,
then waits until the UI has applied it (and at least one frame has passed) before reading again.
Events that arrive meanwhile queue in the subscription and come out as the next, larger batch, so
a fast stream makes bigger batches rather than a growing backlog of messages: key presses are
answered at once however fast the agents talk.
"""

from __future__ import annotations

import asyncio

from textual.message import Message
from textual.message_pump import MessagePump

from teamtui.core.events import Event
from teamtui.core.handle import RunHandle

#: At most this many batches a second reach the UI.
FRAME_S = 1 / 30


class EventsArrived(Message):
    """A batch of events, in order. ``closed`` marks the end of the stream (events then empty)."""

    def __init__(self, events: list[Event], closed: bool = False) -> None:
        super().__init__()
        self.events = events
        self.closed = closed
        self.applied = asyncio.Event()  # set by the receiver once the batch is on screen


async def pump(handle: RunHandle, target: MessagePump, frame_s: float = FRAME_S) -> None:
    """Forward ``handle``'s events (from the first) to ``target`` until the stream closes."""
    subscription = handle.subscribe(replay=True)
    try:
        while True:
            batch = await subscription.next_batch()
            message = EventsArrived(batch, closed=not batch)
            if not target.post_message(message):
                return  # the target is gone
            if not batch:
                return
            await asyncio.gather(message.applied.wait(), asyncio.sleep(frame_s))
    finally:
        subscription.unsubscribe()
