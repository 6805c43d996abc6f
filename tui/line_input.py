"""The one-line input every screen uses: whatever is pasted into it stays one line, and nothing is dropped.

Textual's ``Input`` keeps only the first line of a paste; a pasted note of
three lines lost two of them.  Here the lines are joined with spaces and the
text passes the store's sanitiser first, as everything typed does.
"""

from __future__ import annotations

from textual import events
from textual.widgets import Input

from store.sanitize import one_line


class LineInput(Input):
    """An ``Input`` whose pastes arrive whole, as one line of clean text."""

    def _on_paste(self, event: events.Paste) -> None:
        line = one_line(event.text)
        if line:
            if self.selection.is_empty:
                self.insert_text_at_cursor(line)
            else:
                self.replace(line, *self.selection)
        event.stop()
        event.prevent_default()  # Input's own handler would insert the first line again
