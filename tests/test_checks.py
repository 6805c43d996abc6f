"""Tests for store/checks.py: every rule of DESIGN.md's guided flow, and its guards.

Each rule is tested by breaking one thing in a good review and asserting on the
problem's level, field and what its message says.  A good incident review and
a good project review give no errors in any step.
"""

from __future__ import annotations

import copy

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from store.checks import (
    Problem,
    blame_problems,
    check_review,
    check_step,
    has_errors,
    owner_problems,
    root_cause_problems,
    vague_action_problems,
)
from store.model import STEPS, Review

PEOPLE = ["Dana", "Lee", "Sam Lee"]

GOOD_INCIDENT = {
    "id": "r1",
    "kind": "incident",
    "title": "Checkout API returned HTTP 500s",
    "severity": "SEV2",
    "timezone": "UTC",
    "review_date": "2026-11-21",
    "owner": "Lee",
    "facilitator": "Dana",
    "participants": ["Dana", "Lee", "Sam Lee"],
    "summary": "A deploy exhausted database memory and checkout failed for 22 minutes.",
    "timeline": [
        {"id": "e1", "at": "2026-11-20T14:05:00+00:00", "text": "Deploy of v2.3 starts", "marker": "started"},
        {"id": "e2", "at": "2026-11-20T14:09:00+00:00", "text": "Error-rate alert fires", "marker": "detected"},
        {"id": "e3", "at": "2026-11-20T14:20:00+00:00", "text": "Deploy rolled back", "marker": "mitigated"},
        {"id": "e4", "at": "2026-11-20T14:27:00+00:00", "text": "Error rate back to normal", "marker": "resolved"},
    ],
    "impact": "About 1,200 customers could not check out for 22 minutes; 3% of daily orders.",
    "five_whys": {
        "problem": "Checkout returned HTTP 500 for 22 minutes",
        "chains": [
            {
                "id": "c1",
                "whys": [
                    "The primary database ran out of memory.",
                    "A new aggregation job used more memory than expected.",
                    "The job was tested with a tenth of production data.",
                    "Load tests do not require production-sized data.",
                    "The deployment checklist has no data-volume requirement.",
                ],
            }
        ],
    },
    "went_well": [{"id": "w1", "text": "The error-rate alert fired within 4 minutes."}],
    "lucky": [{"id": "l1", "text": "It happened outside the sales peak."}],
    "could_improve": [{"id": "ci1", "text": "Rolling back took 11 minutes to decide."}],
    "surprises": [{"id": "s1", "text": "The job ran on the primary, not a replica."}],
    "actions": [
        {
            "id": "a1",
            "what": "Alert when DB memory stays above 80% for 5 minutes",
            "owner": "Sam Lee",
            "due": "2026-12-15",
            "done_when": "the alert fires in the staging drill",
            "type": "detect",
            "addresses": "root cause of chain 1",
        },
        {
            "id": "a2",
            "what": "Add a production-sized data step to the deployment checklist",
            "owner": "Dana",
            "due": "2026-12-10",
            "done_when": "the checklist has the step and the next release used it",
            "type": "process",
            "addresses": "root cause of chain 1",
        },
    ],
    "questions": [{"id": "q1", "text": "Will the job be moved to a replica?", "answer": "Yes, in December."}],
    "follow_up": {"due": "2026-12-21", "held": None, "notes": ""},
}

GOOD_PROJECT = {
    "id": "r2",
    "kind": "project",
    "title": "Website relaunch shipped three weeks late",
    "severity": "",
    "timezone": "Europe/Berlin",
    "review_date": "2026-10-02",
    "owner": "May Chen",
    "facilitator": "Al Brown",
    "participants": ["May Chen", "Al Brown", "Priya"],
    "summary": "The relaunch slipped because content sign-off had no fixed date.",
    "timeline": [
        {"id": "e1", "at": "2026-06-01T09:00:00+02:00", "text": "Kick-off with the client"},
        {"id": "e2", "at": "2026-08-15T17:00:00+02:00", "text": "Planned launch date passes"},
        {"id": "e3", "at": "2026-09-05T10:00:00+02:00", "text": "Site launched"},
    ],
    "impact": "The client's campaign started 3 weeks late; 40 hours of unplanned work.",
    "five_whys": {
        "problem": "The relaunch shipped 3 weeks after the agreed date",
        "chains": [
            {
                "id": "c1",
                "whys": [
                    "Content arrived two weeks before launch instead of six.",
                    "Sign-off on copy went through four rounds.",
                    "Reviewers on the client side changed mid-project.",
                    "The contract named no single approver.",
                    "Our statement-of-work template has no approver field.",
                ],
            }
        ],
    },
    "went_well": [{"id": "w1", "text": "Design was approved in one round."}],
    "could_improve": [{"id": "ci1", "text": "Schedule risks were raised late."}],
    "actions": [
        {
            "id": "a1",
            "what": "Add a named approver and sign-off dates to the SOW template",
            "owner": "May Chen",
            "due": "2026-10-31",
            "done_when": "the template is used for the next two projects",
            "type": "process",
            "addresses": "root cause of chain 1",
        },
        {
            "id": "a2",
            "what": "Flag any content item 10 days late in the weekly status report",
            "owner": "Al Brown",
            "due": "2026-10-20",
            "done_when": "the status report shows late items in red",
            "type": "detect",
            "addresses": "could improve: schedule risks raised late",
        },
    ],
    "questions": [{"id": "q1", "text": "Can the client name an approver now?"}],
    "follow_up": {"due": "2026-11-01"},
}


