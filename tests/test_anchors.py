"""The store keeps where each terminal's typing ends in a text typed into at once, and nothing else shows it."""

from __future__ import annotations

from store import ops
from store.db import ReviewStore
from store.interchange import export_document
from store.merge import map_cursor, map_cursor_as_read, merge_anchored
from tui_helpers import complete_review, seed, stored


def test_each_writer_s_place_is_kept_in_the_file_and_moved_by_the_others_writes(tmp_path):
    db = tmp_path / "reviews.json"
    review_id = seed(db, dict(complete_review("impact"), impact="down."))
    store = ReviewStore(db)
    store.apply(review_id, ops.Set("impact", "down. ", base="down.", writer="A", at=6))
    store.apply(review_id, ops.Set("impact", "down. ", base="down.", writer="B", at=6))
    store.apply(review_id, ops.Set("impact", "down. S", base="down. ", writer="A", at=7, base_at=6))
    doc = stored(db, review_id)
    assert doc["impact"] == "down.  S"  # B's space first, A's letter after A's own space
    assert doc["anchors"] == {"impact": {"B": 6, "A": 8}}
    review = store.get(review_id)
    assert review.anchors == {"impact": {"B": 6, "A": 8}}
    assert "anchors" not in export_document(review) and "anchors" not in review.to_dict()


def test_an_item_s_places_go_with_the_item_and_a_text_set_outright_keeps_none(tmp_path):
    db = tmp_path / "reviews.json"
    review_id = seed(db, dict(complete_review("could_improve"), could_improve=[{"text": "No canary"}]))
    store = ReviewStore(db)
    item_id = store.get(review_id).could_improve[0].id
    store.apply(review_id, ops.Edit("could_improve", item_id, {"text": "No canary stage"}, {"text": "No canary"},
                                    writer="A", at={"text": 15}, base_at={"text": 9}))
    impact = store.get(review_id).impact
    store.apply(review_id, ops.Set("impact", "x" + impact, base=impact, writer="A", at=1))
    assert stored(db, review_id)["anchors"] == {f"could_improve.{item_id}.text": {"A": 15}, "impact": {"A": 1}}
    store.apply(review_id, ops.Remove("could_improve", item_id), ops.Set("impact", "replaced"))
    assert stored(db, review_id)["anchors"] == {}


def test_a_file_holding_something_else_where_the_places_go_is_still_merged_into(tmp_path):
    doc = {"impact": "down.", "anchors": {"impact": {"A": "nine", "B": True}}}
    ops.apply(doc, ops.Set("impact", "down. ok", base="down.", writer="C", at=8))
    assert doc["impact"] == "down. ok" and doc["anchors"] == {"impact": {"C": 8}}
    doc = {"impact": "down.", "anchors": ["not", "an", "object"]}
    ops.apply(doc, ops.Set("impact", "down. ok", base="down.", writer="C", at=8))
    assert doc["anchors"] == {"impact": {"C": 8}}


def test_a_review_keeps_places_only_in_the_texts_last_typed_into(tmp_path):
    doc = {"timeline": [{"id": f"i{n}", "text": "", "at": "", "marker": None} for n in range(ops.ANCHORED_TEXTS + 3)]}
    for n in range(ops.ANCHORED_TEXTS + 3):
        ops.apply(doc, ops.Edit("timeline", f"i{n}", {"text": "x"}, {"text": ""}, writer="A", at={"text": 1}))
    assert len(doc["anchors"]) == ops.ANCHORED_TEXTS
    assert "timeline.i0.text" not in doc["anchors"] and f"timeline.i{ops.ANCHORED_TEXTS + 2}.text" in doc["anchors"]


def test_typed_text_never_holds_the_marks_the_store_merges_with(tmp_path):
    doc = {"impact": ""}
    ops.apply(doc, ops.Set("impact", "a\ufdd0b\ufdefc", base="", writer="A", at=5))
    assert doc["impact"] == "abc" and doc["anchors"] == {"impact": {"A": 3}}


def test_each_answer_of_a_chain_keeps_its_writers_places():
    doc = {"five_whys": {"problem": "Checkout failed", "chains": [{"id": "i1", "whys": ["down.", "No alert"]}]}}

    def typed(writer: str, base: str, mine: str, at: int, base_at: int | None = None) -> None:
        ops.apply(doc, ops.Edit("five_whys.chains", "i1", {"whys": [mine, "No alert"]}, {"whys": [base, "No alert"]},
                                writer=writer, at={"whys": [at, None]}, base_at={"whys": [base_at, None]}))

    typed("A", "down.", "down. ", 6)
    typed("B", "down.", "down. ", 6)
    typed("A", "down. ", "down. S", 7, base_at=6)  # A never saw B's space: its letter still follows its own
    assert doc["five_whys"]["chains"][0]["whys"] == ["down.  S", "No alert"]
    assert doc["anchors"] == {"five_whys.chains.i1.whys.0": {"B": 6, "A": 8}}


def test_a_new_item_s_first_keys_give_its_writer_a_place_there():
    doc = {"could_improve": []}
    ops.apply(doc, ops.Add("could_improve", {"text": " The"}, item_id="iabcdefghi", writer="A", at={"text": 4}))
    assert doc["anchors"] == {"could_improve.iabcdefghi.text": {"A": 4}}
    ops.apply(doc, ops.Edit("could_improve", "iabcdefghi", {"text": " The The"}, {"text": " The"},
                            writer="B", at={"text": 8}, base_at={"text": 4}))  # B (no place yet) typed the same
    ops.apply(doc, ops.Edit("could_improve", "iabcdefghi", {"text": " The cache"}, {"text": " The"},
                            writer="A", at={"text": 10}, base_at={"text": 4}))
    assert doc["could_improve"][0]["text"] == " The cache The"  # A's word right after A's " The"


