"""A facilitator's review by keys at 80x24, and alone with the interview (issue 12).

Each test drives the real app with keys, as the review of a real incident
did, and checks what a user notices: the screen, the focused field, what is
drawn, and what the review file holds.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from textual import events
from textual.widgets import Input, OptionList, Static

from snapshot_apps.reviews import BLANK_REVIEW, app_at_step, review, steady_cursors
from store.checks import check_review
from store.model import Review
from tui_helpers import (
    SIZE,
    agree_to_ground_rules,
    complete_review,
    item_field,
    new_app,
    press_and_wait_for_screen,
    refusal,
    screen_text,
    seed,
    static_text,
    stored,
    tab_to,
    type_text,
    typing_paused,
    wait_for_screen,
)

FIVE_WHYS = ["Disk filled", "Backups wrote to it", "No quota on the volume",
             "Quotas are set by hand", "The runbook has no step for quotas"]


@pytest.fixture(autouse=True)
def no_blinking(monkeypatch):
    steady_cursors(monkeypatch)


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "r.json"


def follow_up_app(db: Path):
    """An app holding the follow-up of a complete review, on the day it is due."""
    app = new_app(db, start="follow-up", review_id=seed(db, complete_review()))
    app.today = lambda: date(2026, 12, 21)
    return app


def why_input(index: int):
    return lambda widget: isinstance(widget, Input) and getattr(widget, "why_index", None) == index


def chains_of(db: Path) -> list[list[str]]:
    return [chain["whys"] for chain in stored(db)["five_whys"]["chains"]]


# Five Whys ---------------------------------------------------------------------


async def test_f5_after_editing_an_earlier_why_starts_a_clean_new_chain(db):
    doc = review(five_whys={"problem": "Data lost", "chains": [{"whys": FIVE_WHYS}]})
    app = app_at_step(db, "five_whys", doc)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_screen(pilot, "FiveWhysScreen")
        await tab_to(pilot, why_input(4))  # "Why 5?", not the blank sixth
        await pilot.press("f5")
        await pilot.pause()
        assert len(app.screen.query("#whys Input")) == 1  # only the first why of the new chain
        await pilot.press("tab")  # past the new chain's only why
        await type_text(pilot, "Replication lagged")
        assert [chain.whys for chain in app.screen.review.five_whys.chains] == [FIVE_WHYS]  # no broken chain
        await pilot.press("shift+tab")
        await type_text(pilot, "Primary was wiped")
        await pilot.press("enter")
        await type_text(pilot, "Replication lagged")
        await pilot.press("ctrl+q")
    assert chains_of(db) == [FIVE_WHYS, ["Primary was wiped", "Replication lagged"]]


async def test_typing_after_f5_and_one_tab_too_many_is_shown_not_dropped(db):
    doc = review(five_whys={"problem": "Data lost", "chains": [{"whys": FIVE_WHYS}]})
    app = app_at_step(db, "five_whys", doc)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_screen(pilot, "FiveWhysScreen")
        await tab_to(pilot, why_input(4))
        await pilot.press("f5", "tab")  # past the new chain's only why, onto the list of contributing factors
        assert app.focused.has_class("item-rows") and app.focused.parent.id == "factors"
        await type_text(pilot, "Replication lagged")
        assert "'Replication lagged'" in refusal(pilot)  # on screen, to type again where it belongs
        await pilot.press("shift+tab")
        assert refusal(pilot) == ""


async def test_ctrl_q_right_after_a_burst_of_typing_saves_the_whole_why(db):
    doc = review(five_whys={"problem": "Data lost", "chains": [{"whys": FIVE_WHYS[:3]}]})
    app = app_at_step(db, "five_whys", doc)
    long_why = ("The replica was rebuilt by hand from a runbook that did not say which host was the primary "
                "one at all")
    assert len(long_why) >= 100
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_screen(pilot, "FiveWhysScreen")
        await tab_to(pilot, why_input(3))
        await pilot.press(*long_why, "ctrl+q")  # one burst, then quit at once
    assert chains_of(db) == [FIVE_WHYS[:3] + [long_why]]


async def test_a_why_filled_from_another_chain_starts_with_the_cursor_at_the_end(db):
    chains = [{"whys": ["on a primary", "b", "c"]}, {"whys": ["on a primary", "y", "z"]}]
    app = app_at_step(db, "five_whys", review(five_whys={"problem": "Data lost", "chains": chains}))
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_screen(pilot, "FiveWhysScreen")
        await tab_to(pilot, why_input(0))
        await pilot.press("home")  # the cursor at the start of chain 1's first why
        await tab_to(pilot, lambda w: w.id == "chains")
        await pilot.press("down", "enter")  # from chain 1, highlighted on arrival, to chain 2
        await pilot.pause()
        assert why_input(0)(app.focused)
        await pilot.press("ctrl+u")
        await type_text(pilot, "the host name was ambiguous")
        await pilot.press("ctrl+q")
    assert chains_of(db) == [["on a primary", "b", "c"], ["the host name was ambiguous", "y", "z"]]


# Follow-up -----------------------------------------------------------------------


async def test_words_typed_after_recording_a_decision_go_into_the_next_actions_note(db):
    app = follow_up_app(db)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_screen(pilot, "FollowUpScreen")
        await pilot.press("down", "enter")  # done
        await type_text(pilot, "Runs weekly")
        await pilot.press("enter")  # recorded; action 2 comes up, its decision list focused
        await type_text(pilot, "Fired in the drill")  # typed on without looking
        note = app.screen.query_one("#follow-up-note", Input)
        assert app.focused is note and note.value == "Fired in the drill"
        await pilot.press("shift+tab", "down", "enter")  # now choose done: on to the note, text kept
        assert app.focused is note and note.value == "Fired in the drill"
        await pilot.press("enter")
        await type_text(pilot, "All done")  # after the last action: into the follow-up's notes
        assert app.screen.query_one("#follow-up-notes", Input).value == "All done"
        await pilot.press("ctrl+q")
    doc = stored(db, app.start_review_id)
    assert [action["note"] for action in doc["actions"]] == ["Runs weekly", "Fired in the drill"]
    assert doc["follow_up"]["notes"] == "All done"


# Setup ---------------------------------------------------------------------------


async def test_typing_on_after_one_tab_too_many_keeps_the_title_in_view_and_says_why(db):
    app = new_app(db, start="new")
    async with app.run_test(size=SIZE) as pilot:
        await agree_to_ground_rules(pilot)
        await type_text(pilot, "Primary database deleted")
        await pilot.press("tab")  # one Tab too many: on Severity
        await type_text(pilot, " by a tired engineer")
        assert not app.screen.query_one("#severity").expanded  # no list opened over the form
        assert "Primary database deleted" in screen_text(pilot)
        assert "Severity is a list" in refusal(pilot)
        await pilot.press("shift+tab")  # back to the title: the note goes
        assert refusal(pilot) == ""
        await pilot.press("ctrl+q")
    assert stored(db)["title"] == "Primary database deleted"


# The solo interview -------------------------------------------------------------


async def solo_answer(pilot, text: str) -> None:
    assert pilot.app.focused is not None and pilot.app.focused.id == "answer", pilot.app.focused
    await pilot.press("ctrl+u")
    await type_text(pilot, text)
    await pilot.press("enter")
    await pilot.pause()


def interview(app) -> tuple[str, str]:
    """The question asked and the refusal shown under the answer."""

    line = app.screen.query_one("#answer-refusal", Static)
    refusal = "" if line.has_class("-empty") else str(line.content)
    return str(app.screen.query_one("#interview #question", Static).content), refusal


async def test_the_interview_refuses_what_the_form_flags_and_keeps_saying_why_until_corrected(db):
    app = app_at_step(db, "setup", BLANK_REVIEW, solo=True)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_screen(pilot, "SetupScreen")
        for _ in range(20):
            await pilot.pause()
        for text in ("Primary database deleted", "SEV1", "", "Lee", "Dana", "Dana, Lee"):
            await solo_answer(pilot, text)
        await solo_answer(pilot, "Mars/Olympus")
        asked, refusal = interview(app)
        assert asked.startswith("Which timezone") and "not a known timezone" in refusal
        await pilot.press("tab", "shift+tab")  # wandering off and back: still said
        assert "not a known timezone" in interview(app)[1]
        await solo_answer(pilot, "UTC")
        assert interview(app)[1] == ""
    assert stored(db)["timezone"] == "UTC"


async def test_the_interview_refuses_a_due_date_that_is_not_a_date(db):
    app = app_at_step(db, "actions", BLANK_REVIEW, solo=True)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_screen(pilot, "ActionsScreen")
        for _ in range(20):
            await pilot.pause()
        await solo_answer(pilot, "Alert on replication lag over 5 minutes")
        await solo_answer(pilot, "")  # still to do
        await solo_answer(pilot, "Sam")
        await solo_answer(pilot, "next friday")
        asked, refusal = interview(app)
        assert asked.startswith("By when?") and "not a date" in refusal
        await solo_answer(pilot, "2026-12-15")
        await pilot.press("ctrl+q")
    assert stored(db)["actions"][0]["due"] == "2026-12-15"


async def test_answering_every_question_in_summary_order_lets_every_step_pass(db):
    """Every required field of every step is reachable by answering the interview alone."""


    answers = {
        "SetupScreen": ["Primary database deleted", "SEV1", "", "Lee", "Dana", "Dana, Lee, Sam", "UTC",
                        "Incident document https://docs.example.com/db-incident"],
        "TimelineScreen": ["2026-11-20 10:00 started: rm -rf on the primary", "2026-11-20 16:00 resolved: restored", ""],
        "ImpactScreen": ["Six hours of data lost for 5000 projects", "full outage, security", "no",
                         "A cleanup command run on the primary", "Users reported missing issues",
                         "That no backup had run for months"],
        "FiveWhysScreen": ["Data was lost", "The primary was wiped", "Host names looked alike",
                           "Prompts do not show the role", "",
                           "Replication lag had paged all evening", "contrib", "Resyncing was the runbook's fix",
                           ""],
        "WentWellScreen": ["A snapshot existed", "", ""],
        "CouldImproveScreen": ["Backups were not tested", "", ""],
        "ActionsScreen": ["Show the host role in every shell prompt", "", "Sam", "2026-12-15",
                          "the prompt says PRIMARY on the primary", "prev", "1",
                          "Alert when a backup has not run for a day", "open", "Lee", "2026-12-18",
                          "the alert fires in a drill", "det", "imp",
                          "Rename every host", "not doing", "1", "The new cluster retires these hosts", ""],
        "SummaryScreen": ["A wiped primary lost six hours of data; we now show host roles.",
                          "Will restores be tested?", "Yes, monthly", "", ""],
    }
    app = new_app(db, start="new", solo=True)
    async with app.run_test(size=SIZE) as pilot:
        await agree_to_ground_rules(pilot)
        for screen, replies in answers.items():
            await wait_for_screen(pilot, screen)
            for _ in range(20):
                await pilot.pause()
            for text in replies:
                await solo_answer(pilot, text)
                assert interview(app)[1] == "", (screen, text, interview(app))
            assert interview(app)[0].startswith("That is all for this step"), (screen, interview(app))
            if screen != "SummaryScreen":
                await pilot.press("ctrl+n")
        await pilot.press("ctrl+q")
    doc = stored(db)
    errors = {step: [p.message for p in found if p.level == "error"] for step, found in check_review(Review.from_dict(doc)).items()}
    assert errors == {step: [] for step in errors}
    assert [a["addresses"] for a in doc["actions"]] == ["root cause of chain 1", "improvement: Backups were not tested",
                                                         "root cause of chain 1"]
    assert (doc["impact_categories"], doc["near_miss"], doc["trigger"]) == (["full_outage", "security"], False,
                                                                            "A cleanup command run on the primary")
    assert [(f["kind"], f["text"], f["rationale"]) for f in doc["factors"]] == [
        ("contributing", "Replication lag had paged all evening", "Resyncing was the runbook's fix")]
    assert (doc["actions"][2]["status"], doc["actions"][2]["note"]) == ("not_doing", "The new cluster retires these hosts")


# 80x24 -------------------------------------------------------------------------


LONG_TITLE = "GitLab.com primary database deleted; 6 hours of data lost — postmortem of the 2017 incident"


@pytest.mark.parametrize("size", [(80, 24), (60, 20)])
async def test_a_long_title_is_cut_short_and_the_timer_stays_whole_and_says_over_time(db, size):
    app = app_at_step(db, "impact", review(title=LONG_TITLE))
    async with app.run_test(size=size, notifications=True) as pilot:
        await wait_for_screen(pilot, "ImpactScreen")
        header = screen_text(pilot).splitlines()[0]
        assert "5:00 left" in header and "GitLab" in header
        app.clock.advance(6 * 60)
        await pilot.press("f6", "f6")  # pause and resume: the header is redrawn at once
        await pilot.pause()
        assert "OVER TIME 1:00 over" in screen_text(pilot).splitlines()[0]
        app.clear_notifications()  # the notice goes; the mark stays
        await pilot.pause()
        assert "OVER TIME" in screen_text(pilot).splitlines()[0]


def lines_for_the_step(app) -> int:
    """Rows of the step's scrolling area left once the prompts and the intro are drawn."""
    screen = app.screen
    used = sum(w.outer_size.height for sel in ("#prompts", ".step-intro") for w in screen.query(sel) if w.display)
    return screen.query_one("#content").size.height - used


