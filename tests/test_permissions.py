"""Permissions: a file the user made read-only is not written; a read-only archive can still be read.

Checked by the files' modes, so these hold even when the tests run as root
(who may write anything).
"""

from __future__ import annotations

import json
import os
import stat

import pytest

from store import ops
from store.db import ReviewStore
from test_cli import GOOD, run
from tui_helpers import SIZE, new_app, screen_text, wait_for_screen


@pytest.fixture
def db(tmp_path):
    path = tmp_path / "data" / "reviews.json"
    ReviewStore(path).create(json.loads(json.dumps(GOOD)) | {"ground_rules_confirmed": True, "step": "summary"})
    yield path
    for directory in path.with_suffix("").rglob("*"):
        if directory.is_dir():
            directory.chmod(0o700)
    path.with_suffix("").chmod(0o700)


def files_of(db) -> dict[str, bytes]:
    root = db.with_suffix("")
    return {str(p.relative_to(root)): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def test_a_review_file_made_read_only_is_not_written(db, capsys):
    store = ReviewStore(db)
    path = store.review_path("pm-1")
    path.chmod(0o400)
    before = path.read_bytes()
    with pytest.raises(PermissionError) as raised:
        store.apply("pm-1", ops.Set("title", "changed"))
    assert raised.value.filename == str(path) and "read-only" in str(raised.value)
    assert path.read_bytes() == before and stat.S_IMODE(os.stat(path).st_mode) == 0o400
    code, out, _ = run(capsys, "--db", str(db), "export", "pm-1")
    assert code == 0 and GOOD["title"] in out


def test_a_read_only_archive_can_be_listed_checked_exported_and_counted_but_not_changed(tmp_path, db, capsys):
    root = db.with_suffix("")
    root.chmod(0o500)
    before = files_of(db)
    assert run(capsys, "--db", str(db), "list")[1].count("pm-1") == 1
    assert run(capsys, "--db", str(db), "check", "pm-1")[0] in (0, 1)
    code, out, _ = run(capsys, "--db", str(db), "export", "pm-1", "--format", "json")
    assert code == 0 and json.loads(out)["title"] == GOOD["title"]
    assert run(capsys, "--db", str(db), "stats")[0] == 0
    source = tmp_path / "new.json"
    source.write_text(json.dumps(GOOD))
    code, out, err = run(capsys, "--db", str(db), "import", str(source))
    assert code == 2 and out == "" and "read-only" in err and str(root) in err
    assert files_of(db) == before and sorted(p.name for p in root.iterdir()) == sorted(
        {name.split("/")[0] for name in before} | {".archive"})


async def test_the_app_opens_a_read_only_archive_and_says_so(db):
    db.with_suffix("").chmod(0o500)
    before = files_of(db)
    async with new_app(db).run_test(size=SIZE) as pilot:
        await wait_for_screen(pilot, "HomeScreen")
        assert "READ-ONLY" in screen_text(pilot)
        await pilot.press("enter")
        await wait_for_screen(pilot, "SummaryScreen")
        await pilot.pause()
        assert "READ-ONLY" in screen_text(pilot)
    assert files_of(db) == before


async def test_typing_on_a_read_only_archive_is_refused_at_once_not_lost_later(db):
    """Every field is shown and none takes keys: the refusal says why, and nothing waits to fail as NOT SAVED."""
    from textual.widgets import Input, TextArea

    from tui_helpers import static_text

    db.with_suffix("").chmod(0o500)
    before = files_of(db)
    async with new_app(db).run_test(size=SIZE) as pilot:
        await wait_for_screen(pilot, "HomeScreen")
        await pilot.press("enter")
        await wait_for_screen(pilot, "SummaryScreen")
        await pilot.pause()
        fields = list(pilot.app.screen.query(Input)) + list(pilot.app.screen.query(TextArea))
        assert fields and all(field.disabled for field in fields)
        await pilot.press("a", "b")
        await pilot.pause()
        assert "This archive is read-only" in static_text(pilot, "#refusal")
        assert "NOT SAVED" not in screen_text(pilot) and not pilot.app.saver.has_pending
    assert files_of(db) == before
