"""The frozen blocks of a streaming turn draw what the same text as one Markdown document draws,
and re-wrap when the width changes."""

from __future__ import annotations

from rich.markdown import Markdown
from textual.app import App, ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Static

from teamtui.ui.widgets.frozen_text import CODE_THEME, FrozenText

BLOCKS = [
    "# Plan\n\nA first paragraph that is long enough to wrap at forty columns, and then some.\n\n",
    "A second paragraph, frozen on its own.\n\n",
    "A third one, with `code` in it.\n\n",
]


class Pair(App[None]):
    """FrozenText beside one Static showing all the blocks as one document."""

    CSS = "Horizontal > Vertical { width: 1fr; height: auto; }"

    def compose(self) -> ComposeResult:
        with Horizontal():
            with Vertical():
                yield FrozenText(id="frozen")
            with Vertical():
                yield Static(Markdown("".join(BLOCKS), code_theme=CODE_THEME, hyperlinks=False), id="document")


def lines(widget) -> list[str]:
    region = widget.content_region
    return [strip.text for strip in widget.render_lines(region.reset_offset)][: region.height]


async def add_blocks(app: Pair, pilot) -> tuple[FrozenText, Static]:
    frozen = app.query_one("#frozen", FrozenText)
    for block in BLOCKS:
        frozen.add(block)
    await pilot.pause()
    return frozen, app.query_one("#document", Static)


async def test_draws_the_blocks_as_one_document() -> None:
    app = Pair()
    async with app.run_test(size=(100, 40)) as pilot:
        frozen, document = await add_blocks(app, pilot)
        drawn = lines(frozen)
        assert drawn == lines(document)
        second = next(i for i, line in enumerate(drawn) if "A second paragraph" in line)
        assert not drawn[second - 1].strip()  # a blank line between two frozen paragraphs
        assert frozen.size.height == len(drawn)


async def test_rewraps_at_a_new_width() -> None:
    app = Pair()
    async with app.run_test(size=(100, 40)) as pilot:
        frozen, document = await add_blocks(app, pilot)
        wide = frozen.size.height
        await pilot.resize_terminal(60, 40)
        await pilot.pause()
        assert frozen.size.height > wide
        assert lines(frozen) == lines(document)


async def test_code_is_highlighted_and_links_are_not_followed() -> None:
    app = Pair()
    async with app.run_test(size=(100, 40)) as pilot:
        frozen = app.query_one("#frozen", FrozenText)
        frozen.add("```go\nfunc main() {}\n```\n\n")
        frozen.add("see [the docs](http://example.com)\n\n")
        await pilot.pause()
        drawn = lines(frozen)
        assert any("func main() {}" in line for line in drawn)
        code = next(strip for strip in frozen.render_lines(frozen.content_region.reset_offset) if "func" in strip.text)
        assert len({segment.style for segment in code}) > 2  # highlighted, not one plain style
        assert all(segment.style is None or not segment.style.link for strip in
                   frozen.render_lines(frozen.content_region.reset_offset) for segment in strip)
