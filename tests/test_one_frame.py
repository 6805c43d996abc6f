"""A key typed into a field reaches the terminal in one frame, with everything it changed (issue 14).

Over SSH every frame is a write and a flicker: the typed character and what
the key changed elsewhere (the header's "saving", an item's row) must go out
together, in one-line inputs and multi-line text boxes alike.  A frame here is
one compositor refresh of the screen (what Textual turns into one write).
"""

from __future__ import annotations

import pytest

from tui_helpers import complete_review, impact_box_at_end, new_app, saved, seed, wait_for_screen


def count_frames(screen) -> list[set[str]]:
    """From now on, each frame the screen draws: the kinds of widget it repaints."""
    frames: list[set[str]] = []
    draw = screen._compositor_refresh

    def counted() -> None:
        frames.append({type(widget).__name__ for widget in screen._dirty_widgets} or {"(layout)"})
        draw()

    screen._compositor_refresh = counted
    return frames


def opened(path, review_id: str):
    """The app opened on the review, its step's timer stopped: no tick of it lands in what is counted."""
    app = new_app(path, start="open", review_id=review_id)
    app.clock = lambda: 0.0
    return app


async def until_shown(pilot, condition) -> None:
    """Until another process's change shows (the app looks every 0.1 s), then a moment for what it draws after."""
    for _ in range(30):
        await pilot.pause(0.1)
        if condition():
            break
    await pilot.pause(0.2)


def count_layouts(screen) -> list:
    """From now on, one entry per layout of the screen: its arguments (``scroll=True`` is a layout for a scroll)."""
    layouts = []
    lay_out = screen._refresh_layout
    screen._refresh_layout = lambda *args, **kwargs: (layouts.append((args, kwargs)), lay_out(*args, **kwargs))[1]
    return layouts


async def settled(pilot, screen) -> None:
    """Until the screen has drawn what opening it asked for: no layout, scroll or footer keys pending for 0.2 s.

    A fixed pause was not enough on a loaded machine (CI counted two layouts
    of the opening as the change's), so a layout counted after this is the change's own.
    """
    layouts = count_layouts(screen)
    quiet = 0
    for _ in range(100):  # at most about 5 s
        before = len(layouts)
        await pilot.pause(0.05)
        pending = screen._layout_required or screen._scroll_required or not all(
            footer.children for footer in screen.query("KeyFooter"))
        quiet = 0 if pending or len(layouts) != before else quiet + 1
        if quiet == 4:
            break
    del screen._refresh_layout  # the screen's own method again


def five_whys_app(tmp_path):
    """A review stopped at the Five Whys, and the app opened on it: (file, id, app)."""
    path = tmp_path / "r.json"
    review_id = seed(path, complete_review("five_whys") | {"step": "five_whys"})
    return path, review_id, opened(path, review_id)


async def first_answer(pilot):
    """Once the Five Whys step is drawn: the screen, and the first answer of its first chain."""
    await wait_for_screen(pilot, "FiveWhysScreen")
    screen = pilot.app.screen
    await settled(pilot, screen)
    return screen, screen.query_one("#whys").query("WrappedLineInput").first()


def header_line(screen) -> str:
    return str(screen.query_one("HeaderTitle").render())


@pytest.mark.parametrize("step, screen_name, field, widget", [
    ("impact", "ImpactScreen", "#impact", "TextBox"),
    ("five_whys", "FiveWhysScreen", "#problem", "LineInput"),
])
async def test_a_key_and_the_saving_it_starts_are_drawn_in_one_frame(tmp_path, monkeypatch, step, screen_name, field,
                                                                     widget):
    import tui.app

    # The saver writes after a typing pause: a long one here, so a loaded machine's slow pause below
    # cannot let it write (and the header say "saved" again) before the header is read.
    monkeypatch.setattr(tui.app, "DELAY", 30.0)
    path = tmp_path / "r.json"
    review_id = seed(path, complete_review(step) | {"step": step})
    app = opened(path, review_id)
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


async def test_a_why_another_participant_lengthened_onto_a_new_line_repaints_the_form_once(tmp_path):
    """The layout that makes room for the longer answer draws the form; no second layout repaints all of it again."""
    from store import ops
    from store.db import ReviewStore

    path, review_id, app = five_whys_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        screen, answer = await first_answer(pilot)
        lines_before = answer.size.height
        chain = ReviewStore(path).get(review_id).five_whys.chains[0]
        frames = count_frames(screen)
        longer = chain.whys[0] + " because the pool had no limit" * 4
        ReviewStore(path).apply(review_id, ops.Edit("five_whys.chains", chain.id, {"whys": [longer, *chain.whys[1:]]}))
        await until_shown(pilot, lambda: answer.value == longer and answer.size.height > lines_before)
        assert answer.value == longer and answer.size.height > lines_before
        whole_form = [frame for frame in frames if {"StepContent", "Whys", "Field"} & frame]
        assert whole_form == [], frames


