"""Actions kept as "not doing" with a reason, and actions already done at the review (issue 13, items 3 and 4)."""

from __future__ import annotations

import copy
from datetime import date

import pytest

from store.checks import check_step
from store.errors import InvalidField
from store.follow_up import finish, progress
from store.interchange import parse_document
from store.model import Review
from store.render import render_client, render_csv, render_markdown
from tests.test_checks import GOOD_INCIDENT, find, only

NOT_DOING = {"id": "a9", "what": "Move reports to a replica", "status": "not_doing",
             "note": "The replica is retired next quarter"}
DONE_AT_REVIEW = {"id": "a8", "what": "Cap retries at 3", "owner": "Sam Lee", "due": "", "done_when": "the config says 3",
                  "type": "prevent", "addresses": "root cause of chain 1", "status": "done", "done_on": "2026-11-20"}


def with_actions(*extra: dict, keep: bool = True) -> Review:
    data = copy.deepcopy(GOOD_INCIDENT)
    data["actions"] = (data["actions"] if keep else []) + [copy.deepcopy(item) for item in extra]
    return Review.from_dict(data)


def changed(base: dict, **changes) -> dict:
    return copy.deepcopy(base) | changes


# -- not doing ------------------------------------------------------------------------


def test_an_action_not_done_with_a_reason_needs_no_owner_date_or_type():
    assert find(check_step(with_actions(NOT_DOING), "actions"), "actions.a9.owner") == []
    assert [p for p in check_step(with_actions(NOT_DOING), "actions") if p.field.startswith("actions.a9")] == []


def test_not_doing_without_a_reason_is_an_error_at_the_reason():
    problems = check_step(with_actions(changed(NOT_DOING, note="")), "actions")
    assert "no reason is given" in only(problems, "actions.a9.note", "error").message


def test_a_not_doing_action_does_not_address_anything():
    only_declined = changed(NOT_DOING, addresses="root cause of chain 1", type="detect")
    problems = check_step(with_actions(only_declined, keep=False), "actions")
    messages = [p.message for p in find(problems, "actions", "advisory")]
    assert "No action addresses a root cause or a contributing factor." in messages
    assert "No action is about detection (monitoring or alerting)." in messages


def test_not_doing_counts_neither_as_open_nor_against_completion():
    review = with_actions(changed(DONE_AT_REVIEW), NOT_DOING, keep=False)
    assert review.open_actions == 0
    counted = progress(review)
    assert counted.completion_rate == 1.0
    assert counted.describe() == "1 of 1 kept actions done (100%); 0 slipped, 0 dropped, 1 not doing"


def test_the_follow_up_can_finish_with_a_not_doing_action_undecided():
    review = with_actions(changed(DONE_AT_REVIEW), NOT_DOING, keep=False)
    assert [change.field for change in finish(review, date(2026, 12, 21))] == ["follow_up.held", "review_status"]


# -- done at the review ---------------------------------------------------------------


def test_an_action_done_before_the_review_may_have_been_due_before_it():
    done = changed(DONE_AT_REVIEW, due="2026-11-19")
    assert [p for p in check_step(with_actions(done), "actions") if p.field.startswith("actions.a8")] == []


def test_an_open_action_due_before_the_review_is_still_refused():
    late = changed(DONE_AT_REVIEW, status="open", due="2026-11-19", done_on="")
    assert "before the review date" in only(check_step(with_actions(late), "actions"), "actions.a8.due", "error").message


def test_done_at_the_review_without_when_is_an_advisory():
    problems = check_step(with_actions(changed(DONE_AT_REVIEW, done_on="")), "actions")
    assert only(problems, "actions.a8.done_on", "advisory").message == "Action 3 is done, but not when."


@pytest.mark.parametrize(("done_on", "words"), [("soon", "not a date"), ("2026-11-25", "after the review date")])
def test_a_done_on_that_is_not_a_day_by_the_review_is_an_error(done_on, words):
    problems = check_step(with_actions(changed(DONE_AT_REVIEW, done_on=done_on)), "actions")
    assert words in only(problems, "actions.a8.done_on", "error").message


