"""``postmortem recover FILE``: the edits the app could not save are applied once, however often it runs.

The recovery files here are written by the app's own saver on a failing
disk, as at a real exit; the command applies them through the store (ops and
the three-way text merge), prints what it applied per review, and refuses a
file that does not parse or names a review the archive does not hold.
"""

from __future__ import annotations

import errno
import json
import os
import stat
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import store.storage  # noqa: E402
from store import ops  # noqa: E402
from store.db import ReviewStore  # noqa: E402
from store.model import new_review  # noqa: E402
from tui.app import recover_command  # noqa: E402
from tui.cli import main  # noqa: E402
from tui.saver import Saver  # noqa: E402

REAL_WRITE = store.storage.write_durably


def full_disk(path, raw, backup=None):
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))


@pytest.fixture
def archive(tmp_path: Path) -> tuple[Path, str]:
    db = tmp_path / "data"
    review = ReviewStore(db).create(new_review("incident", "Checkout down").to_dict())
    return db, review.id


def recovery_file_of(db: Path, tmp_path: Path, monkeypatch, *edits: tuple[str, object, object]) -> Path:
    """Type ``edits`` (review, key, op) into a saver on a full disk, then write its recovery file as the app does."""
    saver = Saver(ReviewStore(db), on_error=lambda error: None)
    monkeypatch.setattr(store.storage, "write_durably", full_disk)
    for review_id, key, op in edits:
        saver.queue(review_id, key, op)
        saver.flush(wait=True)
    monkeypatch.setattr(store.storage, "write_durably", REAL_WRITE)
    path = saver.write_recovery([tmp_path])
    saver.close()
    assert path is not None
    return path


def test_recover_applies_the_unsaved_edits_once_however_often_it_runs(archive, tmp_path, monkeypatch, capsys) -> None:
    db, review_id = archive
    path = recovery_file_of(db, tmp_path, monkeypatch,
                            (review_id, ("set", "impact"), ops.Set("impact", "EU down", base="")),
                            (review_id, ("add",), ops.Add("went_well", {"text": "Rollback was quick"},
                                                          item_id=ops.fresh_item_id())),
                            (review_id, ("set", "impact"), ops.Set("impact", "EU down 40 min", base="EU down")))
    assert ReviewStore(db).get(review_id).impact == ""
    assert main(["--db", str(db), "recover", str(path)]) == 0
    assert capsys.readouterr().out == f"{review_id}: applied 2 edits (went_well, impact)\n"  # the two impacts merged, after the add
    review = ReviewStore(db).get(review_id)
    assert review.impact == "EU down 40 min" and [item.text for item in review.went_well] == ["Rollback was quick"]
    assert main(["--db", str(db), "recover", str(path)]) == 0  # again: nothing doubled
    assert capsys.readouterr().out == f"{review_id}: 2 edits already applied, left as stored\n"
    review = ReviewStore(db).get(review_id)
    assert review.impact == "EU down 40 min" and len(review.went_well) == 1


def test_a_batch_stored_before_its_error_is_not_applied_again(archive, tmp_path, monkeypatch, capsys) -> None:
    db, review_id = archive
    saver = Saver(ReviewStore(db), on_error=lambda error: None)
    real_fsync = os.fsync

    def fsync(fd: int) -> None:  # the directory's fsync, after the file was replaced, always fails
        if stat.S_ISDIR(os.fstat(fd).st_mode):
            raise OSError(errno.EIO, os.strerror(errno.EIO))
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", fsync)
    saver.queue(review_id, ("set", "impact"), ops.Set("impact", "Typed.", base=""))
    saver.flush(wait=True)
    path = saver.write_recovery([tmp_path])
    saver.close()
    monkeypatch.setattr(os, "fsync", real_fsync)
    assert ReviewStore(db).get(review_id).impact == "Typed."  # it was stored, but not reported so
    assert main(["--db", str(db), "recover", str(path)]) == 0
    assert capsys.readouterr().out == f"{review_id}: 1 edit already applied, left as stored\n"
    assert ReviewStore(db).get(review_id).impact == "Typed."


