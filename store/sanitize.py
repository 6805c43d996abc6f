"""The one sanitiser every user text passes before it is stored.

Nothing one participant types may drive another participant's terminal, so
control characters, escape sequences, C1 codes and bidi overrides are removed.
Only what is provably part of a sequence goes: an ``ESC`` sequence as ECMA-48
spells it, a string (``ESC ]`` ... ``BEL``) only when it is terminated, and an
8-bit C1 code on its own (mojibake such as ``â€\\x9d`` is full of them; the text
after one is the user's).  Text that merely looks like markup (``[bold]``,
``[/]``) is kept as typed: the screens show text literally, so it is harmless.
"""

from __future__ import annotations

import re

# ESC-introduced sequences, by ECMA-48's grammar: CSI (ESC [ parameters final),
# a terminated OSC/DCS/SOS/PM/APC string (ESC ] ... BEL or ST, within one
# line), and every other escape (ESC, intermediates, final), which also takes
# the bare introducer of a string that is never terminated.
_ESCAPE_SEQUENCE = re.compile(
    r"""
    \x1b\[[0-?]*[ -/]*[@-~]                    # CSI
    | \x1b[\]PX^_][^\x07\x1b\n]*(?:\x07|\x1b\\)  # OSC, DCS, SOS, PM, APC, terminated
    | \x1b[ -/]*[0-~]                          # any other escape
    """,
    re.VERBOSE,
)

# C0 controls except tab and newline, DEL, C1 controls, the bidi
# embedding/override/isolate marks that can reorder what a reader sees, and the
# noncharacters the store marks writers' places with while it merges (store.merge.MARKS).
_UNSAFE_CHARACTER = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f\x80-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069\u061c\ufdd0-\ufdef]"
)
# What ends a line somewhere (a terminal, Python's splitlines, a mail reader).
_LINE_BREAKS = re.compile(r"[ \t]*[\n\t\u2028\u2029][ \t\n\u2028\u2029]*")


def clean(text: str) -> str:
    """Return ``text`` with every terminal-driving character removed.

    Carriage returns become newlines (a pasted CRLF must not rewind a line).
    """
    if not isinstance(text, str):
        raise TypeError(f"expected text, got {type(text).__name__}")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _ESCAPE_SEQUENCE.sub("", text)
    return _UNSAFE_CHARACTER.sub("", text)


def one_line(text: str) -> str:
    """Clean text for a one-line field: each line break (and tab) becomes one space; nothing else changes.

    Spaces at the ends are kept, so a field being typed into keeps its cursor.
    """
    return _LINE_BREAKS.sub(" ", clean(text))


def clean_line(text: str) -> str:
    """Clean text meant for a one-line field, trimmed: newlines and tabs become spaces."""
    return one_line(text).strip()


def visible(text: str) -> str:
    """``text`` for a message or a log line: each character a terminal would act on shown as an escape.

    ``\\x1b]0;x\\x07`` reads as the eight characters ``\\x1b]0;x\\x07``; line
    breaks too, so a message stays one line.  Everything printable is kept.
    """
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in str(text))


def quote(value: object) -> str:
    """The one way a message quotes input (a key, a value, an id): ``'...'``, control characters visible."""
    return visible(repr(value))


def quote_key(key: object) -> str:
    """A key in a field path (``five_whys.<key>``): as is when it is a plain name, else quoted."""
    return key if isinstance(key, str) and re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", key) else quote(key)
