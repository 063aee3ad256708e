"""The agent list tells the run screen about a new highlight as it moves, not a message later, and
the run screen's own choices (following the agent that starts) do not count as the reader's."""

from __future__ import annotations

import asyncio
from typing import Callable

from textual.app import App, ComposeResult

from teamtui.core import events as ev
from teamtui.ui.app import build_app
from teamtui.ui.state import RunState
from teamtui.ui.widgets.agent_list import AgentList

from ui_scenes import NOW, software_house_start


class ListApp(App):
    def __init__(self, chosen: list[tuple[str, bool]]) -> None:
        super().__init__()
        state = RunState()
        state.apply([ev.AgentStarted(run_id="r", seq=i + 1, ts=0.0, agent=name, step=str(i + 1))
                     for i, name in enumerate(("pm", "developer", "qa"))])
        self.agents = AgentList(state, lambda key, focus: chosen.append((key, focus)))

    def compose(self) -> ComposeResult:
        yield self.agents

    def on_mount(self) -> None:
        self.agents.sync()


async def test_a_new_highlight_is_passed_on_before_the_loop_runs_anything_else() -> None:
    chosen: list[tuple[str, bool]] = []
    app = ListApp(chosen)
    async with app.run_test() as pilot:
        await pilot.pause()
        chosen.clear()
        app.agents.highlighted = 2
        assert chosen == [("qa", False)]  # no await in between: not through a message
        await pilot.pause()
        assert chosen == [("qa", False)]  # and once only


async def until(pilot, condition: Callable[[], bool], timeout: float = 10.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not condition():
        assert asyncio.get_running_loop().time() < deadline, "timed out waiting for the app"
        await pilot.pause(0.02)


async def test_following_the_agent_that_starts_is_not_the_readers_choice() -> None:
    handle, _ = software_house_start().handle(close=False)
    app = build_app(handle=handle, clock=lambda: NOW, animations=False)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = app.run_screen
        await until(pilot, lambda: len(screen._pane_of) == 3)
        screen.agent_list.focus()
        await pilot.pause()
        for agent, step in (("developer", "2.r1.1"), ("qa", "3.r1.1"), ("pm", "4")):
            handle.stream.emit(ev.AgentStarted(agent=agent, step=step))
            await until(pilot, lambda agent=agent: screen.panes.current == screen._pane_of[agent].id)
            assert screen.agent_list.chosen == agent
