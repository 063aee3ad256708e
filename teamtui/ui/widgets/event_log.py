"""The event log: handoffs, routes, tools, bus, memory, retries, errors and commands, timestamped.

Filterable by agent and by kind; changing a filter redraws from the run state's full log.

It draws its lines itself, as Textual's ``RichLog`` does (same styles, wrapping and scrolling)
for the one kind of line it shows: importing ``RichLog`` brings ``rich.pretty`` and, with it,
``attrs``, 12-18 ms of the first frame for a log that never pretty-prints anything.
"""

from __future__ import annotations

import time
from typing import Iterable

from rich.segment import Segment
from rich.text import Text
from textual.events import Resize
from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.strip import Strip

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


class EventLog(ScrollView, can_focus=True):
    DEFAULT_CSS = """
    EventLog {
        background: $surface;
        color: $foreground;
        overflow-y: scroll;
        &:focus {
            background-tint: $foreground 5%;
        }
    }
    """  # RichLog's

    #: Lines kept (the oldest go first); the run state keeps every entry.
    MAX_LINES = 10_000

    def __init__(self, state: RunState, **kwargs) -> None:
        super().__init__(**kwargs)
        self._state = state
        self.agent: str | None = None
        self.kind: str | None = None
        self.auto_scroll = True
        self.lines: list[Strip] = []
        self._widest = 0
        self._wrapped_at = 0  # the width the lines were last wrapped at

    def on_resize(self, event: Resize) -> None:
        # Lines are wrapped once, when written, at the log's width; none are written before it has
        # one. Re-wrap everything at the new width.
        if event.size.width != self._wrapped_at:
            self._wrapped_at = event.size.width
            self.call_after_refresh(self._rewrap)

    def get_content_width(self, container: Size, viewport: Size) -> int:
        return self.virtual_size.width if self._wrapped_at else container.width

    def write(self, line: Text, width: int) -> None:
        """Append ``line`` wrapped at ``width`` cells (RichLog.write with wrap on and a width)."""
        line.expand_tabs()
        console = self.app.console
        rendered = list(Segment.split_lines(console.render(line, console.options.update_width(width))))
        if not rendered:
            self.lines.append(Strip.blank(width))
            self._widest = max(self._widest, width)
        else:
            for strip in Strip.from_lines(rendered):
                strip.adjust_cell_length(width)
                self.lines.append(strip)
            if len(self.lines) > self.MAX_LINES:
                del self.lines[: len(self.lines) - self.MAX_LINES]
                self.refresh()
            self._widest = max(self._widest, *(sum(s.cell_length for s in segments) for segments in rendered))
        self.virtual_size = Size(self._widest, len(self.lines))
        if self.auto_scroll:
            self.scroll_end(animate=False, immediate=False, x_axis=False)

    def clear(self) -> None:
        self.lines.clear()
        self._widest = 0
        self.virtual_size = Size(0, 0)
        self.refresh()

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        width = self.scrollable_content_region.width
        style = self.rich_style
        y += scroll_y
        if y >= len(self.lines):
            return Strip.blank(width, style).apply_style(style)
        return self.lines[y].crop_extend(scroll_x, scroll_x + width, style).apply_style(style)

    def _rewrap(self) -> None:
        self.clear()
        self.add(self._state.log)
        if self.auto_scroll:
            self.scroll_end(animate=False)

    def matches(self, entry: LogEntry) -> bool:
        return (self.agent is None or entry.agent == self.agent) and (self.kind is None or entry.kind == self.kind)

    def add(self, entries: Iterable[LogEntry]) -> None:
        width = self.scrollable_content_region.width
        if not width:
            return  # not laid out yet: the first resize writes the whole log
        for entry in entries:
            if self.matches(entry):
                self.write(log_line(entry), width)

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
