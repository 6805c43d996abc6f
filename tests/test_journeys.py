"""User journeys through the app, driven by keys alone, asserting what a user would notice.

Each test starts the real app over a fresh review file (``make_app``), types
with ``pilot.press`` one character at a time, and checks the active screen,
the focus, the refusal line and check panel, and what the file holds after the
app has quit.
"""

from __future__ import annotations

import pytest

from tui_helpers import (
    SIZE,
    item_field,
    item_rows,
    tab_to,
    widget_id,
    active,
    assert_is_screen_active,
    check_panel,
    choose,
    new_app,
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
        "the alert fires in a drill,detect,open,root cause of chain 1"
    )


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
