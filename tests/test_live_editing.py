"""Several participants typing into one review at once: every character of each is kept, everywhere.

Two and three apps (each with its own store, as separate terminals have) are
open on one review and type into the same text field, and into the same
item, interleaved key by key.  Every character each typed must end up in the
file and on every screen, and nobody's cursor may be thrown out of what they
were typing.
"""

from __future__ import annotations

import asyncio
from contextlib import AsyncExitStack
from pathlib import Path

import pytest
from textual.widgets import Input, TextArea

from tui_helpers import SIZE, complete_review, new_app, seed, stored, tab_to, type_text, typing_paused, wait_for_screen

POLLS = 40  # pauses of 0.05 s: long enough for every terminal to see every save


async def open_apps(stack: AsyncExitStack, db: Path, review_id: str, count: int) -> list:
    """``count`` apps on the same review, each at its own step screen."""
    pilots = []
    for _ in range(count):
        app = new_app(db, start="open", review_id=review_id)
        pilots.append(await stack.enter_async_context(app.run_test(size=SIZE)))
    for pilot in pilots:
        await pilot.pause()
    return pilots


async def settle(pilots: list) -> None:
    """Let every app save its typing and see every other's (the poll runs ten times a second)."""
    for _ in range(POLLS):
        await asyncio.sleep(0.05)
        for pilot in pilots:
            await pilot.pause()


async def type_interleaved(pilots: list, texts: list[str]) -> None:
    """Each pilot types its own text, one key each in turn, with saves landing in between."""
    for index in range(max(len(text) for text in texts)):
        for pilot, text in zip(pilots, texts):
            if index < len(text):
                await pilot.press(text[index])
        if index % 7 == 6:
            await asyncio.sleep(0.3)  # a typing pause: the saver writes, the others' polls merge it


def shown(pilot, selector: str) -> str:
    widget = pilot.app.screen.query_one(selector)
    return widget.text if isinstance(widget, TextArea) else widget.value


@pytest.mark.parametrize("count", [2, 3])
async def test_everyone_typing_into_one_text_field_keeps_every_word(tmp_path, count):
    db = tmp_path / "reviews.json"
    review_id = seed(db, dict(complete_review("impact"), impact=""))
    texts = ["Checkout down for 40 minutes for EU users.", "About 1200 orders failed.",
             "Support got 85 tickets."][:count]
    async with AsyncExitStack() as stack:
        pilots = await open_apps(stack, db, review_id, count)
        for pilot in pilots:
            assert pilot.app.focused is pilot.app.screen.query_one("#impact")
        await type_interleaved(pilots, texts)
        await settle(pilots)
        impact = stored(db, review_id)["impact"]
        for text in texts:
            assert text in impact, f"{text!r} lost: the file holds {impact!r}"
        for pilot in pilots:
            assert shown(pilot, "#impact") == impact


SAME_START = [" The cache was cold.", " The queue was full.", " The disk was full."]


async def type_same_start(pilots: list, texts: list[str]) -> None:
    """Each pilot types its text at its field's end, a key each in turn, saves and others' changes landing between."""
    for pilot in pilots:
        await pilot.press("ctrl+e")  # the end of the field
    await type_in_turn(pilots, texts)


async def type_in_turn(pilots: list, texts: list[str]) -> None:
    """Each pilot types its text where its cursor is, a key each in turn, saves and others' changes landing between."""
    for index in range(max(map(len, texts))):
        for pilot, text in zip(pilots, texts):
            if index < len(text):
                await pilot.press(text[index])
        await asyncio.sleep(0.1)
    await settle(pilots)


@pytest.mark.parametrize("count", [2, 3])
async def test_people_starting_a_sentence_with_the_same_keys_at_once_each_go_on_after_their_own(tmp_path, count):
    """A space and "The " typed by all at once: a diff cannot tell whose are whose, yet no sentence is split."""
    db = tmp_path / "reviews.json"
    review_id = seed(db, dict(complete_review("impact"), impact="Checkout down."))
    texts = SAME_START[:count]
    async with AsyncExitStack() as stack:
        pilots = await open_apps(stack, db, review_id, count)
        await type_same_start(pilots, texts)
        impact = stored(db, review_id)["impact"]
        assert impact.startswith("Checkout down. The ") and len(impact) == len("Checkout down.") + sum(map(len, texts))
        for text in texts:
            assert text in impact, f"{text!r} is not whole in {impact!r}"
        for pilot in pilots:
            assert shown(pilot, "#impact") == impact


