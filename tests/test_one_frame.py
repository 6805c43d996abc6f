"""A key typed into a field reaches the terminal in one frame, with everything it changed (issue 14).

Over SSH every frame is a write and a flicker: the typed character and what
the key changed elsewhere (the header's "saving", an item's row) must go out
together, in one-line inputs and multi-line text boxes alike.  A frame here is
one compositor refresh of the screen (what Textual turns into one write).
"""

from __future__ import annotations

import pytest

from tui_helpers import complete_review, new_app, seed, wait_for_screen


def count_frames(screen) -> list[set[str]]:
    """From now on, each frame the screen draws: the kinds of widget it repaints."""
    frames: list[set[str]] = []
    draw = screen._compositor_refresh

    def counted() -> None:
        frames.append({type(widget).__name__ for widget in screen._dirty_widgets} or {"(layout)"})
        draw()

    screen._compositor_refresh = counted
    return frames


def header_line(screen) -> str:
    return str(screen.query_one("HeaderTitle").render())


@pytest.mark.parametrize("step, screen_name, field, widget", [
    ("impact", "ImpactScreen", "#impact", "TextBox"),
    ("five_whys", "FiveWhysScreen", "#problem", "LineInput"),
])
async def test_a_key_and_the_saving_it_starts_are_drawn_in_one_frame(tmp_path, step, screen_name, field, widget):
    path = tmp_path / "r.json"
    review_id = seed(path, complete_review(step) | {"step": step})
    app = new_app(path, start="open", review_id=review_id)
    app.clock = lambda: 0.0  # no tick of the step's timer in the key's window
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for_screen(pilot, screen_name)
        screen = pilot.app.screen
        screen.query_one(field).focus()
        await pilot.pause(0.3)
        assert header_line(screen).endswith("saved")
        frames = count_frames(screen)
        await pilot.press("x")
        await pilot.pause(0.1)  # less than the typing pause after which the saver writes
        assert header_line(screen).endswith("saving")
        assert len(frames) == 1, frames
        assert {widget, "HeaderTitle"} <= frames[0]
