"""Home as an archive: due marks in words, search over every text, filter words, follow-up and stats keys."""

from __future__ import annotations

from datetime import date

import pytest
from tui_helpers import (
    SIZE,
    agree_to_ground_rules,
    assert_is_screen_active,
    complete_review,
    new_app,
    seed,
    stored,
    tab_to,
    type_text,
    wait_for_screen,
    widget_id,
)

from tui.app import PostmortemApp


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch):
    """The marks are worked out for 2026-12-21: the follow-up date of complete_review()."""
    monkeypatch.setattr(PostmortemApp, "today", lambda self: date(2026, 12, 21))


def home_rows(pilot) -> list[str]:
    table = pilot.app.screen.query_one("#reviews")
    return [table.coordinate_to_cell_key((row, 0)).row_key.value for row in range(table.row_count)]


def row_text(pilot, review_id: str) -> str:
    table = pilot.app.screen.query_one("#reviews")
    return "  ".join(str(cell) for cell in table.get_row(review_id))


def seed_archive(path) -> None:
    late = complete_review("summary") | {"title": "Checkout 500s", "follow_up": {"due": "2026-12-01", "held": None, "notes": ""}}
    late["actions"] = [a | {"due": "2026-12-10"} for a in late["actions"]]
    seed(path, late)  # pm-1: follow-up late, both actions late
    seed(path, complete_review("summary", kind="project") | {"title": "Q3 migration"})  # pm-2: follow-up today
    held = complete_review("timeline") | {"title": "Login errors", "follow_up": {"due": "2026-12-01", "held": "2026-12-02", "notes": ""}}
    held["timeline"] = [{"at": "2026-11-20T10:00:00+00:00", "text": "Pager woke the on-call", "marker": "started"}]
    held["actions"] = []
    seed(path, held)  # pm-3: follow-up held, no actions


async def test_rows_say_in_words_what_is_late_at_80_and_60_columns(tmp_path):
    path = tmp_path / "r.json"
    seed_archive(path)
    async with new_app(path).run_test(size=SIZE) as pilot:
        await wait_for_screen(pilot, "HomeScreen")  # and its list read (off the event loop)
        assert "2, 2 late" in row_text(pilot, "pm-1") and "late 12-01" in row_text(pilot, "pm-1")
        assert row_text(pilot, "pm-2").endswith("2, 2 late  today")  # its actions were due 12-15 and 12-18
        assert "held 12-02" in row_text(pilot, "pm-3")
        await pilot.resize_terminal(60, 20)
        await pilot.pause()
        assert "2, 2 late" in row_text(pilot, "pm-1") and "late 12-01" in row_text(pilot, "pm-1")
        assert "incident" not in row_text(pilot, "pm-1")  # the kind gives way at 60 columns


async def test_a_word_only_in_a_timeline_event_finds_its_review(tmp_path):
    path = tmp_path / "r.json"
    seed_archive(path)
    async with new_app(path).run_test(size=SIZE) as pilot:
        await wait_for_screen(pilot, "HomeScreen")  # and its list read (off the event loop)
        assert home_rows(pilot) == ["pm-3", "pm-2", "pm-1"]
        await type_text(pilot, "PAGER on-call")
        assert home_rows(pilot) == ["pm-3"]


async def test_filter_words_narrow_the_list_and_a_bad_one_is_named(tmp_path):
    path = tmp_path / "r.json"
    seed_archive(path)
    async with new_app(path).run_test(size=SIZE) as pilot:
        await wait_for_screen(pilot, "HomeScreen")  # and its list read (off the event loop)
        await type_text(pilot, "kind:project")
        assert home_rows(pilot) == ["pm-2"]
        filter_box = pilot.app.screen.query_one("#filter")
        filter_box.value = "status:due kind:incident"
        await pilot.pause()
        assert home_rows(pilot) == ["pm-1"]
        filter_box.value = "since:2026-13"
        await pilot.pause()
        assert home_rows(pilot) == ["pm-3", "pm-2", "pm-1"]  # left out while it cannot be used
        assert "since: '2026-13' is not a date" in str(pilot.app.screen.query_one("#empty").content)


async def test_f2_holds_the_follow_up_of_the_chosen_review_and_f3_opens_the_stats(tmp_path, monkeypatch):
    path = tmp_path / "r.json"
    seed_archive(path)
    app = new_app(path)
    calls = []
    monkeypatch.setattr(type(app), "open_follow_up", lambda self, review_id: calls.append(("follow-up", review_id)))
    monkeypatch.setattr(type(app), "open_stats", lambda self: calls.append(("stats",)))
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_screen(pilot, "HomeScreen")  # and its list read
        await pilot.press("down")  # pm-2
        await pilot.press("f2")
        await pilot.press("f3")
        await pilot.pause()
        assert_is_screen_active(pilot, "HomeScreen")
    assert calls == [("follow-up", "pm-2"), ("stats",)]


async def test_tags_typed_at_setup_are_stored_as_a_list_and_found_from_home(tmp_path):
    path = tmp_path / "r.json"
    async with new_app(path, start="new").run_test(size=SIZE) as pilot:
        await agree_to_ground_rules(pilot)
        await tab_to(pilot, widget_id("tags"))
        await type_text(pilot, "database, checkout")
        await pilot.press("ctrl+o")
        await wait_for_screen(pilot, "HomeScreen")
        await type_text(pilot, "tag:Database")
        assert home_rows(pilot) == ["pm-1"]
    assert stored(path)["tags"] == ["database", "checkout"]
