"""The typed event stream of a run.

Everything that shows or stores a run (TUI, headless printer, journal, exporters, replay) reads
these events and nothing else. Events are ``msgspec.Struct`` records tagged by ``kind``; the
runtime stamps ``run_id``, ``seq`` and ``ts`` on each as it emits it. Consumers treat them as
read-only. Why msgspec and not dataclasses: a streamed token is an event, so building one is the
hot path, and a Struct builds in ~80 ns against 200-370 ns for a slotted dataclass; a Struct class
is made in ~20 us against ~500 us on Python 3.11 (21 of them at every start); and with ``gc=False``
the run's history is not tracked by the garbage collector, whose passes would rescan every event kept.
They are not frozen: the stamp is set after the event is built.
``to_dict``/``from_dict`` give the journal and ``--json`` one stable, versioned shape.
"""

from __future__ import annotations

from functools import cache
from typing import Any, ClassVar

import msgspec

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
_STAMP = ("run_id", "seq", "ts")


class Event(msgspec.Struct, kw_only=True, gc=False):
    """Base of every event: ``kind`` tags it; the runtime stamps ``run_id``, ``seq`` and ``ts`` when it emits it."""

    kind: ClassVar[str] = "event"
    # Keyword-only: the stamp is named; the events built on every step and turn take their own
    # fields in order.
    run_id: str = ""
    seq: int = 0
    ts: float = 0.0

    def __init_subclass__(cls, **options: Any) -> None:
        super().__init_subclass__(**options)
        _REGISTRY[cls.kind] = cls

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"v": SCHEMA_VERSION, "kind": self.kind}
        for name in _field_order(type(self)):
            value = getattr(self, name)
            data[name] = list(value) if isinstance(value, tuple) else value
        return data

    @staticmethod
    def from_dict(data: dict[str, Any]) -> "Event":
        cls = _REGISTRY[data["kind"]]
        kwargs = {k: v for k, v in data.items() if k in cls.__struct_fields__}
        for name, value in kwargs.items():
            if isinstance(value, list):
                kwargs[name] = tuple(value)
        return cls(**kwargs)


@cache  # once per kind: the journal calls to_dict for every event it writes
def _field_order(cls: type[Event]) -> tuple[str, ...]:
    """The stamp first, then the event's own fields in the order they are declared (the key order
    journals and ``--json`` have always had)."""
    return _STAMP + tuple(n for n in cls.__struct_fields__ if n not in _STAMP)


# --- run lifecycle --------------------------------------------------------------------------


class RunStarted(Event, kw_only=True):
    """The run begins: its team, request and models."""

    kind: ClassVar[str] = "run_started"
    team: str
    description: str = ""
    input: str = ""
    model: str = ""  # display label of the run's default model, e.g. "demo (offline)"
    demo: bool = False  # True when any agent plays on the offline demo model
    agents: tuple[dict, ...] = ()  # ({"name", "role", "model"}, ...) in team order
    resumed_from: str | None = None  # run id whose journal this run continues
    # What the run has spent so far: the calls its earlier sessions made (a resumed run); 0 when new.
    input_tokens: int = 0
    output_tokens: int = 0
    cost: float = 0.0


class RunStatusChanged(Event, kw_only=True):
    """Paused / running again. Finished runs use RunFinished."""

    kind: ClassVar[str] = "run_status"
    status: str


class RunFinished(Event, kw_only=True):
    """The run ended: its status, final output and totals."""

    kind: ClassVar[str] = "run_finished"
    status: str  # done | failed | stopped
    output: str = ""
    error: str | None = None
    input_tokens: int = 0
    output_tokens: int = 0
    cost: float = 0.0
    missing: tuple[str, ...] = ()  # step ids whose results are missing (degraded runs)
    stopped_by: str | None = None  # a stopped run: "user" (a command, Ctrl+C) or "budget" (a hard limit)


# --- the plan: steps and their status ---------------------------------------------------------


class StepAdded(Event):  # positional too: one a step, a thousand for a large plan (kept in this order)
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


class StepStatusChanged(Event):  # positional too: two a step (kept in this order)
    """A step moves to another status (pending, running, done, ...)."""

    kind: ClassVar[str] = "step_status"
    step: str
    status: str  # one of STEP_STATUSES
    detail: str = ""  # e.g. "round 2/3", "route: coding", the error
    duration_s: float | None = None


# --- agent turns --------------------------------------------------------------------------------


class AgentStarted(Event):  # positional too: one a turn (kept in this order)
    """An agent begins a turn on a step."""

    kind: ClassVar[str] = "agent_started"
    agent: str
    step: str
    model: str = ""
    prompt: str = ""  # the user-side text the agent was given for this turn
    notes: tuple[str, ...] = ()  # notes from the user this turn took in (resume gives them back)


class TextDelta(Event):  # positional too: one a streamed token (kept in this order)
    """A piece of an agent's streamed reply."""

    kind: ClassVar[str] = "text"
    agent: str
    step: str
    text: str


