"""Keys typed behind a key that moves the focus wait until the focus has moved.

Textual hands each key to the focused widget by posting it there, and a key
that moves the focus (Tab, Enter in a form, F2, Escape) moves it only once it
has come back up to a binding or a handler.  Keys that arrived with it (a fast
typist, a slow SSH link that delivers keys in bursts, a loaded machine)
were meanwhile handed to the field being left: "Tab Tab Alert" put "Al" in
the event's time and "ert" in what happened.

So behind such a key the app posts a marker (:class:`KeyHandled`) to the same
widget; it comes up the same way, one queue behind, once every handler of
the key has run.  Until then the keys typed after it wait here, and then go,
in order, to whatever has the focus.  Keys that only change text where the
cursor is (characters, Backspace, the cursor keys along a line) post no
marker: typing costs nothing more.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable

from textual import events
from textual.message import Message
from textual.timer import Timer

# Keys that edit the text where the cursor is: they never move the focus.
EDITING_KEYS = frozenset({"backspace", "delete", "left", "right", "home", "end"})
# How often a wait checks that what it waits for can still come (a widget removed meanwhile never answers).
CHECK_SECONDS = 0.1
# At most this long keys wait behind another (a loaded machine can take a while to move the focus).
LIMIT_SECONDS = 5.0


class KeyHandled(Message):
    """Posted right behind a key to the widget it went to: at the app, every handler of that key has run."""


def moves_focus(key: events.Key) -> bool:
    """Whether the keys behind ``key`` must wait for it (it may move the focus or change the screen)."""
    return not key.is_printable and key.key not in EDITING_KEYS


class TypeAhead:
    """The keys typed behind a key still being handled, and what they wait for."""

    def __init__(self, hand: Callable[[events.Key], Awaitable[None]], set_interval: Callable[..., Timer]) -> None:
        self._hand = hand  # gives a key to the app as if just typed (bindings, then the focused widget)
        self._set_interval = set_interval
        self._waiting: list[events.Key] = []
        self._awaited: dict[object, object] = {}  # token -> the widget it comes up from
        self._since = 0.0
        self._timer: Timer | None = None

    @property
    def holding(self) -> bool:
        """Whether a key typed now must wait (one ahead is still handled, or others already wait)."""
        return bool(self._awaited or self._waiting)

    def hold(self, key: events.Key) -> None:
        self._waiting.append(events.Key(key.key, key.character))

    def forwarded(self, key: events.Key, widget) -> None:
        """``key`` was posted to ``widget``: if it may move the focus, the next keys wait for it."""
        if moves_focus(key):
            marker = KeyHandled()
            self.wait_for(marker, widget)
            widget.post_message(marker)

    def wait_for(self, token: object, widget) -> None:
        """Hold the keys typed from now on until ``arrived(token)`` (or ``widget`` is gone, or the limit)."""
        if not self._awaited:
            self._since = time.monotonic()
            if self._timer is None:
                self._timer = self._set_interval(CHECK_SECONDS, self._check, name="type-ahead")
        self._awaited[token] = widget

    async def arrived(self, token: object) -> None:
        """What the keys waited for came up: hand them on, unless they now wait for another."""
        if self._awaited.pop(token, None) is not None:
            await self.release()

    async def release(self) -> None:
        """Hand the waiting keys on, in order, each once the one before it has been handled."""
        while self._waiting and not self._awaited:
            await self._hand(self._waiting.pop(0))
        if not self._awaited and self._timer is not None:
            self._timer.stop()
            self._timer = None

    async def _check(self) -> None:
        gone = [token for token, widget in self._awaited.items() if not getattr(widget, "is_attached", False)]
        for token in gone:
            del self._awaited[token]
        if self._awaited and time.monotonic() - self._since >= LIMIT_SECONDS:
            self._awaited.clear()  # never lose a key: late is better than never
        if not self._awaited:
            await self.release()
