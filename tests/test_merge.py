"""Merging concurrent edits of one field: nothing anyone types is lost, nothing lands in the wrong place."""

from __future__ import annotations

import pytest
from diff_match_patch import diff_match_patch
from hypothesis import example, given, settings
from hypothesis import strategies as st

from store.merge import CONFLICT_SEPARATOR, MARKS, Merged, map_cursor, map_cursor_as_read, merge_anchored, merge_text


def test_two_people_appending_to_the_same_field_keep_both_sentences():
    base = "The disk filled up."
    merged = merge_text(base, base + " Alerts fired late.", base + " Nobody was paged.")
    assert not merged.conflict
    assert merged.text in (
        "The disk filled up. Alerts fired late. Nobody was paged.",
        "The disk filled up. Nobody was paged. Alerts fired late.",
    )


def test_one_inserting_at_the_start_and_one_at_the_end():
    base = "the disk filled up."
    merged = merge_text(base, "At 02:00 " + base, base + " Nobody was paged.")
    assert merged == Merged("At 02:00 the disk filled up. Nobody was paged.", False)


def test_two_inserts_at_the_same_spot_keep_both():
    base = "The cache expired and the database fell over."
    mine = "The cache expired and the database suddenly fell over."
    theirs = "The cache expired and the database then fell over."
    merged = merge_text(base, mine, theirs)
    assert not merged.conflict
    assert merged.text in (
        "The cache expired and the database suddenly then fell over.",
        "The cache expired and the database then suddenly fell over.",
    )


def test_same_spot_inserts_after_a_long_insert_before_them():
    """Patches are looked for where their text now is, not 300 characters earlier."""
    base = "Summary.\nThe cache expired and the database fell over."
    timeline = "Timeline: " + "at 02:00 an alert fired and nobody acknowledged it for twenty minutes. " * 4 + "\n"
    mine = base.replace("database fell", "database suddenly fell")
    theirs = timeline + base.replace("database fell", "database then fell")
    for merged in (merge_text(base, mine, theirs), merge_text(base, theirs, mine)):
        assert not merged.conflict
        assert merged.text.startswith(timeline + "Summary.\n")
        assert "database suddenly then fell" in merged.text or "database then suddenly fell" in merged.text


@pytest.mark.parametrize(
    ("mine", "theirs", "expected"),
    [
        (  # far apart
            "The quick brown fox jumps over the dog",
            "The very quick brown fox jumps over the lazy dog",
            "The very quick brown fox jumps over the dog",
        ),
        (  # the deleted word is next to the insert
            "The brown fox jumps over the lazy dog",
            "The very quick brown fox jumps over the lazy dog",
            "The very brown fox jumps over the lazy dog",
        ),
        (
            "The quick fox jumps over the lazy dog",
            "The quick brown fox jumps over the sleepy lazy dog",
            "The quick fox jumps over the sleepy lazy dog",
        ),
    ],
)
def test_one_deleting_a_word_while_the_other_inserts_elsewhere_keeps_both_edits(mine, theirs, expected):
    base = "The quick brown fox jumps over the lazy dog"
    assert merge_text(base, mine, theirs) == Merged(expected, False)
    assert merge_text(base, theirs, mine) == Merged(expected, False)


def test_both_editing_different_sentences():
    base = "The disk filled up and the alert fired late."
    merged = merge_text(base, "The root disk filled up and the alert fired late.", base[:-1] + " by an hour.")
    assert merged == Merged("The root disk filled up and the alert fired late by an hour.", False)


def test_conflicting_edits_of_the_same_word_keep_both_texts():
    base = "Root cause: DNS."
    mine, theirs = "Root cause: an expired certificate.", "Root cause: BGP."
    merged = merge_text(base, mine, theirs)
    assert merged == Merged(theirs + CONFLICT_SEPARATOR + mine, True)


