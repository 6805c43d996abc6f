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

Each text sent says where this terminal's typing ends in it, and the store
keeps that place for it, moved by everyone's writes (the review's
``anchors``, see ``store.merge.merge_anchored``).  Shown the store's text,
the field puts the cursor, and what was typed since, at that place: people
who start typing the same keys at one spot at once each type on after their
own, which no diff of the texts could tell.
"""

from __future__ import annotations

from dataclasses import replace

from diff_match_patch import diff_match_patch
from textual.widgets import Input, TextArea

from store import ops
from store.merge import is_place, map_cursor, map_cursor_as_read, merge_text


class TextSync:
    """Per field key, the text last sent to the store (the next stored text holds it), and where the typing is."""

    def __init__(self) -> None:
        self._sent: dict[str, str] = {}
        # The field's latest typing: its span in a text the field showed, and that text (see ``show``).
        self._typing: dict[str, tuple[int, int, str]] = {}
        self._new_from: dict[str, int] = {}  # where what the text last sent adds to its base begins
        # Where this terminal's typing ends, as the store keeps it (store.merge.merge_anchored): this terminal
        # (set by the app), the anchors of the stored review last shown (key -> writer -> place), and per key the
        # latest text sent or shown with the typing's end in it.
        self.writer: str | None = None
        self.anchors: dict = {}
        self._anchor_in: dict[str, tuple[str, int | None]] = {}  # (None: shown, and the store keeps no place for us)
        self._cursor_at: dict[str, tuple[str, int]] = {}  # per key: a text queued from a field, and its cursor then
        self._others_in: dict[str, tuple[str, dict[str, int]]] = {}  # per key: a text shown, and the others' places

    def sending(self, key: str, text: str, base: str | None = None) -> None:
        """This text went to the writer: the next stored text holds it.  ``base``: the text it was typed over."""
        self._sent[key] = text
        if base is not None:
            self._note_typing(key, base, text)

    def _note_typing(self, key: str, base: str, text: str) -> None:
        """Remember the span typed, joined to the typing it goes on from (see ``show``)."""
        dmp = diff_match_patch()
        start = dmp.diff_commonPrefix(base, text)
        tail = min(dmp.diff_commonSuffix(base, text), min(len(base), len(text)) - start)
        self._new_from[key] = start
        span = _typed_on(self._typing.get(key), text)  # told by where the typing ended, not by comparing letters
        if span is None:
            span = (start, len(text) - tail)
        if span[0] < span[1]:
            self._typing[key] = (*span, text)
        else:
            self._typing.pop(key, None)

    def shown_all(self) -> None:
        """A stored review was shown: it holds everything sent (one batch is out at a time), so nothing sent is pending.

        A field not on screen (another item, another chain) keeps no stale
        text: typing in it later goes over what the store holds.
        """
        self._sent.clear()

    def base(self, key: str, stored: str) -> str:
        """The text new typing in this field is typed over: what was last sent, else what is stored."""
        return self._sent.get(key, stored)

    def sent_ops(self, sent: list) -> list:
        """The writer was given these operations: remember the text each sets; returns them with the typing's places.

        Each merged text set over a base says where this terminal's typing
        ends in it (``at``) and where it ended in its base (``base_at``), so
        the store can keep its place apart from anyone else's.
        """
        placed = []
        for op in sent:
            ends: dict[str, int] = {}
            base_ends: dict[str, int] = {}
            base_places: dict[str, dict[str, int]] = {}  # a first write's: the others' places in its base
            for key, text, base in text_keys(op):
                self.sending(key, text, base)
                if base is None or text == base:
                    continue  # an answer left as it was keeps its place
                ends[key] = self._typing_end(key, text)
                earlier = self._anchor_in.get(key)
                if earlier is not None and earlier[0] == base and not isinstance(op, ops.Add):
                    place = earlier[1] if earlier[1] is not None else _typed_from(base, text, ends[key])
                    if place is not None:
                        base_ends[key] = place
                    others = self._others_in.get(key)
                    if earlier[1] is None and others is not None and others[0] == base and others[1]:
                        base_places[key] = others[1]
                self._anchor_in[key] = (text, ends[key])
            placed.append(self._with_places(op, ends, base_ends, base_places))
        return placed

    def note_cursor(self, op, widget) -> None:
        """``op`` was queued from what ``widget`` holds: its cursor is where the typing ends (see ``sent_ops``).

        A diff of the text sent against its base cannot say: " T" typed
        before a space shows as "T " typed after it.
        """
        if not isinstance(widget, (Input, TextArea)):
            return
        text = widget_text(widget)
        for key, value, _ in text_keys(op):
            if value == text and text:
                self._cursor_at[key] = (text, _cursor_offset(widget))

    def _typing_end(self, key: str, text: str) -> int:
        """Where the typing just sent in ``text`` ends (where a deletion was, when nothing was typed)."""
        cursor = self._cursor_at.get(key)
        if cursor is not None and cursor[0] == text:
            return cursor[1]
        typing = self._typing.get(key)
        if typing is not None and typing[2] == text:
            return typing[1]
        return min(self._new_from.get(key, len(text)), len(text))

    def _with_places(self, op, ends: dict[str, int], base_ends: dict[str, int], base_places: dict[str, dict]):
        """``op`` with this terminal's typing places in the texts it sets (see ``sent_ops``)."""
        if self.writer is None or not ends:
            return op
        if isinstance(op, ops.Set):
            return replace(op, writer=self.writer, at=ends[op.field], base_at=base_ends.get(op.field),
                           base_places=base_places.get(op.field))
        if isinstance(op, ops.Add) and isinstance(op.item, dict):  # a new item's texts (no chain answers)
            at = {name: ends[f"{op.list}.{op.item_id}.{name}"] for name in op.item
                  if f"{op.list}.{op.item_id}.{name}" in ends and isinstance(op.item[name], str)}
            return replace(op, writer=self.writer, at=at) if at else op
        if not isinstance(op, ops.Edit):
            return op
        at, base_at, others = {}, {}, {}
        for name, value in op.changes.items():
            key = f"{op.list}.{op.item_id}.{name}"
            if isinstance(value, list):  # a chain's answers: a place per answer (None where none was sent)
                keys = [f"{key}.{index}" for index in range(len(value))]
                if any(answer in ends for answer in keys):
                    at[name] = [ends.get(answer) for answer in keys]
                    base_at[name] = [base_ends.get(answer) for answer in keys]
                    if any(answer in base_places for answer in keys):
                        others[name] = [base_places.get(answer) for answer in keys]
            elif key in ends:
                at[name] = ends[key]
                if key in base_ends:
                    base_at[name] = base_ends[key]
                if key in base_places:
                    others[name] = base_places[key]
        return replace(op, writer=self.writer, at=at, base_at=base_at, base_places=others or None) if at else op

    def _shown(self, key: str, on_screen: str, before: str, stored: str) -> str:
        """What the field should show now that the store holds ``stored`` (it held ``before``): typing since merged in."""
        ours = key in self._sent  # stored answers what we sent: our write placed others' text around it
        base = self._sent.pop(key, before)
        if on_screen in (base, stored):
            return stored
        return merge_text(base, on_screen, stored, placed=ours).text

    def show(self, widget: Input | TextArea, key: str, before: str, stored: str) -> str:
        """Put in ``widget`` what it should show now that the store holds ``stored`` (it held ``before``); returns it.

        Text typed since (on screen, and not sent yet) is merged into
        ``stored``; if the result differs from ``stored``, the caller must
        queue it with ``stored`` as its base.  The cursor stays where the user is typing.  When two people type the
        same characters at one place at once (a space, "The "), a diff cannot
        tell whose are whose, so the cursor is placed as the store placed the
        texts (``store.merge``): text that arrived from another write and
        could as well sit where this terminal's typing began went there, before
        it; in the text our own write brought back, others' text that could sit
        there went there only if some of the typing was stored already (else
        what we sent went first).  Without this, the two go on typing at one
        spot and their words get mixed.
        """
        old = widget_text(widget)
        cursor = _cursor_offset(widget)
        typing = self._typing.get(key)
        sent = self._sent.get(key)
        place = self._stored_place(key, stored)
        if place is not None:
            text = self._show_at_place(widget, key, old, cursor, before, stored, place)
            self._anchor_in[key] = (stored, place)
            if text is not None:
                return text
            return self._show_without_place(widget, key, old, cursor, before, stored, typing, sent)
        text = self._show_without_place(widget, key, old, cursor, before, stored, typing, sent)
        if text == stored:  # no place kept for this terminal yet: where its first typing over this text begins is one
            self._anchor_in[key] = (stored, None)
            others = self.anchors.get(key) if isinstance(self.anchors, dict) else None
            places = {name: place for name, place in others.items() if is_place(place) and 0 <= place <= len(stored)} \
                if isinstance(others, dict) else {}
            read = self._others_in.get(key)  # the others' places in the text shown till now, if it was the store's
            self._others_in[key] = (stored, places)
            if places and old != stored:
                moved = map_cursor_as_read(old, stored, cursor, _cursor_offset(widget),
                                           read[1] if read and read[0] == old else {}, places)
                if moved != _cursor_offset(widget):
                    _put(widget, stored, moved)
        return text

    def _show_without_place(self, widget: Input | TextArea, key: str, old: str, cursor: int, before: str,
                            stored: str, typing: tuple[int, int, str] | None, sent: str | None) -> str:
        """``show`` as it was before the store kept places: typing since merged in, the cursor mapped."""
        if sent is not None and typing and typing[2] == sent:
            typed_since = _typed_at(sent, old, typing[1])
            if typed_since is not None and cursor == typing[1] + len(typed_since):
                self._sent.pop(key)
                return self._show_ours(widget, key, old, sent, stored, typing, typed_since)
        text = self._shown(key, old, before, stored)
        at_typing = typing is not None and typing[2] == old and typing[1] == cursor
        replace_text(widget, text, typed_from=typing[0] if at_typing and sent is None else None)
        if at_typing and text != old:
            self._follow_typing(key, old, text, typing, _cursor_offset(widget))
        return text

    def _stored_place(self, key: str, stored: str) -> int | None:
        """Where the store says this terminal's typing ends in ``stored`` (None: it keeps no place for it)."""
        places = self.anchors.get(key) if isinstance(self.anchors, dict) and self.writer else None
        place = places.get(self.writer) if isinstance(places, dict) else None
        if is_place(place) and 0 <= place <= len(stored):
            return place
        return None

    def _show_at_place(self, widget: Input | TextArea, key: str, old: str, cursor: int, before: str, stored: str,
                       place: int) -> str | None:
        """``stored``, with what was typed here since at this terminal's place in it; None if the field shows other typing.

        The field shows the text last sent (or shown) with keys typed since
        at the end of the typing, the cursor after them: they go to where the
        store put the end of that typing, whatever others typed around it.
        """
        earlier = self._anchor_in.get(key)
        if earlier is None or earlier[0] != self._sent.get(key, before):
            return None  # the store's place is for another text than the one typed on here
        then, end = earlier
        typed_since = _typed_at(then, old, end)
        if typed_since is None or cursor != end + len(typed_since):
            return None
        self._sent.pop(key, None)
        text = stored[:place] + typed_since + stored[place:]
        _put(widget, text, place + len(typed_since))
        typing = self._typing.get(key)
        start = typing[0] if typing is not None and typing[2] == then and typing[1] == end else end
        if start < end + len(typed_since):
            self._follow_typing(key, old, text, (start, end + len(typed_since), old), place + len(typed_since))
        else:
            self._typing.pop(key, None)
        return text

    def _show_ours(self, widget: Input | TextArea, key: str, old: str, sent: str, stored: str,
                   typing: tuple[int, int, str], typed_since: str) -> str:
        """Our write came back: the typing's end as that write placed it, and what was typed since after it."""
        start, end, _ = typing
        typed_from = start if start < self._new_from.get(key, start) else None
        placed = map_cursor(sent, stored, end, typed_from)
        text = stored[:placed] + typed_since + stored[placed:]
        cursor = placed + len(typed_since)
        _put(widget, text, cursor)
        self._follow_typing(key, old, text, (start, end + len(typed_since), old), cursor)
        return text

    def _follow_typing(self, key: str, old: str, text: str, typing: tuple[int, int, str], cursor: int) -> None:
        """The typing's span in ``text`` (it was in ``old``): still just before the cursor, or forgotten."""
        start, end, _ = typing
        size = end - start
        if cursor >= size and text[cursor - size:cursor] == old[start:end]:
            self._typing[key] = (cursor - size, cursor, text)
        else:
            self._typing.pop(key, None)


