"""One agent turn: a title naming its step, then the agent's words.

The view pulls text from its ``Turn`` (the run state holds every word) instead of being pushed
every delta: a pane that is not on screen does no work at all, and catches up in one go when it
is shown. With eight agents streaming, only the visible one pays for rendering.

While the turn streams its words show as plain text, in chunks: finished paragraphs are frozen
into widgets of their own and only the tail is re-wrapped as text arrives (re-laying out a
growing Markdown document every frame was the costliest thing on screen). Once the turn ends,
its final text replaces the chunks as Markdown, parsed once.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Markdown, Static

from teamtui.core import events as ev

from ..safe_text import clean
from ..state import Turn

#: Characters the live tail may hold before its finished paragraphs are frozen.
FREEZE_AT = 1500


class TurnView(Vertical):
    def __init__(self, turn: Turn, title: Text, **kwargs) -> None:
        super().__init__(**kwargs)
        self.turn = turn
        self._title = Static(title, classes="turn-title")
        self._tail = Static("", classes="turn-text")
        self._frozen: list[str] = []  # text of the frozen chunks above the tail
        self._live = ""  # text in the tail
        self._body: Markdown | None = None  # the finished text
        self._shown = 0  # characters of the turn's text already on screen

    def compose(self) -> ComposeResult:
        yield self._title
        yield self._tail

    @property
    def shown_text(self) -> str:
        """The (cleaned) text on screen."""
        if self._body is not None:
            return self._body.source
        return "".join(self._frozen) + self._live

    def set_title(self, title: Text) -> None:
        self._title.update(title)

    async def catch_up(self) -> None:
        """Show what the turn has said that is not on screen yet."""
        if self._body is not None:
            return
        turn = self.turn
        if turn.status != ev.RUNNING:
            await self._finish()
            return
        text = turn.text
        if len(text) <= self._shown:
            return
        self._live += clean(text[self._shown :])
        self._shown = len(text)
        cut = self._live.rfind("\n\n") if len(self._live) > FREEZE_AT else -1
        if cut > 0:
            head, self._live = self._live[: cut + 2], self._live[cut + 2 :]
            self._frozen.append(head)
            await self.mount(Static(Text(head[:-1], tab_size=4), classes="turn-text turn-frozen"), before=self._tail)
        self._tail.update(Text(self._live, tab_size=4))

    async def _finish(self) -> None:
        # The final text is the truth (a retry may have streamed a false start before it).
        self._shown = len(self.turn.text)
        # Links in model output are not followed: the text is untrusted.
        self._body = Markdown(clean(self.turn.text), open_links=False, classes="turn-text")
        await self.mount(self._body)  # before the chunks go, so the pane's height never collapses
        await self.query(".turn-frozen").remove()
        await self._tail.remove()
        self._frozen, self._live = [], ""