def test_an_edit_to_a_line_someone_deleted_is_kept_not_moved_to_a_look_alike():
    base = "Restart the db.\nCheck the logs.\nRestart the db."
    mine = "Restart the db.\nCheck the logs.\nRestart the db twice."
    theirs = "Restart the db.\nCheck the logs."
    merged = merge_text(base, mine, theirs)
    assert merged == Merged(theirs + CONFLICT_SEPARATOR + mine, True)


def test_a_conflict_with_a_cleared_field_keeps_the_text_without_a_dangling_separator():
    assert merge_text("the cat", "", "the black cat") == Merged("the black cat", True)
    assert merge_text("the cat", "the lazy cat", "") == Merged("the lazy cat", True)


@pytest.mark.parametrize(
    ("base", "mine", "theirs", "expected"),
    [
        (  # the same typo fixed by both
            "Teh disk filled up.",
            "The disk filled up.",
            "The disk filled up. Nobody was paged.",
            "The disk filled up. Nobody was paged.",
        ),
        ("The disk filled up at 14:05.", "The disk filled up.", "The disk filled up.", "The disk filled up."),
    ],
)
def test_an_edit_the_other_text_already_holds_is_not_doubled(base, mine, theirs, expected):
    assert merge_text(base, mine, theirs) == Merged(expected, False)
    assert merge_text(base, theirs, mine) == Merged(expected, False)


@pytest.mark.parametrize(
    ("base", "mine", "theirs", "expected"),
    [
        ("at peak", "at peak ", "at peak ", "at peak  "),  # both typed a space: both are kept
        # theirs ends with the "." before that place, so could sit one character earlier: it goes first
        ("The disk filled up.", "The disk filled up. Done.", "The disk filled up. Done. Really.",
         "The disk filled up. Done. Really. Done."),
    ],
)
def test_the_same_text_typed_by_both_at_one_place_is_kept_twice(base, mine, theirs, expected):
    """Two people typing the same characters each typed them (a merge cannot tell them from one)."""
    assert merge_text(base, mine, theirs) == Merged(expected, False)


def test_the_separator_is_plain_text_that_rich_and_markdown_leave_alone():
    assert CONFLICT_SEPARATOR.isascii()
    assert "[" not in CONFLICT_SEPARATOR and "]" not in CONFLICT_SEPARATOR
    assert not CONFLICT_SEPARATOR.strip().startswith((">", "#", "-", "*"))


def test_unicode_accents_and_cjk():
    base = "Café ouvert à 9h. 数据库宕机。"
    merged = merge_text(base, "Café très ouvert à 9h. 数据库宕机。", "Café ouvert à 9h. 数据库突然宕机。")
    assert merged == Merged("Café très ouvert à 9h. 数据库突然宕机。", False)
    merged = merge_text("東京で障害", "東京で大きな障害", "東京で障害が発生")
    assert merged == Merged("東京で大きな障害が発生", False)


def test_empty_base_keeps_both_texts_on_their_own_lines():
    assert merge_text("", "Disk full.", "Nobody paged.") == Merged("Nobody paged.\nDisk full.", False)
    assert merge_text("", "Disk full.", "") == Merged("Disk full.", False)
    assert merge_text("", "", "Nobody paged.") == Merged("Nobody paged.", False)


@pytest.mark.parametrize(
    ("base", "mine", "theirs", "expected"),
    [
        ("a", "a", "b", "b"),  # mine unchanged: theirs
        ("a", "b", "a", "b"),  # theirs unchanged: mine
        ("a", "b", "b", "b"),  # the same edit twice
        ("a", "", "a b", " b"),  # a deletion merges with an insert
    ],
)
def test_fast_paths_and_simple_cases(base, mine, theirs, expected):
    assert merge_text(base, mine, theirs) == Merged(expected, False)


def test_merged_is_frozen():
    with pytest.raises(AttributeError):
        merge_text("a", "b", "c").text = "x"  # type: ignore[misc]


_TEXT = st.text(alphabet="ab é字\n", max_size=30)


def _is_subsequence(part: str, whole: str) -> bool:
    rest = iter(whole)
    return all(char in rest for char in part)


