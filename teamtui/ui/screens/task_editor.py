"""Edit (or add) one task of a supervisor plan under review."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Select, TextArea

from ..safe_text import clean, one_line


class TaskEditor(ModalScreen[dict | None]):
    BINDINGS = [
        Binding("ctrl+s", "save", "Save"),  # not priority: keys typed before it reach the fields first
        Binding("escape", "cancel", "Cancel"),
    ]

    def __init__(self, task: dict, workers: list[str], title: str) -> None:
        super().__init__(classes="dialog-screen")
        self._editing = task
        self._worker_names = workers
        self._title = title

    def compose(self) -> ComposeResult:
        task = self._editing
        worker = str(task.get("worker") or "")
        workers = self._worker_names if worker in self._worker_names or not worker else [worker, *self._worker_names]
        blink = getattr(self.app, "blink", True)
        with VerticalScroll(classes="dialog wide") as box:
            box.border_title = self._title
            yield Label("Id")
            ident = Input(clean(str(task.get("id") or "")), id="task-id")
            ident.cursor_blink = blink
            yield ident
            yield Label("Worker")
            yield Select([(one_line(w, 40), w) for w in workers], value=worker or workers[0], allow_blank=False,
                         id="task-worker")
            yield Label("Depends on (ids, comma separated)")
            deps = Input(", ".join(clean(str(d)) for d in task.get("depends_on") or ()), id="task-deps")
            deps.cursor_blink = blink
            yield deps
            yield Label("Task")
            area = TextArea(clean(str(task.get("task") or "")), id="task-text")
            area.cursor_blink = blink
            yield area
            with Horizontal(classes="dialog-buttons"):
                yield Button("Save (ctrl+s)", variant="primary", id="save")
                yield Button("Cancel (esc)", id="cancel")

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.action_save() if event.button.id == "save" else self.action_cancel()

    def action_save(self) -> None:
        deps = [d.strip() for d in self.query_one("#task-deps", Input).value.split(",") if d.strip()]
        self.dismiss({
            "id": self.query_one("#task-id", Input).value.strip(),
            "worker": str(self.query_one("#task-worker", Select).value),
            "task": self.query_one("#task-text", TextArea).text.strip(),
            "depends_on": deps,
        })

    def action_cancel(self) -> None:
        self.dismiss(None)
