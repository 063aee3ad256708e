"""One agent's pane: its turns, newest last, each labelled by step; follows the end while streaming."""

from __future__ import annotations

from rich.text import Text
from textual.containers import VerticalScroll
from textual.widgets import Static

from teamtui.core import events as ev

from .. import format as fmt
from ..safe_text import one_line
from ..state import StepView, Turn
from .turn_view import TurnView


def turn_title(turn: Turn, step: StepView | None) -> Text:
    """``── 2.r1.1 · developer · round 1 · 3.2s · 420 tokens ──``"""
    parts = [f"step {turn.step}"]
    if step is not None:
        if step.label and step.label != turn.agent:
            parts.append(one_line(step.label, 40))
        if step.round:
            parts.append(f"round {step.round}")
    if turn.reused:
        parts.append("reused from an earlier call")  # a resume's journal, or this run before a redirect
    if turn.status == ev.RUNNING:
        style = "bold cyan"
    else:
        if turn.duration_s is not None:
            parts.append(f"{turn.duration_s:.1f}s")
        if turn.input_tokens or turn.output_tokens:
            parts.append(f"{fmt.tokens(turn.input_tokens + turn.output_tokens)} tokens")
        style = {ev.INTERRUPTED: "yellow", ev.FAILED: "red"}.get(turn.status, "dim")
        if turn.status in (ev.INTERRUPTED, ev.FAILED):
            parts.append(turn.status)
    return Text(f"── {' · '.join(parts)} ──", style=style, no_wrap=True, overflow="ellipsis")


class AgentPane(VerticalScroll):
    def __init__(self, agent: str, **kwargs) -> None:
        super().__init__(**kwargs)
        self.agent = agent
        self._views: dict[Turn, TurnView] = {}
        self._empty = Static(Text("No turns yet.", style="dim"), classes="pane-empty")

    def compose(self):
        yield self._empty

    def watch_virtual_size(self) -> None:
        self._follow_once_full()

    def on_resize(self) -> None:
        self._follow_once_full()

    def _follow_once_full(self) -> None:
        # Follow new text (until the reader scrolls up) once it fills the pane, not before: Textual
        # draws an anchored pane's content against its bottom edge, a first turn at the pane's foot.
        if not self.is_anchored and self.container_size.height and self.max_scroll_y > 0:
            self.anchor()

    def view_for(self, turn: Turn) -> TurnView | None:
        return self._views.get(turn)

    async def add_turn(self, turn: Turn, step: StepView | None) -> TurnView:
        view = TurnView(turn, turn_title(turn, step))
        self._views[turn] = view
        if self._empty.display:
            self._empty.display = False
        await self.mount(view)
        return view

    async def catch_up(self) -> list[Turn]:
        """Bring every turn up to date (the pane was hidden while its agent talked); returns the
        turns with more still to show (see TurnView.catch_up)."""
        return [view.turn for view in self._views.values() if await view.catch_up()]
