"""The event log draws its lines as Textual's RichLog would, without importing it (widgets/event_log.py)."""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.widgets import RichLog

from teamtui.ui.state import LogEntry, RunState
from teamtui.ui.widgets.event_log import EventLog, log_line

ENTRIES = [
    LogEntry(0.0, "run", "run r1 started: software-house on demo"),
    LogEntry(0.0, "error", "a long error " * 12, agent="qa", level="error"),
    LogEntry(0.0, "tool", "tab\tseparated\tcall", agent="dev"),
    LogEntry(0.0, "command", ""),
]


class Logs(App[None]):
    def __init__(self, state: RunState) -> None:
        super().__init__()
        self.log_view = EventLog(state)
        self.rich_log = RichLog(wrap=True, markup=False, highlight=False, max_lines=10_000)

    def compose(self) -> ComposeResult:
        yield self.log_view
        yield self.rich_log


async def test_lines_and_drawing_match_richlog() -> None:
    state = RunState()
    state.log.extend(ENTRIES)
    app = Logs(state)
    async with app.run_test(size=(60, 20)) as pilot:
        await pilot.pause()
        ours, theirs = app.log_view, app.rich_log
        width = ours.scrollable_content_region.width
        assert width == theirs.scrollable_content_region.width
        for entry in ENTRIES:
            theirs.write(log_line(entry), width=width)
        app.set_focus(None)  # a focused log is tinted
        await pilot.pause()
        assert [list(line) for line in ours.lines] == [list(line) for line in theirs.lines]
        assert ours.virtual_size == theirs.virtual_size and ours.scroll_offset == theirs.scroll_offset
        for y in range(ours.size.height):
            assert list(ours.render_line(y)) == list(theirs.render_line(y))


async def test_the_oldest_lines_go_past_the_limit_and_the_end_stays_in_view() -> None:
    state = RunState()
    app = Logs(state)
    async with app.run_test(size=(60, 20)) as pilot:
        await pilot.pause()
        log = app.log_view
        log.MAX_LINES = 5
        log.add(LogEntry(0.0, "step", f"entry {i}") for i in range(8))
        await pilot.pause()
        assert [line.text.split()[-1] for line in log.lines] == ["3", "4", "5", "6", "7"]
        assert log.scroll_offset.y == log.max_scroll_y
