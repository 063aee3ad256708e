"""A run's events folded into something to read: the plan, one turn per step, notes, totals.

Pure and side-effect free: the exporters and the headless printer read a run through this. A
step that ran more than once (a redirect, a resume, a retry after a cut) still reads as one run:
each step shows its last attempt that finished a turn, and the redirect shows up as a note.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable, Iterator

from .events import (
    AgentFinished,
    AgentStarted,
    BudgetReached,
    BusMessage,
    CommandIssued,
    ErrorRaised,
    Event,
    HandedOff,
    ModelReplied,
    PlanProposed,
    PlanRejected,
    RetryScheduled,
    RouteChosen,
    RunFinished,
    RunStarted,
    StepAdded,
    StepStatusChanged,
    RUNNING,
    TextDelta,
    command_label,
    ToolCalled,
    ToolReturned,
)

#: Events shown inline between turns, in the order they happened.
NOTE_KINDS = (
    HandedOff, RouteChosen, CommandIssued, PlanProposed, PlanRejected, RetryScheduled, ErrorRaised, BudgetReached,
    BusMessage,
)


@dataclass(slots=True)
class ToolUse:
    call: ToolCalled
    result: ToolReturned | None = None


@dataclass(slots=True)
class Turn:
    step: str
    agent: str
    index: int  # position in the event list where the turn began (orders turns with notes)
    model: str = ""
    prompt: str = ""
    parts: list[list[str] | ToolUse] = field(default_factory=list)  # streamed text pieces and tool uses, in order
    finished: AgentFinished | None = None

    def add_text(self, text: str) -> None:
        if not self.parts or isinstance(self.parts[-1], ToolUse):
            self.parts.append([])
        self.parts[-1].append(text)  # type: ignore[union-attr]

    def drop_partial_text(self) -> None:
        """A call failed and will be retried: what it streamed is not part of the answer."""
        if self.parts and not isinstance(self.parts[-1], ToolUse):
            self.parts.pop()

    @property
    def tools(self) -> list[ToolUse]:
        return [p for p in self.parts if isinstance(p, ToolUse)]

    def segments(self) -> list[str | ToolUse]:
        """Text and tool uses in the order they happened. The finished text is authoritative
        for the turn's last text (a replayed turn streamed none; a cut reply may differ)."""
        out: list[str | ToolUse] = [p if isinstance(p, ToolUse) else "".join(p) for p in self.parts]
        final = self.finished.text if self.finished is not None else None
        if final is not None:
            texts = [s for s in out if isinstance(s, str)]
            if out and isinstance(out[-1], str):
                out[-1] = final
            elif final and (not texts or texts[-1] != final):
                out.append(final)  # (a handoff's text came before its tool call: not twice)
        return [s for s in out if not isinstance(s, str) or s]

    @property
    def text(self) -> str:
        """The turn's final text: the finished text when there is one, else what streamed last."""
        if self.finished is not None:
            return self.finished.text
        last = self.parts[-1] if self.parts else None
        return "".join(last) if isinstance(last, list) else ""

    @property
    def complete(self) -> bool:
        return self.finished is not None and not self.finished.interrupted


@dataclass(slots=True)
class Step:
    added: StepAdded
    status: str = "pending"
    detail: str = ""
    duration_s: float | None = None
    instruction: str | None = None  # the latest redirect, else the step's own instruction
    redirects: int = 0
    attempts: list[list[Turn]] = field(default_factory=list)
    restart: bool = False  # the next turn starts a new attempt

    @property
    def id(self) -> str:
        return self.added.step

    def shown_turns(self) -> list[Turn]:
        """The turns of the step's last attempt that did real work, by preference: one that
        completed a turn with a model call; one completed from the journal (a replay only
        stands in when nothing better exists); one that ended interrupted; the last one."""
        for ok in (
            lambda t: t.complete and not t.finished.reused,
            lambda t: t.complete,
            lambda t: t.finished is not None,
        ):
            for attempt in reversed(self.attempts):
                if any(ok(t) for t in attempt):
                    return attempt
        return self.attempts[-1] if self.attempts else []


