"""A paste that holds ESC (an ANSI-coloured log, a BEL) arrives as text: escape sequences removed, no key run.

Textual's parser replayed the rest of such a paste as keystrokes (a BEL
became ctrl+g and opened "Go to step") and only a fragment was stored.
"""

from __future__ import annotations

import os
import sys

import pytest
from textual import events
from textual._xterm_parser import XTermParser

from test_hangup import Terminal, title_in
from tui.driver import PASTE_END, PASTE_START, PasteCleaner

LOG = "ERROR \x1b[31mdb-7 down\x1b[0m\x07 retry \x1b]0;owned\x07in 5s\x1b[2J\x1bc \x1b[1;5Pdone"
TEXT = "ERROR db-7 down retry in 5s done"


def parsed(*chunks: str) -> list:
    """What Textual's parser makes of terminal input read in these chunks, through the cleaner."""
    parser, cleaner, found = XTermParser(), PasteCleaner(), []
    for chunk in chunks:
        data = cleaner.feed(chunk)
        found += list(parser.feed(data)) if data else []  # as the driver does: "" would mean the end
    return found


def test_a_pasted_coloured_log_is_one_paste_event_with_the_escapes_removed_and_no_keys():
    found = parsed(PASTE_START + LOG + PASTE_END)
    assert [type(event) for event in found] == [events.Paste]
    assert found[0].text == TEXT


def test_a_paste_split_across_reads_is_still_one_clean_paste():
    data = PASTE_START + LOG + "\nsecond line" + PASTE_END + "x"
    cuts = [3, 9, 17, 30, len(data) - 4]
    chunks = [data[a:b] for a, b in zip([0, *cuts], [*cuts, len(data)])]
    found = parsed(*chunks)
    assert [type(event) for event in found] == [events.Paste, events.Key]
    assert found[0].text == TEXT + "\nsecond line" and found[1].character == "x"


def test_keys_outside_a_paste_are_parsed_as_before():
    found = parsed("a\x1b[Ab")
    assert [event.key for event in found] == ["a", "up", "b"]


@pytest.mark.slow
@pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pseudo-terminal")
def test_a_log_pasted_into_the_title_in_a_real_terminal_is_stored_as_text_and_runs_nothing(tmp_path):
    db = tmp_path / "r.json"
    terminal = Terminal(db)
    try:
        terminal.agree_to_ground_rules()
        terminal.type(PASTE_START + LOG + PASTE_END)
        terminal.wait_for("retry in 5s done")
        assert "Go to step" not in terminal.text[terminal._mark:]  # the BEL did not become ctrl+g
        terminal.type("\x11")  # ctrl+q: saves and quits
        assert terminal.wait_for_exit()
        assert os.WIFEXITED(terminal.status) and os.WEXITSTATUS(terminal.status) == 0
    finally:
        terminal.close()
    assert title_in(db) == TEXT
