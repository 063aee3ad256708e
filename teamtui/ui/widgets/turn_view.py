"""One agent turn: a title naming its step, then the agent's words.

The view pulls text from its ``Turn`` (the run state holds every word) instead of being pushed
every delta: a pane that is not on screen does no work at all, and catches up in one go when it
is shown. With eight agents streaming, only the visible one pays for rendering.

While the turn streams, finished blocks (up to a blank line outside a code fence) are frozen
into Markdown, each rendered once (``FrozenText``), and only the unfinished tail is shown as
plain text and re-wrapped as text arrives: re-laying out one growing Markdown document every
frame was the costliest thing on screen. So the words read as Markdown (code highlighted once
its fence closes) while they stream. Once the turn ends, its final text replaces the chunks as
one Markdown document.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Static

from teamtui.core import events as ev

from .. import warm
from ..safe_text import TAB_SIZE, clean
from ..state import Turn
from .frozen_text import FrozenText

if TYPE_CHECKING:
    from textual.widgets import Markdown

#: Characters the live tail may hold before its finished blocks are frozen into Markdown.
FREEZE_AT = 400

#: Characters of Markdown a turn renders at most per text tick (~9 ms). A pane shown after a while
#: (or a turn streaming faster than ~80 KB/s) shows what it missed over the next ticks, oldest
#: first, instead of stalling the screen for all of it at once (tens of KB, ~1 ms a KB).
RENDER_AT = 8000

#: Characters of Markdown rendered between two turns of the event loop (~2 ms): a key pressed
#: while a tick renders is answered after the slice under way, not after the whole tick.
SLICE_AT = 2000


def freeze_point(text: str, limit: int | None = None) -> int:
    """Where ``text`` may be cut: just after its last blank line outside a code fence (the last
    within ``limit`` characters, else the first one); -1 if none."""
    cut, pos, fenced = -1, 0, False
    for line in text.splitlines(keepends=True):
        pos += len(line)
        if line.lstrip().startswith(("```", "~~~")):
            fenced = not fenced
        elif not fenced and not line.strip() and line.endswith("\n"):
            if limit is not None and pos > limit and cut > 0:
                break
            cut = pos
    return cut


class TurnView(Vertical):
    def __init__(self, turn: Turn, title: Text, **kwargs) -> None:
        super().__init__(**kwargs)
        self.turn = turn
        self._title = Static(title, classes="turn-title")
        self._frozen = FrozenText(classes="turn-text")  # the finished blocks above the tail
        self._tail = Static("", classes="turn-text")
        self._pending = ""  # finished blocks not rendered yet (over RENDER_AT), before the tail
        self._live = ""  # text in the tail
        self._body: Markdown | None = None  # the finished text
        self._final = ""  # the finished text as given (the body shows its tabs expanded)
        self._shown = 0  # characters of the turn's text already on screen

    def compose(self) -> ComposeResult:
        yield self._title
        yield self._frozen
        yield self._tail

    @property
    def shown_text(self) -> str:
        """The (cleaned) text on screen."""
        if self._body is not None:
            return self._final
        return "".join(self._frozen.sources) + ("" if self._pending else self._live)

    def set_title(self, title: Text) -> None:
        self._title.update(title)

    async def catch_up(self) -> bool:
        """Show what the turn has said that is not on screen yet; True while some of it is still
        to come (over RENDER_AT: the next tick goes on)."""
        if self._body is not None:
            return False
        turn = self.turn
        if turn.status != ev.RUNNING:
            await self._finish()
            return False
        text = turn.text
        if len(text) > self._shown:
            self._live += clean(text[self._shown :])
            self._shown = len(text)
        elif not self._pending:
            return False
        # While Markdown is still being imported in its thread, the words stay in the tail: a block
        # frozen now would wait for that import, the screen stalled.
        cut = freeze_point(self._live) if len(self._live) > FREEZE_AT and not warm.pending() else -1
        if cut > 0:
            self._pending += self._live[:cut]
            self._live = self._live[cut:]
        if self._pending:
            cut = freeze_point(self._pending, RENDER_AT)
            # Rich's Markdown: a fraction of the Markdown widget's cost, code still highlighted.
            # Rendered a slice at a time with the loop free in between, shown all at once after.
            blocks, rest = [], self._pending[:cut]
            while rest:
                end = freeze_point(rest, SLICE_AT)
                end = len(rest) if end < 0 else end
                if blocks:
                    await asyncio.sleep(0)
                    if self._body is not None:
                        return False  # the turn ended meanwhile: its final text is on screen
                blocks.append((rest[:end], self._frozen.lines_for(rest[:end])))
                rest = rest[end:]
            for block, lines in blocks:
                self._frozen.add(block, lines)
            self._pending = self._pending[cut:]
        # Until the blocks before it are drawn, the tail waits: the pane shows the words in order.
        self._tail.update("" if self._pending else Text(self._live.expandtabs(TAB_SIZE)))
        return bool(self._pending)

    async def _finish(self) -> None:
        # The final text is the truth (a retry may have streamed a false start before it).
        self._shown = len(self.turn.text)
        from textual.widgets import Markdown

        from ..model_markdown import as_markdown, widget_parser

        self._final = clean(self.turn.text)
        # Links in model output are not followed: the text is untrusted.
        self._body = Markdown(as_markdown(self._final).expandtabs(TAB_SIZE), open_links=False, classes="turn-text",
                              parser_factory=widget_parser)
        await self.mount(self._body)  # before the chunks go, so the pane's height never collapses
        await self.remove_children([self._frozen, self._tail])
        self._pending = self._live = ""
