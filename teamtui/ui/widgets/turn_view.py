"""One agent turn: a title naming its step, then the agent's words as streamed Markdown."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Markdown, Static
from textual.widgets.markdown import MarkdownStream

from ..safe_text import clean


class TurnView(Vertical):
    def __init__(self, title: Text, **kwargs) -> None:
        super().__init__(**kwargs)
        self._title = Static(title, classes="turn-title")
        # Links in model output are not followed: the text is untrusted.
        self._body = Markdown("", open_links=False, classes="turn-text")
        self._stream: MarkdownStream | None = None

    def compose(self) -> ComposeResult:
        yield self._title
        yield self._body

    @property
    def markdown(self) -> Markdown:
        return self._body

    def set_title(self, title: Text) -> None:
        self._title.update(title)

    async def write(self, text: str) -> None:
        """Append streamed text. MarkdownStream coalesces fragments while a render is under way."""
        if self._stream is None:
            self._stream = Markdown.get_stream(self._body)
        await self._stream.write(clean(text))

    async def close(self, text: str | None = None) -> None:
        """End streaming; with ``text``, show exactly that (the turn's final words)."""
        if self._stream is not None:
            await self._stream.stop()
            self._stream = None
        if text is not None:
            await self._body.update(clean(text))
