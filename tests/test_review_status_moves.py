"""The review status moves forward by itself (issue 13b, item 3).

Draft goes to in review when the summary is reached or exported with every
step passing; a review is closed when a follow-up is held with every action
decided and none slipped.  Only at those moments and only forward: a status a
person set is never moved back.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from snapshot_apps.reviews import app_at_step, steady_cursors
from store.db import ReviewStore
from store.model import Review
from store.ops import Set
from store.review_status import on_follow_up_held, on_summary
from tui.cli import main
from tui_helpers import SIZE, complete_review, press_and_wait_for_screen, seed, stored, wait_for_screen


@pytest.fixture(autouse=True)
def no_blinking(monkeypatch):
    steady_cursors(monkeypatch)


def test_a_draft_whose_steps_all_pass_goes_to_review_at_the_summary():
    assert on_summary(Review.from_dict(complete_review())) == [Set("review_status", "in_review")]


def test_a_draft_with_a_check_error_stays_a_draft():
    assert on_summary(Review.from_dict(dict(complete_review(), owner=""))) == []


@pytest.mark.parametrize("status", ["in_review", "reviewed", "closed"])
def test_a_status_past_draft_is_never_moved_back_or_sideways_by_the_summary(status):
    assert on_summary(Review.from_dict(dict(complete_review(), review_status=status))) == []


def test_a_held_follow_up_closes_the_review_unless_an_action_slipped():
    doc = complete_review()
    assert on_follow_up_held(Review.from_dict(doc)) == [Set("review_status", "closed")]
    slipped = dict(doc, actions=[dict(doc["actions"][0], status="slipped")])
    assert on_follow_up_held(Review.from_dict(slipped)) == []
    assert on_follow_up_held(Review.from_dict(dict(doc, review_status="closed"))) == []


def test_exporting_the_written_summary_puts_a_passing_draft_in_review_and_says_so(tmp_path, capsys):
    db = tmp_path / "data"
    review_id = seed(db, complete_review())
    assert main(["--db", str(db), "export", review_id, "--format", "json"]) == 0  # data, not the summary
    assert ReviewStore(db).get(review_id).review_status == "draft"
    capsys.readouterr()
    assert main(["--db", str(db), "export", review_id]) == 0
    assert "- Review status: in review" in capsys.readouterr().out
    assert ReviewStore(db).get(review_id).review_status == "in_review"


def test_exporting_never_moves_a_status_a_person_set(tmp_path, capsys):
    db = tmp_path / "data"
    review_id = seed(db, dict(complete_review(), review_status="reviewed"))
    assert main(["--db", str(db), "export", review_id, "--format", "client"]) == 0
    assert ReviewStore(db).get(review_id).review_status == "reviewed"
    failing = seed(db, dict(complete_review(), title=""))
    assert main(["--db", str(db), "export", failing]) == 0
    assert ReviewStore(db).get(failing).review_status == "draft"


def test_exporting_from_a_read_only_archive_still_exports(tmp_path, capsys):
    db = tmp_path / "data"
    review_id = seed(db, complete_review())
    reviews = db / "reviews"
    reviews.chmod(0o500)
    try:
        assert main(["--db", str(db), "export", review_id]) == 0
        assert "- Review status: draft" in capsys.readouterr().out
    finally:
        reviews.chmod(0o700)


async def test_reaching_the_summary_by_keys_puts_the_review_in_review(tmp_path):
    db = tmp_path / "r.json"
    app = app_at_step(db, "actions", complete_review("actions"))
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_screen(pilot, "ActionsScreen")
        await press_and_wait_for_screen(pilot, "ctrl+n", "SummaryScreen")
        await pilot.press("ctrl+q")
    assert stored(db)["review_status"] == "in_review"


async def test_reaching_the_summary_leaves_a_status_set_by_hand(tmp_path):
    db = tmp_path / "r.json"
    app = app_at_step(db, "summary", dict(complete_review(), review_status="reviewed"))
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_screen(pilot, "SummaryScreen")
        for _ in range(10):
            await pilot.pause()
        await pilot.press("ctrl+q")
    assert stored(db)["review_status"] == "reviewed"
