"""A Select that chooses as you type its first letters, and never swallows a key in silence.

In front of a room, Enter, Down several times, Enter is slow: typing ``d``
picks "Detect", ``pro`` "Process", ``2`` "SEV2".  Space no longer opens the
list (a word typed on after one Tab too many would open it over the form);
Enter, Up and Down still do.  A key that matches no choice is reported with
a :class:`ChoiceSelect.Unmatched` message, for the screen to say so.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from textual import events
from textual.binding import Binding
from textual.message import Message
from textual.widgets import Select


def choice_starts(label: str) -> list[str]:
    """Where typing may start matching a label: its start, then each later word or number."""
    text = label.lower()
    starts = [0] + [match.start() for match in re.finditer(r"(?<=[^a-z0-9])[a-z0-9]|(?<=[a-z])[0-9]", text)]
    return [text[start:] for start in dict.fromkeys(starts)]


def find_choice(labels: list[str], typed: str) -> int | None:
    """The first label that starts with ``typed``; else the first with a word or number that does."""
    typed = typed.lower()
    for index, label in enumerate(labels):
        if label.lower().startswith(typed):
            return index
    for index, label in enumerate(labels):
        if any(part.startswith(typed) for part in choice_starts(label)):
            return index
    return None


class ChoiceSelect(Select, inherit_bindings=False):
    """Textual's Select with type-to-choose; Enter, Up or Down open the whole list."""

    BINDINGS = [Binding("enter,down,up", "show_overlay", "Show choices", show=False)]

    @dataclass
    class Unmatched(Message):
        """Keys typed on the select matched none of its choices."""

        select: "ChoiceSelect"
        typed: str

        @property
        def control(self) -> "ChoiceSelect":
            return self.select

    def __init__(self, *args, what: str = "", **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.what = what  # the field's name, for the note on an unmatched key
        self.typed = ""

    def unmatched_note(self, typed: str) -> str:
        """What to say when a typed key matches no choice."""
        choices = ", ".join(label for label, _ in self.labels())
        return (f"{self.what or 'This field'} is a list: {typed!r} starts none of its choices ({choices}). "
                "Type a choice's first letters, Enter shows them all, Tab moves on.")

    def labels(self) -> list[tuple[str, object]]:
        """Each choice as plain text with its value (the blank choice left out)."""
        return [(str(prompt), value) for prompt, value in self._options if value is not Select.NULL]

    def on_key(self, event: events.Key) -> None:
        if self.expanded or not event.character or not event.is_printable:
            return
        if event.character == " " and not self.typed:
            return  # nothing to continue: space is not a choice (and no longer opens the list)
        event.stop()
        event.prevent_default()
        self.choose_typed(event.character)

    def choose_typed(self, character: str) -> None:
        """Add the key to what was typed and pick the first choice that matches; start over if none does."""
        choices = self.labels()
        labels = [label for label, _ in choices]
        for typed in (self.typed + character, character):
            index = find_choice(labels, typed.strip() or typed)
            if index is not None:
                self.typed = typed
                self.value = choices[index][1]
                return
        self.typed = ""
        self.post_message(self.Unmatched(self, character))

    def on_blur(self) -> None:
        self.typed = ""
