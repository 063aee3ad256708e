"""Every built-in team runs end to end through the real runtime (with a scripted model)."""

from __future__ import annotations

import json

import pytest

from teamtui.core.models.base import ModelRequest
from teamtui.core.models.scripted import Reply, ScriptedModel
from teamtui.core.runtime import Runner, RunOptions
from teamtui.loader import load_team


def _gave_transfer(request: ModelRequest) -> bool:
    return any(m.get("role") == "tool" for m in request.messages)


def _reply(request: ModelRequest) -> str | Reply:
    """A stand-in for a well-behaved model: valid classifier/planner JSON, QA approves, triage hands off."""
    if request.purpose == "classifier":
        return json.dumps({"category": request.hints["categories"][0], "reason": "fits"})
    if request.purpose == "planner":
        research, code, review = request.hints["workers"]
        return json.dumps({"tasks": [
            {"id": "facts", "worker": research, "task": "compare", "depends_on": []},
            {"id": "script", "worker": code, "task": "write it", "depends_on": []},
            {"id": "check", "worker": review, "task": "review", "depends_on": ["facts", "script"]},
        ]})
    if request.agent == "qa":
        return "APPROVED\nAC1: met"
    if request.agent == "triage" and not _gave_transfer(request):
        return Reply(tool_calls=[("transfer_to_billing", {})])
    return f"{request.agent} answer"


EXPECTED_CALLS = {
    "software-house": ["pm", "developer", "qa"],
    "router": ["classifier", "coder"],
    "supervisor": ["planner", "researcher", "coder", "reviewer", "planner"],
    "triage": ["triage", "billing"],
    "analysis": ["optimist", "skeptic", "quant", "arbiter"],
    "ci-events": ["tester", "linter", "deployer"],
}


@pytest.mark.parametrize("name", sorted(EXPECTED_CALLS))
async def test_builtin_team_runs_to_done(name: str) -> None:
    team = load_team(name)
    model = ScriptedModel(default=_reply)
    result = await Runner(team, RunOptions(models={"*": model})).run(team.example)
    assert result.status == "done", result.error
    called = [c.agent for c in model.calls]
    if name in ("analysis", "ci-events"):  # parallel agents call in no fixed order
        assert sorted(called) == sorted(EXPECTED_CALLS[name])
    else:
        assert called == EXPECTED_CALLS[name]
    if name == "analysis":
        assert called[-1] == "arbiter"
    if name == "ci-events":
        assert called.index("tester") < called.index("deployer")


@pytest.mark.parametrize(("request_text", "offered"), [
    ("Our whole site is down since 9am, customers cannot log in", True),
    ("I want to download my invoice for March", False),
])
async def test_triage_offers_escalation_only_for_urgent_problems(request_text: str, offered: bool) -> None:
    team = load_team("triage")
    model = ScriptedModel(default=_reply)
    await Runner(team, RunOptions(models={"*": model})).run(request_text)
    tools = {t.name for t in model.calls[0].tools}
    assert {"transfer_to_billing", "transfer_to_technical"} <= tools
    assert ("transfer_to_escalation" in tools) is offered
