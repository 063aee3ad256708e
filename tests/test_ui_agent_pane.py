"""An agent's pane: a short run reads from the top; a long one follows its newest words. Model
text shows tabs 4 columns wide, and keeps its single line breaks, wherever it is drawn:
streaming, frozen, finished, final answer."""

from pathlib import Path

from textual.app import App, ComposeResult

import teamtui.ui
from teamtui.core import events as ev
from teamtui.ui.state import RunState, Turn
from teamtui.ui.widgets.agent_pane import AgentPane, turn_title
from teamtui.ui.widgets.final_answer import FinalAnswer

APP_CSS = Path(teamtui.ui.__file__).with_name("app.tcss")


class OnePane(App[None]):
    CSS_PATH = APP_CSS

    def compose(self) -> ComposeResult:
        yield AgentPane("dev")


def indent_of_inner_line(lines: list[str]) -> int:
    first = next(line for line in lines if "func main" in line)
    inner = next(line for line in lines if "fmt.Println" in line)
    return inner.index("fmt") - first.index("func")


class Final(App[None]):
    CSS_PATH = APP_CSS

    def compose(self) -> ComposeResult:
        yield FinalAnswer()


async def _finished_turn(pilot, pane: AgentPane, text: str):
    """A finished turn of ``text`` added to ``pane`` and drawn (as Markdown)."""
    view = await pane.add_turn(Turn("dev", "1", chunks=[text], status="done"), None)
    await view.catch_up()
    await pilot.pause()
    return view


async def _shown_turn(pilot, pane: AgentPane, text: str):
    """A turn of ``text`` added to ``pane`` and drawn."""
    view = await pane.add_turn(Turn("dev", "1", chunks=[text]), None)
    await view.catch_up()
    await pilot.pause()
    return view


async def test_a_first_turn_sits_at_the_top_of_the_pane() -> None:
    app = OnePane()
    async with app.run_test(size=(80, 30)) as pilot:
        pane = app.query_one(AgentPane)
        view = await _shown_turn(pilot, pane, "a few words")
        assert view.region.y == pane.content_region.y  # not drawn against the pane's bottom edge
        assert pane.scroll_y == 0


async def test_a_pane_follows_the_end_once_its_turns_fill_it() -> None:
    app = OnePane()
    async with app.run_test(size=(80, 30)) as pilot:
        pane = app.query_one(AgentPane)
        turn = Turn("dev", "1")
        view = await pane.add_turn(turn, None)
        for i in range(60):
            turn.chunks.append(f"line {i}\n\n")
            await view.catch_up()
            await pilot.pause()
        assert pane.max_scroll_y > 0 and pane.scroll_y == pane.max_scroll_y


async def test_tabs_in_streaming_text_are_four_columns_wide() -> None:
    app = OnePane()
    async with app.run_test(size=(80, 30)) as pilot:
        pane = app.query_one(AgentPane)
        view = await _shown_turn(pilot, pane, "func main() {\n\tfmt.Println(1)")
        lines = [strip.text for strip in view._tail.render_lines(view._tail.region.reset_offset)]
        assert lines[1].rstrip() == "    fmt.Println(1)"


async def test_tabs_in_a_finished_turns_code_are_four_columns_wide() -> None:
    app = OnePane()
    async with app.run_test(size=(80, 30)) as pilot:
        pane = app.query_one(AgentPane)
        turn = Turn("dev", "1", chunks=["```go\nfunc main() {\n\tfmt.Println(1)\n}\n```\n"], status="done")
        view = await pane.add_turn(turn, None)
        await view.catch_up()
        await pilot.pause()
        fence = view.query_one("MarkdownFence")
        lines = [strip.text for w in fence.walk_children() for strip in w.render_lines(w.region.reset_offset)]
        assert indent_of_inner_line(lines) == 4


async def test_tabs_in_a_frozen_block_are_four_columns_wide() -> None:
    app = OnePane()
    async with app.run_test(size=(80, 30)) as pilot:
        view = await app.query_one(AgentPane).add_turn(Turn("dev", "1"), None)
        await pilot.pause()  # laid out: the block is drawn at the pane's width
        _, lines = view._frozen.lines_for("```go\nfunc main() {\n\tfmt.Println(1)\n}\n```\n\n")
        assert indent_of_inner_line([strip.text for strip in lines]) == 4


async def test_tabs_in_the_final_answer_are_four_columns_wide() -> None:
    app = Final()
    async with app.run_test(size=(80, 30)) as pilot:
        state = RunState()
        state.status, state.output = ev.RUN_DONE, "```go\nfunc main() {\n\tfmt.Println(1)\n}\n```\n"
        final = app.query_one(FinalAnswer)
        await final.show(state)
        await pilot.pause()
        fence = final.query_one("MarkdownFence")
        lines = [strip.text for w in fence.walk_children() for strip in w.render_lines(w.region.reset_offset)]
        assert indent_of_inner_line(lines) == 4


