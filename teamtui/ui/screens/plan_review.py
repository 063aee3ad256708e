"""Review a supervisor's plan before it runs: edit, remove or add tasks, then approve."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Footer, Static

from ..safe_text import one_line
from .task_editor import TaskEditor


def check_plan(tasks: list[dict], workers: list[str]) -> str | None:
    """Why the edited plan cannot run (same rules as the runtime's), or None when it can."""
    from teamtui.core.plan import PlanError, validate_plan

    try:
        validate_plan({"tasks": tasks}, workers, max_tasks=max(1, len(tasks)))
    except PlanError as exc:
        return str(exc)
    return None


class PlanReviewScreen(ModalScreen[list[dict] | None]):
    """Dismisses with the approved tasks, or None to decide later (``p`` reopens it)."""

    BINDINGS = [
        Binding("ctrl+s", "approve", "Approve"),
        Binding("e", "edit", "Edit"),
        Binding("a", "add", "Add"),
        Binding("d,delete", "remove", "Remove"),
        Binding("escape", "later", "Later"),
    ]

    def __init__(self, step: str, tasks: list[dict], workers: list[str]) -> None:
        super().__init__(classes="dialog-screen")
        self.step = step
        self.tasks = [dict(t) for t in tasks]
        self._worker_names = workers

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog wide plan-review") as box:
            box.border_title = Text(f"Plan {one_line(self.step, 30)} waits for your approval")
            yield Static(Text("ctrl+s approve · e edit · a add · d remove · escape decide later", style="dim"),
                         classes="dialog-text")
            table = DataTable(cursor_type="row", zebra_stripes=True, id="tasks")
            table.add_columns("id", "worker", "after", "task")
            yield table
            yield Static("", id="plan-error", classes="dialog-error")
        yield Footer()

    def on_mount(self) -> None:
        self._fill()
        self.query_one(DataTable).focus()

    def _fill(self, row: int = 0) -> None:
        table = self.query_one(DataTable)
        table.clear()
        for task in self.tasks:
            table.add_row(
                Text(one_line(str(task.get("id", "")), 30)),
                Text(one_line(str(task.get("worker", "")), 30), style="cyan"),
                Text(", ".join(one_line(str(d), 20) for d in task.get("depends_on") or ()), style="dim"),
                Text(one_line(str(task.get("task", "")), 200)),
            )
        if self.tasks:
            table.move_cursor(row=min(row, len(self.tasks) - 1))

    def _row(self) -> int | None:
        table = self.query_one(DataTable)
        return table.cursor_row if self.tasks else None

    def _show_error(self, error: str | None) -> None:
        self.query_one("#plan-error", Static).update(Text(error or "", style="bold red"))

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_edit()

    def action_edit(self) -> None:
        row = self._row()
        if row is None:
            return

        def done(task: dict | None) -> None:
            if task is not None:
                self.tasks[row] = task
                self._fill(row)

        self.app.push_screen(TaskEditor(self.tasks[row], self._worker_names, f"Edit task {row + 1}"), done)

    def action_add(self) -> None:
        ids = {str(t.get("id")) for t in self.tasks}
        number = len(self.tasks) + 1
        while f"t{number}" in ids:
            number += 1
        blank = {"id": f"t{number}", "worker": self._worker_names[0] if self._worker_names else "", "task": "",
                 "depends_on": []}

        def done(task: dict | None) -> None:
            if task is not None:
                self.tasks.append(task)
                self._fill(len(self.tasks) - 1)

        self.app.push_screen(TaskEditor(blank, self._worker_names, "New task"), done)

    def action_remove(self) -> None:
        row = self._row()
        if row is None:
            return
        removed = str(self.tasks.pop(row).get("id"))
        for task in self.tasks:  # nothing may wait on a task that no longer exists
            task["depends_on"] = [d for d in task.get("depends_on") or () if str(d) != removed]
        self._fill(row)

    def action_approve(self) -> None:
        error = check_plan(self.tasks, self._worker_names)
        self._show_error(error)
        if error is None:
            self.dismiss([dict(t, depends_on=list(t.get("depends_on") or ())) for t in self.tasks])

    def action_later(self) -> None:
        self.dismiss(None)
