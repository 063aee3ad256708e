"""A bench-only model that streams "at full speed" the way a network model does.

The scripted model yields its whole reply without giving the event loop a turn, which is the
right thing for counting the core's cost per chunk, but it is not how a real stream behaves:
a provider's chunks arrive off a socket, one loop wake-up at a time. ``FirehoseModel`` yields
to the loop after every chunk and never sleeps, so it is as fast as the loop can go.
"""

from __future__ import annotations

import asyncio
import itertools
import time
from typing import AsyncIterator

from teamtui.core.models.base import Chunk, ModelRequest, TextChunk, UsageChunk

WORDS = ("stream", "of", "tokens", "from", "a", "model", "that", "never", "pauses", "for", "breath")


class FirehoseModel:
    is_demo = False
    label = "firehose (bench)"

    def __init__(self, *, chunks: int | None = None, seconds: float | None = None) -> None:
        if (chunks is None) == (seconds is None):
            raise ValueError("give chunks or seconds")
        self.chunks, self.seconds = chunks, seconds
        self.sent = 0

    async def stream(self, request: ModelRequest) -> AsyncIterator[Chunk]:
        deadline = time.perf_counter() + self.seconds if self.seconds is not None else None
        for i in itertools.count():
            if self.chunks is not None and i >= self.chunks:
                break
            if deadline is not None and i % 64 == 0 and time.perf_counter() >= deadline:
                break
            # Shaped like a model's prose: a line break every 12 words, a new paragraph every 60.
            word = WORDS[i % len(WORDS)]
            yield TextChunk(word + ("\n\n" if i % 60 == 59 else "\n" if i % 12 == 11 else " "))
            self.sent += 1
            await asyncio.sleep(0)
        yield UsageChunk(input_tokens=10, output_tokens=i)
