"""Workarounds for crashes of the pinned Textual (8.2.8) that random keys found; imported by the app.

Each patch says what failed.  Remove one when Textual fixes it (the random-key
test and the regressions in tests/test_random_keys.py show whether it is still needed).
"""

from __future__ import annotations

from textual.command import CommandPalette
from textual.css.query import NoMatches
from textual.dom import NoScreen
from textual.widgets import Header, OptionList
from textual.widgets._header import HeaderTitle

_move_page = OptionList._move_page


def _move_page_once_laid_out(self: OptionList, direction) -> None:
    """Textual 8.2.8's PageUp/PageDown raise KeyError on a list not laid out yet (ctrl+p then PageDown at once)."""
    if (self.highlighted or 0) not in self._index_to_line:
        return  # no lines yet: nothing to page through
    _move_page(self, direction)


OptionList._move_page = _move_page_once_laid_out


_dismiss_palette = CommandPalette.dismiss


def _dismiss_palette_once(self: CommandPalette, result=None):
    """Enter twice at once on a chosen command dismissed the palette twice, popping the screen under it too."""
    if not self.is_attached or self.app.screen is not self:
        return None
    return _dismiss_palette(self, result)


CommandPalette.dismiss = _dismiss_palette_once


def _header_on_mount(self: Header, _) -> None:
    """A title set just before its screen is switched away (a participant following the facilitator) crashed
    the app: the watcher ran once the header's title widget was already gone (NoMatches)."""

    async def set_title() -> None:
        try:
            self.query_one(HeaderTitle).update(self.format_title())
        except (NoScreen, NoMatches):
            pass

    self.watch(self.app, "title", set_title)
    self.watch(self.app, "sub_title", set_title)
    self.watch(self.screen, "title", set_title)
    self.watch(self.screen, "sub_title", set_title)


Header._on_mount = _header_on_mount
