"""Fan-out of one run's events to many consumers.

``emit`` is synchronous and cheap (the hot path is one text delta per streamed token). Each
subscriber gets its own queue and drains it in batches, so a consumer that wakes once per frame
takes every event that arrived since, instead of paying one await per event. Synchronous sinks
(the journal) are called inline, in order, before any subscriber sees the event.
"""

from __future__ import annotations

import asyncio
from collections import deque
from typing import AsyncIterator, Callable

from .events import Event

Sink = Callable[[Event], None]


class Subscription:
    """One consumer's view of the stream. Iterate events, or ``await next_batch()``."""

    def __init__(self, stream: "EventStream") -> None:
        self._stream = stream
        self._queue: deque[Event] = deque()
        self._wakeup = asyncio.Event()
        self._closed = False

    def _push(self, event: Event) -> None:
        self._queue.append(event)
        if not self._wakeup.is_set():
            self._wakeup.set()

    def _close(self) -> None:
        self._closed = True
        self._wakeup.set()

    async def next_batch(self) -> list[Event]:
        """Every event queued since the last call; waits for at least one. Empty when closed."""
        while not self._queue:
            if self._closed:
                return []
            self._wakeup.clear()
            await self._wakeup.wait()
        batch = list(self._queue)
        self._queue.clear()
        return batch

    async def __aiter__(self) -> AsyncIterator[Event]:
        while True:
            batch = await self.next_batch()
            if not batch:
                return
            for event in batch:
                yield event

    def unsubscribe(self) -> None:
        self._stream._forget(self)
        self._close()


class EventStream:
    """Keeps the run's full history (for late subscribers and exports) and fans events out."""

    def __init__(self) -> None:
        self.history: list[Event] = []
        self._subscribers: set[Subscription] = set()
        self._sinks: list[Sink] = []
        self._closed = False
        #: Whether anything besides the history takes events (a sink or a subscriber). A run
        #: nobody follows live (``Runner.run`` in a script) then keeps each event with no call.
        self.listened = False

    def add_sink(self, sink: Sink) -> None:
        self._sinks.append(sink)
        self.listened = True

    def emit(self, event: Event) -> None:
        self.history.append(event)
        if self.listened:
            self.deliver(event)

    def deliver(self, event: Event) -> None:
        """Hand ``event`` to the sinks, in order, then to every subscriber (``emit`` without the
        history; the run's context calls it only when ``listened``)."""
        for sink in self._sinks:
            sink(event)
        for sub in self._subscribers:
            sub._push(event)

    def _forget(self, sub: Subscription) -> None:
        self._subscribers.discard(sub)
        self.listened = bool(self._sinks or self._subscribers)

    def subscribe(self, replay: bool = True) -> Subscription:
        """A new subscription; with ``replay`` it first receives every event so far."""
        sub = Subscription(self)
        if replay:
            sub._queue.extend(self.history)
        if self._closed:
            sub._close()
        else:
            self._subscribers.add(sub)
            self.listened = True
        return sub

    def close(self) -> None:
        self._closed = True
        for sub in self._subscribers:
            sub._close()
        self._subscribers.clear()
        self.listened = bool(self._sinks)

    @property
    def closed(self) -> bool:
        return self._closed

