"""A save that fails after the review's file was already replaced is sent again, and applied once.

The file backend's write is: temp file, fsync, replace, fsync of the
directory.  When that last fsync fails, the new file is in place but the
save reports an error, and the saver sends the batch again.  Merged
three-way a second time, the text would be stored twice ("Typed.\\nTyped.");
the batch's token, stored in the review's file with the change, makes the
second sending a no-op.
"""

from __future__ import annotations

import errno
import os
import stat
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from store import ops  # noqa: E402
from store.db import ReviewStore  # noqa: E402
from store.model import new_review  # noqa: E402
from tui.saver import Saver  # noqa: E402

REAL_FSYNC = os.fsync


def fail_directory_fsync_once(monkeypatch) -> list[int]:
    """os.fsync raises EIO the first time it is given a directory (the fsync after the replace)."""
    failed: list[int] = []

    def fsync(fd: int) -> None:
        if not failed and stat.S_ISDIR(os.fstat(fd).st_mode):
            failed.append(fd)
            raise OSError(errno.EIO, os.strerror(errno.EIO))
        REAL_FSYNC(fd)

    monkeypatch.setattr(os, "fsync", fsync)
    return failed


def store_and_saver(tmp_path: Path) -> tuple[ReviewStore, str, Saver, list]:
    store = ReviewStore(tmp_path / "data")
    review_id = store.create(new_review("incident", "Checkout").to_dict()).id
    errors: list = []
    return store, review_id, Saver(store, on_error=errors.append), errors


def test_a_batch_stored_before_its_save_failed_is_not_stored_twice(tmp_path, monkeypatch) -> None:
    store, review_id, saver, errors = store_and_saver(tmp_path)
    failed = fail_directory_fsync_once(monkeypatch)
    saver.queue(review_id, ("set", "impact"), ops.Set("impact", "Typed.", base=""))
    saver.flush(wait=True)
    assert failed and saver.failure.startswith("Not saved: Input/output error")
    assert store.get(review_id).impact == "Typed."  # the file was replaced before the fsync failed
    saver.flush(wait=True)  # the retry
    assert store.get(review_id).impact == "Typed."
    assert not saver.has_pending and saver.failure == ""


def test_what_was_typed_after_such_a_failure_is_stored_once_too(tmp_path, monkeypatch) -> None:
    store, review_id, saver, errors = store_and_saver(tmp_path)
    fail_directory_fsync_once(monkeypatch)
    saver.queue(review_id, ("set", "impact"), ops.Set("impact", "Typed.", base=""))
    saver.flush(wait=True)
    # the field remembers what it sent: typing goes on over it
    saver.queue(review_id, ("set", "impact"), ops.Set("impact", "Typed. More.", base="Typed."))
    saver.flush(wait=True)
    assert store.get(review_id).impact == "Typed. More."
    assert not saver.has_pending


def test_an_add_sent_again_adds_one_item(tmp_path, monkeypatch) -> None:
    store, review_id, saver, errors = store_and_saver(tmp_path)
    fail_directory_fsync_once(monkeypatch)
    saver.queue(review_id, saver.explicit_key(), ops.Add("went_well", {"text": "Rollback was quick"}, item_id=ops.fresh_item_id()))
    saver.flush(wait=True)
    saver.flush(wait=True)
    assert [item.text for item in store.get(review_id).went_well] == ["Rollback was quick"]


def test_a_token_is_applied_once_by_the_store_itself(tmp_path) -> None:
    store = ReviewStore(tmp_path / "data")
    review_id = store.create().id
    first = store.apply(review_id, ops.Set("impact", "EU down", base=""), token="t1")
    again = store.apply(review_id, ops.Set("impact", "EU down", base=""), token="t1")
    assert first.review.impact == again.review.impact == "EU down"
    other = store.apply(review_id, ops.Set("impact", "EU down", base=""), token="t2")
    assert other.review.impact == "EU down\nEU down"  # another change typing the same is kept, as always
