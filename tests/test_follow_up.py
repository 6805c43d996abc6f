"""The 30-day follow-up: the rules in store/, the session driven by keys, and what the reports say."""

from __future__ import annotations

from datetime import date

import pytest
from tui_helpers import (
    SIZE,
    complete_review,
    focused_id,
    new_app,
    screen_text,
    seed,
    static_text,
    stored,
    type_text,
    wait_for_screen,
)

from store.checks import check_follow_up, check_report
from store.errors import InvalidField
from store.follow_up import decide, finish, is_pending, needs_decision, progress
from store.model import Action, FollowUp, Review
from store.ops import Edit, Set, apply
from store.render import render_client, render_markdown

TODAY = date(2026, 12, 21)


def three_actions(**follow_up) -> Review:
    return Review(
        id="pm-1",
        title="Checkout API returned HTTP 500s",
        review_date="2026-11-21",
        participants=["Dana", "Lee", "Sam"],
        actions=[
            Action(id="i1", what="Alert when DB memory stays above 80%", owner="Sam", due="2026-12-15"),
            Action(id="i2", what="Add a canary stage to the checkout deploy", owner="Lee", due="2026-12-10"),
            Action(id="i3", what="Write the DB failover runbook", owner="Dana", due="2026-12-01"),
        ],
        follow_up=FollowUp(**({"due": "2026-12-21"} | follow_up)),
    )


def applied(review: Review, *changes) -> Review:
    """The review after the changes, applied as the store applies them."""
    doc = review.to_dict()
    for change in changes:
        apply(doc, change)
    return Review.from_dict(doc)


# The rules ----------------------------------------------------------------------------------------


def test_done_records_the_note_and_the_day_it_was_decided():
    review = three_actions()
    edit = decide(review.actions[0], "done", "Fired twice in drills", "", TODAY)
    assert edit == Edit("actions", "i1", {"status": "done", "note": "Fired twice in drills", "decided": "2026-12-21"})


@pytest.mark.parametrize(
    ("status", "note", "new_due", "field", "words"),
    [
        ("slipped", "", "2027-01-15", "actions.i2.note", "needs a reason"),
        ("slipped", "   ", "2027-01-15", "actions.i2.note", "needs a reason"),
        ("slipped", "Vendor delay", "", "actions.i2.due", "needs a new due date"),
        ("slipped", "Vendor delay", "next week", "actions.i2.due", "is not a date"),
        ("slipped", "Vendor delay", "2026-12-21", "actions.i2.due", "must be after today"),
        ("dropped", "", "", "actions.i2.note", "needs a reason"),
        ("later", "x", "", "actions.i2.status", "not one of"),
    ],
)
def test_a_decision_without_what_it_needs_is_refused_naming_the_field(status, note, new_due, field, words):
    with pytest.raises(InvalidField) as refused:
        decide(three_actions().actions[1], status, note, new_due, TODAY)
    assert refused.value.field == field and words in str(refused.value)


def test_slipping_moves_the_due_date_and_remembers_the_old_one_even_when_re_decided_the_same_day():
    review = three_actions()
    review = applied(review, decide(review.actions[1], "slipped", "Vendor delay", "2027-01-15", TODAY))
    action = review.actions[1]
    assert (action.status, action.due, action.slipped_from, action.note) == ("slipped", "2027-01-15", "2026-12-10", "Vendor delay")
    review = applied(review, decide(review.actions[1], "slipped", "Vendor delay", "2027-02-01", TODAY))
    assert (review.actions[1].due, review.actions[1].slipped_from) == ("2027-02-01", "2026-12-10")


def test_finishing_is_refused_until_every_action_has_a_decision():
    review = applied(three_actions(), decide(three_actions().actions[0], "done", "works", "", TODAY))
    with pytest.raises(InvalidField) as refused:
        finish(review, TODAY)
    assert refused.value.field == "actions.i2.status" and "2 action(s) still need a decision" in str(refused.value)


