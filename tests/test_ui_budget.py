"""The soft budget in the TUI: the run pauses at the limit and the app asks whether to go on."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Callable

from teamtui.core import events as ev
from teamtui.core.models.scripted import ScriptedModel
from teamtui.core.runtime import Runner, RunOptions
from teamtui.core.team import Team
from teamtui.ui.app import TeamApp, build_app
from teamtui.ui.screens.budget import BudgetDialog
from teamtui.ui.screens.run_screen import RunScreen

SIZE = (120, 36)

PAIR = Team.model_validate({
    "name": "pair",
    "budget": {"soft_tokens": 10},
    "agents": {"writer": {"role": "Writer"}, "editor": {"role": "Editor"}},
    "flow": {"sequence": [{"agent": "writer"}, {"agent": "editor"}]},
})


def make_app(model: ScriptedModel, tmp_path: Path) -> TeamApp:
    def factory(team: Team, prompt: str):
        return Runner(team, RunOptions(models={"*": model}, soft_budget="pause")).start(prompt)

    return build_app(team=PAIR, prompt="Write a long story about budgets", handle_factory=factory,
                     animations=False, export_folder=lambda run_id: tmp_path / run_id)


async def until(pilot, condition: Callable[[], bool], timeout: float = 10.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not condition():
        assert asyncio.get_running_loop().time() < deadline, "timed out waiting for the app"
        await pilot.pause(0.02)


def run_screen(app: TeamApp) -> RunScreen:
    screen = app.run_screen
    assert screen is not None
    return screen


async def test_soft_budget_asks_and_continue_resumes(tmp_path: Path) -> None:
    model = ScriptedModel(default=lambda request: f"{request.agent}: " + "many words " * 20)
    app = make_app(model, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: isinstance(app.screen, BudgetDialog))
        screen = run_screen(app)
        assert screen.state.paused
        question = str(app.screen.query_one(".dialog-text").render())
        tokens = screen.state.tokens
        assert question == f"Soft budget reached: {tokens} tokens. Continue or stop?" and tokens > 10
        assert len(model.calls_for("editor")) == 0  # held by the pause
        await pilot.press("c")
        await until(pilot, lambda: screen.state.finished)
        assert screen.state.status == ev.RUN_DONE
        assert len(model.calls_for("editor")) == 1


async def test_soft_budget_stop_ends_the_run(tmp_path: Path) -> None:
    model = ScriptedModel(default=lambda request: f"{request.agent}: " + "many words " * 20)
    app = make_app(model, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: isinstance(app.screen, BudgetDialog))
        screen = run_screen(app)
        await pilot.pause()  # laid out: the buttons can be clicked
        await pilot.click("#stop")
        await until(pilot, lambda: screen.state.finished)
        assert screen.state.status == ev.RUN_STOPPED
        assert model.calls_for("editor") == []


async def test_soft_budget_later_leaves_it_paused_and_space_resumes(tmp_path: Path) -> None:
    model = ScriptedModel(default=lambda request: f"{request.agent}: " + "many words " * 20)
    app = make_app(model, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: isinstance(app.screen, BudgetDialog))
        screen = run_screen(app)
        await pilot.press("escape")
        assert app.screen is screen
        await pilot.pause(0.2)
        assert screen.state.paused and model.calls_for("editor") == []
        await pilot.press("space")
        await until(pilot, lambda: screen.state.finished)
        assert screen.state.status == ev.RUN_DONE