@pytest.mark.parametrize("step, screen_name", [("setup", "SetupScreen"), ("timeline", "TimelineScreen"),
                                               ("five_whys", "FiveWhysScreen"), ("actions", "ActionsScreen"),
                                               ("summary", "SummaryScreen")])
async def test_at_80x24_with_prompts_and_checks_shown_the_step_has_at_least_12_lines(db, step, screen_name):
    app = app_at_step(db, step)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_screen(pilot, screen_name)  # the step's screen (the review is read off the event loop)
        await pilot.pause()
        assert app.screen.query_one("#prompts").display and app.screen.query_one("#checks").display
        assert lines_for_the_step(app) >= 12  # 8 or 9 before


async def test_five_whys_at_80x24_shows_a_whole_chain_of_five_at_once(db):
    doc = review(five_whys={"problem": "Data lost", "chains": [{"whys": FIVE_WHYS}]})
    app = app_at_step(db, "five_whys", doc)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_screen(pilot, "FiveWhysScreen")
        await tab_to(pilot, why_input(0))
        shown = screen_text(pilot)
        assert all(why in shown for why in FIVE_WHYS), shown


async def test_the_timeline_list_follows_an_event_just_added(db):
    events = [{"at": f"2026-11-20T{hour:02d}:00:00+00:00", "text": f"Event at {hour}", "marker": None}
              for hour in range(1, 17)]
    app = app_at_step(db, "timeline", review(timeline=events))
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_screen(pilot, "TimelineScreen")
        assert item_field("at")(app.focused)  # a blank form for the next event
        await type_text(pilot, "2026-11-20 23:30")
        await pilot.press("tab", "tab")
        await type_text(pilot, "Replication back in sync")
        await typing_paused(pilot)  # the row follows once typing pauses
        rows = app.screen.query_one("#events .item-rows").region
        shown = screen_text(pilot).splitlines()[rows.y:rows.bottom]
        assert any("Replication back in sync" in line for line in shown), shown  # in the list, on screen


