"""The run handle: the only surface the UI, the CLI and scripts use to follow and steer a run.

Follow a run with ``subscribe()``; steer it with the command methods. Every command is recorded
as a ``CommandIssued`` event before it takes effect, so a transcript shows who changed what.
"""

from __future__ import annotations

from typing import Any, Protocol

import msgspec

from .events import Event
from .stream import EventStream, Subscription


class RunResult(msgspec.Struct):
    run_id: str
    status: str  # done | failed | stopped
    output: str = ""
    error: str | None = None
    input_tokens: int = 0
    output_tokens: int = 0
    cost: float = 0.0
    missing: tuple[str, ...] = ()
    events: list[Event] = msgspec.field(default_factory=list)
    stopped_by: str | None = None  # a stopped run: "user" or "budget" (RunFinished.stopped_by)


class RunControl(Protocol):
    """What a handle asks of whatever executes the run (the runtime, or a replay)."""

    def command(self, name: str, **kwargs: Any) -> None: ...

    async def wait(self) -> RunResult: ...


class RunHandle:
    #: True for a journal played back (teamtui replay): steering commands do not apply.
    is_replay = False

    def __init__(self, run_id: str, stream: EventStream, control: RunControl) -> None:
        self.run_id = run_id
        self.stream = stream
        self._control = control

    # --- following ---------------------------------------------------------------------------

    def subscribe(self, replay: bool = True) -> Subscription:
        """Events of this run; with ``replay`` starting from the first one."""
        return self.stream.subscribe(replay=replay)

    @property
    def history(self) -> list[Event]:
        return self.stream.history

    @property
    def finished(self) -> bool:
        return self.stream.closed

    async def wait(self) -> RunResult:
        return await self._control.wait()

    # --- steering ----------------------------------------------------------------------------

    def pause(self) -> None:
        """No new model call starts until ``resume``; calls already streaming may finish."""
        self._control.command("pause")

    def resume(self) -> None:
        self._control.command("resume")

    def stop(self) -> None:
        """End the run now; in-flight calls are cancelled and the run ends as 'stopped'."""
        self._control.command("stop")

    def cancel_step(self, step: str) -> None:
        """Cancel a running step's model call; the step ends 'interrupted' with what it had."""
        self._control.command("cancel_step", step=step)

    def redirect(self, step: str, instruction: str) -> None:
        """Give a step a new instruction. Running: restarts with it. Pending: starts with it.
        Finished: reruns, and every step that depended on it reruns after it."""
        self._control.command("redirect", step=step, text=instruction)

    def inject(self, agent: str, note: str) -> None:
        """A note the agent sees in its next turn."""
        self._control.command("inject", agent=agent, text=note)

    def approve_plan(self, step: str, tasks: list[dict] | None = None) -> None:
        """Approve a supervisor plan that waits for review, optionally edited
        (list of {"id", "worker", "task", "depends_on"})."""
        self._control.command("approve_plan", step=step, tasks=tasks)
