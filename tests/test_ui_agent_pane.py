"""An agent's pane: a short run reads from the top; a long one follows its newest words."""

from pathlib import Path

from textual.app import App, ComposeResult

import teamtui.ui
from teamtui.ui.state import Turn
from teamtui.ui.widgets.agent_pane import AgentPane

APP_CSS = Path(teamtui.ui.__file__).with_name("app.tcss")


class OnePane(App[None]):
    CSS_PATH = APP_CSS

    def compose(self) -> ComposeResult:
        yield AgentPane("dev")


async def test_a_first_turn_sits_at_the_top_of_the_pane() -> None:
    app = OnePane()
    async with app.run_test(size=(80, 30)) as pilot:
        pane = app.query_one(AgentPane)
        view = await pane.add_turn(Turn("dev", "1", chunks=["a few words"]), None)
        await view.catch_up()
        await pilot.pause()
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
        view = await pane.add_turn(Turn("dev", "1", chunks=["func main() {\n\tfmt.Println(1)"]), None)
        await view.catch_up()
        await pilot.pause()
        lines = [strip.text for strip in view._tail.render_lines(view._tail.region.reset_offset)]
        assert lines[1].rstrip() == "    fmt.Println(1)"
