"""The text fields every screen uses: a paste into a one-line field stays one line, and no cursor blinks.

Textual's ``Input`` keeps only the first line of a paste; a pasted note of
three lines lost two of them.  Here the lines are joined with spaces and the
text passes the store's sanitiser first, as everything typed does.

A blinking cursor redraws its line twice a second: over SSH, and on a
screen-share to a room, that is a steady stream of bytes while nobody types.
The cursor here is steady, in one-line inputs and in text boxes alike.

Keys typed straight behind Enter (a fast typist, a paste over tmux: "c⏎d")
reached the field Enter had just left, since the next field takes the
focus only once Enter's handlers have run: "d" ended up in the why or item
before.  A one-line input now has the app hold such keys (tui.type_ahead)
until ``HandOn``, posted behind Enter's ``Submitted``, has come up: then
they go, in order, to whatever has the focus.

A key changes the field at once and the screen's record of the review a
moment later, in the handlers of ``Changed`` up the widget tree: the row
that shows the item, the check beside it.  Textual draws a frame as soon as
the screen is idle, so each key cost two frames (over SSH, two writes and a
flicker).  The field now asks its screen to hold its next frame
(``hold_frame``) until ``Shown``, posted behind ``Changed``, has come up the
same way: one frame per key, with everything the key changed.  Text boxes
(multi-line) do the same for each edit.
"""

from __future__ import annotations

from typing import Any, Callable

from rich.text import Text
from textual import events
from textual.strip import Strip
from textual.geometry import Region, Size
from textual.message import Message
from textual.css.scalar import Unit
from textual.reactive import reactive
from textual.widget import Widget
from textual.widgets import Input, TextArea

from store.sanitize import one_line


class Shown(Message):
    """Posted behind a field's ``Changed``: it reaches the screen once every handler of the change has run.

    A screen that held its frame for the change (``hold_frame``) draws it then.
    """

    def __init__(self, field: Widget) -> None:
        super().__init__()
        self.field = field


def held_frame(field: Widget, change: Callable[[], Any]) -> Any:
    """Make ``change()`` (which posts the field's ``Changed``) and what its handlers change show in one frame.

    The field's screen holds its next frame (``hold_frame``) until ``Shown``,
    posted behind ``Changed``, has come up the same way.
    """
    hold = getattr(field.screen, "hold_frame", None) if field.is_attached else None
    if hold is not None:
        hold()
    try:
        return change()
    finally:
        if hold is not None:
            field.post_message(Shown(field))  # behind Changed, up the same way