@pytest.mark.parametrize("lead", [1, 2])
async def test_people_who_start_the_same_keys_a_moment_after_another_each_go_on_after_their_own(tmp_path, lead):
    """One has typed a key or two, and everyone has seen them, when the other two start with the same keys.

    Their cursors stayed before the first one's space; the diff of what they
    sent showed their " T" as "T " typed after that space, and their words
    went in among the first one's ("... full.The queue was full.  The
    cache ...", on every run before each terminal sent where its cursor was).
    """
    db = tmp_path / "reviews.json"
    review_id = seed(db, dict(complete_review("impact"), impact="Checkout down."))
    async with AsyncExitStack() as stack:
        pilots = await open_apps(stack, db, review_id, 3)
        first = pilots[0]
        await first.press("ctrl+e", *SAME_START[0][:lead])
        await settle(pilots)
        await type_same_start(pilots, [SAME_START[0][lead:], *SAME_START[1:]])
        impact = stored(db, review_id)["impact"]
        assert len(impact) == len("Checkout down.") + sum(map(len, SAME_START))
        for text in SAME_START:
            assert text in impact, f"{text!r} is not whole in {impact!r}"


def hold_looking(pilot) -> None:
    """This terminal does not look at the store's changes (a slow or busy terminal) until ``look_again``."""
    app = pilot.app
    app.watched_version = lambda: app._seen_version


def look_again(pilot) -> None:
    del pilot.app.watched_version


async def test_someone_who_only_watched_starts_typing_after_the_words_another_typed_on_at_their_cursor(tmp_path):
    """Cam's cursor sat at the end of Ali's " The" (Bo's space after it); Ali typed on there; then all three typed.

    In a chain's answer (a one-line field): Ali's space came between "The"
    and Bo's space, and a diff of what Cam's field showed put it after Cam's
    cursor, so Cam's sentence went into Ali's ("... The The disk was full.
    cache was cold.", found by test_merge's property).  Cam's cursor follows
    Ali's typing by the places the store keeps, in the text as Cam read it and as it is now.
    """
    db = tmp_path / "reviews.json"
    review_id = seed(db, complete_review("five_whys"))
    async with AsyncExitStack() as stack:
        pilots = await open_apps(stack, db, review_id, 3)
        ali, bo, cam = pilots
        for pilot in pilots:
            await wait_for_screen(pilot, "FiveWhysScreen")
            await tab_to(pilot, lambda widget: widget.has_class("why"))
            await pilot.press("end")
        hold_looking(bo)
        hold_looking(cam)
        await type_text(ali, " The")
        await settle(pilots)
        await type_text(bo, " ")  # Bo has not seen Ali's " The": the store puts Bo's space after it
        await settle(pilots)
        look_again(cam)
        await settle(pilots)
        hold_looking(cam)
        await type_text(ali, " ")  # on from Ali's place, where Cam's cursor is
        await settle(pilots)
        look_again(cam)
        look_again(bo)
        await settle(pilots)
        await type_in_turn(pilots, ["cache was cold.", "The queue was full.", SAME_START[2]])
        answer = stored(db, review_id)["five_whys"]["chains"][0]["whys"][0]
        assert len(answer) == len("The index was rebuilt") + sum(map(len, SAME_START))
        for text in SAME_START:
            assert text in answer, f"{text!r} is not whole in {answer!r}"
        for pilot in pilots:
            assert pilot.app.focused.value == answer


async def test_people_starting_the_same_keys_in_one_answer_of_a_chain_each_go_on_after_their_own(tmp_path):
    """The same, in the first answer of a Five Whys chain (each answer keeps its writers' places)."""
    db = tmp_path / "reviews.json"
    review_id = seed(db, complete_review("five_whys"))
    async with AsyncExitStack() as stack:
        pilots = await open_apps(stack, db, review_id, 3)
        for pilot in pilots:
            await wait_for_screen(pilot, "FiveWhysScreen")
            await tab_to(pilot, lambda widget: widget.has_class("why"))
            assert pilot.app.focused.value == "The index was rebuilt"
        await type_same_start(pilots, SAME_START)
        answer = stored(db, review_id)["five_whys"]["chains"][0]["whys"][0]
        assert answer.startswith("The index was rebuilt The ") and len(answer) == 21 + sum(map(len, SAME_START))
        for text in SAME_START:
            assert text in answer, f"{text!r} is not whole in {answer!r}"
        for pilot in pilots:
            assert pilot.app.focused.value == answer


async def test_typing_after_someone_else_keeps_both_and_the_cursor(tmp_path):
    db = tmp_path / "reviews.json"
    review_id = seed(db, dict(complete_review("impact"), impact=""))
    async with AsyncExitStack() as stack:
        first, second = await open_apps(stack, db, review_id, 2)
        for key in "Checkout down for 40 minutes for EU users.":
            await first.press(key)
        await settle([first, second])
        assert shown(second, "#impact") == "Checkout down for 40 minutes for EU users."
        # the second terminal had the focus all along: it sees the text, and types at its own cursor
        for key in " About 1200 orders failed.":
            await second.press(key)
        await settle([first, second])
    impact = stored(db, review_id)["impact"]
    assert "Checkout down for 40 minutes for EU users." in impact and "About 1200 orders failed." in impact


