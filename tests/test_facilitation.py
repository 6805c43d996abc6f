"""Facilitation journeys: ground rules, the step timer, "let's move on", the solo
interview, blame advisories as you type, presenter view and client redaction.

Each test drives the real app (``make_app``) at 80x24 with keys, then checks
what a user would see (the active screen, the focus, the header, notes beside
fields, notices) and what the review file holds.  Timers run on a fake clock
(``app.clock``), set before the step screen mounts, so nothing here sleeps
waiting for minutes to pass.
"""

from __future__ import annotations

import time

import json
import re
from pathlib import Path
from typing import Any, Callable

import pytest
from textual.widgets import Input, Markdown, OptionList, Static, TextArea

from snapshot_apps.reviews import (
    BLANK_REVIEW,
    FIXED_REVIEW,
    FakeClock,
    app_at_step,
    review,
    steady_cursors,
    store_review,
)
from store.db import ReviewStore
from tui_helpers import read_file, saved, screen_ready, typing_paused
from store.render import render_client, render_markdown
from tui.app import make_app

SIZE = (80, 24)
ROUNDS = 100  # pauses, not seconds: how long to wait for a screen before failing


@pytest.fixture(autouse=True)
def no_blinking(monkeypatch):
    steady_cursors(monkeypatch)


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "r.json"


# Helpers ----------------------------------------------------------------------


def active(app) -> str:
    return type(app.screen).__name__


async def wait_until(pilot, condition: Callable[[], bool], what: str) -> None:
    """Let the app process events until ``condition()`` holds (bounded; a review is read off the event loop,
    and an idle app answers a bare pause at once, so short pauses once the rounds are up)."""
    for _ in range(ROUNDS):
        if condition():
            return
        await pilot.pause()
    deadline = time.monotonic() + 10
    while not condition() and time.monotonic() < deadline:
        await pilot.pause(0.02)
    assert condition(), f"timed out waiting for {what}"


async def wait_for_screen(pilot, name: str) -> None:
    await wait_until(pilot, lambda: active(pilot.app) == name and screen_ready(pilot.app.screen),
                     f"{name} (active: {active(pilot.app)})")


async def type_text(pilot, text: str) -> None:
    """Type ``text`` key by key (Textual turns ' ' into space, ':' into colon ...)."""
    await pilot.press(*text)
    await pilot.pause()


async def answer(pilot, text: str) -> None:
    """Type an answer into the focused interview input and press Enter."""
    assert pilot.app.focused is not None and pilot.app.focused.id == "answer", pilot.app.focused
    await type_text(pilot, text)
    await pilot.press("enter")
    await pilot.pause()


def on_screen(app) -> str:
    """Every character drawn on the terminal now, one line per row."""
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


def flat(text: str) -> str:
    """Text with runs of whitespace (line wraps, borders' padding) made single spaces."""
    return " ".join(text.split())


def stored(db: Path, review_id: str = "pm-1") -> dict[str, Any]:
    """A review as the file holds it, read without the app's store."""
    return read_file(db)["reviews"][review_id.removeprefix("pm-")]


def question(app) -> str:
    """The interview question being asked."""
    return str(app.screen.query_one("#interview #question", Static).content)


def answer_refusal(app) -> str:
    """Why the interview refused the last answer, as shown under it (empty when it took it)."""
    line = app.screen.query_one("#interview #answer-refusal", Static)
    return "" if line.has_class("-empty") else str(line.content)


def check_lines(app) -> list[str]:
    panel = app.screen.query_one("#checks", OptionList)
    return [str(panel.get_option_at_index(i).prompt) for i in range(panel.option_count)]


def item_rows(app, editor: str) -> list[str]:
    """The rows of an item list, as the user reads them."""
    rows = app.screen.query_one(f"{editor} .item-rows", OptionList)
    return [str(rows.get_option_at_index(i).prompt) for i in range(rows.option_count)]


def refusal(app) -> str:
    line = app.screen.query_one("#refusal", Static)
    return "" if line.has_class("-empty") else str(line.content)


def field_note(app, widget_id: str) -> str:
    """The note under a form field (empty when hidden)."""
    note = app.screen.query_one(f"#{widget_id}").parent.query_one(".field-note", Static)
    return "" if note.has_class("-empty") or not note.display else str(note.content)