# -- the document and the outputs -----------------------------------------------------


def document(*actions: dict) -> dict:
    return copy.deepcopy(GOOD_INCIDENT) | {"schema": 1, "actions": [copy.deepcopy(a) for a in actions]}


def test_not_doing_and_done_on_import_and_normalise():
    doc = parse_document(document(NOT_DOING, changed(DONE_AT_REVIEW, done_on=" 2026-11-20 ")), "a.json")
    assert [(a["status"], a["done_on"]) for a in doc["actions"]] == [("not_doing", ""), ("done", "2026-11-20")]


@pytest.mark.parametrize(("action", "field", "words"), [
    (changed(DONE_AT_REVIEW, done_on="last week"), "actions[0].done_on", "is not a date"),
    (changed(NOT_DOING, status="won't do"), "actions[0].status", "not one of open, done, slipped, dropped, not_doing"),
])
def test_a_bad_status_or_done_on_is_refused_naming_its_field(action, field, words):
    with pytest.raises(InvalidField) as error:
        parse_document(document(action), "a.json")
    assert error.value.field == field and words in str(error.value)


def test_the_written_summary_says_not_doing_with_the_reason_and_done_on_the_day():
    text = render_markdown(with_actions(DONE_AT_REVIEW, NOT_DOING))
    assert "| Cap retries at 3 | Sam Lee |  | the config says 3 | prevent | done on 2026-11-20 |" in text
    assert "| not doing |" in text
    assert "- Move reports to a replica: not doing, because The replica is retired next quarter" in text


def test_the_client_summary_leaves_out_what_is_not_being_done():
    text = render_client(with_actions(DONE_AT_REVIEW, NOT_DOING))
    changed = text[text.index("## What we have changed"):text.index("## What we are changing")]
    assert "- Cap retries at 3." in changed
    assert "Move reports" not in text and "retired" not in text


def test_the_csv_keeps_the_status():
    assert "not_doing" in render_csv(with_actions(NOT_DOING))


# -- the screen ----------------------------------------------------------------------


async def test_an_action_is_marked_not_doing_with_its_reason_by_keys(tmp_path):
    from tui_helpers import item_field, saved, screen_text, seed, stored, tab_to, type_text
    from tui.app import make_app

    path = tmp_path / "r.json"
    review_id = seed(path, {"title": "x", "step": "actions", "ground_rules_confirmed": True, "review_date": "2026-11-21"})
    async with make_app(path, start="open", review_id=review_id).run_test(size=(80, 24)) as pilot:
        await type_text(pilot, "Move reports to a replica")
        await tab_to(pilot, item_field("status"))
        await type_text(pilot, "n")  # Not doing
        await tab_to(pilot, item_field("note"))
        await type_text(pilot, "The replica is retired")
        await saved(pilot)
        assert "1. Move reports to a replica  (not doing)" in screen_text(pilot)
    action = stored(path, review_id)["actions"][0]
    assert (action["status"], action["note"], action["owner"]) == ("not_doing", "The replica is retired", "")


async def test_an_action_done_before_the_review_is_recorded_with_its_day(tmp_path):
    from tui_helpers import check_panel, item_field, saved, seed, stored, tab_to, type_text
    from tui.app import make_app

    path = tmp_path / "r.json"
    review_id = seed(path, {"title": "x", "step": "actions", "ground_rules_confirmed": True, "review_date": "2026-11-21"})
    async with make_app(path, start="open", review_id=review_id).run_test(size=(80, 24)) as pilot:
        await type_text(pilot, "Cap retries at 3")
        await tab_to(pilot, item_field("due"))
        await type_text(pilot, "2026-11-18")
        await tab_to(pilot, item_field("status"))
        await type_text(pilot, "d")  # Done already
        await tab_to(pilot, item_field("done_on"))
        await type_text(pilot, "2026-11-20")
        await saved(pilot)
        assert not [line for line in check_panel(pilot) if "before the review date" in line]
    action = stored(path, review_id)["actions"][0]
    assert (action["status"], action["due"], action["done_on"]) == ("done", "2026-11-18", "2026-11-20")