def review(base: dict = GOOD_INCIDENT, **changes) -> Review:
    """A copy of ``base`` with top-level ``changes``, as a typed Review."""
    data = copy.deepcopy(base)
    data.update(changes)
    return Review.from_dict(data)


def edited(base: dict = GOOD_INCIDENT, edit=None) -> Review:
    """A copy of ``base`` changed in place by ``edit(data)``."""
    data = copy.deepcopy(base)
    edit(data)
    return Review.from_dict(data)


def find(problems: list[Problem], field: str, level: str | None = None) -> list[Problem]:
    return [p for p in problems if p.field == field and (level is None or p.level == level)]


def only(problems: list[Problem], field: str, level: str) -> Problem:
    found = find(problems, field, level)
    assert len(found) == 1, f"expected one {level} at {field}, got {problems}"
    return found[0]


# ---------------------------------------------------------------------------
# Good reviews
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("base", [GOOD_INCIDENT, GOOD_PROJECT], ids=["incident", "project"])
def test_a_good_review_has_no_problems_in_any_step(base):
    result = check_review(Review.from_dict(copy.deepcopy(base)))
    assert list(result) == list(STEPS)
    assert {step: problems for step, problems in result.items() if problems} == {}


def test_check_step_puts_errors_before_advisories():
    bad = review(title="", participants=[], owner="")
    problems = check_step(bad, "setup")
    levels = [p.level for p in problems]
    assert levels == sorted(levels, key=lambda level: level != "error")
    assert "advisory" in levels and "error" in levels


def test_check_step_rejects_an_unknown_step():
    with pytest.raises(ValueError, match="unknown step"):
        check_step(review(), "nope")


def test_has_errors_and_to_dict():
    error = Problem("error", "title", "The review has no title.", "Name it.")
    advisory = Problem("advisory", "participants", "No participants are listed.", "List them.")
    assert has_errors([advisory, error]) and not has_errors([advisory]) and not has_errors([])
    assert error.to_dict() == {"level": "error", "field": "title", "message": "The review has no title.", "hint": "Name it."}


def test_every_problem_has_a_message_and_hint():
    for problems in check_review(Review()).values():
        for problem in problems:
            assert problem.level in ("error", "advisory")
            assert problem.message.strip() and problem.hint.strip()


# ---------------------------------------------------------------------------
# Setup
# ---------------------------------------------------------------------------


def test_setup_empty_title_is_an_error():
    problem = only(check_step(review(title="   "), "setup"), "title", "error")
    assert "no title" in problem.message


def test_setup_no_owner_is_an_error():
    problem = only(check_step(review(owner=""), "setup"), "owner", "error")
    assert "no owner" in problem.message


@pytest.mark.parametrize("owner", ["Sam and Lee", "the team", "SRE"])
def test_setup_owner_must_be_one_person(owner):
    problem = only(check_step(review(owner=owner), "setup"), "owner", "error")
    assert owner in problem.message


def test_setup_incident_without_severity_is_an_error():
    problem = only(check_step(review(severity=""), "setup"), "severity", "error")
    assert "severity" in problem.message


def test_setup_project_needs_no_severity():
    assert find(check_step(review(GOOD_PROJECT, severity=""), "setup"), "severity") == []


def test_setup_unknown_severity_is_an_error():
    problem = only(check_step(review(severity="SEV9"), "setup"), "severity", "error")
    assert '"SEV9"' in problem.message and "SEV1-SEV4" in problem.message


def test_setup_unknown_timezone_is_an_error():
    problem = only(check_step(review(timezone="Mars/Olympus_Mons"), "setup"), "timezone", "error")
    assert "Mars/Olympus_Mons" in problem.message and "not a known timezone" in problem.message


@pytest.mark.parametrize("value, words", [("21/11/2026", "not a date"), ("", "no review date")])
def test_setup_review_date_must_be_an_iso_date(value, words):
    problem = only(check_step(review(review_date=value), "setup"), "review_date", "error")
    assert words in problem.message


def test_setup_unknown_kind_is_an_error():
    problem = only(check_step(review(kind="meeting"), "setup"), "kind", "error")
    assert "meeting" in problem.message


def test_setup_no_participants_is_an_advisory():
    problems = check_step(review(participants=[]), "setup")
    problem = only(problems, "participants", "advisory")
    assert "No participants" in problem.message
    assert not has_errors(problems)


