"""The run screen's footer keeps its keys across help and back, and changes when the keys do."""

from __future__ import annotations

from textual.widgets._footer import FooterKey

from teamtui.ui.app import build_app
from teamtui.ui.screens.help import HelpScreen
from teamtui.ui.screens.run_screen import RunScreen
from teamtui.ui.widgets.key_footer import KeyFooter

from ui_scenes import NOW, software_house_finished, software_house_start


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


def footer_line(app) -> str:
    return app.screen._compositor.render_strips()[-1].text


def shown_actions(footer: KeyFooter) -> list[str]:
    return [key.action for key in footer.query(FooterKey) if key.display and not key.has_class("-command-palette")]


async def test_help_and_quit_always_show_and_the_least_important_keys_go_first() -> None:
    handle, _ = software_house_start().handle(close=False)
    app = build_app(handle=handle, clock=lambda: NOW, animations=False)
    async with app.run_test(size=(200, 50)) as pilot:
        await pilot.pause()
        footer = app.screen.query_one(KeyFooter)
        every = shown_actions(footer)
        assert "filter_log" in every and "? Help" in footer_line(app) and "^p palette" in footer_line(app)
        for width in (80, 100):
            await pilot.resize_terminal(width, 24)
            await pilot.pause()
            line = footer_line(app)
            assert "? Help" in line and "q Quit" in line and "space Pause/resume" in line, line
            shown = shown_actions(footer)
            assert len(shown) < len(every) or width > 80  # at 80 some had to go
            ranks = [RunScreen.FOOTER_RANK.index(action) for action in every]
            dropped = [rank for action, rank in zip(every, ranks) if action not in shown]
            assert min(dropped, default=99) > max(rank for action, rank in zip(every, ranks) if action in shown)
            assert shown == [action for action in every if action in shown]  # in their usual order
        await pilot.resize_terminal(200, 50)
        await pilot.pause()
        assert shown_actions(footer) == every


async def test_a_replay_shows_no_steering_keys_only_what_works() -> None:
    from teamtui.core.replay import ReplayHandle

    events = software_house_finished().events
    app = build_app(handle=ReplayHandle(events, speed=1), clock=lambda: NOW, animations=False)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        await pilot.pause()
        line = footer_line(app)
        for hidden in ("Stop step", "Redirect", "Note"):  # a replay cannot be steered
            assert hidden not in line, line
        for shown in ("space Pause/resume", "[ Slower", "] Faster", "j Jump to step", "? Help", "q Quit"):
            assert shown in line, line
