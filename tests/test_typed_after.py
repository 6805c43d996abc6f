"""A step screen's typed review after each change is the one built from scratch (issue 14).

Per key typed the screen applies the change to its dict form and rebuilds
only the part that changed (``model.rebuilt``, ``step.typed_after``); what
it shows and checks must be exactly ``Review.from_dict`` of the same dict,
and the review it started from (the store's, shared) must not change.
"""

from __future__ import annotations

import copy
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from screens.step import typed_after  # noqa: E402
from store import ops  # noqa: E402
from store.model import Review  # noqa: E402


def review_doc() -> dict:
    doc = Review(id="pm-1", title="Checkout 500s", timezone="UTC", review_date="2026-11-20").to_dict()
    doc["timeline"] = [{"id": f"e{n}", "at": f"2026-11-20T10:{n:02d}:00+00:00", "text": f"event {n}", "marker": None}
                       for n in range(1, 6)]
    doc["actions"] = [{"id": f"a{n}", "what": f"action {n}", "owner": "Lee", "due": "2026-12-01", "type": "prevent",
                       "status": "open", "note": "", "done_on": ""} for n in range(1, 4)]
    doc["went_well"] = [{"id": "w1", "text": "paged fast"}, {"id": "w2", "text": "rollback worked"}]
    doc["five_whys"] = {"problem": "500s", "chains": [{"id": "c1", "whys": ["pool full", "leak"]}]}
    return doc


CHANGES = [
    ops.Edit("timeline", "e3", {"text": "event three, typed"}),
    ops.Edit("timeline", "e2", {"at": "2026-11-20T10:09:00+00:00"}),  # re-sorts the timeline
    ops.Edit("actions", "a2", {"what": "alert on replica lag", "owner": "Sam"}),
    ops.Edit("went_well", "w1", {"text": "paged within a minute"}),
    ops.Edit("five_whys.chains", "c1", {"whys": ["pool full", "leak", "no limit"]}),
    ops.Set("title", "Checkout returned 500s"),
    ops.Set("five_whys.problem", "HTTP 500 for 22 minutes"),
    ops.Set("follow_up.due", "2026-12-20"),
    ops.Set("session.spotlight", "Dana"),
    ops.Add("actions", {"what": "new action"}, item_id=ops.fresh_item_id()),
    ops.Add("timeline", {"at": "2026-11-20T10:00:30+00:00", "text": "first"}, item_id=ops.fresh_item_id()),
    ops.Move("went_well", "w2", -1),
    ops.Remove("actions", "a1"),
]


@pytest.mark.parametrize("op", CHANGES, ids=lambda op: type(op).__name__ + " " + getattr(op, "field", "") +
                         getattr(op, "list", ""))
def test_typed_review_after_a_change_is_the_review_built_from_scratch(op):
    doc = review_doc()
    review = Review.from_dict(doc)
    untouched = copy.deepcopy(review.to_dict())
    ops.apply(doc, op)
    assert typed_after(review, doc, op) == Review.from_dict(doc)
    assert review.to_dict() == untouched  # the review it started from is shared, never changed


def test_every_change_in_turn_keeps_the_typed_review_whole():
    doc = review_doc()
    review = Review.from_dict(doc)
    for op in CHANGES:
        ops.apply(doc, op)
        review = typed_after(review, doc, op)
        assert review == Review.from_dict(doc), op
    assert [event.text for event in review.timeline][:2] == ["first", "event 1"]


def test_unchanged_items_are_shared_and_the_changed_one_is_new():
    """What lets the item list skip the rows that did not change."""
    doc = review_doc()
    review = Review.from_dict(doc)
    op = ops.Edit("timeline", "e3", {"text": "typed"})
    ops.apply(doc, op)
    after = typed_after(review, doc, op)
    assert [a is b for a, b in zip(after.timeline, review.timeline)] == [True, True, False, True, True]
    assert after.actions is review.actions
