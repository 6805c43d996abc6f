"""A terminal that is sent only the screen's updates shows what a whole redraw shows (tui/partial_updates.py).

The app draws each change by rendering only the widgets under it.  Here every
update the app sends is fed to a terminal emulator (pyte), as a terminal over
SSH gets it, and its screen is compared with the whole screen drawn afresh:
after typing into a card (the field, the header's "saving", the checks at the
pause, the list the card joins) and into an event on the timeline.
"""

from __future__ import annotations

import pyte
from textual._compositor import CompositorUpdate

from tui_helpers import (complete_review, impact_box_at_end, new_app, saved, seed, type_text, typing_paused,
                         wait_for_screen)


def terminal_of(app) -> pyte.Screen:
    """A terminal of the app's size fed every update the app sends to its terminal (headless, it sends none)."""
    terminal = pyte.Screen(80, 24)
    stream = pyte.Stream(terminal)
    display = app._display

    def sent_to_the_terminal(screen, update) -> None:
        if isinstance(update, CompositorUpdate) and not app._batch_count:
            stream.feed(update.render_segments(app.console))
        display(screen, update)

    app._display = sent_to_the_terminal
    return terminal


def shown(terminal: pyte.Screen) -> list[str]:
    return [line.rstrip() for line in terminal.display]


def drawn_whole(app) -> list[str]:
    return [strip.text.rstrip() for strip in app.screen._compositor.render_strips()]


def opened(tmp_path, step: str, **fields):
    app = new_app(tmp_path, start="open", review_id=seed(tmp_path, complete_review(step=step) | fields))
    app.clock = lambda: 0.0  # the step's timer stopped: the screens compared do not tick apart
    return app


async def test_typing_a_card_shows_as_a_whole_redraw_would(tmp_path):
    app = opened(tmp_path, "could_improve")
    terminal = terminal_of(app)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for_screen(pilot, "CouldImproveScreen")
        await pilot.pause()
        assert shown(terminal) == drawn_whole(app)

        await pilot.press("f2")
        await type_text(pilot, "Rebuilds ran unscheduled")
        await pilot.pause()
        assert "Rebuilds ran unscheduled" in "\n".join(shown(terminal))
        assert shown(terminal) == drawn_whole(app)
        await typing_paused(pilot)
        await pilot.press("enter")
        await saved(pilot)
        await pilot.pause()
        assert shown(terminal) == drawn_whole(app)


async def test_typing_into_an_event_shows_as_a_whole_redraw_would(tmp_path):
    app = opened(tmp_path, "timeline")
    terminal = terminal_of(app)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for_screen(pilot, "TimelineScreen")
        await pilot.press("enter")  # the first event's form
        await type_text(pilot, " again")
        await pilot.pause()
        assert "again" in "\n".join(shown(terminal))
        assert shown(terminal) == drawn_whole(app)
        await typing_paused(pilot)
        await pilot.pause()
        assert shown(terminal) == drawn_whole(app)


async def test_editing_a_paragraph_in_a_text_box_shows_as_a_whole_redraw_would(tmp_path):
    """Typing at the end and in the middle (the rest of the line rewraps), a new line, deleting back across a wrap."""
    app = opened(tmp_path, "impact", impact="Lost writes for EU users. " * 9 + "\nSupport got 85 tickets.")
    terminal = terminal_of(app)
    async with app.run_test(size=(80, 24)) as pilot:
        box = await impact_box_at_end(pilot)
        box.move_cursor((0, 60))
        await type_text(pilot, "nearly all ")
        assert shown(terminal) == drawn_whole(app)
        box.move_cursor((0, len(box.document[0])))
        await type_text(pilot, "Orders failed for 40 minutes and retries piled up on the queue.")
        assert shown(terminal) == drawn_whole(app)
        await pilot.press("enter")
        await type_text(pilot, "New line")
        assert shown(terminal) == drawn_whole(app)
        for _ in range(20):
            await pilot.press("backspace")
        await pilot.pause()
        assert shown(terminal) == drawn_whole(app)
        box.move_cursor((1, 0))
        await pilot.press("delete", "delete", "backspace")
        await pilot.pause()
        assert shown(terminal) == drawn_whole(app)
        await typing_paused(pilot)
        await pilot.pause()
        assert shown(terminal) == drawn_whole(app)


async def test_a_key_in_a_paragraph_repaints_the_rows_it_changed_not_the_whole_box(tmp_path):
    """Over SSH each row sent again is bytes and latency: Textual repainted all the box's rows for each key."""
    app = opened(tmp_path, "impact", impact="Lost writes for EU users. " * 11)
    terminal = terminal_of(app)
    async with app.run_test(size=(80, 24)) as pilot:
        box = await impact_box_at_end(pilot)
        await pilot.press("x")  # the header says "saving" from now on
        await pilot.pause()
        terminal.dirty.clear()
        await pilot.press("y")
        await pilot.pause()
        cursor_row = box.region.y + box.content_offset.y + box.wrapped_document.location_to_offset(
            box.cursor_location).y - box.scroll_offset.y
        assert terminal.dirty == {cursor_row}
        assert box.wrapped_document.height >= 4
        assert shown(terminal) == drawn_whole(app)


async def test_typing_lines_into_the_paste_box_shows_as_a_whole_redraw_would(tmp_path):
    """The timeline's paste box has line numbers: at line 10 they grow a digit, and every row moves over."""
    app = opened(tmp_path, "timeline")
    terminal = terminal_of(app)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for_screen(pilot, "TimelineScreen")
        await pilot.press("f5")
        await wait_for_screen(pilot, "TimelinePasteDialog")
        for number in range(1, 12):
            await type_text(pilot, f"14:{number:02} line {number}")
            await pilot.press("enter")
            await pilot.pause()
            assert shown(terminal) == drawn_whole(app), f"after line {number}"
        await pilot.press("up", "end", "backspace")
        await pilot.pause()
        assert shown(terminal) == drawn_whole(app)
