"""The archive of per-review files (store v2): layout, ids, the derived index, and migration from one file.

A change to one review must touch no other review's file; the list reads an
index that is only ever a cache; an archive in the old single-file layout is
moved into the new one losslessly, and a SIGKILL at any moment of that move
leaves either the old archive in use or the new one complete.
"""

from __future__ import annotations

import os
import random
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from store import ops  # noqa: E402
from store.db import ReviewStore, archive_paths, default_db_path  # noqa: E402
from store.errors import CorruptFile, NewerSchema  # noqa: E402
from store.model import new_review  # noqa: E402
from store.render import RENDERERS  # noqa: E402
from store.single_file import SingleFileStore  # noqa: E402
from store.storage import dump, parse  # noqa: E402


def mode(path: Path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def files_of(directory: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in directory.iterdir() if path.is_file()}


def exports(store) -> dict[str, str]:
    """Every review's interchange JSON and written summary, by id: what a user would compare."""
    return {
        review.id: RENDERERS["json"](review) + RENDERERS["markdown"](review)
        for review in store.list_reviews()
    }


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "data" / "reviews.json"


@pytest.fixture
def store(db: Path) -> ReviewStore:
    return ReviewStore(db)


# -- layout --------------------------------------------------------------------


def test_where_an_archive_lives(tmp_path: Path, monkeypatch) -> None:
    assert archive_paths(tmp_path / "team.json") == (tmp_path / "team", tmp_path / "team.json")
    assert archive_paths(tmp_path / "data") == (tmp_path / "data" / "reviews", tmp_path / "data" / "reviews.json")
    monkeypatch.setenv("POSTMORTEM_DB", str(tmp_path / "x"))
    assert default_db_path() == tmp_path / "x"
    monkeypatch.delenv("POSTMORTEM_DB")
    assert "postmortem" in default_db_path().parts


def test_one_private_file_per_review(store: ReviewStore, db: Path) -> None:
    first = store.create()
    second = store.create(new_review("project", "Late launch").to_dict())
    reviews = db.with_suffix("")
    assert (reviews / "pm-1.json").exists() and (reviews / "pm-2.json").exists()
    assert mode(reviews / "pm-1.json") == 0o600 and mode(reviews) == 0o700
    assert [r.id for r in store.list_reviews()] == [second.id, first.id]
    assert store.get(second.id).title == "Late launch"


def test_writes_leave_no_temp_files(store: ReviewStore, db: Path) -> None:
    review = store.create()
    for title in ("one", "two", "three"):
        store.apply(review.id, ops.Set("title", title))
    names = sorted(path.name for path in db.with_suffix("").iterdir() if path.is_file())
    assert names == [f"{review.id}.json", f"{review.id}.json.bak"]
    assert parse((db.with_suffix("") / f"{review.id}.json.bak").read_bytes())["reviews"]["1"]["title"] == "two"


def test_a_change_touches_no_other_reviews_file(store: ReviewStore, db: Path) -> None:
    one, two = store.create(), store.create()
    reviews = db.with_suffix("")
    before = files_of(reviews)
    inode = os.stat(reviews / f"{one.id}.json").st_ino
    store.apply(two.id, ops.Set("title", "Only this one"))
    after = files_of(reviews)
    assert after[f"{one.id}.json"] == before[f"{one.id}.json"]
    assert os.stat(reviews / f"{one.id}.json").st_ino == inode
    assert after[f"{two.id}.json"] != before[f"{two.id}.json"]


# -- ids -----------------------------------------------------------------------


def test_ids_are_never_reused_even_when_the_counter_is_lost(store: ReviewStore, db: Path) -> None:
    # (tests/test_backend.py has the rest of "never reused", for every backend)
    store.create()
    second = store.create()
    store.delete(second.id)
    assert ReviewStore(db).create().id == "pm-3"
    # no id of a file there is or was comes back
    (db.with_suffix("") / ".archive" / "archive.json").unlink()
    assert ReviewStore(db).create().id == "pm-4"


# -- the index -----------------------------------------------------------------


def test_the_index_is_a_cache_rebuilt_when_damaged(store: ReviewStore, db: Path) -> None:
    review = store.create(new_review("incident", "Kept").to_dict())
    store.list_summaries()
    index = db.with_suffix("") / ".archive" / "index.json"
    assert index.exists()
    index.write_bytes(b"{not json")
    assert [s.title for s in ReviewStore(db).list_summaries()] == ["Kept"]
    # an entry whose file changed since is not believed
    store.apply(review.id, ops.Set("title", "Changed"))
    assert [s.title for s in ReviewStore(db).list_summaries()] == ["Changed"]


def test_a_damaged_review_is_listed_and_the_rest_still_open(store: ReviewStore, db: Path) -> None:
    good = store.create(new_review("incident", "Fine").to_dict())
    bad = store.create(new_review("incident", "Will break").to_dict())
    store.apply(bad.id, ops.Set("impact", "something"))
    path = db.with_suffix("") / f"{bad.id}.json"
    path.write_bytes(b"garbage")
    titles = {s.id: s.title for s in ReviewStore(db).list_summaries()}
    assert titles[good.id] == "Fine" and "damaged" in titles[bad.id]
    with pytest.raises(CorruptFile, match=f"restore {bad.id}") as raised:
        ReviewStore(db).get(bad.id)
    assert path.read_bytes() == b"garbage"
    ReviewStore(db).restore_backup(bad.id)
    assert ReviewStore(db).get(bad.id).title == "Will break"
    assert [p.read_bytes() for p in path.parent.glob(f"{bad.id}.json.corrupt-*")] == [b"garbage"]
    assert raised.value.path == path


# -- migration -------------------------------------------------------------------


def make_legacy(path: Path, reviews: int = 4) -> SingleFileStore:
    """An archive in the old single-file layout, with items, actions, a follow-up and a gap in the ids."""
    old = SingleFileStore(path)
    for number in range(reviews):
        review = old.create(new_review("incident" if number % 2 else "project", f"Review {number}").to_dict())
        old.apply(review.id, ops.Add("timeline", {"at": "2026-11-20T14:05:00+00:00", "text": "Deploy starts",
                                                  "marker": "started"}))
        old.apply(review.id, ops.Add("went_well", f"Rollback was quick {number}"))
        old.apply(review.id, ops.Add("actions", {"what": "Alert on memory", "owner": "Sam", "due": "2026-12-15",
                                                 "status": "done", "note": "fired in the drill"}))
        old.apply(review.id, ops.Set("follow_up.held", "2026-12-20"))
    removed = old.create()
    old.delete(removed.id)
    return old


def test_an_old_archive_moves_into_the_new_layout_losslessly(db: Path) -> None:
    db.parent.mkdir(parents=True)
    old = make_legacy(db)
    before_bytes, before = db.read_bytes(), exports(old)
    store = ReviewStore(db)
    assert exports(store) == before
    assert db.read_bytes() == before_bytes  # the old file is kept untouched beside it
    item_ids = [item.id for item in store.get("pm-2").went_well]
    assert item_ids == [item.id for item in old.get("pm-2").went_well]
    assert store.create().id == "pm-6"  # pm-5 was deleted in the old archive: not reused
    meta = parse((db.with_suffix("") / ".archive" / "archive.json").read_bytes())
    assert meta["migrated_from"] == str(db)
    # a second open does not migrate again (the new review stays)
    assert len(ReviewStore(db).list_reviews()) == 5


def test_an_unreadable_old_archive_is_refused_and_nothing_written(db: Path) -> None:
    db.parent.mkdir(parents=True)
    db.write_bytes(b"{broken")
    with pytest.raises(CorruptFile, match="reviews.json"):
        ReviewStore(db)
    assert db.read_bytes() == b"{broken"
    assert not (db.with_suffix("") / ".archive" / "archive.json").exists()
    assert not list(db.with_suffix("").glob("pm-*"))


def test_an_old_archive_of_a_newer_schema_is_refused(db: Path) -> None:
    db.parent.mkdir(parents=True)
    db.write_bytes(dump({"reviews": {}, "meta": {"1": {"schema": 99}}}))
    with pytest.raises(NewerSchema):
        ReviewStore(db)


def test_an_old_schema_0_archive_is_migrated_in_memory(db: Path) -> None:
    db.parent.mkdir(parents=True)
    old = dump({"_default": {}, "reviews": {"3": {"title": "Ancient", "went_well": ["Good comms"]}}})
    db.write_bytes(old)
    store = ReviewStore(db)
    review = store.get("pm-3")
    assert review.title == "Ancient" and review.went_well[0].id
    assert db.read_bytes() == old
    assert store.create().id == "pm-4"


MIGRATING_CHILD = """
import sys
from store.db import ReviewStore
print("ready", flush=True)
ReviewStore(sys.argv[1])
print("migrated", flush=True)
"""


def time_one_migration(source: Path, folder: Path, env: dict[str, str]) -> float:
    """Seconds one child takes to migrate a copy of `source`, from "ready" to "migrated"."""
    folder.mkdir()
    db = folder / "reviews.json"
    db.write_bytes(source.read_bytes())
    child = subprocess.Popen([sys.executable, "-c", MIGRATING_CHILD, str(db)], stdout=subprocess.PIPE,
                             text=True, env=env)
    assert child.stdout.readline() == "ready\n"
    started = time.monotonic()
    assert child.stdout.readline() == "migrated\n"
    seconds = time.monotonic() - started
    child.wait()
    child.stdout.close()
    return seconds


@pytest.mark.slow
def test_sigkill_during_the_migration_leaves_old_or_complete(tmp_path: Path) -> None:
    source = tmp_path / "source" / "reviews.json"
    source.parent.mkdir()
    expected = exports(make_legacy(source, reviews=40))
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    rng = random.Random(9)
    # How long a whole migration takes here and now (a loaded machine takes several times longer): the
    # kills land anywhere from the start to a little past the end of one. The slowest of three timings,
    # so that one lucky fast migration does not set every kill too early.
    migration_seconds = max(time_one_migration(source, tmp_path / f"timed{run}", env) for run in range(3))
    outcomes = {"old": 0, "complete": 0}
    for attempt in range(110):
        db = tmp_path / f"run{attempt % 4}" / "reviews.json"
        if attempt < 4:
            db.parent.mkdir()
        if not db.exists() or (db.with_suffix("") / ".archive" / "archive.json").exists():
            # start over from the old archive alone
            for path in sorted(db.parent.rglob("*"), reverse=True):
                path.rmdir() if path.is_dir() else path.unlink()
            db.write_bytes(source.read_bytes())
        child = subprocess.Popen([sys.executable, "-c", MIGRATING_CHILD, str(db)], stdout=subprocess.PIPE,
                                 text=True, env=env)
        assert child.stdout.readline() == "ready\n"
        time.sleep(rng.uniform(0, 1.25 * migration_seconds))
        child.send_signal(signal.SIGKILL)
        child.wait()
        child.stdout.close()
        assert db.read_bytes() == source.read_bytes()
        done = (db.with_suffix("") / ".archive" / "archive.json").exists()
        outcomes["complete" if done else "old"] += 1
        if done:
            assert exports(ReviewStore(db)) == expected
    assert outcomes["old"] >= 10 and outcomes["complete"] >= 1, outcomes
    # an interrupted migration is finished by the next open
    for run in tmp_path.glob("run*"):
        assert exports(ReviewStore(run / "reviews.json")) == expected
        assert not list((run / "reviews").glob(".pm-*.tmp-*"))


# -- review ids ------------------------------------------------------------------


def test_every_backend_reads_review_ids_one_way(store: ReviewStore) -> None:
    from store.errors import UnknownReview
    from store.model import review_number

    assert review_number("pm-12") == 12 and review_number("pm-999999999999999999") == 999999999999999999
    for wrong in ("pm-012", "pm-0", "pm-", "pm-x", "12", "PM-1", "pm-1 ", "pm-1234567890123456789"):
        with pytest.raises(UnknownReview):
            review_number(wrong)
    review = store.create()
    with pytest.raises(UnknownReview, match="pm-01"):
        store.get("pm-01")
    assert store.get(review.id).id == "pm-1"