def test_text_typed_meanwhile_by_others_is_merged_not_overwritten(archive, tmp_path, monkeypatch, capsys) -> None:
    db, review_id = archive
    path = recovery_file_of(db, tmp_path, monkeypatch,
                            (review_id, ("set", "impact"), ops.Set("impact", "EU down.", base="")))
    ReviewStore(db).apply(review_id, ops.Set("title", "Checkout down for EU users", base="Checkout down"))
    assert main(["--db", str(db), "recover", str(path)]) == 0
    review = ReviewStore(db).get(review_id)
    assert (review.title, review.impact) == ("Checkout down for EU users", "EU down.")


def test_a_file_that_does_not_parse_is_refused_and_nothing_applied(archive, tmp_path, capsys) -> None:
    db, review_id = archive
    broken = tmp_path / "postmortem-recovery-broken.json"
    broken.write_text('{"edits": [{"review": "pm-1", "operation": "set", "field": "impact", "value": "x"')
    before = (db / "reviews" / f"{review_id}.json").read_bytes()
    assert main(["--db", str(db), "recover", str(broken)]) == 2
    error = capsys.readouterr().err
    assert error.startswith(f"postmortem: {broken}: not JSON") and "nothing was applied" in error
    wrong = tmp_path / "wrong.json"
    wrong.write_text(json.dumps({"edits": [{"review": review_id, "operation": "rename", "field": "impact"}]}))
    assert main(["--db", str(db), "recover", str(wrong)]) == 2
    assert "edit 1: operation 'rename' is not one of set, add, edit, move, remove" in capsys.readouterr().err
    assert (db / "reviews" / f"{review_id}.json").read_bytes() == before


def test_a_file_naming_a_review_not_in_the_archive_is_refused_and_nothing_applied(archive, tmp_path, capsys) -> None:
    db, review_id = archive
    path = tmp_path / "recovery.json"
    path.write_text(json.dumps({"edits": [
        {"review": review_id, "token": "a", "operation": "set", "field": "impact", "value": "EU down", "base": ""},
        {"review": "pm-9", "token": "b", "operation": "set", "field": "impact", "value": "elsewhere", "base": ""},
    ]}))
    assert main(["--db", str(db), "recover", str(path)]) == 2
    error = capsys.readouterr().err
    assert f"names pm-9, which is not in {db}" in error and "nothing was applied" in error
    assert ReviewStore(db).get(review_id).impact == ""


def test_an_older_file_without_tokens_is_still_applied_once(archive, tmp_path, capsys) -> None:
    db, review_id = archive
    path = tmp_path / "recovery.json"
    path.write_text(json.dumps({"about": "postmortem edits that could not be saved", "error": "", "edits": [
        {"review": review_id, "operation": "set", "field": "impact", "value": "EU down", "base": ""}]}))
    for _ in range(2):
        assert main(["--db", str(db), "recover", str(path)]) == 0
    assert ReviewStore(db).get(review_id).impact == "EU down"
    assert capsys.readouterr().out.splitlines() == [f"{review_id}: applied 1 edit (impact)",
                                                    f"{review_id}: 1 edit already applied, left as stored"]


def test_an_edit_the_store_refuses_is_reported_and_the_rest_applied(archive, tmp_path, capsys) -> None:
    db, review_id = archive
    path = tmp_path / "recovery.json"
    path.write_text(json.dumps({"edits": [
        {"review": review_id, "token": "a", "operation": "edit", "list": "went_well", "item_id": "i404",
         "changes": {"text": "gone"}},
        {"review": review_id, "token": "a", "operation": "set", "field": "impact", "value": "EU down", "base": ""},
    ]}))
    assert main(["--db", str(db), "recover", str(path)]) == 1
    captured = capsys.readouterr()
    assert "i404" in captured.err and captured.out == f"{review_id}: applied 1 edit (impact); 1 edit refused (see above)\n"
    assert ReviewStore(db).get(review_id).impact == "EU down"


def test_the_app_names_the_command_with_the_file() -> None:
    assert recover_command("/data/my reviews", Path("/tmp/postmortem-recovery-1.json")) == (
        "postmortem --db '/data/my reviews' recover /tmp/postmortem-recovery-1.json")
    assert "secret" not in recover_command("postgresql://team:secret@db/reviews", Path("/tmp/r.json"))
