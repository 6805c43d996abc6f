"""User journeys through the app, driven by keys alone, asserting what a user would notice.

Each test starts the real app over a fresh review file (``make_app``), types
with ``pilot.press`` one character at a time, and checks the active screen,
the focus, the refusal line and check panel, and what the file holds after the
app has quit.
"""

from __future__ import annotations

from tui_helpers import (
    SIZE,
    saved,
    item_field,
    item_rows,
    tab_to,
    widget_id,
    assert_is_screen_active,
    check_panel,
    choose,
    new_app,
    focus_is_visible,
    read_file,
    complete_review,
    seed,
    start_review,
    option_texts,
    press_and_wait_for_screen,
    refusal,
    screen_text,
    static_text,
    stored,
    texts,
    type_text,
    wait_for_screen,
)

from store.db import ReviewStore
from store.render import render_csv, render_markdown


# A whole review, step by step, keys only ------------------------------------

INCIDENT = {
    "title": "Checkout API returned HTTP 500s",
    "owner": "Lee",
    "facilitator": "Dana",
    "participants": "Dana, Lee, Sam",
    "timezone": "Europe/Berlin",
    "review_date": "2026-11-21",
    "events": [
        ("14:05", "Deploy of v2.3 starts", 1),  # started
        ("14:09", "Error alert fires", 2),  # detected
        ("14:20", "Rollback begins", 3),  # mitigated
        ("14:27", "Errors stop", 4),  # resolved
    ],
    "impact": "1200 customers could not pay for 22 minutes",
    "problem": "Checkout returned HTTP 500",
    "whys": [
        "The database ran out of memory",
        "A new job used 3x more memory",
        "It was load-tested with 1/10th of the data",
        "Load tests do not require real data sizes",
    ],
    "went_well": "The rollback took 2 minutes",
    "lucky": "It was outside peak hours",
    "could_improve": "The alert channel was unwatched",
    "surprises": "Retries doubled the load",
}


async def fill_setup(pilot, data: dict, severity_downs: int | None = None) -> None:
    """Setup: title (focused), [severity], owner, facilitator, participants, timezone, review date."""
    assert pilot.app.focused.id == "title"
    await type_text(pilot, data["title"])
    if severity_downs is not None:
        await tab_to(pilot, widget_id("severity"))
        await choose(pilot, severity_downs)
    for name in ("owner", "facilitator", "participants", "timezone", "review_date"):
        await tab_to(pilot, widget_id(name))
        if pilot.app.focused.value:  # a prefilled field: select it all, so typing replaces it
            await pilot.press("home", "shift+end")
        await type_text(pilot, data[name])


async def add_event(pilot, at: str, text: str, marker_downs: int | None) -> None:
    """In a blank event form (time focused): time, text, the marker from its Select, then F2 for the next."""
    assert item_field("at")(pilot.app.focused)
    await type_text(pilot, at)
    await tab_to(pilot, item_field("text"))
    await type_text(pilot, text)
    if marker_downs is not None:
        await tab_to(pilot, item_field("marker"))
        await choose(pilot, marker_downs)
    await pilot.press("f2")  # a new event; the time field has the focus again
    await pilot.pause()


async def answer_whys(pilot, whys: list[str]) -> None:
    """From the problem field: Tab to the first why, then answer each one and press Enter for the next."""
    await tab_to(pilot, lambda widget: widget.has_class("why"))
    for answer in whys:
        await type_text(pilot, answer)
        await pilot.press("enter")
        await pilot.pause()


async def add_action(pilot, what, owner, due, done_when, type_downs, addresses_downs) -> None:
    """In a blank action form (what focused): every field, the two Selects, then F2 for the next."""
    assert item_field("what")(pilot.app.focused)
    await type_text(pilot, what)
    for name, value in (("owner", owner), ("due", due), ("done_when", done_when)):
        await tab_to(pilot, item_field(name))
        await type_text(pilot, value)
    await tab_to(pilot, item_field("type"))
    await choose(pilot, type_downs)
    await tab_to(pilot, item_field("addresses"))
    await choose(pilot, addresses_downs)
    await pilot.press("f2")
    await pilot.pause()


