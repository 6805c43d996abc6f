"""Dot voting on the Five Whys' root causes, with several apps on one review.

Lee leads; Sam and Ana vote with + and - on the list of chains.  What is
checked is what each sees (their own dots, never the tally before the vote
closes, the ranking after), and what the file, the Markdown, the client
summary and the actions step's choices hold.
"""

from __future__ import annotations

from contextlib import AsyncExitStack

from store import ops, voting
from store.db import ReviewStore
from store.model import Review
from store.render import render_client, render_markdown
from test_dot_voting import open_vote, session
from test_live_session import until
from tui_helpers import complete_review, screen_text, seed, static_text, stored

ROOTS = ["Rebuilds are not scheduled", "Nothing alerts on replica lag", "The runbook has no rollback step"]


def review_at_five_whys(db) -> str:
    doc = complete_review("actions") | {"step": "five_whys"}
    doc["five_whys"]["chains"] = [{"whys": ["The checkout failed", "The database was slow", root]} for root in ROOTS]
    return seed(db, doc)


async def to_chain(pilot, row: int) -> None:
    """Into the list of chains, on ``row`` (0 is the first as shown)."""
    rows = pilot.app.screen.query_one("#chains")
    rows.focus()
    await pilot.pause()
    rows.highlighted = row
    await pilot.pause()


def ballots(db, review_id) -> list[dict]:
    return [chain.get("ballot", {}) for chain in stored(db, review_id)["five_whys"]["chains"]]


async def test_root_causes_voted_within_limits_then_ranked_everywhere(tmp_path):
    db = tmp_path / "reviews.json"
    review_id = review_at_five_whys(db)
    async with AsyncExitStack() as stack:
        lee, sam, ana = pilots = await session(stack, db, review_id)
        await open_vote(lee, pilots, "3 2")
        assert "3 of your 3 votes left" in static_text(sam, "#session-line")

        await to_chain(sam, 2)
        await sam.press("plus", "plus")
        await sam.press("plus")  # a third on one root cause: refused, and why
        await sam.pause()
        assert "At most 2 of your votes can go on one item" in static_text(sam, "#refusal")
        await to_chain(ana, 1)
        await ana.press("plus", "plus", "minus")  # takes one back

        await until(pilots, lambda: ballots(db, review_id) == [{}, {"Ana": 1}, {"Sam": 2}])
        await until(pilots, lambda: "Sam 2/3" in static_text(lee, "#session-line")
                    and "Ana 1/3" in static_text(lee, "#session-line"))
        assert "●" not in screen_text(lee)  # the facilitator sees how many each used, not on what
        assert f"Chain 3: {ROOTS[2]}  ●●" in screen_text(sam)
        assert "●●" not in screen_text(ana) and f"Chain 2: {ROOTS[1]}  ●" in screen_text(ana)
        assert "vote]" not in screen_text(sam) and "votes]" not in screen_text(sam)  # no tally while open

        await lee.press("f4")  # closes: ranked by votes, each chain keeps its number
        await until(pilots, lambda: f"Chain 3: {ROOTS[2]}  [2 votes]" in screen_text(ana))
        shown = screen_text(ana)
        assert shown.index("Chain 3:") < shown.index("Chain 2:") < shown.index("Chain 1:")
        chains = stored(db, review_id)["five_whys"]["chains"]
        assert [chain.get("votes", 0) for chain in chains] == [0, 1, 2]
        assert not any("ballot" in chain for chain in chains)  # who voted how is not kept

        review = ReviewStore(db).get(review_id)
        assert f"Root cause: {ROOTS[2]} (2 votes)" in render_markdown(review)
        client = render_client(review)
        assert client.index(ROOTS[2]) < client.index(ROOTS[1])

        await lee.press("ctrl+g")  # the actions' "addresses" choices come in the vote's order
        await until(pilots, lambda: type(lee.app.screen).__name__ == "GoToStepDialog")
        await lee.press("down", "down", "down", "enter")
        await until(pilots, lambda: type(lee.app.screen).__name__ == "ActionsScreen")
        with lee.app._context():
            labels = [label for label, _ in lee.app.screen.address_choices() if label.startswith("Root cause")]
        assert labels == [f"Root cause 3 (2 votes): {ROOTS[2]}", f"Root cause 2 (1 vote): {ROOTS[1]}",
                          f"Root cause 1: {ROOTS[0]}"]


async def test_participants_cannot_open_a_vote_and_observers_cannot_vote(tmp_path):
    db = tmp_path / "reviews.json"
    review_id = review_at_five_whys(db)
    async with AsyncExitStack() as stack:
        lee, sam, ana = pilots = await session(stack, db, review_id, observer=True)
        await sam.press("f4")
        await until(pilots, lambda: "Only Lee opens and closes a vote" in "".join(
            str(toast.message) for toast in sam.app._notifications))
        await open_vote(lee, pilots)
        await to_chain(ana, 0)
        await ana.press("plus")
        await until(pilots, lambda: "you cannot vote" in "".join(str(toast.message) for toast in ana.app._notifications))
        assert ballots(db, review_id) == [{}, {}, {}]


def test_a_vote_opened_on_another_step_closes_the_one_still_open():
    doc = complete_review("five_whys")
    doc["could_improve"] = [{"id": "c1", "text": "Alerts went nowhere", "ballot": {"Sam": 2}}]
    doc["session"] = {"vote": {"step": "could_improve", "state": "open", "per_person": 3, "per_item": 3}}
    review = Review.from_dict(doc)
    ops.apply_all(doc, voting.open_ops(review, "five_whys", 3, 1))
    assert doc["could_improve"] == [{"id": "c1", "text": "Alerts went nowhere", "votes": 2}]  # counted, ballot gone
    assert doc["session"]["vote"]["step"] == "five_whys" and doc["session"]["vote"]["state"] == "open"


def test_closing_a_vote_counts_the_dots_the_store_holds_not_those_the_facilitator_saw():
    """A dot that landed a moment before the close, not yet on the facilitator's screen, still counts; one cast
    after the close counts for nothing."""
    doc = complete_review("five_whys")
    doc["could_improve"] = [{"id": "c1", "text": "Alerts went nowhere", "ballot": {"Sam": 1}}]
    doc["session"] = {"vote": {"step": "could_improve", "state": "open", "per_person": 3, "per_item": 3}}
    facilitator_saw = Review.from_dict(doc)
    ops.apply(doc, ops.Edit("could_improve", "c1", {"ballot": {"Ana": 2}}))  # landed; not seen by the facilitator
    ops.apply_all(doc, voting.close_ops(facilitator_saw, "could_improve"))
    assert doc["could_improve"][0]["votes"] == 3 and "ballot" not in doc["could_improve"][0]
    ops.apply(doc, ops.Edit("could_improve", "c1", {"ballot": {"Kai": 1}}))  # too late
    assert doc["could_improve"][0] == {"id": "c1", "text": "Alerts went nowhere", "votes": 3}


def test_a_chain_without_a_root_cause_gets_no_vote():
    doc = complete_review("five_whys")
    doc["five_whys"]["chains"] = [{"id": "k1", "whys": ["", " "]}]
    doc["session"] = {"vote": {"step": "five_whys", "state": "open", "per_person": 3, "per_item": 3}}
    review = Review.from_dict(doc)
    assert "nothing to vote for" in voting.refusal(review, "five_whys.chains", "Sam", "k1", 1)
