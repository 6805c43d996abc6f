"""The store interface's contract, once per backend: the per-review files and PostgreSQL.

Every test here runs against both (the ``open_archive`` fixture of
conftest.py, parametrised over the backends); each call of ``open_archive()``
is a store of its own on the same archive, as another process would have.
The PostgreSQL runs start a throwaway server and are skipped, saying why,
where PostgreSQL is not installed.  What only one backend has (files,
backups, the index; tables, migrations) is tested in that backend's own file.
"""

from __future__ import annotations

import threading
import time

import pytest

from store import ops
from store.backend import Change
from store.errors import InvalidField, UnknownItem, UnknownReview
from store.model import ReviewSummary, new_review
from store.session import GONE_AFTER, Member


def eventually(condition, seconds: float = 3.0) -> bool:
    """Changes reach another store's version() through a notice (PostgreSQL): give it a moment."""
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True


def texts(items) -> list[str]:
    return [item.text for item in items]


@pytest.fixture
def store(open_archive):
    return open_archive()


# -- one review -------------------------------------------------------------------


def test_create_get_and_the_newest_first_list(store) -> None:
    first = store.create()
    second = store.create(new_review("incident", "Checkout 500s").to_dict())
    assert (first.id, second.id) == ("pm-1", "pm-2")
    assert store.get("pm-2").title == "Checkout 500s"
    assert first.created.endswith("+00:00") and first.updated == first.created
    assert [review.id for review in store.list_reviews()] == ["pm-2", "pm-1"]
    store.apply("pm-1", ops.Set("title", "now newest"))
    assert [summary.id for summary in store.list_summaries()] == ["pm-1", "pm-2"]
    assert store.list_summaries()[0].title == "now newest"


def test_create_numbers_items_after_existing_ones_and_keeps_next_item(store) -> None:
    review = store.create({"went_well": [{"id": "i7", "text": "a"}, {"text": "b"}], "actions": [{"what": "c"}]})
    assert [item.id for item in review.went_well] == ["i7", "i8"]
    assert review.actions[0].id == "i9"
    assert store.apply(review.id, ops.Add("lucky", "d")).added == ["i10"]
    kept = store.create({"went_well": [{"id": "i1", "text": "a"}], "next_item": 40})
    assert store.apply(kept.id, ops.Add("went_well", "b")).added == ["i40"]


def test_apply_returns_the_change_with_the_added_ids(store) -> None:
    review = store.create()
    change = store.apply(review.id, ops.Add("went_well", "one"), ops.Add("went_well", "two"), ops.Set("title", "T"))
    assert isinstance(change, Change)
    assert change.added == ["i1", "i2"]
    assert change.review.title == "T" and texts(change.review.went_well) == ["one", "two"]
    assert change.review.updated >= review.updated
    assert store.get(review.id).to_dict() == change.review.to_dict()


def test_edit_move_remove(store) -> None:
    review_id = store.create().id
    one, two, three = store.apply(review_id, *(ops.Add("questions", t) for t in "abc")).added
    store.apply(review_id, ops.Edit("questions", two, {"answer": "yes"}), ops.Move("questions", three, -1))
    store.apply(review_id, ops.Remove("questions", one))
    questions = store.get(review_id).questions
    assert [(q.id, q.text, q.answer) for q in questions] == [(three, "c", ""), (two, "b", "yes")]


@pytest.mark.parametrize("bad_op", [
    ops.Set("severity", "SEV9"),
    ops.Set("no_such_field", "x"),
    ops.Edit("went_well", "i99", {"text": "x"}),
    ops.Remove("actions", "i99"),
    ops.Add("actions", {"what": "x", "type": "nonsense"}),
])
def test_an_op_that_raises_writes_nothing(open_archive, bad_op) -> None:
    store = open_archive()
    review_id = store.create().id
    store.apply(review_id, ops.Add("went_well", "kept"))
    before, version = store.get(review_id).to_dict(), store.version(review_id)
    with pytest.raises((InvalidField, UnknownItem)):
        store.apply(review_id, ops.Set("title", "half"), ops.Add("went_well", "half"), bad_op)
    assert open_archive().get(review_id).to_dict() == before
    time.sleep(0.2)  # a notice of a write, had there been one, would be in by now
    assert store.version(review_id) == version
    assert store.apply(review_id, ops.Add("went_well", "next")).added == ["i2"]