def test_setup_title_blame_is_an_advisory():
    problem = only(check_step(review(title="Sam broke checkout"), "setup"), "title", "advisory")
    assert '"Sam broke"' in problem.message


# ---------------------------------------------------------------------------
# Timeline
# ---------------------------------------------------------------------------


def test_timeline_needs_two_events():
    one = review(timeline=GOOD_INCIDENT["timeline"][:1])
    problem = only(check_step(one, "timeline"), "timeline", "error")
    assert problem.message == "The timeline needs at least 2 events (it has 1)."
    assert "started" in problem.hint and "resolved" in problem.hint


def test_timeline_event_without_time_is_an_error_at_its_field():
    def edit(data):
        data["timeline"][1]["at"] = ""

    problem = only(check_step(edited(edit=edit), "timeline"), "timeline.e2.at", "error")
    assert problem.message == "Event 2 has no time."


@pytest.mark.parametrize("at", ["25:99", "yesterday", "14:05", "2026-13-40T10:00"])
def test_timeline_event_with_invalid_time_is_an_error(at):
    def edit(data):
        data["timeline"][2]["at"] = at

    problem = only(check_step(edited(edit=edit), "timeline"), "timeline.e3.at", "error")
    assert f'"{at}"' in problem.message and "not a valid time" in problem.message


def test_timeline_event_without_text_is_an_error_at_its_field():
    def edit(data):
        data["timeline"][0]["text"] = "  "

    problem = only(check_step(edited(edit=edit), "timeline"), "timeline.e1.text", "error")
    assert "Event 1" in problem.message and "what happened" in problem.message


def test_timeline_time_and_text_missing_give_two_problems():
    def edit(data):
        data["timeline"][3].update(at="", text="")

    problems = check_step(edited(edit=edit), "timeline")
    assert find(problems, "timeline.e4.at", "error") and find(problems, "timeline.e4.text", "error")


def test_timeline_markers_out_of_order_name_both_markers_and_times():
    def edit(data):
        data["timeline"][1]["at"] = "2026-11-20T14:01:00+00:00"  # detected before started

    problems = check_step(edited(edit=edit), "timeline")
    problem = only(problems, "timeline.e2.marker", "error")
    assert '"detected" (2026-11-20 14:01)' in problem.message
    assert '"started" (2026-11-20 14:05)' in problem.message
    assert "out of order" in problem.message


def test_timeline_markers_skipping_one_still_compare_in_order():
    def edit(data):
        data["timeline"][1]["marker"] = None
        data["timeline"][3]["at"] = "2026-11-20T14:10:00+00:00"  # resolved before mitigated
        data["timeline"][3]["text"] = "Resolved"

    problems = check_step(edited(edit=edit), "timeline")
    problem = only(problems, "timeline.e4.marker", "error")
    assert '"resolved"' in problem.message and '"mitigated"' in problem.message


def test_timeline_equal_marker_times_are_in_order():
    def edit(data):
        data["timeline"][1]["at"] = data["timeline"][0]["at"]

    assert not has_errors(check_step(edited(edit=edit), "timeline"))


def test_timeline_markers_compare_across_offsets():
    def edit(data):
        # 15:06 at +02:00 is 13:06 UTC: before the 14:05 UTC start.
        data["timeline"][1]["at"] = "2026-11-20T15:06:00+02:00"

    assert find(check_step(edited(edit=edit), "timeline"), "timeline.e2.marker", "error")


@pytest.mark.parametrize("index", [0, 1])
def test_timeline_marker_on_an_event_without_a_valid_time_is_reported_only_at_its_time(index):
    def edit(data):
        data["timeline"][index]["at"] = "soon"

    problems = check_step(edited(edit=edit), "timeline")
    assert [p.field for p in problems] == [f"timeline.e{index + 1}.at"]


def test_timeline_incident_without_started_marker_is_an_advisory():
    def edit(data):
        data["timeline"][0]["marker"] = None

    problems = check_step(edited(edit=edit), "timeline")
    problem = only(problems, "timeline", "advisory")
    assert '"started"' in problem.message and "cannot be computed" in problem.message
    assert not has_errors(problems)


def test_timeline_incident_without_resolved_marker_is_an_advisory():
    def edit(data):
        data["timeline"][3]["marker"] = None

    problem = only(check_step(edited(edit=edit), "timeline"), "timeline", "advisory")
    assert '"resolved"' in problem.message and "cannot be computed" in problem.message


def test_timeline_project_without_markers_has_no_advisory():
    assert check_step(review(GOOD_PROJECT), "timeline") == []


def test_timeline_marker_used_twice_is_an_advisory_on_the_second():
    def edit(data):
        data["timeline"][2]["marker"] = "detected"

    problems = check_step(edited(edit=edit), "timeline")
    problem = only(problems, "timeline.e3.marker", "advisory")
    assert '"detected"' in problem.message and "event 2" in problem.message


def test_timeline_unknown_marker_is_an_error():
    def edit(data):
        data["timeline"][2]["marker"] = "exploded"

    problem = only(check_step(edited(edit=edit), "timeline"), "timeline.e3.marker", "error")
    assert '"exploded"' in problem.message


