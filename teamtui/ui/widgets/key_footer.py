"""Textual's footer, rebuilt only when the keys it shows change, showing only keys that work, and
the most important ones when not all of them fit.

Textual's ``Footer`` throws its key widgets away and mounts new ones whenever anything asks the
screen to refresh its bindings: each return from the help screen (twice), each focus change,
each run status change. On the run screen that cost ~14 ms and two full re-layouts each time,
while agents streamed, for a footer that nearly always showed the same keys. Here it is rebuilt
once per change of its keys, however many times the bindings were refreshed meanwhile.

Textual's footer also lays the keys out in a row and crops the row at the edge: at 80 columns
the run screen lost ``? Help`` and ``q Quit`` (its last keys) while greyed keys that do nothing
(a replay's steering keys) took the room. Here a greyed key is not shown, and keys that do not
fit are hidden least important first (the screen's ``FOOTER_RANK``), the command palette's
before them all. This is done when the keys change or the footer is resized, never per frame.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Footer
from textual.widgets._footer import FooterKey


def shown_keys(screen: Screen) -> tuple:
    """What a footer on ``screen`` draws: each shown binding's key, label, action and state."""
    app = screen.app
    return tuple(
        (binding.key, app.get_key_display(binding), binding.description, binding.action, enabled, tooltip,
         binding.group)
        for (_, binding, enabled, tooltip) in screen.active_bindings.values()
        if binding.show
    )


def _width(key: Widget) -> int:
    # The key's text carries its own padding (Textual draws it into the text); the palette key
    # adds a border and padding of its own.
    return key.render().cell_len + key.styles.gutter.width + key.styles.margin.width


class KeyFooter(Footer):
    _shown: tuple | None = None  # the keys of the last compose

    def compose(self) -> ComposeResult:
        if self._bindings_ready:
            self._shown = shown_keys(self.screen)
        for widget in super().compose():
            if not widget.has_class("-disabled"):  # greyed: it does nothing here, so takes no room
                yield widget

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
            self._fit()

    def on_resize(self) -> None:
        self._fit()

    def _fit(self) -> None:
        """Show the most important keys that fit in the footer's width, in their usual order."""
        width = self.size.width
        if not width:
            return
        rank = getattr(self.screen, "FOOTER_RANK", ())
        keys = list(self.query_children(FooterKey))

        def importance(key: FooterKey) -> tuple[int, int]:
            if key.has_class("-command-palette"):
                return (2, 0)
            return (0, rank.index(key.action)) if key.action in rank else (1, 0)

        room = width
        for key in sorted(keys, key=importance):  # stable: equal ranks keep the binding order
            key_width = _width(key)
            fits = 0 < room and key_width <= room
            room = room - key_width if fits else 0  # once one does not fit, the less important go too
            key.display = fits
