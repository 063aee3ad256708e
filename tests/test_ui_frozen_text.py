"""The frozen blocks of a streaming turn draw exactly what one Static per block drew, and re-wrap
when the width changes."""

from __future__ import annotations

from rich.markdown import Markdown
from textual.app import App, ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Static

from teamtui.ui.widgets.frozen_text import CODE_THEME, FrozenText

BLOCKS = [
    "# Plan\n\nA first paragraph that is long enough to wrap at forty columns, and then some.\n\n",
    "```go\nfunc main() {\n\tprintln(\"hi\")\n}\n```\n\n",
    "- one\n- two with a [link](http://example.com)\n\n",
]


class Pair(App[None]):
    """FrozenText beside what it replaced: one Static per block."""

    CSS = "Horizontal > Vertical { width: 1fr; height: auto; }"

    def compose(self) -> ComposeResult:
        with Horizontal():
            with Vertical():
                yield FrozenText(id="frozen")
            with Vertical(id="statics"):
                pass


def lines(widget) -> list[str]:
    region = widget.content_region
    return [strip.text for strip in widget.render_lines(region.reset_offset)][: region.height]


async def add_blocks(app: Pair, pilot) -> tuple[FrozenText, Vertical]:
    frozen, statics = app.query_one("#frozen", FrozenText), app.query_one("#statics", Vertical)
    for block in BLOCKS:
        frozen.add(block)
        await statics.mount(Static(Markdown(block, code_theme=CODE_THEME, hyperlinks=False)))
    await pilot.pause()
    return frozen, statics


async def test_draws_what_a_static_per_block_drew() -> None:
    app = Pair()
    async with app.run_test(size=(100, 40)) as pilot:
        frozen, statics = await add_blocks(app, pilot)
        drawn = lines(frozen)
        assert drawn == [line for static in statics.children for line in lines(static)]
        assert any("func main()" in line for line in drawn) and any("Plan" in line for line in drawn)
        assert frozen.size.height == len(drawn)


async def test_rewraps_at_a_new_width() -> None:
    app = Pair()
    async with app.run_test(size=(100, 40)) as pilot:
        frozen, statics = await add_blocks(app, pilot)
        wide = frozen.size.height
        await pilot.resize_terminal(60, 40)
        await pilot.pause()
        assert frozen.size.height > wide
        assert lines(frozen) == [line for static in statics.children for line in lines(static)]
