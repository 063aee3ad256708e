"""Routing: a classifier agent picks a category; the mapped specialist answers."""

from __future__ import annotations

import json
import re

from .. import events as ev
from ..agent import StepFailed, Turn
from ..memory import Contribution
from ..plan import PlanError, extract_json
from ..team import Route
from . import FlowRunner, Outcome, Scope, handles


def classifier_schema(categories: list[str]) -> dict:
    return {
        "type": "object",
        "properties": {"category": {"type": "string", "enum": categories}, "reason": {"type": "string"}},
        "required": ["category"],
    }


def parse_category(text: str, categories: list[str]) -> str | None:
    """The category named in a classifier's reply: JSON first, then a whole word in the text."""
    try:
        data = extract_json(text)
        if isinstance(data, dict) and str(data.get("category", "")).strip().lower() in map(str.lower, categories):
            wanted = str(data["category"]).strip().lower()
            return next(c for c in categories if c.lower() == wanted)
    except (PlanError, json.JSONDecodeError):
        pass
    for category in sorted(categories, key=len, reverse=True):
        if re.search(rf"\b{re.escape(category)}\b", text, re.IGNORECASE):
            return category
    return None


@handles(Route)
async def run_route(runner: FlowRunner, node: Route, sid: str, scope: Scope) -> Outcome:
    ctx, spec = runner.ctx, node.route
    categories = list(spec.routes)
    ctx.add_step(sid, "route", "route", parent=scope.parent, depends_on=scope.deps)
    ctx.set_status(sid, ev.RUNNING)
    cid = f"{sid}.classify"
    described = "\n".join(
        f"- {cat}: {ctx.team.agents[agent].description or ctx.team.agents[agent].role}"
        for cat, agent in spec.routes.items()
    )
    task = (f"Classify the request into exactly one category:\n{described}\n"
            'Reply with JSON only: {"category": "<one of the categories>", "reason": "<short reason>"}')
    turn = Turn(agent=spec.classifier, step=cid, prompt=runner.prompt(scope, task), purpose="classifier",
                json_schema=classifier_schema(categories), hints={**scope.hints, "categories": categories})
    result = await runner.agent_turn(turn, label=f"{spec.classifier} (classify)", kind="classifier",
                                     scope=Scope(scope.prior, scope.deps, sid, scope.hints))
    category = parse_category(result.text, categories)
    if category is not None:
        target, fallback = spec.routes[category], False
    elif spec.fallback:
        target, fallback, category = spec.fallback, True, "fallback"
    else:
        ctx.set_status(sid, ev.FAILED, "no category")
        raise StepFailed(cid, f"classifier {spec.classifier} chose no known category ({', '.join(categories)})")
    ctx.emit(ev.RouteChosen(step=sid, classifier=spec.classifier, category=category, target=target, fallback=fallback))
    ctx.set_status(sid, ev.RUNNING, f"route: {category} → {target}")
    tid = f"{sid}.{target}"
    answer = await runner.agent_turn(
        Turn(agent=target, step=tid, prompt=runner.prompt(scope, None), hints=scope.hints),
        label=target, kind="agent", scope=Scope(scope.prior, (cid,), sid, scope.hints),
    )
    ctx.set_status(sid, ev.DONE, f"route: {category} → {target}")
    return Outcome(answer.text, (tid,), (Contribution(target, tid, answer.text),))