def text_keys(op) -> list[tuple[str, str, str | None]]:
    """The field keys, texts and bases (None: none) a merged-text operation sets (a chain's answers: one key each)."""
    if isinstance(op, ops.Set) and op.field in ops.MERGED_TEXTS and isinstance(op.value, str):
        return [(op.field, op.value, op.base if isinstance(op.base, str) else None)]
    new_item = isinstance(op, ops.Add) and op.item_id and isinstance(op.item, dict)
    if new_item:
        op = ops.Edit(op.list, op.item_id, op.item)  # the texts of a new item, under the id it gets, typed over nothing
    if not isinstance(op, ops.Edit):
        return []
    found = []
    for name, value in op.changes.items():
        if (op.list, name) not in ops.MERGED_ITEM_TEXTS:
            continue
        key = f"{op.list}.{op.item_id}.{name}"
        base = "" if new_item else (op.bases or {}).get(name)
        if isinstance(value, str):
            found.append((key, value, base if isinstance(base, str) else None))
        elif isinstance(value, list):
            found += [(f"{key}.{index}", text, _answer(base, index, new_item)) for index, text in enumerate(value)
                      if isinstance(text, str)]
    return found


def _answer(bases, index: int, new_item: bool) -> str | None:
    """The base of one answer of a chain (None: none)."""
    if new_item:
        return ""
    if isinstance(bases, list):
        return bases[index] if index < len(bases) and isinstance(bases[index], str) else ""
    return None