SPEC = "Goal: a todo app.\nPrimary user: an operator.\nScope: create and fetch.\n\n"


def drawn(widget) -> list[str]:
    return [strip.text.strip() for w in widget.walk_children() for strip in w.render_lines(w.region.reset_offset)]


def assert_lines_kept(lines: list[str]) -> None:
    # CommonMark would join them into one paragraph: "Goal: a todo app. Primary user: ..."
    assert "Goal: a todo app." in lines and "Primary user: an operator." in lines, lines
    assert "Scope: create and fetch." in lines, lines


async def test_a_frozen_block_keeps_single_line_breaks() -> None:
    app = OnePane()
    async with app.run_test(size=(80, 30)) as pilot:
        view = await app.query_one(AgentPane).add_turn(Turn("dev", "1"), None)
        await pilot.pause()
        _, lines = view._frozen.lines_for(SPEC)
        assert_lines_kept([strip.text.strip() for strip in lines])


async def test_a_finished_turn_keeps_single_line_breaks() -> None:
    app = OnePane()
    async with app.run_test(size=(80, 30)) as pilot:
        view = await _finished_turn(pilot, app.query_one(AgentPane), SPEC)
        assert_lines_kept(drawn(view.query_one("Markdown")))


async def test_the_final_answer_keeps_single_line_breaks() -> None:
    app = Final()
    async with app.run_test(size=(80, 30)) as pilot:
        state = RunState()
        state.status, state.output = ev.RUN_DONE, SPEC
        final = app.query_one(FinalAnswer)
        await final.show(state)
        await pilot.pause()
        assert_lines_kept(drawn(final.query_one("Markdown")))


def test_a_turn_title_says_how_a_turn_that_did_not_finish_ended() -> None:
    for status in (ev.FAILED, ev.INTERRUPTED):
        title = turn_title(Turn("dev", "1", status=status, duration_s=1.5), None)
        assert title.plain == f"── step 1 · 1.5s · {status} ──"
    assert "failed" not in turn_title(Turn("dev", "1", status=ev.DONE), None).plain
    # Reused after a redirect as much as on a resume: where it came from is an earlier call.
    assert "reused from an earlier call" in turn_title(Turn("dev", "1", status=ev.DONE, reused=True), None).plain


LONG_CODE = ('```go\nres, err := http.Post(srv.URL+"/links", "application/json", strings.NewReader(`{"url": '
             '"https://example.com/a/very/long/path"}`)) // lastword\n```\n')


def on_screen(app) -> str:
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


async def test_long_code_wraps_in_a_frozen_block_a_finished_turn_and_the_final_answer() -> None:
    # While streaming the tail wraps long lines; once frozen, finished or final they must not be
    # cut at the pane's edge either (Textual's fence scrolls sideways, with no scrollbar).
    for finished in (False, True):
        app = OnePane()
        async with app.run_test(size=(80, 30)) as pilot:
            pane = app.query_one(AgentPane)
            turn = Turn("dev", "1", chunks=[LONG_CODE + "\n" + "more words " * 40 + "\n\nstill going"])
            if finished:
                turn.status = "done"
            await _shown_turn(pilot, pane, "")  # a turn first, so the pane has its width
            view = await pane.add_turn(turn, None)
            await view.catch_up()
            await pilot.pause()
            assert finished or view._frozen.sources  # the code block froze
            text = on_screen(app)
            assert "http.Post(" in text and "lastword" in text, (finished, text)
    app = Final()
    async with app.run_test(size=(80, 30)) as pilot:
        state = RunState()
        state.status, state.output = ev.RUN_DONE, LONG_CODE
        await app.query_one(FinalAnswer).show(state)
        await pilot.pause()
        text = on_screen(app)
        assert "http.Post(" in text and "lastword" in text, text


async def test_a_finished_turn_that_is_json_keeps_its_indentation() -> None:
    # A planner's reply is a bare JSON plan: as Markdown its lines lost their indentation.
    plan = '{\n  "tasks": [\n    {"id": "research", "depends_on": []}\n  ]\n}'
    app = OnePane()
    async with app.run_test(size=(80, 30)) as pilot:
        view = await _finished_turn(pilot, app.query_one(AgentPane), plan)
        lines = [strip.text.rstrip() for w in view.walk_children() for strip in w.render_lines(w.region.reset_offset)]
        assert any(line.endswith('  "tasks": [') for line in lines), lines
        assert any(line.endswith('    {"id": "research", "depends_on": []}') for line in lines), lines
