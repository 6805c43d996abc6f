"""A disk that is full, read-only or refuses us while someone types: the app stays up and loses nothing.

The write under the store fails with a real ``OSError`` (ENOSPC, EACCES,
EROFS); the app says so in words with the path, keeps the text on screen and
in its pending edits, and saves it once the cause is gone.  At exit, what
could not be saved goes to a recovery file that the app names.
"""

from __future__ import annotations

import errno
import json
import os
import threading

import pytest
from textual.widgets import TextArea

import store.storage
from tui_helpers import SIZE, complete_review, new_app, seed, stored

REAL_WRITE = store.storage.write_durably
WAIT = 10.0  # seconds a held write waits at most


def failing(code: int):
    def write_durably(path, raw, backup=None):
        raise OSError(code, os.strerror(code), str(path))

    return write_durably


def app_on_blank_impact(tmp_path):
    """The file, the review id and an app opened on the review's (blank) Impact step."""
    db = tmp_path / "reviews.json"
    review_id = seed(db, dict(complete_review("impact"), impact=""))
    return db, review_id, new_app(db, start="open", review_id=review_id)


async def wait_for(pilot, condition, seconds: float = 6.0) -> None:
    for _ in range(int(seconds / 0.05)):
        if condition():
            return
        await pilot.pause(0.05)
    raise AssertionError("timed out")


@pytest.mark.parametrize("code", [errno.ENOSPC, errno.EACCES, errno.EROFS])
async def test_typing_survives_a_failing_disk_and_is_saved_once_it_recovers(tmp_path, monkeypatch, code):
    db, review_id, app = app_on_blank_impact(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.focused, TextArea))
        monkeypatch.setattr(store.storage, "write_durably", failing(code))
        for key in "Checkout down for 40 minutes.":
            await pilot.press(key)
        await wait_for(pilot, lambda: bool(app.sub_title))
        assert app.sub_title.startswith(f"Not saved: {os.strerror(code)}, ")
        assert "pm-1.json" in app.sub_title and "nothing typed is lost" in app.sub_title
        assert app.screen.query_one("#impact", TextArea).text == "Checkout down for 40 minutes."
        assert stored(db, review_id)["impact"] == ""
        for key in " About 1200 orders failed.":  # typing goes on while the disk is still failing
            await pilot.press(key)
        await pilot.pause(0.5)
        monkeypatch.setattr(store.storage, "write_durably", REAL_WRITE)
        await wait_for(pilot, lambda: stored(db, review_id)["impact"]
                       == "Checkout down for 40 minutes. About 1200 orders failed.")
        await wait_for(pilot, lambda: not app.sub_title)
        assert app.screen.query_one("#impact", TextArea).text == stored(db, review_id)["impact"]


async def test_what_cannot_be_saved_at_exit_goes_to_a_named_recovery_file(tmp_path, monkeypatch):
    db, review_id, app = app_on_blank_impact(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.focused, TextArea))
        monkeypatch.setattr(store.storage, "write_durably", failing(errno.ENOSPC))
        for key in "Typed on a full disk":
            await pilot.press(key)
        await pilot.press("ctrl+q")
        await pilot.pause()
    assert app.recovery_path is not None and app.recovery_path.exists()
    saved = json.loads(app.recovery_path.read_text())
    assert "No space left on device" in saved["error"]
    # the batch that failed first, kept whole (it may have been stored), then what was typed over it
    edits = [(edit["review"], edit["operation"], edit["field"], edit["value"]) for edit in saved["edits"]]
    assert edits[-1] == (review_id, "set", "impact", "Typed on a full disk")
    assert oct(app.recovery_path.stat().st_mode & 0o777) == "0o600"
    monkeypatch.setattr(store.storage, "write_durably", REAL_WRITE)
    from tui.cli import main

    assert main(["--db", str(db), "recover", str(app.recovery_path)]) == 0  # what the exit message says to run
    assert stored(db, review_id)["impact"] == "Typed on a full disk"


async def test_items_added_moved_and_deleted_on_a_full_disk_are_kept_and_saved_once_it_recovers(tmp_path, monkeypatch):
    db = tmp_path / "reviews.json"
    review_id = seed(db, dict(complete_review("went_well"), went_well=[{"text": "kept"}, {"text": "gone"}]))
    app = new_app(db, start="open", review_id=review_id)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: app.focused is not None and app.focused.has_class("item-field"))
        monkeypatch.setattr(store.storage, "write_durably", failing(errno.ENOSPC))
        for text in ("first new", "second new"):
            for key in text:
                await pilot.press(key)
            await pilot.press("enter")  # the item is done: a blank form for the next
        await wait_for(pilot, lambda: bool(app.sub_title))
        await pilot.press("escape", "home", "down")  # the list, on "gone"
        await pilot.press("delete")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "ConfirmDialog")
        await pilot.press("tab", "enter")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "WentWellScreen")
        await pilot.press("home", "shift+down")  # "kept" below the first new item
        shown = [item.text for item in app.screen.review.went_well]
        assert shown == ["first new", "kept", "second new"]
        assert [item["text"] for item in stored(db, review_id)["went_well"]] == ["kept", "gone"]
        assert app.sub_title.startswith("Not saved: No space left on device")

        monkeypatch.setattr(store.storage, "write_durably", REAL_WRITE)
        await wait_for(pilot, lambda: [item["text"] for item in stored(db, review_id)["went_well"]] == shown)
        await wait_for(pilot, lambda: not app.sub_title)
        assert [item.text for item in app.screen.review.went_well] == shown


async def test_the_header_says_quietly_whether_what_was_typed_is_on_disk(tmp_path, monkeypatch):
    db, review_id, app = app_on_blank_impact(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.focused, TextArea))
        assert app.screen.sub_title.endswith(" left  saved")
        landed = threading.Event()  # the write waits for it: on a slow machine the typing pause can pass during press

        def held_write(path, raw, backup=None):
            landed.wait(WAIT)
            return REAL_WRITE(path, raw, backup)

        monkeypatch.setattr(store.storage, "write_durably", held_write)
        await pilot.press("E")
        assert app.screen.sub_title.endswith(" left  saving")  # at once, before the typing pause
        await pilot.pause(0.4)
        assert app.screen.sub_title.endswith(" left  saving")  # handed to the writer, not on disk yet
        landed.set()
        await wait_for(pilot, lambda: app.screen.sub_title.endswith(" left  saved"))
        assert stored(db, review_id)["impact"] == "E"

        monkeypatch.setattr(store.storage, "write_durably", failing(errno.EACCES))
        await pilot.press("U")
        await wait_for(pilot, lambda: app.screen.sub_title.endswith(" left  NOT SAVED: Permission denied"))
        monkeypatch.setattr(store.storage, "write_durably", REAL_WRITE)
        await wait_for(pilot, lambda: app.screen.sub_title.endswith(" left  saved"))
        assert stored(db, review_id)["impact"] == "EU"
