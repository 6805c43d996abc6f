"""The archive: what is due on a fixed day, and finding reviews by words and filters."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from store.archive import (  # noqa: E402
    ArchiveQuery,
    QueryError,
    TextIndex,
    due_reasons,
    follow_up_state,
    is_due,
    overdue_actions,
    parse_query,
    read_severity,
    review_text,
    search,
)
from store.model import ReviewSummary  # noqa: E402

TODAY = date(2026, 12, 21)


def summary(follow_up: str = "", held: str = "", dues: tuple[str, ...] = (), **fields) -> ReviewSummary:
    base = dict(id="pm-1", title="", kind="incident", step="summary", updated="", open_actions=len(dues))
    return ReviewSummary(**(base | fields), follow_up=follow_up, follow_up_held=held, open_action_dues=dues)


# What is due -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("due", "held", "state"),
    [
        ("2026-12-20", "", "overdue"),
        ("2026-12-21", "", "due"),
        ("2026-12-22", "", "soon"),
        ("2026-12-28", "", "soon"),  # 7 days ahead
        ("2026-12-29", "", ""),  # 8 days ahead
        ("2026-12-20", "2026-12-20", ""),  # held on the day
        ("2026-12-20", "2026-12-23", ""),  # held late, but held
        ("2027-01-20", "2026-12-20", ""),  # held, the next one a month away
        ("2026-12-15", "2026-11-15", "overdue"),  # held once, actions left open, the next one now late
        ("", "", ""),
        ("next month", "", ""),  # not a date: never due
        ("2026-12-01", "garbage", "overdue"),  # an unreadable held date is not a holding
    ],
)
def test_follow_up_state_on_a_fixed_day(due, held, state):
    one_open_action = ("2027-06-01",)
    assert follow_up_state(summary(due, held, one_open_action), TODAY) == state


def test_a_follow_up_held_before_its_date_that_closed_every_action_is_not_due_again():
    assert follow_up_state(summary("2026-12-15", "2026-11-15"), TODAY) == ""


def test_overdue_actions_count_open_ones_due_before_today_and_ignore_unreadable_dates():
    late = summary(dues=("2026-12-20", "2026-12-21", "2026-12-01", "", "soon", "2026-13-45"))
    assert overdue_actions(late, TODAY) == 2
    assert overdue_actions(summary(dues=("2026-12-21", "2027-01-01")), TODAY) == 0


def test_due_reasons_say_why_in_words():
    both = summary("2026-12-01", dues=("2026-12-20", "2026-12-19"))
    assert due_reasons(both, TODAY) == ["follow-up overdue since 2026-12-01", "2 actions overdue"]
    assert due_reasons(summary("2026-12-21", dues=("2026-12-20",)), TODAY) == ["follow-up due today", "1 action overdue"]
    assert due_reasons(summary("2026-12-25"), TODAY) == []  # soon is shown, not due
    assert is_due(both, TODAY) and not is_due(summary("2026-12-25"), TODAY)


# Finding reviews ---------------------------------------------------------------------


def doc(number: int, **fields) -> dict:
    base = {
        "id": f"pm-{number}", "kind": "incident", "title": f"Review {number}", "severity": "SEV2",
        "review_date": "2026-06-01", "tags": [], "actions": [], "follow_up": {"due": "2027-06-01", "held": None},
        "timeline": [], "five_whys": {"problem": "", "chains": []}, "updated": f"2026-06-0{number}",
    }
    return base | fields


DOCS = [
    doc(1, title="Checkout API returned HTTP 500s", severity="SEV1", tags=["Checkout", "db"],
        timeline=[{"id": "i1", "at": "2026-05-30T10:00:00+00:00", "text": "Pager woke the on-call", "marker": "detected"}],
        actions=[{"id": "i2", "what": "Alert on pool size", "due": "2026-12-01", "status": "open"}],
        review_date="2026-05-31", follow_up={"due": "2026-12-01", "held": None}),
    doc(2, kind="project", severity="", title="Q3 migration overran", tags=["migration"],
        five_whys={"problem": "Six weeks late", "chains": [{"id": "i3", "whys": ["Estimates skipped the backfill"]}]},
        actions=[{"id": "i4", "what": "Plan backfills", "due": "2027-01-10", "status": "done"}],
        review_date="2026-09-15"),
    doc(3, title="Login errors", severity="SEV3", participants=["Dana", "Yusuf"],
        questions=[{"id": "i5", "text": "Will the CDN change recur?", "answer": "Not after the rollback"}],
        actions=[{"id": "i6", "what": "Pin the CDN config", "due": "2027-02-01", "status": "slipped"}],
        review_date="not a date"),
]


@pytest.fixture
def archive():
    index = TextIndex()
    index.refresh(DOCS)
    return [ReviewSummary.from_dict(d) for d in DOCS], index.texts()


def ids(found) -> list[str]:
    return [review.id for review in found]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", ["pm-1", "pm-2", "pm-3"]),
        ("pager", ["pm-1"]),  # only in a timeline event
        ("PAGER on-call", ["pm-1"]),  # any case, every word
        ("pager backfill", []),  # words in different reviews
        ("backfill", ["pm-2"]),  # a why and an action
        ("yusuf", ["pm-3"]),  # a participant
        ("rollback", ["pm-3"]),  # a question's answer
        ("checkout", ["pm-1"]),  # title and tag
        ("pm-2", ["pm-2"]),  # the id
        ("kind:project", ["pm-2"]),
        ("kind:proj", ["pm-2"]),  # a unique beginning will do
        ("sev:1", ["pm-1"]),
        ("sev:SEV3", ["pm-3"]),
        ("tag:DB", ["pm-1"]),  # tags compare in any case, whole
        ("tag:d", []),
        ("status:open", ["pm-1", "pm-3"]),  # open or slipped actions
        ("status:done", ["pm-2"]),
        ("status:due", ["pm-1"]),  # follow-up and an action late on TODAY
        ("since:2026-06-01", ["pm-2"]),  # an unreadable review date never falls in a range
        ("until:2026-05-31", ["pm-1"]),
        ("since:2026-05-01 until:2026-12-31 kind:incident", ["pm-1"]),
        ("alert status:open", ["pm-1"]),
    ],
)
def test_search_finds_exactly(archive, text, expected):
    summaries, texts = archive
    query, problems = parse_query(text)
    assert problems == []
    assert ids(search(summaries, query, TODAY, texts)) == expected


def test_a_filter_word_that_cannot_be_used_is_named_and_left_out():
    query, problems = parse_query("pager kind:banana sev:9 since:2026-13-01 status:")
    assert query == ArchiveQuery(words=("pager",))
    assert [p.split(":")[0] for p in problems] == ["kind", "severity", "since", "status"]
    assert parse_query("http://example.com")[0].words == ("http://example.com",)  # not a filter key


def test_without_texts_words_are_looked_for_in_id_and_title_only(archive):
    summaries, _ = archive
    assert ids(search(summaries, ArchiveQuery(words=("login",)), TODAY)) == ["pm-3"]
    assert ids(search(summaries, ArchiveQuery(words=("pager",)), TODAY)) == []


def test_review_text_takes_plain_string_items_and_odd_shapes():
    text = review_text({"id": "pm-9", "went_well": ["Fast ROLLBACK"], "five_whys": None, "actions": [None, 3]})
    assert "fast rollback" in text


def test_the_index_rebuilds_only_reviews_that_changed():
    index = TextIndex()
    index.refresh(DOCS)
    changed = [DOCS[0] | {"title": "Renamed", "updated": "later"}, DOCS[1]]
    index.refresh(changed)
    assert len(index) == 2  # pm-3 is gone
    assert "renamed" in index.get("pm-1") and "q3 migration" in index.get("pm-2")


def test_read_severity_accepts_the_usual_spellings():
    assert [read_severity(v) for v in ("1", "sev2", " SEV3 ", "Sev 4")] == ["SEV1", "SEV2", "SEV3", "SEV4"]
    with pytest.raises(QueryError, match="severity"):
        read_severity("SEV5")
