"""ctrl+down / ctrl+up: the next / previous step where ctrl+n cannot reach the app (a browser keeps it).

A browser never hands a page ctrl+n, ctrl+t or ctrl+w; ctrl+down and ctrl+up
reach the app from a browser (xterm.js sends them), from tmux and over SSH,
and no field uses them (ctrl+left / ctrl+right still move by words).  The
browser side is in test_serve_browser.py.
"""

from __future__ import annotations

from test_follow_up import review_to_follow_up
from tui_helpers import (SIZE, active, complete_review, focused, new_app, screen_text, seed, static_text, stored,
                         stored_ids, type_text, wait_for_screen)


async def test_ctrl_down_and_ctrl_up_move_between_steps_from_a_field(tmp_path):
    db = tmp_path / "reviews.json"
    review_id = seed(db, complete_review("impact"))
    async with new_app(db, start="open", review_id=review_id).run_test(size=SIZE) as pilot:
        await wait_for_screen(pilot, "ImpactScreen")
        assert focused(pilot).id == "impact"  # a text field has the focus, as when typing
        await pilot.press("ctrl+down")
        await wait_for_screen(pilot, "FiveWhysScreen")
        await pilot.press("ctrl+up")
        await wait_for_screen(pilot, "ImpactScreen")
        await pilot.press("ctrl+up")
        await wait_for_screen(pilot, "TimelineScreen")


async def test_ctrl_down_is_refused_like_ctrl_n_while_the_step_has_errors(tmp_path):
    db = tmp_path / "reviews.json"
    review_id = seed(db, dict(complete_review("impact"), impact=""))
    async with new_app(db, start="open", review_id=review_id).run_test(size=SIZE) as pilot:
        await wait_for_screen(pilot, "ImpactScreen")
        assert "impact is empty" not in static_text(pilot, "#refusal")
        await pilot.press("ctrl+down")
        await pilot.pause()
        assert active(pilot) == "ImpactScreen"
        assert "The impact is empty" in static_text(pilot, "#refusal")  # the reason, as ctrl+n gives it
        assert stored(db, review_id)["impact"] == ""


async def test_word_moves_in_a_field_are_not_taken_by_the_step_keys(tmp_path):
    db = tmp_path / "reviews.json"
    review_id = seed(db, dict(complete_review("impact"), impact=""))
    async with new_app(db, start="open", review_id=review_id).run_test(size=SIZE) as pilot:
        await wait_for_screen(pilot, "ImpactScreen")
        await type_text(pilot, "orders failed")
        await pilot.press("ctrl+left")  # one word back: before "failed"
        await type_text(pilot, "X")
        await pilot.pause()
        assert focused(pilot).text == "orders Xfailed"
        assert active(pilot) == "ImpactScreen"


async def test_ctrl_down_and_ctrl_up_are_the_next_and_previous_action_on_the_follow_up(tmp_path):
    db = tmp_path / "reviews.json"
    review_id = seed(db, review_to_follow_up())
    async with new_app(db, start="follow-up", review_id=review_id).run_test(size=SIZE) as pilot:
        await wait_for_screen(pilot, "FollowUpScreen")
        first = static_text(pilot, "#follow-up-action")
        await pilot.press("ctrl+down")
        await pilot.pause()
        second = static_text(pilot, "#follow-up-action")
        assert second != first and "canary" in second
        await pilot.press("ctrl+up")
        await pilot.pause()
        assert static_text(pilot, "#follow-up-action") == first


async def test_on_the_list_of_reviews_ctrl_down_starts_nothing(tmp_path):
    db = tmp_path / "reviews.json"
    review_id = seed(db, complete_review("impact"))
    async with new_app(db).run_test(size=SIZE) as pilot:
        await wait_for_screen(pilot, "HomeScreen")
        await pilot.press("ctrl+down", "ctrl+up")
        await pilot.pause()
        assert active(pilot) == "HomeScreen"
    assert stored_ids(db) == [review_id]


async def test_the_help_of_a_step_names_the_browser_safe_keys(tmp_path):
    db = tmp_path / "reviews.json"
    review_id = seed(db, complete_review("impact"))
    async with new_app(db, start="open", review_id=review_id).run_test(size=(100, 60)) as pilot:
        await wait_for_screen(pilot, "ImpactScreen")
        await pilot.press("f1")
        await wait_for_screen(pilot, "HelpDialog")
        from textual.widgets import Markdown

        assert "ctrl+n or ctrl+down" in pilot.app.screen.query_one(Markdown).source
        assert "ctrl+b or ctrl+up" in pilot.app.screen.query_one(Markdown).source


async def test_in_a_browser_tab_the_footer_shows_the_step_keys_that_reach_the_app(tmp_path, monkeypatch):
    from tui.app import PostmortemApp

    db = tmp_path / "reviews.json"
    review_id = seed(db, complete_review("impact"))
    async with new_app(db, start="open", review_id=review_id).run_test(size=(120, 24)) as pilot:
        await wait_for_screen(pilot, "ImpactScreen")
        await pilot.pause()  # the review is read off the event loop: its screen is drawn a frame after it is pushed
        footer = screen_text(pilot).splitlines()[-1]
        assert "^n Next" in footer and "^b Back" in footer  # a terminal: ctrl+n, as ever
        assert "No problems: ctrl+n moves on." in screen_text(pilot)
    monkeypatch.setattr(PostmortemApp, "is_web", property(lambda app: True))
    async with new_app(db, start="open", review_id=review_id, name="Sam").run_test(size=(120, 24)) as pilot:
        await wait_for_screen(pilot, "ImpactScreen")
        await pilot.pause()
        footer = screen_text(pilot).splitlines()[-1]
        assert "^↓ Next" in footer and "^↑ Back" in footer, footer
        assert "^n" not in footer
        assert "No problems: ctrl+down moves on." in screen_text(pilot)
