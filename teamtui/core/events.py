"""The typed event stream of a run.

Everything that shows or stores a run (TUI, headless printer, journal, exporters, replay) reads
these events and nothing else. Events are small slotted dataclasses tagged by ``kind``; the
runtime stamps ``run_id``, ``seq`` and ``ts`` on each as it emits it. Consumers treat them as
read-only. They are not ``frozen``: building one is the hot path (a streamed token each), a
frozen dataclass sets every field through ``object.__setattr__`` (2.3 us an event instead of
1.0 us here), and the stamp is set after the event is built.
``to_dict``/``from_dict`` give the journal and ``--json`` one stable, versioned shape.
"""

from __future__ import annotations

import dataclasses
from dataclasses import KW_ONLY, dataclass
from typing import Any, ClassVar

#: Bumped when an event's fields change incompatibly; written into every serialized event.
SCHEMA_VERSION = 1

#: Step statuses, in the order a step usually moves through them.
PENDING, RUNNING, DONE, FAILED, INTERRUPTED, SKIPPED = (
    "pending", "running", "done", "failed", "interrupted", "skipped",
)
STEP_STATUSES = (PENDING, RUNNING, DONE, FAILED, INTERRUPTED, SKIPPED)

#: Run statuses.
RUN_RUNNING, RUN_PAUSED, RUN_DONE, RUN_FAILED, RUN_STOPPED = (
    "running", "paused", "done", "failed", "stopped",
)

_REGISTRY: dict[str, type["Event"]] = {}


@dataclass(slots=True)
class Event:
    """Base of every event: ``kind`` tags it; the runtime stamps ``run_id``, ``seq`` and ``ts`` when it emits it."""

    kind: ClassVar[str] = "event"
    _: KW_ONLY  # the stamp is named; the events built on every step and turn also take their fields in order
    run_id: str = ""
    seq: int = 0
    ts: float = 0.0

    def __init_subclass__(cls) -> None:
        # No super(): slots=True rebuilds the class, which breaks the zero-argument form. The
        # rebuilt class registers last, so the registry ends up holding the real one.
        _REGISTRY[cls.kind] = cls

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"v": SCHEMA_VERSION, "kind": self.kind}
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            data[f.name] = list(value) if isinstance(value, tuple) else value
        return data

    @staticmethod
    def from_dict(data: dict[str, Any]) -> "Event":
        cls = _REGISTRY[data["kind"]]
        names = {f.name for f in dataclasses.fields(cls)}
        kwargs = {k: v for k, v in data.items() if k in names}
        for f in dataclasses.fields(cls):
            if f.name in kwargs and isinstance(kwargs[f.name], list):
                kwargs[f.name] = tuple(kwargs[f.name])
        return cls(**kwargs)


# --- run lifecycle --------------------------------------------------------------------------


@dataclass(slots=True, kw_only=True)
class RunStarted(Event):
    """The run begins: its team, request and models."""

    kind: ClassVar[str] = "run_started"
    team: str
    description: str = ""
    input: str = ""
    model: str = ""  # display label of the run's default model, e.g. "demo (offline)"
    demo: bool = False  # True when any agent plays on the offline demo model
    agents: tuple[dict, ...] = ()  # ({"name", "role", "model"}, ...) in team order
    resumed_from: str | None = None  # run id whose journal this run continues


@dataclass(slots=True, kw_only=True)
class RunStatusChanged(Event):
    """Paused / running again. Finished runs use RunFinished."""

    kind: ClassVar[str] = "run_status"
    status: str


@dataclass(slots=True, kw_only=True)
class RunFinished(Event):
    """The run ended: its status, final output and totals."""

    kind: ClassVar[str] = "run_finished"
    status: str  # done | failed | stopped
    output: str = ""
    error: str | None = None
    input_tokens: int = 0
    output_tokens: int = 0
    cost: float = 0.0
    missing: tuple[str, ...] = ()  # step ids whose results are missing (degraded runs)


# --- the plan: steps and their status ---------------------------------------------------------


@dataclass(slots=True)  # positional too: one a step, a thousand for a large plan (kept in this order)
class StepAdded(Event):
    """A step enters the plan (pending). Container steps (loop, parallel, ...) nest children."""

    kind: ClassVar[str] = "step_added"
    step: str
    label: str
    step_kind: str  # agent | task | sequence | loop | parallel | route | handoff | supervise | events | planner | arbiter | classifier
    agent: str | None = None
    parent: str | None = None
    depends_on: tuple[str, ...] = ()
    round: int | None = None
    instruction: str | None = None  # task text (supervisor tasks) or redirected instruction


@dataclass(slots=True)  # positional too: two a step (kept in this order)
class StepStatusChanged(Event):
    """A step moves to another status (pending, running, done, ...)."""

    kind: ClassVar[str] = "step_status"
    step: str
    status: str  # one of STEP_STATUSES
    detail: str = ""  # e.g. "round 2/3", "route: coding", the error, "reused from journal"
    duration_s: float | None = None


# --- agent turns --------------------------------------------------------------------------------


