"""An agent's pane is made the first time it is shown, with every turn the agent has had so far;
until then the agent costs the screen no widgets (ui/screens/run_screen.py)."""

from __future__ import annotations

import asyncio
from typing import Callable

from teamtui.core import events as ev
from teamtui.ui.app import build_app
from teamtui.ui.safe_text import clean
from teamtui.ui.widgets.agent_pane import AgentPane
from teamtui.ui.widgets.turn_view import TurnView

from ui_scenes import NOW, Scene, shows, software_house_start


async def until(pilot, condition: Callable[[], bool], timeout: float = 10.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not condition():
        assert asyncio.get_running_loop().time() < deadline, "timed out waiting for the app"
        await pilot.pause(0.02)


def pm_done_developer_streaming() -> Scene:
    scene = software_house_start()
    scene.turn("pm", "1", "The spec: a short URL for every long one.", 0.5, 3.0, (40, 12))
    scene.at(3.5).add(ev.StepStatusChanged, step="2.r1.1", status=ev.RUNNING)
    scene.add(ev.AgentStarted, agent="developer", step="2.r1.1", model="demo (offline)")
    return scene.say("developer", "2.r1.1", "package main\n\nfunc main() {}\n")


def texts(pane: AgentPane) -> list[str]:
    return [view.shown_text for view in pane.query(TurnView)]


async def test_only_the_pane_on_show_is_made_and_a_pane_shown_later_has_every_turn() -> None:
    handle, _ = pm_done_developer_streaming().handle(close=False)
    app = build_app(handle=handle, clock=lambda: NOW, animations=False)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = app.run_screen
        await until(pilot, lambda: shows(screen, "developer"))  # the agent that started last
        assert list(screen._pane_of) == ["developer"]
        assert len(screen.query(AgentPane)) == 1
        screen.agent_list.focus()
        await pilot.press("up")  # the pm, whose turn ended while its pane did not exist
        await until(pilot, lambda: shows(screen, "pm"))
        pm = screen._pane_of["pm"]
        await until(pilot, lambda: texts(pm) == [clean("The spec: a short URL for every long one.")])
        # The developer goes on talking meanwhile, and starts a second turn: its pane keeps them in order.
        handle.stream.emit(ev.TextDelta(agent="developer", step="2.r1.1", text="// more\n"))
        handle.stream.emit(ev.AgentFinished(agent="developer", step="2.r1.1", text="package main\n// done\n"))
        handle.stream.emit(ev.StepAdded(step="2.r2.1", label="developer", step_kind="agent", agent="developer",
                                        parent="2", round=2))
        handle.stream.emit(ev.AgentStarted(agent="developer", step="2.r2.1"))
        handle.stream.emit(ev.TextDelta(agent="developer", step="2.r2.1", text="round two\n"))
        developer = screen._pane_of["developer"]
        await until(pilot, lambda: len(texts(developer)) == 2)
        await pilot.press("down")
        await until(pilot, lambda: shows(screen, "developer")
                    and texts(developer) == [clean("package main\n// done\n"), "round two\n"])
        assert "qa" not in screen._pane_of  # never shown, never made


async def test_a_pane_shown_before_any_turn_says_so_and_then_gets_the_first() -> None:
    handle, _ = software_house_start().handle(close=False)
    app = build_app(handle=handle, clock=lambda: NOW, animations=False)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = app.run_screen
        await until(pilot, lambda: shows(screen, "pm"))  # the first agent known, until one starts
        pane = screen._pane_of["pm"]
        await pilot.pause()
        assert not pane.query(TurnView) and pane.query_one(".pane-empty").display
        handle.stream.emit(ev.AgentStarted(agent="pm", step="1"))
        handle.stream.emit(ev.TextDelta(agent="pm", step="1", text="spec"))
        await until(pilot, lambda: texts(pane) == ["spec"])
        assert not pane.query_one(".pane-empty").display
