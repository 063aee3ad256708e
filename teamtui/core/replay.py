"""Replay: a journal's events played back through an ordinary RunHandle, with no model calls.

The TUI shows a replay with the same widgets as a live run; only the commands differ: pause and
resume hold and continue playback, ``speed`` changes the pace, ``jump`` plays at once up to the
start of a step.
"""

from __future__ import annotations

import asyncio
from typing import Any

from .events import Event, RunFinished, StepStatusChanged
from .handle import RunHandle, RunResult
from .stream import EventStream

MAX_GAP_S = 2.0  # long waits in the original (a person thinking, a slow provider) are shortened


class ReplayHandle(RunHandle):
    is_replay = True

    def __init__(self, events: list[Event], speed: float = 1.0) -> None:
        stream = EventStream()
        control = _Playback(events, stream, speed)
        super().__init__(events[0].run_id if events else "", stream, control)
        self.playback = control

    def set_speed(self, speed: float) -> None:
        self._control.command("speed", speed=speed)

    def jump(self, step: str) -> None:
        """Play everything before the step's first status change at once, then go on."""
        self._control.command("jump", step=step)


class _Playback:
    def __init__(self, events: list[Event], stream: EventStream, speed: float) -> None:
        self.events = events
        self.stream = stream
        self.speed = max(0.0, speed)
        self.position = 0
        self.playing = asyncio.Event()
        self.playing.set()
        self.wake = asyncio.Event()
        self.jump_to: int | None = None
        self.task = asyncio.get_running_loop().create_task(self._play())

    async def _play(self) -> RunResult:
        previous_ts: float | None = None
        while self.position < len(self.events):
            await self.playing.wait()
            event = self.events[self.position]
            fast = self.jump_to is not None and self.position < self.jump_to
            if previous_ts is not None and self.speed > 0 and not fast:
                gap = min(max(0.0, event.ts - previous_ts), MAX_GAP_S) / self.speed
                if gap > 0.001:
                    self.wake.clear()
                    try:
                        await asyncio.wait_for(self.wake.wait(), gap)
                        continue  # a command changed the pace or position: re-evaluate
                    except TimeoutError:
                        pass
            previous_ts = event.ts
            self.stream.emit(event)
            self.position += 1
            if self.jump_to is not None and self.position >= self.jump_to:
                self.jump_to = None
        self.stream.close()
        finished = next((e for e in reversed(self.events) if isinstance(e, RunFinished)), None)
        if finished is None:
            return RunResult(self.stream.history[0].run_id if self.stream.history else "", "interrupted",
                             events=self.stream.history)
        return RunResult(finished.run_id, finished.status, finished.output, finished.error, finished.input_tokens,
                         finished.output_tokens, finished.cost, tuple(finished.missing), self.stream.history,
                         finished.stopped_by)

    def command(self, name: str, **kwargs: Any) -> None:
        if name == "pause":
            self.playing.clear()
        elif name == "resume":
            self.playing.set()
        elif name == "speed":
            self.speed = max(0.0, float(kwargs["speed"]))
        elif name == "jump":
            step = kwargs["step"]
            target = next((i for i, e in enumerate(self.events)
                           if isinstance(e, StepStatusChanged) and e.step == step), None)
            if target is not None and target > self.position:
                self.jump_to = target
        # Steering commands (stop, redirect, ...) mean nothing for a finished run: ignored.
        self.wake.set()

    async def wait(self) -> RunResult:
        return await asyncio.shield(self.task)
