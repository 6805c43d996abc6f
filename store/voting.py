"""Dot voting: agree what matters most, without the tally swaying anyone until the vote closes.

The facilitator opens a vote on a step's list (could improve, or the Five
Whys chains, whose root causes are voted on): each
participant has ``per_person`` dots, at most ``per_item`` on one item.
While the vote is open each item keeps a ``ballot`` (voter: dots), merged
voter by voter in the store so that people voting at once never undo each
other; everyone sees only their own dots.  Closing the vote turns each
ballot into the item's ``votes`` count (who voted how is not kept), and the
items rank by votes from then on.  Nothing here imports Textual.
"""

from __future__ import annotations

from collections import Counter

from store import ops
from store.model import Review

# The steps with a vote, and the list voted on.
VOTE_LISTS = ops.VOTE_LISTS
MAX_DOTS = 12


def items_in(review: Review, list_name: str) -> list:
    """The items of a list voted on ("five_whys.chains" is nested)."""
    if list_name == "five_whys.chains":
        return review.five_whys.chains
    return getattr(review, list_name)


def votable(item) -> bool:
    """A card with text, or a chain with a root cause: something to vote for.

    A card still hidden (held back by the facilitator, or not revealed) is
    not: only its author sees it, and their dots would count for nothing the
    room can read.
    """
    if getattr(item, "hidden", False):
        return False
    return bool((item.root_cause if hasattr(item, "root_cause") else item.text).strip())


def vote_open(review: Review, step: str) -> bool:
    vote = review.session.vote
    return vote.get("step") == step and vote.get("state") == "open"


def limits(review: Review) -> tuple[int, int]:
    """(dots per person, at most on one item) of the vote."""
    vote = review.session.vote
    return int(vote.get("per_person", 3)), int(vote.get("per_item", 3))


def parse_limits(answer: str) -> tuple[int, int]:
    """"3 2" (or "3"): dots per person and at most on one item; ValueError with a message naming the field."""
    parts = answer.replace(",", " ").split()
    if not parts or len(parts) > 2 or not all(part.isdigit() for part in parts):
        raise ValueError(f"Votes: {answer.strip()!r} is not one or two numbers (e.g. 3 2: three votes each, "
                         "at most two on one item)")
    per_person = int(parts[0])
    per_item = int(parts[1]) if len(parts) == 2 else per_person
    if not 1 <= per_person <= MAX_DOTS:
        raise ValueError(f"Votes per person: {per_person} is not from 1 to {MAX_DOTS}")
    if not 1 <= per_item <= per_person:
        raise ValueError(f"Votes on one item: {per_item} is not from 1 to {per_person} (the votes per person)")
    return per_person, per_item


def my_dots(review: Review, list_name: str, voter: str) -> dict[str, int]:
    """The dots ``voter`` has put on each item of the list."""
    return {item.id: item.ballot[voter] for item in items_in(review, list_name) if item.ballot.get(voter)}


def refusal(review: Review, list_name: str, voter: str, item_id: str, change: int) -> str | None:
    """Why ``voter`` may not add (``change`` 1) or take back (-1) a dot on the item, or None."""
    dots = my_dots(review, list_name, voter)
    per_person, per_item = limits(review)
    if change < 0:
        return None if dots.get(item_id) else "You have no vote on this item to take back."
    item = next((item for item in items_in(review, list_name) if item.id == item_id), None)
    if item is not None and getattr(item, "hidden", False):
        return "This card is not in the vote: only you see it (it was held back, or is not revealed yet)."
    if item is None or not votable(item):
        return "There is nothing to vote for here yet (it has no text)."
    if sum(dots.values()) >= per_person:
        return f"You have used all {per_person} of your votes (take one back with minus on its item)."
    if dots.get(item_id, 0) >= per_item:
        return f"At most {per_item} of your votes can go on one item."
    return None


def vote_op(review: Review, list_name: str, voter: str, item_id: str, change: int) -> ops.Edit:
    """The voter's new dots on one item (the store merges ballots voter by voter)."""
    count = my_dots(review, list_name, voter).get(item_id, 0) + change
    return ops.Edit(list_name, item_id, {"ballot": {voter: max(count, 0)}})


def votes_used(review: Review, list_name: str) -> Counter:
    """How many dots each voter has placed (what the facilitator sees while the vote is open)."""
    used: Counter = Counter()
    for item in items_in(review, list_name):
        used.update(item.ballot)
    return used


def open_ops(review: Review, step: str, per_person: int, per_item: int) -> list[ops.Operation]:
    """Open a vote on the step's list; an earlier vote's counts are cleared, one open on another step is closed."""
    list_name = VOTE_LISTS[step]
    other = review.session.vote.get("step")
    changes: list[ops.Operation] = []
    if other != step and other in VOTE_LISTS and vote_open(review, other):
        changes += close_ops(review, other)  # counted in the store; the session's vote is this one next
    changes += [ops.Edit(list_name, item.id, {"votes": 0, "ballot": None})
               for item in items_in(review, list_name) if item.votes or item.ballot]
    changes.append(ops.Set("session.vote", {"step": step, "state": "open", "per_person": per_person,
                                            "per_item": per_item}))
    return changes


def close_ops(review: Review, step: str) -> list[ops.Operation]:
    """Close the vote: the store turns each item's ballot into its vote count (store.ops), and who voted how
    is forgotten; counted there, from every dot stored, not from what this screen has taken in."""
    return [ops.Set("session.vote", review.session.vote | {"state": "closed"})]


def ranked(items: list) -> list:
    """Items by votes, most first (ties keep their order); as they are when nobody voted."""
    if not any(getattr(item, "votes", 0) for item in items):
        return items
    return sorted(items, key=lambda item: -item.votes)