async def test_the_focused_field_has_a_marker_that_is_not_only_a_colour(db):
    app = app_at_step(db, "setup")
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_screen(pilot, "SetupScreen")
        await tab_to(pilot, lambda w: w.id == "owner")
        words = [line.split()[:1] for line in screen_text(pilot).splitlines()]
        assert ["▌Lee"] in words, words  # the bar, drawn as a character
        assert ["Dana"] in words  # the facilitator, not focused: no bar
        await pilot.press("tab")
        words = [line.split()[:1] for line in screen_text(pilot).splitlines()]
        assert ["▌Dana"] in words and ["Lee"] in words


async def test_tab_reaches_the_follow_up_notes_in_two_presses(db):
    app = follow_up_app(db)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_screen(pilot, "FollowUpScreen")
        assert app.focused.id == "follow-up-decision"
        await pilot.press("tab", "tab")  # the action's note, then the follow-up's notes (4 Tabs before)
        assert app.focused.id == "follow-up-notes"


async def test_lists_choose_by_first_letters_and_show_whole_options(db):
    long_root = "Nobody owns the load-test checklist, so the data size requirement is never reviewed"
    doc = review(five_whys={"problem": "Data lost", "chains": [{"whys": ["a", "b", long_root]}]})
    app = app_at_step(db, "actions", doc)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_screen(pilot, "ActionsScreen")
        await type_text(pilot, "Name an owner for the checklist")
        await tab_to(pilot, item_field("type"))
        await type_text(pilot, "pro")  # p: prevent, pr: prevent, pro: process
        await pilot.press("tab")
        await type_text(pilot, "r")  # the first root cause
        await pilot.press("enter")  # the whole list, each option whole
        await pilot.pause()
        overlay = app.focused  # the open list
        shown = [str(overlay.get_option_at_index(i).prompt) for i in range(overlay.option_count)]
        assert f"Root cause 1: {long_root}" in shown  # whole, not cut at 50 characters
        await pilot.press("escape", "ctrl+q")
    action = stored(db)["actions"][-1]
    assert (action["type"], action["addresses"]) == ("process", "root cause of chain 1")


