"""The view state of one run, built from its events alone.

``RunState.apply(events)`` is the only way the state changes; it returns a ``Changes`` record
saying what moved, so widgets redraw just that. Nothing here touches Textual, so the reducer is
tested with plain event lists, and a replayed run (journaled events) looks exactly like a live one.
"""

from __future__ import annotations

from typing import Iterable

import msgspec

from teamtui.core import events as ev
from teamtui.core.events import Event

from .safe_text import one_line

# Agent statuses shown in the agents list.
IDLE, THINKING, STREAMING, WAITING, AGENT_DONE, AGENT_FAILED, AGENT_STOPPED = (
    "idle", "thinking", "streaming", "waiting", "done", "failed", "stopped",
)
#: Run status before RunStarted arrives.
STARTING = "starting"

#: Log entry kinds, in the order the log filter offers them.
LOG_KINDS = ("run", "step", "plan", "route", "handoff", "tool", "bus", "memory", "retry", "error", "command")


# The records are msgspec Structs, not dataclasses: on Python 3.11 `dataclass` compiles each class's
# methods at import: these five cost ~20M instructions (~4 ms) before the first frame, where
# msgspec makes a Struct in microseconds.


class Turn(msgspec.Struct, eq=False):  # compared and hashed by identity: widgets key their views by turn
    """One agent turn (AgentStarted .. AgentFinished) on one step."""

    agent: str
    step: str
    prompt: str = ""
    chunks: list[str] = msgspec.field(default_factory=list)
    status: str = ev.RUNNING  # running | done | interrupted | failed
    reused: bool = False
    input_tokens: int = 0
    output_tokens: int = 0
    duration_s: float | None = None

    @property
    def text(self) -> str:
        if len(self.chunks) > 1:
            self.chunks[:] = ["".join(self.chunks)]
        return self.chunks[0] if self.chunks else ""


class AgentView(msgspec.Struct):
    name: str
    role: str = ""
    model: str = ""
    turns: list[Turn] = msgspec.field(default_factory=list)
    active: dict[str, Turn] = msgspec.field(default_factory=dict)  # step -> open turn (an agent may run several at once)
    retrying: bool = False
    tool: str | None = None  # tool call in flight
    failed: bool = False
    queued: set[str] = msgspec.field(default_factory=set)  # pending steps assigned to this agent

    def status(self, run_paused: bool) -> str:
        if self.active:
            if self.retrying or run_paused or self.tool:
                return WAITING
            return STREAMING if any(turn.chunks for turn in self.active.values()) else THINKING
        if self.failed:
            return AGENT_FAILED
        if self.queued:
            return WAITING
        if self.turns:
            return AGENT_STOPPED if self.turns[-1].status == ev.INTERRUPTED else AGENT_DONE
        return IDLE


class StepView(msgspec.Struct):
    id: str
    label: str
    kind: str
    agent: str | None = None
    parent: str | None = None
    depends_on: tuple[str, ...] = ()
    round: int | None = None
    instruction: str | None = None
    prompt: str = ""
    status: str = ev.PENDING
    detail: str = ""
    route: str = ""
    duration_s: float | None = None
    tokens: int = 0
    reused: bool = False  # its last turn's reply was taken from an earlier call
    children: list[str] = msgspec.field(default_factory=list)


class LogEntry(msgspec.Struct, frozen=True):
    ts: float
    kind: str
    text: str
    agent: str | None = None
    step: str | None = None
    level: str = "info"  # info | warn | error


class Changes(msgspec.Struct):
    """What one ``apply`` call changed."""

    header: bool = False
    agents: set[str] = msgspec.field(default_factory=set)
    steps: list[str] = msgspec.field(default_factory=list)  # changed or new, in first-touch order
    log: list[LogEntry] = msgspec.field(default_factory=list)
    new_turns: list[Turn] = msgspec.field(default_factory=list)
    text: dict[Turn, str] = msgspec.field(default_factory=dict)  # text appended to each turn this batch
    # The pieces of ``text`` while a batch is applied, joined once at its end (adding each token
    # to a growing string copied it again: quadratic in a batch of a few thousand tokens).
    _parts: dict[Turn, list[str]] = msgspec.field(default_factory=dict)
    replaced: list[Turn] = msgspec.field(default_factory=list)  # turns whose whole text must be redrawn
    finished_turns: list[Turn] = msgspec.field(default_factory=list)
    plan_review: str | None = None  # a plan step that now waits for the user's approval
    soft_budget: tuple[int, float] | None = None  # (tokens, cost) at which a soft limit paused the run
    finished: bool = False

    def touch_step(self, step: str) -> None:
        if step not in self.steps:
            self.steps.append(step)


