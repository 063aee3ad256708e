"""Textual's footer, rebuilt only when the keys it shows change.

Textual's ``Footer`` throws its key widgets away and mounts new ones whenever anything asks the
screen to refresh its bindings: each return from the help screen (twice), each focus change,
each run status change. On the run screen that cost ~14 ms and two full re-layouts each time,
while agents streamed, for a footer that nearly always showed the same keys.
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
        if self._shown is not None and screen is self.screen and shown_keys(screen) == self._shown:
            return
        super().bindings_changed(screen)
