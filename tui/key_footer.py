"""The footer with the keys, recomposed only when the keys it shows change."""

from __future__ import annotations

from textual.screen import Screen
from textual.widgets import Footer


class KeyFooter(Footer):
    """Textual's Footer, minus the rebuilds that change nothing.

    Textual rebuilds the footer on every bindings signal (each focus change,
    each screen update): nine times before the home screen's first frame, each
    time creating and styling every key again, which was about a third of the
    start-up time.  The keys shown rarely change, so compare them first.
    """

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._shown_keys: tuple | None = None

    def bindings_changed(self, screen: Screen) -> None:
        self._bindings_ready = True
        if not screen.app.app_focus or not self.is_attached or screen is not self.screen:
            return
        keys = self.shown_keys()
        if keys != self._shown_keys:
            self._shown_keys = keys
            self.call_after_refresh(self.recompose)

    def shown_keys(self) -> tuple:
        """What the footer would draw: each shown binding with its state, and the palette key."""
        return tuple(
            (binding.key, binding.action, binding.description, enabled, tooltip)
            for (_, binding, enabled, tooltip) in self.screen.active_bindings.values()
            if binding.show or binding.action == "command_palette"
        )
