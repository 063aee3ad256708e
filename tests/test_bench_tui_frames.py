"""The TUI probe's clock (bench/tui_frames.py) counts the first frame handed to the driver that
draws the response: not a frame before the response is laid out, nor one that repaints only
other regions."""

from __future__ import annotations

import asyncio
import importlib.util
import time
from pathlib import Path

from textual._compositor import ChopsUpdate, LayoutUpdate
from textual.app import App, ComposeResult
from textual.geometry import Region
from textual.widgets import Static

_spec = importlib.util.spec_from_file_location(
    "tui_frames", Path(__file__).resolve().parent.parent / "bench" / "tui_frames.py")
tui_frames = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(tui_frames)


class Two(App):
    CSS = "Static { height: 1; }"

    def compose(self) -> ComposeResult:
        yield Static("a", id="a")
        yield Static("b", id="b")


async def next_frame(clock, after: int) -> None:
    while clock.frames <= after:
        await asyncio.sleep(0.001)


async def test_a_widget_not_yet_laid_out_does_not_count() -> None:
    app = Two()
    clock = tui_frames.FrameClock(app)
    async with app.run_test(size=(20, 4)) as pilot:
        b = app.query_one("#b", Static)
        b.display = False
        await pilot.pause()
        drawn = clock.shown(lambda: b)
        frames = clock.frames
        app.query_one("#a", Static).update("A")
        await next_frame(clock, frames)
        assert not drawn.done()  # a frame was drawn, without b in it
        shown_at = time.perf_counter()
        b.display = True
        assert await asyncio.wait_for(drawn, 5) >= shown_at


async def test_a_frame_that_repaints_only_other_regions_does_not_count() -> None:
    app = Two()
    clock = tui_frames.FrameClock(app)
    async with app.run_test(size=(20, 4)) as pilot:
        await pilot.pause()
        b = app.query_one("#b", Static)
        drawn = clock.shown(lambda: b)
        frames = clock.frames
        app.query_one("#a", Static).update("A")  # b is laid out, but this frame repaints a only
        await next_frame(clock, frames)
        assert not drawn.done()
        updated_at = time.perf_counter()
        b.update("B")
        assert await asyncio.wait_for(drawn, 5) >= updated_at


async def test_no_response_yet_counts_nothing() -> None:
    app = Two()
    clock = tui_frames.FrameClock(app)
    async with app.run_test(size=(20, 4)) as pilot:
        await pilot.pause()
        drawn = clock.shown(lambda: None)
        frames = clock.frames
        app.query_one("#b", Static).update("B")
        await next_frame(clock, frames)
        assert not drawn.done()


def test_repaints_reads_the_rows_and_columns_an_update_writes() -> None:
    area = Region(10, 2, 5, 2)  # columns 10-14, rows 2-3
    chops = ChopsUpdate([], [(2, 0, 10), (4, 10, 15)], [])  # row 2 left of it, row 4 below it
    assert not tui_frames.repaints(chops, area)
    assert tui_frames.repaints(ChopsUpdate([], [(3, 14, 20)], []), area)
    assert tui_frames.repaints(LayoutUpdate([], Region(0, 0, 80, 24)), area)
    assert not tui_frames.repaints(None, area)