def widget_text(widget: Input | TextArea) -> str:
    return widget.text if isinstance(widget, TextArea) else widget.value


def replace_text(widget: Input | TextArea, text: str, keep_cursor: bool = True,
                 typed_from: int | None = None) -> None:
    """Put ``text`` in the widget.

    With ``keep_cursor``, the cursor stays by the text it was next to
    (someone else's words arrived), focused or not: the terminal losing focus
    for a moment must not move it; otherwise it goes to the end (the field
    now shows another item).  ``typed_from``: see ``store.merge.map_cursor``.
    """
    old = widget_text(widget)
    if old == text and keep_cursor:
        return
    # (the same words from another item: the cursor still goes to the end)
    _put(widget, text, map_cursor(old, text, _cursor_offset(widget), typed_from) if keep_cursor else len(text))


def _typed_on(typing: tuple[int, int, str] | None, text: str) -> tuple[int, int] | None:
    """The span of ``typing`` once the field shows ``text``, if it was typed on (or taken back) at its end."""
    if typing is None:
        return None
    start, end, shown = typing
    typed = _typed_at(shown, text, end)
    if typed is not None:
        return start, end + len(typed)
    cut = len(shown) - len(text)
    if 0 < cut <= end - start and text == shown[:end - cut] + shown[end:]:
        return start, end - cut
    return None