def test_timeline_blame_in_event_text_is_an_advisory():
    def edit(data):
        data["timeline"][2]["text"] = "Sam ignored the alert"

    problem = only(check_step(edited(edit=edit), "timeline"), "timeline.e3.text", "advisory")
    assert '"Sam ignored"' in problem.message


# ---------------------------------------------------------------------------
# Impact
# ---------------------------------------------------------------------------


def test_impact_empty_is_an_error():
    problem = only(check_step(review(impact=""), "impact"), "impact", "error")
    assert "empty" in problem.message


def test_impact_without_numbers_is_an_advisory():
    problem = only(check_step(review(impact="Some customers could not pay."), "impact"), "impact", "advisory")
    assert "no numbers" in problem.message
    assert "how many" in problem.hint and "how long" in problem.hint


def test_impact_blame_is_an_advisory():
    problems = check_step(review(impact="Sam's careless deploy hit 40 users"), "impact")
    assert '"careless"' in only(problems, "impact", "advisory").message


# ---------------------------------------------------------------------------
# Five Whys
# ---------------------------------------------------------------------------


def whys(*answers: str, problem: str = "Checkout returned HTTP 500") -> dict:
    return {"problem": problem, "chains": [{"id": "c1", "whys": list(answers)}]}


FIVE = ["a cause", "a deeper cause", "a process gap", "a missing check", "the checklist has no step"]


def test_five_whys_no_problem_is_an_error():
    problem = only(check_step(review(five_whys=whys(*FIVE, problem="")), "five_whys"), "five_whys.problem", "error")
    assert "problem" in problem.message and "empty" in problem.message


def test_five_whys_no_chain_is_an_error():
    problems = check_step(review(five_whys={"problem": "Checkout failed", "chains": []}), "five_whys")
    assert "no chain" in only(problems, "five_whys.chains", "error").message


@pytest.mark.parametrize("answers", [[], ["one"], ["one", "", "two", "  "]])
def test_five_whys_chain_shorter_than_three_is_an_error(answers):
    problems = check_step(review(five_whys=whys(*answers)), "five_whys")
    problem = only(problems, "five_whys.chains.c1", "error")
    count = len([a for a in answers if a.strip()])
    assert f"has {count} answer" in problem.message and "at least 3" in problem.message
    assert find(problems, "five_whys.chains.c1", "advisory") == []


@pytest.mark.parametrize("count", [3, 4])
def test_five_whys_chain_shorter_than_five_is_an_advisory(count):
    problems = check_step(review(five_whys=whys(*FIVE[:count])), "five_whys")
    problem = only(problems, "five_whys.chains.c1", "advisory")
    assert f"has {count} answers" in problem.message
    assert not has_errors(problems)


def test_five_whys_root_cause_naming_a_participant_by_first_name_is_an_error():
    answers = FIVE[:4] + ["Sam ran the job on the primary"]
    problems = check_step(review(five_whys=whys(*answers)), "five_whys")
    problem = only(problems, "five_whys.chains.c1.whys.4", "error")
    assert '"Sam"' in problem.message and "names a person" in problem.message
    assert "condition that let it happen" in problem.hint


def test_five_whys_root_cause_is_the_last_non_empty_answer():
    answers = FIVE[:3] + ["Lee skipped the load test", "", "  "]
    problems = check_step(review(five_whys=whys(*answers)), "five_whys")
    assert find(problems, "five_whys.chains.c1.whys.3", "error")


@pytest.mark.parametrize(
    "root",
    [
        "Human error",
        "operator error during the deploy",
        "user error",
        "A mistake in the config",
        "Carelessness",
        "Someone forgot to rotate the key",
        "The engineer forgot to run the migration",
    ],
)
def test_five_whys_root_cause_stopping_at_human_error_is_an_error(root):
    problems = check_step(review(five_whys=whys(*FIVE[:4], root)), "five_whys")
    problem = only(problems, "five_whys.chains.c1.whys.4", "error")
    assert "human error" in problem.message
    assert "condition that let it happen" in problem.hint
    assert "what in the system or process allowed it" in problem.hint


def test_five_whys_root_cause_error_is_not_repeated_as_blame_advisory():
    problems = check_step(review(five_whys=whys(*FIVE[:4], "human error")), "five_whys")
    assert find(problems, "five_whys.chains.c1.whys.4", "advisory") == []


def test_five_whys_blame_in_an_earlier_why_is_an_advisory_at_its_index():
    answers = ["Dana should have paged the DBA"] + FIVE[1:]
    problems = check_step(review(five_whys=whys(*answers)), "five_whys")
    problem = only(problems, "five_whys.chains.c1.whys.0", "advisory")
    assert '"Dana should have"' in problem.message
    assert not has_errors(problems)


def test_five_whys_blame_in_problem_is_an_advisory():
    problems = check_step(review(five_whys=whys(*FIVE, problem="Lee broke checkout")), "five_whys")
    assert '"Lee broke"' in only(problems, "five_whys.problem", "advisory").message


