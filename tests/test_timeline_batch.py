"""Many timeline events added in one change come out in time order, ties in the order given (sorted once)."""

from __future__ import annotations

from store import ops
from store.model import new_review


def test_a_batch_of_events_is_in_time_order_with_ties_in_the_order_given():
    doc = new_review().to_dict()
    ops.apply(doc, ops.Add("timeline", {"at": "2026-11-20T10:00:00+00:00", "text": "already there"}))
    added = ops.apply_all(doc, [
        ops.Add("timeline", {"at": "2026-11-20T12:00:00+00:00", "text": "noon"}),
        ops.Add("timeline", {"at": "2026-11-20T09:00:00+00:00", "text": "nine"}),
        ops.Add("timeline", {"at": "2026-11-20T10:00:00+00:00", "text": "ten, second"}),
        ops.Add("timeline", {"at": "not a time yet", "text": "being typed"}),
        ops.Add("went_well", "fast rollback"),
    ])
    assert [event["text"] for event in doc["timeline"]] == ["nine", "already there", "ten, second", "noon",
                                                            "being typed"]
    assert added == ["i2", "i3", "i4", "i5", "i6"]
