"""Screens take their breakpoint class (-narrow / -wide) before their widgets are styled
(ui/screens/breakpoints.py), and Textual still moves it when the terminal is resized."""

from __future__ import annotations

import pytest

from teamtui.ui.app import build_app
from teamtui.ui.screens.breakpoints import breakpoint_classes
from teamtui.ui.screens.run_screen import RunScreen
from teamtui.ui.widgets.run_header import RunHeader

from ui_scenes import NOW, software_house_start


def run_app():
    handle, _ = software_house_start().handle()
    return build_app(handle=handle, clock=lambda: NOW, animations=False)


@pytest.mark.parametrize(("width", "wide"), [(80, False), (99, False), (100, True), (160, True)])
async def test_the_classes_are_those_of_the_app_breakpoints(width: int, wide: bool) -> None:
    app = run_app()
    async with app.run_test(size=(width, 30)):
        assert breakpoint_classes(app.screen, app.size) == {"-narrow": not wide, "-wide": wide}


@pytest.mark.parametrize(("width", "name"), [(80, "-narrow"), (120, "-wide")])
async def test_the_run_screen_has_its_class_before_its_widgets_mount(monkeypatch, width: int, name: str) -> None:
    # Textual adds it on the screen's first Resize, after the widgets are styled, and then styles
    # every one of them again (~47M instructions before the first frame).
    seen: list[frozenset[str]] = []
    mounted = RunHeader.on_mount

    def on_mount(self: RunHeader) -> None:
        seen.append(frozenset(self.screen.classes))
        mounted(self)

    monkeypatch.setattr(RunHeader, "on_mount", on_mount)
    app = run_app()
    async with app.run_test(size=(width, 30)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, RunScreen)
        assert seen and name in seen[0]
        assert name in app.screen.classes


async def test_a_resize_still_moves_the_class() -> None:
    app = run_app()
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.pause()
        assert app.screen.has_class("-wide")
        await pilot.resize_terminal(80, 30)
        await pilot.pause()
        assert app.screen.has_class("-narrow") and not app.screen.has_class("-wide")
        await pilot.resize_terminal(120, 30)
        await pilot.pause()
        assert app.screen.has_class("-wide") and not app.screen.has_class("-narrow")
