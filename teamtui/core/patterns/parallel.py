"""Parallel fan-out: every branch gets the same input; an optional arbiter resolves the answers."""

from __future__ import annotations

import asyncio

from .. import events as ev
from ..agent import StepFailed, Turn
from ..memory import Contribution
from ..team import Parallel
from . import FlowRunner, Outcome, Scope, first_step_failure, handles


async def gather_branches(runner: FlowRunner, branches, ids: list[str], scope: Scope) -> list[Outcome | None]:
    """Run branches concurrently. In "degrade" teams a failed branch becomes None; otherwise the
    first failure cancels the others and propagates."""
    degrade = runner.ctx.on_failure == "degrade"

    async def one(branch, bid: str) -> Outcome | None:
        try:
            return await runner.run(branch, bid, scope)
        except StepFailed:
            if not degrade:
                raise
            runner.ctx.missing.append(bid)
            return None

    async with asyncio.TaskGroup() as group:
        tasks = [group.create_task(one(b, bid)) for b, bid in zip(branches, ids)]
    return [t.result() for t in tasks]


@handles(Parallel)
async def run_parallel(runner: FlowRunner, node: Parallel, sid: str, scope: Scope) -> Outcome:
    ctx, spec = runner.ctx, node.parallel
    label = f"parallel ({len(spec.branches)})" + (f" → {spec.arbiter}" if spec.arbiter else "")
    ctx.add_step(sid, label, "parallel", parent=scope.parent, depends_on=scope.deps)
    ctx.set_status(sid, ev.RUNNING)
    ids = [f"{sid}.{i}" for i in range(1, len(spec.branches) + 1)]
    try:
        results = await gather_branches(runner, spec.branches, ids, Scope(scope.prior, scope.deps, sid, scope.hints))
    except BaseExceptionGroup as group:
        ctx.set_status(sid, ev.FAILED)
        raise first_step_failure(group) from None
    done = [r for r in results if r is not None]
    if not done:
        ctx.set_status(sid, ev.FAILED, "every branch failed")
        raise StepFailed(sid, "every parallel branch failed")
    produced = tuple(c for r in done for c in r.produced)
    exits = tuple(e for r in done for e in r.exits)
    if spec.arbiter:
        aid = f"{sid}.arbiter"
        task = ("Several team members answered the request independently (their answers are above). "
                "Compare them: where they agree, where they disagree and who is right. Then give one "
                "final answer that resolves the disagreement.")
        turn = Turn(agent=spec.arbiter, step=aid, prompt=runner.prompt(Scope(scope.prior + produced), task),
                    purpose="arbiter", hints=scope.hints)
        result = await runner.agent_turn(turn, label=f"{spec.arbiter} (arbiter)", kind="arbiter",
                                         scope=Scope(scope.prior, exits, sid, scope.hints))
        ctx.set_status(sid, ev.DONE)
        return Outcome(result.text, (aid,), produced + (Contribution(spec.arbiter, aid, result.text),))
    text = "\n\n".join(f"### {c.agent} ({runner.roles.get(c.agent, c.agent)})\n{c.text}" for c in produced)
    missing = len(results) - len(done)
    ctx.set_status(sid, ev.DONE, f"{missing} branch(es) missing" if missing else "")
    return Outcome(text, exits, produced)

