"""Silent writing beyond the cards: the timeline's events and the Five Whys' contributing factors.

Three apps on one review: Lee leads, Sam and Ana write.  As for the cards
(test_silent_writing.py), what is checked is what each would see and what
every export of the file says, before and after the reveal.
"""

from __future__ import annotations

import json
from contextlib import AsyncExitStack

from textual.widgets import OptionList

from store.checks import check_report
from store.db import ReviewStore
from store.interchange import export_document, parse_document
from store.model import Review
from store.render import render_client, render_json, render_markdown
from test_live_session import lee_leads_sam, run_command, until
from test_silent_writing import exports, open_reveal, open_writing, session
from tui_helpers import complete_review, item_field, screen_text, seed, static_text, stored, tab_to, type_text

EVENT = "Cache warmed by a cron job nobody knew"
FACTOR = "The rebuild had no rate limit"
BLAME = "Ana forgot to pause the rebuild"


def review_at(db, step: str) -> str:
    doc = complete_review(step)
    doc["facilitator"] = ""
    return seed(db, doc)


async def write_event(pilot, at: str, text: str) -> None:
    """The timeline starts on a new event's time: the time, Tab past the marker, what happened, Enter."""
    await tab_to(pilot, item_field("at", "events"))
    await type_text(pilot, at)
    await tab_to(pilot, item_field("text", "events"))
    await type_text(pilot, text)
    await pilot.press("enter")
    await pilot.pause()


async def write_factor(pilot, text: str) -> None:
    """Tab to the factor form's kind, "c" for contributing, the condition, then Enter for the next one."""
    await tab_to(pilot, item_field("kind", "factors"))
    await type_text(pilot, "c")
    await pilot.press("tab")
    await type_text(pilot, text)
    await pilot.press("enter")
    await pilot.pause()


def shown(pilot) -> str:
    """What the terminal shows, and every row of the list written silently (at 80x24 the factors lie below the fold)."""
    rows = [str(rows.get_option_at_index(index).prompt)
            for rows in pilot.app.screen.query("#events .item-rows, #factors .item-rows").results(OptionList)
            for index in range(rows.option_count)]
    return "\n".join([screen_text(pilot)] + rows)


async def seen(pilot) -> str:
    await pilot.pause()
    return shown(pilot)


def factor_rows(pilot) -> list[str]:
    rows = pilot.app.screen.query_one("#factors .item-rows", OptionList)
    return [str(rows.get_option_at_index(index).prompt) for index in range(rows.option_count)]


def items_with(db, review_id, list_name: str, text: str) -> list[dict]:
    return [item for item in stored(db, review_id)[list_name] if item["text"] == text]


async def test_an_event_written_silently_is_seen_by_its_author_alone_until_the_reveal(tmp_path):
    db = tmp_path / "reviews.json"
    review_id = review_at(db, "timeline")
    async with AsyncExitStack() as stack:
        lee, sam, ana = pilots = await session(stack, db, review_id)
        await open_writing(pilots)
        assert "only you see your events" in static_text(sam, "#session-line")
        await write_event(sam, "10:20", EVENT)
        await until(pilots, lambda: "Sam 1" in static_text(lee, "#session-line"))
        assert EVENT in await seen(sam) and "(only you see" in await seen(sam)
        for other in (lee, ana):
            assert EVENT not in await seen(other)
        assert EVENT not in exports(db, review_id)
        [event] = items_with(db, review_id, "timeline", EVENT)
        assert event["hidden"] is True and event["author"] == "Sam"

        await open_reveal(pilots)
        assert EVENT in screen_text(lee)  # the facilitator reads them, alone, before the reveal
        await lee.press("f2")
        await until(pilots, lambda: all(EVENT in shown(pilot) for pilot in pilots))
        [event] = items_with(db, review_id, "timeline", EVENT)
        assert not event.get("hidden") and not event.get("author")  # anonymous
        assert EVENT in render_markdown(ReviewStore(db).get(review_id))
        assert stored(db, review_id)["session"]["silent"] == {"timeline": "revealed"}


async def test_factors_written_silently_are_counted_per_person_for_the_facilitator_and_named_after(tmp_path):
    db = tmp_path / "reviews.json"
    review_id = review_at(db, "five_whys")
    async with AsyncExitStack() as stack:
        lee, sam, ana = pilots = await session(stack, db, review_id)
        await run_command(lee, "named factors", "Silent writing: open, named factors")
        await until(pilots, lambda: "named factors" in static_text(sam, "#session-line"))
        await write_factor(sam, FACTOR)
        await write_factor(ana, "Alerts went to an old channel")
        await write_factor(ana, "The runbook was out of date")
        await until(pilots, lambda: "Ana 2, Sam 1" in static_text(lee, "#session-line"))
        assert FACTOR not in await seen(lee) and "old channel" not in await seen(lee)
        assert FACTOR not in await seen(ana) and "old channel" not in await seen(sam)
        assert FACTOR in await seen(sam) and "old channel" in await seen(ana)
        assert FACTOR not in exports(db, review_id)

        await open_reveal(pilots)
        await lee.press("f2")
        await until(pilots, lambda: all(FACTOR in shown(p) and "old channel" in shown(p) for p in pilots))
        review = ReviewStore(db).get(review_id)
        assert f"{FACTOR} (Sam)" in render_markdown(review)
        assert "(Sam)" not in render_client(review)
        assert {factor["text"]: factor["author"] for factor in json.loads(render_json(review))["factors"]} == {
            FACTOR: "Sam", "Alerts went to an old channel": "Ana", "The runbook was out of date": "Ana"}


