"""Screens that take their breakpoint class before their widgets are styled.

Textual gives a screen the class of its size (``App.HORIZONTAL_BREAKPOINTS``: ``-narrow``,
``-wide``) on the screen's first Resize, which comes after its widgets are mounted and styled;
the new class then styles every widget on the screen again. On the run screen that was ~47M
instructions (~11 ms), a tenth of the time from the app's start to the run screen's first frame
(callgrind, ``bench/tui_probe.py first-frame``). A screen that calls ``take_breakpoints`` first
thing in ``compose`` has its class before its widgets exist: the first Resize finds nothing to
change, and a later one (the terminal resized) moves the class as before.
"""

from __future__ import annotations

from textual.geometry import Size
from textual.screen import Screen


def breakpoint_classes(screen: Screen, size: Size) -> dict[str, bool]:
    """The breakpoint classes Textual gives ``screen`` at ``size``: each one in or out."""
    app = screen.app
    horizontal = (app.HORIZONTAL_BREAKPOINTS if screen.HORIZONTAL_BREAKPOINTS is None
                  else screen.HORIZONTAL_BREAKPOINTS) or []
    vertical = (app.VERTICAL_BREAKPOINTS if screen.VERTICAL_BREAKPOINTS is None
                else screen.VERTICAL_BREAKPOINTS) or []
    classes = {name: False for _, name in [*horizontal, *vertical]}
    for dimension, breakpoints in ((size.width, horizontal), (size.height, vertical)):
        for threshold, name in sorted(breakpoints, reverse=True):  # the widest one reached
            if dimension >= threshold:
                classes[name] = True
                break
    return classes


def take_breakpoints(screen: Screen) -> None:
    """Give ``screen`` now the breakpoint classes of the app's current size (call it first thing
    in ``compose``, while the screen has no widgets yet).

    The screen is not styled again here: Textual styles a screen and all on it when it is shown
    (``ScreenResume``, which comes right after ``compose`` and mount), and styling it here as
    well cost ~10M instructions more before the first frame."""
    screen.update_classes(breakpoint_classes(screen, screen.app.size), update=False)
