"""Presence in the file backend: damaged or hostile presence files (tests/test_backend.py has the contract)."""

import pytest

from store.db import ReviewStore
from store.session import Member, present_in_order


@pytest.fixture
def store(tmp_path):
    return ReviewStore(tmp_path / "archive")


def test_a_damaged_or_hostile_presence_file_is_ignored_and_names_are_cleaned(store):
    review = store.create()
    store.announce(review.id, Member(id="mlee", name="Lee\x1b]0;owned\x07\nSam"))
    directory = store.meta_dir / "presence" / review.id
    (directory / "mbad.json").write_bytes(b"{not json")
    (directory / "mworse.json").write_bytes(b'{"id": "mworse", "name": 12}')
    [member] = store.present(review.id)
    assert member.name == "Lee Sam"


def test_the_facilitator_is_listed_first_then_everyone_by_name():
    members = [Member(id="m1", name="zed"), Member(id="m2", name="Amy", role="observer"),
               Member(id="m3", name="Bo", role="facilitator"), Member(id="m4", name="al")]
    assert [member.name for member in present_in_order(members)] == ["Bo", "al", "zed", "Amy"]
