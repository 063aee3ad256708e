"""Textual's footer, rebuilt only when the keys it shows change.

Textual's ``Footer`` throws its key widgets away and mounts new ones whenever anything asks the
screen to refresh its bindings: each return from the help screen (twice), each focus change,
each run status change. On the run screen that cost ~14 ms and two full re-layouts each time,
while agents streamed, for a footer that nearly always showed the same keys. Here it is rebuilt
once per change of its keys, however many times the bindings were refreshed meanwhile.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Footer


def shown_keys(screen: Screen) -> tuple:
    """What a footer on ``screen`` draws: each shown binding's key, label, action and state."""
    app = screen.app
    return tuple(
        (binding.key, app.get_key_display(binding), binding.description, binding.action, enabled, tooltip,
         binding.group)
        for (_, binding, enabled, tooltip) in screen.active_bindings.values()
        if binding.show
    )


class KeyFooter(Footer):
    _shown: tuple | None = None  # the keys of the last compose

    def compose(self) -> ComposeResult:
        if self._bindings_ready:
            self._shown = shown_keys(self.screen)
        yield from super().compose()

    def bindings_changed(self, screen: Screen) -> None:
        # Footer's own, asking for _rebuild instead of recompose.
        self._bindings_ready = True
        if not screen.app.app_focus or not self.is_attached or screen is not self.screen:
            return
        if self._shown is None or shown_keys(screen) != self._shown:
            self.call_after_refresh(self._rebuild)

    async def _rebuild(self) -> None:
        # Changes that come before the first rebuild each ask for one (three in 40 ms as a run
        # starts, 12-40 ms each): the first shows the keys as they are by then, the others skip.
        if self._shown is None or shown_keys(self.screen) != self._shown:
            await self.recompose()