def notices(app) -> list[str]:
    return [notification.message for notification in app._notifications]


def count_bells(app) -> list[None]:
    """Replace the app's bell with a counter; returns the list each ring appends to."""
    rings: list[None] = []
    app.bell = lambda: rings.append(None)
    return rings


# Ground rules -------------------------------------------------------------------


async def test_a_new_review_asks_for_the_ground_rules_before_setup(db):
    app = make_app(db, start="new")
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_screen(pilot, "GroundRulesDialog")
        assert app.focused.id == "agree"
        assert "not at who" in flat(on_screen(app))
        assert stored(db)["ground_rules_confirmed"] is False

        await pilot.press("enter")
        await wait_for_screen(pilot, "SetupScreen")
        assert app.focused.id == "title"
        await saved(pilot)
        assert stored(db)["ground_rules_confirmed"] is True


@pytest.mark.parametrize("keys", [["escape"], ["tab", "enter"]], ids=["escape", "not-now-button"])
async def test_not_now_on_a_new_review_goes_home_and_keeps_nothing(db, keys):
    app = make_app(db, start="new")
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_screen(pilot, "GroundRulesDialog")
        await pilot.press(*keys)
        await wait_for_screen(pilot, "HomeScreen")
    assert read_file(db)["reviews"] == {}


@pytest.mark.parametrize("keys", [["escape"], ["tab", "enter"]], ids=["escape", "not-now-button"])
async def test_not_now_on_a_saved_review_keeps_it_and_asks_again_on_reopening(db, keys):
    store_review(db, review(BLANK_REVIEW, step="setup", ground_rules_confirmed=False))
    app = make_app(db)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_screen(pilot, "HomeScreen")
        await pilot.press("enter")
        await wait_for_screen(pilot, "GroundRulesDialog")
        await pilot.press(*keys)
        await wait_for_screen(pilot, "HomeScreen")
        assert stored(db)["ground_rules_confirmed"] is False

        await pilot.press("enter")  # open the (only) review from the list
        await wait_for_screen(pilot, "GroundRulesDialog")


async def test_reopening_a_confirmed_review_does_not_ask_again(db):
    store_review(db, review(BLANK_REVIEW, step="setup"))
    app = make_app(db)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_screen(pilot, "HomeScreen")
        await pilot.press("enter")
        await wait_for_screen(pilot, "SetupScreen")
        for _ in range(5):
            await pilot.pause()
        assert active(app) == "SetupScreen"
        assert app.focused.id == "title"


# The step timer ---------------------------------------------------------------------


async def test_the_header_shows_the_time_left_when_a_step_opens(db):
    app = app_at_step(db, "timeline", review(timeboxes={"timeline": 7}))
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_screen(pilot, "TimelineScreen")
        assert app.screen.sub_title == "pm-1  Timeline  7:00 left  saved"
        assert "pm-1 Timeline 7:00 left" in flat(on_screen(app).splitlines()[0])

        app.clock.advance(65)
        app.screen.tick_timer()
        await pilot.pause()
        assert "5:55 left" in on_screen(app).splitlines()[0]


async def test_when_the_timebox_is_up_a_notice_shows_and_the_bell_rings_once(db):
    app = app_at_step(db, "impact")  # 5 minutes by default
    rings = count_bells(app)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await wait_for_screen(pilot, "ImpactScreen")
        app.clock.advance(5 * 60 - 1)
        app.screen.tick_timer()
        assert app.screen.sub_title.endswith("0:01 left  saved")
        assert rings == [] and notices(app) == []

        app.clock.advance(2)  # the screen's own one-second tick notices
        await wait_until(pilot, lambda: notices(app), "the timebox notice")
        assert app.screen.sub_title.endswith("0:01 over  saved")
        assert len(rings) == 1
        await pilot.pause()
        assert "The 5 minutes for Impact are up" in flat(on_screen(app))

        for _ in range(3):
            app.clock.advance(30)
            app.screen.tick_timer()
        assert len(rings) == 1
        assert len(notices(app)) == 1
        assert app.screen.sub_title.endswith("1:31 over  saved")