async def test_a_why_another_participant_changed_within_its_lines_is_redrawn_without_a_layout(tmp_path):
    """An answer that keeps its number of lines keeps its size: it is repainted, the screen is not laid out again,
    and what shows is what a terminal opened afterwards shows."""
    from store import ops
    from store.db import ReviewStore
    from tui_helpers import screen_text

    path, review_id, app = five_whys_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        screen, answer = await first_answer(pilot)
        lines_before = answer.size.height
        layouts = count_layouts(screen)
        chain = ReviewStore(path).get(review_id).five_whys.chains[0]
        changed = chain.whys[0].replace("rebuilt", "rebuilt twice")
        ReviewStore(path).apply(review_id, ops.Edit("five_whys.chains", chain.id, {"whys": [changed, *chain.whys[1:]]}))
        await until_shown(pilot, lambda: "rebuilt twice" in screen_text(pilot))
        shown = screen_text(pilot)
        assert layouts == []
        assert answer.size.height == lines_before
    async with opened(path, review_id).run_test(size=(80, 24)) as pilot:
        await wait_for_screen(pilot, "FiveWhysScreen")
        await pilot.pause(0.3)
        assert screen_text(pilot) == shown


async def test_a_row_another_participant_lengthened_in_a_long_list_is_redrawn_without_a_layout(tmp_path):
    """A list taller than its room keeps its size: the grown row and those below it are redrawn, the screen is not
    laid out again, and what shows is what a terminal opened afterwards shows."""
    from store import ops
    from store.db import ReviewStore
    from tui_helpers import screen_text

    path = tmp_path / "r.json"
    doc = complete_review("timeline") | {"step": "timeline"}
    doc["timeline"] = [{"at": f"2026-03-02T10:{minute:02d}:00", "text": f"Event {minute}"} for minute in range(40)]
    review_id = seed(path, doc)
    app = opened(path, review_id)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for_screen(pilot, "TimelineScreen")
        screen = pilot.app.screen
        await settled(pilot, screen)
        rows = screen.query_one(".item-rows")
        assert rows.virtual_size.height > rows.scrollable_content_region.height  # it scrolls
        layouts = count_layouts(screen)
        first = ReviewStore(path).get(review_id).timeline[0]
        longer = "Event 0, which another participant described at length: " + "the pool ran dry " * 4
        ReviewStore(path).apply(review_id, ops.Edit("timeline", first.id, {"text": longer}))
        await until_shown(pilot, lambda: "the pool ran dry the pool" in screen_text(pilot))
        shown = screen_text(pilot)
        assert layouts == []
        assert rows.virtual_size.height > rows.scrollable_content_region.height
    async with opened(path, review_id).run_test(size=(80, 24)) as pilot:
        await wait_for_screen(pilot, "TimelineScreen")
        await pilot.pause(0.3)
        assert screen_text(pilot) == shown


async def test_typing_into_a_text_wider_than_its_field_does_not_rebuild_the_screen_s_map(tmp_path):
    """Each key scrolls such a field; its scrollbar has no size, and redrawing it made Textual lay out everything.

    The compositor builds its whole map again when a widget it does not
    show is redrawn (2.5 ms a key on the Five Whys, found by bench_terminal).
    """
    from textual.widgets import Input

    path = tmp_path / "r.json"
    doc = complete_review("five_whys") | {"step": "five_whys"}
    long_why = "The deploy script read the host list from a stale cache that nobody refreshed"
    doc["five_whys"]["chains"][0]["whys"][0] = long_why
    review_id = seed(path, doc)
    app = opened(path, review_id)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for_screen(pilot, "FiveWhysScreen")
        field = next(w for w in pilot.app.screen.query(Input) if getattr(w, "why_index", None) == 0)
        field.focus()
        await pilot.press("end", "w")
        await pilot.pause(0.3)
        assert field.scroll_x > 0, (field.cursor_position, field.size, field.value)  # wider than the field
        compositor = pilot.app.screen._compositor
        rebuilds = []
        arrange = compositor._arrange_root
        compositor._arrange_root = lambda *args, **kwargs: rebuilds.append(1) or arrange(*args, **kwargs)
        for key in "xyz":
            await pilot.press(key)
            await pilot.pause(0.05)
        assert field.value == long_why + "wxyz"
        assert rebuilds == []


def on_impact(tmp_path, **fields):
    """A complete review's file (with ``fields``), its id, and an app that opens it on the impact step."""
    path = tmp_path / "r.json"
    review_id = seed(path, complete_review("impact") | {"step": "impact"} | fields)
    return path, review_id, opened(path, review_id)


