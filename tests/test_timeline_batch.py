"""Many timeline events added in one change come out in time order, ties in the order given (sorted once)."""

from __future__ import annotations

import copy

from hypothesis import given, settings
from hypothesis import strategies as st

from store import ops
from store.model import new_review
from store.timeline import sort_key


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


TIMES = ["2026-11-20T09:00:00+00:00", "2026-11-20T10:45:00+00:00", "2026-11-20T10:00:00+00:00", "2026-11-20T10:00:00", "2026-11-20 11:30",
         "12:00", "not a time yet", ""]
ZONES = ["UTC", "Europe/Berlin", "America/New_York"]
step = st.one_of(
    st.tuples(st.just("add"), st.sampled_from(TIMES)),
    st.tuples(st.just("time"), st.sampled_from(TIMES)),
    st.tuples(st.just("text"), st.text(max_size=5)),
    st.tuples(st.just("remove"), st.none()),
    st.tuples(st.just("zone"), st.sampled_from(ZONES)),
)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(step, st.integers(0, 20)), max_size=25), st.booleans())
def test_whatever_is_done_to_the_timeline_it_stays_in_time_order(steps, batched):
    """Only some changes re-sort the timeline (editing an event's text does not): it must stay sorted all the same.

    ``batched``: the same changes applied three at a time (``apply_all``, one sort at the end); the events
    they name are picked from a copy changed one at a time.
    """
    doc = new_review().to_dict()
    shadow = copy.deepcopy(doc)
    batch = []
    for (kind, value), pick in steps:
        events = shadow["timeline"]
        if kind == "add":
            op = ops.Add("timeline", {"at": value, "text": "event"})
        elif kind == "zone":
            op = ops.Set("timezone", value)
        elif not events:
            continue
        else:
            event_id = events[pick % len(events)]["id"]
            op = (ops.Remove("timeline", event_id) if kind == "remove"
                  else ops.Edit("timeline", event_id, {"at" if kind == "time" else "text": value}))
        ops.apply(shadow, op)
        batch.append(op)
        if not batched or len(batch) == 3:
            ops.apply_all(doc, batch)
            batch = []
    ops.apply_all(doc, batch)
    for stored in (doc, shadow):
        zone = stored.get("timezone", "UTC")
        assert stored["timeline"] == sorted(stored["timeline"], key=lambda event: sort_key(event, zone))


def test_a_new_timezone_re_sorts_times_typed_without_an_offset():
    """10:45 UTC is after 11:30 typed in UTC's review, but before 11:30 in Berlin (10:30 UTC)."""
    doc = new_review().to_dict()
    ops.apply(doc, ops.Add("timeline", {"at": "2026-11-20 11:30", "text": "typed, local"}))
    ops.apply(doc, ops.Add("timeline", {"at": "2026-11-20T10:45:00+00:00", "text": "pasted, UTC"}))
    assert [event["text"] for event in doc["timeline"]] == ["pasted, UTC", "typed, local"]
    ops.apply(doc, ops.Set("timezone", "Europe/Berlin"))
    assert [event["text"] for event in doc["timeline"]] == ["typed, local", "pasted, UTC"]


def test_a_review_imported_with_its_events_out_of_order_is_stored_in_time_order(tmp_path):
    """Editing an event's text does not sort the timeline, so a new review's must be sorted from the start."""
    from store.db import ReviewStore

    doc = new_review().to_dict() | {"timeline": [
        {"at": "2026-11-20T12:00:00+00:00", "text": "noon"},
        {"at": "not a time", "text": "no time"},
        {"at": "2026-11-20T09:00:00+00:00", "text": "nine"},
    ]}
    review = ReviewStore(tmp_path / "reviews.json").create(doc)
    assert [event.text for event in review.timeline] == ["nine", "noon", "no time"]
    stored = ReviewStore(tmp_path / "reviews.json").get(review.id)
    assert [event.text for event in stored.timeline] == ["nine", "noon", "no time"]