def test_finishing_with_slipped_actions_schedules_the_next_follow_up():
    review = three_actions()
    review = applied(
        review,
        decide(review.actions[0], "done", "Fired twice in drills", "", TODAY),
        decide(review.actions[1], "slipped", "Vendor delay", "2027-01-15", TODAY),
        decide(review.actions[2], "dropped", "Replaced by managed failover", "", TODAY),
    )
    assert finish(review, TODAY) == [Set("follow_up.held", "2026-12-21"), Set("follow_up.due", "2027-01-20")]
    assert finish(review, TODAY, "2027-02-01")[1] == Set("follow_up.due", "2027-02-01")
    with pytest.raises(InvalidField, match="must be a date after today"):
        finish(review, TODAY, "2026-12-01")
    held = applied(review, *finish(review, TODAY))
    assert is_pending(held) and held.follow_up.due == "2027-01-20"
    # At the next follow-up the slipped action needs a decision again; done and dropped do not.
    later = date(2027, 1, 20)
    assert [needs_decision(held, action, later) for action in held.actions] == [False, True, False]
    assert progress(held).describe() == "1 of 2 kept actions done (50%); 1 slipped, 1 dropped"
    assert progress(held, later).undecided == 1
    # The same day, what was just decided stands.
    assert progress(held, TODAY).undecided == 0


def test_finishing_with_every_action_closed_leaves_nothing_pending():
    review = three_actions()
    review = applied(
        review,
        *[decide(action, "done", "works", "", TODAY) for action in review.actions],
    )
    changes = finish(review, TODAY)
    assert changes == [Set("follow_up.held", "2026-12-21"), Set("review_status", "closed")]
    assert not is_pending(applied(review, *changes))


def test_a_follow_up_held_early_with_everything_closed_is_not_pending():
    review = three_actions(due="2027-01-10", held="2026-12-21")
    review = applied(review, *[decide(action, "dropped", "no longer needed", "", TODAY) for action in review.actions])
    assert not is_pending(review)


# The check --------------------------------------------------------------------------------------


def test_check_treats_a_held_follow_up_with_an_undecided_action_as_an_error():
    review = three_actions(held="2026-12-21")
    problems = check_follow_up(review)
    errors = [p for p in problems if p.level == "error"]
    assert [p.field for p in errors] == ["actions.i1.status", "actions.i2.status", "actions.i3.status"]
    assert "held on 2026-12-21" in errors[0].message and "no decision" in errors[0].message
    assert "follow_up" in check_report(review)


def test_check_wants_reasons_for_slipped_and_dropped_and_asks_whether_done_worked():
    review = three_actions()
    review.actions[0].status, review.actions[0].decided = "done", "2026-12-21"
    review.actions[1].status = "slipped"
    review.actions[2].status = "dropped"
    problems = {p.field: p for p in check_follow_up(review)}
    assert problems["actions.i1.note"].level == "advisory"
    assert problems["actions.i2.note"].level == "error" and "without a reason" in problems["actions.i2.note"].message
    assert problems["actions.i3.note"].level == "error"


def test_no_follow_up_yet_is_not_a_problem():
    assert check_follow_up(three_actions()) == []


# The reports ------------------------------------------------------------------------------------


def followed_up() -> Review:
    review = three_actions()
    review = applied(
        review,
        decide(review.actions[0], "done", "Fired twice in drills; Sam tuned it", "", TODAY),
        decide(review.actions[1], "slipped", "Vendor delay on the deploy tool", "2027-01-15", TODAY),
        decide(review.actions[2], "dropped", "Replaced by the managed DB failover", "", TODAY),
        Set("follow_up.notes", "Two of three in place."),
    )
    return applied(review, *finish(review, TODAY))