async def test_a_timeline_marker_is_chosen_by_its_first_letter(db):
    app = app_at_step(db, "timeline")
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_screen(pilot, "TimelineScreen")
        await type_text(pilot, "2026-11-20 14:25")
        await pilot.press("tab")
        assert item_field("marker")(app.focused)
        await type_text(pilot, "m")
        await pilot.press("tab")
        await type_text(pilot, "Traffic moved to the replica")
        await pilot.press("ctrl+q")
    event = next(e for e in stored(db)["timeline"] if e["text"] == "Traffic moved to the replica")
    assert event["marker"] == "mitigated"


async def palette_finds(pilot, words: str) -> list[str]:
    """Open the command palette with ctrl+p, type ``words``, and read the commands it offers."""

    await pilot.press("ctrl+p")
    await wait_for_screen(pilot, "CommandPalette")
    await type_text(pilot, words)
    for _ in range(20):
        await pilot.pause()
    results = pilot.app.screen.query_one(OptionList)
    return [str(results.get_option_at_index(i).prompt) for i in range(results.option_count)]


@pytest.mark.parametrize(("words", "found"), [
    ("export", "Export the summary to a file"),
    ("present", "Presenter view on or off (ctrl+l)"),
    ("timer", "Pause or resume the timer (F6)"),
    ("solo", "Solo interview on or off (ctrl+f)"),
    ("pause", "Pause or resume the timer (F6)"),
    ("timebox", "Set this step's timebox (F7)"),
    ("move on", "Let's move on: cut this step short (F9)"),
    ("new chain", "New chain of whys (F5)"),
])
async def test_the_command_palette_finds_each_action_under_the_words_people_type(db, words, found):
    app = app_at_step(db, "five_whys")
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_screen(pilot, "FiveWhysScreen")
        offered = await palette_finds(pilot, words)
        assert any(found in line for line in offered), offered