def test_five_whys_each_chain_is_checked_by_its_id():
    data = whys(*FIVE)
    data["chains"].append({"id": "c7", "whys": ["only one"]})
    problems = check_step(review(five_whys=data), "five_whys")
    assert "Chain 2" in only(problems, "five_whys.chains.c7", "error").message


# ---------------------------------------------------------------------------
# Went well, could improve
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("items", [[], [{"id": "w1", "text": "  "}]])
def test_went_well_none_is_an_error(items):
    problem = only(check_step(review(went_well=items), "went_well"), "went_well", "error")
    assert "Nothing" in problem.message and "gone well" in problem.message


def test_went_well_blame_in_lucky_is_an_advisory():
    problems = check_step(review(lucky=[{"id": "l9", "text": "Lucky that Lee didn't deploy twice"}]), "went_well")
    assert '"Lee didn\'t"' in only(problems, "lucky.l9.text", "advisory").message


def test_went_well_blame_in_item_is_an_advisory():
    problems = check_step(review(went_well=[{"id": "w2", "text": "Nobody was to blame"}]), "went_well")
    assert '"blame"' in only(problems, "went_well.w2.text", "advisory").message


def test_could_improve_none_is_an_error():
    problem = only(check_step(review(could_improve=[]), "could_improve"), "could_improve", "error")
    assert "Nothing" in problem.message


def test_could_improve_blame_in_surprises_is_an_advisory():
    problems = check_step(review(surprises=[{"id": "s9", "text": "It was Sam's fault"}]), "could_improve")
    assert '"fault"' in only(problems, "surprises.s9.text", "advisory").message


def test_a_name_known_only_from_the_live_session_is_flagged_when_blamed():
    """A room joins with --as and writes cards before anyone types the participants in at setup."""
    card = {"id": "ci9", "text": "Kai forgot to run the canary"}
    plain = review(could_improve=[card], participants=["Lee"])
    assert not find(check_step(plain, "could_improve"), "could_improve.ci9.text")
    joined = review(could_improve=[card], participants=["Lee"], session={"participants": ["Lee", "Kai"]})
    assert '"Kai forgot to"' in only(check_step(joined, "could_improve"), "could_improve.ci9.text", "advisory").message


# ---------------------------------------------------------------------------
# Actions
# ---------------------------------------------------------------------------


def with_action(**changes) -> Review:
    def edit(data):
        data["actions"][0].update(changes)

    return edited(edit=edit)


def test_actions_none_is_an_error():
    problem = only(check_step(review(actions=[]), "actions"), "actions", "error")
    assert "no actions" in problem.message


@pytest.mark.parametrize(
    "name, words",
    [
        ("what", "what to do"),
        ("owner", "no owner"),
        ("due", "no due date"),
        ("done_when", "how we will know it is done"),
        ("type", "no type"),
        ("addresses", "what it addresses"),
    ],
)
def test_actions_missing_field_is_an_error_at_that_field(name, words):
    problem = only(check_step(with_action(**{name: ""}), "actions"), f"actions.a1.{name}", "error")
    assert "Action 1" in problem.message and words in problem.message


@pytest.mark.parametrize(
    "owner",
    ["Sam and Lee", "Sam & Lee", "Sam, Lee", "Sam/Lee", "Sam + Lee", "Sam or Lee"],
)
def test_actions_owner_naming_several_people_is_an_error(owner):
    problem = only(check_step(with_action(owner=owner), "actions"), "actions.a1.owner", "error")
    assert "Action 1" in problem.message and "more than one person" in problem.message


@pytest.mark.parametrize(
    "owner",
    ["team", "the team", "Team", "everyone", "everybody", "all", "we", "ops team", "engineering", "SRE",
     "Team Alpha", "platform-team", "on-call"],
)
def test_actions_owner_naming_a_group_is_an_error(owner):
    problem = only(check_step(with_action(owner=owner), "actions"), "actions.a1.owner", "error")
    assert "a group, not one person" in problem.message


@pytest.mark.parametrize("owner", ["TBD", "n/a", "?", "someone"])
def test_actions_placeholder_owner_is_an_error(owner):
    problem = only(check_step(with_action(owner=owner), "actions"), "actions.a1.owner", "error")
    assert "not a person" in problem.message


@pytest.mark.parametrize("due", ["next week", "15/12/2026", "2026-02-30"])
def test_actions_due_must_be_an_iso_date(due):
    problem = only(check_step(with_action(due=due), "actions"), "actions.a1.due", "error")
    assert f'"{due}"' in problem.message and "not a date" in problem.message


def test_actions_due_before_review_date_is_an_error():
    problem = only(check_step(with_action(due="2026-11-01"), "actions"), "actions.a1.due", "error")
    assert "2026-11-01" in problem.message and "before the review date 2026-11-21" in problem.message


