"""Small helpers for core tests: build teams from YAML text, run them with a scripted model."""

from __future__ import annotations

import asyncio
import textwrap

from teamtui.core import events as ev
from teamtui.core.handle import RunResult
from teamtui.core.models.scripted import ScriptedModel
from teamtui.core.runtime import Runner, RunOptions
from teamtui.core.team import Team
from teamtui.loader import team_from_text


#: A small software house (PM, then developer and QA looping until APPROVED) shared by tests.
SOFTWARE_HOUSE = """
name: software-house
agents:
  pm: {role: Product Manager}
  developer: {role: Developer}
  qa: {role: QA}
flow:
  sequence:
    - agent: pm
    - loop: {max_iterations: 3, until: {contains: APPROVED}, sequence: [{agent: developer}, {agent: qa}]}
"""


#: Three agents, one after another: the smallest team with a before and an after.
SEQ3 = """
name: seq3
agents:
  a: {role: First}
  b: {role: Second}
  c: {role: Third}
flow: {sequence: [{agent: a}, {agent: b}, {agent: c}]}
"""


def team(yaml_text: str) -> Team:
    return team_from_text(textwrap.dedent(yaml_text), "test-team.yaml")


async def run(t: Team, model: ScriptedModel, request: str = "do the thing", **options) -> RunResult:
    return await asyncio.wait_for(Runner(t, RunOptions(models={"*": model}, **options)).run(request), 10)


def of(result: RunResult, kind: type) -> list:
    return [e for e in result.events if isinstance(e, kind)]


def statuses(result: RunResult) -> dict[str, str]:
    """Final status of every step."""
    out: dict[str, str] = {}
    for e in of(result, ev.StepStatusChanged):
        out[e.step] = e.status
    return out


def agents_in_order(result: RunResult) -> list[str]:
    return [e.agent for e in of(result, ev.AgentFinished)]