def _both_kept(mine: str, theirs: str) -> str:
    return CONFLICT_SEPARATOR.join(text for text in (theirs, mine) if text)


@st.composite
def _insertions(draw, base: str, alphabet: str):
    """``base`` with a few runs of ``alphabet`` inserted, and the runs."""
    spots = sorted(draw(st.lists(st.integers(0, len(base)), min_size=1, max_size=3)))
    runs = [draw(st.text(alphabet=alphabet, min_size=1, max_size=6)) for _ in spots]
    text, last = "", 0
    for spot, run in zip(spots, runs):
        text, last = text + base[last:spot] + run, spot
    return text + base[last:], runs


@settings(max_examples=300, deadline=None)
@given(st.data(), _TEXT, st.sampled_from(["xyzü語", "ab é字\n"]))
def test_inserts_by_both_always_survive(data, base, alphabet):
    """Insertions only: the result holds all of mine and all of theirs, in order.

    Runs of letters that base lacks are also in one piece (runs of base's own
    letters can be told apart from base only up to where they sit).
    """
    mine, mine_runs = data.draw(_insertions(base, alphabet))
    theirs, theirs_runs = data.draw(_insertions(base, alphabet))
    merged = merge_text(base, mine, theirs)
    assert _is_subsequence(mine, merged.text)
    assert _is_subsequence(theirs, merged.text)
    if not set(alphabet) & set(base):
        for run in mine_runs + theirs_runs:
            assert run in merged.text
    if merged.conflict:
        assert merged.text == _both_kept(mine, theirs)


@settings(max_examples=300, deadline=None)
@example("b", "b ", "bba")  # their "ba" was cut in two by my space ("bb a"): its "b" moved before base's "b"
@given(_TEXT, _TEXT, _TEXT)
def test_any_edits_are_merged_whole_or_both_kept(base, mine, theirs):
    """Whatever the edits, every run either side typed is in the result."""
    merged = merge_text(base, mine, theirs)
    if merged.conflict:
        assert merged.text == _both_kept(mine, theirs)
    dmp = diff_match_patch()
    for side in (mine, theirs):
        for op, typed in dmp.diff_main(base, side):
            assert op != dmp.DIFF_INSERT or typed in merged.text


@pytest.mark.parametrize(
    ("old", "new", "cursor", "expected"),
    [
        ("hello world", "oh hello world", 8, 11),  # insert before the cursor shifts it
        ("hello world", "hello world!!", 8, 8),  # insert after it does not
        ("hello world", "hello big world", 6, 6),  # insert right at it: keeps typing where it was
        ("hello world", "hello big world", 11, 15),  # at the end, the insert was before it
        ("hello big world", "hello world", 8, 6),  # the text around it deleted: where that text was
        ("hello world", "hello", 11, 5),  # deleted up to the end: clamped to the new end
        ("hello world", "", 5, 0),
        ("", "new text", 0, 0),
        ("abc", "abc", 99, 3),  # out of range in: clamped
        ("abc", "abc", -2, 0),
        ("Café 数据库", "Un café 数据库宕机", 8, 11),
    ],
)
def test_map_cursor(old, new, cursor, expected):
    assert map_cursor(old, new, cursor) == expected


@settings(max_examples=200, deadline=None)
@given(_TEXT, _TEXT, st.integers(-5, 40))
def test_map_cursor_stays_in_range(old, new, cursor):
    assert 0 <= map_cursor(old, new, cursor) <= len(new)


def test_typing_on_after_someone_added_a_line_below_stays_on_its_own_line():
    # B typed "A" and goes on typing; meanwhile C added a line under it.
    base = "Checkout down.\nA"
    merged = merge_text(base, base + "bout 1200 orders failed.", base + "\nS")
    assert merged == Merged("Checkout down.\nAbout 1200 orders failed.\nS", False)


