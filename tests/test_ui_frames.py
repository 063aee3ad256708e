"""A screen draws what changed as soon as it is idle after a redraw that ran late (screens/frames.py)."""

from __future__ import annotations

import asyncio
import time

from textual.app import App, ComposeResult
from textual.screen import Screen
from textual.widgets import Static

from teamtui.ui.screens.frames import PromptFrames
from teamtui.ui.screens.help import HelpScreen
from teamtui.ui.screens.run_screen import RunScreen


class SlowToDraw(Static):
    def render(self) -> str:
        time.sleep(0.03)  # a redraw that ends well past the next frame (frames are 1/60 s)
        return "slow"


def screen_of(base: type[Screen]) -> Screen:
    class Drawn(base):
        def compose(self) -> ComposeResult:
            yield SlowToDraw(id="slow")
            yield Static("quick", id="quick")

    return Drawn()


async def delays_after_a_late_frame(base: type[Screen], samples: int = 5) -> list[float]:
    """Seconds from a change to its drawing, each time just after a redraw that ran late."""
    app = App()
    delays = []
    async with app.run_test(size=(40, 6)) as pilot:
        await app.push_screen(screen_of(base))
        await pilot.pause()
        loop = asyncio.get_running_loop()
        for _ in range(samples):
            for widget in ("#slow", "#quick"):
                drawn = loop.create_future()
                start = time.perf_counter()
                app.screen.query_one(widget, Static).refresh()
                app.screen.call_after_refresh(lambda f=drawn: f.done() or f.set_result(None))
                await drawn
            delays.append(time.perf_counter() - start)
    return delays


async def test_a_change_after_a_late_frame_is_drawn_without_waiting_two_frames() -> None:
    # Textual's own timer waits until the frame after the next one: at least a frame (1/60 s).
    assert min(await delays_after_a_late_frame(PromptFrames)) < 0.010


def test_the_busy_screens_draw_promptly() -> None:
    assert issubclass(RunScreen, PromptFrames) and issubclass(HelpScreen, PromptFrames)
