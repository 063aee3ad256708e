"""Redirect a step: edit its instruction or add guidance (handle.redirect)."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Static, TextArea

from ..safe_text import clean, one_line
from ..state import StepView


def asked(prompt: str) -> str:
    """What a step was asked, in a line: the request and its own task, without the section
    headings of the runtime's prompt (and without the work so far, which the panes show)."""
    sections: list[tuple[str, list[str]]] = []
    for line in prompt.splitlines():
        if line.startswith("## "):
            sections.append((line[3:].strip(), []))
        elif sections:
            sections[-1][1].append(line)
    # The runtime writes the request first and the turn's task last; model text in between
    # (the work so far) may hold headings of its own.
    first, last = (sections[0], sections[-1]) if sections else (("", []), ("", []))
    request = "\n".join(first[1]).strip() if first[0] == "Request" else ""
    task = "\n".join(last[1]).strip() if last[0] == "Your turn" else ""
    if not request:
        return prompt  # not the runtime's layout (a handoff's conversation): as it is
    return f"{request} — {task}" if task else request


class RedirectDialog(ModalScreen[str | None]):
    BINDINGS = [
        Binding("ctrl+s", "send", "Redirect"),  # not priority: keys typed before it reach the text first
        Binding("escape", "cancel", "Cancel"),
    ]

    def __init__(self, step: StepView) -> None:
        super().__init__(classes="dialog-screen")
        self._step = step

    def compose(self) -> ComposeResult:
        step = self._step
        with VerticalScroll(classes="dialog wide") as box:
            box.border_title = Text(f"Redirect step {one_line(step.id, 30)}")
            label = one_line(step.label, 40) if step.label != step.agent else ""
            who = " · ".join(x for x in (step.agent and one_line(step.agent, 30), label, step.status) if x)
            yield Static(Text(who, style="bold"), classes="dialog-text")
            what = {
                "running": "It restarts now with this instruction.",
                "pending": "It starts with this instruction.",
            }.get(step.status, "It reruns with this instruction, and so does every step that depended on it.")
            yield Static(Text(what, style="dim"), classes="dialog-text")
            if step.prompt:
                yield Static(Text.assemble(("It was asked: ", "dim"), one_line(asked(step.prompt), 300)),
                             classes="dialog-text prompt")
            area = TextArea(clean(step.instruction or ""), id="instruction",
                            placeholder="The new instruction, or guidance for this step")
            area.cursor_blink = getattr(self.app, "blink", True)
            yield area
            with Horizontal(classes="dialog-buttons"):
                yield Button("Redirect (ctrl+s)", variant="warning", id="send")
                yield Button("Cancel (esc)", id="cancel")

    def on_mount(self) -> None:
        area = self.query_one(TextArea)
        area.focus()
        area.move_cursor(area.document.end)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "send":
            self.action_send()
        else:
            self.action_cancel()

    def action_send(self) -> None:
        text = self.query_one(TextArea).text.strip()
        if not text:
            self.notify("Write the new instruction or some guidance first.", severity="warning", markup=False)
            return
        self.dismiss(text)

    def action_cancel(self) -> None:
        self.dismiss(None)
