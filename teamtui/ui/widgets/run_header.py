"""The header: team, model (plainly marked when it is the offline demo), status, time, tokens, cost."""

from __future__ import annotations

from typing import Callable

from rich.text import Text
from textual.geometry import Size
from textual.widget import Widget

from .. import format as fmt
from ..safe_text import one_line
from ..state import RunState


class RunHeader(Widget):
    def __init__(self, state: RunState, clock: Callable[[], float], replay: bool = False, **kwargs) -> None:
        super().__init__(**kwargs)
        self._state = state
        self._clock = clock
        self.replay = replay
        self.replay_paused = False
        self.replay_speed = 1.0  # 0 plays everything at once

    def on_mount(self) -> None:
        # Elapsed time moves on its own; once a second is enough for a clock showing seconds.
        self.set_interval(1.0, self.refresh)

    def render(self) -> Text:
        # The laid-out width, not ``self.size``: that asks the screen's compositor where the header
        # is, and before the first frame it built the compositor's full map again for it (~6M
        # instructions).
        return self._lines(self.outer_size.width - self.styles.gutter.width)[0]

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return self._lines(width)[1]

    def _lines(self, width: int) -> tuple[Text, int]:
        """The header for a content ``width``, and how many lines it takes."""
        state = self._state
        who = Text.assemble(" ", (one_line(state.team or "teamtui", 40), "bold"), ("  ·  ", "dim"))
        if state.demo:
            who.append(" DEMO ", "bold black on yellow")
            who.append(f" {one_line(state.model or 'demo', 30)}, not a real LLM", "yellow")
        else:
            who.append("model ", "dim")
            who.append(one_line(state.model or "?", 40))
        if self.replay:
            who.append("  ·  ", "dim")
            who.append(" REPLAY ", "bold black on cyan")
            who.append(f" {_speed(self.replay_speed)}", "cyan")
            if self.replay_paused:
                who.append(" paused", "bold yellow")
        glyph, style = fmt.RUN_STYLE.get(state.status, ("?", ""))
        how = Text.assemble(
            (f"{glyph} {state.status}", style),
            ("  ·  ", "dim"),
            # A replay's time is the recorded one, not today's clock.
            fmt.duration(state.elapsed(state.last_ts if self.replay else self._clock())),
            ("  ·  ", "dim"),
            f"{fmt.tokens(state.tokens)} tokens",
            ("  ·  ", "dim"),
            fmt.cost(state.cost),
            " ",
        )
        # One line when it fits, else who on the first line and how it goes on the second.
        if who.cell_len + 5 + how.cell_len <= width:
            return Text.assemble(who, ("  ·  ", "dim"), how, no_wrap=True, overflow="ellipsis"), 1
        how.pad_left(1)
        return Text("\n", no_wrap=True, overflow="ellipsis").join([who, how]), 2


def _speed(speed: float) -> str:
    """``×2``, ``×0.25``, or ``instant`` for a replay's pace."""
    if speed <= 0:
        return "instant"
    return f"×{speed:g}"
