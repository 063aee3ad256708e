"""Every built-in team, run end to end by the real runtime on the demo model (speed 0)."""

from __future__ import annotations

import pytest

from teamtui.core import events as ev
from teamtui.core.runtime import RunOptions, Runner
from teamtui.core.handle import RunResult
from teamtui.loader import list_teams, load_team


async def _run(name: str, ask: str | None = None) -> RunResult:
    team = load_team(name)
    result = await Runner(team, RunOptions(model="demo", demo_speed=0)).run(ask or team.example)
    assert result.status == "done", result.error
    return result


def _finished(result: RunResult) -> list[ev.AgentFinished]:
    return [e for e in result.events if isinstance(e, ev.AgentFinished)]


def _of(result: RunResult, kind: type) -> list:
    return [e for e in result.events if isinstance(e, kind)]


@pytest.mark.parametrize("name", [t.name for t in list_teams() if t.builtin])
async def test_every_builtin_team_finishes_with_substantive_replies(name: str) -> None:
    result = await _run(name)
    finished = _finished(result)
    assert finished and all(len(e.text.strip()) > 40 for e in finished)
    assert result.output.strip() and result.cost == 0.0 and result.output_tokens > 0
    assert all("\x1b" not in e.text for e in finished)
    assert not _of(result, ev.RetryScheduled) and not _of(result, ev.ErrorRaised)


async def test_software_house_reviews_then_approves() -> None:
    texts = [(e.agent, e.text) for e in _finished(await _run("software-house"))]
    assert [a for a, _ in texts][:3] == ["pm", "developer", "qa"]
    qa = [t for a, t in texts if a == "qa"]
    assert "APPROVED" not in qa[0] and qa[-1].splitlines()[0] == "APPROVED" and len(qa) in (2, 3)
    assert "```go" in texts[1][1]


async def test_router_sends_code_to_the_coder_and_prose_to_the_writer() -> None:
    result = await _run("router")
    assert [e.agent for e in _finished(result)] == ["classifier", "coder"] and "```python" in result.output
    result = await _run("router", "Write a haiku about rain")
    assert [e.agent for e in _finished(result)] == ["classifier", "writer"] and "rain" in result.output


async def test_supervisor_plans_parallel_tasks_and_synthesizes() -> None:
    result = await _run("supervisor")
    plan = _of(result, ev.PlanProposed)[-1]
    assert 3 <= len(plan.tasks) <= 5 and sum(1 for t in plan.tasks if not t["depends_on"]) >= 2
    assert "```python" in result.output and "| SQLite | PostgreSQL |" in result.output


async def test_triage_hands_the_refund_to_billing() -> None:
    result = await _run("triage")
    (handoff,) = _of(result, ev.HandedOff)
    assert (handoff.source, handoff.target) == ("triage", "billing") and "refund" in handoff.reason
    assert "refund" in result.output.lower()
    result = await _run("triage", "URGENT: our whole site is down since 9am, customers cannot pay")
    assert _of(result, ev.HandedOff)[0].target == "escalation"


async def test_analysis_arbiter_decides() -> None:
    result = await _run("analysis")
    assert "Decision:" in result.output and len(_finished(result)) == 4


async def test_ci_events_tests_record_memory_and_deploy() -> None:
    result = await _run("ci-events")
    written = _of(result, ev.MemoryWritten)
    assert [(m.key, m.value) for m in written] == [("tests", "passed")]
    texts = {e.agent: e.text for e in _finished(result)}
    assert texts["tester"].startswith("TESTS PASSED") and texts["deployer"].startswith("Deploying")