@dataclass(slots=True)
class Transcript:
    run_id: str = ""
    started: RunStarted | None = None
    finished: RunFinished | None = None
    resumes: int = 0  # RunStarted events after the first (runs resumed into the same journal)
    steps: dict[str, Step] = field(default_factory=dict)  # in the order they were added
    plans: dict[str, PlanProposed] = field(default_factory=dict)  # latest plan per step
    notes: list[tuple[int, Event]] = field(default_factory=list)
    loose_turns: list[Turn] = field(default_factory=list)  # turns of steps never announced
    paid: dict[str, tuple[int, int, float]] = field(default_factory=dict)  # agent -> what its model calls cost
    first_ts: float | None = None
    last_ts: float | None = None

    def plan(self) -> list[tuple[int, Step]]:
        """(depth, step) for every step as a tree: each step right after its parent, siblings in
        the order they were added (steps added while running, like handoff hops, join their kin)."""
        children: dict[str | None, list[Step]] = {}
        for step in self.steps.values():
            parent = step.added.parent if step.added.parent in self.steps else None
            children.setdefault(parent, []).append(step)
        out: list[tuple[int, Step]] = []
        seen: set[str] = set()

        def walk(parent: str | None, depth: int) -> None:
            for step in children.get(parent, []):
                if step.id not in seen:
                    seen.add(step.id)
                    out.append((depth, step))
                    walk(step.id, depth + 1)

        walk(None, 0)
        # Steps whose parents form a loop are unreachable from a root: list them rather than lose them.
        out += [(0, step) for step in self.steps.values() if step.id not in seen]
        return out

    def turns(self) -> list[Turn]:
        shown = [t for s in self.steps.values() for t in s.shown_turns()] + self.loose_turns
        return sorted(shown, key=lambda t: t.index)

    def timeline(self) -> list[Turn | Event]:
        """Shown turns and notes, in the order they began."""
        items: list[tuple[int, Turn | Event]] = [(t.index, t) for t in self.turns()]
        items += self.notes
        return [item for _, item in sorted(items, key=lambda pair: pair[0])]

    @property
    def demo(self) -> bool:
        return bool(self.started and self.started.demo)

    def all_turns(self) -> Iterator[Turn]:
        """Every turn of every attempt, shown or not."""
        for step in self.steps.values():
            for attempt in step.attempts:
                yield from attempt
        yield from self.loose_turns

    def usage_by_agent(self) -> dict[str, tuple[int, int, int, float]]:
        """agent -> (turns, input tokens, output tokens, cost). The costs are those of the model calls
        made (ModelReplied: the same sum as the run's total); turns count those that made one:
        reruns count (they were paid for), replays from the journal do not."""
        turns: dict[str, int] = {}
        for turn in self.all_turns():
            if turn.finished is not None and not turn.finished.reused:
                turns[turn.agent] = turns.get(turn.agent, 0) + 1
        return {agent: (turns.get(agent, 0), *self.paid.get(agent, (0, 0, 0.0)))
                for agent in {**turns, **self.paid}}