async def test_solo_from_the_command_palette_starts_the_interview(db):
    app = app_at_step(db, "impact")
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_screen(pilot, "ImpactScreen")
        await palette_finds(pilot, "solo")
        await pilot.press("enter")
        await wait_for_screen(pilot, "ImpactScreen")
        for _ in range(5):
            await pilot.pause()
        assert app.solo and app.screen.query("#interview")


# Smaller -----------------------------------------------------------------------


async def test_arriving_in_the_chain_list_highlights_the_chain_being_answered(db):
    chains = [{"whys": ["a1", "a2", "a3"]}, {"whys": ["b1", "b2", "b3"]}, {"whys": ["c1", "c2", "c3"]}]
    app = app_at_step(db, "five_whys", review(five_whys={"problem": "Data lost", "chains": chains}))
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_screen(pilot, "FiveWhysScreen")
        await tab_to(pilot, lambda w: w.id == "chains")
        assert app.focused.highlighted == 0  # chain 1, the one shown
        await pilot.press("down", "enter")
        assert [i.value for i in app.screen.query("#whys Input")][:3] == ["b1", "b2", "b3"]


async def test_after_going_back_the_finished_steps_ahead_still_show_done(db):
    app = app_at_step(db, "actions")
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_screen(pilot, "ActionsScreen")
        await press_and_wait_for_screen(pilot, "ctrl+b", "CouldImproveScreen")
        await pilot.pause()
        line = static_text(pilot, "#steps")
        assert "+Actions" in line and "+Summary" in line, line