async def test_a_factor_held_back_stays_hidden_and_the_blame_check_runs_for_its_author_alone(tmp_path):
    db = tmp_path / "reviews.json"
    review_id = review_at(db, "five_whys")
    async with AsyncExitStack() as stack:
        lee, sam, ana = pilots = await session(stack, db, review_id)
        await open_writing(pilots)
        await write_factor(sam, FACTOR)
        await write_factor(sam, BLAME)
        await until(pilots, lambda: "Sam 2" in static_text(lee, "#session-line"))
        # Sam's own check flags it (Ana is in the session, so her name counts as a person's)
        assert 'Your unrevealed factor names a person ("Ana")' in await seen(sam)
        for other in (lee, ana):
            assert "names a person" not in await seen(other) and "forgot" not in await seen(other)

        await open_reveal(pilots)
        await lee.press("down", "space")  # the second factor, the blaming one, is held back
        await lee.press("f2")
        await until(pilots, lambda: FACTOR in shown(ana) and "held back" in static_text(sam, "#session-line"))
        assert BLAME not in await seen(ana) and BLAME not in await seen(lee)
        assert BLAME in await seen(sam)
        assert BLAME not in exports(db, review_id)
        [held] = items_with(db, review_id, "factors", BLAME)
        assert held["hidden"] is True and held["held"] is True


async def test_only_the_facilitator_opens_silent_writing_on_the_timeline(tmp_path):
    db = tmp_path / "reviews.json"
    review_id = review_at(db, "timeline")
    async with AsyncExitStack() as stack:
        lee, sam, ana = await session(stack, db, review_id)
        await sam.press("f3")
        await sam.pause()
        assert stored(db, review_id)["session"]["silent"] == {}


def hidden_doc() -> dict:
    doc = complete_review("five_whys") | {"schema": 2}
    doc["timeline"].append({"at": "2026-11-20T10:40:00+00:00", "text": "secret event", "marker": "resolved",
                            "author": "Sam", "hidden": True})
    doc["factors"] = [{"kind": "contributing", "text": "shown factor"},
                      {"kind": "contributing", "text": "Ana forgot the secret factor", "author": "Sam",
                       "hidden": True}]
    return doc


def test_the_interchange_json_carries_author_and_hidden_but_no_export_holds_an_unrevealed_item(tmp_path):
    parsed = parse_document(hidden_doc(), "team.json")
    assert parsed["factors"][1] == {"id": parsed["factors"][1]["id"], "kind": "contributing",
                                    "text": "Ana forgot the secret factor", "rationale": "", "author": "Sam",
                                    "hidden": True}
    review = Review.from_dict(parsed)
    assert Review.from_dict(review.to_dict()) == review
    exported = json.dumps(export_document(review))
    assert "secret" not in exported and "shown factor" in exported
    assert export_document(review)["durations"]["to_resolve"] == 3600  # not from the hidden "resolved" event
    report = json.dumps({step: [p.to_dict() for p in problems] for step, problems in check_report(review).items()})
    assert "secret" not in report and "Ana" not in report


def test_a_factor_not_yet_revealed_is_not_found_by_searching_the_archive(tmp_path):
    from store.archive import review_text

    store = ReviewStore(tmp_path / "reviews.json")
    review = store.create(hidden_doc())
    text = review_text(store.get(review.id).to_dict())
    assert "shown factor" in text and "secret" not in text


async def test_a_factor_written_silently_gets_its_number_at_the_reveal_the_same_on_every_screen_and_export(tmp_path):
    """While writing, Sam's own factor shows no number: the reveal decides it (the facilitator's came first)."""
    db = tmp_path / "reviews.json"
    doc = complete_review("five_whys")
    doc["facilitator"] = ""
    doc["factors"] = [{"kind": "contributing", "text": "Retries doubled the load", "rationale": "They always helped"}]
    review_id = seed(db, doc)
    async with AsyncExitStack() as stack:
        lee, sam = pilots = await lee_leads_sam(stack, db, review_id)
        await open_writing(pilots)
        await write_factor(lee, "Alerts went to an old channel")  # written first: number 2 after the reveal
        await until(pilots, lambda: "Lee 1" in static_text(lee, "#session-line"))
        await write_factor(sam, FACTOR)
        await until(pilots, lambda: "Sam 1, Lee 1" in static_text(lee, "#session-line"))
        assert factor_rows(sam)[0].startswith("1. [contributing] Retries doubled the load")
        [mine] = [row for row in factor_rows(sam) if FACTOR in row]
        assert mine.startswith(f"-. [contributing] {FACTOR}")  # not "2.", which the reveal gives Lee's factor
        assert "Factor 2" not in await seen(sam)

        await open_reveal(pilots)
        await lee.press("f2")
        await until(pilots, lambda: all(len(factor_rows(pilot)) == 3 for pilot in pilots))
        for pilot in pilots:
            assert [row.split(" [", 1)[0] for row in factor_rows(pilot)] == ["1.", "2.", "3."]
            assert factor_rows(pilot)[1].startswith("2. [contributing] Alerts went to an old channel")
            assert factor_rows(pilot)[2].startswith(f"3. [contributing] {FACTOR}")
        assert f"3. Contributing: {FACTOR}" in render_markdown(ReviewStore(db).get(review_id))