def test_actions_due_on_review_date_is_fine():
    assert find(check_step(with_action(due="2026-11-21"), "actions"), "actions.a1.due") == []


def test_actions_unknown_type_is_an_error():
    problem = only(check_step(with_action(type="wish"), "actions"), "actions.a1.type", "error")
    assert '"wish"' in problem.message


@pytest.mark.parametrize(
    "what, quoted",
    [
        ("Look into the memory usage", "Look into"),
        ("Investigate the aggregation job", "Investigate"),
        ("Be more careful with deploys", "Be more careful"),
        ("Improve monitoring", "Improve"),
        ("Communicate better during incidents", "Communicate better"),
        ("Try to deploy earlier in the day", "Try to"),
        ("Consider a canary stage", "Consider"),
        ("Keep an eye on DB memory", "Keep an eye on"),
        ("Revisit the runbook", "Revisit"),
    ],
)
def test_actions_vague_wording_is_an_advisory(what, quoted):
    problems = check_step(with_action(what=what), "actions")
    problem = only(problems, "actions.a1.what", "advisory")
    assert f'"{quoted}"' in problem.message and "Vague" in problem.message
    assert not has_errors(problems)


def test_actions_improve_with_a_number_is_not_vague():
    problems = check_step(with_action(what="Improve p99 checkout latency to under 300 ms"), "actions")
    assert find(problems, "actions.a1.what") == []


def test_actions_none_addressing_a_root_cause_is_an_advisory():
    def edit(data):
        for action in data["actions"]:
            action["addresses"] = "slow rollback"

    problems = check_step(edited(edit=edit), "actions")
    assert "root cause" in only(problems, "actions", "advisory").message


@pytest.mark.parametrize("addresses", ["Chain 2", "the Root-Cause", "Load tests do not require production-sized data."])
def test_actions_addressing_a_chain_or_a_root_cause_text_counts(addresses):
    def edit(data):
        for action in data["actions"]:
            action["addresses"] = "slow rollback"
        data["actions"][1]["addresses"] = addresses
        data["five_whys"]["chains"][0]["whys"] = data["five_whys"]["chains"][0]["whys"][:4]

    assert find(check_step(edited(edit=edit), "actions"), "actions") == []


def test_actions_no_detect_action_is_an_advisory():
    problems = check_step(with_action(type="prevent"), "actions")
    problem = only(problems, "actions", "advisory")
    assert "detection" in problem.message and "monitoring or alerting" in problem.message


def test_actions_no_process_action_is_an_advisory():
    def edit(data):
        data["actions"][1]["type"] = "repair"

    problem = only(check_step(edited(edit=edit), "actions"), "actions", "advisory")
    assert "process" in problem.message


def test_actions_blame_in_what_and_done_when_are_advisories():
    problems = check_step(with_action(what="Stop Sam messing up: add a deploy lock for 5 minutes",
                                      done_when="no one is careless again"), "actions")
    assert '"careless"' in only(problems, "actions.a1.done_when", "advisory").message


# ---------------------------------------------------------------------------
# Summary
# ---------------------------------------------------------------------------


def test_summary_no_follow_up_date_is_an_error_with_a_suggested_date():
    problem = only(check_step(review(follow_up={"due": ""}), "summary"), "follow_up.due", "error")
    assert "no follow-up date" in problem.message and "2026-12-21" in problem.hint


def test_summary_follow_up_not_a_date_is_an_error():
    problem = only(check_step(review(follow_up={"due": "in a month"}), "summary"), "follow_up.due", "error")
    assert '"in a month"' in problem.message and "not a date" in problem.message


def test_summary_follow_up_before_review_date_is_an_error():
    problem = only(check_step(review(follow_up={"due": "2026-11-01"}), "summary"), "follow_up.due", "error")
    assert "before the review date" in problem.message


@pytest.mark.parametrize("questions", [[], [{"id": "q1", "text": ""}]])
def test_summary_no_questions_is_an_advisory(questions):
    problems = check_step(review(questions=questions), "summary")
    assert "No questions" in only(problems, "questions", "advisory").message
    assert not has_errors(problems)


def test_summary_blame_in_summary_and_questions_are_advisories():
    problems = check_step(
        review(summary="Human error took checkout down for 22 minutes.",
               questions=[{"id": "q4", "text": "Lee forgot to roll back: why?", "answer": "Dana should have paged"}]),
        "summary",
    )
    assert '"Human error"' in only(problems, "summary", "advisory").message
    assert '"Lee forgot to"' in only(problems, "questions.q4.text", "advisory").message
    assert '"Dana should have"' in only(problems, "questions.q4.answer", "advisory").message