def test_a_line_added_where_someone_types_on_goes_below_their_words_whichever_arrives_first():
    # A typed "Checkout down for 40" and goes on; C's first words were put on a line below it (three terminals).
    base = "Checkout down for 40"
    typed_on, new_line = base + " minutes.", base + "\nSupport got 85 ticke"
    expected = Merged("Checkout down for 40 minutes.\nSupport got 85 ticke", False)
    assert merge_text(base, new_line, typed_on) == expected
    assert merge_text(base, typed_on, new_line) == expected


def test_a_letter_typed_where_someone_added_a_line_is_kept_even_if_their_line_holds_that_letter():
    # A's "t" must not count as already in B's text just because "About" has a "t" (seen with two terminals)
    assert merge_text("Checkou", "Checkout", "Checkou\nAbout 1") == Merged("Checkout\nAbout 1", False)


@pytest.mark.parametrize(
    ("old", "new", "cursor", "typed_from", "expected"),
    [
        # another's space, typed at once, could sit where this typing (a space) began: the store put it there
        ("down. ", "down.  ", 6, 5, 7),
        ("down.  ", "down.   S", 6, 5, 7),  # the first part of what arrived goes before the typing, the rest after
        ("down. Th", "down. T Th", 8, 5, 10),  # before the typing (the diff shows it inside it)
        ("up. Nobody was paged.", "up. Nobody was paged. Alerts.", 21, 3, 21),  # after it: it stays after
        ("down. ", "down.  ", 6, None, 6),  # nobody typing here: text arriving at the cursor goes after it
    ],
)
def test_map_cursor_after_text_that_went_before_the_typing(old, new, cursor, typed_from, expected):
    assert map_cursor(old, new, cursor, typed_from) == expected


@pytest.mark.parametrize(
    ("base", "mine", "theirs", "expected"),
    [
        # theirs' space went before my space (the store puts the later write first): my letter follows mine
        ("down. ", "down. S", "down.  ", "down.  S"),
        ("down.  ", "down. E ", "down.   S", "down.  E S"),  # theirs' space before my typing, their S at the end
        ("down.", "down. ", "down. ", "down.  "),
    ],
)
def test_text_that_could_sit_earlier_goes_before_my_typing(base, mine, theirs, expected):
    assert merge_text(base, mine, theirs) == Merged(expected, False)


def test_text_our_own_write_placed_stays_after_what_we_sent():
    """We sent "down. ", the store put ours first, we typed "A" since: it goes right after our space."""
    assert merge_text("down. ", "down. A", "down.  ", placed=True) == Merged("down. A ", False)


# Anchors: the store keeps where each writer's typing ends -----------------------------------------------------


def test_two_people_starting_with_a_space_at_once_each_type_on_after_their_own_space():
    """The race traced on 2026-12-03: A and B both type a space at the end of "down.", then a letter each."""
    text, anchors = merge_anchored("down.", "down. ", "down.", {}, "A", at=6)
    assert (text.text, anchors) == ("down. ", {"A": 6})
    text, anchors = merge_anchored("down.", "down. ", text.text, anchors, "B", at=6)
    assert text.text == "down.  " and anchors == {"A": 7, "B": 6}  # B's space went first: A's is the second
    # B saw the store's text, its cursor at its place: "A" goes after B's space
    text, anchors = merge_anchored("down.  ", "down. A ", text.text, anchors, "B", at=7, base_at=6)
    assert (text.text, anchors["A"], anchors["B"]) == ("down. A ", 8, 7)
    # A never saw B's space: it typed "S" after its own, over the text it had sent
    text, anchors = merge_anchored("down. ", "down. S", text.text, anchors, "A", at=7, base_at=6)
    assert (text.text, anchors["A"], anchors["B"]) == ("down. A S", 9, 7)


def test_a_writer_whose_place_in_its_base_is_not_known_gets_its_place_from_what_it_typed():
    text, anchors = merge_anchored("ab", "abX", "ab", {"A": 1, "B": 2}, "A", at=3)
    assert text.text == "abX" and anchors["A"] == 3


