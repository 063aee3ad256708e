"""Single agent steps and sequences."""

from __future__ import annotations

from .. import events as ev
from ..agent import Turn
from ..memory import Contribution
from ..team import AgentStep, Sequence
from . import FlowRunner, Outcome, Scope, handles


def child_id(parent: str, index: int) -> str:
    return f"{parent}.{index}" if parent else str(index)


@handles(AgentStep)
async def run_agent(runner: FlowRunner, node: AgentStep, sid: str, scope: Scope) -> Outcome:
    ctx = runner.ctx
    turn = Turn(agent=node.agent, step=sid, prompt=runner.prompt(scope, node.instruction),
                hints=scope.hints)
    result = await runner.agent_turn(turn, label=node.label or node.agent, kind="agent", scope=scope,
                                     instruction=node.instruction)
    if node.save_as:
        ctx.memory.set(node.save_as, result.text)
        ctx.emit(ev.MemoryWritten(agent=node.agent, key=node.save_as, value=result.text, step=sid))
    # The memory's record, not a copy of it (a turn that never ran has none).
    return Outcome(result.text, (sid,), (result.contribution or Contribution(node.agent, sid, result.text),))


async def run_children(runner: FlowRunner, children, ids: list[str], scope: Scope) -> Outcome:
    """Run nodes one after another; each sees what the earlier ones produced."""
    prior, deps = scope.prior, scope.deps
    produced: tuple[Contribution, ...] = ()
    outcome = Outcome("", deps)
    for child, cid in zip(children, ids):
        outcome = await runner.run(child, cid, Scope(prior, deps, scope.parent, scope.hints))
        prior += outcome.produced
        produced += outcome.produced
        deps = outcome.exits
    return Outcome(outcome.text, outcome.exits, produced)


@handles(Sequence)
async def run_sequence(runner: FlowRunner, node: Sequence, sid: str, scope: Scope) -> Outcome:
    # The top-level sequence is not a step of its own: its children are "1", "2", ...
    if sid:
        runner.ctx.add_step(sid, "sequence", "sequence", parent=scope.parent, depends_on=scope.deps)
        runner.ctx.set_status(sid, ev.RUNNING)
        scope = Scope(scope.prior, scope.deps, sid, scope.hints)
    ids = [child_id(sid, i) for i in range(1, len(node.sequence) + 1)]
    outcome = await run_children(runner, node.sequence, ids, scope)
    if sid:
        runner.ctx.set_status(sid, ev.DONE)
    return outcome