def test_the_written_summary_has_a_follow_up_section_with_every_decision():
    text = render_markdown(followed_up())
    section = text[text.index("## Follow-up"):]
    assert "- Held: 2026-12-21" in section and "- Next follow-up: 2027-01-20" in section
    assert "- Progress: 1 of 2 kept actions done (50%); 1 slipped, 1 dropped" in section
    assert "### Done\n\n- Alert when DB memory stays above 80% (Sam). How it is working: Fired twice in drills; Sam tuned it" in section
    assert (
        "### Slipped\n\n- Add a canary stage to the checkout deploy (Lee): now due 2027-01-15 (was 2026-12-10). "
        "Reason: Vendor delay on the deploy tool"
    ) in section
    assert "### Dropped\n\n- Write the DB failover runbook (Dana). Reason: Replaced by the managed DB failover" in section
    assert "Notes: Two of three in place." in section


def test_the_client_summary_says_what_was_implemented_and_how_it_is_working_without_names():
    text = render_client(followed_up())
    section = text[text.index("## What we have changed"):text.index("## When we will review it")]
    assert "At our follow-up on 2026-12-21, here is what we implemented and how it is working:" in section
    assert "- Alert when DB memory stays above 80%. How it is working: Fired twice in drills;" in section
    assert "Sam" not in section
    assert ("## What we are changing\n\n### Technical improvements\n\n- Add a canary stage to the checkout deploy: "
            "taking longer than planned, now expected by 2027-01-15.") in section
    assert ("## What we no longer plan to do\n\n- Write the DB failover runbook. "
            "Why: Replaced by the managed DB failover") in section
    assert section.count("Alert when DB memory") == 1  # each change once, after a follow-up too
    assert "We will review the changes still in progress again on 2027-01-20." in text


def test_before_any_follow_up_the_client_summary_has_no_follow_up_section():
    text = render_client(three_actions())
    assert "At our follow-up" not in text and "How it is working" not in text and "no longer plan" not in text


# The session, driven by keys --------------------------------------------------------------------


def review_to_follow_up() -> dict:
    doc = complete_review()
    doc["actions"] = [
        {"what": "Alert when DB memory stays above 80% for 5 minutes", "owner": "Sam", "due": "2026-12-15",
         "done_when": "the alert fires in a drill", "type": "detect", "addresses": "chain 1", "status": "open", "note": ""},
        {"what": "Add a canary stage to the checkout deploy", "owner": "Lee", "due": "2026-12-10",
         "done_when": "deploys go to 5% first", "type": "prevent", "addresses": "chain 1", "status": "open", "note": ""},
        {"what": "Write the DB failover runbook", "owner": "Dana", "due": "2026-12-01",
         "done_when": "on-call reviewed it", "type": "process", "addresses": "chain 1", "status": "open", "note": ""},
    ]
    return doc


async def decide_by_keys(pilot, downs: int, note: str, new_due: str = "") -> None:
    """Choose the decision ``downs`` rows down the list, type the note (and date), press Enter."""
    for _ in range(downs):
        await pilot.press("down")
    await pilot.press("enter")
    await type_text(pilot, note)
    if new_due:
        await pilot.press("tab")
        await type_text(pilot, new_due)
    await pilot.press("enter")
    await pilot.pause()