def test_text_is_sanitised_before_it_is_stored(store) -> None:
    review = store.create()
    store.apply(review.id, ops.Set("title", "Deploy\x1b]0;owned\x07 failed"))
    assert "\x1b" not in store.get(review.id).title


def test_two_stores_typing_into_one_field_both_keep_their_words(open_archive) -> None:
    one, two = open_archive(), open_archive()
    review = one.create()
    one.apply(review.id, ops.Set("impact", "Checkout down."))
    one.apply(review.id, ops.Set("impact", "Checkout down. 1200 orders failed.", base="Checkout down."))
    two.apply(review.id, ops.Set("impact", "Checkout down for 40 min.", base="Checkout down."))
    merged = open_archive().get(review.id).impact
    assert "1200 orders failed." in merged and "for 40 min" in merged, merged


def test_changes_to_different_items_by_two_stores_are_both_kept(open_archive) -> None:
    one, two = open_archive(), open_archive()
    review = one.create()
    first, second = one.apply(review.id, ops.Add("went_well", "a"), ops.Add("went_well", "b")).added
    one.apply(review.id, ops.Edit("went_well", first, {"text": "from one"}))
    two.apply(review.id, ops.Edit("went_well", second, {"text": "from two"}))
    assert texts(one.get(review.id).went_well) == ["from one", "from two"]


def test_threads_share_one_store_and_lose_nothing(store) -> None:
    review_id = store.create().id
    added: list[str] = []
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            for index in range(20):
                added.extend(store.apply(review_id, ops.Add("went_well", str(index))).added)
                store.list_reviews()
        except BaseException as error:  # reported below
            errors.append(error)

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert len(set(added)) == 80
    assert sorted(item.id for item in store.get(review_id).went_well) == sorted(added)


# -- ids ----------------------------------------------------------------------------


def test_review_ids_are_never_reused(open_archive) -> None:
    store = open_archive()
    for _ in range(3):
        store.create()
    store.delete("pm-3")
    assert store.create().id == "pm-4"
    store.delete("pm-4")
    reopened = open_archive()
    assert reopened.create().id == "pm-5"
    assert [review.id for review in reopened.list_reviews()] == ["pm-5", "pm-2", "pm-1"]
    for review_id in ("pm-1", "pm-2", "pm-5"):
        reopened.delete(review_id)
    assert open_archive().create().id == "pm-6"  # not even when every review was deleted


def test_item_ids_are_never_reused(open_archive) -> None:
    store = open_archive()
    review_id = store.create().id
    first, second = store.apply(review_id, ops.Add("actions", "a"), ops.Add("actions", "b")).added
    store.apply(review_id, ops.Remove("actions", second))
    assert store.apply(review_id, ops.Add("actions", "c")).added == ["i3"]
    store.apply(review_id, ops.Remove("actions", "i3"))
    reopened = open_archive()
    assert reopened.apply(review_id, ops.Add("went_well", "d")).added == ["i4"]
    assert [action.id for action in reopened.get(review_id).actions] == [first]


def test_a_deleted_review_is_gone_from_every_read(store) -> None:
    review = store.create()
    store.list_summaries()
    store.delete(review.id)
    assert store.list_summaries() == []
    for attempt in (lambda: store.get(review.id), lambda: store.apply(review.id, ops.Set("title", "x")),
                    lambda: store.delete(review.id)):
        with pytest.raises(UnknownReview):
            attempt()


@pytest.mark.parametrize("bad", ["", "pm-0", "pm-x", "1", "pm--1", "../pm-1", "pm-1.json", "pm-01", "pm-1 "])
def test_malformed_ids_are_unknown(store, bad: str) -> None:
    store.create()
    with pytest.raises(UnknownReview):
        store.get(bad)


# -- the archive, and watching it ------------------------------------------------------


def test_the_list_sees_other_processes_changes(open_archive) -> None:
    store, other = open_archive(), open_archive()
    review = store.create()
    assert store.list_summaries()[0].title == ""
    other.apply(review.id, ops.Set("title", "Renamed elsewhere"))
    created = other.create(new_review("incident", "Made elsewhere").to_dict())
    assert [s.title for s in store.list_summaries()] == ["Made elsewhere", "Renamed elsewhere"]
    other.delete(created.id)
    assert [s.id for s in store.list_summaries()] == [review.id]