async def test_a_whole_incident_review_typed_with_keys_alone_is_kept_exactly_and_exported(tmp_path):
    path = tmp_path / "r.json"
    app = new_app(path)
    async with app.run_test(size=SIZE) as pilot:
        assert_is_screen_active(pilot, "HomeScreen")
        await pilot.press("ctrl+n")
        await wait_for_screen(pilot, "GroundRulesDialog")
        assert "not at who" in screen_text(pilot)
        await pilot.press("enter")  # "We agree: start" has the focus
        await wait_for_screen(pilot, "SetupScreen")
        await fill_setup(pilot, INCIDENT, severity_downs=2)  # blank, SEV1, SEV2
        assert pilot.app.screen.query_one("#severity").value == "SEV2"

        await press_and_wait_for_screen(pilot, "ctrl+n", "TimelineScreen")
        for at, text, marker in INCIDENT["events"]:
            await add_event(pilot, at, text, marker)
        durations = static_text(pilot, "#durations")
        assert "Time to detect: 4m" in durations
        assert "to mitigate: 15m" in durations
        assert "to resolve: 22m" in durations
        assert "Europe/Berlin" in durations

        await press_and_wait_for_screen(pilot, "ctrl+n", "ImpactScreen")
        assert pilot.app.focused.id == "impact"
        await type_text(pilot, INCIDENT["impact"])

        await press_and_wait_for_screen(pilot, "ctrl+n", "FiveWhysScreen")
        assert pilot.app.focused.id == "problem"
        await type_text(pilot, INCIDENT["problem"])
        await answer_whys(pilot, INCIDENT["whys"])
        assert static_text(pilot, "#root-cause") == f"Root cause: {INCIDENT['whys'][-1]}"

        await press_and_wait_for_screen(pilot, "ctrl+n", "WentWellScreen")
        assert item_field("text", "went-well")(pilot.app.focused)
        await type_text(pilot, INCIDENT["went_well"])
        await tab_to(pilot, item_field("text", "lucky"))
        await type_text(pilot, INCIDENT["lucky"])

        await press_and_wait_for_screen(pilot, "ctrl+n", "CouldImproveScreen")
        assert item_field("text", "could-improve")(pilot.app.focused)
        await type_text(pilot, INCIDENT["could_improve"])
        await tab_to(pilot, item_field("text", "surprises"))
        await type_text(pilot, INCIDENT["surprises"])

        await press_and_wait_for_screen(pilot, "ctrl+n", "ActionsScreen")
        # Type: blank, prevent, mitigate, detect, process.  Addresses: blank, root cause 1, the improvement.
        await add_action(pilot, "Alert on DB memory over 80%", "Sam", "2026-12-15", "the alert fires in a drill", 3, 1)
        await add_action(pilot, "Load tests use real data sizes", "Dana", "2026-12-20", "the checklist says so", 4, 2)
        assert pilot.app.screen.problems == []  # no errors and no advisories left

        await press_and_wait_for_screen(pilot, "ctrl+n", "SummaryScreen")
        assert pilot.app.focused.id == "follow-up"
        assert pilot.app.focused.value  # the follow-up date is filled in for us
        await tab_to(pilot, item_field("text", "questions"))
        await type_text(pilot, "Will this delay the release?")
        await tab_to(pilot, item_field("answer", "questions"))
        await type_text(pilot, "No: the fix ships first")
        await pilot.press("ctrl+q")
    assert app.return_code == 0

    review = stored(path)
    assert review["kind"] == "incident"
    assert review["step"] == "summary"
    assert review["title"] == INCIDENT["title"]
    assert review["severity"] == "SEV2"
    assert review["owner"] == "Lee"
    assert review["facilitator"] == "Dana"
    assert review["participants"] == ["Dana", "Lee", "Sam"]
    assert review["timezone"] == "Europe/Berlin"
    assert review["review_date"] == "2026-11-21"
    assert [(e["at"], e["text"], e["marker"]) for e in review["timeline"]] == [
        ("2026-11-21T14:05:00+01:00", "Deploy of v2.3 starts", "started"),
        ("2026-11-21T14:09:00+01:00", "Error alert fires", "detected"),
        ("2026-11-21T14:20:00+01:00", "Rollback begins", "mitigated"),
        ("2026-11-21T14:27:00+01:00", "Errors stop", "resolved"),
    ]
    assert review["impact"] == INCIDENT["impact"]
    assert review["five_whys"]["problem"] == INCIDENT["problem"]
    assert [chain["whys"] for chain in review["five_whys"]["chains"]] == [INCIDENT["whys"]]
    assert texts(review["went_well"]) == [INCIDENT["went_well"]]
    assert texts(review["lucky"]) == [INCIDENT["lucky"]]
    assert texts(review["could_improve"]) == [INCIDENT["could_improve"]]
    assert texts(review["surprises"]) == [INCIDENT["surprises"]]
    fields = ("what", "owner", "due", "done_when", "type", "addresses", "status")
    assert [tuple(action[name] for name in fields) for action in review["actions"]] == [
        ("Alert on DB memory over 80%", "Sam", "2026-12-15", "the alert fires in a drill", "detect",
         "root cause of chain 1", "open"),
        ("Load tests use real data sizes", "Dana", "2026-12-20", "the checklist says so", "process",
         "improvement: The alert channel was unwatched", "open"),
    ]
    assert [(q["text"], q["answer"]) for q in review["questions"]] == [
        ("Will this delay the release?", "No: the fix ships first")
    ]

    markdown = render_markdown(ReviewStore(path).get("pm-1"))
    for text in (
        "# Incident review: Checkout API returned HTTP 500s (SEV2)",
        "- Participants: Dana, Lee, Sam",
        "| 2026-11-21 14:05 | Deploy of v2.3 starts | started |",
        "| 2026-11-21 14:27 | Errors stop | resolved |",
        "Time to detect: 4m",
        "Time to resolve: 22m",
        INCIDENT["impact"],
        f"Problem: {INCIDENT['problem']}",
        f"Root cause: {INCIDENT['whys'][-1]}",
        f"- {INCIDENT['went_well']}",
        f"- {INCIDENT['lucky']}",
        f"- {INCIDENT['could_improve']}",
        f"- {INCIDENT['surprises']}",
        "| Alert on DB memory over 80% | Sam | 2026-12-15 | the alert fires in a drill | detect | open |",
        "- Will this delay the release?\n  Answer: No: the fix ships first",
    ):
        assert text in markdown
    rows = render_csv(ReviewStore(path).get("pm-1")).splitlines()
    assert rows[1] == (
        "pm-1,Checkout API returned HTTP 500s,Alert on DB memory over 80%,Sam,2026-12-15,"
        "the alert fires in a drill,detect,open,root cause of chain 1,"
    ) + ReviewStore(path).get("pm-1").actions[0].id + ",,"