@dataclass(slots=True)  # positional too: one a turn (kept in this order)
class AgentStarted(Event):
    """An agent begins a turn on a step."""

    kind: ClassVar[str] = "agent_started"
    agent: str
    step: str
    model: str = ""
    prompt: str = ""  # the user-side text the agent was given for this turn
    notes: tuple[str, ...] = ()  # notes from the user this turn took in (resume gives them back)


@dataclass(slots=True)  # positional too: one a streamed token (kept in this order)
class TextDelta(Event):
    """A piece of an agent's streamed reply."""

    kind: ClassVar[str] = "text"
    agent: str
    step: str
    text: str


@dataclass(slots=True)  # positional too: one a turn (kept in this order)
class AgentFinished(Event):
    """An agent's turn ended: its full text and what it cost."""

    kind: ClassVar[str] = "agent_finished"
    agent: str
    step: str
    text: str
    input_tokens: int = 0
    output_tokens: int = 0
    cost: float = 0.0
    duration_s: float = 0.0
    reused: bool = False  # taken from the journal / cache, no model call made
    interrupted: bool = False


@dataclass(slots=True)  # positional too: one a model call (kept in this order)
class ModelReplied(Event):
    """One finished model call, kept so a resumed run can replay it instead of paying again.

    ``key`` hashes the step id and everything sent to the model; a resumed run whose call has the
    same key takes this reply. UIs can ignore it (AgentFinished carries the turn's totals)."""

    kind: ClassVar[str] = "model_reply"
    agent: str
    step: str
    key: str
    text: str
    tool_calls: tuple[dict, ...] = ()  # ({"id", "name", "arguments"}, ...)
    input_tokens: int = 0
    output_tokens: int = 0
    cost: float = 0.0


@dataclass(slots=True, kw_only=True)
class ToolCalled(Event):
    """An agent called a tool."""

    kind: ClassVar[str] = "tool_call"
    agent: str
    step: str
    call_id: str
    tool: str
    arguments: str  # JSON text as the model produced it


@dataclass(slots=True, kw_only=True)
class ToolReturned(Event):
    """A tool's result went back to the agent."""

    kind: ClassVar[str] = "tool_result"
    agent: str
    step: str
    call_id: str
    tool: str
    result: str
    error: bool = False


# --- orchestration decisions --------------------------------------------------------------------


@dataclass(slots=True, kw_only=True)
class HandedOff(Event):
    """One agent handed the conversation to another (``transfer_to_<name>``)."""

    kind: ClassVar[str] = "handoff"
    step: str
    source: str
    target: str
    note: str = ""
    reason: str = ""


@dataclass(slots=True, kw_only=True)
class RouteChosen(Event):
    """A classifier picked the specialist for the request."""

    kind: ClassVar[str] = "route"
    step: str
    classifier: str
    category: str
    target: str
    fallback: bool = False


@dataclass(slots=True, kw_only=True)
class PlanProposed(Event):
    """A planner's plan of tasks, waiting for approval or approved."""

    kind: ClassVar[str] = "plan"
    step: str
    tasks: tuple[dict, ...]  # ({"id", "worker", "task", "depends_on": [...]}, ...)
    approved: bool = True  # False while it waits for the user's approval


@dataclass(slots=True, kw_only=True)
class PlanRejected(Event):
    """A planner's plan did not validate; it may be asked to repair it."""

    kind: ClassVar[str] = "plan_rejected"
    step: str
    error: str
    attempt: int
    will_repair: bool


@dataclass(slots=True, kw_only=True)
class BusMessage(Event):
    """A message published on a topic of the event bus."""

    kind: ClassVar[str] = "bus"
    step: str
    topic: str
    payload: str
    source: str
    hop: int
    dropped: bool = False  # True when the hop limit stopped it
    subscribers: tuple[str, ...] = ()


@dataclass(slots=True, kw_only=True)
class MemoryWritten(Event):
    """An agent wrote a value to the shared memory."""

    kind: ClassVar[str] = "memory"
    agent: str
    key: str
    value: str
    step: str | None = None


# --- faults and commands ------------------------------------------------------------------------


@dataclass(slots=True, kw_only=True)
class RetryScheduled(Event):
    """A failed model call will be tried again after a delay."""

    kind: ClassVar[str] = "retry"
    agent: str
    step: str
    attempt: int  # the attempt about to be made (2 = first retry)
    error: str
    delay_s: float


@dataclass(slots=True, kw_only=True)
class ErrorRaised(Event):
    """Something went wrong; ``fatal`` when the run cannot go on."""

    kind: ClassVar[str] = "error"
    message: str
    agent: str | None = None
    step: str | None = None
    fatal: bool = False


@dataclass(slots=True, kw_only=True)
class CommandIssued(Event):
    """A control command from the person at the keyboard (or a script)."""

    kind: ClassVar[str] = "command"
    command: str  # pause | resume | stop | cancel_step | redirect | inject | approve_plan
    step: str | None = None
    agent: str | None = None
    text: str = ""
    by: str = "user"


#: The statuses a step ends in.
TERMINAL_STEP_STATUSES = frozenset((DONE, FAILED, INTERRUPTED, SKIPPED))


def is_terminal_step_status(status: str) -> bool:
    return status in TERMINAL_STEP_STATUSES

