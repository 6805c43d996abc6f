"""Silent writing, then reveal: nobody sees a card (on screen or in any export) before the facilitator reveals it.

Three apps on one review: Lee leads, Sam and Ana write.  What is checked is
what each would see (their screen, their check panel) and what every export
of the file says.
"""

from __future__ import annotations

import json
from contextlib import AsyncExitStack

from store.db import ReviewStore
from store.render import render_client, render_json, render_markdown
from test_live_session import join, presence, run_command, until
from tui_helpers import check_panel, complete_review, screen_text, seed, static_text, stored, type_text

CARD = "Paging reached the database team in a minute"
BLAME = "Ana forgot to check the dashboard"


def review_at_went_well(db) -> str:
    doc = complete_review("went_well")
    doc["went_well"] = [{"text": "The alert fired fast"}]
    return seed(db, doc)


def exports(db, review_id) -> str:
    review = ReviewStore(db).get(review_id)
    return render_markdown(review) + render_client(review) + render_json(review)


async def session(stack, db, review_id):
    lee = await join(stack, db, review_id, "Lee")
    sam = await join(stack, db, review_id, "Sam")
    ana = await join(stack, db, review_id, "Ana")
    pilots = [lee, sam, ana]
    await until(pilots, lambda: presence(ana).startswith("Here: Lee [lead]") and "Sam" in presence(lee)
                and "Ana" in presence(lee))
    return pilots


async def open_writing(pilots) -> None:
    """The facilitator (the first app) opens silent writing with F3; the second app is told."""
    await pilots[0].press("f3")
    await until(pilots, lambda: "Silent writing" in static_text(pilots[1], "#session-line"))


async def open_reveal(pilots) -> None:
    """The facilitator presses F3 again: the cards to reveal, for the facilitator alone."""
    await pilots[0].press("f3")
    await until(pilots, lambda: type(pilots[0].app.screen).__name__ == "RevealDialog")


async def write_card(pilot, text: str) -> None:
    """A new card in the first list of the step (F2 starts one), finished with Enter."""
    await pilot.press("f2")
    await type_text(pilot, text)
    await pilot.press("enter")
    await pilot.pause()


async def test_cards_stay_with_their_author_until_the_reveal_then_everyone_sees_them(tmp_path):
    db = tmp_path / "reviews.json"
    review_id = review_at_went_well(db)
    async with AsyncExitStack() as stack:
        lee, sam, ana = pilots = await session(stack, db, review_id)
        await open_writing(pilots)  # anonymous cards
        await write_card(sam, CARD)
        await until(pilots, lambda: "Sam 1" in static_text(lee, "#session-line"))
        assert CARD in screen_text(sam)
        for other in (lee, ana):
            assert CARD not in screen_text(other)
        assert CARD not in exports(db, review_id)
        [card] = [item for item in stored(db, review_id)["went_well"] if item["text"] == CARD]
        assert card["hidden"] is True and card["author"] == "Sam"

        await open_reveal(pilots)  # the facilitator's list of cards, all chosen
        assert CARD in screen_text(lee)  # the facilitator, alone, reads them before revealing
        await lee.press("f2")
        await until(pilots, lambda: all(CARD in screen_text(pilot) for pilot in pilots))
        [card] = [item for item in stored(db, review_id)["went_well"] if item["text"] == CARD]
        assert not card.get("hidden") and not card.get("author")  # anonymous: no author kept
        assert CARD in render_markdown(ReviewStore(db).get(review_id))
        assert stored(db, review_id)["session"]["silent"] == {"went_well": "revealed"}


async def test_named_cards_keep_their_author_but_the_client_summary_never_shows_it(tmp_path):
    db = tmp_path / "reviews.json"
    review_id = review_at_went_well(db)
    async with AsyncExitStack() as stack:
        lee, sam, ana = pilots = await session(stack, db, review_id)
        await run_command(lee, "named cards", "Silent writing: open, named cards")
        await until(pilots, lambda: "named" in static_text(sam, "#session-line"))
        await write_card(sam, CARD)
        await until(pilots, lambda: "Sam 1" in static_text(lee, "#session-line"))
        await open_reveal(pilots)
        await lee.press("f2")
        await until(pilots, lambda: CARD in screen_text(ana))
        review = ReviewStore(db).get(review_id)
        assert f"{CARD} (Sam)" in render_markdown(review)
        client = render_client(review)
        assert "(Sam)" not in client
        assert json.loads(render_json(review))["went_well"][-1]["author"] == "Sam"


async def test_a_card_held_back_stays_hidden_and_its_author_is_told(tmp_path):
    db = tmp_path / "reviews.json"
    review_id = review_at_went_well(db)
    async with AsyncExitStack() as stack:
        lee, sam, ana = pilots = await session(stack, db, review_id)
        await open_writing(pilots)
        await write_card(sam, CARD)
        await write_card(sam, BLAME)
        await until(pilots, lambda: "Sam 2" in static_text(lee, "#session-line"))
        await open_reveal(pilots)
        shown = screen_text(lee)
        assert f"! {BLAME}" in shown and f"! {CARD}" not in shown  # the facilitator sees which card blames
        assert "! marks blame language" in shown
        await lee.press("down", "space")  # the second card, the blaming one, is held back
        await lee.press("f2")
        await until(pilots, lambda: CARD in screen_text(ana) and "held back" in screen_text(sam))
        assert BLAME not in screen_text(ana) and BLAME not in screen_text(lee)
        assert BLAME in screen_text(sam)  # the author still has it, marked
        assert BLAME not in exports(db, review_id)


