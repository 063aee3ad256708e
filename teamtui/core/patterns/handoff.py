"""Handoffs: the active agent may hand the conversation to another through transfer_to_<name>.

A transfer with a ``when`` condition is offered only while the condition holds for the
conversation so far and the shared memory. After ``max_handoffs`` transfers the active agent must
answer itself.
"""

from __future__ import annotations

from .. import events as ev
from ..agent import Turn
from ..conditions import holds
from ..memory import Contribution
from ..team import Handoff, Transfer
from ..tools import TRANSFER_PREFIX, transfer_tool
from . import FlowRunner, Outcome, Scope, handles


def _offered(runner: FlowRunner, transfers: tuple[Transfer, ...], conversation_text: str) -> list[Transfer]:
    memory = runner.ctx.memory.values
    return [t for t in transfers if t.when is None or holds(t.when, conversation_text, memory)]


@handles(Handoff)
async def run_handoff(runner: FlowRunner, node: Handoff, sid: str, scope: Scope) -> Outcome:
    ctx, spec = runner.ctx, node.handoff
    ctx.add_step(sid, f"handoff from {spec.start}", "handoff", parent=scope.parent, depends_on=scope.deps)
    ctx.set_status(sid, ev.RUNNING)
    conversation = [{"role": "user", "content": runner.prompt(scope, None)}]
    transcript = [ctx.request]  # what conditions look at
    current, deps, handoffs = spec.start, scope.deps, 0
    produced: tuple[Contribution, ...] = ()
    turn_no = 0
    while True:
        turn_no += 1
        tid = f"{sid}.h{turn_no}"
        offered = _offered(runner, spec.transfers.get(current, ()), "\n".join(transcript))
        if handoffs >= spec.max_handoffs:
            offered = []
        tools = tuple(
            transfer_tool(t.to, t.description or ctx.team.agents[t.to].description
                          or f"Hand the conversation to the {ctx.team.agents[t.to].role}.")
            for t in offered
        )
        turn = Turn(agent=current, step=tid, conversation=list(conversation), tools=tools,
                    stop_tools=frozenset(t.name for t in tools),
                    hints={**scope.hints, "handoff_targets": [t.to for t in offered]})
        result = await runner.agent_turn(turn, label=current, kind="agent", scope=Scope(scope.prior, deps, sid))
        deps = (tid,)
        produced += (Contribution(current, tid, result.text),)
        if result.text:
            conversation.append({"role": "assistant", "content": f"[{current}] {result.text}"})
            transcript.append(result.text)
        if result.transfer is None:
            detail = f"answered by {current} after {handoffs} handoff(s)"
            ctx.set_status(sid, ev.DONE, detail)
            return Outcome(result.text, deps, produced)
        target = result.transfer[0][len(TRANSFER_PREFIX):]
        transfer = next(t for t in offered if t.to == target)
        reason = result.transfer[1]
        ctx.emit(ev.HandedOff(step=tid, source=current, target=target, note=transfer.note or "", reason=reason))
        handoffs += 1
        lines = [f"[{current} handed this conversation to you ({target})."]
        if reason:
            lines.append(f"Reason: {reason}")
        if transfer.note:
            lines.append(f"Note for you: {transfer.note}")
        lines.append("Continue helping with the request.]")
        conversation.append({"role": "user", "content": "\n".join(lines)})
        current = target
