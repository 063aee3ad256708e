"""The agents of the run with role and live status; the last entry opens the final answer."""

from __future__ import annotations

from typing import Callable

from rich.text import Text
from textual.binding import Binding
from textual.widgets import OptionList
from textual.widgets.option_list import Option, OptionDoesNotExist

from .. import format as fmt
from ..safe_text import one_line
from ..state import RunState

#: Option id of the final-answer entry (agent names cannot start with "*").
FINAL = "*final"


class AgentList(OptionList):
    # The list's keys act when they arrive, before the key bubbles up through the run screen's
    # queue, which is busy with the agents' events: the pane switches sooner.
    BINDINGS = [
        Binding(b.key, b.action, b.description, show=False, priority=True) for b in OptionList.BINDINGS
        if isinstance(b, Binding)
    ]

    def __init__(self, state: RunState, on_chosen: Callable[[str, bool], None], **kwargs) -> None:
        """``on_chosen(key, focus)``: the highlighted entry changed (``focus`` when it was selected
        with enter or a click). Called as the highlight moves, not from the highlight message: a
        message waits its turn behind whatever runs first (a redraw of 10-25 ms while agents
        stream), and the pane would switch a frame later than the highlight."""
        super().__init__(**kwargs)
        self._state = state
        self._on_chosen = on_chosen

    @property
    def chosen(self) -> str | None:
        option = self.highlighted_option
        return option.id if option is not None else None

    def sync(self, names: set[str] | None = None) -> None:
        """Add new agents and redraw the given ones (all when ``names`` is None)."""
        state = self._state
        known = {o.id for o in self.options}
        for name in state.agents:
            if name not in known:
                self._insert_agent(name)
            elif names is None or name in names:
                self.replace_option_prompt(name, self._prompt(name))
        if state.finished:
            if FINAL in known:
                self.replace_option_prompt(FINAL, self._final_prompt())
            else:
                self.add_option(Option(self._final_prompt(), id=FINAL))

    def _insert_agent(self, name: str) -> None:
        # Agents keep team order; the final-answer entry stays last.
        option = Option(self._prompt(name), id=name)
        if FINAL in {o.id for o in self.options}:
            final = self.get_option(FINAL)
            self.remove_option(FINAL)
            self.add_options([option, final])
        else:
            self.add_option(option)

    def _prompt(self, name: str) -> Text:
        agent = self._state.agents[name]
        status = self._state.agent_status(name)
        glyph, style = fmt.AGENT_STYLE.get(status, ("?", ""))
        text = Text(no_wrap=True, overflow="ellipsis")
        text.append(f"{glyph} ", style)
        text.append(one_line(name, 24), "bold")
        text.append(f" {status}", style)
        if agent.role:
            text.append(f"  {one_line(agent.role, 40)}", "dim")
        return text

    def _final_prompt(self) -> Text:
        glyph, style = fmt.RUN_STYLE.get(self._state.status, ("?", ""))
        return Text.assemble(("★ ", "bold yellow"), ("Final answer", "bold"), (f" {glyph}", style), no_wrap=True)

    def watch_highlighted(self, highlighted: int | None) -> None:
        super().watch_highlighted(highlighted)  # scrolls to it and posts OptionHighlighted
        option = self.highlighted_option
        if option is not None and not option.disabled and option.id is not None:
            self._on_chosen(option.id, False)

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        event.stop()  # already acted on (watch_highlighted)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id is not None:
            self._on_chosen(event.option.id, True)

    def choose(self, key: str) -> bool:
        """Highlight the entry ``key`` (an agent name or FINAL); False when there is none."""
        try:
            self.highlighted = self.get_option_index(key)
        except OptionDoesNotExist:
            return False
        return True
