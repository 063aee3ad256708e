"""Help: every key, and what the status marks mean.

A full screen, not a modal over the run: a modal re-composes the whole busy run screen behind it
on every frame, which made opening help the slowest key while agents stream. The app keeps one
help screen installed and shows it again and again.
"""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Static

from .. import format as fmt
from ..widgets.plan_view import PROPOSED
from .breakpoints import take_breakpoints
from .frames import PromptFrames

KEYS = (
    ("space", "Pause the run (no new model call starts) / resume it; in a replay, its playback"),
    ("x", "Stop the selected step: its model call is cancelled, the step ends interrupted"),
    ("r", "Redirect the selected step: edit its instruction or add guidance; it reruns"),
    ("n", "Note to the selected agent: it sees the note in its next turn"),
    ("p", "Review the supervisor plan that waits for approval"),
    ("e", "Export the transcript (Markdown, JSON, HTML)"),
    ("l", "Filter the event log by agent and kind"),
    ("[ / ]", "Replay only: play slower / faster (halves or doubles the speed)"),
    ("j", "Replay only: jump to the selected plan step (plays everything before it at once)"),
    ("tab / shift+tab", "Move between agents, plan, pane and log"),
    ("up / down, enter", "Choose an agent (its pane shows) / focus its pane"),
    ("?", "This help"),
    ("q, ctrl+c", "Quit (asks first while the run is live)"),
)

ABOUT = (
    "The selected step is the one under the cursor in the plan while the plan has focus; "
    "otherwise the selected agent's current (or last) step."
)


def _legend(title: str, styles: dict[str, tuple[str, str]]) -> Text:
    text = Text(f"{title}: ", style="bold")
    for name, (glyph, style) in styles.items():
        text.append(f"{glyph} {name}", style)
        text.append("  ")
    return text


CLOSE = "escape to close"


class HelpBox(VerticalScroll):
    """The help's text. On a small terminal (80x24) it does not fit: its border says so until its
    end shows, as the scrollbar alone was easy to miss."""

    def _cue(self) -> None:
        more = self.scroll_y < self.max_scroll_y
        self.border_subtitle = f"↓ more below (up/down, page keys) · {CLOSE}" if more else CLOSE

    def on_resize(self) -> None:  # its size or its text's: both set by now
        self._cue()

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        super().watch_scroll_y(old_value, new_value)
        self._cue()


class HelpScreen(PromptFrames):
    BINDINGS = [Binding("escape,q,question_mark", "close", "Close", priority=True)]  # at once (see RunScreen)

    def compose(self) -> ComposeResult:
        take_breakpoints(self)
        keys = Table.grid(padding=(0, 2))
        keys.add_column(style="bold yellow", no_wrap=True)
        keys.add_column()
        for key, what in KEYS:
            keys.add_row(key, what)
        with HelpBox(classes="dialog wide help") as box:
            box.border_title = "Help"
            box.border_subtitle = CLOSE
            yield Static(keys)
            yield Static(Text(ABOUT, style="dim"), classes="dialog-text")
            yield Static(_legend("Agents", fmt.AGENT_STYLE), classes="dialog-text")
            yield Static(_legend("Steps", {**fmt.STEP_STYLE, "proposed": PROPOSED}), classes="dialog-text")

    def action_close(self) -> None:
        self.dismiss(None)


def show_help(app: App) -> None:
    """Show the app's one help screen (installed on first use)."""
    if not app.is_screen_installed("help"):
        app.install_screen(HelpScreen(), "help")
    app.push_screen("help")