async def test_f6_pauses_the_timer_and_f6_again_resumes_it(db):
    app = app_at_step(db, "timeline")
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_screen(pilot, "TimelineScreen")
        app.clock.advance(60)
        await pilot.press("f6")
        assert app.screen.sub_title.endswith("14:00 left (paused)  saved")

        app.clock.advance(300)
        app.screen.tick_timer()
        assert app.screen.sub_title.endswith("14:00 left (paused)  saved")

        await pilot.press("f6")
        assert app.screen.sub_title.endswith("14:00 left  saved")
        app.clock.advance(30)
        app.screen.tick_timer()
        assert app.screen.sub_title.endswith("13:30 left  saved")


async def test_f7_sets_the_timebox_and_the_review_keeps_it(db):
    app = app_at_step(db, "timeline")
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_screen(pilot, "TimelineScreen")
        await pilot.press("f7")
        await wait_for_screen(pilot, "PromptDialog")
        assert "Minutes for Timeline" in flat(on_screen(app))
        assert app.focused.value == "15"  # the current timebox, selected: typing replaces it
        await type_text(pilot, "25")
        await pilot.press("enter")
        await wait_for_screen(pilot, "TimelineScreen")
        assert app.screen.sub_title.endswith("25:00 left  saved")
    assert stored(db)["timeboxes"] == {"timeline": 25}

    again = make_app(db, start="open", review_id="pm-1")
    again.clock = FakeClock()
    async with again.run_test(size=SIZE) as pilot:
        await wait_for_screen(pilot, "TimelineScreen")
        assert again.screen.sub_title.endswith("25:00 left  saved")


@pytest.mark.parametrize("typed", ["0", "abc", "241"])
async def test_f7_refuses_a_timebox_that_is_not_1_to_240_minutes(db, typed):
    app = app_at_step(db, "timeline")
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_screen(pilot, "TimelineScreen")
        await pilot.press("f7")
        await wait_for_screen(pilot, "PromptDialog")
        await type_text(pilot, typed)
        await pilot.press("enter")
        await wait_for_screen(pilot, "TimelineScreen")
        assert any("not a number of minutes from 1 to 240" in n for n in notices(app))
        assert app.screen.sub_title.endswith("15:00 left  saved")
    assert stored(db)["timeboxes"] == {}


# Let's move on ------------------------------------------------------------------------


async def test_f9_records_the_step_as_cut_short_and_moves_on(db):
    app = app_at_step(db, "went_well")
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_screen(pilot, "WentWellScreen")
        await pilot.press("f9")
        await wait_for_screen(pilot, "CouldImproveScreen")
        assert any("Went well recorded as cut short" in n for n in notices(app))
    doc = stored(db)
    assert doc["cut_short"] == ["went_well"]
    assert doc["step"] == "could_improve"
    markdown = render_markdown(ReviewStore(db).get("pm-1"))
    assert "## Discussion cut short\n\nSteps whose discussion was cut short: Went well." in markdown


async def test_f9_on_a_step_with_errors_is_refused_like_next(db):
    app = app_at_step(db, "impact", BLANK_REVIEW)
    rings = count_bells(app)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_screen(pilot, "ImpactScreen")
        await pilot.press("f9")
        await pilot.pause()
        assert active(app) == "ImpactScreen"
        assert refusal(app) == "Can't move on yet: The impact is empty."
        assert app.focused.id == "impact"
        assert len(rings) == 1
    assert stored(db)["cut_short"] == []
    assert stored(db)["step"] == "impact"


# The solo interview ----------------------------------------------------------------


