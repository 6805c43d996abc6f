"""Reading the store never holds up the screen (issues 9 and 16).

Opening a review, reading it again after another process changed it, the
list of reviews, word search, the statistics and joining a review's session
read a disk, wait on a lock or on a database server; all of it runs off the
event loop.  Here a file store's reads wait on an Event the test sets, as a
slow disk or a server that does not answer would: meanwhile the screen says
it is reading, keys typed are not lost, and once the read arrives everything
is where the user expects it.  (The same with a PostgreSQL server that is
stopped: tests/test_postgres_app.py.)
"""

from __future__ import annotations

import threading

from store import ops
from store.db import ReviewStore
from test_live_editing import shown
from tui.app import PostmortemApp
from tui_helpers import SIZE, active, complete_review, new_app, screen_text, seed, type_text, wait_for_screen


class Gated:
    """Makes one method of ReviewStore wait for ``release`` (after reading, so what it returns is as of then)."""

    def __init__(self, monkeypatch, name: str, read_first: bool = True) -> None:
        self.release = threading.Event()
        self.calls = 0
        real = getattr(ReviewStore, name)

        def gated(store, *args, **kwargs):
            self.calls += 1
            if not read_first:
                self.release.wait(10)
                return real(store, *args, **kwargs)
            result = real(store, *args, **kwargs)
            self.release.wait(10)
            return result

        monkeypatch.setattr(ReviewStore, name, gated)


def stored(db, review_id: str) -> dict:
    return ReviewStore(db).get(review_id).to_dict()


async def until(pilot, condition, seconds: float = 8.0) -> None:
    for _ in range(int(seconds / 0.02)):
        if condition():
            return
        await pilot.pause(0.02)
    assert condition()


async def open_from_the_list(pilot, monkeypatch) -> Gated:
    """Enter on the list's first review, whose reading then waits on the returned gate."""
    await until(pilot, lambda: "Search was slow" in screen_text(pilot))
    gate = Gated(monkeypatch, "get")
    await pilot.press("enter")
    await until(pilot, lambda: gate.calls == 1)
    return gate


async def test_keys_typed_while_a_review_is_read_land_in_its_first_field(tmp_path, monkeypatch):
    db = tmp_path / "data"
    review_id = seed(db, dict(complete_review("impact"), impact=""))
    app = new_app(db)
    async with app.run_test(size=SIZE) as pilot:
        gate = await open_from_the_list(pilot, monkeypatch)
        await type_text(pilot, "For 40 minutes.")
        app.open_review(review_id)  # asked again while the first open is on its way: nothing more is opened
        await pilot.pause(0.2)
        assert active(pilot) == "HomeScreen"  # the event loop ran on: frames were drawn, keys taken
        assert app.screen.sub_title.endswith(f"opening {review_id}...")
        gate.release.set()
        await wait_for_screen(pilot, "ImpactScreen")
        await until(pilot, lambda: shown(pilot, "#impact").endswith("For 40 minutes."))
        assert shown(pilot, "#impact") == "For 40 minutes."
        assert [type(screen).__name__ for screen in app.screen_stack] == ["Screen", "HomeScreen", "ImpactScreen"]
        await until(pilot, lambda: stored(db, review_id)["impact"] == "For 40 minutes.")


async def test_enter_pressed_again_while_a_review_opens_asks_again_and_is_no_new_line(tmp_path, monkeypatch):
    """An impatient second (and third) Enter on the list is the same request, not lines typed into the field."""
    db = tmp_path / "data"
    review_id = seed(db, dict(complete_review("impact"), impact="Checkout was down."))
    app = new_app(db)
    async with app.run_test(size=SIZE) as pilot:
        gate = await open_from_the_list(pilot, monkeypatch)
        await pilot.press("enter", "enter")
        gate.release.set()
        await wait_for_screen(pilot, "ImpactScreen")
        await pilot.pause(0.3)
        assert shown(pilot, "#impact") == "Checkout was down."
        assert stored(db, review_id)["impact"] == "Checkout was down."


