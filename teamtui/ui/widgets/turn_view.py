"""One agent turn: a title naming its step, then the agent's words as streamed Markdown.

The view pulls text from its ``Turn`` (the run state holds every word) instead of being pushed
every delta: a pane that is not on screen does no Markdown work at all, and catches up in one
go when it is shown. With eight agents streaming, only the visible one pays for parsing.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Markdown, Static
from textual.widgets.markdown import MarkdownStream

from teamtui.core import events as ev

from ..safe_text import clean
from ..state import Turn


class TurnView(Vertical):
    def __init__(self, turn: Turn, title: Text, **kwargs) -> None:
        super().__init__(**kwargs)
        self.turn = turn
        self._title = Static(title, classes="turn-title")
        # Links in model output are not followed: the text is untrusted.
        self._body = Markdown("", open_links=False, classes="turn-text")
        self._stream: MarkdownStream | None = None
        self._shown = 0  # characters of the turn's text already handed to the Markdown widget
        self._final = False  # the finished text is on screen

    def compose(self) -> ComposeResult:
        yield self._title
        yield self._body

    async def on_unmount(self) -> None:
        if self._stream is not None:  # the app is closing mid-turn: end the stream's task with it
            await self._stream.stop()
            self._stream = None

    def set_title(self, title: Text) -> None:
        self._title.update(title)

    async def catch_up(self) -> None:
        """Show what the turn has said that is not on screen yet."""
        if self._final:
            return
        turn = self.turn
        if turn.status != ev.RUNNING:
            # Finished: its final text is the truth (a retry may have streamed a false start).
            if self._stream is not None:
                await self._stream.stop()
                self._stream = None
            self._final = True
            self._shown = len(turn.text)
            await self._body.update(clean(turn.text))
            return
        text = turn.text
        if len(text) > self._shown:
            if self._stream is None:
                self._stream = Markdown.get_stream(self._body)
            fresh, self._shown = text[self._shown :], len(text)
            await self._stream.write(clean(fresh))
