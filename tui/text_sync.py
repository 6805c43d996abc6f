"""Text fields that several people type into at once: what is on screen and what is stored, kept in step.

Every typed change is sent with its base, the text it was typed over, and the
store merges it three-way into what it holds (store.ops).  When the store then
holds newer text (our own write merged with others', or another process's
change), a field shows that text with any typing not yet saved merged in, and
the cursor stays where the user was typing.  A field with the focus is never
skipped, and nothing on screen is ever dropped.

:class:`TextSync` remembers, per field key, the last text sent for it.  It
holds no widgets; the screens own the keys (``title``, ``actions.i4.what``,
``five_whys.chains.i7.whys.2``) and the stored review.
"""

from __future__ import annotations

from textual.widgets import Input, TextArea

from store import ops
from store.merge import map_cursor, merge_text


class TextSync:
    """Per field key, the text last sent to the store (the next stored text holds it)."""

    def __init__(self) -> None:
        self._sent: dict[str, str] = {}

    def sending(self, key: str, text: str) -> None:
        """This text went to the writer: the next stored text holds it."""
        self._sent[key] = text

    def shown_all(self) -> None:
        """A stored review was shown: it holds everything sent (one batch is out at a time), so nothing sent is pending.

        A field not on screen (another item, another chain) keeps no stale
        text: typing in it later goes over what the store holds.
        """
        self._sent.clear()

    def base(self, key: str, stored: str) -> str:
        """The text new typing in this field is typed over: what was last sent, else what is stored."""
        return self._sent.get(key, stored)

    def sent_ops(self, ops: list) -> None:
        """The writer was given these operations: remember the text each sets."""
        for op in ops:
            for key, text in text_keys(op):
                self.sending(key, text)

    def shown(self, key: str, on_screen: str, before: str, stored: str) -> str:
        """What the field should show now that the store holds ``stored`` (it held ``before``).

        Text typed since (on screen, and not sent yet) is merged into
        ``stored``; if the result differs from ``stored``, the caller must
        queue it with ``stored`` as its base.
        """
        base = self._sent.pop(key, before)
        if on_screen in (base, stored):
            return stored
        return merge_text(base, on_screen, stored).text


def text_keys(op) -> list[tuple[str, str]]:
    """The field keys and texts a merged-text operation sets (a chain's answers: one key each)."""
    if isinstance(op, ops.Set) and op.field in ops.MERGED_TEXTS and isinstance(op.value, str):
        return [(op.field, op.value)]
    found = []
    if isinstance(op, ops.Add) and op.item_id and isinstance(op.item, dict):
        op = ops.Edit(op.list, op.item_id, op.item)  # the texts of a new item, under the id it gets
    if isinstance(op, ops.Edit):
        for name, value in op.changes.items():
            if (op.list, name) not in ops.MERGED_ITEM_TEXTS:
                continue
            key = f"{op.list}.{op.item_id}.{name}"
            if isinstance(value, str):
                found.append((key, value))
            elif isinstance(value, list):
                found += [(f"{key}.{index}", text) for index, text in enumerate(value) if isinstance(text, str)]
    return found


def widget_text(widget: Input | TextArea) -> str:
    return widget.text if isinstance(widget, TextArea) else widget.value


def replace_text(widget: Input | TextArea, text: str, keep_cursor: bool = True) -> None:
    """Put ``text`` in the widget.

    With ``keep_cursor``, the cursor stays by the text it was next to
    (someone else's words arrived), focused or not: the terminal losing focus
    for a moment must not move it; otherwise it goes to the end (the field
    now shows another item).
    """
    old = widget_text(widget)
    if old == text and keep_cursor:
        return
    keep = keep_cursor
    if old == text:  # the same words, from another item: the cursor still goes to the end
        _cursor_to_end(widget)
        return
    if isinstance(widget, TextArea):
        cursor = _offset(old, widget.cursor_location)
        widget.load_text(text)
        widget.cursor_location = _location(text, map_cursor(old, text, cursor) if keep else len(text))
        return
    cursor = widget.cursor_position
    widget.value = text
    widget.cursor_position = map_cursor(old, text, cursor) if keep else len(text)


def _cursor_to_end(widget: Input | TextArea) -> None:
    if isinstance(widget, TextArea):
        widget.cursor_location = _location(widget.text, len(widget.text))
    else:
        widget.cursor_position = len(widget.value)


def _offset(text: str, location: tuple[int, int]) -> int:
    row, column = location
    lines = text.split("\n")
    return sum(len(line) + 1 for line in lines[:row]) + column


def _location(text: str, offset: int) -> tuple[int, int]:
    before = text[:offset].split("\n")
    return len(before) - 1, len(before[-1])