async def test_a_review_read_while_a_save_of_ours_lands_is_read_again_not_shown_without_it(tmp_path, monkeypatch):
    """Typed, back to the list (the save on its way), opened again: the read that missed the save is not shown."""
    db = tmp_path / "data"
    review_id = seed(db, dict(complete_review("impact"), impact=""))
    monkeypatch.setattr(PostmortemApp, "poll_store", lambda app: None)  # only the opening reads the review
    app = new_app(db, start="open", review_id=review_id)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_screen(pilot, "ImpactScreen")
        writing = Gated(monkeypatch, "apply", read_first=False)  # the save waits on a lock another holds
        await type_text(pilot, "Typed before leaving.")
        await pilot.press("ctrl+o")
        await wait_for_screen(pilot, "HomeScreen")
        await until(pilot, lambda: writing.calls >= 1)  # (the live session may write its record of who spoke too)
        reading = Gated(monkeypatch, "get")  # reads the review as it is now: without the save
        await pilot.press("enter")
        await until(pilot, lambda: reading.calls == 1)
        writing.release.set()  # the save lands while the review is read
        await until(pilot, lambda: not app.saver.has_pending)
        reading.release.set()
        await wait_for_screen(pilot, "ImpactScreen")
        await pilot.pause(0.2)
        assert shown(pilot, "#impact") == "Typed before leaving."
        assert reading.calls == 2  # read again
    assert stored(db, review_id)["impact"] == "Typed before leaving."


async def test_the_list_says_it_is_reading_and_the_search_box_takes_keys_meanwhile(tmp_path, monkeypatch):
    db = tmp_path / "data"
    seed(db, dict(complete_review("impact"), title="Checkout down"))
    seed(db, dict(complete_review("impact"), title="Search was slow"))
    gate = Gated(monkeypatch, "list_summaries")
    app = new_app(db)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: gate.calls == 1)
        assert "Reading the archive…" in screen_text(pilot)
        assert "No reviews yet" not in screen_text(pilot)
        await type_text(pilot, "checkout")
        assert app.screen.query_one("#filter").value == "checkout"  # the screen answers while the list is read
        gate.release.set()
        await until(pilot, lambda: "Checkout down" in screen_text(pilot))
        assert "Search was slow" not in screen_text(pilot) and "Reading the archive" not in screen_text(pilot)


async def test_word_search_reads_the_texts_off_the_loop_and_shows_the_rows_when_they_arrive(tmp_path, monkeypatch):
    db = tmp_path / "data"
    seed(db, dict(complete_review("impact"), title="Checkout down", impact="The payment gateway timed out."))
    seed(db, dict(complete_review("impact"), title="Search was slow", impact="Index rebuild."))
    app = new_app(db)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: "Checkout down" in screen_text(pilot))
        gate = Gated(monkeypatch, "search_texts")
        await type_text(pilot, "gateway")
        await until(pilot, lambda: gate.calls == 1)
        assert "Reading the archive…" in screen_text(pilot)
        assert "No review matches" not in screen_text(pilot)
        gate.release.set()
        await until(pilot, lambda: "Checkout down" in screen_text(pilot))
        assert "Search was slow" not in screen_text(pilot)


async def test_statistics_say_they_are_reading_and_escape_still_leaves(tmp_path, monkeypatch):
    db = tmp_path / "data"
    seed(db, complete_review("summary"))
    app = new_app(db)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: "Search was slow" in screen_text(pilot))
        gate = Gated(monkeypatch, "reviews_for_stats")
        await pilot.press("f3")
        await wait_for_screen(pilot, "StatsScreen")
        await until(pilot, lambda: "Reading the archive…" in screen_text(pilot))
        await pilot.press("escape")
        await wait_for_screen(pilot, "HomeScreen")
        gate.release.set()  # the count arrives for a screen that is gone: nothing breaks
        await pilot.pause(0.2)
        await pilot.press("f3")
        await wait_for_screen(pilot, "StatsScreen")
        await until(pilot, lambda: "1 review" in screen_text(pilot))
        assert app.is_running


