"""Choose which events the log shows: one agent or all, one kind or all."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Label, Select

from ..safe_text import one_line
from ..state import LOG_KINDS

#: The Select value meaning "no filter" (agent names and kinds never start with "*").
ALL = "*all"

LogFilter = tuple[str | None, str | None]  # (agent, kind); None shows all


class LogFilterDialog(ModalScreen[LogFilter | None]):
    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, agents: list[str], current: LogFilter) -> None:
        super().__init__(classes="dialog-screen")
        self._agents = agents
        self._current = current

    def compose(self) -> ComposeResult:
        agent, kind = self._current
        with VerticalScroll(classes="dialog") as box:
            box.border_title = "Filter the event log"
            yield Label("Agent")
            yield Select([("all agents", ALL)] + [(one_line(a, 40), a) for a in self._agents],
                         value=agent or ALL, allow_blank=False, id="agent")
            yield Label("Kind")
            yield Select([("all kinds", ALL)] + [(k, k) for k in LOG_KINDS],
                         value=kind or ALL, allow_blank=False, id="kind")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Apply", variant="primary", id="apply")
                yield Button("Show all", id="clear")

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "clear":
            self.dismiss((None, None))
            return
        agent = self.query_one("#agent", Select).value
        kind = self.query_one("#kind", Select).value
        self.dismiss((None if agent == ALL else str(agent), None if kind == ALL else str(kind)))

    def action_cancel(self) -> None:
        self.dismiss(None)
