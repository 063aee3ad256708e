"""Event bus: agents subscribe to topics and their replies are published to new topics.

Messages are delivered hop by hop (all messages of hop N, then all of hop N+1), reactions within
a hop run concurrently, and messages are ordered by the step that published them, so the step ids
are the same on every run. A message past ``max_hops`` is dropped (and reported), which stops
runaway chains such as two agents that keep answering each other.
"""

from __future__ import annotations

import asyncio

import msgspec

from .. import events as ev
from ..agent import Turn
from ..memory import Contribution
from ..team import Events, Subscriber
from . import FlowRunner, Outcome, Scope, handles


class Message(msgspec.Struct, frozen=True):
    topic: str
    payload: str
    source: str  # agent name, or "input"
    origin: str  # step id that published it ("" for the starting message)


@handles(Events)
async def run_events(runner: FlowRunner, node: Events, sid: str, scope: Scope) -> Outcome:
    ctx, spec = runner.ctx, node.events
    ctx.add_step(sid, f"events ({spec.start})", "events", parent=scope.parent, depends_on=scope.deps)
    ctx.set_status(sid, ev.RUNNING)
    level = [Message(spec.start, ctx.request, "input", "")]
    produced: tuple[Contribution, ...] = ()
    hop = 0
    while level:
        hop += 1
        level.sort(key=lambda m: (m.origin, m.topic))
        if hop > spec.max_hops:
            for msg in level:
                ctx.emit(ev.BusMessage(step=sid, topic=msg.topic, payload=msg.payload, source=msg.source,
                                       hop=hop, dropped=True))
            ctx.emit(ev.ErrorRaised(step=sid,
                                    message=f"hop limit {spec.max_hops} reached; {len(level)} message(s) dropped"))
            break
        reactions: list[tuple[str, Subscriber, Message]] = []
        used: dict[str, int] = {}
        for msg in level:
            subs = [s for s in spec.subscribers if msg.topic in s.on]
            ctx.emit(ev.BusMessage(step=sid, topic=msg.topic, payload=msg.payload, source=msg.source, hop=hop,
                                   subscribers=tuple(s.agent for s in subs)))
            for sub in subs:
                base = f"{sid}.h{hop}.{sub.agent}"
                used[base] = used.get(base, 0) + 1
                reactions.append((base if used[base] == 1 else f"{base}.{used[base]}", sub, msg))
        next_level: list[Message] = []

        async def react(rid: str, sub: Subscriber, msg: Message) -> Contribution:
            published: list[Message] = []
            task = (f"An event arrived on topic '{msg.topic}' from {msg.source}:\n\n{msg.payload}\n\n"
                    "React to it as your role describes.")
            turn = Turn(agent=sub.agent, step=rid, prompt=runner.prompt(scope, task),
                        hints={**scope.hints, "topic": msg.topic},
                        on_publish=lambda topic, text: published.append(Message(topic, text, sub.agent, rid)))
            deps = (msg.origin,) if msg.origin else scope.deps
            result = await runner.agent_turn(turn, label=f"{sub.agent} ← {msg.topic}", kind="agent",
                                             scope=Scope(scope.prior, deps, sid, scope.hints))
            if sub.publish and not result.interrupted:
                published.append(Message(sub.publish, result.text, sub.agent, rid))
            next_level.extend(published)
            return Contribution(sub.agent, rid, result.text)

        async with asyncio.TaskGroup() as group:
            tasks = [group.create_task(react(*r)) for r in reactions]
        produced += tuple(t.result() for t in tasks)
        level = next_level
    ctx.set_status(sid, ev.DONE, f"{len(produced)} reaction(s), {hop} hop(s)")
    text = "\n\n".join(f"### {c.agent}\n{c.text}" for c in produced)
    return Outcome(text, tuple(c.step for c in produced[-1:]), produced)