async def test_someone_who_stopped_at_the_end_types_on_before_what_another_appended_meanwhile(tmp_path):
    """Their cursor stayed put when the other's sentence arrived right at it: their next words go there."""
    db = tmp_path / "reviews.json"
    review_id = seed(db, dict(complete_review("impact"), impact=""))
    async with AsyncExitStack() as stack:
        first, second = await open_apps(stack, db, review_id, 2)
        await type_text(first, "Checkout down for 40 minutes.")
        await settle([first, second])
        await second.press("ctrl+e")
        await type_text(second, " About 1200 orders failed.")
        await settle([first, second])
        await type_text(first, " EU only.")
        await settle([first, second])
        expected = "Checkout down for 40 minutes. EU only. About 1200 orders failed."
        assert stored(db, review_id)["impact"] == expected
        assert shown(first, "#impact") == shown(second, "#impact") == expected


@pytest.mark.parametrize("count", [2, 3])
async def test_everyone_typing_into_one_item_keeps_every_word(tmp_path, count):
    db = tmp_path / "reviews.json"
    review_id = seed(db, dict(complete_review("could_improve"), could_improve=[{"text": "The rebuild ran at peak"}]))
    texts = [" and nobody", " paged", " twice"][:count]
    async with AsyncExitStack() as stack:
        pilots = await open_apps(stack, db, review_id, count)
        for pilot in pilots:
            await pilot.press("escape", "home")  # to the list, on its (only) item
            await pilot.press("enter")  # edit it
            await pilot.press("end")
            await pilot.pause()
            assert isinstance(pilot.app.focused, Input) and pilot.app.focused.value == "The rebuild ran at peak"
        await type_interleaved(pilots, texts)
        await settle(pilots)
        item = stored(db, review_id)["could_improve"][0]["text"]
        assert item.startswith("The rebuild ran at peak")
        for text in texts:
            assert text.strip() in item, f"{text!r} lost: the file holds {item!r}"
        for pilot in pilots:
            assert pilot.app.focused.value == item


async def test_two_people_typing_the_follow_up_notes_both_keep_their_words(tmp_path):
    db = tmp_path / "reviews.json"
    review_id = seed(db, complete_review("summary"))
    texts = ["The alert fired twice in the drill.", "Rebuilds now run at night."]
    async with AsyncExitStack() as stack:
        pilots = []
        for _ in texts:
            app = new_app(db, start="follow-up", review_id=review_id)
            pilots.append(await stack.enter_async_context(app.run_test(size=SIZE)))
        for pilot in pilots:
            await pilot.pause()
            pilot.app.screen.query_one("#follow-up-notes", Input).focus()
            await pilot.pause()
        await type_interleaved(pilots, texts)
        await settle(pilots)
        notes = stored(db, review_id)["follow_up"]["notes"]
        for text in texts:
            assert text in notes, f"{text!r} lost: the file holds {notes!r}"
        for pilot in pilots:
            assert pilot.app.screen.query_one("#follow-up-notes", Input).value == notes


async def test_timeline_rows_follow_a_timezone_another_participant_sets(tmp_path):
    """The rows of events are described once and kept while only other items change (issue 14), yet a new
    timezone from someone else redraws every time, and the event being typed in shows what is typed."""
    from store.db import ReviewStore
    from store.ops import Set

    db = tmp_path / "reviews.json"
    review_id = seed(db, dict(complete_review("timeline"), timezone="UTC"))
    async with AsyncExitStack() as stack:
        (pilot,) = await open_apps(stack, db, review_id, 1)
        editor = pilot.app.screen.query_one("#events")
        rows = pilot.app.screen.query_one("#events .item-rows")
        before = [str(rows.get_option_at_index(n).prompt) for n in range(rows.option_count)]
        assert any("UTC" in row or ":" in row for row in before)
        ReviewStore(db).apply(review_id, Set("timezone", "Asia/Tokyo"))  # +09:00, another terminal
        await settle([pilot])
        after = [str(rows.get_option_at_index(n).prompt) for n in range(rows.option_count)]
        assert len(after) == len(before) and after != before
        events = ReviewStore(db).get(review_id).timeline
        assert all(event.text in row for event, row in zip(events, after))
        rows.focus()
        rows.highlighted = 0
        await pilot.press("enter")  # edit the first event: the form shows it
        await pilot.pause()
        for _ in range(4):
            if getattr(pilot.app.focused, "item_field", None) == "text":
                break
            await pilot.press("tab")
        assert getattr(pilot.app.focused, "item_field", None) == "text"
        await pilot.press("end", "space", "m", "o", "r", "e")
        await typing_paused(pilot)  # the row follows once typing pauses
        assert str(rows.get_option_at_index(0).prompt) == "* 2026-11-20 19:00  [started] Index rebuild starts more"
