"""The event log: handoffs, routes, tools, bus, memory, retries, errors and commands, timestamped.

Filterable by agent and by kind; changing a filter redraws from the run state's full log.
"""

from __future__ import annotations

import time
from typing import Iterable

from rich.text import Text
from textual.events import Resize
from textual.widgets import RichLog

from ..safe_text import one_line
from ..state import LogEntry, RunState

_KIND_STYLE = {
    "run": "bold", "step": "blue", "plan": "magenta", "route": "magenta", "handoff": "cyan", "tool": "green",
    "bus": "cyan", "memory": "blue", "retry": "yellow", "error": "bold red", "command": "bold yellow",
}
_LEVEL_STYLE = {"info": "", "warn": "yellow", "error": "red"}


def log_line(entry: LogEntry) -> Text:
    stamp = time.strftime("%H:%M:%S", time.localtime(entry.ts)) if entry.ts else "--:--:--"
    return Text.assemble(
        (stamp, "dim"),
        " ",
        (f"{entry.kind:<7}", _KIND_STYLE.get(entry.kind, "")),
        " ",
        (one_line(entry.text), _LEVEL_STYLE.get(entry.level, "")),
    )


class EventLog(RichLog):
    def __init__(self, state: RunState, **kwargs) -> None:
        super().__init__(wrap=True, markup=False, highlight=False, max_lines=10_000, **kwargs)
        self._state = state
        self.agent: str | None = None
        self.kind: str | None = None
        self._wrapped_at = 0  # the width the lines were last wrapped at

    def on_resize(self, event: Resize) -> None:
        super().on_resize(event)
        # Lines are wrapped once, when written; the first ones were written before the log had its
        # width (and wrapped at RichLog's 78 columns). Re-wrap everything at the new width.
        if event.size.width != self._wrapped_at:
            self._wrapped_at = event.size.width
            self.call_after_refresh(self._rewrap)

    def _rewrap(self) -> None:
        self.clear()
        self.add(self._state.log)
        if self.auto_scroll:
            self.scroll_end(animate=False)

    def matches(self, entry: LogEntry) -> bool:
        return (self.agent is None or entry.agent == self.agent) and (self.kind is None or entry.kind == self.kind)

    def add(self, entries: Iterable[LogEntry]) -> None:
        # The log's own width: left to itself RichLog measures against the console's.
        width = self.scrollable_content_region.width or None
        for entry in entries:
            if self.matches(entry):
                self.write(log_line(entry), width=width)

    def set_filter(self, agent: str | None, kind: str | None) -> None:
        self.agent, self.kind = agent, kind
        self.clear()
        self.add(self._state.log)
        self.border_title = self.title_text()

    def title_text(self) -> Text:
        text = Text("Event log")
        if self.agent or self.kind:
            shown = " · ".join(x for x in (self.agent and f"agent {one_line(self.agent)}", self.kind) if x)
            text.append(f" [{shown}]", "yellow")
        return text