async def test_a_whole_project_review_typed_with_keys_alone_needs_no_severity_and_is_kept(tmp_path):
    path = tmp_path / "r.json"
    project = {
        "title": "Billing migration ran late",
        "owner": "Ana",
        "facilitator": "Bo",
        "participants": "Ana, Bo",
        "timezone": "UTC",
        "review_date": "2026-11-21",
    }
    app = new_app(path)
    async with app.run_test(size=SIZE) as pilot:
        await start_review(pilot, "ctrl+r")
        assert pilot.app.screen.query_one("#kind").value == "project"
        await fill_setup(pilot, project)  # no severity: a project needs none
        assert not [p for p in pilot.app.screen.problems if p.level == "error"]

        await press_and_wait_for_screen(pilot, "ctrl+n", "TimelineScreen")
        await add_event(pilot, "2026-09-01 09:00", "Kick-off", 1)  # started
        await add_event(pilot, "2026-10-01 09:00", "Scope doubled", None)
        await add_event(pilot, "2026-11-15 17:00", "Go-live", None)

        await press_and_wait_for_screen(pilot, "ctrl+n", "ImpactScreen")
        await type_text(pilot, "Go-live slipped 6 weeks")

        await press_and_wait_for_screen(pilot, "ctrl+n", "FiveWhysScreen")
        await type_text(pilot, "We went live late")
        await answer_whys(pilot, ["Scope doubled", "No change gate", "Plans lack a gate"])

        await press_and_wait_for_screen(pilot, "ctrl+n", "WentWellScreen")
        await type_text(pilot, "Data moved cleanly")

        await press_and_wait_for_screen(pilot, "ctrl+n", "CouldImproveScreen")
        await type_text(pilot, "Scope was not frozen")

        await press_and_wait_for_screen(pilot, "ctrl+n", "ActionsScreen")
        await add_action(pilot, "Add a scope gate to plans", "Bo", "2027-01-10", "the template has it", 4, 1)

        await press_and_wait_for_screen(pilot, "ctrl+n", "SummaryScreen")
        await pilot.press("ctrl+q")
    assert app.return_code == 0

    review = stored(path)
    assert review["kind"] == "project"
    assert review["severity"] == ""
    assert review["step"] == "summary"
    assert (review["title"], review["owner"], review["facilitator"]) == ("Billing migration ran late", "Ana", "Bo")
    assert review["participants"] == ["Ana", "Bo"]
    assert [(e["at"], e["text"], e["marker"]) for e in review["timeline"]] == [
        ("2026-09-01T09:00:00+00:00", "Kick-off", "started"),
        ("2026-10-01T09:00:00+00:00", "Scope doubled", None),
        ("2026-11-15T17:00:00+00:00", "Go-live", None),
    ]
    assert review["impact"] == "Go-live slipped 6 weeks"
    assert review["five_whys"]["problem"] == "We went live late"
    assert [c["whys"] for c in review["five_whys"]["chains"]] == [["Scope doubled", "No change gate", "Plans lack a gate"]]
    assert texts(review["went_well"]) == ["Data moved cleanly"]
    assert texts(review["could_improve"]) == ["Scope was not frozen"]
    assert [(a["what"], a["owner"], a["due"], a["done_when"], a["type"], a["addresses"]) for a in review["actions"]] == [
        ("Add a scope gate to plans", "Bo", "2027-01-10", "the template has it", "process", "root cause of chain 1")
    ]
    markdown = render_markdown(ReviewStore(path).get("pm-1"))
    assert markdown.startswith("# Project review: Billing migration ran late\n")
    assert "| 2026-11-15 17:00 | Go-live |  |" in markdown
    assert "Root cause: Plans lack a gate" in markdown
    assert "| Add a scope gate to plans | Bo | 2027-01-10 | the template has it | process | open |" in markdown


# Each step refuses ctrl+n while it has errors, and says why -------------------


async def open_at(pilot_app_path, doc: dict):
    """Seed ``doc`` and return the app opened on it (start="open", review_id=...)."""
    review_id = seed(pilot_app_path, doc)
    return new_app(pilot_app_path, start="open", review_id=review_id)