def list_unreadable(monkeypatch) -> None:
    """The list of reviews cannot be read: a directory the user may not read, as the error names it."""
    def unreadable(store):
        raise PermissionError(13, "Permission denied", str(store.root))

    monkeypatch.setattr(ReviewStore, "list_summaries", unreadable)


async def test_an_archive_that_cannot_be_read_is_named_and_the_list_stays_usable(tmp_path, monkeypatch):
    db = tmp_path / "data"
    seed(db, complete_review("impact"))
    list_unreadable(monkeypatch)
    app = new_app(db)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        note = app.screen.query_one("#empty")
        await until(pilot, lambda: "could not be read" in str(note.render()))
        assert str(note.render()) == f"The archive could not be read: Permission denied, {db / 'reviews'}"
        assert any(str(db / "reviews") in notice.message for notice in app._notifications)
        await pilot.press("ctrl+n")  # the screen still works
        await wait_for_screen(pilot, "GroundRulesDialog")


async def another_terminal_s_change_being_read(pilot, db, review_id: str, monkeypatch) -> Gated:
    """Another terminal sets the trigger; the app's read of that change waits on the returned gate."""
    gate = Gated(monkeypatch, "get")
    ReviewStore(db).apply(review_id, ops.Set("trigger", "A config push."))
    await until(pilot, lambda: gate.calls >= 1)
    return gate


async def test_a_change_read_before_our_save_landed_is_not_shown_even_if_the_save_lands_as_it_arrives(
        tmp_path, monkeypatch):
    """Another terminal's change is read; we type and our save goes out; the save lands just as the read arrives.

    The read lacks our save: shown, the field took our sent words for deleted by
    the other terminal and merged our next keys into what was left (three
    terminals over PostgreSQL, one run in 60).  It is read again instead.
    """
    db = tmp_path / "data"
    review_id = seed(db, dict(complete_review("impact"), impact="", trigger=""))
    app = new_app(db, start="open", review_id=review_id)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_screen(pilot, "ImpactScreen")
        reading = await another_terminal_s_change_being_read(pilot, db, review_id, monkeypatch)
        writing = Gated(monkeypatch, "apply", read_first=False)
        await type_text(pilot, "Typed meanwhile.")
        await until(pilot, lambda: writing.calls == 1)  # our save is on its way, after the read began
        shown_after_read = []
        real_show_stored = PostmortemApp.show_stored

        def save_lands_first(app, change, ours=False, read_after=None):
            if not ours and not shown_after_read:
                saved = app.saver.finished(review_id) + 1
                writing.release.set()
                while app.saver.finished(review_id) < saved:
                    threading.Event().wait(0.005)
            real_show_stored(app, change, ours, read_after)
            if not ours:
                shown_after_read.append(shown(pilot, "#impact"))

        monkeypatch.setattr(PostmortemApp, "show_stored", save_lands_first)
        reading.release.set()
        await until(pilot, lambda: shown_after_read)
        assert shown_after_read[0] == "Typed meanwhile."
        await type_text(pilot, " More.")
        await until(pilot, lambda: shown(pilot, "#trigger") == "A config push.")
        await until(pilot, lambda: stored(db, review_id)["impact"] == "Typed meanwhile. More.")
        assert shown(pilot, "#impact") == "Typed meanwhile. More."
        assert stored(db, review_id)["trigger"] == "A config push."


async def test_another_process_s_change_is_read_off_the_loop_while_typing_goes_on(tmp_path, monkeypatch):
    db = tmp_path / "data"
    review_id = seed(db, dict(complete_review("impact"), impact="", trigger=""))
    app = new_app(db, start="open", review_id=review_id)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_screen(pilot, "ImpactScreen")
        gate = await another_terminal_s_change_being_read(pilot, db, review_id, monkeypatch)
        await type_text(pilot, "Typed meanwhile.")
        assert shown(pilot, "#impact") == "Typed meanwhile."  # every key echoed while the read waits
        gate.release.set()
        await until(pilot, lambda: shown(pilot, "#trigger") == "A config push.")
        await until(pilot, lambda: stored(db, review_id)["impact"] == "Typed meanwhile.")
        assert stored(db, review_id)["trigger"] == "A config push."


