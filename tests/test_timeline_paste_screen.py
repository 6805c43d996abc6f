"""The timeline step's paste dialog, driven by keys and a terminal paste, checked in the file."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual import events
from textual.widgets import TextArea

from tui_helpers import new_app, press_and_wait_for_screen, screen_text, seed, static_text, stored, wait_for_screen

FIXTURES = Path(__file__).parent / "fixtures" / "timelines"
PASTE = "Dana Lee  2:51 PM\ndeploy of v2.3 starts\nPriya N  2:58 PM\nalert fires, I'm paged\n1 reply\n3:10 PM rolled back [bold]v2.3[/]\n"


def timeline_review(**fields) -> dict:
    doc = {
        "title": "Checkout errors",
        "timezone": "Europe/Berlin",
        "review_date": "2026-11-21",
        "step": "timeline",
        "ground_rules_confirmed": True,
    }
    return doc | fields


async def open_paste_dialog(pilot) -> None:
    await wait_for_screen(pilot, "TimelineScreen")
    await press_and_wait_for_screen(pilot, "f5", "TimelinePasteDialog")


async def paste(pilot, text: str) -> None:
    """What a terminal's bracketed paste delivers: one Paste event to the focused widget."""
    assert isinstance(pilot.app.focused, TextArea)
    pilot.app.post_message(events.Paste(text))
    await pilot.pause()
    await pilot.pause()


@pytest.mark.parametrize("size", [(80, 24), (60, 20)])
async def test_a_pasted_chat_is_previewed_then_added_with_f2(tmp_path, size):
    db = tmp_path / "r.json"
    review_id = seed(db, timeline_review())
    async with new_app(db, start="open", review_id=review_id).run_test(size=size) as pilot:
        await open_paste_dialog(pilot)
        await paste(pilot, PASTE)
        assert static_text(pilot, "#paste-summary") == "3 events to add, 1 line not read (times in Europe/Berlin):"
        assert static_text(pilot, "#paste-preview").splitlines() == [
            "2026-11-21 14:51  [started] Dana Lee: deploy of v2.3 starts",
            "2026-11-21 14:58  [detected] Priya N: alert fires, I'm paged",
            "2026-11-21 15:10  [mitigated] rolled back [bold]v2.3[/]",
            "line 5, not read: 1 reply",
        ]
        shown = screen_text(pilot)
        assert "F2" in shown.upper() and "Add events" in shown and "Cancel" in shown
        assert stored(db, review_id)["timeline"] == []  # nothing before the user confirms
        await press_and_wait_for_screen(pilot, "f2", "TimelineScreen")
        await pilot.pause()
        assert "to detect: 7m" in static_text(pilot, "#durations")
    timeline = stored(db, review_id)["timeline"]
    assert [(e["at"], e["text"], e["marker"]) for e in timeline] == [
        ("2026-11-21T14:51:00+01:00", "Dana Lee: deploy of v2.3 starts", "started"),
        ("2026-11-21T14:58:00+01:00", "Priya N: alert fires, I'm paged", "detected"),
        ("2026-11-21T15:10:00+01:00", "rolled back [bold]v2.3[/]", "mitigated"),
    ]


async def test_escape_adds_nothing(tmp_path):
    db = tmp_path / "r.json"
    review_id = seed(db, timeline_review())
    before = stored(db, review_id)
    async with new_app(db, start="open", review_id=review_id).run_test(size=(80, 24)) as pilot:
        await open_paste_dialog(pilot)
        await paste(pilot, (FIXTURES / "app_logs.txt").read_text())
        assert static_text(pilot, "#paste-summary").startswith("5 events to add, 2 lines not read")
        await press_and_wait_for_screen(pilot, "escape", "TimelineScreen")
        await pilot.pause(0.4)
    after = stored(db, review_id)
    assert after["timeline"] == before["timeline"] == []


async def test_f2_with_nothing_readable_keeps_the_dialog_open_and_adds_nothing(tmp_path):
    db = tmp_path / "r.json"
    review_id = seed(db, timeline_review())
    async with new_app(db, start="open", review_id=review_id).run_test(size=(80, 24)) as pilot:
        await open_paste_dialog(pilot)
        await paste(pilot, "we talked about the cache\n")
        await pilot.press("f2")
        await pilot.pause()
        assert type(pilot.app.screen).__name__ == "TimelinePasteDialog"
        assert static_text(pilot, "#paste-preview") == "line 1, not read: we talked about the cache"
    assert stored(db, review_id)["timeline"] == []


async def test_markers_the_timeline_has_are_not_proposed_again(tmp_path):
    db = tmp_path / "r.json"
    started = {"at": "2026-11-21T14:00:00+01:00", "text": "Load test begins", "marker": "started"}
    review_id = seed(db, timeline_review(timeline=[started]))
    async with new_app(db, start="open", review_id=review_id).run_test(size=(80, 24)) as pilot:
        await open_paste_dialog(pilot)
        await paste(pilot, "14:51 deploy starts\n14:58 paged")
        await press_and_wait_for_screen(pilot, "f2", "TimelineScreen")
    assert [e["marker"] for e in stored(db, review_id)["timeline"]] == ["started", None, "detected"]