async def refused(pilot, screen: str, *words: str) -> str:
    """Press ctrl+n, stay on ``screen``, and return the refusal, which must mention ``words``."""
    await pilot.press("ctrl+n")
    await pilot.pause()
    assert_is_screen_active(pilot, screen)
    said = refusal(pilot)
    assert said.startswith("Can't move on yet:"), said
    for word in words:
        assert word in said, f"{word!r} not in the refusal {said!r}"
    return said


async def test_setup_refuses_next_until_title_owner_and_severity_are_given(tmp_path):
    doc = complete_review("setup") | {"title": "", "owner": "", "severity": ""}
    app = await open_at(tmp_path / "r.json", doc)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_screen(pilot, "SetupScreen")
        said = await refused(pilot, "SetupScreen", "no title", "(and 2 more in the check panel)")
        assert pilot.app.focused.id == "title"
        errors = [line for line in check_panel(pilot) if line.startswith("ERROR")]
        assert len(errors) == 3 and "no title" in errors[0]
        assert any("severity" in line for line in errors)

        await type_text(pilot, "Search was slow")
        await refused(pilot, "SetupScreen", "owner")
        assert pilot.app.focused.id == "owner"
        await type_text(pilot, "Lee")
        await refused(pilot, "SetupScreen", "severity")
        assert pilot.app.focused.id == "severity"
        await choose(pilot, 1)
        assert refusal(pilot) == ""  # nothing blocks any more: the refusal is gone
        await press_and_wait_for_screen(pilot, "ctrl+n", "TimelineScreen")
        assert said  # (the first refusal named the title)


async def test_timeline_refuses_next_while_it_has_fewer_than_two_events(tmp_path):
    app = await open_at(tmp_path / "r.json", complete_review("timeline") | {"timeline": []})
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_screen(pilot, "TimelineScreen")
        await refused(pilot, "TimelineScreen", "at least 2 events", "(it has 0)")
        assert item_field("at")(pilot.app.focused)  # the time of a new event, ready to type
        await add_event(pilot, "10:00", "Index rebuild starts", None)
        await refused(pilot, "TimelineScreen", "at least 2 events", "(it has 1)")
        await add_event(pilot, "10:30", "Latency normal", None)
        await press_and_wait_for_screen(pilot, "ctrl+n", "ImpactScreen")
    assert len(stored(tmp_path / "r.json")["timeline"]) == 2


async def test_timeline_refuses_next_while_an_event_has_no_valid_time(tmp_path):
    app = await open_at(tmp_path / "r.json", complete_review("timeline"))
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_screen(pilot, "TimelineScreen")
        await type_text(pilot, "25:99")
        await tab_to(pilot, item_field("text"))
        await type_text(pilot, "Cache flushed")
        await refused(pilot, "TimelineScreen", "Event 5", "25:99", "not a valid time")
        assert item_field("at")(pilot.app.focused)  # back at the bad time
        await pilot.press("home", "shift+end")
        await type_text(pilot, "10:20")
        await press_and_wait_for_screen(pilot, "ctrl+n", "ImpactScreen")


async def test_impact_refuses_next_while_it_is_empty(tmp_path):
    app = await open_at(tmp_path / "r.json", complete_review("impact") | {"impact": ""})
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_screen(pilot, "ImpactScreen")
        await refused(pilot, "ImpactScreen", "The impact is empty.")
        assert pilot.app.focused.id == "impact"
        await type_text(pilot, "40 users waited")
        await press_and_wait_for_screen(pilot, "ctrl+n", "FiveWhysScreen")
    assert stored(tmp_path / "r.json")["impact"] == "40 users waited"


async def test_five_whys_refuses_next_until_a_problem_and_a_chain_of_three_whys(tmp_path):
    doc = complete_review("five_whys") | {"five_whys": {"problem": "", "chains": []}}
    app = await open_at(tmp_path / "r.json", doc)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_screen(pilot, "FiveWhysScreen")
        await refused(pilot, "FiveWhysScreen", "problem", "empty", "(and 1 more in the check panel)")
        assert pilot.app.focused.id == "problem"
        await type_text(pilot, "Search took 9 seconds")
        await refused(pilot, "FiveWhysScreen", "There is no chain of whys.")
        assert pilot.app.focused.has_class("why")
        await type_text(pilot, "The index was rebuilt")
        await pilot.press("enter")
        await refused(pilot, "FiveWhysScreen", "Chain 1 has 1 answer; it needs at least 3.")
        assert pilot.app.focused.has_class("why")
        await answer_whys(pilot, ["A schema change needed it", "Rebuilds are not scheduled"])
        await press_and_wait_for_screen(pilot, "ctrl+n", "WentWellScreen")


async def test_five_whys_refuses_a_root_cause_that_stops_at_human_error(tmp_path):
    doc = complete_review("five_whys") | {"five_whys": {"problem": "Search took 9 seconds", "chains": []}}
    app = await open_at(tmp_path / "r.json", doc)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_screen(pilot, "FiveWhysScreen")
        await answer_whys(pilot, ["The index was rebuilt", "Someone ran it", "Human error"])
        said = await refused(pilot, "FiveWhysScreen")
        assert "human error" in said.lower()


