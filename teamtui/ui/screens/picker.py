"""``teamtui`` with no arguments: choose a team (built-in or yours), write the request, start."""

from __future__ import annotations

from typing import Callable

from rich.console import Group
from rich.padding import Padding
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Footer, Input, OptionList, Static
from textual.widgets.option_list import Option

from teamtui.config import shown_path, teams_dir
from teamtui.core.team import Team

from ..safe_text import clean, one_line
from .breakpoints import take_breakpoints

#: What the picker needs of a listed team (teamtui.loader.TeamInfo has these fields).
TeamLoader = Callable[[object], Team]


def team_prompt(info) -> Group | Text:
    """The team's name and kind, and under them, indented (wrapped lines too), its description."""
    text = Text(no_wrap=False)
    text.append(one_line(info.name, 40), "bold")
    text.append("  built-in" if info.builtin else "  yours", "dim cyan" if info.builtin else "dim green")
    if info.error:
        about = Text(f"does not load: {one_line(info.error, 200)}", "red")
    elif info.description:
        about = Text(one_line(info.description, 200), "dim")
    else:
        return text
    return Group(text, Padding(about, (0, 0, 0, 2)))


class PickerScreen(Screen[tuple[Team, str]]):
    """Dismisses with the loaded team and the request once the reader starts a run."""

    BINDINGS = [Binding("escape", "app.quit", "Quit")]

    def __init__(self, teams: list, load: TeamLoader) -> None:
        super().__init__()
        self._teams = teams
        self._load = load
        self._typed = False  # once the reader edits the request, changing team keeps it

    def compose(self) -> ComposeResult:
        take_breakpoints(self)
        with Vertical(id="picker"):
            yield Static(Text.assemble(("teamtui", "bold"), "  choose a team, write your request, press enter"),
                         id="picker-title")
            options = [Option(team_prompt(info), id=str(i)) for i, info in enumerate(self._teams)]
            yield OptionList(*options, id="teams")
            yield Static("", id="picker-detail")
            request = Input(placeholder="What should the team do?", id="request")
            request.cursor_blink = getattr(self.app, "blink", True)
            yield request
            yield Static("", id="picker-error")
        yield Footer()

    def on_mount(self) -> None:
        teams = self.query_one("#teams", OptionList)
        teams.border_title = "Teams"
        self.query_one("#request", Input).border_title = "Request"
        if not self._teams:
            self._error(f"No teams found. Put team files in {clean(shown_path(teams_dir()))}/ (NAME.yaml).")
            return
        teams.highlighted = 0
        teams.focus()

    def _info(self):
        index = self.query_one("#teams", OptionList).highlighted
        return self._teams[index] if index is not None and index < len(self._teams) else None

    def _error(self, message: str) -> None:
        self.query_one("#picker-error", Static).update(Text(message, style="bold red"))

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        info = self._info()
        if info is None:
            return
        detail = Text()
        if info.example:
            detail.append("example: ", "dim")
            detail.append(one_line(info.example, 300))
        detail.append(f"\n{clean(shown_path(info.path))}", "dim")
        self.query_one("#picker-detail", Static).update(detail)
        self._error("")
        if not self._typed:
            request = self.query_one("#request", Input)
            with request.prevent(Input.Changed):
                request.value = clean(info.example or "")

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.query_one("#request", Input).focus()

    def on_input_changed(self, event: Input.Changed) -> None:
        self._typed = True

    def on_input_submitted(self, event: Input.Submitted) -> None:
        info = self._info()
        request = event.value.strip()
        if info is None:
            return
        if not request:
            self._error("Write a request for the team first.")
            return
        try:
            team = self._load(info)
        except Exception as exc:  # noqa: BLE001 - any load failure is shown, the picker stays
            self._error(f"{info.name} does not load: {one_line(str(exc), 300)}")
            return
        self.dismiss((team, request))
