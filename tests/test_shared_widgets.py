"""Shared widgets made cheaper: the footer follows focus though rebuilt only on change; long item lists keep their heights."""

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


async def test_the_rows_of_a_long_list_stop_at_their_max_height_and_scroll_a_short_list_fits(tmp_path):
    """The rows are measured only up to the max-height (a speed-up): heights must come out as before."""
    db = tmp_path / "reviews.json"
    long_doc = complete_review(step="timeline")
    long_doc["timeline"] = [
        {"at": f"2026-11-20T{10 + n // 60:02d}:{n % 60:02d}:00+00:00", "text": f"event {n}", "marker": None}
        for n in range(300)
    ]
    long_id = seed(db, long_doc)
    short_id = seed(db, complete_review(step="timeline"))
    for review_id, height, virtual in ((long_id, 10, 300), (short_id, 4 + 1, 4)):  # 4 rows, a top rule
        app = new_app(db, start="open", review_id=review_id)
        async with app.run_test(size=SIZE) as pilot:
            await wait_for_screen(pilot, "TimelineScreen")
            await pilot.pause()
            rows = pilot.app.screen.query_one(".item-rows")
            assert rows.outer_size.height == height
            assert rows.virtual_size.height == virtual


async def test_a_note_redrawn_without_a_layout_still_grows_and_shrinks_with_its_text(tmp_path):
    """show_text skips the layout when the new text takes as many lines: a longer or shorter one still moves what is below."""
    from textual.app import App
    from textual.widgets import Static

    from tui.text import show_text

    class Notes(App):
        CSS = "Static { height: auto; padding: 0 1; }"

        def compose(self):
            yield Static("", id="note")
            yield Static("below", id="below")

    app = Notes()
    async with app.run_test(size=(40, 10)) as pilot:
        note, below = app.query_one("#note", Static), app.query_one("#below", Static)
        for text, lines in (("Sam 1", 1), ("Sam 2", 1), ("Lee, Sam and Ana are here and typing now " * 2, 3),
                            ("Lee, Sam and Ana were here and are typing " * 2, 3), ("Sam 3", 1)):
            show_text(note, text)
            await pilot.pause()
            assert (str(note.content), note.size.height, below.region.y) == (text, lines, lines)