async def test_went_well_refuses_next_while_nothing_is_listed(tmp_path):
    app = await open_at(tmp_path / "r.json", complete_review("went_well") | {"went_well": []})
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_screen(pilot, "WentWellScreen")
        await refused(pilot, "WentWellScreen", "Nothing is listed as having gone well.")
        assert item_field("text", "went-well")(pilot.app.focused)
        await type_text(pilot, "Paging worked")
        await press_and_wait_for_screen(pilot, "ctrl+n", "CouldImproveScreen")


async def test_could_improve_refuses_next_while_nothing_is_listed(tmp_path):
    app = await open_at(tmp_path / "r.json", complete_review("could_improve") | {"could_improve": []})
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_screen(pilot, "CouldImproveScreen")
        await refused(pilot, "CouldImproveScreen", "Nothing is listed that could have gone better.")
        assert item_field("text", "could-improve")(pilot.app.focused)
        await type_text(pilot, "Rebuilds ran at peak")
        await press_and_wait_for_screen(pilot, "ctrl+n", "ActionsScreen")


async def test_actions_refuses_next_until_an_action_has_every_field(tmp_path):
    app = await open_at(tmp_path / "r.json", complete_review("actions") | {"actions": []})
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_screen(pilot, "ActionsScreen")
        await refused(pilot, "ActionsScreen", "There are no actions.")
        assert item_field("what")(pilot.app.focused)
        await type_text(pilot, "Schedule rebuilds off peak")
        said = await refused(pilot, "ActionsScreen", "Action 1")
        assert "more in the check panel" in said
        await tab_to(pilot, item_field("owner"))
        await type_text(pilot, "Sam")
        await tab_to(pilot, item_field("due"))
        await type_text(pilot, "2026-11-01")  # before the review date
        await refused(pilot, "ActionsScreen", "Action 1")
        await tab_to(pilot, item_field("due"))
        await pilot.press("home", "shift+end")
        await type_text(pilot, "2026-12-15")
        await tab_to(pilot, item_field("done_when"))
        await type_text(pilot, "the runbook says when")
        await tab_to(pilot, item_field("type"))
        await choose(pilot, 4)  # process
        await tab_to(pilot, item_field("addresses"))
        await choose(pilot, 1)  # root cause of chain 1
        await press_and_wait_for_screen(pilot, "ctrl+n", "SummaryScreen")


async def test_summary_refuses_next_without_a_follow_up_date_and_says_it_is_the_last_step(tmp_path):
    doc = complete_review("summary") | {"follow_up": {"due": "", "held": None, "notes": ""}}
    app = await open_at(tmp_path / "r.json", doc)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await wait_for_screen(pilot, "SummaryScreen")
        await refused(pilot, "SummaryScreen", "There is no follow-up date.")
        assert pilot.app.focused.id == "follow-up"
        await type_text(pilot, "2026-12-21")
        await pilot.press("ctrl+n")
        await pilot.pause()
        assert_is_screen_active(pilot, "SummaryScreen")
        assert refusal(pilot) == ""
        await pilot.pause()
        assert "This is the last step" in screen_text(pilot)  # the notice says so
        await pilot.press("ctrl+q")
    assert stored(tmp_path / "r.json")["follow_up"]["due"] == "2026-12-21"


# Going back, and jumping to a step ----------------------------------------------


async def test_going_back_to_setup_and_changing_the_owner_keeps_the_change_in_the_file(tmp_path):
    path = tmp_path / "r.json"
    app = await open_at(path, complete_review("impact"))
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_screen(pilot, "ImpactScreen")
        await press_and_wait_for_screen(pilot, "ctrl+b", "TimelineScreen")
        await press_and_wait_for_screen(pilot, "ctrl+b", "SetupScreen")
        assert pilot.app.screen.query_one("#owner").value == "Lee"  # what was stored is shown
        await tab_to(pilot, widget_id("owner"))
        await pilot.press("home", "shift+end")
        await type_text(pilot, "Sam")
        await press_and_wait_for_screen(pilot, "ctrl+n", "TimelineScreen")
        assert stored(path)["owner"] == "Sam"  # saved on the way out of the step
        await press_and_wait_for_screen(pilot, "ctrl+n", "ImpactScreen")
        await pilot.press("ctrl+q")
    review = stored(path)
    assert review["owner"] == "Sam"
    assert review["step"] == "impact"


async def test_going_back_and_editing_a_timeline_event_keeps_the_change(tmp_path):
    path = tmp_path / "r.json"
    app = await open_at(path, complete_review("impact"))
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_screen(pilot, "ImpactScreen")
        await press_and_wait_for_screen(pilot, "ctrl+b", "TimelineScreen")
        await pilot.press("escape")  # from the blank form to the list of events
        assert item_rows("events")(pilot.app.focused)
        await pilot.press("home", "down")  # the second event
        await pilot.press("enter")
        assert item_field("at")(pilot.app.focused)
        assert pilot.app.focused.value == "2026-11-20 10:10"
        await tab_to(pilot, item_field("text"))
        await pilot.press("end")
        await type_text(pilot, " at 95th pct")
        await pilot.press("ctrl+q")
    assert texts(stored(path)["timeline"])[1] == "Latency alert fires at 95th pct"


