"""A screen update renders only the widgets under what changed (a patch of the pinned Textual 8.2.8; imported by the app).

To draw a change (a key typed into a field), Textual's compositor picks the
widgets to render by their *clip*, the visible area of their container, not by
their own region: every widget of a container, and every widget on the
screen itself, is rendered for a change to any one of them.  A key typed into
a card rendered 15 widgets (header, footer, check panel, step indicator, the
list above the card ...) where one field changed.  Their lines come from a
cache, but the walk costs about 0.1 ms a widget, per key, in every terminal
of a live session on one host.

A widget whose region does not overlap the update cannot be in it: the update
writes only within the changed regions, and a widget outside them would only
fill parts of lines that are never written.  So they are left out here, and
Textual's own code does the rest.  Textual crops the update to the box around
every changed region, so a key typed into a card while the header's "saving"
changed rendered every widget between the header and the card; the test here
is against each changed region (the update's spans are those regions, merged
only where they touch), not the box.  ``tests/test_partial_updates.py`` checks
that a terminal fed only the updates shows what a whole redraw shows; re-read
``Compositor._get_renders`` when Textual is upgraded.
"""

from __future__ import annotations

from collections.abc import Iterable

from textual._compositor import Compositor
from textual.geometry import Region

_get_renders = Compositor._get_renders
_render_partial_update = Compositor.render_partial_update


def _render_partial_update_noting_the_changes(self: Compositor):
    """Textual's partial update, with the changed regions kept for ``_get_renders_under_the_change``."""
    self._changed_regions = list(self._dirty_regions)
    try:
        return _render_partial_update(self)
    finally:
        self._changed_regions = None


def _get_renders_under_the_change(self: Compositor, crop: Region | None = None) -> Iterable:
    """Textual's renders for ``crop``, from the widgets whose own region overlaps a changed region only."""
    if crop is None:
        yield from _get_renders(self, crop)
        return
    changed = getattr(self, "_changed_regions", None) or [crop]
    every_widget = self.visible_widgets
    self._visible_widgets = {widget: (region, clip) for widget, (region, clip) in every_widget.items()
                             if any(region.overlaps(change) for change in changed)}
    try:
        renders = list(_get_renders(self, crop))
    finally:
        self._visible_widgets = every_widget
    yield from renders


Compositor.render_partial_update = _render_partial_update_noting_the_changes
Compositor._get_renders = _get_renders_under_the_change
