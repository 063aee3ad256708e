"""``teamtui run TEAM`` without a request: ask for it, prefilled with the team's example."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Footer, Input, Static

from teamtui.core.team import Team

from ..safe_text import clean, one_line
from .breakpoints import take_breakpoints


class PromptScreen(Screen[str]):
    BINDINGS = [Binding("escape", "app.quit", "Quit")]

    def __init__(self, team: Team) -> None:
        super().__init__()
        self._team = team

    def compose(self) -> ComposeResult:
        take_breakpoints(self)
        team = self._team
        about = Text()
        about.append(one_line(team.name, 60), "bold")
        if team.description:
            about.append(f"\n{one_line(team.description, 300)}", "dim")
        for name, agent in team.agents.items():
            about.append(f"\n  • {one_line(name, 40)}", "cyan")
            about.append(f"  {one_line(agent.role, 60)}", "dim")
        with Vertical(id="prompt"):
            yield Static(about, id="prompt-about")
            request = Input(clean(team.example), placeholder="What should the team do?", id="request")
            request.cursor_blink = getattr(self.app, "blink", True)
            yield request
            yield Static(Text("enter start · escape quit", style="dim"), id="prompt-keys")
        yield Footer()

    def on_mount(self) -> None:
        request = self.query_one(Input)
        request.border_title = "Request"
        request.focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.value.strip():
            self.dismiss(event.value.strip())
        else:
            self.notify("Write a request for the team first.", severity="warning", markup=False)