async def test_go_to_step_dialog_marks_the_steps_and_jumps_back_and_forward(tmp_path):
    app = await open_at(tmp_path / "r.json", complete_review("actions"))
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_screen(pilot, "ActionsScreen")
        await press_and_wait_for_screen(pilot, "ctrl+g", "GoToStepDialog")
        options = pilot.app.screen.query_one("OptionList")
        assert option_texts(options)[0] == "+ 1. Setup"
        assert option_texts(options)[6] == "> 7. Actions"
        assert options.highlighted == 6  # the current step
        await pilot.press("up", "up", "up", "up", "up", "up", "enter")
        await wait_for_screen(pilot, "SetupScreen")

        await press_and_wait_for_screen(pilot, "ctrl+g", "GoToStepDialog")
        await pilot.press("escape")
        await wait_for_screen(pilot, "SetupScreen")  # Escape cancels

        await press_and_wait_for_screen(pilot, "ctrl+g", "GoToStepDialog")
        for _ in range(7):
            await pilot.press("down")
        await pilot.press("enter")
        await wait_for_screen(pilot, "SummaryScreen")  # every step between is complete
        await pilot.press("ctrl+q")
    assert stored(tmp_path / "r.json")["step"] == "summary"


async def test_go_to_step_will_not_jump_forward_past_a_step_with_errors(tmp_path):
    app = await open_at(tmp_path / "r.json", complete_review("setup") | {"impact": ""})
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await wait_for_screen(pilot, "SetupScreen")
        await press_and_wait_for_screen(pilot, "ctrl+g", "GoToStepDialog")
        assert option_texts(pilot.app.screen.query_one("OptionList"))[2] == "! 3. Impact"
        for _ in range(7):
            await pilot.press("down")
        await pilot.press("enter")
        await wait_for_screen(pilot, "SetupScreen")
        await pilot.pause()
        assert "Finish Impact first: it has errors." in screen_text(pilot)

        await press_and_wait_for_screen(pilot, "ctrl+g", "GoToStepDialog")
        await pilot.press("down", "down", "enter")
        await wait_for_screen(pilot, "ImpactScreen")  # the step with errors itself is open to fix


# Home: the list of reviews --------------------------------------------------------


def home_rows(pilot) -> list[str]:
    """The review ids in the home table, top to bottom."""
    table = pilot.app.screen.query_one("#reviews")
    return [table.coordinate_to_cell_key((row, 0)).row_key.value for row in range(table.row_count)]


def seed_three(path) -> None:
    from store import ops

    for title in ("Search was slow", "Billing outage", "Login errors"):
        seed(path, complete_review("impact") | {"title": title})
    ReviewStore(path).apply("pm-1", ops.Set("impact", "Searches took 9 s"))  # pm-1 is now the newest


async def test_home_lists_reviews_newest_first_and_filters_by_title_or_id_as_you_type(tmp_path):
    path = tmp_path / "r.json"
    seed_three(path)
    app = new_app(path)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_screen(pilot, "HomeScreen")  # and its list read (off the event loop)
        assert home_rows(pilot) == ["pm-1", "pm-3", "pm-2"]
        shown = screen_text(pilot)
        assert shown.index("Search was slow") < shown.index("Login errors") < shown.index("Billing outage")
        assert pilot.app.focused.id == "filter"

        await type_text(pilot, "billing")
        assert home_rows(pilot) == ["pm-2"]
        assert "Login errors" not in screen_text(pilot)
        await pilot.press(*["backspace"] * len("billing"))
        assert home_rows(pilot) == ["pm-1", "pm-3", "pm-2"]
        await type_text(pilot, "pm-3")
        assert home_rows(pilot) == ["pm-3"]
        await type_text(pilot, "x")
        assert home_rows(pilot) == []
        assert "No review matches the filter." in screen_text(pilot)


async def test_deleting_a_review_from_home_asks_first_and_removes_it_from_the_file(tmp_path):
    path = tmp_path / "r.json"
    seed_three(path)
    app = new_app(path)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_screen(pilot, "HomeScreen")  # and its list read (off the event loop)
        await pilot.press("down")  # the second row: pm-3, "Login errors"
        await press_and_wait_for_screen(pilot, "ctrl+d", "ConfirmDialog")
        assert "Delete review pm-3?" in screen_text(pilot)
        assert "Login errors" in screen_text(pilot)
        assert pilot.app.focused.id == "cancel"  # the safe choice has the focus
        await pilot.press("tab")
        assert pilot.app.focused.id == "confirm"
        await pilot.press("enter")
        await wait_for_screen(pilot, "HomeScreen")
        for _ in range(100):  # deleted, then the list read again, off the event loop
            if len(home_rows(pilot)) < 3:
                break
            await pilot.pause(0.05)
        assert home_rows(pilot) == ["pm-1", "pm-2"]
        assert pilot.app.focused.id == "filter"
    assert sorted(doc["id"] for doc in read_file(path)["reviews"].values()) == ["pm-1", "pm-2"]


