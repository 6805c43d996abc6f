"""Showing user text in a Static: always literal, and only when it changed.

Every ``Static.update`` asks Textual for a new layout, so notes that are
redrawn on every key press are updated only when their text differs.
"""

from __future__ import annotations

from textual.content import Content
from textual.widgets import Static


def show_text(widget: Static, text: str) -> None:
    """Show ``text`` literally (never as markup) in ``widget`` if it is not already shown."""
    if getattr(widget, "_shown_text", None) != text:
        widget._shown_text = text
        widget.update(Content(text))


def show_note(widget: Static, text: str) -> None:
    """Show ``text`` literally in a one-purpose line that is hidden (class ``-empty``) while it says nothing."""
    show_text(widget, text)
    widget.set_class(not text, "-empty")
