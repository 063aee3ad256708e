"""The time of the first frame that shows a response, in a Textual app under the headless driver.

Textual draws in two steps: a screen's compositor composes an update (the lines of the regions
that changed), then ``App._display`` hands it to the driver, which writes it to the terminal. The
headless driver of ``run_test`` skips the write; everything before it runs as on a terminal. So
a frame counts here when ``App._display`` gets an update outside a batch update (inside one,
``_display`` drops it), and its time is taken as it is handed over.

A response counts in the first such frame that (a) the screen drew (the one on top), (b) was
composed from a layout that has the response's widget in view, and (c) repaints the widget's
visible area. A frame composed before the change reached the layout, or one that repaints only
other regions (streamed text elsewhere), does not count. Written against Textual 8's
``App._display`` and the compositor's ``visible_widgets`` and updates, which it reads.
"""

from __future__ import annotations

import asyncio
import time
from typing import Callable

from textual._compositor import ChopsUpdate, LayoutUpdate
from textual.app import App
from textual.geometry import Region
from textual.screen import Screen
from textual.widget import Widget

#: What to look for: the widget that shows the response, or None while there is none yet.
Response = Callable[[], "Widget | None"]


def repaints(update: object, area: Region) -> bool:
    """True if the update ``_display`` was handed writes some of ``area`` (screen cells)."""
    if isinstance(update, LayoutUpdate):
        return update.region.overlaps(area)
    if isinstance(update, ChopsUpdate):
        return any(area.y <= y < area.bottom and x1 < area.right and x2 > area.x for y, x1, x2 in update.spans)
    return False


def shows(screen: Screen, update: object, widget: Widget) -> bool:
    """True if this frame of ``screen`` draws ``widget``: it is in the layout the frame was
    composed from, and the frame repaints the part of it in view."""
    placed = screen._compositor.visible_widgets.get(widget)  # what this frame was rendered from
    if placed is None:
        return False
    region, clip = placed
    area = region.intersection(clip)
    return bool(area) and repaints(update, area)


class FrameClock:
    """Installed on an app before it runs; ``shown(response)`` gives the time (``clock()``) of
    the first frame handed to the driver after the call that shows the response."""

    def __init__(self, app: App, clock: Callable[[], float] = time.perf_counter) -> None:
        self._app = app
        self._clock = clock
        self._hand_over = app._display
        app._display = self._display  # Screen._compositor_refresh calls app._display(screen, update)
        self._waiting: tuple[Response, asyncio.Future[float]] | None = None
        self.frames = 0  # frames handed to the driver so far

    def shown(self, response: Response) -> asyncio.Future[float]:
        future = asyncio.get_running_loop().create_future()
        self._waiting = (response, future)
        return future

    def _display(self, screen: Screen, update: object) -> None:
        if update is not None and not self._app._batch_count:
            at = self._clock()
            self.frames += 1
            if self._waiting is not None and screen is self._app.screen:
                response, future = self._waiting
                widget = response()
                if future.done():
                    self._waiting = None
                elif widget is not None and shows(screen, update, widget):
                    self._waiting = None
                    future.set_result(at)
        self._hand_over(screen, update)