def test_someone_who_stopped_at_the_end_types_on_before_a_sentence_appended_after_them():
    """As a cursor stays put when another's text arrives right at it (README: live editing)."""
    text, anchors = merge_anchored("Checkout down.", "Checkout down. EU only", "Checkout down.", {}, "A", at=22)
    text, anchors = merge_anchored("Checkout down. EU only", "Checkout down. EU only. Orders failed.", text.text,
                                   anchors, "B", at=38)
    assert anchors == {"A": 22, "B": 38}
    text, anchors = merge_anchored("Checkout down. EU only", "Checkout down. EU only, for 40 minutes",
                                   text.text, anchors, "A", at=38, base_at=22)
    assert text.text == "Checkout down. EU only, for 40 minutes. Orders failed."


def test_a_first_write_from_where_another_s_typing_ended_goes_after_what_they_typed_on_since():
    """C's cursor was at the end, right after A's " T"; A typed on ("he"), then C's first keys arrived."""
    text, anchors = merge_anchored("Checkout down. T", "Checkout down. The", "Checkout down. T", {"A": 16}, "A",
                                   at=18, base_at=16)
    text, anchors = merge_anchored("Checkout down. T", "Checkout down. T The", text.text, anchors, "C",
                                   at=20, base_at=16)
    assert text.text == "Checkout down. The The" and anchors == {"A": 18, "C": 22}


def test_a_first_write_goes_after_words_typed_on_at_its_cursor_and_before_a_place_elsewhere():
    """A typed ", 40 min" on from where B's cursor was; B's sentence follows A's words, whatever A's place."""
    text, anchors = merge_anchored("Checkout down. EU only", "Checkout down. EU only. Orders failed.",
                                   "Checkout down. EU only, 40 min", {"A": 30}, "B", at=38, base_at=22)
    assert text.text == "Checkout down. EU only, 40 min. Orders failed." and anchors == {"A": 30, "B": 46}


def test_text_that_arrived_at_a_cursor_from_no_one_s_typing_leaves_it_where_it_was():
    text, anchors = merge_anchored("Checkout down. EU only", "Checkout down. EU only. Orders failed.",
                                   "Checkout down. EU only, 40 min", {"A": 5}, "B", at=38, base_at=22)
    assert text.text == "Checkout down. EU only. Orders failed., 40 min" and anchors["B"] == 38


def test_a_chain_s_answers_set_outright_keep_no_places():
    doc = {"five_whys": {"problem": "p", "chains": [{"id": "i1", "whys": ["down."]}]}}
    ops.apply(doc, ops.Edit("five_whys.chains", "i1", {"whys": ["down. x"]}, {"whys": ["down."]},
                            writer="A", at={"whys": [7]}))
    assert doc["anchors"] == {"five_whys.chains.i1.whys.0": {"A": 7}}
    ops.apply(doc, ops.Edit("five_whys.chains", "i1", {"whys": ["imported"]}))
    assert doc["anchors"] == {}


SENTENCES = (" The cache was cold.", " The queue was full.", " The disk was full.")


def test_a_first_write_in_a_chain_s_answer_is_placed_by_the_others_places_it_read():
    """Three people answer one why at once; the third's cursor sat between the others' fresh spaces when it read.

    The case test_merge's property found for a whole text (its pinned
    example), through the store's ops for a chain's answer: the third's first
    write carries the others' places it read (``base_places``, one per answer).
    """
    start = "Checkout down."
    doc = {"five_whys": {"problem": "p", "chains": [{"id": "i1", "whys": [start, "No alert"]}]}}
    key = "five_whys.chains.i1.whys.0"
    writers = [{"ref": start, "pos": len(start), "typed": "", "sent": False, "others": None} for _ in SENTENCES]

    def answer() -> str:
        return doc["five_whys"]["chains"][0]["whys"][0]

    def send(index: int) -> None:
        writer = writers[index]
        ref, pos, typed = writer["ref"], writer["pos"], writer["typed"]
        mine = ref[:pos] + typed + ref[pos:]
        others = None if writer["sent"] else writer["others"]
        ops.apply(doc, ops.Edit("five_whys.chains", "i1", {"whys": [mine, "No alert"]}, {"whys": [ref, "No alert"]},
                                writer=str(index), at={"whys": [pos + len(typed), None]},
                                base_at={"whys": [pos, None]}, base_places={"whys": [others, None]}))
        writer.update(ref=mine, pos=pos + len(typed), typed="", sent=True)

    def read(index: int) -> None:  # as TextSync reads before its first write: the cursor moved, the others noted
        writer, stored, places = writers[index], answer(), dict(doc["anchors"][key])
        moved = map_cursor_as_read(writer["ref"], stored, writer["pos"], map_cursor(writer["ref"], stored, writer["pos"]),
                                   {}, places)
        writer.update(ref=stored, pos=moved, others=places)

    writers[0]["typed"] = " "
    send(0)
    writers[1]["typed"] = " "
    send(1)
    read(2)
    for index, sentence in enumerate(SENTENCES):
        writers[index]["typed"] += sentence[1:] if index < 2 else sentence
        send(index)
    assert len(answer()) == len(start) + sum(map(len, SENTENCES))
    assert all(sentence in answer() for sentence in SENTENCES), answer()
    assert doc["five_whys"]["chains"][0]["whys"][1] == "No alert"
