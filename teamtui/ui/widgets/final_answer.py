"""The run's final answer (or its error), shown prominently once the run ends."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Markdown, Static

from teamtui.core import events as ev

from .. import format as fmt
from ..safe_text import clean, one_line
from ..state import RunState


class FinalAnswer(VerticalScroll):
    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self._banner = Static(Text("The run has not finished yet.", style="dim"), classes="final-banner")
        self._body = Markdown("", open_links=False, classes="final-text")

    def compose(self) -> ComposeResult:
        yield self._banner
        yield self._body

    async def show(self, state: RunState) -> None:
        glyph, style = fmt.RUN_STYLE.get(state.status, ("?", ""))
        banner = Text.assemble((f"{glyph} Run {state.status}", style))
        if state.error:
            banner.append(f"\n{one_line(state.error, 500)}", "red")
        if state.missing:
            banner.append(f"\nMissing results from steps: {', '.join(state.missing)}", "yellow")
        self._banner.update(banner)
        self.set_class(state.status != ev.RUN_DONE, "-failed")
        output = state.output or "*(no output)*"
        await self._body.update(clean(output))
