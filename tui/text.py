"""Showing user text in a Static: always literal, and only when it changed.

Every ``Static.update`` asks Textual for a new layout of the whole screen
unless told the widget keeps its size, so notes that are redrawn on every key
press are updated only when their text differs, and without a layout when the
new text takes as many lines as the old (in a live session the presence and
session lines change many times a second, and a step's layout costs
milliseconds on the facilitator's event loop each time).
"""

from __future__ import annotations

from textual.content import Content
from textual.widgets import Static


def show_text(widget: Static, text: str) -> None:
    """Show ``text`` literally (never as markup) in ``widget`` if it is not already shown."""
    if getattr(widget, "_shown_text", None) != text:
        widget._shown_text = text
        content = Content(text)
        widget.update(content, layout=not _keeps_its_size(widget, content))


def _keeps_its_size(widget: Static, content: Content) -> bool:
    """True when ``content`` fills the widget, as it is laid out now, with as many lines as it has now."""
    width, height = widget.content_size
    styles = widget.styles
    if not widget.is_mounted or not widget.display or width <= 0 or (styles.width is not None and styles.width.is_auto):
        return False
    return content.get_height(styles, width) == height


def show_note(widget: Static, text: str) -> None:
    """Show ``text`` literally in a one-purpose line that is hidden (class ``-empty``) while it says nothing."""
    show_text(widget, text)
    widget.set_class(not text, "-empty")
