"""Eight agents streaming at once: the UI takes batches, not tokens, and keys are answered at once."""

from __future__ import annotations

import asyncio

from textual import events

from teamtui.core import events as ev
from teamtui.core.models.base import ModelRequest, TextChunk, UsageChunk
from teamtui.core.runtime import Runner, RunOptions
from teamtui.core.team import Team
from teamtui.ui import bridge
from teamtui.ui.app import build_app
from teamtui.ui.safe_text import clean
from teamtui.ui.screens.help import HelpScreen
from teamtui.ui.widgets.turn_view import TurnView

NAMES = [f"dev{i}" for i in range(8)]
EIGHT = Team.model_validate({
    "name": "eight",
    "agents": {name: {"role": "Developer"} for name in NAMES},
    "flow": {"parallel": [{"agent": name} for name in NAMES]},
})
PIECES = 250


class DrippingModel:
    """Streams a long Markdown reply a few characters at a time, like a fast real model."""

    label = "drip"
    is_demo = False

    async def stream(self, request: ModelRequest):
        for i in range(PIECES):
            await asyncio.sleep(0.002)
            yield TextChunk(f"{request.agent} line {i} `code` **bold**\n" if i % 10 == 9 else f"{request.agent} w{i} ")
        yield UsageChunk(input_tokens=10, output_tokens=PIECES)


async def test_eight_agents_streaming_keep_the_app_responsive(monkeypatch) -> None:
    batches: list[int] = []
    made = bridge.EventsArrived.__init__

    def counted(message: bridge.EventsArrived, events: list, closed: bool = False) -> None:
        made(message, events, closed)
        batches.append(len(events))

    monkeypatch.setattr(bridge.EventsArrived, "__init__", counted)
    model = DrippingModel()
    app = build_app(team=EIGHT, prompt="go", animations=False,
                    handle_factory=lambda team, prompt: Runner(team, RunOptions(models={"*": model})).start(prompt))
    async with app.run_test(size=(120, 36)) as pilot:
        loop = asyncio.get_running_loop()
        while app.run_screen is None or sum(1 for a in app.run_screen.state.agents.values() if a.active) < 8:
            await asyncio.sleep(0.005)
        # All eight are mid-stream: a key press must be answered at once, not after the flood.
        pressed = loop.time()
        app.post_message(events.Key("question_mark", "?"))
        while not isinstance(app.screen, HelpScreen):
            await asyncio.sleep(0.002)
        answered = loop.time() - pressed
        streaming = sum(1 for a in app.run_screen.state.agents.values() if a.active)
        app.pop_screen()
        screen = app.run_screen
        while not screen.state.finished:
            await asyncio.sleep(0.01)
        await pilot.pause(0.3)

        assert streaming >= 4, "the key should have been answered while the agents were still talking"
        assert answered < 1.0, f"key answered after {answered:.2f}s"
        deltas = sum(1 for e in screen.handle.history if isinstance(e, ev.TextDelta))
        assert deltas == 8 * PIECES
        assert len(batches) < deltas / 10, f"{len(batches)} messages for {deltas} deltas"
        assert sum(batches) == len(screen.handle.history)
        # Every word arrived: in the state for all, on screen for the agent shown.
        for name in NAMES:
            [turn] = screen.state.agents[name].turns
            assert turn.text.count(f"{name} w") == PIECES - PIECES // 10
        screen.agent_list.focus()
        await pilot.press("home")  # the run ended on the final answer: look at an agent again
        [view] = screen._pane_of["dev0"].query(TurnView)
        assert screen.panes.current == screen._pane_of["dev0"].id
        await pilot.pause(0.3)
        assert view.shown_text == clean(view.turn.text)