async def test_solo_interview_fills_in_setup(db):
    app = make_app(db, start="new", solo=True)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_screen(pilot, "GroundRulesDialog")
        await pilot.press("enter")
        await wait_for_screen(pilot, "SetupScreen")
        await wait_until(pilot, lambda: app.focused is not None and app.focused.id == "answer", "interview focus")
        assert not app.screen.query_one("#prompts").display  # the interview replaces the prompts
        assert question(app).startswith("What should we call this review?")

        await answer(pilot, "Checkout failed")
        assert question(app).startswith("How severe was it?")
        await answer(pilot, "sev9")  # refused: asked again, with the answer kept to correct
        assert question(app).startswith("How severe was it?")
        assert app.focused.value == "sev9"
        assert "SEV1" in answer_refusal(app)  # says why, beside the answer
        app.focused.value = ""
        await answer(pilot, "2")
        assert answer_refusal(app) == ""
        assert question(app).startswith("When is the review held?")
        await answer(pilot, "")  # keeps the date set when the review was made
        assert question(app) == "Who will own the write-up? One person."
        await answer(pilot, "Lee")
        await answer(pilot, "Dana")
        await answer(pilot, "Dana, Lee, Sam")
        await answer(pilot, "Europe/Berlin")
        assert question(app).startswith("Supporting links")
        await answer(pilot, "Incident channel #inc-checkout, https://dash.example.com")
        assert question(app).startswith("That is all for this step")
        assert app.screen.query_one("#title", Input).value == "Checkout failed"
        assert app.screen.query_one("#participants", Input).value == "Dana, Lee, Sam"
        assert app.screen.query_one("#links", Input).value == "Incident channel #inc-checkout, https://dash.example.com"
    doc = stored(db)
    assert (doc["title"], doc["severity"], doc["owner"], doc["facilitator"]) == ("Checkout failed", "SEV2", "Lee", "Dana")
    assert doc["participants"] == ["Dana", "Lee", "Sam"]
    assert doc["timezone"] == "Europe/Berlin"
    assert doc["links"] == [{"label": "Incident channel", "url": "#inc-checkout"},
                            {"label": "", "url": "https://dash.example.com"}]


async def test_solo_interview_turns_time_first_answers_into_timeline_events(db):
    app = app_at_step(db, "timeline", BLANK_REVIEW, solo=True)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_screen(pilot, "TimelineScreen")
        await wait_until(pilot, lambda: app.focused is not None and app.focused.id == "answer", "interview focus")
        await answer(pilot, "14:05 Deploy starts")
        assert question(app).startswith("What happened, and when?")  # asked again until left empty
        await answer(pilot, "2026-11-21 14:09 detected: Alert fires")
        await answer(pilot, "")
        assert question(app).startswith("That is all for this step")
        rows = app.screen.query_one("#events .item-rows", OptionList)
        assert "2026-11-21 14:05  Deploy starts" in str(rows.get_option_at_index(0).prompt)
    assert [(e["at"], e["text"], e["marker"]) for e in stored(db)["timeline"]] == [
        ("2026-11-21T14:05:00+00:00", "Deploy starts", None),
        ("2026-11-21T14:09:00+00:00", "Alert fires", "detected"),
    ]


async def test_solo_interview_refuses_an_event_without_a_time_and_says_why_beside_it(db):
    app = app_at_step(db, "timeline", BLANK_REVIEW, solo=True)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_screen(pilot, "TimelineScreen")
        await wait_until(pilot, lambda: app.focused is not None and app.focused.id == "answer", "interview focus")
        await answer(pilot, "Deploy starts")
        assert "has no time" in answer_refusal(app)  # the form's own check, beside the answer
        assert app.focused.value == "Deploy starts"  # kept, to correct
        await pilot.press("home")
        await answer(pilot, "14:05 ")
        assert answer_refusal(app) == ""
    assert [(e["at"], e["text"]) for e in stored(db)["timeline"]] == [("2026-11-21T14:05:00+00:00", "Deploy starts")]


async def test_solo_five_whys_quotes_each_previous_answer(db):
    app = app_at_step(db, "five_whys", BLANK_REVIEW, solo=True)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_screen(pilot, "FiveWhysScreen")
        await wait_until(pilot, lambda: app.focused is not None and app.focused.id == "answer", "interview focus")
        await answer(pilot, "Checkout failed")
        assert question(app) == "Why 1? Why: Checkout failed"
        await answer(pilot, "The DB ran out of memory")
        assert question(app) == "Why 2? Why: The DB ran out of memory"
        await answer(pilot, "A job used 3x memory")
        assert question(app) == "Why 3? Why: A job used 3x memory"
        await answer(pilot, "Load tests use small data")
        assert str(app.screen.query_one("#root-cause", Static).content) == "Root cause: Load tests use small data"
    whys = stored(db)["five_whys"]
    assert whys["problem"] == "Checkout failed"
    assert [chain["whys"] for chain in whys["chains"]] == [
        ["The DB ran out of memory", "A job used 3x memory", "Load tests use small data"]
    ]


