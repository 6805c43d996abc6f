"""``postmortem restore``: only a damaged file (or with --force), and no id is handed out twice afterwards."""

from __future__ import annotations

import json

import pytest

from store import ops
from store.db import ReviewStore
from test_cli import GOOD, run


@pytest.fixture
def db(tmp_path):
    return tmp_path / "data" / "reviews.json"


def review_with_a_later_change(db) -> ReviewStore:
    store = ReviewStore(db)
    store.create(json.loads(json.dumps(GOOD)))
    store.apply("pm-1", ops.Set("title", "The last change"))
    return store


def test_restore_refuses_a_healthy_file_and_changes_nothing(db, capsys):
    store = review_with_a_later_change(db)
    path = store.review_path("pm-1")
    before = path.read_bytes()
    code, out, err = run(capsys, "--db", str(db), "restore", "pm-1")
    assert code == 2 and out == ""
    assert "is not damaged" in err and "--force" in err
    assert path.read_bytes() == before
    assert ReviewStore(db).get("pm-1").title == "The last change"


def test_restore_force_rolls_back_a_healthy_file(db, capsys):
    review_with_a_later_change(db)
    code, _, _ = run(capsys, "--db", str(db), "restore", "pm-1", "--force")
    assert code == 0
    assert ReviewStore(db).get("pm-1").title == GOOD["title"]


@pytest.mark.parametrize("force", [False, True], ids=["damaged", "forced"])
def test_no_item_id_is_handed_out_twice_after_a_restore(db, capsys, force):
    store = review_with_a_later_change(db)
    added = store.apply("pm-1", ops.Add("went_well", "added after the backup")).added[0]
    if not force:
        path = store.review_path("pm-1")
        path.write_bytes(path.read_bytes()[:-40])  # damaged: cut short
    assert run(capsys, "--db", str(db), "restore", "pm-1", *(["--force"] if force else []))[0] == 0
    again = ReviewStore(db).apply("pm-1", ops.Add("went_well", "added after the restore")).added[0]
    assert int(again.removeprefix("i")) > int(added.removeprefix("i"))


def test_restore_of_an_unknown_review_names_it(db, capsys):
    ReviewStore(db)
    code, _, err = run(capsys, "--db", str(db), "restore", "pm-9")
    assert code == 2 and "pm-9" in err
