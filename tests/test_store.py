"""The file engine under every review: permissions, backups, and refusing files it must not touch.

Each review of the archive (store.db) is one such file; these test the engine
(store.single_file) directly, with several reviews in one file as the old
single-file archive had them.  What every backend promises (ids, operations,
failed changes, several stores at once) is tests/test_backend.py, run against
the file backend (this engine) and PostgreSQL.

These pin down the promises of DESIGN.md "The store": ids never reused, a
failed change writes nothing, private files, a corrupt or newer file left
byte-for-byte alone, older files migrated only after a backup.
"""

from __future__ import annotations

import os
import stat
import sys
from pathlib import Path

import orjson
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from store import migrate as migrate_module  # noqa: E402
from store.single_file import SingleFileStore as ReviewStore, restore_backup  # noqa: E402
from store.errors import CorruptFile, NewerSchema  # noqa: E402
from store.model import SCHEMA  # noqa: E402
from store.ops import Add, Set  # noqa: E402


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "data" / "reviews.json"


@pytest.fixture
def store(path: Path) -> ReviewStore:
    return ReviewStore(path)


def mode(path: Path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


# -- basics -------------------------------------------------------------------


def test_no_file_until_first_write(store: ReviewStore, path: Path) -> None:
    assert not path.exists()
    assert store.list_reviews() == []
    assert store.version() is None
    store.create()
    assert path.exists()


def test_new_directory_and_files_are_private(tmp_path: Path) -> None:
    path = tmp_path / "a" / "b" / "reviews.json"
    store = ReviewStore(path)
    store.create()
    store.create()
    assert mode(tmp_path / "a") == 0o700 and mode(path.parent) == 0o700
    assert mode(path) == 0o600
    assert mode(store.backup_path()) == 0o600
    assert mode(path.with_name("reviews.json.lock")) == 0o600


def test_existing_directory_keeps_its_mode(tmp_path: Path) -> None:
    tmp_path.joinpath("shared").mkdir()
    os.chmod(tmp_path / "shared", 0o750)
    ReviewStore(tmp_path / "shared" / "reviews.json").create()
    assert mode(tmp_path / "shared") == 0o750


def test_existing_file_keeps_its_mode_and_group(store: ReviewStore, path: Path) -> None:
    store.create()
    os.chmod(path, 0o640)
    group = os.stat(path).st_gid
    if os.geteuid() == 0:  # root can hand the file to another group: check that it stays there
        group = next(gid for gid in (65534, 1, 2, 3) if gid != os.getgid())
        os.chown(path, -1, group)
    store.create()
    assert mode(path) == 0o640
    assert os.stat(path).st_gid == group
    store.create()
    assert mode(store.backup_path()) == 0o640  # the backup is the previous file itself


def test_empty_file_is_an_empty_store(path: Path) -> None:
    path.parent.mkdir(parents=True)
    path.touch()
    store = ReviewStore(path)
    assert store.list_reviews() == []
    assert store.create().id == "pm-1"
    # the empty file is not kept as the backup: the first good version is
    assert b"pm-1" in store.backup_path().read_bytes()


# -- files the store must not overwrite ---------------------------------------


def _every_call(store: ReviewStore):
    return [
        store.list_reviews,
        lambda: store.get("pm-1"),
        store.create,
        lambda: store.apply("pm-1", Set("title", "x")),
        lambda: store.delete("pm-1"),
    ]


@pytest.mark.parametrize("garbage", [b'{"reviews": {"1": {"ti', b"\x00\xff garbage", b"[1, 2, 3]",
                                     b'{"reviews": []}', b'{"reviews": {"x": {}}}'])
def test_corrupt_file_is_refused_and_left_alone(store: ReviewStore, path: Path, garbage: bytes) -> None:
    store.create()
    store.apply("pm-1", Set("title", "good"))
    path.write_bytes(garbage)
    for call in _every_call(store):
        with pytest.raises(CorruptFile) as raised:
            call()
        assert str(path) in str(raised.value)
        assert str(store.backup_path()) in str(raised.value)
        assert raised.value.backup == store.backup_path()
    with pytest.raises(CorruptFile):
        ReviewStore(path)
    assert path.read_bytes() == garbage


def test_corrupt_file_without_backup(path: Path) -> None:
    path.parent.mkdir(parents=True)
    path.write_bytes(b"not json")
    with pytest.raises(CorruptFile, match="no backup exists") as raised:
        ReviewStore(path)
    assert raised.value.backup is None
    assert path.read_bytes() == b"not json"


def test_restore_backup(store: ReviewStore, path: Path) -> None:
    review_id = store.create().id
    store.apply(review_id, Set("title", "good"))
    path.write_bytes(b"garbage")
    store.restore_backup()
    assert store.get(review_id).title == ""  # the version before the last write
    assert [p.read_bytes() for p in path.parent.glob("reviews.json.corrupt-*")] == [b"garbage"]


def test_restore_backup_when_the_store_cannot_open(store: ReviewStore, path: Path) -> None:
    store.create()
    store.create()
    path.write_bytes(b"garbage")
    with pytest.raises(CorruptFile) as raised:
        ReviewStore(path)
    restore_backup(raised.value.path)
    assert [review.id for review in ReviewStore(path).list_reviews()] == ["pm-1"]


def test_newer_schema_is_refused_without_writing(path: Path) -> None:
    path.parent.mkdir(parents=True)
    raw = orjson.dumps({"reviews": {}, "meta": {"1": {"schema": SCHEMA + 1, "next_review": 1}}})
    path.write_bytes(raw)
    with pytest.raises(NewerSchema, match="upgrade"):
        ReviewStore(path)
    assert path.read_bytes() == raw
    assert sorted(p.name for p in path.parent.iterdir()) == ["reviews.json", "reviews.json.lock"]


def test_newer_schema_written_later_is_refused(store: ReviewStore, path: Path) -> None:
    store.create()
    raw = orjson.dumps({"reviews": {}, "meta": {"1": {"schema": SCHEMA + 1, "next_review": 9}}})
    path.write_bytes(raw)
    for call in _every_call(store):
        with pytest.raises(NewerSchema):
            call()
    assert path.read_bytes() == raw


# -- migration ----------------------------------------------------------------

SCHEMA0 = {
    "_default": {},
    "reviews": {
        "1": {"title": "old one", "went_well": [{"text": "a"}, "plain b"],
              "actions": [{"id": "i4", "what": "c"}], "updated": "2025-01-01T00:00:00+00:00"},
        "3": {"title": "old three", "five_whys": {"problem": "p", "chains": [{"whys": ["w"]}]},
              "updated": "2025-02-01T00:00:00+00:00"},
    },
}


def test_migration_from_schema_0_after_a_backup(path: Path, monkeypatch) -> None:
    path.parent.mkdir(parents=True)
    old = orjson.dumps(SCHEMA0)
    path.write_bytes(old)
    backup = path.with_name("reviews.json.schema0.bak")
    step = migrate_module.MIGRATIONS[0]

    def checked_step(data: dict) -> dict:
        assert backup.read_bytes() == old, "migrated before the backup was written"
        return step(data)

    monkeypatch.setitem(migrate_module.MIGRATIONS, 0, checked_step)
    store = ReviewStore(path)
    assert backup.read_bytes() == old
    assert mode(backup) == 0o600
    stored = orjson.loads(path.read_bytes())
    assert stored["meta"] == {"1": {"schema": SCHEMA, "next_review": 4}}
    assert [review.id for review in store.list_reviews()] == ["pm-3", "pm-1"]
    one = store.get("pm-1")
    assert [(item.id, item.text) for item in one.went_well] == [("i5", "a"), ("i6", "plain b")]
    assert store.apply("pm-1", Add("lucky", "x")).added == ["i7"]
    assert store.get("pm-3").five_whys.chains[0].id == "i1"
    assert store.create().id == "pm-4"


def test_migration_happens_once(path: Path) -> None:
    path.parent.mkdir(parents=True)
    path.write_bytes(orjson.dumps(SCHEMA0))
    ReviewStore(path)
    migrated = path.read_bytes()
    ReviewStore(path)
    assert path.read_bytes() == migrated


def test_older_file_appearing_later_is_migrated(store: ReviewStore, path: Path) -> None:
    store.create()
    path.write_bytes(orjson.dumps(SCHEMA0))
    assert [review.id for review in store.list_reviews()] == ["pm-3", "pm-1"]
    assert orjson.loads(path.read_bytes())["meta"]["1"]["schema"] == SCHEMA
    assert path.with_name("reviews.json.schema0.bak").exists()


def test_stock_tinydb_file_without_meta_opens(path: Path) -> None:
    path.parent.mkdir(parents=True)
    path.write_bytes(b'{"_default": {}}')
    assert ReviewStore(path).create().id == "pm-1"


# -- crash leftovers ----------------------------------------------------------


def test_leftover_temp_files_removed_at_start(store: ReviewStore, path: Path) -> None:
    store.create()
    leftovers = [path.with_name(".reviews.json.tmp-" + suffix) for suffix in ("dead", "beef")]
    for leftover in leftovers:
        leftover.write_bytes(b'{"half')
    unrelated = path.with_name("notes.txt")
    unrelated.write_text("keep me")
    ReviewStore(path)
    assert not any(leftover.exists() for leftover in leftovers)
    assert unrelated.exists()
    assert [review.id for review in ReviewStore(path).list_reviews()] == ["pm-1"]


def test_writes_leave_no_temp_files(store: ReviewStore, path: Path) -> None:
    review_id = store.create().id
    for index in range(5):
        store.apply(review_id, Add("went_well", str(index)))
    assert sorted(p.name for p in path.parent.iterdir()) == [
        "reviews.json", "reviews.json.bak", "reviews.json.lock"]


def test_backup_is_the_previous_version(store: ReviewStore, path: Path) -> None:
    store.create()
    before = path.read_bytes()
    store.create()
    assert store.backup_path().read_bytes() == before
    assert store.backup_path().name == "reviews.json.bak"


def test_the_first_write_leaves_a_backup_to_restore_after_damage(tmp_path):
    path = tmp_path / "r.json"
    review = ReviewStore(path).create()
    path.write_bytes(b"garbage")
    with pytest.raises(CorruptFile) as raised:
        ReviewStore(path)
    assert str(path.with_name("r.json.bak")) in str(raised.value)
    restore_backup(path)
    assert ReviewStore(path).get(review.id).id == review.id
