"""The store against a plain in-memory model, under random sequences of changes.

Hypothesis drives adds, edits, moves and removals of items in several lists,
creation and deletion of reviews, failed changes, switching between two store
objects on the same archive, and reopening the store; after every step
what the store returns must equal the model.  This is what catches a stale
cache, a lost write or a reused id that hand-written cases miss.  It runs against
every backend (the files, and PostgreSQL where it is installed).
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (RuleBasedStateMachine, initialize, invariant, precondition, rule,
                                 run_state_machine_as_test)

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from store.backend import open_backend  # noqa: E402
from store.errors import InvalidField, UnknownItem  # noqa: E402
from store.ops import Add, Edit, Move, Remove, Set  # noqa: E402

# List name -> the field a plain text fills in.  Timeline events without a
# time all sort equal, so the store keeps their order as the model does.
LISTS = {"went_well": "text", "could_improve": "text", "questions": "text",
         "actions": "what", "timeline": "text"}
TEXT = st.text(alphabet="abcdefghij XYZ-[]/", max_size=8)


class StoreMachine(RuleBasedStateMachine):
    """Random store usage, with the expected state kept in plain dicts and lists."""

    new_archive = None  # set by the test: makes a fresh, empty archive and returns its location

    @initialize()
    def open_store(self) -> None:
        self.location = type(self).new_archive()
        self.stores = [open_backend(self.location), open_backend(self.location)]
        self.current = 0
        self.reviews: dict[str, dict[str, list[list[str]]]] = {}
        self.next_item: dict[str, int] = {}
        self.next_review = 1

    def teardown(self) -> None:
        for store in getattr(self, "stores", []):
            store.close()

    @property
    def store(self):
        return self.stores[self.current]

    # -- reviews --------------------------------------------------------------

    @rule()
    def create_review(self) -> None:
        review = self.store.create()
        assert review.id == f"pm-{self.next_review}"
        self.next_review += 1
        self.reviews[review.id] = {name: [] for name in LISTS}
        self.next_item[review.id] = 1

    @precondition(lambda self: self.reviews)
    @rule(data=st.data())
    def delete_review(self, data) -> None:
        review_id = data.draw(st.sampled_from(sorted(self.reviews)))
        self.store.delete(review_id)
        del self.reviews[review_id]

    @rule(which=st.integers(0, 1))
    def switch_store(self, which: int) -> None:
        self.current = which

    @rule()
    def reopen(self) -> None:
        self.stores[self.current].close()
        self.stores[self.current] = open_backend(self.location)

    # -- items ----------------------------------------------------------------

    @precondition(lambda self: self.reviews)
    @rule(data=st.data(), list_name=st.sampled_from(sorted(LISTS)), text=TEXT)
    def add_item(self, data, list_name: str, text: str) -> None:
        review_id = data.draw(st.sampled_from(sorted(self.reviews)))
        items = self.reviews[review_id][list_name]
        after = data.draw(st.none() | st.sampled_from([item[0] for item in items])) if items else None
        change = self.store.apply(review_id, Add(list_name, text, after=after))
        expected = f"i{self.next_item[review_id]}"
        assert change.added == [expected]
        self.next_item[review_id] += 1
        position = len(items) if after is None else [i[0] for i in items].index(after) + 1
        items.insert(position, [expected, text])

    def _pick_item(self, data) -> tuple[str, str, list[list[str]], int]:
        choices = [(rid, name) for rid, lists in sorted(self.reviews.items())
                   for name, items in sorted(lists.items()) if items]
        review_id, list_name = data.draw(st.sampled_from(choices))
        items = self.reviews[review_id][list_name]
        index = data.draw(st.integers(0, len(items) - 1))
        return review_id, list_name, items, index

    def _has_items(self) -> bool:
        return any(items for lists in self.reviews.values() for items in lists.values())

    @precondition(_has_items)
    @rule(data=st.data(), text=TEXT)
    def edit_item(self, data, text: str) -> None:
        review_id, list_name, items, index = self._pick_item(data)
        self.store.apply(review_id, Edit(list_name, items[index][0], {LISTS[list_name]: text}))
        items[index][1] = text

    @precondition(_has_items)
    @rule(data=st.data(), offset=st.sampled_from([-1, 1]))
    def move_item(self, data, offset: int) -> None:
        review_id, list_name, items, index = self._pick_item(data)
        self.store.apply(review_id, Move(list_name, items[index][0], offset))
        target = max(0, min(len(items) - 1, index + offset))
        items.insert(target, items.pop(index))

    @precondition(_has_items)
    @rule(data=st.data())
    def remove_item(self, data) -> None:
        review_id, list_name, items, index = self._pick_item(data)
        self.store.apply(review_id, Remove(list_name, items[index][0]))
        items.pop(index)

    @precondition(lambda self: self.reviews)
    @rule(data=st.data(), bad=st.sampled_from(["unknown item", "bad value"]))
    def failed_change(self, data, bad: str) -> None:
        review_id = data.draw(st.sampled_from(sorted(self.reviews)))
        failing = Remove("went_well", "i0") if bad == "unknown item" else Set("kind", "neither")
        with pytest.raises((UnknownItem, InvalidField)):
            self.store.apply(review_id, Add("went_well", "lost"), Set("title", "lost"), failing)

    # -- the check ------------------------------------------------------------

    @invariant()
    def store_matches_model(self) -> None:
        if not hasattr(self, "stores"):
            return
        listed = self.store.list_reviews()
        assert sorted(review.id for review in listed) == sorted(self.reviews)
        for review in listed:
            assert review.title == ""
            for list_name, field in LISTS.items():
                stored = [[item.id, getattr(item, field)] for item in getattr(review, list_name)]
                assert stored == self.reviews[review.id][list_name], (review.id, list_name)


SETTINGS = settings(
    max_examples=60,
    stateful_step_count=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


def test_the_store_matches_a_plain_model(new_archive) -> None:
    StoreMachine.new_archive = staticmethod(new_archive)
    run_state_machine_as_test(StoreMachine, settings=SETTINGS)
