"""Loops: repeat a body until a stop condition holds or ``max_iterations`` rounds have run."""

from __future__ import annotations

from .. import events as ev
from ..conditions import holds
from ..team import Loop
from . import FlowRunner, Outcome, Scope, handles
from .basic import run_children


@handles(Loop)
async def run_loop(runner: FlowRunner, node: Loop, sid: str, scope: Scope) -> Outcome:
    ctx, spec = runner.ctx, node.loop
    ctx.add_step(sid, f"loop (max {spec.max_iterations})", "loop", parent=scope.parent, depends_on=scope.deps)
    prior, deps = scope.prior, scope.deps
    produced = ()
    outcome = Outcome("", deps)
    detail = f"stopped after the maximum of {spec.max_iterations} rounds"
    for round_no in range(1, spec.max_iterations + 1):
        ctx.set_status(sid, ev.RUNNING, f"round {round_no}/{spec.max_iterations}")
        hints = {**scope.hints, "round": round_no, "max_rounds": spec.max_iterations}
        ids = [f"{sid}.r{round_no}.{i}" for i in range(1, len(spec.sequence) + 1)]
        outcome = await run_children(runner, spec.sequence, ids, Scope(prior, deps, sid, hints))
        prior += outcome.produced
        produced += outcome.produced
        deps = outcome.exits
        if spec.until is not None and holds(spec.until, outcome.text, ctx.memory.values):
            detail = f"condition met in round {round_no}/{spec.max_iterations}"
            break
    ctx.set_status(sid, ev.DONE, detail)
    return Outcome(outcome.text, outcome.exits, produced)
