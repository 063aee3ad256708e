"""Where a streaming turn may be frozen into Markdown (never inside a code fence), and how much
of it one text tick renders."""

import asyncio

from rich.text import Text
from textual.app import App, ComposeResult

from teamtui.ui.safe_text import clean
from teamtui.ui.state import Turn
from teamtui.ui.widgets.turn_view import RENDER_AT, SLICE_AT, TurnView, freeze_point


def test_cuts_after_the_last_blank_line_outside_a_fence():
    text = "para one\n\n```go\nx\n\ny\n```\n\nlast words"
    cut = freeze_point(text)
    assert text[:cut] == "para one\n\n```go\nx\n\ny\n```\n\n" and text[cut:] == "last words"


def test_never_cuts_inside_an_open_fence():
    text = "intro\n\n```python\ndef f():\n\n    return 1\n"
    assert text[: freeze_point(text)] == "intro\n\n"


def test_no_blank_line_no_cut():
    assert freeze_point("one long paragraph still streaming") == -1
    assert freeze_point("```\ncode\n\nmore code") == -1


def test_freeze_point_within_a_limit_else_the_first() -> None:
    text = "a" * 10 + "\n\n" + "b" * 10 + "\n\n" + "c" * 10 + "\n\n"
    assert text[: freeze_point(text, 25)] == "a" * 10 + "\n\n" + "b" * 10 + "\n\n"
    assert text[: freeze_point(text, 5)] == "a" * 10 + "\n\n"  # the first block, however long
    assert freeze_point(text) == len(text)


class OneTurn(App[None]):
    def __init__(self, turn: Turn) -> None:
        super().__init__()
        self.view = TurnView(turn, Text("title"))

    def compose(self) -> ComposeResult:
        yield self.view


async def test_a_long_backlog_is_shown_over_several_ticks_oldest_first() -> None:
    paragraphs = [f"paragraph {i}: " + "word " * 60 + "\n\n" for i in range(60)]  # ~18 KB
    turn = Turn("dev", "1", chunks=["".join(paragraphs) + "still streaming"])
    app = OneTurn(turn)
    async with app.run_test(size=(100, 40)) as pilot:
        view = app.view
        assert await view.catch_up()  # more than one tick's worth: not all of it yet
        first = view.shown_text
        assert 0 < len(first) <= RENDER_AT and turn.text.startswith(first)  # a prefix, in order
        assert "still streaming" not in first  # the tail waits for the blocks before it
        ticks = 1
        while await view.catch_up():
            ticks += 1
            assert turn.text.startswith(view.shown_text)
        assert ticks >= 2
        assert view.shown_text == clean(turn.text)
        turn.chunks.append(" and more")
        assert not await view.catch_up()
        await pilot.pause()
        assert view.shown_text == clean(turn.text)


async def test_a_tick_renders_in_slices_with_the_loop_free_between_and_shows_them_at_once() -> None:
    paragraphs = [f"paragraph {i}: " + "word " * 60 + "\n\n" for i in range(20)]  # ~6 KB: one tick
    turn = Turn("dev", "1", chunks=["".join(paragraphs) + "still streaming"])
    app = OneTurn(turn)
    async with app.run_test(size=(100, 40)) as pilot:
        view = app.view
        await pilot.pause()
        seen = []  # what was on screen each time the loop ran something else meanwhile

        async def meanwhile() -> None:
            while True:
                seen.append(view.shown_text)
                await asyncio.sleep(0)

        other = asyncio.create_task(meanwhile())
        await asyncio.sleep(0)
        assert not await view.catch_up()
        other.cancel()
        assert len(seen) > len("".join(paragraphs)) // SLICE_AT  # a turn of the loop between slices
        assert set(seen) == {""}  # nothing shown before every slice was rendered...
        assert view.shown_text == clean(turn.text)  # ...then all of it, tail included


async def test_blocks_stay_in_the_tail_while_markdown_is_imported_in_its_thread(monkeypatch) -> None:
    from teamtui.ui import warm

    paragraphs = [f"paragraph {i}: " + "word " * 40 + "\n\n" for i in range(5)]
    turn = Turn("dev", "1", chunks=["".join(paragraphs) + "still streaming"])
    app = OneTurn(turn)
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.pause()
        view = app.view
        monkeypatch.setattr(warm, "pending", lambda: True)
        await view.catch_up()
        assert view._frozen.sources == [] and view.shown_text == clean(turn.text)  # all of it, as plain text
        monkeypatch.setattr(warm, "pending", lambda: False)
        turn.chunks.append(" and on")
        await view.catch_up()
        assert "".join(view._frozen.sources) == "".join(paragraphs)  # frozen with the next words
        assert view.shown_text == clean(turn.text)
