"""The one sanitiser every user text passes before it is stored.

Nothing one participant types may drive another participant's terminal, so
control characters, escape sequences, C1 codes and bidi overrides are removed.
Text that merely looks like markup (``[bold]``, ``[/]``) is kept as typed: the
screens show text literally, so it is harmless.
"""

from __future__ import annotations

import re

# ESC-introduced sequences: CSI (ESC [ ... final), OSC/DCS/APC/PM/SOS
# (ESC ] ... BEL or ST), and two-byte escapes (ESC + one char).
_ESCAPE_SEQUENCE = re.compile(
    r"""
    \x1b\[[0-?]*[ -/]*[@-~]                 # CSI
    | \x1b[\]PX^_][^\x07\x1b]*(?:\x07|\x1b\\)?  # OSC, DCS, SOS, PM, APC
    | \x1b[@-Z\\-_]                         # other two-byte escapes
    | \x9b[0-?]*[ -/]*[@-~]                 # 8-bit CSI
    | [\x90\x9d\x98\x9e\x9f][^\x07\x9c]*(?:\x07|\x9c)?  # 8-bit OSC, DCS, ...
    """,
    re.VERBOSE,
)

# C0 controls except tab and newline, DEL, C1 controls, and the bidi
# embedding/override/isolate marks that can reorder what a reader sees.
_UNSAFE_CHARACTER = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f\x80-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069\u061c]"
)


def clean(text: str) -> str:
    """Return ``text`` with every terminal-driving character removed.

    Carriage returns become newlines (a pasted CRLF must not rewind a line).
    """
    if not isinstance(text, str):
        raise TypeError(f"expected text, got {type(text).__name__}")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _ESCAPE_SEQUENCE.sub("", text)
    return _UNSAFE_CHARACTER.sub("", text)


def clean_line(text: str) -> str:
    """Clean text meant for a one-line field: newlines and tabs become spaces."""
    return re.sub(r"\s*[\n\t]\s*", " ", clean(text)).strip()
