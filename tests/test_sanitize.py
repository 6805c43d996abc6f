"""The sanitiser: nothing typed may drive another participant's terminal; markup-looking text stays."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from store import ops
from store.model import new_review
from store.sanitize import clean, clean_line


def test_colour_and_cursor_escape_sequences_are_removed():
    assert clean("a\x1b[31mred\x1b[0m b\x1b[2J\x1b[H") == "ared b"


def test_a_terminal_title_sequence_is_removed_whole():
    assert clean("before\x1b]0;owned\x07after") == "beforeafter"
    assert clean("x\x1b]8;;http://evil\x1b\\link\x1b]8;;\x1b\\y") == "xlinky"


def test_c1_controls_and_eight_bit_csi_are_removed():
    assert clean("a\x9b31mb\x85c\x90dcs\x9cd") == "abcd"


def test_bidi_overrides_and_isolates_are_removed():
    assert clean("invoice\u202egnp.exe\u2066x\u2069\u200f") == "invoicegnp.exex"


def test_other_control_characters_are_removed_but_newline_and_tab_kept():
    assert clean("a\x00b\x07c\x08d\x7fe\tf\ng") == "abcde\tf\ng"


def test_carriage_returns_become_newlines_so_a_line_cannot_be_overwritten():
    assert clean("ok\rEVIL") == "ok\nEVIL"
    assert clean("one\r\ntwo") == "one\ntwo"


def test_markup_looking_text_is_kept_as_typed():
    text = "[bold]x[/bold] [@click=app.quit]x[/] [/] [red"
    assert clean(text) == text


def test_clean_line_folds_newlines_and_tabs_into_spaces():
    assert clean_line(" a\n\tb \r c ") == "a b c"


@given(st.text())
def test_nothing_unsafe_survives_any_text(text):
    cleaned = clean(text)
    assert not any(ord(c) < 32 and c not in "\n\t" for c in cleaned)
    assert not any(0x7F <= ord(c) <= 0x9F for c in cleaned)
    assert not any(c in "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069" for c in cleaned)
    assert clean(cleaned) == cleaned


def test_every_stored_text_passes_the_sanitiser():
    doc = new_review().to_dict()
    ops.apply(doc, ops.Set("title", "Checkout\x1b[31m 500s"))
    item = ops.apply(doc, ops.Add("went_well", "fast\x9b2J rollback"))
    ops.apply(doc, ops.Edit("went_well", item, {"text": "fast\u202e rollback"}))
    assert doc["title"] == "Checkout 500s"
    assert doc["went_well"][0]["text"] == "fast rollback"