async def test_solo_interview_lists_what_went_well_and_where_we_got_lucky(db):
    app = app_at_step(db, "went_well", BLANK_REVIEW, solo=True)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_screen(pilot, "WentWellScreen")
        await wait_until(pilot, lambda: app.focused is not None and app.focused.id == "answer", "interview focus")
        await answer(pilot, "Quick rollback")
        await answer(pilot, "Good alerts")
        await answer(pilot, "")
        assert question(app) == "Where did we get lucky?"
        await answer(pilot, "Off-peak")
        await answer(pilot, "")
        assert question(app).startswith("That is all for this step")
    doc = stored(db)
    assert [item["text"] for item in doc["went_well"]] == ["Quick rollback", "Good alerts"]
    assert [item["text"] for item in doc["lucky"]] == ["Off-peak"]


ACTION_ANSWERS = {
    "what": "Alert on DB memory above 80%",
    "status": "open",
    "owner": "Sam",
    "due": "2026-12-15",
    "done_when": "it fires in the drill",
    "type": "detect",
    "addresses": "root cause of chain 1",
}


async def test_solo_interview_builds_an_action_field_by_field(db):
    app = app_at_step(db, "actions", BLANK_REVIEW, solo=True)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_screen(pilot, "ActionsScreen")
        await wait_until(pilot, lambda: app.focused is not None and app.focused.id == "answer", "interview focus")
        for text in ACTION_ANSWERS.values():
            await answer(pilot, text)
        assert question(app).startswith("What will be done?")  # on to the next action
        await answer(pilot, "")
        assert question(app).startswith("That is all for this step")
    (action,) = stored(db)["actions"]
    assert {name: action[name] for name in ACTION_ANSWERS} == ACTION_ANSWERS


async def test_solo_interview_asks_again_for_a_refused_action_type(db):
    app = app_at_step(db, "actions", BLANK_REVIEW, solo=True)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_screen(pilot, "ActionsScreen")
        await wait_until(pilot, lambda: app.focused is not None and app.focused.id == "answer", "interview focus")
        for name in ("what", "status", "owner", "due", "done_when"):
            await answer(pilot, ACTION_ANSWERS[name])
        await answer(pilot, "soon")
        assert "'soon' is not one of prevent" in answer_refusal(app)
        assert question(app).startswith("What type is it")
        app.focused.value = ""
        await answer(pilot, "det")  # the first letters choose
        assert question(app).startswith("Which root cause, factor or improvement")
    assert stored(db)["actions"][0]["type"] == "detect"


async def test_solo_interview_asks_for_the_overview_then_questions_with_answers_then_the_follow_up(db):
    app = app_at_step(db, "summary", BLANK_REVIEW, solo=True)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_screen(pilot, "SummaryScreen")
        await wait_until(pilot, lambda: app.focused is not None and app.focused.id == "answer", "interview focus")
        assert question(app).startswith("In one paragraph")  # the summary's order: the overview first
        await answer(pilot, "A deploy broke checkout")
        assert app.screen.query_one("#overview", TextArea).text == "A deploy broke checkout"
        await answer(pilot, "Will it slip?")
        assert question(app) == "What was the answer?"
        await answer(pilot, "No")
        await answer(pilot, "Who pays?")
        await answer(pilot, "")  # not answered yet
        await answer(pilot, "")  # no more questions
        assert question(app).startswith("When do we check that the actions worked?")
        await answer(pilot, "next month")
        assert "not a date" in answer_refusal(app)
        app.focused.value = ""
        await answer(pilot, "2026-12-21")
        assert question(app).startswith("That is all for this step")
    doc = stored(db)
    assert [(q["text"], q["answer"]) for q in doc["questions"]] == [("Will it slip?", "No"), ("Who pays?", "")]
    assert doc["summary"] == "A deploy broke checkout"
    assert doc["follow_up"]["due"] == "2026-12-21"


async def test_ctrl_f_starts_and_stops_the_interview_on_a_step(db):
    app = app_at_step(db, "impact", BLANK_REVIEW)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_screen(pilot, "ImpactScreen")
        assert app.screen.query_one("#prompts").display
        await pilot.press("ctrl+f")
        await wait_until(pilot, lambda: app.focused is not None and app.focused.id == "answer", "interview focus")
        assert app.solo
        assert not app.screen.query_one("#prompts").display
        await answer(pilot, "1200 users, 22 min")
        assert app.screen.query_one("#impact", TextArea).text == "1200 users, 22 min"

        await pilot.press("ctrl+f")
        await pilot.pause()
        assert not app.solo
        assert not app.screen.query("#interview")
        assert app.screen.query_one("#prompts").display
    assert stored(db)["impact"] == "1200 users, 22 min"


