"""Executing a team's flow: one module per pattern, one dispatcher here.

Every flow node runs as ``run(node, step_id, scope) -> Outcome``. Step ids come from the node's
place in the flow (``"2.r1.1"`` is the first step of round 1 of the loop at position 2), so the
same flow always yields the same ids: the plan view can show steps before they run, a resumed run
finds its finished steps again, and a redirect can name a step that has not started.
"""

from __future__ import annotations

from typing import Any, Awaitable, Callable

import msgspec

from .. import events as ev
from ..agent import StepFailed, Turn, TurnResult, TurnRunner
from ..context import RunContext
from ..memory import Contribution
from ..team import Flow, FlowRef


class Scope(msgspec.Struct):
    """What a node starts from: the contributions it may read, the steps it waits on. Read-only
    by convention, like the events; every step builds one or two."""

    prior: tuple[Contribution, ...] = ()
    deps: tuple[str, ...] = ()
    parent: str | None = None
    hints: dict[str, Any] = msgspec.field(default_factory=dict)


class Outcome(msgspec.Struct):
    text: str
    exits: tuple[str, ...]  # the steps whose results this node's output comes from
    produced: tuple[Contribution, ...] = ()


Handler = Callable[["FlowRunner", Any, str, Scope], Awaitable[Outcome]]
_HANDLERS: dict[type, Handler] = {}


def handles(node_type: type) -> Callable[[Handler], Handler]:
    def register(fn: Handler) -> Handler:
        _HANDLERS[node_type] = fn
        return fn

    return register


def compose_prompt(request: str, prior: tuple[Contribution, ...], task: str | None,
                   roles: dict[str, str]) -> str:
    """The user-side text of a turn: the request, the work so far, and what to do now."""
    parts = [f"## Request\n{request}"]
    if prior:
        parts.append("## Work so far")
        for c in prior:
            parts.append(f"### {c.agent} ({roles.get(c.agent, c.agent)}), step {c.step}\n{c.text}")
    parts.append("## Your turn\n" + (task or "Do your part for this request, as your role describes."))
    return "\n\n".join(parts)


class FlowRunner:
    def __init__(self, ctx: RunContext) -> None:
        self.ctx = ctx
        self.turns = TurnRunner(ctx)
        self.roles = {name: a.role for name, a in ctx.team.agents.items()}

    async def run(self, node: Flow, step_id: str, scope: Scope) -> Outcome:
        if self.ctx.stopping:  # stopped from inside a turn (a budget): the next step does not start
            await self.ctx.until_stopped()
        if isinstance(node, FlowRef):
            return await self.run(self.ctx.team.flows[node.flow], step_id, scope)
        return await _HANDLERS[type(node)](self, node, step_id, scope)

    def prompt(self, scope: Scope, task: str | None) -> str:
        return compose_prompt(self.ctx.request, scope.prior, task, self.roles)

    async def agent_turn(self, turn: Turn, *, label: str, kind: str, scope: Scope,
                         instruction: str | None = None) -> TurnResult:
        """Run one agent step from pending to its end status. Raises StepFailed."""
        ctx = self.ctx
        if turn.step not in ctx.steps:  # most were announced with the plan (preview.announce_plan)
            ctx.add_step(turn.step, label, kind, agent=turn.agent, parent=scope.parent,
                         depends_on=scope.deps, round=scope.hints.get("round"), instruction=instruction)
        if not ctx.running.is_set():  # paused: the step waits as pending; its time starts when it runs
            await ctx.gate()
        control = ctx.controls.get(turn.step)
        if control is not None and control.action == "cancel":
            control.action = None
            ctx.set_status(turn.step, ev.SKIPPED, "stopped before it started")
            return TurnResult("", interrupted=True)
        ctx.set_status(turn.step, ev.RUNNING, scope.hints.get("detail", ""))
        try:
            result = await self.turns.run(turn)
        except StepFailed as exc:
            ctx.set_status(turn.step, ev.FAILED, str(exc))
            ctx.emit(ev.ErrorRaised(agent=turn.agent, step=turn.step, message=str(exc)))
            raise
        ctx.set_status(turn.step, ev.INTERRUPTED if result.interrupted else ev.DONE)
        return result

    def skip_pending(self, steps: list[str], reason: str) -> None:
        for step in steps:
            info = self.ctx.steps.get(step)
            if info is not None and info.status == ev.PENDING:
                self.ctx.set_status(step, ev.SKIPPED, reason)


def first_step_failure(group: BaseExceptionGroup) -> BaseException:
    """TaskGroup wraps failures in a group; surface the StepFailed a user should read."""
    for exc in group.exceptions:
        if isinstance(exc, BaseExceptionGroup):
            return first_step_failure(exc)
        if isinstance(exc, StepFailed):
            return exc
    return group.exceptions[0]


# Register the handlers (import for side effect, after FlowRunner exists).
from . import basic, bus, handoff, loop, parallel, route, supervise  # noqa: E402,F401