async def test_a_steps_number_in_the_go_to_dialog_goes_there(db):
    app = app_at_step(db, "actions")
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_screen(pilot, "ActionsScreen")
        await press_and_wait_for_screen(pilot, "ctrl+g", "GoToStepDialog")
        await pilot.press("3")
        await wait_for_screen(pilot, "ImpactScreen")


async def test_tab_reaches_the_summary_preview_and_brings_it_into_view(db):
    app = app_at_step(db, "summary")
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_screen(pilot, "SummaryScreen")
        await tab_to(pilot, lambda w: w.id == "preview", limit=12)
        await pilot.pause()
        content = app.screen.query_one("#content").region
        assert content.overlaps(app.focused.region)


def burst(app, keys: list[str]) -> None:
    """Keys arriving at once, as a paste or a fast typist over tmux sends them (not one per frame)."""

    for key in keys:
        character = {"enter": "\r", "space": " "}.get(key, key if len(key) == 1 else None)
        app.post_message(events.Key({" ": "space"}.get(key, key), character))


async def test_interview_answers_typed_in_one_burst_each_go_to_their_own_question(db):
    app = app_at_step(db, "could_improve", solo=True)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_screen(pilot, "CouldImproveScreen")
        for _ in range(10):
            await pilot.pause()
        await pilot.press("ctrl+n")
        await wait_for_screen(pilot, "ActionsScreen")
        burst(app, [*"Show the role", "enter", *"open", "enter", *"Sam", "enter"])  # at once, straight after the step opens
        for _ in range(30):
            await pilot.pause()
        assert interview(app)[0].startswith("By when?")
        await pilot.press("ctrl+q")
    action = stored(db)["actions"][-1]
    assert (action["what"], action["status"], action["owner"]) == ("Show the role", "open", "Sam")


async def test_at_60x20_the_step_indicator_keeps_to_one_line_with_every_step(db):
    app = app_at_step(db, "five_whys")
    async with app.run_test(size=(60, 20)) as pilot:
        await wait_for_screen(pilot, "FiveWhysScreen")
        for _ in range(3):
            await pilot.pause()
        assert app.screen.query_one("#steps").size.height == 1
        line = screen_text(pilot).splitlines()[1]
        assert ">5 Whys<" in line and "+Sum" in line and "+Setup" in line
