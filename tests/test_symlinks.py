"""A review file that is a symbolic link: saves write through to its target, and the link stays a link."""

from __future__ import annotations

import json
import os

import pytest

from store import ops
from store.db import ReviewStore
from test_cli import GOOD, run


@pytest.fixture
def linked(tmp_path):
    """pm-1.json in the archive is a link to a file kept elsewhere (say, in a shared or versioned folder)."""
    db = tmp_path / "data" / "reviews.json"
    store = ReviewStore(db)
    store.create(json.loads(json.dumps(GOOD)))
    elsewhere = tmp_path / "shared"
    elsewhere.mkdir()
    target = elsewhere / "checkout.json"
    path = store.review_path("pm-1")
    os.replace(path, target)
    path.symlink_to(target)
    return db, path, target


def test_a_save_writes_through_the_link_and_keeps_it(linked):
    db, path, target = linked
    ReviewStore(db).apply("pm-1", ops.Set("title", "Changed through the link"))
    assert path.is_symlink() and os.path.realpath(path) == str(target)
    assert json.loads(target.read_text())["reviews"]["1"]["title"] == "Changed through the link"
    backup = ReviewStore(db).backup_path("pm-1")
    assert not backup.is_symlink() and json.loads(backup.read_text())["reviews"]["1"]["title"] == GOOD["title"]
    ReviewStore(db).apply("pm-1", ops.Set("title", "Again"))
    assert path.is_symlink() and ReviewStore(db).get("pm-1").title == "Again"
    assert not [p.name for p in target.parent.iterdir() if ".tmp-" in p.name]


def test_a_dangling_link_is_refused_by_name_and_left_alone(linked, capsys, tmp_path):
    db, path, target = linked
    store = ReviewStore(db)
    store.get("pm-1")
    target.rename(tmp_path / "moved.json")
    with pytest.raises(OSError) as raised:
        store.apply("pm-1", ops.Set("title", "x"))
    assert raised.value.filename == str(path) and str(target) in str(raised.value)
    assert path.is_symlink() and os.readlink(path) == str(target)


def test_the_command_names_a_dangling_link(linked, capsys, tmp_path):
    db, path, target = linked
    target.rename(tmp_path / "moved.json")
    code, _, err = run(capsys, "--db", str(db), "export", "pm-1")
    assert code == 2 and str(path) in err and "does not exist" in err
    assert path.is_symlink()
