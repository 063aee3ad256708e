"""The finished blocks of a streaming turn, as Markdown, in one widget that draws lines.

Each block is rendered once, when it arrives, into lines at the widget's width; painting copies
the lines on screen and measuring is counting them. One ``Static`` per block (the first design)
rendered each block's Markdown twice (to measure its height, then to paint it), and every
re-layout of the screen walked all the blocks of the turn on show, a few hundred after a minute
of fast streaming. A new width (a resize) renders the blocks again from their sources.
"""

from __future__ import annotations

from textual.geometry import Size
from textual.strip import Strip
from textual.visual import Visual, visualize
from textual.widget import Widget

CODE_THEME = "monokai"


class FrozenText(Widget):
    DEFAULT_CSS = "FrozenText { height: auto; }"

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.sources: list[str] = []  # the blocks' Markdown, in order
        self._lines: list[Strip] = []
        self._width = 0  # the width _lines were rendered at (0: not yet)

    def add(self, markdown: str, lines: tuple[int, list[Strip]] | None = None) -> None:
        """Append a finished block (Markdown text); ``lines``: what ``lines_for(markdown)`` returned."""
        self.sources.append(markdown)
        if self._width:
            if lines is None or lines[0] != self._width:  # rendered at another width: render again
                lines = self.lines_for(markdown)
            self._append(self._lines, lines[1])
        self.refresh(layout=True)

    def lines_for(self, markdown: str) -> tuple[int, list[Strip]]:
        """A block's lines at the current width (0 and none before the first layout), for ``add``."""
        return self._width, self._render_block(markdown, self._width) if self._width else []

    @staticmethod
    def _append(lines: list[Strip], block: list[Strip]) -> None:
        # Blocks end at a blank line, which Rich does not draw at the end of a document: put it
        # back between two paragraphs (lists and code bring a blank line of their own).
        if lines and block and lines[-1].text.strip() and block[0].text.strip():
            lines.append(Strip([]))
        lines.extend(block)

    def _render_block(self, markdown: str, width: int) -> list[Strip]:
        # Imported when the first block freezes, not at start-up: markdown-it and pygments cost the
        # first frame ~30 ms, and nothing on it is finished yet.
        from ..model_markdown import ModelMarkdown

        # What a Static showing this Markdown paints. No links: the text is untrusted.
        visual = visualize(self, ModelMarkdown(markdown, code_theme=CODE_THEME, hyperlinks=False))
        return Visual.to_strips(self, visual, width, None, self.visual_style)

    def _lines_at(self, width: int) -> list[Strip]:
        if width != self._width:
            self._width = width
            self._lines = []
            for source in self.sources:
                self._append(self._lines, self._render_block(source, width))
        return self._lines

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return len(self._lines_at(width)) if width else 0

    def render_line(self, y: int) -> Strip:
        lines = self._lines_at(self.size.width)
        return lines[y] if y < len(lines) else Strip.blank(self.size.width, self.visual_style.rich_style)