async def test_escape_cancels_deleting_a_review_and_keeps_it(tmp_path):
    path = tmp_path / "r.json"
    seed_three(path)
    app = new_app(path)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_screen(pilot, "HomeScreen")  # and its list read: ctrl+d deletes the chosen row
        await press_and_wait_for_screen(pilot, "ctrl+d", "ConfirmDialog")
        assert "Delete review pm-1?" in screen_text(pilot)
        await pilot.press("escape")
        await wait_for_screen(pilot, "HomeScreen")
        assert home_rows(pilot) == ["pm-1", "pm-3", "pm-2"]
        await press_and_wait_for_screen(pilot, "ctrl+d", "ConfirmDialog")
        await pilot.press("enter")  # Enter on the focused Cancel also keeps it
        await wait_for_screen(pilot, "HomeScreen")
        assert home_rows(pilot) == ["pm-1", "pm-3", "pm-2"]
    assert sorted(doc["id"] for doc in read_file(path)["reviews"].values()) == ["pm-1", "pm-2", "pm-3"]


# Resuming a review ----------------------------------------------------------------


async def test_a_review_saved_at_actions_reopens_on_actions_with_its_items_shown(tmp_path):
    path = tmp_path / "r.json"
    review_id = seed(path, complete_review("actions"))
    app = new_app(path, start="open", review_id=review_id)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_screen(pilot, "ActionsScreen")
        rows = option_texts(pilot.app.screen.query_one("#actions .item-rows"))
        assert rows == [
            "1. Schedule rebuilds off peak  (Sam, 2026-12-15) [process]",
            "2. Alert on rebuild duration  (Lee, 2026-12-18) [detect]",
        ]
        assert "Schedule rebuilds off peak" in screen_text(pilot)
        assert item_field("what")(pilot.app.focused)  # ready for the next action


async def test_enter_on_home_reopens_the_chosen_review_at_the_step_where_it_stopped(tmp_path):
    path = tmp_path / "r.json"
    seed(path, complete_review("actions") | {"title": "Stopped at actions"})
    seed(path, complete_review("timeline") | {"title": "Stopped at timeline"})
    app = new_app(path)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_screen(pilot, "HomeScreen")  # and its list read (off the event loop)
        assert home_rows(pilot) == ["pm-2", "pm-1"]
        assert "Actions" in screen_text(pilot)  # the step column says where each stopped
        await pilot.press("down")
        await press_and_wait_for_screen(pilot, "enter", "ActionsScreen")
        assert "Schedule rebuilds off peak" in screen_text(pilot)
        await press_and_wait_for_screen(pilot, "ctrl+o", "HomeScreen")
        await pilot.press("up")
        await press_and_wait_for_screen(pilot, "enter", "TimelineScreen")


async def test_quitting_mid_review_and_starting_again_reopens_it_with_everything_typed(tmp_path):
    path = tmp_path / "r.json"
    app = new_app(path)
    async with app.run_test(size=SIZE) as pilot:
        await start_review(pilot)
        await type_text(pilot, "Queue backlog")
        await tab_to(pilot, widget_id("severity"))
        await choose(pilot, 4)
        await tab_to(pilot, widget_id("owner"))
        await type_text(pilot, "Ana")
        await press_and_wait_for_screen(pilot, "ctrl+n", "TimelineScreen")
        await add_event(pilot, "09:00", "Queue grows", None)
        await type_text(pilot, "09:4")  # half typed when the facilitator quits
        await pilot.press("ctrl+q")

    again = new_app(path)
    async with again.run_test(size=SIZE) as pilot:
        await wait_for_screen(pilot, "HomeScreen")  # and its list read (off the event loop)
        assert home_rows(pilot) == ["pm-1"]
        await press_and_wait_for_screen(pilot, "enter", "TimelineScreen")
        rows = option_texts(pilot.app.screen.query_one("#events .item-rows"))
        assert rows[0].endswith("09:00  Queue grows")
        assert len(rows) == 2
    review = stored(path)
    assert (review["title"], review["severity"], review["owner"]) == ("Queue backlog", "SEV4", "Ana")
    assert review["timeline"][1]["at"] == "09:4"


# Editing a list with the keyboard ---------------------------------------------------


