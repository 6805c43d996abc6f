"""Presence in the store: who is in a review's session, kept beside the review and never in it."""

import time

import pytest

from store.db import ReviewStore
from store.session import GONE_AFTER, Member, present_in_order


@pytest.fixture
def store(tmp_path):
    return ReviewStore(tmp_path / "archive")


def test_members_who_announce_themselves_are_present_and_the_review_file_is_untouched(store):
    review = store.create()
    before = store.review_path(review.id).read_bytes()
    store.announce(review.id, Member(id="mlee", name="Lee", role="facilitator", step="timeline"))
    store.announce(review.id, Member(id="msam", name="Sam", step="impact", typing=True))
    present = {member.name: member for member in store.present(review.id)}
    assert set(present) == {"Lee", "Sam"}
    assert present["Lee"].leads and present["Lee"].step == "timeline"
    assert present["Sam"].typing and present["Sam"].step == "impact"
    assert store.review_path(review.id).read_bytes() == before
    assert store.version(review.id) == store.version(review.id)


def test_a_member_who_departs_or_falls_silent_is_no_longer_present(store, monkeypatch):
    review = store.create()
    store.announce(review.id, Member(id="mlee", name="Lee"))
    store.announce(review.id, Member(id="msam", name="Sam"))
    store.depart(review.id, "mlee")
    assert [member.name for member in store.present(review.id)] == ["Sam"]
    later = time.time() + GONE_AFTER + 0.5
    monkeypatch.setattr(time, "time", lambda: later)
    assert store.present(review.id) == []


def test_a_damaged_or_hostile_presence_file_is_ignored_and_names_are_cleaned(store):
    review = store.create()
    store.announce(review.id, Member(id="mlee", name="Lee\x1b]0;owned\x07\nSam"))
    directory = store.meta_dir / "presence" / review.id
    (directory / "mbad.json").write_bytes(b"{not json")
    (directory / "mworse.json").write_bytes(b'{"id": "mworse", "name": 12}')
    [member] = store.present(review.id)
    assert member.name == "Lee Sam"


def test_presence_of_one_review_is_not_seen_in_another(store):
    first, second = store.create(), store.create()
    store.announce(first.id, Member(id="mlee", name="Lee"))
    assert store.present(second.id) == []


def test_the_facilitator_is_listed_first_then_everyone_by_name():
    members = [Member(id="m1", name="zed"), Member(id="m2", name="Amy", role="observer"),
               Member(id="m3", name="Bo", role="facilitator"), Member(id="m4", name="al")]
    assert [member.name for member in present_in_order(members)] == ["Bo", "al", "zed", "Amy"]