async def test_a_follow_up_session_through_done_slipped_and_dropped_with_its_refusals(tmp_path):
    db = tmp_path / "reviews.json"
    review_id = seed(db, review_to_follow_up())
    app = new_app(db, start="follow-up", review_id=review_id)
    app.today = lambda: TODAY
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_screen(pilot, "FollowUpScreen")
        assert "0 of 3 kept actions done (0%)" in static_text(pilot, "#follow-up-progress")
        assert focused_id(pilot) == "follow-up-decision"

        await decide_by_keys(pilot, 1, "Fired twice in drills")
        assert "1 of 3 kept actions done (33%)" in static_text(pilot, "#follow-up-progress")
        assert "Action 2 of 3: Add a canary stage" in static_text(pilot, "#follow-up-action")

        # Slipped without a reason, then without a new date: refused, nothing written.
        await decide_by_keys(pilot, 2, "")
        assert "needs a reason" in static_text(pilot, "#follow-up-refusal")
        assert stored(db, review_id)["actions"][1]["status"] == "open"
        await type_text(pilot, "Vendor delay on the deploy tool")
        await pilot.press("enter")
        await pilot.pause()
        assert "needs a new due date" in static_text(pilot, "#follow-up-refusal")
        assert focused_id(pilot) == "follow-up-due"
        await type_text(pilot, "2027-01-15")
        await pilot.press("enter")
        await pilot.pause()
        assert "Action 3 of 3" in static_text(pilot, "#follow-up-action")

        # F2 before the last decision is refused and names what is missing.
        await pilot.press("f2")
        await pilot.pause()
        assert "still need a decision" in static_text(pilot, "#follow-up-refusal")

        await decide_by_keys(pilot, 3, "")
        assert "needs a reason" in static_text(pilot, "#follow-up-refusal")
        await type_text(pilot, "Replaced by the managed DB failover")
        await pilot.press("enter")
        await pilot.pause()
        assert "1 of 2 kept actions done (50%); 1 slipped, 1 dropped" in static_text(pilot, "#follow-up-progress")

        await pilot.press("f2")
        await wait_for_screen(pilot, "PromptDialog")
        assert "2027-01-20" in screen_text(pilot)
        await pilot.press("enter")
        await wait_for_screen(pilot, "HomeScreen")

    doc = stored(db, review_id)
    assert [(a["status"], a["decided"]) for a in doc["actions"]] == [
        ("done", "2026-12-21"), ("slipped", "2026-12-21"), ("dropped", "2026-12-21")
    ]
    assert doc["review_status"] == "draft"  # an action slipped: another follow-up is due, so it stays open
    assert doc["actions"][0]["note"] == "Fired twice in drills"
    assert (doc["actions"][1]["due"], doc["actions"][1]["slipped_from"]) == ("2027-01-15", "2026-12-10")
    assert doc["follow_up"]["held"] == "2026-12-21" and doc["follow_up"]["due"] == "2027-01-20"
    review = Review.from_dict(doc)
    assert "### Slipped" in render_markdown(review)
    assert "- Alert when DB memory stays above 80% for 5 minutes. How it is working: Fired twice in drills" in render_client(review)


async def test_escape_keeps_the_decisions_recorded_so_far_and_the_follow_up_is_not_held(tmp_path):
    db = tmp_path / "reviews.json"
    review_id = seed(db, review_to_follow_up())
    app = new_app(db, start="follow-up", review_id=review_id)
    app.today = lambda: TODAY
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_screen(pilot, "FollowUpScreen")
        await decide_by_keys(pilot, 1, "Works")
        await pilot.press("escape")
        await wait_for_screen(pilot, "HomeScreen")
    doc = stored(db, review_id)
    assert doc["actions"][0]["status"] == "done" and doc["actions"][1]["status"] == "open"
    assert doc["follow_up"]["held"] is None


async def test_user_text_in_actions_is_shown_literally_on_the_follow_up(tmp_path):
    db = tmp_path / "reviews.json"
    doc = review_to_follow_up()
    doc["actions"][0]["what"] = "Fix [bold]markup[/] and [@click=app.quit]links[/]"
    review_id = seed(db, doc)
    app = new_app(db, start="follow-up", review_id=review_id)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_screen(pilot, "FollowUpScreen")
        assert "Fix [bold]markup[/] and [@click=app.quit]links[/]" in static_text(pilot, "#follow-up-action")


async def test_recording_without_choosing_a_decision_is_refused_and_nothing_is_written(tmp_path):
    db = tmp_path / "reviews.json"
    review_id = seed(db, review_to_follow_up())
    app = new_app(db, start="follow-up", review_id=review_id)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_screen(pilot, "FollowUpScreen")
        await pilot.press("tab")
        await type_text(pilot, "It works")
        await pilot.press("enter")
        await pilot.pause()
        assert "Choose a decision first" in static_text(pilot, "#follow-up-refusal")
        assert focused_id(pilot) == "follow-up-decision"
    assert stored(db, review_id)["actions"][0]["status"] == "open"