async def test_list_items_are_added_edited_moved_and_deleted_with_the_keyboard(tmp_path):
    path = tmp_path / "r.json"
    app = await open_at(path, complete_review("went_well") | {"went_well": []})
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_screen(pilot, "WentWellScreen")
        for text in ("one", "two", "three"):
            await type_text(pilot, text)
            await pilot.press("enter")  # this item is done; a blank form for the next
        await pilot.pause()
        await saved(pilot)
        items = stored(path)["went_well"]
        assert texts(items) == ["one", "two", "three"]
        ids = [item["id"] for item in items]

        await pilot.press("escape")
        assert item_rows("went-well")(pilot.app.focused)
        await pilot.press("home", "down")  # "two"
        await pilot.press("enter")
        assert item_field("text", "went-well")(pilot.app.focused)
        assert pilot.app.focused.value == "two"
        await pilot.press("end")
        await type_text(pilot, "!")
        await pilot.press("escape")  # back to the list: the edit is saved
        await saved(pilot)
        assert texts(stored(path)["went_well"]) == ["one", "two!", "three"]

        await pilot.press("shift+up")
        await saved(pilot)
        assert texts(stored(path)["went_well"]) == ["two!", "one", "three"]
        await pilot.press("shift+down", "shift+down")
        await saved(pilot)
        assert texts(stored(path)["went_well"]) == ["one", "three", "two!"]
        assert option_texts(pilot.app.screen.query_one("#went-well .item-rows"))[2].endswith("3. two!")

        await press_and_wait_for_screen(pilot, "delete", "ConfirmDialog")
        assert "Delete item 3?" in screen_text(pilot)
        assert "two!" in screen_text(pilot)
        await pilot.press("tab", "enter")
        await wait_for_screen(pilot, "WentWellScreen")
        await saved(pilot)
        assert texts(stored(path)["went_well"]) == ["one", "three"]
        assert item_rows("went-well")(pilot.app.focused)

        await pilot.press("f2")
        await type_text(pilot, "four")
        await pilot.press("enter")
        await pilot.pause()
    await saved(pilot)
    items = stored(path)["went_well"]
    assert texts(items) == ["one", "three", "four"]
    assert items[2]["id"] not in ids  # the deleted item's id is not given out again
    assert len({item["id"] for item in items}) == 3


async def test_the_why_being_answered_is_on_screen_at_80x24(tmp_path):
    doc = complete_review("five_whys") | {"five_whys": {"problem": "Search took 9 seconds", "chains": []}}
    app = await open_at(tmp_path / "r.json", doc)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_screen(pilot, "FiveWhysScreen")
        await tab_to(pilot, lambda widget: widget.has_class("why"))
        for answer in ("The index was rebuilt", "A schema change needed it"):
            await type_text(pilot, answer)
            assert focus_is_visible(pilot), f"typing {answer!r} into a why that is off the screen"
            await pilot.press("enter")
            await pilot.pause()
            assert focus_is_visible(pilot), "the next why has the focus but is off the screen"
        assert "Why 3? Why: A schema change needed it" in screen_text(pilot)


async def test_a_new_item_s_field_stays_on_screen_when_its_first_key_adds_a_row_above_it(tmp_path):
    """The first key of a new card adds its row to the list above the form; the field must not slide off.

    It did at some heights (at 80x24 with the session line of a live review):
    the rest of the card was typed into a field nobody could see.  Every
    height from the smallest the app draws (20 rows) up is tried, since where
    the form ends up depends on it.
    """
    two_lines = "the rollback took longer than the runbook said, and nobody knew which of the two dashboards to trust"
    doc = complete_review("could_improve") | {"could_improve": [{"text": f"{n}: {two_lines}"} for n in range(4)],
                                              "surprises": [{"text": f"{n}: {two_lines}"} for n in range(2)]}
    for height in range(20, 28):
        path = tmp_path / f"at-{height}-rows.json"
        async with (await open_at(path, doc)).run_test(size=(80, height)) as pilot:
            await wait_for_screen(pilot, "CouldImproveScreen")
            await pilot.press("f2")
            await pilot.pause()
            assert focus_is_visible(pilot), f"at 80x{height} the new card's field is off the screen before typing"
            await type_text(pilot, "abc")
            await pilot.pause()
            assert focus_is_visible(pilot), f"at 80x{height} the card's field slid off the screen"
            field_line = screen_text(pilot).splitlines()[pilot.app.focused.region.y]
            assert "abc" in field_line, (height, field_line)
            await pilot.press("escape")
            await saved(pilot)
        assert texts(stored(path)["could_improve"])[-1] == "abc"


async def test_f4_on_summary_exports_the_written_and_the_client_summary_to_the_typed_path(tmp_path):
    path = tmp_path / "r.json"
    app = await open_at(path, complete_review("summary"))
    written, client = tmp_path / "written.md", tmp_path / "client.md"
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await wait_for_screen(pilot, "SummaryScreen")
        await press_and_wait_for_screen(pilot, "f4", "PromptDialog")
        assert pilot.app.focused.value.endswith("pm-1-summary.md")  # a default path is typed in
        await pilot.press("ctrl+u")  # clear it (the cursor is at its end)
        await type_text(pilot, str(written))
        await press_and_wait_for_screen(pilot, "enter", "SummaryScreen")
        await pilot.pause()
        assert f"Exported to {written}" in screen_text(pilot).replace("\n", " ") or written.exists()

        await pilot.press("f3")  # the client summary
        await press_and_wait_for_screen(pilot, "f4", "PromptDialog")
        assert pilot.app.focused.value.endswith("pm-1-client.md")
        await pilot.press("ctrl+u")
        await type_text(pilot, str(client))
        await press_and_wait_for_screen(pilot, "enter", "SummaryScreen")
    from store.render import render_client

    review = ReviewStore(path).get("pm-1")
    assert written.read_text(encoding="utf-8") == render_markdown(review)
    assert client.read_text(encoding="utf-8") == render_client(review)
    assert "Lee" not in client.read_text(encoding="utf-8")  # names are replaced by roles
