"""The text fields every screen uses: a paste into a one-line field stays one line, and no cursor blinks.

Textual's ``Input`` keeps only the first line of a paste; a pasted note of
three lines lost two of them.  Here the lines are joined with spaces and the
text passes the store's sanitiser first, as everything typed does.

A blinking cursor redraws its line twice a second: over SSH, and on a
screen-share to a room, that is a steady stream of bytes while nobody types.
The cursor here is steady, in one-line inputs and in text boxes alike.
"""

from __future__ import annotations

from textual import events
from textual.geometry import Size
from textual.reactive import reactive
from textual.widget import Widget
from textual.widgets import Input, TextArea

from store.sanitize import one_line


class LineInput(Input):
    """An ``Input`` whose pastes arrive whole, as one line of clean text."""

    cursor_blink = reactive(False, init=False)

    def _watch_value(self, value: str) -> None:
        """Textual's input sets its virtual size (a layout reactive) to the text's width on every key.

        That laid the whole screen out again per key (the costliest part of a
        key on a busy step).  The input scrolls its own text, so the size is
        kept without a layout; everything else Textual does stays as it is.
        """
        self.set_reactive(Widget.virtual_size, Size(self.content_width, 1))
        super()._watch_value(value)

    def _on_paste(self, event: events.Paste) -> None:
        line = one_line(event.text)
        if line:
            if self.selection.is_empty:
                self.insert_text_at_cursor(line)
            else:
                self.replace(line, *self.selection)
        event.stop()
        event.prevent_default()  # Input's own handler would insert the first line again


class TextBox(TextArea):
    """A multi-line ``TextArea`` with a steady cursor."""

    cursor_blink = reactive(False, init=False)