async def test_the_blame_check_runs_privately_on_its_author_s_card(tmp_path):
    db = tmp_path / "reviews.json"
    review_id = review_at_went_well(db)
    async with AsyncExitStack() as stack:
        lee, sam, ana = pilots = await session(stack, db, review_id)
        await open_writing(pilots)
        await write_card(sam, BLAME)
        await until(pilots, lambda: "Sam 1" in static_text(lee, "#session-line"))
        sam_checks = screen_text(sam)
        assert "forgot" in sam_checks
        assert "forgot" not in screen_text(lee) and "forgot" not in screen_text(ana)


def test_a_card_not_yet_revealed_is_not_found_by_searching_the_archive(tmp_path):
    from store.archive import review_text

    store = ReviewStore(tmp_path / "reviews.json")
    review = store.create({"schema": 1, "went_well": [{"text": "shown card"},
                                                      {"text": "secret card", "author": "Sam", "hidden": True}]})
    text = review_text(store.get(review.id).to_dict())
    assert "shown card" in text and "secret" not in text


async def test_a_card_is_counted_for_the_facilitator_mid_sentence_and_the_sentence_is_saved_after(tmp_path):
    """Another's card comes in without waiting for the facilitator's pause, and without writing the typing first."""
    db = tmp_path / "reviews.json"
    review_id = review_at_went_well(db)
    typed = "Lee's card about the runbook"
    async with AsyncExitStack() as stack:
        lee, sam = pilots = [await join(stack, db, review_id, "Lee"), await join(stack, db, review_id, "Sam")]
        await until(pilots, lambda: "[lead]" in presence(sam))
        await open_writing(pilots)
        lee.app.saver.ready = lambda: False  # Lee is mid-sentence: nothing is handed to the writer meanwhile
        await lee.press("f2")
        await type_text(lee, typed)
        await write_card(sam, CARD)
        await until(pilots, lambda: "Sam 1" in static_text(lee, "#session-line"))
        assert lee.app.saver.has_pending  # counted while Lee's typing is still unsaved
        assert typed not in [item["text"] for item in stored(db, review_id)["went_well"]]
        assert typed in screen_text(lee) and CARD not in screen_text(lee)
        del lee.app.saver.ready  # Lee pauses
        await until(pilots, lambda: typed in [item["text"] for item in stored(db, review_id)["went_well"]])
        assert typed in screen_text(lee) and CARD not in screen_text(lee)
        assert "Sam 1" in static_text(lee, "#session-line")


async def test_a_card_is_named_by_the_number_everyone_counts_not_by_its_row_here(tmp_path):
    """Sam's held-back card is the first row on Sam's screen: the shared card below it is card 1 for everyone."""
    from tui.app import make_app
    from tui_helpers import option_texts, press_and_wait_for_screen, wait_for_screen

    db = tmp_path / "reviews.json"
    doc = complete_review("went_well")
    doc["went_well"] = [{"text": BLAME, "hidden": True, "held": True, "author": "Sam"}, {"text": CARD}]
    doc["session"] = {"silent": {"went_well": "revealed"}}
    review_id = seed(db, doc)
    async with make_app(db, start="open", review_id=review_id, name="Sam").run_test(size=(80, 24)) as pilot:
        await wait_for_screen(pilot, "WentWellScreen")
        rows = option_texts(pilot.app.screen.query_one("#went-well .item-rows"))
        assert rows[0].startswith(f"-. {BLAME}") and rows[1] == f"1. {CARD}"
        await pilot.press("escape", "home", "down")  # the list, its second row: the shared card
        await press_and_wait_for_screen(pilot, "delete", "ConfirmDialog")
        assert "Delete item 1?" in screen_text(pilot) and "Delete item 2?" not in screen_text(pilot)
        await pilot.press("escape")
        await wait_for_screen(pilot, "WentWellScreen")
        await pilot.press("up")  # the held-back card: it has no number until it is revealed
        await press_and_wait_for_screen(pilot, "delete", "ConfirmDialog")
        assert "Delete your item (not revealed yet)?" in screen_text(pilot)


async def test_the_facilitator_is_told_the_cards_wait_for_the_reveal_not_that_nothing_is_listed(tmp_path):
    """Found in a four-terminal trial: five cards written, and the facilitator's panel said the list was empty."""
    db = tmp_path / "reviews.json"
    review_id = seed(db, dict(complete_review("went_well"), went_well=[]))
    async with AsyncExitStack() as stack:
        lee, sam, ana = pilots = await session(stack, db, review_id)
        await open_writing(pilots)
        await write_card(sam, CARD)
        await write_card(ana, "Rollback took two minutes")
        await until(pilots, lambda: "Ana 1" in static_text(lee, "#session-line")
                    and "Sam 1" in static_text(lee, "#session-line")
                    and any("2 cards written silently wait for the reveal" in line for line in check_panel(lee)))
        assert not any("Nothing is listed" in line for line in check_panel(lee))
        await lee.press("ctrl+n")  # moving on is refused, for that reason
        await lee.pause()
        assert "wait for the reveal" in static_text(lee, "#refusal")
        assert type(lee.app.screen).__name__ == "WentWellScreen"
        await open_reveal(pilots)
        await lee.press("f2")
        await until(pilots, lambda: CARD in screen_text(lee))
        await until(pilots, lambda: not any("reveal" in line for line in check_panel(lee)))
