"""The sanitiser: nothing typed may drive another participant's terminal; markup-looking text stays."""

from __future__ import annotations

import pytest
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


def test_c1_controls_are_removed_one_by_one_and_the_text_after_them_kept():
    assert clean("a\x9b31mb\x85c\x90dcs\x9cd") == "a31mbcdcsd"


@pytest.mark.parametrize("c1", ["\x90", "\x98", "\x9d", "\x9e", "\x9f", "\x9b"])
def test_mojibake_with_a_c1_introducer_keeps_the_rest_of_the_text(c1):
    text = f"He said \u00e2\u20ac{c1}hello\u00e2\u20ac\x9c and then a long detail.\nSecond line."
    assert clean(text) == "He said \u00e2\u20achello\u00e2\u20ac and then a long detail.\nSecond line."


@pytest.mark.parametrize("introducer", ["\x1b]", "\x1bP", "\x1b_", "\x1b^", "\x1bX"])
def test_an_unterminated_string_sequence_loses_only_its_introducer(introducer):
    assert clean(f"Summary {introducer}0;the rest of the summary.\nMore.") == "Summary 0;the rest of the summary.\nMore."


def test_a_string_sequence_ends_at_its_line():
    assert clean("one \x1b]0;two\nthree\x07 four") == "one 0;two\nthree four"


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
    assert clean_line("a\u2028b\u2029c") == "a b c"


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