class LineInput(Input):
    """An ``Input`` whose pastes arrive whole, as one line of clean text, and whose Enter hands on what follows it."""

    cursor_blink = reactive(False, init=False)

    class HandOn(Message):
        """Posted behind Enter's Submitted: it reaches the app once every handler of Enter has run.

        (It bubbles the same way, one queue behind.)  The app then hands on the keys typed behind Enter.
        """

        def __init__(self, field: "LineInput") -> None:
            super().__init__()
            self.field = field

    Shown = Shown  # the screens' handlers name it so

    async def _on_key(self, event: events.Key) -> None:
        """Enter submits at once, in key order; the keys behind it wait (in the app) until the focus has moved."""
        if event.key != "enter":
            return  # Input's own handler takes it
        hand_on = self.HandOn(self)
        type_ahead = getattr(self.app, "type_ahead", None)
        if type_ahead is not None:
            type_ahead.wait_for(hand_on, self)
        await self.action_submit()
        self.post_message(hand_on)
        event.stop()
        event.prevent_default()

    def _watch_value(self, value: str) -> None:
        """Textual's input sets its virtual size (a layout reactive) to the text's width on every key.

        That laid the whole screen out again per key (the costliest part of a
        key on a busy step).  The input scrolls its own text, so the size is
        kept without a layout; everything else Textual does stays as it is.
        """
        self.set_reactive(Widget.virtual_size, Size(self.content_width, 1))
        held_frame(self, lambda: super(LineInput, self)._watch_value(value))

    def watch_scroll_x(self, old_value: float, new_value: float) -> None:
        """Scrolling the text redraws the input, not its horizontal scrollbar, which has no size.

        Textual moves that scrollbar too, and a widget redrawn that is not on
        the screen makes the compositor build its whole map again: on every
        key typed into a text wider than its field (2.5 ms a key on the Five Whys).
        """
        if round(old_value) != round(new_value):
            self.refresh(self.size.region)

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
    """A multi-line ``TextArea`` with a steady cursor, whose edits show in one frame with what they changed."""

    cursor_blink = reactive(False, init=False)

    _rows_only = False  # while an edit is made: Textual's repaints of the whole box are left to _edit_rows
    _whole_asked = False

    def edit(self, edit):
        """Every typed change (a key, a paste) goes through here and posts ``Changed``."""
        return held_frame(self, lambda: self._edit_rows(edit))

    def _edit_rows(self, edit):
        """Make ``edit`` and repaint only the rows it changed.

        Textual repaints the whole box for each key (the cursor moved): over
        SSH every row of a paragraph went out again, 1.4 KB a key against
        160 B in a one-line field.  The rows repainted are those of the edited
        line from the edit on, and the cursor's old and new rows; all the rows
        below too when the text's wrapped height changed, and the whole box
        when it scrolled or its line numbers grew a digit.
        """
        rows = self.wrapped_document
        height, scrolled, gutter = rows.height, self.scroll_offset, self.gutter_width
        cursor_before = rows.location_to_offset(self.cursor_location).y
        first = rows.location_to_offset(edit.top).y
        self._rows_only, self._whole_asked = True, False
        try:
            result = super().edit(edit)
        finally:
            self._rows_only = False
        if not self._whole_asked:
            return result
        if self.scroll_offset != scrolled or self.gutter_width != gutter:
            self.refresh()
            return result
        line = result.end_location[0]
        last = rows.location_to_offset((line, len(self.document[line]))).y
        if rows.height != height:
            last = max(rows.height, height)
        cursor = rows.location_to_offset(self.cursor_location).y
        top, bottom = min(first, cursor_before, cursor), max(last, cursor_before, cursor)
        self.refresh_lines(top, bottom - top + 1)
        return result

    def refresh(self, *regions: Region, repaint: bool = True, layout: bool = False, recompose: bool = False):
        if self._rows_only and not regions and not layout and not recompose:
            self._whole_asked = True  # the edit's rows are repainted once it is made
            return self
        return super().refresh(*regions, repaint=repaint, layout=layout, recompose=recompose)

    def _refresh_scrollbars(self) -> None:
        """No scrollbar while a wrapping box can still grow to fit its text (its height is auto, up to its max-height).

        Textual compares the text's new height with the box's old one: a key
        that wrapped onto a new line showed the scrollbar, the layout then
        grew the box and hid it again, and a second layout followed.  Two
        frames, the text wrapped narrower in the first (a flicker), and 10-14
        ms of layout on the key's frame.  (Hiding it afterwards is no fix: the
        box rewraps its text whenever the scrollbar comes or goes.)
        """
        if self.soft_wrap and not self.show_vertical_scrollbar and self.virtual_size.height <= self._most_lines():
            return
        super()._refresh_scrollbars()

    def _most_lines(self) -> float:
        """How many lines of text the box shows at its tallest (no limit without a max-height in cells)."""
        most = self.styles.max_height
        if most is None or most.unit != Unit.CELLS:
            return float("inf")
        return most.value - self.styles.gutter.height


class WrappedLineInput(LineInput):
    """A one-line input that shows its whole text, wrapped, while it is not being typed in.

    Five Whys answers are read aloud and by the room; cut at the screen's
    edge, a chain could not be followed.  With the focus it edits on one line
    as any input does.
    """

    DEFAULT_CSS = "WrappedLineInput, WrappedLineInput.-textual-compact { height: auto; }"

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return len(self._wrapped(width)) if self._shows_wrapped() else 1

    def _shows_wrapped(self) -> bool:
        return not self.has_focus and bool(self.value)

    def _wrapped(self, width: int) -> list:
        return list(Text(self.value).wrap(self.app.console, max(width, 1))) or [Text("")]

    def render_line(self, y: int) -> Strip:
        if not self._shows_wrapped():
            return super().render_line(y)
        width = self.scrollable_content_region.width
        lines = self._wrapped(width)
        line = lines[y] if y < len(lines) else Text("")
        line.end = ""
        segments = [segment for segment in self.app.console.render(line, self.app.console_options.update_width(width))
                    if segment.text != "\n"]
        return Strip(segments).apply_style(self.rich_style).extend_cell_length(width, self.rich_style)

    def refresh(self, *regions: Region, repaint: bool = True, layout: bool = False, recompose: bool = False):
        """A new value asks for a layout only when it changes the input's height.

        Textual lays the whole screen out whenever the value of an input of
        automatic height changes: on every key typed into a Five Whys answer
        (one line high whatever its text while typed in), and on every change
        another participant makes to one (wrapped, and mostly as many lines
        as before).  That layout was the costliest part of either.
        """
        if layout and not recompose and self._keeps_its_height():
            layout = False
        return super().refresh(*regions, repaint=repaint, layout=layout, recompose=recompose)

    def _keeps_its_height(self) -> bool:
        """True when the text, as it would show now, takes as many lines as the input has (once laid out)."""
        height = self.size.height
        if self.has_focus:
            return height == 1
        width = self.scrollable_content_region.width
        return height > 0 and width > 0 and self.is_attached and len(self._wrapped(width)) == height

    def _on_focus(self, event: events.Focus) -> None:
        self.refresh(layout=True)

    def _on_blur(self, event: events.Blur) -> None:
        self.refresh(layout=True)
