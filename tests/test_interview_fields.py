"""The solo interview asks for the fields issue 13 added, with the form's rules (issue 13b, item 1).

Each test drives the interview with keys at 80x24 and checks the question
asked, the refusal shown under the answer, and what the review file holds.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Static

from snapshot_apps.reviews import BLANK_REVIEW, app_at_step, review, steady_cursors
from tui_helpers import SIZE, stored, type_text, wait_for_screen


@pytest.fixture(autouse=True)
def no_blinking(monkeypatch):
    steady_cursors(monkeypatch)


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "r.json"


async def reply(pilot, text: str) -> None:
    """Clear the answer box, type ``text`` and press Enter."""
    assert pilot.app.focused is not None and pilot.app.focused.id == "answer", pilot.app.focused
    await pilot.press("ctrl+u")
    await type_text(pilot, text)
    await pilot.press("enter")
    await pilot.pause()


def asked(app) -> tuple[str, str]:
    """The question asked now, and the refusal shown under the answer ("" when none)."""
    line = app.screen.query_one("#answer-refusal", Static)
    refusal = "" if line.has_class("-empty") else str(line.content)
    return str(app.screen.query_one("#interview #question", Static).content), refusal


async def settle(pilot) -> None:
    for _ in range(20):
        await pilot.pause()


async def test_impact_asks_categories_near_miss_trigger_detection_and_unknowns_and_refuses_unclear_answers(db):
    app = app_at_step(db, "impact", BLANK_REVIEW, solo=True)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_screen(pilot, "ImpactScreen")
        await settle(pilot)
        await reply(pilot, "About 300 customers could not log in for 40 minutes")
        assert asked(app)[0].startswith("What kind of impact")
        await reply(pilot, "errors, outage-ish")
        question, refusal = asked(app)
        assert question.startswith("What kind of impact") and "'outage-ish' is not one impact category" in refusal
        await reply(pilot, "errors, latency")
        assert asked(app) == ("Was it a near miss (nothing reached users)? yes or no.", "")
        await reply(pilot, "maybe")
        assert "'maybe' is neither yes nor no" in asked(app)[1]
        await reply(pilot, "y")
        assert asked(app)[0].startswith("What set it off")
        await reply(pilot, "A certificate expired on the login service")
        await reply(pilot, "Customers wrote to support")
        await reply(pilot, "That the certificate was not renewed automatically")
        assert asked(app)[0].startswith("That is all for this step")
    doc = stored(db)
    assert (doc["impact_categories"], doc["near_miss"]) == (["increased_errors", "increased_latency"], True)
    assert (doc["trigger"], doc["detection"], doc["unknowns"]) == (
        "A certificate expired on the login service", "Customers wrote to support",
        "That the certificate was not renewed automatically")


async def test_five_whys_asks_for_factors_with_their_kind_and_how_they_made_sense_and_refuses_blame(db):
    doc = review(BLANK_REVIEW, participants=["Sam"], five_whys={"problem": "Login failed", "chains": [
        {"whys": ["The certificate expired", "Renewal was manual", "No owner for certificates"]}]})
    app = app_at_step(db, "five_whys", doc, solo=True)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_screen(pilot, "FiveWhysScreen")
        await settle(pilot)
        await reply(pilot, "")  # the problem is there already
        await reply(pilot, "")  # no further why
        assert asked(app)[0].startswith("What else contributed?")
        await reply(pilot, "Sam forgot the renewal")
        question, refusal = asked(app)
        assert question.startswith("What else contributed?") and "Sam" in refusal
        await reply(pilot, "The renewal reminder went to a list nobody read")
        assert asked(app)[0].startswith("Was it the trigger")
        await reply(pilot, "sometimes")
        assert "'sometimes' is not one of trigger, contributing, mitigating" in asked(app)[1]
        await reply(pilot, "contrib")
        assert asked(app)[0].startswith("How did it make sense at the time?")
        await reply(pilot, "The list had been the team's inbox for years")
        assert asked(app)[0].startswith("What else contributed?")  # the next factor
        await reply(pilot, "")
        assert asked(app)[0].startswith("That is all for this step")
    (factor,) = stored(db)["factors"]
    assert (factor["kind"], factor["text"], factor["rationale"]) == (
        "contributing", "The renewal reminder went to a list nobody read", "The list had been the team's inbox for years")


async def test_an_action_done_at_the_review_is_asked_when_it_was_done_not_when_it_is_due(db):
    app = app_at_step(db, "actions", BLANK_REVIEW, solo=True)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_screen(pilot, "ActionsScreen")
        await settle(pilot)
        await reply(pilot, "Renew the certificate by a cron job")
        await reply(pilot, "done")
        await reply(pilot, "Sam")
        assert asked(app)[0].startswith("On which day was it done?")
        await reply(pilot, "last week")
        assert "not a date" in asked(app)[1]
        await reply(pilot, "2026-12-01")  # after the review (2026-11-21): refused as the form refuses it
        assert "after the review date" in asked(app)[1]
        await reply(pilot, "2026-11-20")
        assert asked(app) == ("How will we know it is done?", "")
    action = stored(db)["actions"][0]
    assert (action["status"], action["owner"], action["done_on"], action["due"]) == ("done", "Sam", "2026-11-20", "")


async def test_an_action_not_done_asks_only_for_what_it_addresses_and_the_reason(db):
    app = app_at_step(db, "actions", BLANK_REVIEW, solo=True)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_screen(pilot, "ActionsScreen")
        await settle(pilot)
        await reply(pilot, "Move every service to one certificate authority")
        await reply(pilot, "not")
        assert asked(app)[0].startswith("Which root cause, factor or improvement")
        await reply(pilot, "")
        assert asked(app)[0].startswith("Why are we not doing it?")
        await reply(pilot, "The vendor contract ends in March")
        assert asked(app)[0].startswith("What will be done?")  # on to the next action
    action = stored(db)["actions"][0]
    assert (action["status"], action["note"], action["owner"]) == ("not_doing", "The vendor contract ends in March", "")
