"""Dot voting with several apps on one review: limits refused with a reason, the tally hidden, then a ranking.

Lee leads, Sam and Ana vote with + and - on the could-improve list.  What
is checked is what each sees (their dots, the refusal line, the facilitator's
count of votes used) and what the file and the written summary hold.
"""

from __future__ import annotations

import asyncio
from contextlib import AsyncExitStack

from store.db import ReviewStore
from store.render import render_markdown
from test_live_session import join, presence, until
from tui_helpers import complete_review, screen_text, seed, static_text, stored, type_text

ITEMS = ["Alerts went to a channel nobody watched", "The runbook was out of date", "Retries doubled the load"]


def review_at_could_improve(db) -> str:
    doc = complete_review("could_improve")
    doc["could_improve"] = [{"text": text} for text in ITEMS]
    return seed(db, doc)


async def session(stack, db, review_id, observer: bool = False):
    lee = await join(stack, db, review_id, "Lee")
    sam = await join(stack, db, review_id, "Sam")
    ana = await join(stack, db, review_id, "Ana", observe=observer)
    pilots = [lee, sam, ana]
    await until(pilots, lambda: presence(ana).startswith("Here: Lee [lead]") and "Ana" in presence(lee))
    return pilots


async def open_vote(lee, pilots, limits: str = "3 2") -> None:
    await lee.press("f4")
    await until(pilots, lambda: type(lee.app.screen).__name__ == "PromptDialog")
    shown = screen_text(lee).split()
    assert "many" in shown and "(1" in shown and "2:" in shown  # the question, read to its end at 80x24
    await lee.press("ctrl+u")
    await type_text(lee, limits)
    await lee.press("enter")
    await until(pilots, lambda: all("Dot voting" in static_text(p, "#session-line") for p in pilots[:2]))


async def to_row(pilot, row: int) -> None:
    """Escape to the could-improve list, then down to ``row`` (0 is the first)."""
    await pilot.press("escape")
    await pilot.pause()
    rows = pilot.app.screen.query_one("#could-improve .item-rows")
    rows.focus()
    rows.highlighted = row
    await pilot.pause()


def ballot(db, review_id) -> dict[str, dict]:
    return {item["text"]: item.get("ballot", {}) for item in stored(db, review_id)["could_improve"]}


async def test_votes_within_the_limits_a_hidden_tally_then_a_ranking(tmp_path):
    db = tmp_path / "reviews.json"
    review_id = review_at_could_improve(db)
    async with AsyncExitStack() as stack:
        lee, sam, ana = pilots = await session(stack, db, review_id)
        await open_vote(lee, pilots)
        assert "3 of your 3 votes left (at most 2 on one item)" in static_text(sam, "#session-line")

        await to_row(sam, 1)
        await sam.press("plus", "plus")
        await sam.press("plus")  # a third on one item: refused, and why
        await sam.pause()
        assert "At most 2 of your votes can go on one item" in static_text(sam, "#refusal")
        await to_row(sam, 2)
        await sam.press("plus")
        await sam.press("plus")  # a fourth vote: refused
        await sam.pause()
        assert "You have used all 3 of your votes" in static_text(sam, "#refusal")
        await to_row(ana, 2)
        await ana.press("plus", "plus")
        await ana.press("minus")  # takes one back

        await until(pilots, lambda: ballot(db, review_id)[ITEMS[2]] == {"Sam": 1, "Ana": 1})
        assert ballot(db, review_id)[ITEMS[1]] == {"Sam": 2}
        await until(pilots, lambda: "Sam 3/3" in static_text(lee, "#session-line") and "Ana 1/3" in static_text(lee, "#session-line"))
        assert "●" not in screen_text(lee)  # the facilitator sees who voted how much, not on what
        assert "●●" in screen_text(sam) and "●" in screen_text(ana)
        assert "1 vote" not in screen_text(sam)  # nobody sees a count while the vote is open

        await lee.press("f4")  # close: ballots become counts, the list ranks by them
        await until(pilots, lambda: "[2 votes]" in screen_text(sam) and "[2 votes]" in screen_text(ana))
        items = stored(db, review_id)["could_improve"]
        assert {item["text"]: item.get("votes", 0) for item in items} == {ITEMS[0]: 0, ITEMS[1]: 2, ITEMS[2]: 2}
        assert not any("ballot" in item for item in items)  # who voted how is not kept
        markdown = render_markdown(ReviewStore(db).get(review_id))
        section = markdown.split("## What could improve")[1]
        assert section.index(ITEMS[1]) < section.index(ITEMS[2]) < section.index(ITEMS[0])
        assert f"{ITEMS[1]} (2 votes)" in section

        await lee.press("ctrl+n")  # the actions' "addresses" choices come in the vote's order
        await until(pilots, lambda: type(lee.app.screen).__name__ == "ActionsScreen")
        with lee.app._context():
            labels = [label for label, _ in lee.app.screen.address_choices() if label.startswith("Improve")]
        assert labels[0] == f"Improve (2 votes): {ITEMS[1]}" and labels[-1] == f"Improve: {ITEMS[0]}"


async def test_two_people_voting_on_one_item_at_once_both_count(tmp_path):
    db = tmp_path / "reviews.json"
    review_id = review_at_could_improve(db)
    async with AsyncExitStack() as stack:
        lee, sam, ana = pilots = await session(stack, db, review_id)
        await open_vote(lee, pilots)
        await to_row(sam, 0)
        await to_row(ana, 0)
        for _ in range(2):
            await sam.press("plus")
            await ana.press("plus")
        await until(pilots, lambda: ballot(db, review_id)[ITEMS[0]] == {"Sam": 2, "Ana": 2})
        await asyncio.sleep(0.3)
        await lee.press("f4")
        await until(pilots, lambda: stored(db, review_id)["could_improve"][0].get("votes") == 4)