def test_summaries_and_documents_match_the_full_reviews(store) -> None:
    first = store.create()
    second = store.create(new_review("project", "Late launch").to_dict())
    store.apply(second.id, ops.Add("actions", {"what": "Add a launch checklist", "status": "done"}))
    store.apply(second.id, ops.Add("actions", {"what": "Review estimates"}))
    summaries = store.list_summaries()
    assert [s.id for s in summaries] == [r.id for r in store.list_reviews()] == [second.id, first.id]
    assert (summaries[0].title, summaries[0].kind, summaries[0].open_actions) == ("Late launch", "project", 1)
    assert summaries[0].follow_up == store.get(second.id).follow_up.due
    assert store.read_documents(ReviewSummary.from_dict) == summaries
    assert [r.to_dict() for r in store.list_reviews()] == [store.get(r.id).to_dict() for r in (second, first)]
    assert store.damaged() == []


def test_version_of_one_review_and_of_the_archive_follow_other_processes(open_archive) -> None:
    store, other = open_archive(), open_archive()
    one, two = store.create(), store.create()
    review_version, archive_version, two_version = store.version(one.id), store.version(), store.version(two.id)
    assert store.version(one.id) == review_version  # polling alone changes nothing
    other.apply(one.id, ops.Set("impact", "EU checkout down"))
    assert eventually(lambda: store.version(one.id) != review_version)
    assert eventually(lambda: store.version() != archive_version)
    assert store.version(two.id) == two_version
    assert store.version("pm-99") is None


def test_a_write_reports_the_version_it_made(open_archive) -> None:
    store, other = open_archive(), open_archive()
    review = store.create()
    store.version(review.id)  # the app watches from the start
    change = store.apply(review.id, ops.Set("title", "mine"))
    assert eventually(lambda: store.version(review.id) == change.version)
    other.apply(review.id, ops.Set("title", "theirs"))
    assert eventually(lambda: store.version(review.id) != change.version)


# -- the live session ------------------------------------------------------------------


def let_time_pass(store, seconds: float, monkeypatch) -> None:
    """Members' heartbeats grow ``seconds`` older: this process's clock, and the database's rows."""
    if hasattr(store, "_pool"):
        with store._pool.connection() as connection:
            connection.execute("UPDATE postmortem_presence SET seen = seen - make_interval(secs => %s)",
                               (seconds,))
    later = time.time() + seconds  # what a process keeps in memory (PostgreSQL's notices) ages by its clock
    monkeypatch.setattr(time, "time", lambda: later)


def test_members_who_announce_themselves_are_present_and_the_review_is_untouched(open_archive) -> None:
    store = open_archive()
    review = store.create()
    before, version = store.get(review.id).to_dict(), store.version(review.id)
    store.announce(review.id, Member(id="mlee", name="Lee", role="facilitator", step="timeline"))
    open_archive().announce(review.id, Member(id="msam", name="Sam\x1b[2J", step="impact", typing=True))
    present = {member.name: member for member in store.present(review.id)}
    assert set(present) == {"Lee", "Sam"}
    assert present["Lee"].leads and present["Lee"].step == "timeline"
    assert present["Sam"].typing and present["Sam"].step == "impact"
    assert store.get(review.id).to_dict() == before
    time.sleep(0.2)  # a notice of presence, had it changed the review's version, would be in by now
    assert store.version(review.id) == version


def test_a_member_who_departs_or_falls_silent_is_no_longer_present(store, monkeypatch) -> None:
    review = store.create()
    store.announce(review.id, Member(id="mlee", name="Lee"))
    store.announce(review.id, Member(id="msam", name="Sam"))
    store.depart(review.id, "mlee")
    assert [member.name for member in store.present(review.id)] == ["Sam"]
    let_time_pass(store, GONE_AFTER + 0.5, monkeypatch)
    assert store.present(review.id) == []


def test_presence_of_one_review_is_not_seen_in_another(store) -> None:
    first, second = store.create(), store.create()
    store.announce(first.id, Member(id="mlee", name="Lee"))
    assert store.present(second.id) == []
