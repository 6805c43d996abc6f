"""`postmortem copy --from A --to B`: a whole archive moved between backends, ids kept.

The check a user would make: every review's JSON export, byte for byte, is the
same from the copy as from the original, and a new review in the copy does not
get an id the original ever used.  Here from a data directory into PostgreSQL
and back (skipped, saying why, where PostgreSQL is not installed).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from store import ops
from store.db import ReviewStore
from tui.cli import main


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = main([str(arg) for arg in args])
    out, err = capsys.readouterr()
    return code, out, err


def exports(capsys, db, ids) -> dict[str, str]:
    """Each review's interchange JSON as `postmortem export ID --format json` prints it."""
    found = {}
    for review_id in ids:
        code, out, _ = run(capsys, "--db", db, "export", review_id, "--format", "json")
        assert code == 0
        found[review_id] = out
    return found


@pytest.fixture
def source(tmp_path: Path) -> Path:
    """A file archive with items, a follow-up, and a deleted review (pm-3)."""
    path = tmp_path / "source"
    store = ReviewStore(path)
    for title in ("Checkout 500s", "Login errors", "Removed", "Late launch"):
        review = store.create({"title": title, "severity": "SEV2", "timezone": "Europe/Berlin"})
        store.apply(review.id, ops.Add("timeline", {"at": "2026-11-20T14:05:00+01:00", "text": f"{title} began"}),
                    ops.Add("actions", {"what": "Alert on pool size", "owner": "Sam", "due": "2026-12-15"}),
                    ops.Set("impact", "Orders failed — “quoted” ünïcode ✓"))
    store.delete("pm-3")
    return path


def test_an_archive_copied_into_postgresql_and_back_exports_byte_for_byte_the_same(
        capsys, source, postgres_url, tmp_path) -> None:
    ids = ["pm-1", "pm-2", "pm-4"]
    original = exports(capsys, source, ids)
    code, out, err = run(capsys, "copy", "--from", source, "--to", postgres_url)
    assert (code, err) == (0, "") and "copied 3 review(s)" in out
    assert exports(capsys, postgres_url, ids) == original
    back = tmp_path / "back"
    assert run(capsys, "copy", "--from", postgres_url, "--to", back)[0] == 0
    assert exports(capsys, back, ids) == original
    # the list is the same, and no id the original used is handed out again (pm-3 was deleted there)
    assert run(capsys, "--db", back, "list")[1] == run(capsys, "--db", source, "list")[1]
    for db in (postgres_url, back):
        code, out, _ = run(capsys, "--db", db, "import", *_exported_file(capsys, source, tmp_path))
        assert (code, out) == (0, "pm-5\n")


def _exported_file(capsys, db, tmp_path: Path) -> list[Path]:
    path = tmp_path / "one.json"
    path.write_text(exports(capsys, db, ["pm-1"])["pm-1"], encoding="utf-8")
    return [path]


def test_copying_into_an_archive_that_holds_reviews_is_refused_and_writes_nothing(
        capsys, source, archive_location, open_archive) -> None:
    target = open_archive()
    target.create({"title": "Already here"})
    code, _, err = run(capsys, "copy", "--from", source, "--to", archive_location)
    assert code == 2 and "already holds reviews" in err and "nothing was copied" in err
    assert [summary.title for summary in target.list_summaries()] == ["Already here"]


def test_a_damaged_review_in_the_source_stops_the_copy_before_anything_is_written(capsys, source, tmp_path) -> None:
    (source / "reviews" / "pm-2.json").write_bytes(b"{not json")
    target = tmp_path / "target"
    code, _, err = run(capsys, "copy", "--from", source, "--to", target)
    assert code == 2 and "pm-2" in err and "restore it first" in err
    assert run(capsys, "--db", target, "list")[1].startswith("No reviews yet")