# ---------------------------------------------------------------------------
# Blame language
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, quoted",
    [
        ("We should have rolled back sooner", "should have"),
        ("Nobody shouldn't have pushed on Friday", "shouldn't have"),
        ("A careless config change", "careless"),
        ("It was his fault", "fault"),
        ("Who is at fault here", "fault"),
        ("They blamed the vendor", "blamed"),
        ("Root cause: human error", "human error"),
        ("A negligent review", "negligent"),
        ("An incompetent rollout", "incompetent"),
        ("Someone forgot the flag", "Someone forgot"),
        ("somebody missed the page", "somebody missed"),
    ],
)
def test_blame_phrases_are_advisories_quoting_the_words(text, quoted):
    problems = blame_problems(text, "summary", PEOPLE)
    assert [p.level for p in problems] == ["advisory"]
    assert problems[0].field == "summary"
    assert f'"{quoted}"' in problems[0].message


@pytest.mark.parametrize(
    "verb",
    ["forgot", "failed to", "missed", "broke", "didn't", "did not", "should", "caused", "ignored",
     "neglected", "messed up"],
)
def test_blame_participant_as_subject_of_a_failure(verb):
    problems = blame_problems(f"Sam {verb} the rollback", "why", PEOPLE)
    assert len(problems) == 1
    assert f'"Sam {verb}' in problems[0].message and "person" in problems[0].message


def test_blame_full_name_and_last_name_are_matched():
    assert '"Sam Lee forgot' in blame_problems("Sam Lee forgot it", "f", PEOPLE)[0].message
    assert '"Lee forgot' in blame_problems("Lee forgot it", "f", ["Sam Lee"])[0].message


def test_blame_name_match_is_case_insensitive():
    assert blame_problems("sam forgot the flag", "f", ["Sam"])


def test_blame_hint_rephrases_the_forgotten_step():
    problem = blame_problems("Sam forgot to run the migration.", "f", PEOPLE)[0]
    assert "The checklist had no step to run the migration" in problem.hint
    assert "easy to miss" in problem.hint


@pytest.mark.parametrize(
    "text, hint_words",
    [
        ("Sam forgot the feature flag", "The checklist had no step for the feature flag"),
        ("Sam forgot to deploy and then left", "The checklist had no step to deploy'"),
        ("Sam failed to restart the worker", "Nothing prompted anyone to restart the worker"),
        ("Sam didn't check the dashboard", "Nothing prompted anyone to check the dashboard"),
        ("Sam broke the build", "what let it through"),
        ("Sam ignored the alert", "easy to dismiss"),
        ("Sam missed the page", "easy to miss"),
        ("We should have paged the DBA", "what the system or process lacked"),
        ("careless deploy", "not a trait"),
        ("human error", "system or process"),
    ],
)
def test_blame_hints_are_specific_to_the_pattern(text, hint_words):
    assert hint_words in blame_problems(text, "f", PEOPLE)[0].hint


def test_blame_name_and_phrase_overlap_give_one_problem():
    problems = blame_problems("Dana should have paged", "f", PEOPLE)
    assert len(problems) == 1 and '"Dana should have"' in problems[0].message


def test_blame_without_participants_still_finds_phrases():
    assert blame_problems("Sam should have known", "f", []) != []
    assert blame_problems("Sam forgot", "f", []) == []


@pytest.mark.parametrize(
    "text",
    [
        "The service is fault-tolerant",
        "We tested fault tolerance last quarter",
        "Fault injection found nothing",
        "A page fault storm on the host",
        "A hardware fault in the switch",
        "This is a blameless review",
        "The user error rate rose to 4%",
        "Could have gone better: the rollback",
        "Samuel forgot nothing",
        "The worker missed its heartbeat",
    ],
)
def test_blame_false_positive_guards(text):
    assert blame_problems(text, "f", PEOPLE) == []


def test_blame_participant_al_does_not_match_also():
    assert blame_problems("It also failed to start", "f", ["Al"]) == []
    assert blame_problems("Al failed to start it", "f", ["Al"]) != []
    assert root_cause_problems("Retries also hide the error", "f", ["Al"]) == []


def test_blame_participant_may_matches_only_when_capitalised():
    """A name that is also an everyday word ("may", "will") counts only when capitalised."""
    assert root_cause_problems("The cache may expire before the write", "f", ["May"]) == []
    assert root_cause_problems("May ran the job", "f", ["May"]) != []
    assert blame_problems("it may not restart", "f", ["May"]) == []
    assert blame_problems("May forgot the flag", "f", ["May Chen"]) != []
    assert blame_problems("Will should be paged", "f", ["Will"]) != []
    assert blame_problems("the job will fail", "f", ["Will"]) == []


def test_blame_group_words_in_a_participant_entry_are_not_names():
    assert root_cause_problems("The team had no runbook", "f", ["Dana (SRE)", "the team"]) == []


def test_blame_is_capped_per_field():
    text = " ".join(f"Sam forgot step {i}. It was a careless move {i}." for i in range(20))
    assert 0 < len(blame_problems(text, "f", ["Sam"])) <= 5


# ---------------------------------------------------------------------------
# Helpers on their own
# ---------------------------------------------------------------------------


def test_vague_action_problems_empty_and_specific_texts_are_fine():
    assert vague_action_problems("", "f") == []
    assert vague_action_problems("Alert when DB memory stays above 80% for 5 minutes", "f") == []


