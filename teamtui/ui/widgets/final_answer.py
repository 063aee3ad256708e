"""The run's final answer (or its error), shown prominently once the run ends."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static

from teamtui.core import events as ev

from .. import format as fmt
from ..safe_text import TAB_SIZE, clean, one_line
from ..state import RunState

if TYPE_CHECKING:
    from textual.widgets import Markdown


class FinalAnswer(VerticalScroll):
    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self._banner = Static(Text("The run has not finished yet.", style="dim"), classes="final-banner")
        self._body: Markdown | None = None  # made when there is an answer: costly to import

    def compose(self) -> ComposeResult:
        yield self._banner

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
        if self._body is None:
            from textual.widgets import Markdown

            from ..model_markdown import widget_parser

            # Links in model output are not followed: the text is untrusted.
            self._body = Markdown(clean(output).expandtabs(TAB_SIZE), open_links=False, classes="final-text",
                                  parser_factory=widget_parser)
            await self.mount(self._body)
        else:
            await self._body.update(clean(output).expandtabs(TAB_SIZE))