# Blame language, as you type ---------------------------------------------------------

BLAME = "Sam forgot to run the migration"
PEOPLE = {"participants": ["Dana", "Lee", "Sam"], "owner": "Lee", "facilitator": "Dana"}


async def test_blame_advisory_shows_under_the_title_as_it_is_typed(db):
    app = app_at_step(db, "setup", review(BLANK_REVIEW, **PEOPLE))
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_screen(pilot, "SetupScreen")
        assert app.focused.id == "title"
        await type_text(pilot, BLAME)
        await typing_paused(pilot)  # what a field's typing changes beyond it is drawn once typing pauses
        note = field_note(app, "title")
        assert note.startswith('? Blame language: "Sam forgot to" makes a person the subject of the failure.')
        assert "The checklist had no step to run the migration" in note
        assert any("Sam forgot to" in line for line in check_lines(app))

        await type_text(pilot, " again")  # an advisory never blocks typing
        assert app.focused.id == "title"
        assert app.focused.value == BLAME + " again"
        await pilot.pause(0.3)  # typing is saved once it pauses for a quarter second
        await wait_until(pilot, lambda: stored(db)["title"] == BLAME + " again", "the title to be saved")


async def test_blame_advisory_shows_under_the_impact_text(db):
    app = app_at_step(db, "impact", review(BLANK_REVIEW, **PEOPLE))
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_screen(pilot, "ImpactScreen")
        assert app.focused.id == "impact"
        await type_text(pilot, "For 20 min " + BLAME)  # with a number, so "no numbers" does not apply
        await typing_paused(pilot)
        assert field_note(app, "impact").startswith('? Blame language: "Sam forgot to"')
        await type_text(pilot, " again")
        assert app.focused.text == "For 20 min " + BLAME + " again"


async def test_blame_advisory_shows_under_the_impact_text_before_it_has_numbers(db):
    app = app_at_step(db, "impact", review(BLANK_REVIEW, **PEOPLE))
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_screen(pilot, "ImpactScreen")
        await type_text(pilot, BLAME)
        await typing_paused(pilot)
        assert any("Sam forgot to" in line for line in check_lines(app))
        assert "Blame language" in field_note(app, "impact")


async def test_blame_advisory_shows_in_the_item_editor_note_while_typing_an_item(db):
    app = app_at_step(db, "went_well", review(BLANK_REVIEW, **PEOPLE))
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_screen(pilot, "WentWellScreen")
        assert "item-field" in app.focused.classes
        await type_text(pilot, BLAME)
        await typing_paused(pilot)
        note = str(app.screen.query_one("#went-well .item-note", Static).content)
        assert note.startswith('? Blame language: "Sam forgot to" makes a person the subject of the failure.')
        await type_text(pilot, " but we caught it")
        assert app.focused.value == BLAME + " but we caught it"
        await pilot.press("enter")  # finish the item
        await pilot.pause()
        assert active(app) == "WentWellScreen"
    assert [item["text"] for item in stored(db)["went_well"]] == [BLAME + " but we caught it"]


async def test_a_root_cause_of_human_error_refuses_next_with_the_hint(db):
    app = app_at_step(db, "five_whys", review(BLANK_REVIEW, **PEOPLE, five_whys={"problem": "Checkout failed", "chains": []}))
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_screen(pilot, "FiveWhysScreen")
        await pilot.press("tab", "tab")  # past the chain list to the first why
        assert "why" in app.focused.classes
        for text in ("The migration did not run", "The deploy skipped it", "human error"):
            await type_text(pilot, text)
            await pilot.press("enter")
            await pilot.pause()
        await pilot.press("ctrl+n")
        await pilot.pause()
        assert active(app) == "FiveWhysScreen"
        assert refusal(app).startswith('Can\'t move on yet: The root cause stops at human error ("human error").')
        assert app.focused.value == "human error"  # the refusal focuses the root cause
        hints = flat(on_screen(app)) + " ".join(check_lines(app))
        assert "Describe the condition that let it happen" in hints
    assert stored(db)["five_whys"]["chains"][0]["whys"][-1] == "human error"