class AgentFinished(Event):  # positional too: one a turn (kept in this order)
    """An agent's turn ended: its full text and what its model calls cost (calls answered from
    earlier records cost nothing: they were counted when made)."""

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


class ModelReplied(Event):  # positional too: one a model call (kept in this order)
    """One finished model call, kept so a resumed run can replay it instead of paying again.

    ``key`` hashes the step id and everything sent to the model; a resumed run whose call has the
    same key takes this reply. One is emitted for every call made, and only for those: the run's
    totals are their sum. UIs can ignore it (AgentFinished carries the turn's totals)."""

    kind: ClassVar[str] = "model_reply"
    agent: str
    step: str
    key: str
    text: str
    tool_calls: tuple[dict, ...] = ()  # ({"id", "name", "arguments"}, ...)
    input_tokens: int = 0
    output_tokens: int = 0
    cost: float = 0.0


class ToolCalled(Event, kw_only=True):
    """An agent called a tool."""

    kind: ClassVar[str] = "tool_call"
    agent: str
    step: str
    call_id: str
    tool: str
    arguments: str  # JSON text as the model produced it


class ToolReturned(Event, kw_only=True):
    """A tool's result went back to the agent."""

    kind: ClassVar[str] = "tool_result"
    agent: str
    step: str
    call_id: str
    tool: str
    result: str
    error: bool = False


# --- orchestration decisions --------------------------------------------------------------------


class HandedOff(Event, kw_only=True):
    """One agent handed the conversation to another (``transfer_to_<name>``)."""

    kind: ClassVar[str] = "handoff"
    step: str
    source: str
    target: str
    note: str = ""
    reason: str = ""


class RouteChosen(Event, kw_only=True):
    """A classifier picked the specialist for the request."""

    kind: ClassVar[str] = "route"
    step: str
    classifier: str
    category: str
    target: str
    fallback: bool = False


class PlanProposed(Event, kw_only=True):
    """A planner's plan of tasks, waiting for approval or approved."""

    kind: ClassVar[str] = "plan"
    step: str
    tasks: tuple[dict, ...]  # ({"id", "worker", "task", "depends_on": [...]}, ...)
    approved: bool = True  # False while it waits for the user's approval


class PlanRejected(Event, kw_only=True):
    """A planner's plan did not validate; it may be asked to repair it."""

    kind: ClassVar[str] = "plan_rejected"
    step: str
    error: str
    attempt: int
    will_repair: bool


class BusMessage(Event, kw_only=True):
    """A message published on a topic of the event bus."""

    kind: ClassVar[str] = "bus"
    step: str
    topic: str
    payload: str
    source: str
    hop: int
    dropped: bool = False  # True when the hop limit stopped it
    subscribers: tuple[str, ...] = ()


class MemoryWritten(Event, kw_only=True):
    """An agent wrote a value to the shared memory."""

    kind: ClassVar[str] = "memory"
    agent: str
    key: str
    value: str
    step: str | None = None


# --- faults and commands ------------------------------------------------------------------------


class RetryScheduled(Event, kw_only=True):
    """A failed model call will be tried again after a delay."""

    kind: ClassVar[str] = "retry"
    agent: str
    step: str
    attempt: int  # the attempt about to be made (2 = first retry)
    error: str
    delay_s: float


class ErrorRaised(Event, kw_only=True):
    """Something went wrong; ``fatal`` when the run cannot go on."""

    kind: ClassVar[str] = "error"
    message: str
    agent: str | None = None
    step: str | None = None
    fatal: bool = False


class BudgetReached(Event, kw_only=True):
    """The team's soft budget limit was crossed: the run paused to ask (the TUI) or, with nobody to
    ask (headless), warned and went on. A hard limit is no event of its own: it stops the run."""

    kind: ClassVar[str] = "budget"
    tokens: int
    cost: float
    paused: bool

    @property
    def text(self) -> str:
        then = "paused — resume to continue" if self.paused else "going on (a soft limit only warns)"
        return f"soft budget reached ({self.tokens} tokens, ${self.cost:.4f}); {then}"


class CommandIssued(Event, kw_only=True):
    """A control command from the person at the keyboard (or a script)."""

    kind: ClassVar[str] = "command"
    command: str  # pause | resume | stop | cancel_step | redirect | inject | approve_plan
    step: str | None = None
    agent: str | None = None
    text: str = ""
    by: str = "user"


#: How commands read to people: the TUI's words for its keys, not the API's names.
_COMMAND_LABELS = {"cancel_step": "stop step", "inject": "note", "approve_plan": "approve plan"}


def command_label(command: str) -> str:
    """``cancel_step`` -> "stop step": one wording for the log, the headless output and exports."""
    return _COMMAND_LABELS.get(command, command.replace("_", " "))


#: The statuses a step ends in.
TERMINAL_STEP_STATUSES = frozenset((DONE, FAILED, INTERRUPTED, SKIPPED))


def is_terminal_step_status(status: str) -> bool:
    return status in TERMINAL_STEP_STATUSES