def test_the_follow_up_and_tags_survive_an_export_and_import_exactly():
    from store.interchange import export_document, parse_document

    review = followed_up()
    review.tags = ["database", "deploys"]
    exported = export_document(review)
    again = Review.from_dict(parse_document(exported, "test.json"))
    assert again.tags == ["database", "deploys"]
    assert again.follow_up == review.follow_up
    assert [(a.status, a.note, a.due, a.decided, a.slipped_from) for a in again.actions] == [
        (a.status, a.note, a.due, a.decided, a.slipped_from) for a in review.actions
    ]


def test_an_imported_decision_date_that_is_not_a_date_is_refused_naming_the_field():
    from store.interchange import export_document, parse_document

    exported = export_document(followed_up())
    exported["actions"][1]["slipped_from"] = "last week"
    with pytest.raises(InvalidField) as refused:
        parse_document(exported, "team.json")
    assert refused.value.field == "actions[1].slipped_from" and "team.json" in str(refused.value)


async def test_at_the_next_follow_up_a_slipped_action_comes_up_again_with_what_was_said_last_time(tmp_path):
    db = tmp_path / "reviews.json"
    review = followed_up()
    doc = review.to_dict()
    review_id = seed(db, doc)
    app = new_app(db, start="follow-up", review_id=review_id)
    app.today = lambda: date(2027, 1, 20)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_screen(pilot, "FollowUpScreen")
        assert "held 2026-12-21; next due 2027-01-20" in static_text(pilot, "#follow-up-title")
        assert "1 to decide" in static_text(pilot, "#follow-up-progress")
        card = static_text(pilot, "#follow-up-action")
        assert "Action 2 of 3: Add a canary stage" in card
        assert "At the last follow-up (2026-12-21, was due 2026-12-10): slipped, Vendor delay on the deploy tool" in card
        await decide_by_keys(pilot, 1, "Canary stage live since January")
        assert "2 of 2 kept actions done (100%); 0 slipped, 1 dropped" in static_text(pilot, "#follow-up-progress")
        await pilot.press("f2")
        await wait_for_screen(pilot, "HomeScreen")
    doc = stored(db, review_id)
    assert doc["follow_up"]["held"] == "2027-01-20" and doc["actions"][1]["status"] == "done"
    assert doc["review_status"] == "closed"  # every action decided and none slipped: the review closes
    assert "Every change we committed to has been reviewed" in render_client(Review.from_dict(doc))


async def test_the_follow_up_notes_are_saved_as_typed_without_finishing(tmp_path):
    db = tmp_path / "reviews.json"
    review_id = seed(db, review_to_follow_up())
    app = new_app(db, start="follow-up", review_id=review_id)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_screen(pilot, "FollowUpScreen")
        pilot.app.screen.query_one("#follow-up-notes").focus()
        await type_text(pilot, "Canary work waits on the vendor")
        await pilot.pause(0.5)  # a typing pause: the saver writes
        assert stored(db, review_id)["follow_up"]["notes"] == "Canary work waits on the vendor"
        assert stored(db, review_id)["follow_up"]["held"] is None


def test_a_note_written_at_the_follow_up_is_shown_once_with_its_decision():
    text = render_markdown(followed_up())
    assert text.count("Vendor delay on the deploy tool") == 1
    assert text.index("Vendor delay on the deploy tool") > text.index("## Follow-up")


async def test_a_review_without_actions_can_still_hold_its_follow_up(tmp_path):
    db = tmp_path / "reviews.json"
    doc = review_to_follow_up()
    doc["actions"] = []
    review_id = seed(db, doc)
    app = new_app(db, start="follow-up", review_id=review_id)
    app.today = lambda: TODAY
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_screen(pilot, "FollowUpScreen")
        assert "no actions to follow up" in static_text(pilot, "#follow-up-action")
        assert not pilot.app.screen.query_one("#follow-up-decision-row").display
        await pilot.press("f2")
        await wait_for_screen(pilot, "HomeScreen")
    assert stored(db, review_id)["follow_up"]["held"] == "2026-12-21"
