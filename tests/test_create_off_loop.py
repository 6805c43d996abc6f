"""Creating, and deleting, a review runs off the event loop: the screen never waits on the archive's lock or disk.

A create takes the archive's lock and writes two files durably; under load
that took long enough to freeze the list.  Now the list says it is creating,
keys typed meanwhile are kept for the new review, and a create that fails
says why with the path and leaves everything as it was.
"""

from __future__ import annotations

import errno
import os
import threading
import time

from filelock import FileLock

import store.storage
from store.db import ReviewStore
from tui_helpers import SIZE, new_app, wait_for_screen

REAL_WRITE = store.storage.write_durably


async def wait_until(pilot, condition, rounds: int = 200) -> None:
    for _ in range(rounds):
        if condition():
            return
        await pilot.pause(0.02)
    raise AssertionError("timed out")


async def test_the_list_stays_responsive_and_says_so_while_a_review_is_created(tmp_path, monkeypatch):
    db = tmp_path / "data"
    release = threading.Event()
    real_create = ReviewStore.create

    def slow_create(self, doc=None):
        release.wait(10)  # the archive's lock held by someone else, or a slow disk
        return real_create(self, doc)

    monkeypatch.setattr(ReviewStore, "create", slow_create)
    app = new_app(db)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+n")
        await pilot.pause(0.2)  # the event loop runs on: a frame, a key
        assert app.screen.__class__.__name__ == "HomeScreen"
        assert app.screen.sub_title.endswith("creating a new review...")
        await pilot.press("ctrl+n")  # a second request while one is on its way makes no second review
        release.set()
        await wait_for_screen(pilot, "GroundRulesDialog")
        names = [screen.__class__.__name__ for screen in app.screen_stack]
        assert names[-3:] == ["HomeScreen", "SetupScreen", "GroundRulesDialog"]
        assert "creating" not in app.screen_stack[-3].sub_title
    assert [review.id for review in ReviewStore(db).list_reviews()] == ["pm-1"]


async def test_a_review_that_cannot_be_created_is_said_with_the_path_and_nothing_changes(tmp_path, monkeypatch):
    db = tmp_path / "data"
    app = new_app(db)
    async with app.run_test(size=SIZE) as pilot:
        def refused(path, raw, backup=None):
            raise OSError(errno.EACCES, os.strerror(errno.EACCES), str(path))

        monkeypatch.setattr(store.storage, "write_durably", refused)
        await pilot.press("ctrl+n")
        await wait_until(pilot, lambda: bool(app._notifications))
        notice = list(app._notifications)[-1]
        assert notice.message.startswith("No review was created: Permission denied, ")
        assert str(db) in notice.message and "Nothing else changed." in notice.message
        assert app.screen.__class__.__name__ == "HomeScreen" and "creating" not in app.screen.sub_title
        monkeypatch.setattr(store.storage, "write_durably", REAL_WRITE)
        await pilot.press("ctrl+n")  # the cause gone, it works
        await wait_for_screen(pilot, "GroundRulesDialog")
    assert len(ReviewStore(db).list_reviews()) == 1


async def test_deleting_a_review_from_the_list_waits_for_its_writers_off_the_loop(tmp_path):
    db = tmp_path / "data"
    keep, gone = (ReviewStore(db).create({"title": title}).id for title in ("Keep", "Gone"))
    app = new_app(db)
    held, release = threading.Event(), threading.Event()

    def writer() -> None:  # another participant's write of pm-2 in progress (at most 5 s, even if the app froze)
        lock = FileLock(str(db / "reviews" / ".archive" / "locks" / "pm-2.lock"))
        with lock:
            held.set()
            release.wait(5)

    async with app.run_test(size=SIZE) as pilot:
        home = app.screen
        await wait_until(pilot, lambda: len(home.reviews) == 2)
        holder = threading.Thread(target=writer, daemon=True)
        holder.start()
        assert held.wait(5)
        await pilot.press("down")  # the newest first: pm-2 is the first row
        await pilot.press("up")
        assert home.chosen_id() == gone
        await pilot.press("ctrl+d")
        await wait_for_screen(pilot, "ConfirmDialog")
        await pilot.press("tab", "enter")  # Cancel has the focus; Delete is next
        started = time.monotonic()
        for _ in range(10):
            await pilot.pause(0.05)
            home.load_reviews()  # as a change in another process makes it: the list, while the delete waits
        assert time.monotonic() - started < 4  # the event loop never waited for the writer
        assert app.screen is home and [r.id for r in home.reviews] == [gone, keep]  # not gone yet
        release.set()
        await wait_until(pilot, lambda: [r.id for r in home.reviews] == [keep])
