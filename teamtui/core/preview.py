"""Announce the steps a flow will run before it runs them, so the plan shows them as pending.

Only what the team file fixes in advance is announced: loop round 1, parallel branches, the
router's classifier, the first handoff turn, the supervisor's planner. What depends on model
output (later rounds, the chosen route, plan tasks) is announced by the patterns when known. Ids,
labels and kinds here must match the patterns' (the first announcement of a step wins).
"""

from __future__ import annotations

from .context import RunContext
from .team import AgentStep, Events, Flow, FlowRef, Handoff, Loop, Parallel, Route, Sequence, Supervise


def announce_plan(ctx: RunContext, flow: Flow) -> None:
    if isinstance(flow, Sequence):
        _children(ctx, flow.sequence, [str(i) for i in range(1, len(flow.sequence) + 1)], None, ())
    else:
        _node(ctx, flow, "1", None, ())


def _children(ctx: RunContext, nodes, ids: list[str], parent: str | None, deps: tuple[str, ...],
              round_no: int | None = None) -> tuple[str, ...]:
    for node, sid in zip(nodes, ids):
        deps = _node(ctx, node, sid, parent, deps, round_no)
    return deps


def _node(ctx: RunContext, node: Flow, sid: str, parent: str | None, deps: tuple[str, ...],
          round_no: int | None = None) -> tuple[str, ...]:
    add = ctx.add_step
    if isinstance(node, FlowRef):
        return _node(ctx, ctx.team.flows[node.flow], sid, parent, deps, round_no)
    if isinstance(node, AgentStep):
        add(sid, node.label or node.agent, "agent", agent=node.agent, parent=parent, depends_on=deps,
            round=round_no, instruction=node.instruction)
        return (sid,)
    if isinstance(node, Sequence):
        add(sid, "sequence", "sequence", parent=parent, depends_on=deps)
        ids = [f"{sid}.{i}" for i in range(1, len(node.sequence) + 1)]
        return _children(ctx, node.sequence, ids, sid, deps, round_no)
    if isinstance(node, Loop):
        spec = node.loop
        add(sid, f"loop (max {spec.max_iterations})", "loop", parent=parent, depends_on=deps)
        ids = [f"{sid}.r1.{i}" for i in range(1, len(spec.sequence) + 1)]
        return _children(ctx, spec.sequence, ids, sid, deps, 1)
    if isinstance(node, Parallel):
        spec = node.parallel
        label = f"parallel ({len(spec.branches)})" + (f" → {spec.arbiter}" if spec.arbiter else "")
        add(sid, label, "parallel", parent=parent, depends_on=deps)
        exits: tuple[str, ...] = ()
        for i, branch in enumerate(spec.branches, 1):
            exits += _node(ctx, branch, f"{sid}.{i}", sid, deps, round_no)
        if spec.arbiter:
            add(f"{sid}.arbiter", f"{spec.arbiter} (arbiter)", "arbiter", agent=spec.arbiter, parent=sid,
                depends_on=exits, round=round_no)
            return (f"{sid}.arbiter",)
        return exits
    if isinstance(node, Route):
        add(sid, "route", "route", parent=parent, depends_on=deps)
        cid = f"{sid}.classify"
        add(cid, f"{node.route.classifier} (classify)", "classifier", agent=node.route.classifier, parent=sid,
            depends_on=deps, round=round_no)
        return (sid,)  # what comes next waits on the whole route: its last step is not known yet
    if isinstance(node, Handoff):
        start = node.handoff.start
        add(sid, f"handoff from {start}", "handoff", parent=parent, depends_on=deps)
        add(f"{sid}.h1", start, "agent", agent=start, parent=sid, depends_on=deps, round=round_no)
        return (sid,)
    if isinstance(node, Supervise):
        planner = node.supervise.planner
        add(sid, f"supervise ({planner})", "supervise", parent=parent, depends_on=deps)
        add(f"{sid}.plan", f"{planner} (plan)", "planner", agent=planner, parent=sid, depends_on=deps, round=round_no)
        return (sid,)
    if isinstance(node, Events):
        add(sid, f"events ({node.events.start})", "events", parent=parent, depends_on=deps)
        return (sid,)
    raise TypeError(f"unknown flow node {type(node).__name__}")