async def test_joining_a_session_reads_who_is_there_off_the_loop(tmp_path, monkeypatch):
    db = tmp_path / "data"
    review_id = seed(db, dict(complete_review("impact"), impact=""))
    gate = Gated(monkeypatch, "present", read_first=False)
    app = new_app(db, start="open", review_id=review_id)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_screen(pilot, "ImpactScreen")
        await until(pilot, lambda: gate.calls >= 1)
        await type_text(pilot, "Typed while joining.")
        assert shown(pilot, "#impact") == "Typed while joining."
        gate.release.set()
        await until(pilot, lambda: stored(db, review_id)["impact"] == "Typed while joining.")
        # announced (its next beat, which may come after the save); until asserts it at the end of its wait
        await until(pilot, lambda: any(member.id == app.live.me.id for member in ReviewStore(db).present(review_id)))


# The list read as the app starts (tui.early_read), as `postmortem` with no command does it ---------------


def app_with_early_list(db, in_thread: bool) -> PostmortemApp:
    """The app as ``cmd_tui`` starts it on the list: the list already read (or being read) beside it."""
    from tui.early_read import EarlyRead, versioned_list

    app = new_app(db)
    app.first_list = EarlyRead(lambda: versioned_list(app.store), in_thread=in_thread)
    return app


async def test_a_list_read_before_the_app_starts_is_in_its_first_frame_and_read_once(tmp_path, monkeypatch):
    db = tmp_path / "data"
    seed(db, dict(complete_review("impact"), title="Checkout down"))
    gate = Gated(monkeypatch, "list_summaries")
    gate.release.set()
    app = app_with_early_list(db, in_thread=False)
    assert gate.calls == 1  # read before the app runs
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_screen(pilot, "HomeScreen")
        assert app.screen.listed  # no wait for a thread: the rows came with the screen
        assert "Checkout down" in screen_text(pilot) and "Reading the archive" not in screen_text(pilot)
        await pilot.pause(1.5)  # several polls: the archive's version was read with the list
        assert gate.calls == 1
        seed(db, dict(complete_review("impact"), title="Search was slow"))  # another process adds one
        await until(pilot, lambda: "Search was slow" in screen_text(pilot))
        assert gate.calls == 2


async def test_a_list_from_a_slow_server_is_waited_for_off_the_loop_and_read_once(tmp_path, monkeypatch):
    db = tmp_path / "data"
    seed(db, dict(complete_review("impact"), title="Checkout down"))
    gate = Gated(monkeypatch, "list_summaries")
    app = app_with_early_list(db, in_thread=True)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: "Reading the archive…" in screen_text(pilot))
        await type_text(pilot, "checkout")
        assert app.screen.query_one("#filter").value == "checkout"  # the screen answers meanwhile
        gate.release.set()
        await until(pilot, lambda: "Checkout down" in screen_text(pilot))
        await pilot.pause(1.5)
        assert gate.calls == 1  # the read begun at start, not a second one


async def test_a_list_that_could_not_be_read_at_start_is_named_on_the_screen(tmp_path, monkeypatch):
    db = tmp_path / "data"
    seed(db, complete_review("impact"))
    list_unreadable(monkeypatch)
    app = app_with_early_list(db, in_thread=False)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await wait_for_screen(pilot, "HomeScreen")
        note = app.screen.query_one("#empty")
        await until(pilot, lambda: "could not be read" in str(note.render()))
        assert str(note.render()) == f"The archive could not be read: Permission denied, {db / 'reviews'}"
        await pilot.press("ctrl+n")  # the screen still works
        await wait_for_screen(pilot, "GroundRulesDialog")
