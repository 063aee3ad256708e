"""The state one run shares across its steps: events out, commands in, steps, models, memory."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from typing import Any, Callable, TypeVar

import msgspec

from . import events as ev
from .events import Event
from .memory import SharedMemory
from .models.base import ChatModel
from .stream import EventStream
from .team import Team

E = TypeVar("E", bound=Event)


class StepInfo(msgspec.Struct):
    id: str
    label: str
    kind: str
    agent: str | None
    parent: str | None
    depends_on: tuple[str, ...]
    status: str = ev.PENDING
    started: float | None = None
    instruction: str | None = None


class StepControl:
    """What a command asked of a step (cancel, redirect), and how it reaches the step's model call.

    The call runs in the turn's own task. A command interrupts it the way ``asyncio.timeout``
    does: it cancels that task, and the call takes back exactly that cancellation (``uncancel``),
    so one from anywhere else (stop, the run's timeout, a failed sibling) still goes through. A
    child task per call did the same for ~6% of an instant turn's instructions and one more loop
    iteration before every call could start."""

    __slots__ = ("action", "_task", "_base", "_cancelled")

    def __init__(self) -> None:
        self.action: str | None = None  # "cancel" | "redirect"
        self._task: asyncio.Task | None = None  # the task running the call, while one runs
        self._base = 0  # its cancellation count when the call began
        self._cancelled = False  # this control cancelled it and has not taken that back yet

    def interrupt(self, action: str) -> None:
        """Ask for ``action``: a call in flight ends now, otherwise the next call reads it first."""
        self.action = action
        task = self._task
        if task is not None and not self._cancelled:
            self._cancelled = True
            task.cancel()

    def begin_call(self) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._task, self._base, self._cancelled = task, task.cancelling(), False

    def cancel_pending(self) -> bool:
        """Whether the call's task was asked to cancel and has not seen it yet: the request came from
        inside the call itself (a sink, a model's callback), and the call never waited after it."""
        return self._task is not None and self._task.cancelling() > self._base

    def took_back(self) -> bool:
        """On a CancelledError in the call: True when it was this control's alone (now undone);
        False when the run or a parent is being cancelled, which must go on."""
        if not self._cancelled or self._task is None:
            return False
        self._cancelled = False
        return self._task.uncancel() <= self._base

    def end_call(self) -> None:
        if self._cancelled and self._task is not None:
            self._task.uncancel()  # the call swallowed the cancellation: do not leave it counted
        self._task, self._cancelled = None, False


class Usage:
    __slots__ = ("input_tokens", "output_tokens", "cost")

    def __init__(self) -> None:
        self.input_tokens = 0
        self.output_tokens = 0
        self.cost = 0.0


# Only __init__ is generated: each generated method costs ~0.5 ms of start-up to compile, and so
# did the docstring dataclass derives from the signature of a class that has none.
@dataclass(eq=False, repr=False)
class RunContext:
    """The run's live state and behaviour, not a record: a dataclass, with attributes of its own.
    Two contexts are equal only if they are the same one; a repr of the whole run says nothing."""

    team: Team
    run_id: str
    stream: EventStream
    models: dict[str, ChatModel]  # agent name -> model
    request: str = ""
    memory: SharedMemory = field(default_factory=SharedMemory)
    workspace: Any = None  # Path of the folder file tools may use, or None
    replies: dict[str, ev.ModelReplied] = field(default_factory=dict)  # key -> reply to reuse
    approve_plans: bool = False
    on_failure: str = "fail"
    seq: int = 0
    usage: Usage = field(default_factory=Usage)
    steps: dict[str, StepInfo] = field(default_factory=dict)
    controls: dict[str, StepControl] = field(default_factory=dict)
    overrides: dict[str, str] = field(default_factory=dict)  # step -> instruction from a redirect
    notes: dict[str, list[str]] = field(default_factory=dict)  # agent -> notes for its next turn
    step_notes: dict[str, list[str]] = field(default_factory=dict)  # resume: notes a step took in before
    plan_approvals: dict[str, asyncio.Future] = field(default_factory=dict)
    missing: list[str] = field(default_factory=list)  # steps given up on (degraded runs)
    budget_check: Callable[[], None] | None = None
    stopping: bool = False  # a stop was asked for: nothing new starts while it lands
    clock: Callable[[], float] = time.time

    def __post_init__(self) -> None:
        self.running = asyncio.Event()
        self.running.set()

    # --- events ----------------------------------------------------------------------------------

    def emit(self, event: E) -> E:
        """Stamp ``event`` with the run's id, the next sequence number and the time; send it out.
        (Stamped here rather than passed through as keywords: building the event once, from its
        own keywords, is half the cost of an emit. ``EventStream.emit`` is written out here: one
        Python call fewer on the path every streamed token takes, 3% of an instant task.)"""
        self.seq = seq = self.seq + 1
        event.run_id, event.seq, event.ts = self.run_id, seq, self.clock()
        stream = self.stream
        stream.history.append(event)
        if stream.listened:
            stream.deliver(event)
        return event

    # --- steps -----------------------------------------------------------------------------------

    def add_step(
        self,
        step: str,
        label: str,
        kind: str,
        *,
        agent: str | None = None,
        parent: str | None = None,
        depends_on: tuple[str, ...] = (),
        round: int | None = None,
        instruction: str | None = None,
    ) -> StepInfo:
        """Announce a step (idempotent: a step re-entered after a restart keeps its entry)."""
        info = self.steps.get(step)
        if info is None:
            info = StepInfo(step, label, kind, agent, parent, depends_on, ev.PENDING, None, instruction)  # in order
            self.steps[step] = info
            self.emit(ev.StepAdded(step, label, kind, agent, parent, depends_on, round, instruction))
        return info

    def set_status(self, step: str, status: str, detail: str = "") -> None:
        info = self.steps[step]
        duration = None
        if status == ev.RUNNING:
            if info.status != ev.RUNNING:  # a loop's next round is the same run of its step: time it whole
                info.started = self.clock()
        elif info.started is not None and status in ev.TERMINAL_STEP_STATUSES:
            duration = round(self.clock() - info.started, 3)
        info.status = status
        self.emit(ev.StepStatusChanged(step, status, detail, duration))

    def dependents_of(self, step: str) -> set[str]:
        """Every step that depends, directly or not, on ``step`` (children count as dependents)."""
        found: set[str] = set()
        frontier = {step}
        while frontier:
            nxt = {
                s.id for s in self.steps.values()
                if s.id not in found and (set(s.depends_on) & frontier or s.parent in frontier)
            }
            found |= nxt
            frontier = nxt
        return found

    # --- control ---------------------------------------------------------------------------------

    async def gate(self) -> None:
        """Wait while the run is paused: no new model call starts until it runs again."""
        if not self.running.is_set():
            await self.running.wait()

    async def until_stopped(self) -> None:
        """Wait for the stop already asked for (``stopping``): the run's task is being cancelled, and
        the cancellation lands here, before anything new starts."""
        await asyncio.get_running_loop().create_future()

    def control(self, step: str) -> StepControl:
        control = self.controls.get(step)
        if control is None:
            control = self.controls[step] = StepControl()
        return control

    def take_notes(self, agent: str, step: str) -> list[str]:
        """Notes for this turn: those it took in before a resume, else the agent's pending ones."""
        if step in self.step_notes:
            return self.step_notes.pop(step)
        return self.notes.pop(agent, [])

    def add_usage(self, input_tokens: int, output_tokens: int, cost: float) -> None:
        self.usage.input_tokens += input_tokens
        self.usage.output_tokens += output_tokens
        self.usage.cost += cost
        if self.budget_check is not None:
            self.budget_check()