async def test_a_write_another_participant_s_change_brings_between_two_keys_does_not_flip_the_header(tmp_path,
                                                                                                      monkeypatch):
    """While someone types, others' changes make this terminal write between keys: the header stays "saving".

    It said "saved" after each such write and "saving" again at the next key:
    two header redraws a key in a live session.  Once typing pauses it says "saved".
    """
    import tui.app
    from store import ops
    from store.db import ReviewStore

    monkeypatch.setattr(tui.app, "DELAY", 2.0)  # the typing pause: long, so the test's own delays stay inside it
    path, review_id, app = on_impact(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for_screen(pilot, "ImpactScreen")
        screen = pilot.app.screen
        screen.query_one("#impact").focus()
        await pilot.pause(0.3)
        drawn: list[tuple[float, str]] = []  # (seconds since the last key, the header) at each frame
        draw = screen._compositor_refresh

        def recorded() -> None:
            draw()
            drawn.append((app.saver.typed_for(), header_line(screen)))

        screen._compositor_refresh = recorded
        await pilot.press("x")
        store = ReviewStore(path)
        before = store.get(review_id).impact  # another participant changes the same text: the writer merges
        store.apply(review_id, ops.Set("impact", "Confirmed by support. " + before, base=before))
        await until_shown(pilot, lambda: "Confirmed by support" in screen.query_one("#impact").text)
        assert not app.saver.has_pending  # the change made this terminal write what it typed, between two keys
        stored = ReviewStore(path).get(review_id).impact
        assert "x" in stored and "Confirmed by support" in stored
        while_typing = [header for since, header in drawn if since < 1.5]
        assert while_typing and all(header.endswith("saving") for header in while_typing), drawn
        for _ in range(50):  # typing pauses: "saved"
            await pilot.pause(0.1)
            if header_line(screen).endswith("saved"):
                break
        assert header_line(screen).endswith("saved")


async def test_another_participant_s_change_elsewhere_shows_at_once_and_the_typing_stays(tmp_path, monkeypatch):
    """A change to another field than the one being typed into needs no write first: the typing stays over it.

    (A change to the same field does: the writer merges the two, see the test above.)  Writing first cost
    a write, a second read and a second redraw for every change of another's while someone typed here.
    """
    import tui.app
    from store import ops
    from store.db import ReviewStore

    monkeypatch.setattr(tui.app, "DELAY", 30.0)  # no typing pause during the test: only a change could make it write
    path, review_id, app = on_impact(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        impact = await impact_box_at_end(pilot)
        screen = pilot.app.screen
        await pilot.press("x", "y")
        ReviewStore(path).apply(review_id, ops.Set("trigger", "A deploy, said another participant."))
        await until_shown(pilot, lambda: "said another participant" in screen.query_one("#trigger").value)
        assert "said another participant" in screen.query_one("#trigger").value
        assert app.saver.has_pending  # not written for their change
        assert "xy" not in ReviewStore(path).get(review_id).impact
        assert impact.text.endswith("xy") and impact.has_focus
        await pilot.press("z")
        assert impact.text.endswith("xyz")
        app.flush_now()
        await saved(pilot)
        stored = ReviewStore(path).get(review_id)
        assert stored.impact.endswith("xyz")
        assert stored.trigger == "A deploy, said another participant."


async def test_a_text_box_that_grows_by_a_line_is_laid_out_once_and_shows_no_scrollbar(tmp_path):
    """A key that wraps the impact text onto a new line grows the box: one layout, one frame, no scrollbar.

    Textual showed the box's scrollbar (the text was taller than the box
    was), the layout grew the box and hid it, and a second layout followed:
    the text wrapped narrower for a frame.
    """
    _, _, app = on_impact(tmp_path, impact="Lost writes. " * 26)
    async with app.run_test(size=(80, 24)) as pilot:
        box = await impact_box_at_end(pilot)
        screen = pilot.app.screen
        height = box.size.height
        scrollbar_at_layout: list[bool] = []
        lay_out = screen._refresh_layout

        def recorded(*args, **kwargs):
            scrollbar_at_layout.append(box.show_vertical_scrollbar)
            return lay_out(*args, **kwargs)

        screen._refresh_layout = recorded
        for _ in range(120):
            await pilot.press("w")
            await pilot.pause()
            if box.size.height != height:
                break
        await pilot.pause(0.1)
        assert box.size.height == height + 1
        assert scrollbar_at_layout == [False]
        assert not box.vertical_scrollbar.display


async def test_a_text_box_at_its_tallest_shows_its_scrollbar_and_the_typing(tmp_path):
    """Past its max-height the box stops growing: its scrollbar shows, and the line typed into stays in view."""
    _, _, app = on_impact(tmp_path, impact="Lost writes. " * 120)
    async with app.run_test(size=(80, 24)) as pilot:
        box = await impact_box_at_end(pilot)
        await pilot.press(*"zzz")
        await pilot.pause(0.2)
        assert box.size.height == 12
        assert box.vertical_scrollbar.display
        assert box.scroll_offset.y > 0
        assert "zzz" in "".join(box.render_line(y).text for y in range(box.size.height))
