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
before.  A one-line input now holds such keys until the focus has moved, then
hands them on, in order, to whatever has it.

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
from textual.timer import Timer
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.widget import Widget
from textual.widgets import Input, TextArea

from store.sanitize import one_line


# At most this long, keys typed behind Enter wait for its handlers (the app's HandOn normally ends the wait).
TYPE_AHEAD_SECONDS = 1.0


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

        (It bubbles the same way, one queue behind.)  The app then calls ``hand_on``.
        """

        def __init__(self, field: "LineInput") -> None:
            super().__init__()
            self.field = field

    Shown = Shown  # the screens' handlers name it so

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._held: list[events.Key] | None = None  # keys typed behind Enter, while the focus moves on
        self._hold_timer: Timer | None = None

    async def _on_key(self, event: events.Key) -> None:
        """Enter submits at once, in key order; the keys behind it wait until the focus has moved."""
        if self._held is not None:
            self._held.append(events.Key(event.key, event.character))
        elif event.key == "enter":
            self._held = []
            self._hold_timer = self.set_timer(TYPE_AHEAD_SECONDS, self.hand_on)  # ends this hold only
            await self.action_submit()
            self.post_message(self.HandOn(self))
        else:
            return  # Input's own handler takes it
        event.stop()
        event.prevent_default()

    def _on_blur(self, event: events.Blur) -> None:
        self.hand_on()

    def hand_on(self) -> None:
        """Send the held keys through the app again, to the field that has the focus now (this one, if none other)."""
        held, self._held = self._held, None
        if self._hold_timer is not None:
            self._hold_timer.stop()
            self._hold_timer = None
        for key in held or ():
            self.app.post_message(key)

    def _watch_value(self, value: str) -> None:
        """Textual's input sets its virtual size (a layout reactive) to the text's width on every key.

        That laid the whole screen out again per key (the costliest part of a
        key on a busy step).  The input scrolls its own text, so the size is
        kept without a layout; everything else Textual does stays as it is.
        """
        self.set_reactive(Widget.virtual_size, Size(self.content_width, 1))
        held_frame(self, lambda: super(LineInput, self)._watch_value(value))

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

    def edit(self, edit):
        """Every typed change (a key, a paste) goes through here and posts ``Changed``."""
        return held_frame(self, lambda: super(TextBox, self).edit(edit))


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

    def _on_focus(self, event: events.Focus) -> None:
        self.refresh(layout=True)

    def _on_blur(self, event: events.Blur) -> None:
        self.refresh(layout=True)
