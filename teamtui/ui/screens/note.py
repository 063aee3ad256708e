"""Whisper a note to one agent: it sees the note in its next turn (handle.inject)."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from ..safe_text import one_line


class NoteDialog(ModalScreen[str | None]):
    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, agent: str, role: str = "") -> None:
        super().__init__(classes="dialog-screen")
        self._agent, self._role = agent, role

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog") as box:
            box.border_title = Text(f"Note to {one_line(self._agent, 40)}")
            who = f"{one_line(self._agent, 40)} ({one_line(self._role, 40)})" if self._role else one_line(self._agent, 40)
            yield Static(Text(f"{who} sees this note in its next turn.", style="dim"), classes="dialog-text")
            yield Input(placeholder="Your note…", id="note")
            yield Static(Text("enter send · escape cancel", style="dim"), classes="dialog-keys")

    def on_mount(self) -> None:
        note = self.query_one(Input)
        note.cursor_blink = getattr(self.app, "blink", True)
        note.focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.dismiss(event.value.strip() or None)

    def action_cancel(self) -> None:
        self.dismiss(None)
