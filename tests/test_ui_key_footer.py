"""The run screen's footer keeps its keys across help and back, and changes when the keys do."""

from __future__ import annotations

from textual.widgets._footer import FooterKey

from teamtui.ui.app import build_app
from teamtui.ui.screens.help import HelpScreen
from teamtui.ui.screens.run_screen import RunScreen
from teamtui.ui.widgets.key_footer import KeyFooter

from ui_scenes import NOW, software_house_start


async def test_help_and_back_keeps_the_footer_and_a_new_key_shows() -> None:
    handle, _ = software_house_start().handle(close=False)
    app = build_app(handle=handle, clock=lambda: NOW, animations=False)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, RunScreen)
        footer = screen.query_one(KeyFooter)
        keys = list(footer.query(FooterKey))
        assert "Review plan" not in [k.description for k in keys] and "Help" in [k.description for k in keys]
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, RunScreen)
        assert list(footer.query(FooterKey)) == keys  # the same widgets: nothing was rebuilt

        screen.state.pending_plans["1"] = []  # a plan waits: check_action now offers "Review plan"
        screen.refresh_bindings()
        await pilot.pause()
        await pilot.pause()
        assert "Review plan" in [k.description for k in footer.query(FooterKey)]


async def test_bindings_refreshed_many_times_rebuild_the_footer_once() -> None:
    handle, _ = software_house_start().handle(close=False)
    app = build_app(handle=handle, clock=lambda: NOW, animations=False)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        screen = app.screen
        footer = screen.query_one(KeyFooter)
        rebuilds = []
        recompose = footer.recompose

        async def counted() -> None:
            rebuilds.append(1)
            await recompose()

        footer.recompose = counted
        screen.state.pending_plans["1"] = []  # a new key, then more refreshes before the footer rebuilds
        for _ in range(3):
            screen.refresh_bindings()
            screen.bindings_updated_signal.publish(screen)
        for _ in range(3):
            await pilot.pause()
        assert "Review plan" in [k.description for k in footer.query(FooterKey)]
        assert len(rebuilds) == 1