# Presenter view ---------------------------------------------------------------------

ADVISED = review(went_well=[{"text": "Sam forgot to run the migration but the rollback worked"}])


async def test_presenter_view_uses_the_presenter_theme_and_toggles_back(db):
    app = app_at_step(db, "went_well", ADVISED)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_screen(pilot, "WentWellScreen")
        before = app.theme
        assert any(line.startswith("advice") for line in check_lines(app))

        await pilot.press("ctrl+l")
        await pilot.pause()
        assert app.presenter and app.theme == "presenter"
        assert app.screen.has_class("-presenter")
        assert check_lines(app) == ["No problems: ctrl+n moves on."]  # errors only: there are none

        await pilot.press("ctrl+l")
        await pilot.pause()
        assert not app.presenter and app.theme == before
        assert not app.screen.has_class("-presenter")
        assert any(line.startswith("advice") for line in check_lines(app))


async def test_presenter_view_keeps_errors_in_the_check_panel(db):
    app = app_at_step(db, "setup", review(BLANK_REVIEW, title="Sam forgot to run the migration"))
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_screen(pilot, "SetupScreen")
        assert any(line.startswith("advice") for line in check_lines(app))
        await pilot.press("ctrl+l")
        await pilot.pause()
        lines = check_lines(app)
        assert lines and all(line.startswith("ERROR") for line in lines)
        assert field_note(app, "title") == ""  # the advisory beside the title is hidden too


async def test_presenter_view_hides_the_prompts_panel(db):
    app = app_at_step(db, "went_well", ADVISED)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_screen(pilot, "WentWellScreen")
        await wait_until(pilot, lambda: "Ask the room" in on_screen(app), "the prompts drawn")
        await pilot.press("ctrl+l")
        await pilot.pause()
        assert "Ask the room" not in on_screen(app)


async def test_presenter_view_hides_advisories_on_item_rows(db):
    app = app_at_step(db, "went_well", ADVISED)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_screen(pilot, "WentWellScreen")
        assert "! Blame language" in item_rows(app, "#went-well")[0]
        await pilot.press("ctrl+l")
        await pilot.pause()
        assert "Blame language" not in item_rows(app, "#went-well")[0]


# Redaction in the client summary -------------------------------------------------------

NAMES = ["Dana", "Scully", "Lee", "Chen", "Sam", "Patel"]
NAMED = review(
    owner="Lee Chen",
    facilitator="Dana Scully",
    participants=["Dana Scully", "Lee Chen", "Sam Patel"],
    redact=["db-prod-7"],
    summary="Sam restarted db-prod-7 after Dana paged Lee.",
    impact="Checkout on DB-PROD-7 failed for 22 minutes; Lee Chen told the client.",
    timeline=[
        {"at": "2026-11-20T14:05:00+00:00", "text": "Sam Patel starts the deploy to db-prod-7", "marker": "started"},
        {"at": "2026-11-20T14:27:00+00:00", "text": "Dana confirms recovery", "marker": "resolved"},
    ],
    went_well=[{"text": "Sam rolled back db-prod-7 in 2 minutes"}],
    could_improve=[{"text": "Lee had no runbook for db-prod-7"}],
    actions=[
        {"what": "Alert on db-prod-7 memory", "owner": "Sam Patel", "due": "2026-12-15",
         "done_when": "it fires in the drill", "type": "detect", "addresses": "root cause of chain 1"},
    ],
    questions=[{"text": "Will Dana share the report?", "answer": "Yes, Lee sends it on Friday"}],
)


def named_or_redacted(text: str) -> list[str]:
    """Every participant name or redacted word still in ``text`` (whole words, any case)."""
    found = re.findall(r"(?i)\b(?:" + "|".join(NAMES) + r")\b", text)
    return found + re.findall(r"(?i)db-prod-7", text)


def test_the_client_summary_has_neither_names_nor_redacted_words(db):
    store_review(db, NAMED)
    client = render_client(ReviewStore(db).get("pm-1"))
    assert named_or_redacted(client) == []
    assert "(redacted)" in client
    assert "A team member restarted (redacted) after a team member paged a team member." in client
    assert "Checkout on (redacted) failed for 22 minutes; a team member told the client." in client
    assert "Sam" in render_markdown(ReviewStore(db).get("pm-1"))  # the internal summary keeps names


