"""Workarounds for crashes of the pinned Textual (8.2.8) that random keys found; imported by the app.

Each patch says what failed.  Remove one when Textual fixes it (the random-key
test and the regressions in tests/test_random_keys.py show whether it is still needed).
"""

from __future__ import annotations

from textual.command import CommandPalette
from textual.widgets import OptionList

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
