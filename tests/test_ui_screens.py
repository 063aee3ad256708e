"""How the app starts (picker, prompt, prompt given, replay) and what the run screen shows."""

from __future__ import annotations

import asyncio
from typing import Callable

from textual.widgets import Input

from teamtui.core import events as ev
from teamtui.core.handle import RunHandle
from teamtui.core.team import Team
from teamtui.ui.app import TeamApp, build_app
from teamtui.ui.screens.help import HelpScreen
from teamtui.ui.screens.picker import PickerScreen
from teamtui.ui.screens.prompt import PromptScreen
from teamtui.ui.screens.run_screen import RunScreen
from teamtui.ui.widgets.agent_list import FINAL
from teamtui.ui.widgets.turn_view import TurnView

from ui_scenes import (NOW, PICKER_TEAMS, Scene, settle, software_house_finished, software_house_start,
                       supervisor_parallel)

SIZE = (120, 36)

TEAM = Team.model_validate({
    "name": "duo", "example": "Write a haiku",
    "agents": {"a": {"role": "Poet"}, "b": {"role": "Editor"}},
    "flow": {"sequence": [{"agent": "a"}, {"agent": "b"}]},
})


class Starts:
    """A handle factory that records what it was asked to run and hands back a scene's handle."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, str]] = []

    def __call__(self, team: Team, prompt: str) -> RunHandle:
        self.calls.append((team.name, prompt))
        return software_house_start().handle()[0]


async def until(pilot, condition: Callable[[], bool], timeout: float = 10.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not condition():
        assert asyncio.get_running_loop().time() < deadline, "timed out waiting for the app"
        await pilot.pause(0.02)


def replay(scene: Scene, close: bool = True) -> TeamApp:
    handle, _ = scene.handle(close=close)
    return build_app(handle=handle, clock=lambda: NOW, animations=False)


def screen_text(app: TeamApp) -> str:
    """What the terminal shows, as plain text."""
    import io

    from rich.console import Console

    width, height = app.size
    console = Console(width=width, height=height, file=io.StringIO(), record=True, color_system=None)
    console.print(app.screen._compositor.render_update(full=True, screen_stack=app._background_screens))
    return console.export_text()


# --- how the app starts ------------------------------------------------------------------------------


async def test_picker_lists_teams_prefills_the_example_and_starts_the_chosen_one() -> None:
    starts = Starts()
    loaded = []

    def load(info) -> Team:
        loaded.append(info.name)
        return TEAM.model_copy(update={"name": info.name})

    app = build_app(handle_factory=starts, list_teams=lambda: PICKER_TEAMS, load_team=load, animations=False)
    async with app.run_test(size=SIZE) as pilot:
        assert isinstance(app.screen, PickerScreen)
        text = screen_text(app)
        assert "software-house" in text and "built-in" in text and "does not load" in text
        request = app.screen.query_one("#request", Input)
        assert request.value == PICKER_TEAMS[0].example
        await pilot.press("down")
        assert request.value == PICKER_TEAMS[1].example  # follows the highlighted team until edited
        await pilot.press("enter")  # to the request
        assert request.has_focus
        await pilot.press("end", "!", "enter")  # focus selects the example: typing would replace it
        await until(pilot, lambda: isinstance(app.screen, RunScreen))
    assert loaded == ["software-house"]
    assert starts.calls == [("software-house", PICKER_TEAMS[1].example + "!")]


async def test_picker_wraps_a_long_description_under_itself() -> None:
    app = build_app(handle_factory=Starts(), list_teams=lambda: PICKER_TEAMS, load_team=lambda info: TEAM,
                    animations=False)
    async with app.run_test(size=(70, 30)) as pilot:
        await pilot.pause()
        lines = screen_text(app).splitlines()
        first = next(i for i, line in enumerate(lines) if "A product manager" in line)
        column = lines[first].index("A product manager")
        after = lines[first + 1]
        assert after[column - 2 : column] == "  " and after[column].isalpha(), (lines[first], after)


async def test_picker_with_no_teams_says_where_they_go(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("TEAMTUI_HOME", str(tmp_path))
    app = build_app(handle_factory=Starts(), list_teams=lambda: [], load_team=lambda info: TEAM, animations=False)
    async with app.run_test(size=SIZE):
        assert f"Put team files in {tmp_path / 'teams'}/" in screen_text(app)


async def test_picker_says_why_a_team_does_not_load() -> None:
    starts = Starts()

    def load(info) -> Team:
        raise ValueError(info.error)

    app = build_app(handle_factory=starts, list_teams=lambda: PICKER_TEAMS, load_team=load, animations=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("end")
        app.screen.query_one("#request", Input).focus()
        await pilot.press(*"hello", "enter")
        assert isinstance(app.screen, PickerScreen)
        assert "unknown agent 'writer'" in screen_text(app)
    assert starts.calls == []


async def test_run_team_without_prompt_asks_prefilled_with_the_example() -> None:
    starts = Starts()
    app = build_app(team=TEAM, handle_factory=starts, animations=False)
    async with app.run_test(size=SIZE) as pilot:
        assert isinstance(app.screen, PromptScreen)
        assert app.screen.query_one(Input).value == "Write a haiku"
        assert "Poet" in screen_text(app)
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, RunScreen))
    assert starts.calls == [("duo", "Write a haiku")]


async def test_run_team_with_prompt_starts_at_once() -> None:
    starts = Starts()
    app = build_app(team=TEAM, prompt="Go", handle_factory=starts, animations=False)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: isinstance(app.screen, RunScreen))
        await until(pilot, lambda: app.run_screen.state.team == "software-house")
    assert starts.calls == [("duo", "Go")]


# --- what the run screen shows ------------------------------------------------------------------------


async def test_replay_shows_the_finished_run_and_refuses_commands() -> None:
    handle, control = software_house_finished().handle(close=True)
    app = build_app(handle=handle, clock=lambda: NOW, animations=False)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.run_screen
        await until(pilot, lambda: screen.state.finished)
        await pilot.pause()
        assert screen.panes.current == "final" and screen.agent_list.chosen == FINAL
        text = screen_text(app)
        assert "Final answer" in text and "AC1" in text and "✔ done" in text
        assert "01:50" in text  # elapsed time stops at the end, whatever the clock says
        await pilot.press("space", "x", "n")
        assert control.commands == []
        await pilot.press("q")
        await until(pilot, lambda: not app.is_running)  # no question: nothing is live


async def test_header_names_the_demo_model_plainly() -> None:
    app = replay(software_house_start(), close=False)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: app.run_screen.state.team != "")
        await pilot.pause()
        header = screen_text(app).splitlines()[0]
        assert "DEMO" in header and "not a real LLM" in header and "software-house" in header


async def test_parallel_agents_stream_at_once_and_hidden_panes_catch_up() -> None:
    app = replay(supervisor_parallel(), close=False)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.run_screen
        await until(pilot, lambda: "1.t.script" in screen.state.steps)
        await pilot.pause(0.2)

        def source(agent: str) -> str:
            [view] = screen._pane_of[agent].query(TurnView)
            return view.shown_text

        assert {screen.state.agent_status(a) for a in ("researcher", "coder")} == {"streaming"}
        assert screen.panes.current == screen._pane_of["coder"].id  # the last to start is shown
        assert "def migrate" in source("coder")
        assert source("researcher") == ""  # off screen: no Markdown work while it streams
        screen.agent_list.focus()
        await pilot.press("up")
        await until(pilot, lambda: "SQLite vs PostgreSQL" in source("researcher"))
        assert screen.panes.current == screen._pane_of["researcher"].id


async def test_untrusted_text_is_shown_literally() -> None:
    scene = software_house_start()
    scene.add(ev.AgentStarted, agent="pm", step="1")
    scene.say("pm", "1", "[bold red]LOUD[/] and \x1b[31mred\x1b[0m and \x1b]0;title\x07done")
    scene.add(ev.ErrorRaised, message="[blink]alarm[/blink] \x1b[2J", agent="pm")
    scene.add(ev.StepAdded, step="3", label="[reverse]x[/]", step_kind="agent", agent="pm")
    app = replay(scene, close=False)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.run_screen
        await until(pilot, lambda: "3" in screen.state.steps)
        await pilot.pause(0.2)
        [view] = screen._pane_of["pm"].query(TurnView)
        source = view.shown_text
        assert "\x1b" not in source and "\x07" not in source
        text = screen_text(app)
        assert "[bold red]LOUD[/]" in text and "and red and done" in text
        assert "[blink]alarm[/blink]" in text
        assert "[reverse]x[/]" in text


async def test_choosing_an_agent_shows_its_pane_and_stops_following() -> None:
    scene = software_house_start()
    app = replay(scene, close=False)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.run_screen
        await until(pilot, lambda: len(screen._pane_of) == 3)
        screen.agent_list.focus()
        await pilot.press("down", "down")
        assert screen.panes.current == screen._pane_of["qa"].id
        await pilot.press("enter")
        assert screen.focused is screen._pane_of["qa"]
        screen.handle.stream.emit(ev.AgentStarted(agent="developer", step="2.r1.1"))
        await until(pilot, lambda: bool(screen.state.agents["developer"].active))
        assert screen.panes.current == screen._pane_of["qa"].id  # the reader's choice holds


async def test_the_pane_follows_the_agent_that_starts() -> None:
    app = replay(software_house_start(), close=False)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.run_screen
        await until(pilot, lambda: len(screen._pane_of) == 3)
        screen.handle.stream.emit(ev.AgentStarted(agent="developer", step="2.r1.1"))
        await until(pilot, lambda: screen.panes.current == screen._pane_of["developer"].id)
        assert screen.agent_list.chosen == "developer"


async def test_streamed_text_waits_while_help_covers_the_run_and_shows_after() -> None:
    app = replay(software_house_start(), close=False)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.run_screen
        emit = screen.handle.stream.emit
        emit(ev.AgentStarted(agent="pm", step="1"))
        emit(ev.TextDelta(agent="pm", step="1", text="Before help. "))
        await until(pilot, lambda: any("Before help." in v.shown_text for v in screen.query(TurnView)))
        view = screen.query_one(TurnView)
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        emit(ev.TextDelta(agent="pm", step="1", text="While help is open."))
        await until(pilot, lambda: "While help is open." in screen.state.agents["pm"].turns[0].text)
        await pilot.pause(0.3)  # three text ticks
        assert "While help" not in view.shown_text  # drawn under an opaque screen, it would not show
        await pilot.press("escape")
        await until(pilot, lambda: "While help is open." in view.shown_text)


async def test_log_filter_by_agent_and_kind() -> None:
    app = replay(supervisor_parallel(), close=False)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.run_screen
        await until(pilot, lambda: len(screen.state.log) == 7)
        await pilot.pause()
        log = screen.event_log
        assert len(log.lines) >= 7
        await pilot.press("l")
        dialog = app.screen
        dialog.query_one("#agent").value = "coder"
        await pilot.click("#apply")
        await pilot.pause()
        assert (log.agent, log.kind) == ("coder", None)
        shown = "\n".join(line.text for line in log.lines)
        assert "coder calls memory" in shown and "approve plan" not in shown
        log.set_filter(None, "command")
        shown = "\n".join(line.text for line in log.lines)
        assert "approve plan" in shown and "memory" not in shown
        assert "command" in str(log.border_title)


async def test_help_opens_and_closes() -> None:
    app = replay(software_house_start(), close=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        assert "Redirect the selected step" in screen_text(app)
        await pilot.press("escape")
        assert isinstance(app.screen, RunScreen)


async def test_help_that_does_not_fit_says_there_is_more_and_scrolls() -> None:
    app = replay(software_house_start(), close=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("question_mark")
        await pilot.pause()
        box = app.screen.query_one(".help")
        assert box.max_scroll_y > 0  # it does not fit at 80x24
        assert "more below" in screen_text(app)
        await pilot.press("end")
        await pilot.pause()
        text = screen_text(app)
        assert box.scroll_y == box.max_scroll_y and "more below" not in text
        assert "◌ proposed" in text  # the plan review's mark, last in the legend
    async with replay(software_house_start(), close=False).run_test(size=(120, 50)) as pilot:
        await pilot.press("question_mark")
        await pilot.pause()
        assert "more below" not in screen_text(pilot.app)  # all of it shows: no cue


async def test_help_names_the_focus_order_tab_really_follows() -> None:
    app = replay(software_house_start(), close=False)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: app.run_screen is not None and app.run_screen._pane_of)
        await pilot.pause()
        screen = app.run_screen
        names = {screen.agent_list: "agents", screen.plan: "plan", screen.event_log: "log"}
        order = []
        for _ in range(4):
            focused = app.focused
            order.append(names.get(focused, "pane" if focused in screen.panes.walk_children() else "?"))
            await pilot.press("tab")
        from teamtui.ui.screens.help import KEYS

        assert f"Move between {', '.join(order[:3])} and {order[3]}" in dict(KEYS)["tab / shift+tab"]


async def test_narrow_terminal_still_shows_every_part() -> None:
    app = replay(software_house_finished())
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: app.run_screen.state.finished)
        await pilot.pause()
        text = screen_text(app)
        for part in ("Agents", "Plan", "Final answer", "Event log", "software-house"):
            assert part in text


async def test_the_plan_column_grows_with_the_terminal_so_its_rows_fit() -> None:
    from teamtui.ui.widgets.plan_view import step_label

    widths = {}
    for scene, size in ((supervisor_parallel, (100, 30)), (supervisor_parallel, (120, 36)),
                        (software_house_finished, (200, 50))):
        app = replay(scene())
        async with app.run_test(size=size) as pilot:
            await settle(pilot)
            screen = app.run_screen
            widths[size] = screen.plan.outer_size.width
            if size[0] >= 120:  # each row whole: step, agent, dependencies, time, tokens, status
                text = screen_text(app)
                for step in screen.state.steps.values():
                    assert step_label(step).plain in text
            assert screen.panes.outer_size.width >= size[0] / 2  # the words keep most of the room
    assert widths[(100, 30)] < widths[(120, 36)] < widths[(200, 50)]


async def test_a_replay_plays_pauses_and_cannot_be_steered() -> None:
    from teamtui.core.replay import ReplayHandle

    events = software_house_finished().events
    app = build_app(handle_factory=lambda team, prompt: ReplayHandle(events, speed=0.5), team=TEAM, prompt="x",
                    clock=lambda: NOW, animations=False)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: app.run_screen is not None and app.run_screen.state.team != "")
        screen = app.run_screen
        assert "REPLAY" in screen_text(app).splitlines()[0]
        await pilot.press("space")
        header = " ".join(screen_text(app).splitlines()[:2])
        assert "paused" in header
        assert "01:23" not in header  # the replay's own time, not the clock's (NOW is 83 s after the start)
        shown = len(screen.handle.history)
        await pilot.pause(0.5)
        assert len(screen.handle.history) == shown  # playback holds
        await pilot.press("x", "r", "n")
        assert app.screen is screen and screen.handle.playback.jump_to is None  # no dialog, nothing steered
        screen.handle.set_speed(0)
        await pilot.press("space")
        await until(pilot, lambda: screen.state.finished)
        assert screen.handle.history == events  # the replay added nothing of its own


async def test_the_log_wraps_at_its_own_width_not_the_consoles() -> None:
    app = replay(software_house_finished())
    async with app.run_test(size=(160, 36)) as pilot:
        await until(pilot, lambda: app.run_screen is not None and app.run_screen.state.finished)
        await pilot.pause(0.2)
        log = app.run_screen.event_log
        assert max(line.cell_length for line in log.lines) <= log.scrollable_content_region.width
        assert any("started: software-house on demo (offline)" in line.text for line in log.lines)


def test_the_redirect_dialog_says_what_a_step_was_asked_without_prompt_headings() -> None:
    from teamtui.core.memory import Contribution
    from teamtui.core.patterns import compose_prompt
    from teamtui.ui.screens.redirect import asked

    plain = compose_prompt("Build a URL shortener in Go", (), None, {})
    assert asked(plain) == "Build a URL shortener in Go — Do your part for this request, as your role describes."
    prior = (Contribution(agent="pm", step="1", text="## Request\n## Your turn\nA spec with headings of its own"),)
    later = compose_prompt("Build it", prior, "Review the code", {"pm": "Product Manager"})
    assert asked(later) == "Build it — Review the code"
    assert asked("Just a conversation turn") == "Just a conversation turn"
