"""The footer shows the keys of what has focus, and follows focus (it is rebuilt only when they change)."""

from __future__ import annotations

from tui_helpers import SIZE, complete_review, new_app, seed, wait_for_screen

from tui.key_footer import KeyFooter


def footer_text(pilot) -> str:
    footer = pilot.app.screen.query_one(KeyFooter)
    return " ".join(str(key.render()) for key in footer.children)


async def test_the_footer_follows_focus_from_a_field_to_the_list_and_back(tmp_path):
    db = tmp_path / "reviews.json"
    review_id = seed(db, complete_review(step="went_well"))
    app = new_app(db, start="open", review_id=review_id)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_screen(pilot, "WentWellScreen")
        await pilot.pause()
        assert "Next" in footer_text(pilot) and "Move up" not in footer_text(pilot)
        await pilot.press("escape")  # from the field to the list of items
        await pilot.pause()
        await pilot.pause()
        assert "Move up" in footer_text(pilot) and "Delete" in footer_text(pilot)
