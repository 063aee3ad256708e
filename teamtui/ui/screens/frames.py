"""Screens that draw a change as soon as the event loop is free after a late frame.

Textual paces each screen's redraws with a 60 fps timer that runs only while something on the
screen needs drawing. When a redraw ends past the next frame's time (on the run screen, with
agents streaming, a redraw takes 5-15 ms, so about one in three does), Textual 8's timer skips
to the frame after the next: whatever changes next, a key's answer included, waits 17-33 ms
before it is drawn (seen in bench/tui_probe.py lag as most of a pane switch's time).

Without skipping, a change after a late frame is drawn as soon as the screen is idle. How often
the screen draws is still bounded by what changes it: event batches at most 30 times a second
(bridge.FRAME_S), streamed text 10 times (run_screen.TEXT_S), and the reader's keys.
"""

from __future__ import annotations

from textual.screen import Screen
from textual.timer import Timer


class PromptFrames(Screen):
    """A Screen whose redraw timer does not skip frames (see the module docstring)."""

    @property
    def _update_timer(self) -> Timer:
        # Textual's own timer (created on first use), with its public `skip` option turned off.
        timer = super()._update_timer
        timer._skip = False
        return timer