class RunState:
    def __init__(self) -> None:
        self.run_id = ""
        self.team = ""
        self.description = ""
        self.input = ""
        self.model = ""
        self.demo = False
        self.status = STARTING
        self.started_ts: float | None = None
        self.finished_ts: float | None = None
        self.last_ts = 0.0  # time of the newest event (a replay's clock)
        self.input_tokens = 0
        self.output_tokens = 0
        self.cost = 0.0
        self.output = ""
        self.error: str | None = None
        self.missing: tuple[str, ...] = ()
        self.agents: dict[str, AgentView] = {}
        self.steps: dict[str, StepView] = {}
        self.roots: list[str] = []  # top-level steps in order
        self.log: list[LogEntry] = []
        #: Plans waiting for approval: plan step -> tasks as proposed.
        self.pending_plans: dict[str, list[dict]] = {}

    # --- queries -------------------------------------------------------------------------------

    @property
    def paused(self) -> bool:
        return self.status == ev.RUN_PAUSED

    @property
    def finished(self) -> bool:
        return self.status in (ev.RUN_DONE, ev.RUN_FAILED, ev.RUN_STOPPED)

    @property
    def tokens(self) -> int:
        return self.input_tokens + self.output_tokens

    def agent_status(self, name: str) -> str:
        return self.agents[name].status(self.paused)

    def elapsed(self, now: float) -> float:
        if self.started_ts is None:
            return 0.0
        end = self.finished_ts if self.finished_ts is not None else now
        return max(0.0, end - self.started_ts)

    # --- the reducer ---------------------------------------------------------------------------

    def apply(self, events: Iterable[Event]) -> Changes:
        changes = Changes()
        last_ts, text_delta, on_text = self.last_ts, ev.TextDelta, self._text
        for event in events:
            if event.ts > last_ts:
                last_ts = event.ts
            if type(event) is text_delta:  # nearly every event of a streaming run: skip the lookup
                on_text(event, changes)
                continue
            handler = _HANDLERS.get(type(event))
            if handler is not None:
                handler(self, event, changes)
        self.last_ts = last_ts
        changes.text = {turn: "".join(parts) for turn, parts in changes._parts.items()}
        return changes

    def _agent(self, name: str, changes: Changes) -> AgentView:
        view = self.agents.get(name)
        if view is None:
            view = self.agents[name] = AgentView(name)
        changes.agents.add(name)
        return view

    def _log(self, changes: Changes, event: Event, kind: str, text: str, *, agent: str | None = None,
             step: str | None = None, level: str = "info") -> None:
        entry = LogEntry(event.ts, kind, text, agent=agent, step=step, level=level)
        self.log.append(entry)
        changes.log.append(entry)

    # run lifecycle

    def _run_started(self, e: ev.RunStarted, c: Changes) -> None:
        self.run_id, self.team, self.description, self.input = e.run_id, e.team, e.description, e.input
        self.model, self.demo = e.model, e.demo
        self.status, self.started_ts = ev.RUN_RUNNING, e.ts
        self.input_tokens, self.output_tokens, self.cost = e.input_tokens, e.output_tokens, e.cost  # resumed: spent before
        for info in e.agents:
            view = self._agent(str(info.get("name", "")), c)
            view.role, view.model = str(info.get("role") or ""), str(info.get("model") or "")
        c.header = True
        label = f"{self.model} (offline demo)" if self.demo and "demo" not in self.model else self.model
        what = f"{one_line(e.team, 40)} on {one_line(label, 60)}"
        if e.resumed_from == e.run_id:  # `teamtui resume` goes on under the same id
            self._log(c, e, "run", f"run {e.run_id} resumed: {what}")
        else:
            resumed = f", resuming {e.resumed_from}" if e.resumed_from else ""
            self._log(c, e, "run", f"run {e.run_id} started: {what}{resumed}")

    def _run_status(self, e: ev.RunStatusChanged, c: Changes) -> None:
        self.status = e.status
        c.header = True
        c.agents.update(self.agents)
        self._log(c, e, "run", "run resumed" if e.status == ev.RUN_RUNNING else f"run {e.status}")

    def _run_finished(self, e: ev.RunFinished, c: Changes) -> None:
        self.status, self.output, self.error, self.missing = e.status, e.output, e.error, e.missing
        self.finished_ts = e.ts
        self.input_tokens, self.output_tokens, self.cost = e.input_tokens, e.output_tokens, e.cost
        c.steps.extend(s for s in self.pending_plans if s not in c.steps)
        self.pending_plans.clear()
        end = ev.FAILED if e.status == ev.RUN_FAILED else ev.INTERRUPTED
        for agent in self.agents.values():
            agent.queued.clear()
            for step in list(agent.active):  # a turn whose step never said it ended
                self._close_turn(agent, step, end, None, c)
        c.agents.update(self.agents)
        c.header = c.finished = True
        level = "info" if e.status == ev.RUN_DONE else "error"
        detail = f": {one_line(e.error, 200)}" if e.error else ""
        self._log(c, e, "run", f"run {e.status}{detail}", level=level)

    # the plan

    def _step_added(self, e: ev.StepAdded, c: Changes) -> None:
        old = self.steps.get(e.step)
        view = StepView(e.step, e.label, e.step_kind, agent=e.agent, parent=e.parent, depends_on=e.depends_on,
                        round=e.round, instruction=e.instruction)
        if old is not None:  # re-announced (a redirect reruns it): keep its place in the tree
            view.children = old.children
        else:
            siblings = self.steps[e.parent].children if e.parent in self.steps else self.roots
            siblings.append(e.step)
        self.steps[e.step] = view
        if e.agent:
            self._agent(e.agent, c).queued.add(e.step)
        c.touch_step(e.step)

    def _step_status(self, e: ev.StepStatusChanged, c: Changes) -> None:
        view = self.steps.get(e.step)
        if view is None:
            return
        was, view.status = view.status, e.status
        view.detail = e.detail  # each status says its own detail ("will rerun" must not outlive the rerun)
        if e.duration_s is not None:
            view.duration_s = e.duration_s
        if e.status == ev.RUNNING:
            view.reused = False
        c.touch_step(e.step)
        if view.agent and view.agent in self.agents:
            agent = self._agent(view.agent, c)
            if e.status != ev.RUNNING:
                # Its turn ended without an AgentFinished: the call failed, the run stopped, or a
                # redirect abandoned it (the step goes back to pending, to run again).
                self._close_turn(agent, e.step, _TURN_END.get(e.status, ev.INTERRUPTED), e.duration_s, c)
            # Queued until its turn starts (a running step may still wait for a paused run).
            if ev.is_terminal_step_status(e.status):
                agent.queued.discard(e.step)
            elif e.status == ev.PENDING:
                agent.queued.add(e.step)
            if e.status == ev.FAILED:
                agent.failed = True
            elif e.status == ev.RUNNING:
                agent.failed = False
        if e.status == ev.PENDING and was == ev.RUNNING:  # cut short by a redirect of a step before it
            detail = f" ({one_line(e.detail, 160)})" if e.detail else ""
            self._log(c, e, "step", f"{e.step} {view.label} interrupted{detail}", agent=view.agent, step=e.step,
                      level="warn")
        elif e.status in (ev.FAILED, ev.INTERRUPTED, ev.SKIPPED) or (e.status == ev.DONE and view.agent):
            level = {ev.FAILED: "error", ev.INTERRUPTED: "warn"}.get(e.status, "info")
            took = f" in {view.duration_s:.1f}s" if view.duration_s is not None else ""
            detail = f" ({one_line(e.detail, 160)})" if e.detail else ""
            if e.status == ev.DONE and view.reused:  # as headless says it (its 0.0s says nothing)
                took, detail = "", f" (reused from an earlier call{'; ' + one_line(e.detail, 160) if e.detail else ''})"
            self._log(c, e, "step", f"{e.step} {view.label} {e.status}{took}{detail}",
                      agent=view.agent, step=e.step, level=level)

    # agent turns

    def _agent_started(self, e: ev.AgentStarted, c: Changes) -> None:
        agent = self._agent(e.agent, c)
        # A running step that was redirected starts over: its first turn was cut short.
        self._close_turn(agent, e.step, ev.INTERRUPTED, None, c)
        turn = Turn(e.agent, e.step, prompt=e.prompt)
        agent.turns.append(turn)
        agent.active[e.step] = turn
        agent.retrying, agent.tool, agent.failed = False, None, False
        agent.queued.discard(e.step)
        if e.model and not agent.model:
            agent.model = e.model
        if e.step in self.steps:
            self.steps[e.step].prompt = e.prompt
        c.new_turns.append(turn)

    def _text(self, e: ev.TextDelta, c: Changes) -> None:
        agent = self.agents.get(e.agent)
        turn = agent.active.get(e.step) if agent else None
        if turn is None:
            return
        if not turn.chunks:
            c.agents.add(e.agent)  # thinking -> streaming
        agent.retrying = False
        turn.chunks.append(e.text)
        parts = c._parts.get(turn)
        if parts is None:
            c._parts[turn] = [e.text]
        else:
            parts.append(e.text)

    def _agent_finished(self, e: ev.AgentFinished, c: Changes) -> None:
        agent = self._agent(e.agent, c)
        turn = agent.active.pop(e.step, None)
        if turn is None:  # a reused turn arrives without AgentStarted
            turn = Turn(e.agent, e.step)
            agent.turns.append(turn)
            c.new_turns.append(turn)
        agent.retrying, agent.tool = False, None
        turn.status = ev.INTERRUPTED if e.interrupted else ev.DONE
        turn.reused = e.reused
        turn.input_tokens, turn.output_tokens, turn.duration_s = e.input_tokens, e.output_tokens, e.duration_s
        # The finished text is the truth (a retry may have streamed a false start before it).
        if e.text and turn.text != e.text:
            turn.chunks[:] = [e.text]
            c._parts.pop(turn, None)
            c.replaced.append(turn)
        c.finished_turns.append(turn)
        self.input_tokens += e.input_tokens
        self.output_tokens += e.output_tokens
        self.cost += e.cost
        c.header = True
        step = self.steps.get(e.step)
        if step is not None:
            step.tokens += e.input_tokens + e.output_tokens
            step.reused = e.reused
            c.touch_step(e.step)

    def _close_turn(self, agent: AgentView, step: str, status: str, duration_s: float | None, c: Changes) -> None:
        """End ``agent``'s open turn on ``step``, if one is open, as ``status``."""
        turn = agent.active.pop(step, None)
        if turn is None:
            return
        agent.retrying, agent.tool = False, None
        turn.status, turn.duration_s = status, duration_s
        c.finished_turns.append(turn)

    def _tool_called(self, e: ev.ToolCalled, c: Changes) -> None:
        self._agent(e.agent, c).tool = e.tool
        self._log(c, e, "tool", f"{e.agent} calls {e.tool}({one_line(e.arguments, 120)})", agent=e.agent, step=e.step)

    def _tool_returned(self, e: ev.ToolReturned, c: Changes) -> None:
        self._agent(e.agent, c).tool = None
        verb = "failed" if e.error else "returned"
        self._log(c, e, "tool", f"{e.tool} {verb}: {one_line(e.result, 160)}", agent=e.agent, step=e.step,
                  level="error" if e.error else "info")

    # orchestration decisions

    def _handoff(self, e: ev.HandedOff, c: Changes) -> None:
        extra = "".join(f" · {label}: {one_line(v, 120)}" for label, v in (("note", e.note), ("why", e.reason)) if v)
        self._log(c, e, "handoff", f"{e.source} → {e.target}{extra}", agent=e.source, step=e.step)

    def _route(self, e: ev.RouteChosen, c: Changes) -> None:
        fallback = " (fallback)" if e.fallback else ""
        route = f"{one_line(e.category, 40)} → {e.target}{fallback}"
        view = self.steps.get(e.step)
        if view is not None:
            view.route = route
            c.touch_step(e.step)
        self._log(c, e, "route", f"{e.classifier} chose {route}", agent=e.classifier, step=e.step)

    def _plan(self, e: ev.PlanProposed, c: Changes) -> None:
        tasks = [dict(t) for t in e.tasks]
        if e.approved:
            self.pending_plans.pop(e.step, None)
        else:
            self.pending_plans[e.step] = tasks
            c.plan_review = e.step
        c.touch_step(e.step)
        waiting = " (waiting for your approval)" if not e.approved else ""
        self._log(c, e, "plan", f"plan {e.step}: {len(tasks)} tasks{waiting}", step=e.step)

    def _plan_rejected(self, e: ev.PlanRejected, c: Changes) -> None:
        then = "asking for a repair" if e.will_repair else "giving up"
        self._log(c, e, "plan", f"plan {e.step} rejected (attempt {e.attempt}): {one_line(e.error, 160)}; {then}",
                  step=e.step, level="warn" if e.will_repair else "error")

    def _bus(self, e: ev.BusMessage, c: Changes) -> None:
        to = ", ".join(e.subscribers) or "nobody"
        if e.dropped:
            text, level = f"{e.topic} from {e.source} dropped at hop {e.hop} (hop limit)", "warn"
        else:
            text, level = f"{e.topic} from {e.source} (hop {e.hop}) → {to}: {one_line(e.payload, 100)}", "info"
        self._log(c, e, "bus", text, agent=e.source, step=e.step, level=level)

    def _memory(self, e: ev.MemoryWritten, c: Changes) -> None:
        self._log(c, e, "memory", f"{e.agent} wrote {one_line(e.key, 40)} = {one_line(e.value, 120)}",
                  agent=e.agent, step=e.step)

    # faults and commands

    def _retry(self, e: ev.RetryScheduled, c: Changes) -> None:
        self._agent(e.agent, c).retrying = True
        self._log(c, e, "retry", f"{e.agent}: attempt {e.attempt} in {e.delay_s:.1f}s after {one_line(e.error, 140)}",
                  agent=e.agent, step=e.step, level="warn")

    def _error(self, e: ev.ErrorRaised, c: Changes) -> None:
        if e.agent and e.agent in self.agents and e.fatal:
            self._agent(e.agent, c).failed = True
        self._log(c, e, "error", one_line(e.message, 300), agent=e.agent, step=e.step, level="error")

    def _budget(self, e: ev.BudgetReached, c: Changes) -> None:
        if e.paused:  # the run waits for an answer: the screen asks
            c.soft_budget = (e.tokens, e.cost)
        self._log(c, e, "run", e.text, level="warn")

    def _command(self, e: ev.CommandIssued, c: Changes) -> None:
        if e.command == "approve_plan" and e.step:
            self.pending_plans.pop(e.step, None)
            c.touch_step(e.step)
        name = ev.command_label(e.command)
        target = "".join(x for x in (e.step and f" {e.step}", e.agent and f" to {e.agent}") if x)
        text = f": {one_line(e.text, 160)}" if e.text else ""
        self._log(c, e, "command", f"{one_line(e.by, 20)}: {name}{target}{text}", agent=e.agent, step=e.step)



#: How a turn that ended without an AgentFinished ends, by its step's new status.
_TURN_END = {ev.DONE: ev.DONE, ev.FAILED: ev.FAILED}

_HANDLERS = {
    ev.RunStarted: RunState._run_started,
    ev.RunStatusChanged: RunState._run_status,
    ev.RunFinished: RunState._run_finished,
    ev.StepAdded: RunState._step_added,
    ev.StepStatusChanged: RunState._step_status,
    ev.AgentStarted: RunState._agent_started,
    ev.TextDelta: RunState._text,
    ev.AgentFinished: RunState._agent_finished,
    ev.ToolCalled: RunState._tool_called,
    ev.ToolReturned: RunState._tool_returned,
    ev.HandedOff: RunState._handoff,
    ev.RouteChosen: RunState._route,
    ev.PlanProposed: RunState._plan,
    ev.PlanRejected: RunState._plan_rejected,
    ev.BusMessage: RunState._bus,
    ev.MemoryWritten: RunState._memory,
    ev.RetryScheduled: RunState._retry,
    ev.ErrorRaised: RunState._error,
    ev.BudgetReached: RunState._budget,
    ev.CommandIssued: RunState._command,
}
