"""A backup that cannot be kept (``pm-1.json.bak`` is a directory): the error names the backup, nothing changes."""

from __future__ import annotations

import json

import pytest

from store import ops
from store.db import ReviewStore
from test_cli import GOOD, run


@pytest.fixture
def db(tmp_path):
    return tmp_path / "data" / "reviews.json"


def with_backup_as_directory(db) -> ReviewStore:
    store = ReviewStore(db)
    store.create(json.loads(json.dumps(GOOD)))
    backup = store.backup_path("pm-1")
    backup.unlink()
    backup.mkdir()
    return store


def test_a_save_names_the_backup_and_leaves_the_file_and_no_temp_file(db):
    store = with_backup_as_directory(db)
    path = store.review_path("pm-1")
    before = path.read_bytes()
    with pytest.raises(OSError) as raised:
        store.apply("pm-1", ops.Set("title", "changed"))
    assert raised.value.filename == str(store.backup_path("pm-1"))
    assert "pm-1.json.bak" in str(raised.value) and ".tmp-" not in str(raised.value)
    assert path.read_bytes() == before
    assert not [p.name for p in path.parent.iterdir() if ".tmp-" in p.name]


def test_the_command_names_the_backup(tmp_path, db, capsys):
    with_backup_as_directory(db)
    events = tmp_path / "events.txt"
    events.write_text("14:30 the database is back\n", encoding="utf-8")
    code, _, err = run(capsys, "--db", str(db), "timeline-import", "pm-1", str(events))
    assert code == 2
    assert "pm-1.json.bak" in err and ".tmp-" not in err


def test_restore_names_a_backup_that_is_a_directory(db, capsys):
    store = with_backup_as_directory(db)
    store.review_path("pm-1").write_bytes(b"damaged")
    code, _, err = run(capsys, "--db", str(db), "restore", "pm-1")
    assert code == 2 and "pm-1.json.bak is a directory" in err
