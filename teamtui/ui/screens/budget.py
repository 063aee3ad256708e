"""The soft budget's question: the run is paused at its soft limit; continue (resume) or stop it?

Answers True (continue), False (stop), or None (escape: decide later; space resumes, q stops).
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Static


class BudgetDialog(ModalScreen[bool | None]):
    BINDINGS = [
        Binding("c", "answer(True)", "Continue"),
        Binding("s", "answer(False)", "Stop"),
        Binding("escape", "later", "Later"),
    ]

    def __init__(self, used: str) -> None:
        super().__init__(classes="dialog-screen")
        self._used = used

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog") as box:
            box.border_title = "Soft budget"
            yield Static(Text(f"Soft budget reached: {self._used}. Continue or stop?"), classes="dialog-text")
            yield Static(Text("The run is paused until you answer. It stops for good at a hard limit.", style="dim"),
                         classes="dialog-text")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Continue", variant="primary", id="continue")
                yield Button("Stop the run", variant="error", id="stop")
            yield Static(Text("c continue · s stop · escape decide later (space resumes)", style="dim"),
                         classes="dialog-keys")

    def on_mount(self) -> None:
        self.query_one("#continue", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "continue")

    def action_answer(self, keep_going: bool) -> None:
        self.dismiss(keep_going)

    def action_later(self) -> None:
        self.dismiss(None)
