"""The terminal driver: Textual's own (Linux/macOS), with pastes that arrive as text, and an end.

Textual's parser reads an ``ESC`` inside a bracketed paste as the start of a
key sequence and replays the rest of the paste as keystrokes: a coloured log
pasted into a field ran commands (a BEL became ctrl+g) and only a fragment was
stored.  Here the text between the paste brackets passes the store's sanitiser
before the parser sees it, so a paste arrives whole as one ``Paste`` event,
with its escape sequences removed and nothing executed.

When reading the terminal fails or ends (it was closed, and it was not the
controlling terminal, so no SIGHUP came), Textual's loop spun at 100% CPU
forever; here the app is told, and saves and leaves as on a hang-up.
"""

from __future__ import annotations

import os
import selectors
from codecs import getincrementaldecoder

from textual import events
from textual._parser import ParseError
from textual._xterm_parser import XTermParser
from textual.drivers.linux_driver import LinuxDriver

from store.sanitize import clean

PASTE_START = "\x1b[200~"
PASTE_END = "\x1b[201~"


class PasteCleaner:
    """Cleans the text of every bracketed paste in a stream of terminal input (pastes may span reads)."""

    def __init__(self) -> None:
        self._paste: str | None = None  # the text of a paste whose end has not arrived yet
        self._held = ""  # the start of a paste bracket cut off by the end of a read

    def feed(self, data: str) -> str:
        """The input to hand to the parser now: outside pastes as it came, each whole paste cleaned."""
        out = []
        data, self._held = self._held + data, ""
        while data:
            if self._paste is None:
                start = data.find(PASTE_START)
                if start < 0:
                    self._held = _cut_bracket(data)
                    out.append(data[: len(data) - len(self._held)])
                    break
                out.append(data[:start])
                data, self._paste = data[start + len(PASTE_START):], ""
            else:
                self._paste += data
                end = self._paste.find(PASTE_END)
                if end < 0:
                    break
                out.append(PASTE_START + clean(self._paste[:end]) + PASTE_END)
                data, self._paste = self._paste[end + len(PASTE_END):], None
        return "".join(out)


def _cut_bracket(data: str) -> str:
    """The end of ``data`` if it is the start of a paste bracket (``ESC [ 2`` at least), else "".

    A key sequence arrives in one read, so only a bracket cut by a read ends so.
    """
    for size in range(len(PASTE_START) - 1, 2, -1):
        if data.endswith(PASTE_START[:size]):
            return PASTE_START[:size]
    return ""


class _TerminalGone(Exception):
    """Reading the terminal failed or found its end."""


class TerminalDriver(LinuxDriver):
    """Textual's driver, reading input through a :class:`PasteCleaner`, and ending when the terminal does."""

    def run_input_thread(self) -> None:
        """Textual's input loop, then the app's ``terminal_gone`` if the terminal went away."""
        try:
            self._read_input()
        except _TerminalGone:
            gone = getattr(self._app, "terminal_gone", None)
            if gone is not None and not self.exit_event.is_set():  # not while the app is leaving anyway
                self.send_message(events.Callback(callback=gone))  # queued after the last keys read

    def _read(self) -> bytes:
        try:
            data = os.read(self.fileno, 1024 * 4)
        except OSError:  # EIO: the other side of the terminal is closed
            raise _TerminalGone() from None
        if not data:
            raise _TerminalGone()
        return data

    def _read_input(self) -> None:
        """Textual's input loop (of the pinned version), with pastes cleaned before parsing."""
        selector = selectors.SelectSelector()
        selector.register(self.fileno, selectors.EVENT_READ)
        parser = XTermParser(self._debug)
        cleaner = PasteCleaner()
        decode = getincrementaldecoder("utf-8")().decode

        def process(selector_events, final: bool = False) -> None:
            for index, (_key, mask) in enumerate(selector_events):
                if mask & selectors.EVENT_READ:
                    data = cleaner.feed(decode(self._read(), final=final and index == len(selector_events) - 1))
                    for event in parser.feed(data) if data else ():  # "" would tell the parser the input ended
                        self.process_message(event)
            for event in parser.tick():
                self.process_message(event)

        try:
            while not self.exit_event.is_set():
                process(selector.select(0.1))
            selector.unregister(self.fileno)
            process(selector.select(0.1), final=True)
        finally:
            selector.close()
            try:
                for _event in parser.feed(""):
                    pass
            except (EOFError, ParseError):
                pass