def test_the_marks_never_stay_in_the_text_even_when_both_versions_are_kept():
    base = "The rollback took forty minutes because the runbook was stale."
    mine, theirs = "Rolled back in 40 min.", "Nobody knew the runbook had moved to the wiki last spring."
    text, anchors = merge_anchored(base, mine, theirs, {"B": 10}, "A", at=len(mine), base_at=5)
    assert text.conflict and not any(mark in text.text for mark in MARKS)
    assert text.text.endswith(mine) and anchors["A"] == len(text.text)


def test_at_most_as_many_writers_keep_a_place_as_there_are_marks():
    anchors = {f"w{index}": 0 for index in range(len(MARKS) + 5)}
    text, kept = merge_anchored("x", "xy", "x", anchors, "me", at=2, base_at=1)
    assert text.text == "xy" and len(kept) == len(MARKS) - 1 and kept["me"] == 2  # (one mark is for typing starts)


SENTENCES = (" The cache was cold.", " The queue was full.", " The disk was full.")


@settings(max_examples=500, deadline=None)
@example([(0, "type"), (0, "send"), (1, "type"), (1, "send"), (2, "read")])  # a first write between two spaces
@example([(0, "type")] * 4 + [(0, "send"), (0, "type"), (1, "type"), (1, "send"), (2, "read"), (0, "send"),
                              (2, "read")])  # read twice at the end of another's typing, who typed on between
@given(st.lists(st.tuples(st.integers(0, 2), st.sampled_from(("type", "type", "type", "send", "read"))),
                max_size=160))
def test_writers_who_each_type_on_at_their_place_keep_their_sentences_whole(schedule):
    """Three terminals type at the end of one text, sending and reading the store's text in any order.

    Each terminal does what TextSync does: it types at its cursor, sends the
    text with where its typing ends and where it ended in the text it typed
    over, and on reading the store's text puts what it typed since at the
    place the store keeps for it (before its first write, where its cursor
    went, and the others' places it read with the text go with that write).
    However the writes interleave, each sentence ends up whole.
    """
    start = "Checkout down."
    stored, anchors = start, {}
    writers = [{"ref": start, "pos": len(start), "typed": "", "done": 0, "sent": False} for _ in SENTENCES]

    def send(index: int) -> None:
        nonlocal stored, anchors
        writer = writers[index]
        if not writer["typed"]:
            return
        ref, pos, typed = writer["ref"], writer["pos"], writer["typed"]
        mine = ref[:pos] + typed + ref[pos:]
        merged, anchors = merge_anchored(ref, mine, stored, anchors, str(index), at=pos + len(typed), base_at=pos,
                                         base_places=None if writer["sent"] else writer.get("others"))
        assert not merged.conflict
        stored = merged.text
        writer.update(ref=mine, pos=pos + len(typed), typed="", sent=True)

    def read(index: int) -> None:
        writer = writers[index]
        if writer["sent"]:
            writer.update(ref=stored, pos=anchors[str(index)])
        elif not writer["typed"]:  # no place kept yet: its cursor moves as a screen moves it; it notes the others'
            moved = map_cursor_as_read(writer["ref"], stored, writer["pos"], map_cursor(writer["ref"], stored, writer["pos"]),
                                       writer.get("others") or {}, anchors)
            writer.update(ref=stored, pos=moved, others=dict(anchors))

    for index, action in schedule:
        writer = writers[index]
        if action == "type" and writer["done"] < len(SENTENCES[index]):
            writer["typed"] += SENTENCES[index][writer["done"]]
            writer["done"] += 1
        elif action == "send":
            send(index)
        elif action == "read":
            read(index)
    for index, writer in enumerate(writers):
        writer["typed"] += SENTENCES[index][writer["done"]:]
        send(index)
    assert len(stored) == len(start) + sum(map(len, SENTENCES)) and stored.startswith(start)
    for sentence in SENTENCES:
        assert sentence in stored, stored