def test_root_cause_problems_on_a_systemic_cause_is_empty():
    assert root_cause_problems("The deployment checklist has no data-volume step", "f", PEOPLE) == []
    assert root_cause_problems("", "f", PEOPLE) == []


def test_root_cause_problems_can_report_both_a_name_and_human_error():
    problems = root_cause_problems("Sam made a mistake", "f", PEOPLE)
    assert [p.level for p in problems] == ["error", "error"]


@pytest.mark.parametrize(
    "owner", ["Sam", "Sam Lee", "Anne van Dijk", "José García", "Al", "Dana (SRE, on call)", "sam@example.com"]
)
def test_owner_problems_accepts_one_person(owner):
    assert owner_problems(owner, "owner") == []


def test_owner_problems_empty():
    problem = only(owner_problems("  ", "actions.a1.owner"), "actions.a1.owner", "error")
    assert "no owner" in problem.message


# ---------------------------------------------------------------------------
# Hostile text and speed
# ---------------------------------------------------------------------------

HOSTILE = [
    "[/]",
    "[bold red]x[/bold red] [@click=app.quit]y[/]",
    "\x1b[31mred\x1b[0m \x00\x07\x9b\u202e",
    "(" * 5000 + "fault" + ")" * 5000,
    "should " * 20000,
    "Sam forgot " * 5000,
    "\n\n\t  \r",
    "\ud800",
]


@pytest.mark.parametrize("text", HOSTILE, ids=range(len(HOSTILE)))
def test_helpers_never_raise_on_hostile_text(text):
    blame_problems(text, "f", PEOPLE + [text])
    vague_action_problems(text, "f")
    root_cause_problems(text, "f", [text, "[/]", "(", "\\"])
    owner_problems(text, "f")


@pytest.mark.parametrize("text", HOSTILE, ids=range(len(HOSTILE)))
def test_check_review_never_raises_on_hostile_review(text):
    data = copy.deepcopy(GOOD_INCIDENT)
    data.update(title=text, owner=text, severity=text, timezone=text, review_date=text, impact=text,
                summary=text, participants=[text, "[/]"])
    data["timeline"][0].update(at=text, text=text, marker=text)
    data["five_whys"]["chains"][0]["whys"].append(text)
    data["actions"][0].update(what=text, due=text, type=text, addresses=text, done_when=text)
    data["follow_up"]["due"] = text
    result = check_review(Review.from_dict(data))
    assert all(isinstance(p, Problem) for problems in result.values() for p in problems)


def test_check_review_never_raises_on_odd_values():
    data = copy.deepcopy(GOOD_INCIDENT)
    data["timeline"].append({"id": "e9", "at": "9999-12-31T23:59:59-12:00", "text": "far", "marker": "resolved"})
    data["timeline"].append({"id": "e10", "at": "0001-01-01T00:00:00+14:00", "text": "early", "marker": "started"})
    data["five_whys"]["chains"].append({"id": "c2", "whys": [None, 3, "x"]})
    check_review(Review.from_dict(data))


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=st.text(), names=st.lists(st.text(), max_size=4))
def test_helpers_never_raise_on_any_text(text, names):
    for problem in (
        blame_problems(text, "f", names)
        + vague_action_problems(text, "f")
        + root_cause_problems(text, "f", names)
        + owner_problems(text, "f")
    ):
        assert problem.level in ("error", "advisory") and problem.field == "f"


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    texts=st.lists(st.text(), min_size=6, max_size=6),
    marker=st.sampled_from([None, "", "started", "resolved", "bogus"]),
)
def test_check_review_never_raises_on_any_text(texts, marker):
    data = copy.deepcopy(GOOD_INCIDENT)
    data.update(title=texts[0], owner=texts[1], timezone=texts[2], review_date=texts[3])
    data["timeline"][1].update(at=texts[4], text=texts[5], marker=marker)
    data["actions"][0].update(owner=texts[1], due=texts[3], what=texts[5])
    data["follow_up"]["due"] = texts[4]
    check_review(Review.from_dict(data))


def test_outage_is_flagged_when_the_timeline_has_no_markers():
    data = copy.deepcopy(GOOD_INCIDENT)
    data["summary"] = "A short outage of checkout."
    for event in data["timeline"]:
        event["marker"] = None
    problem = only(check_step(Review.from_dict(data), "summary"), "summary", "advisory")
    assert "outage" in problem.message and "no markers" in problem.message


def test_outage_is_flagged_when_no_impact_is_recorded():
    data = copy.deepcopy(GOOD_INCIDENT)
    data["title"] = "Checkout outage"
    data["impact"] = ""
    problem = only(check_step(Review.from_dict(data), "summary"), "summary", "advisory")
    assert "no impact is recorded" in problem.message


def test_outage_is_accepted_when_markers_and_impact_back_it_up():
    data = copy.deepcopy(GOOD_INCIDENT)
    data["summary"] = "A 22-minute outage of checkout."
    assert find(check_step(Review.from_dict(data), "summary"), "summary") == []
