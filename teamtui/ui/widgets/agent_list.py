"""The agents of the run with role and live status; the last entry opens the final answer."""

from __future__ import annotations

from rich.text import Text
from textual.message import Message
from textual.widgets import OptionList
from textual.widgets.option_list import Option, OptionDoesNotExist

from .. import format as fmt
from ..safe_text import one_line
from ..state import RunState

#: Option id of the final-answer entry (agent names cannot start with "*").
FINAL = "*final"


class AgentList(OptionList):
    class Chosen(Message):
        """The highlighted entry changed (``focus`` when it was selected with enter or a click)."""

        def __init__(self, key: str, focus: bool) -> None:
            super().__init__()
            self.key = key
            self.focus = focus

    def __init__(self, state: RunState, **kwargs) -> None:
        super().__init__(**kwargs)
        self._state = state

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

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        event.stop()
        if event.option.id is not None:
            self.post_message(self.Chosen(event.option.id, focus=False))

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id is not None:
            self.post_message(self.Chosen(event.option.id, focus=True))

    def choose(self, key: str) -> bool:
        """Highlight the entry ``key`` (an agent name or FINAL); False when there is none."""
        try:
            self.highlighted = self.get_option_index(key)
        except OptionDoesNotExist:
            return False
        return True