async def test_the_summary_screen_previews_the_client_summary_with_f3(db):
    app = app_at_step(db, "summary", NAMED)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_screen(pilot, "SummaryScreen")
        preview = app.screen.query_one("#preview", Markdown)
        assert "Sam" in preview.source  # the written summary comes first

        await pilot.press("f3")
        await pilot.pause()
        title = str(app.screen.query_one("#preview-title", Static).content)
        assert title.startswith("Client summary (people and hosts redacted)")
        assert preview.source == render_client(ReviewStore(db).get("pm-1"))
        assert named_or_redacted(preview.source) == []
        await pilot.pause()
        shown = " ".join(str(block.render()) for block in preview.query("MarkdownBlock"))
        assert "(redacted)" in shown
        assert named_or_redacted(shown) == []

        await pilot.press("f3")
        await pilot.pause()
        assert str(app.screen.query_one("#preview-title", Static).content).startswith("Written summary")


async def test_a_word_typed_into_the_redaction_field_leaves_the_client_preview(db):
    app = app_at_step(db, "summary", review(NAMED, redact=[]))
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_screen(pilot, "SummaryScreen")
        await pilot.press("f3")
        preview = app.screen.query_one("#preview", Markdown)
        await wait_until(pilot, lambda: "Checkout on" in preview.source, "the client preview")
        assert "db-prod-7" not in preview.source.lower()  # a host name is redacted by its shape, unlisted
        assert "an internal host" in preview.source
        app.screen.query_one("#redact", Input).focus()
        await pilot.pause()
        await type_text(pilot, "checkout")
        await wait_until(pilot, lambda: stored(db)["redact"] == ["checkout"], "the redaction to be saved")
        await wait_until(pilot, lambda: "checkout" not in preview.source.lower(), "the preview to redact")
        assert "(redacted)" in preview.source


def test_the_client_summary_has_no_surname_used_alone(db):
    store_review(db, review(NAMED, impact="Scully paged Chen at 14:09; 1200 customers were affected."))
    client = render_client(ReviewStore(db).get("pm-1"))
    assert named_or_redacted(client) == []


def test_a_name_that_is_also_a_word_stays_a_word_in_the_client_summary(db):
    doc = review(NAMED, participants=["Dana Scully", "Lee Chen", "May Ortiz"],
                 impact="The job may fail again under load; 1200 customers were affected.")
    store_review(db, doc)
    client = render_client(ReviewStore(db).get("pm-1"))
    assert "The job may fail again under load" in client


# Regressions and bugs found on the way -------------------------------------------------------------


async def test_reopening_five_whys_keeps_the_answers(db):
    """Regression: the answers were blanked on reopen (fixed in 962ecc6); snapshots rely on it."""
    app = app_at_step(db, "five_whys")
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_screen(pilot, "FiveWhysScreen")
        for _ in range(5):
            await pilot.pause()
        assert app.screen.review.five_whys.chains[0].whys == FIXED_REVIEW["five_whys"]["chains"][0]["whys"]
        await pilot.press("ctrl+q")
    assert stored(db)["five_whys"]["chains"][0]["whys"] == FIXED_REVIEW["five_whys"]["chains"][0]["whys"]


async def test_starting_in_a_small_terminal_shows_the_too_small_message(db):
    store_review(db, review(step="impact"))
    app = make_app(db, start="open", review_id="pm-1")
    app.clock = FakeClock()
    async with app.run_test(size=(50, 16)) as pilot:
        await wait_for_screen(pilot, "TooSmallScreen")  # over the step, once the review is read (off the loop)
        assert "The window is too small." in on_screen(app)


async def test_shrinking_below_60x20_shows_the_too_small_message_and_growing_removes_it(db):
    store_review(db, review(step="impact"))
    app = make_app(db, start="open", review_id="pm-1")
    app.clock = FakeClock()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_screen(pilot, "ImpactScreen")
        await pilot.resize_terminal(50, 16)
        await wait_for_screen(pilot, "TooSmallScreen")
        assert "Make it at least 60 columns by 20 rows." in on_screen(app)
        await pilot.resize_terminal(80, 24)
        await wait_for_screen(pilot, "ImpactScreen")