def fold(events: Iterable[Event]) -> Transcript:
    tr = Transcript()
    open_turns: dict[tuple[str, str], Turn] = {}  # (step, agent) -> the turn streaming now
    calls: dict[str, ToolUse] = {}

    def step_of(step_id: str) -> Step | None:
        return tr.steps.get(step_id)

    def begin(index: int, step_id: str, agent: str) -> Turn:
        turn = Turn(step=step_id, agent=agent, index=index)
        step = step_of(step_id)
        if step is None:
            tr.loose_turns.append(turn)
        else:
            # An unfinished turn of the same step being started again means it was cut and rerun.
            restarted = any(t.finished is None for t in (step.attempts[-1] if step.attempts else []))
            if step.restart or restarted or not step.attempts:
                step.attempts.append([])
                step.restart = False
            step.attempts[-1].append(turn)
        open_turns[(step_id, agent)] = turn
        return turn

    for index, ev in enumerate(events):
        tr.run_id = tr.run_id or ev.run_id
        if ev.ts:
            tr.first_ts = ev.ts if tr.first_ts is None else tr.first_ts
            tr.last_ts = ev.ts
        if isinstance(ev, TextDelta):  # the hot path: most events are deltas
            turn = open_turns.get((ev.step, ev.agent)) or begin(index, ev.step, ev.agent)
            turn.add_text(ev.text)
        elif isinstance(ev, AgentStarted):
            turn = begin(index, ev.step, ev.agent)
            turn.model, turn.prompt = ev.model, ev.prompt
        elif isinstance(ev, AgentFinished):
            turn = open_turns.pop((ev.step, ev.agent), None) or begin(index, ev.step, ev.agent)
            open_turns.pop((ev.step, ev.agent), None)
            turn.finished = ev
        elif isinstance(ev, ToolCalled):
            turn = open_turns.get((ev.step, ev.agent)) or begin(index, ev.step, ev.agent)
            use = calls[ev.call_id] = ToolUse(call=ev)
            turn.parts.append(use)
        elif isinstance(ev, ToolReturned):
            if ev.call_id in calls:
                calls[ev.call_id].result = ev
        elif isinstance(ev, StepAdded):
            if ev.step in tr.steps:  # re-announced (resume): a fresh attempt, same place in the plan
                tr.steps[ev.step].restart = True
            else:
                tr.steps[ev.step] = Step(added=ev, instruction=ev.instruction)
        elif isinstance(ev, StepStatusChanged):
            step = step_of(ev.step)
            if step is not None:
                if ev.status == RUNNING and step.status != RUNNING and step.attempts:
                    step.restart = True  # it ran before (a redirect, a rerun): a new attempt
                step.status, step.detail = ev.status, ev.detail
                if ev.duration_s is not None:
                    step.duration_s = ev.duration_s
        elif isinstance(ev, RunStarted):
            if tr.started is None:
                tr.started = ev
            else:
                tr.resumes += 1
                tr.finished = None
                for step in tr.steps.values():
                    step.restart = True
                open_turns.clear()
        elif isinstance(ev, RetryScheduled):
            turn = open_turns.get((ev.step, ev.agent))
            if turn is not None:
                turn.drop_partial_text()
        elif isinstance(ev, RunFinished):
            tr.finished = ev
        elif isinstance(ev, ModelReplied):
            i, o, c = tr.paid.get(ev.agent, (0, 0, 0.0))
            tr.paid[ev.agent] = (i + ev.input_tokens, o + ev.output_tokens, c + ev.cost)
        if isinstance(ev, NOTE_KINDS):
            tr.notes.append((index, ev))
            if isinstance(ev, PlanProposed):
                tr.plans[ev.step] = ev
            elif isinstance(ev, CommandIssued) and ev.command == "redirect" and ev.step in tr.steps:
                step = tr.steps[ev.step]
                step.redirects += 1
                step.instruction = ev.text
                step.restart = True
    return tr


def describe(ev: Event) -> tuple[str, str]:
    """A note event as (label, plain text), e.g. ("Handoff", "pm → dev: spec attached").
    The text is raw run data: escape it for whatever format shows it."""
    if isinstance(ev, HandedOff):
        return "Handoff", f"{ev.source} → {ev.target}" + (f": {ev.note}" if ev.note else "")
    if isinstance(ev, RouteChosen):
        fallback = " (fallback)" if ev.fallback else ""
        return "Route", f"{ev.classifier} chose '{ev.category}' → {ev.target}{fallback}"
    if isinstance(ev, CommandIssued):
        # Worded as the TUI's log words it: "stop step 1.coder", "note to billing: ...".
        target = (f" {ev.step}" if ev.step else "") + (f" to {ev.agent}" if ev.agent else "")
        return "Command", f"{command_label(ev.command)}{target}" + (f": {ev.text}" if ev.text else "") + f" (by {ev.by})"
    if isinstance(ev, PlanProposed):
        tasks = "; ".join(
            f"{t.get('id')} → {t.get('worker')}"
            + (f" after {', '.join(map(str, t.get('depends_on') or ()))}" if t.get("depends_on") else "")
            for t in ev.tasks
        )
        state = " (waiting for approval)" if not ev.approved else ""
        return "Plan", f"step {ev.step}{state}: {tasks}"
    if isinstance(ev, PlanRejected):
        repair = "asking for a repair" if ev.will_repair else "giving up"
        return "Plan rejected", f"attempt {ev.attempt}, {repair}: {ev.error}"
    if isinstance(ev, RetryScheduled):
        return "Retry", f"{ev.agent} attempt {ev.attempt} in {ev.delay_s:.1f}s: {ev.error}"
    if isinstance(ev, ErrorRaised):
        return "Error", (f"{ev.agent}: " if ev.agent else "") + ev.message
    if isinstance(ev, BudgetReached):
        return "Budget", ev.text
    if isinstance(ev, BusMessage):
        dropped = " (dropped: hop limit)" if ev.dropped else ""
        return "Bus", f"{ev.source} published '{ev.topic}' (hop {ev.hop}){dropped}"
    return ev.kind, ""