async def test_an_observer_cannot_vote_and_only_the_facilitator_opens_a_vote(tmp_path):
    db = tmp_path / "reviews.json"
    review_id = review_at_could_improve(db)
    async with AsyncExitStack() as stack:
        lee, sam, room = pilots = await session(stack, db, review_id, observer=True)
        await sam.press("f4")
        await sam.pause()
        assert stored(db, review_id)["session"]["vote"] == {}
        await open_vote(lee, pilots)
        await to_row(room, 0)
        await room.press("plus")
        await room.pause()
        await asyncio.sleep(0.3)
        assert ballot(db, review_id)[ITEMS[0]] == {}


async def test_plus_with_no_item_highlighted_says_to_choose_one_not_that_no_vote_is_open(tmp_path):
    """Escape puts the focus on the list with no row highlighted: + there must say what to do."""
    db = tmp_path / "reviews.json"
    review_id = review_at_could_improve(db)
    async with AsyncExitStack() as stack:
        lee, sam, ana = pilots = await session(stack, db, review_id)
        await open_vote(lee, pilots)
        await sam.press("escape")
        await sam.pause()
        assert sam.app.focused.highlighted is None
        await sam.press("plus")
        await sam.pause()
        shown = [notice.message for notice in sam.app._notifications]
        assert any("No item is highlighted" in message for message in shown), shown
        assert not any("No vote is open" in message for message in shown), shown
        await sam.press("down", "plus")
        await until(pilots, lambda: ballot(db, review_id)[ITEMS[0]] == {"Sam": 1})


async def test_an_observer_is_not_told_of_votes_left_to_use(tmp_path):
    db = tmp_path / "reviews.json"
    review_id = review_at_could_improve(db)
    async with AsyncExitStack() as stack:
        lee, sam, room = pilots = await session(stack, db, review_id, observer=True)
        await open_vote(lee, pilots)
        await until(pilots, lambda: "Dot voting" in static_text(room, "#session-line"))
        line = static_text(room, "#session-line")
        assert "votes left" not in line and "+ votes" not in line
        assert "the participants vote, you watch" in line


async def test_a_card_held_back_at_the_reveal_takes_no_votes_from_its_author(tmp_path):
    """Only its author sees a held-back card: dots on it would count for nothing the room can read (found when
    four terminals ran a review: the author put two votes on it)."""
    db = tmp_path / "reviews.json"
    doc = complete_review("could_improve")
    doc["could_improve"] = [{"text": ITEMS[0]}, {"text": "Kai forgot the canary", "author": "Sam", "hidden": True,
                                                  "held": True}]
    review_id = seed(db, doc)
    async with AsyncExitStack() as stack:
        lee, sam, ana = pilots = await session(stack, db, review_id)
        await open_vote(lee, pilots)
        await to_row(sam, 1)
        assert "Kai forgot the canary" in screen_text(sam)  # the author sees it, held back
        await sam.press("plus")
        await sam.pause()
        assert "not in the vote" in static_text(sam, "#refusal")
        await to_row(sam, 0)
        await sam.press("plus")
        await until(pilots, lambda: ballot(db, review_id)[ITEMS[0]] == {"Sam": 1})
        assert ballot(db, review_id)["Kai forgot the canary"] == {}
        assert "2 of your 3 votes left" in static_text(sam, "#session-line")


async def test_a_dot_goes_on_the_row_chosen_even_after_writing_a_card(tmp_path):
    """Sam wrote a card, went to the list and voted down it: each + lands on the row Sam highlighted.

    Found in a four-terminal trial: Sam's first dot redrew its row, and the
    list jumped back to the card Sam had last written, so Sam's next two
    dots went on that card (the tally's ranking was wrong, and nobody could see why).
    """
    db = tmp_path / "reviews.json"
    review_id = review_at_could_improve(db)
    async with AsyncExitStack() as stack:
        lee, sam, ana = pilots = await session(stack, db, review_id)
        await sam.press("f2")
        await type_text(sam, "Nobody owned the index rebuild")  # no Enter: the form still holds it
        await until(pilots, lambda: len(stored(db, review_id)["could_improve"]) == 4)
        await open_vote(lee, pilots)
        await sam.press("escape", "home")
        await sam.pause()
        await sam.press("plus")
        await until(pilots, lambda: ballot(db, review_id)[ITEMS[0]] == {"Sam": 1} and "●" in screen_text(sam))
        await sam.press("down", "plus")
        await until(pilots, lambda: ballot(db, review_id)[ITEMS[1]] == {"Sam": 1})
        await sam.press("down", "plus")
        await until(pilots, lambda: ballot(db, review_id)[ITEMS[2]] == {"Sam": 1})
        assert ballot(db, review_id)["Nobody owned the index rebuild"] == {}


async def test_the_highlighted_row_stays_on_its_item_when_another_removes_a_row_above(tmp_path):
    """Sam is about to vote for the second item when someone else removes the first: Sam's row is still that item."""
    from store import ops

    db = tmp_path / "reviews.json"
    review_id = review_at_could_improve(db)
    async with AsyncExitStack() as stack:
        lee, sam, ana = pilots = await session(stack, db, review_id)
        await to_row(sam, 1)
        rows = sam.app.screen.query_one("#could-improve .item-rows")
        first = stored(db, review_id)["could_improve"][0]["id"]
        ReviewStore(db).apply(review_id, ops.Remove("could_improve", first))
        await until(pilots, lambda: rows.option_count == 2)
        assert ITEMS[1] in str(rows.get_option_at_index(rows.highlighted).prompt)
