"""A card's first key costs what the next keys cost, and no key waits for the garbage collector.

``tests/bench_session.py`` found the facilitator's slow keys (three to five
times the usual echo) were a new card's first key, every time, and a full
garbage collection now and then.  The first key adds the card: the header
said "saving", then "saved" when the add was written, then "saving" again
at the next key; the list was rebuilt, which measured it empty on the way and
laid the whole screen out twice; and the checks ran at once, not at the
typing's pause.  Here each of those is pinned as a user sees it.
"""

from __future__ import annotations

import gc
import time

from test_partial_updates import drawn_whole, opened, shown, terminal_of
from tui_helpers import option_texts, saved, type_text, typing_paused, wait_for_screen

import tui.app
from store.db import ReviewStore
from tui.item_editor import ItemEditor, ItemRows

CARDS = [{"text": f"Card {number}: the deploy queue had no owner for step {number}"} for number in range(1, 13)]


def header(app) -> str:
    return app.screen.sub_title or ""


async def test_the_header_keeps_saying_saving_from_a_card_s_first_key_on(tmp_path, monkeypatch):
    """The add is written at once; while typing goes on the header does not flash "saved" in between."""
    monkeypatch.setattr(tui.app, "DELAY", 30.0)  # typing "goes on" for the whole test, whatever the machine's speed
    app = opened(tmp_path, "could_improve")
    seen: list[str] = []
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for_screen(pilot, "CouldImproveScreen")
        await pilot.press("f2")
        await pilot.pause()
        set_header = app.screen.set_header

        def noted(title: str, sub_title: str) -> None:
            seen.append(sub_title)
            set_header(title, sub_title)

        app.screen.set_header = noted
        await pilot.press("Q")
        for _ in range(200):  # the add goes to the writer at once; wait until it is on disk
            await pilot.pause(0.01)
            if not app.saver.has_pending:
                break
        assert not app.saver.has_pending
        await pilot.pause(0.05)
        assert header(app).endswith("saving")
        await type_text(pilot, "ueue")
        assert header(app).endswith("saving")
        assert app.focused.value == "Queue"
    assert seen and not any(line.endswith("saved") for line in seen), seen


async def test_keys_typed_while_a_new_card_s_add_comes_back_are_all_kept(tmp_path):
    """The store's answer to the add (the first key) arrives while the card is typed on: it must not refill the field.

    The add is held in the writer (a slow disk) while the rest of the word is typed, as keys from a browser or a
    fast typist arrive.
    """
    app = opened(tmp_path, "could_improve")
    apply = app.store.apply

    def slow_apply(*args, **kwargs):
        time.sleep(0.3)
        return apply(*args, **kwargs)

    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for_screen(pilot, "CouldImproveScreen")
        await pilot.press("f2")
        await pilot.pause()
        app.store.apply = slow_apply
        await pilot.press(*"Rollback")
        editing = app.screen.query_one(ItemEditor).editing_id
        for _ in range(200):
            await pilot.pause(0.01)
            if app.screen.stored_item("could_improve", editing):
                break
        await pilot.press(*" took 2 minutes")
        await typing_paused(pilot)
        await saved(pilot)
        assert app.focused.value == "Rollback took 2 minutes"
    assert ReviewStore(tmp_path).get(app.start_review_id).could_improve[-1].text == "Rollback took 2 minutes"


async def test_a_new_card_joins_a_scrolling_list_at_its_end_and_the_rows_above_are_kept(tmp_path):
    """Its row is added, not the list rebuilt; the terminal shows what a whole redraw shows."""
    app = opened(tmp_path, "could_improve", could_improve=CARDS)
    terminal = terminal_of(app)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for_screen(pilot, "CouldImproveScreen")
        rows = app.screen.query_one(ItemEditor).query_one(ItemRows)
        assert rows.virtual_size.height > rows.scrollable_content_region.height  # the list scrolls already
        first = rows.get_option_at_index(0)
        layouts: list[int] = []
        lay_out = app.screen._refresh_layout
        app.screen._refresh_layout = lambda *args, **kwargs: (layouts.append(1), lay_out(*args, **kwargs))[1]
        await pilot.press("f2")
        await pilot.pause()
        layouts.clear()
        await pilot.press("R")
        await saved(pilot)
        await pilot.pause()
        assert rows.get_option_at_index(0) is first
        assert option_texts(rows)[-1].endswith("R")
        assert len(option_texts(rows)) == len(CARDS) + 1
        assert layouts == []  # the list kept its size on screen: nothing moved
        assert shown(terminal) == drawn_whole(app)
        await type_text(pilot, "eleases waited on one approver")
        await typing_paused(pilot)
        await pilot.pause()
        assert option_texts(rows)[-1].endswith("Releases waited on one approver")
        assert shown(terminal) == drawn_whole(app)


async def test_a_new_card_s_row_and_checks_come_at_the_typing_s_pause(tmp_path):
    """As for the keys after it: the first key does not check the step while the person types on."""
    app = opened(tmp_path, "could_improve")
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for_screen(pilot, "CouldImproveScreen")
        await pilot.press("f2")
        await pilot.pause()
        await pilot.press("S")
        assert app.screen.checks_waiting
        await typing_paused(pilot)
        assert not app.screen.checks_waiting


async def test_the_terminal_s_app_keeps_its_first_step_from_the_collector(tmp_path):
    """run_app's app freezes what is alive once the first step is drawn, once; a test's app does not."""
    frozen = gc.get_freeze_count()
    app = opened(tmp_path, "could_improve")
    app.freezes_long_lived = True
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            await wait_for_screen(pilot, "CouldImproveScreen")
            await pilot.pause()
            after_first = gc.get_freeze_count()
            assert after_first > frozen
            assert not app.freezes_long_lived
            await pilot.press("f9")  # the next step: nothing is frozen again
            await wait_for_screen(pilot, "ActionsScreen")
            await pilot.pause()
            assert gc.get_freeze_count() <= after_first  # (frozen objects that die leave it)
    finally:
        gc.unfreeze()


async def test_a_test_s_app_freezes_nothing(tmp_path):
    frozen = gc.get_freeze_count()
    app = opened(tmp_path, "could_improve")
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for_screen(pilot, "CouldImproveScreen")
        await pilot.pause()
    assert gc.get_freeze_count() == frozen