def _typed_from(base: str, text: str, end: int) -> int | None:
    """Where in ``base`` the typing that made ``text`` began, if it only added text ending at ``end``; else None."""
    start = end - (len(text) - len(base))
    if start < 0 or start > len(base) or end > len(text):
        return None
    return start if text[:start] == base[:start] and text[end:] == base[start:] else None


def _typed_at(sent: str, on_screen: str, at: int) -> str | None:
    """What was typed at ``at`` since ``sent`` was sent ("" if nothing), or None if the text changed otherwise."""
    size = len(on_screen) - len(sent)
    if size < 0 or on_screen[:at] != sent[:at] or on_screen[at + size:] != sent[at:]:
        return None
    return on_screen[at:at + size]


def _put(widget: Input | TextArea, text: str, cursor: int) -> None:
    """``text`` in the widget, the cursor at offset ``cursor``."""
    if isinstance(widget, TextArea):
        if widget.text != text:
            widget.load_text(text)
        widget.cursor_location = _location(text, cursor)
        return
    if widget.value != text:
        widget.value = text
    widget.cursor_position = cursor


def _cursor_offset(widget: Input | TextArea) -> int:
    if isinstance(widget, TextArea):
        return _offset(widget.text, widget.cursor_location)
    return widget.cursor_position


def _offset(text: str, location: tuple[int, int]) -> int:
    row, column = location
    lines = text.split("\n")
    return sum(len(line) + 1 for line in lines[:row]) + column


def _location(text: str, offset: int) -> tuple[int, int]:
    before = text[:offset].split("\n")
    return len(before) - 1, len(before[-1])
