"""The embedded default store: one TinyDB file per review, in a reviews directory.

Layout of an archive (``--db PATH``, ``POSTMORTEM_DB`` or the user data directory)::

    reviews/                  the reviews directory: review files only
      pm-12.json              one review (a durable TinyDB file, see store.single_file)
      pm-12.json.bak          its last good version
      pm-7.json.deleted       a deleted review, kept aside (its id is never reused)
      .archive/archive.json   the archive's counter of review ids, and where it was migrated from
      .archive/index.json     each review's digest, checked against its file's stat
      .archive/words.json     each review's search words, likewise (read at the first word search)
      .archive/locks/         one lock file per review, and the archive's lock
      .archive/presence/pm-12/  who is in review pm-12's live session (store.presence_files)
    reviews.json              an archive in the old single-file layout, if there was one

A change to a review locks and rewrites that review's file only, so it costs
the same at 10 reviews as at 5,000, and the writers of one review never wait
for another's.  The list, search and statistics read the index: for each
review file its stat and the review's digest (the few fields those views
read, store.digest), well under a KB or two rather than the whole review;
word search reads each review's words (each once) from a second cache, read
only when someone searches.  A file whose stat still matches its entry is
not read again.
The index is derived, never the source of truth; a missing, damaged or
older-format one is rebuilt from the files.

An old single-file archive is migrated on first open: every review is written
to its own file, then ``archive.json`` is written last.  Until that write the
old file is the archive (a killed migration is simply run again); after it,
the new layout is complete.  The old file is never changed.
"""

from __future__ import annotations

import errno
import os
import re
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import platformdirs
from filelock import FileLock

from store import ops as operations
from store.archive import TextIndex
from store.backend import Backend, Change, T
from store.digest import digest, search_words
from store.errors import CorruptFile, NewerSchema, StoreError, UnknownReview
from store.migrate import MIGRATIONS, schema_of
from store.model import SCHEMA, Review, ReviewSummary, review_number
from store.presence_files import PresenceDirectory
from store.session import Member
from store.single_file import LOCK_POLL, SingleFileStore, backup_path_for, now, restore_backup, shape_problem
from store.validate import clean_stored, is_counter, stored_problem
from store.storage import (
    FILE_MODE,
    ParseError,
    dump,
    fsync_dir,
    is_read_only,
    link_target,
    make_private_dir,
    parse,
    paused_gc,
    read_bytes,
    temp_path,
    write_durably,
)

__all__ = ["Change", "ReviewStore", "default_db_path", "archive_paths"]

LAYOUT = 2
_REVIEW_FILE = re.compile(r"^pm-([1-9][0-9]*)\.json$")
_ANY_REVIEW_NAME = re.compile(r"^pm-([1-9][0-9]*)\.json(\.deleted)?$")
# A later listing rewrites the index only when this many entries went stale:
# one review changed by another participant is cheaper to re-read than to
# rewrite the whole cache for.
_INDEX_REWRITE_AT = 32
# The index's entries are [stat key, digest] and the words' [stat key, search words] (store.digest);
# an index of another format is rebuilt.
_INDEX_FORMAT = 3


def default_db_path() -> Path:
    """Where reviews live unless ``--db`` says otherwise: ``POSTMORTEM_DB``, else the user data directory."""
    configured = os.environ.get("POSTMORTEM_DB")
    if configured:
        return Path(configured).expanduser()
    return Path(platformdirs.user_data_dir("postmortem", appauthor=False))


def archive_paths(location: str | Path) -> tuple[Path, Path]:
    """The reviews directory and the old single file for ``--db location``.

    ``X.json`` (the old layout's name) means the directory ``X`` beside it; a
    directory means its ``reviews`` subdirectory (and ``reviews.json`` there),
    unless it is a reviews directory already.
    """
    path = Path(location).expanduser().absolute()
    if path.suffix == ".json" and not path.is_dir():
        return path.with_suffix(""), path
    if (path / ".archive").is_dir():
        return path, path.with_suffix(".json")
    return path / "reviews", path / "reviews.json"


def _stat_key(stat: os.stat_result) -> tuple[int, int, int]:
    """Files are only ever replaced, so a new inode (or mtime, or size) means new content."""
    return (stat.st_ino, stat.st_mtime_ns, stat.st_size)


class ReviewStore(Backend):
    """An archive of per-review files, safe to use from several processes and threads at once."""

    def __init__(self, location: str | Path) -> None:
        """Open the archive, migrating an old single file first; raises CorruptFile or NewerSchema.

        Nothing is written until the first change, except the directories and a migration.
        """
        self.location = str(location)
        self.root, self.legacy = archive_paths(location)
        self.path = self.root  # what messages name
        self.meta_dir = self.root / ".archive"
        self.locks = self.meta_dir / "locks"
        # A read-only archive is read (list, check, export, stats, the app), never locked or written.
        self.read_only = is_read_only(self.root)
        if not self.read_only:
            make_private_dir(self.locks)
        self._archive_lock = FileLock(str(self.locks / "archive.lock"), mode=FILE_MODE, thread_local=False)
        self._mutex = threading.RLock()
        self._files: dict[int, SingleFileStore] = {}
        self._cache: dict[str, tuple[Any, dict]] | None = None  # the index's entries
        self._words: dict[str, tuple[Any, str]] | None = None  # the search words' entries, once searched
        self._presence = PresenceDirectory(self.meta_dir / "presence")
        if self.legacy.exists() and not self.archive_file.exists() and not self.read_only:
            with self._archive_lock.acquire(poll_interval=LOCK_POLL):
                if not self.archive_file.exists():
                    self._migrate_legacy()

    @property
    def archive_file(self) -> Path:
        return self.meta_dir / "archive.json"

    @property
    def index_file(self) -> Path:
        return self.meta_dir / "index.json"

    @property
    def words_file(self) -> Path:
        return self.meta_dir / "words.json"

    def review_path(self, review_id: str) -> Path:
        return self.root / f"pm-{review_number(review_id)}.json"

    # -- one review -----------------------------------------------------------

    def get(self, review_id: str) -> Review:
        return self._file(review_id).get(review_id)

    def apply(self, review_id: str, *ops: operations.Operation, token: str | None = None) -> Change:
        """``token`` is kept in the review's file with the change, so the same change sent again is applied once.

        A write can fail after the new file is in place (the fsync of the
        directory); the saver then sends the batch again, under its token.
        """
        self._refuse_if_read_only()
        return self._file(review_id).apply(review_id, *ops, token=token)

    def _refuse_if_read_only(self) -> None:
        """A change to a read-only archive: PermissionError (the app keeps the edits and says why)."""
        if self.read_only:
            raise PermissionError(errno.EACCES, "read-only, so nothing was changed "
                                  "(list, check, export and stats still work)", str(self.root))

    def create(self, doc: dict | None = None) -> Review:
        return next(self.create_many([doc]))

    def create_many(self, docs: list[dict | None]) -> Iterator[Review]:
        """Reserve the ids of all at once (one counter write), then write each review's own file.

        Ids reserved for reviews that are then not written (an error, a kill) are skipped, never reused.
        """
        self._refuse_if_read_only()
        with self._archive_lock.acquire(poll_interval=LOCK_POLL):
            first = self._next_number()
            self._write_archive_file(next_review=first + len(docs))
        for number, doc in enumerate(docs, start=first):
            review = self._open_file(number, new=True).create(doc, number=number)
            if len(docs) > 1:
                with self._mutex:
                    self._files.pop(number, None)  # do not hold a thousand open files after a bulk import
            yield review

    def delete(self, review_id: str) -> None:
        """Set the review's file aside as ``pm-N.json.deleted`` (recoverable by hand, never listed)."""
        self._refuse_if_read_only()
        review_file = self._file(review_id)
        with review_file._locked():
            if not review_file.path.exists():
                raise UnknownReview(review_id)
            os.replace(review_file.path, review_file.path.with_name(review_file.path.name + ".deleted"))
            fsync_dir(self.root)
        with self._mutex:
            self._files.pop(review_number(review_id), None)

    def version(self, review_id: str | None = None) -> object:
        """The review file's stat (None while there is none); without an id, the reviews directory's.

        Every write replaces a file in the reviews directory, which changes the
        directory's mtime; locks and the index live in a subdirectory, so they do not.
        """
        path = self.review_path(review_id) if review_id else self.root
        try:
            info = os.stat(path)
        except FileNotFoundError:
            return None
        return _stat_key(info)

    def restore_backup(self, review_id: str, force: bool = False) -> None:
        """Put ``pm-N.json.bak`` back in place of a damaged ``pm-N.json`` (kept as ``.corrupt-<time>``).

        A healthy file is refused unless ``force``.
        """
        self._refuse_if_read_only()
        number = review_number(review_id)
        if not (self.root / f"pm-{number}.json").exists() and not self.backup_path(review_id).exists():
            raise UnknownReview(review_id)
        restore_backup(self.root / f"pm-{number}.json", self._lock_path(number), force)
        with self._mutex:
            self._files.pop(number, None)

    def backup_path(self, review_id: str) -> Path:
        return backup_path_for(self.review_path(review_id))

    def _file(self, review_id: str) -> SingleFileStore:
        """The open file of an existing review; UnknownReview when there is none."""
        number = review_number(review_id)
        path = link_target(self.root / f"pm-{number}.json")  # a dangling link is named, not taken for no review
        if not path.exists():
            raise UnknownReview(review_id)
        return self._open_file(number)

    def _open_file(self, number: int, new: bool = False) -> SingleFileStore:
        """The review file's store, opened once per process (``new``: an id just reserved, see create_many).

        Opening takes the review's file lock, which another process's writer
        may hold: not under the archive's mutex, which the list takes too (a
        delete waiting for a writer froze the list on the event loop).
        """
        with self._mutex:
            found = self._files.get(number)
        if found is not None:
            return found
        opened = SingleFileStore(
            self.root / f"pm-{number}.json",
            lock_path=self._lock_path(number),
            restore_command=f"postmortem --db {self.location} restore pm-{number}",
            new=new,
        )
        with self._mutex:
            return self._files.setdefault(number, opened)

    def _lock_path(self, number: int) -> Path:
        return self.locks / f"pm-{number}.lock"

    # -- ids --------------------------------------------------------------------

    def _next_number(self) -> int:
        """The counter, but past every review file there is or was (if the counter was lost or edited)."""
        counter = 1
        raw = read_bytes(self.archive_file)
        if raw:
            try:
                found = parse(raw).get("next_review")
                counter = found if is_counter(found) else 1  # a lost or mangled counter: the files say
            except (ParseError, AttributeError):
                counter = 1
        used = [int(m.group(1)) for name in os.listdir(self.root) if (m := _ANY_REVIEW_NAME.match(name))]
        return max([counter, *(number + 1 for number in used)])

    def _write_archive_file(self, next_review: int, **extra: Any) -> None:
        raw = read_bytes(self.archive_file)
        meta: dict = {}
        if raw:
            try:
                meta = parse(raw)
            except ParseError:
                meta = {}
        meta = (meta if isinstance(meta, dict) else {}) | {"layout": LAYOUT, "next_review": next_review} | extra
        write_durably(self.archive_file, dump(meta))

    # -- moving a whole archive ---------------------------------------------------

    def next_id(self) -> int:
        if self.read_only:  # nobody can be creating a review in it (a lock file could not even be made)
            return self._next_number()
        with self._archive_lock.acquire(poll_interval=LOCK_POLL):
            return self._next_number()

    def copy_in(self, docs: list[dict], next_id: int) -> None:
        """Write each review's file as the migration does, then the counter (``archive.json``) last."""
        self._refuse_if_read_only()
        with self._archive_lock.acquire(poll_interval=LOCK_POLL):
            held = sorted(name for name in os.listdir(self.root) if _REVIEW_FILE.match(name))
            if held:
                raise StoreError(f"{self.root} already holds reviews ({', '.join(held[:3])}...); "
                                 "copy only into an empty archive (nothing was copied)")
            top = 0
            for doc in docs:
                number = review_number(doc.get("id", ""))
                top = max(top, number)
                single = {"reviews": {str(number): doc}, "meta": {"1": {"schema": SCHEMA, "next_review": number + 1}}}
                path = self.root / f"pm-{number}.json"
                write_durably(path, dump(single), backup_path_for(path))
            self._write_archive_file(max(next_id, top + 1, self._next_number()))

    # -- the live session -------------------------------------------------------

    def announce(self, review_id: str, member: Member) -> None:
        if not self.read_only:  # an observer of a read-only archive is simply not shown
            self._presence.announce(f"pm-{review_number(review_id)}", member)

    def present(self, review_id: str) -> list[Member]:
        return self._presence.present(f"pm-{review_number(review_id)}")

    def depart(self, review_id: str, member_id: str) -> None:
        if not self.read_only:
            self._presence.depart(f"pm-{review_number(review_id)}", member_id)

    # -- the whole archive ----------------------------------------------------

    def read_documents(self, read: Callable[[dict], T]) -> list[T]:
        """Every review's whole stored dict, newest first: each file is read (copy and export need them all).

        The list, search and statistics read the index's digests instead (below).
        """
        with self._mutex:
            numbers = [int(_REVIEW_FILE.match(name).group(1)) for name in self._entries()]
            docs = [self._read_review(number) for number in numbers if (self.root / f"pm-{number}.json").exists()]
        docs.sort(key=_newest_first, reverse=True)
        return [read(doc) for doc in docs]

    def list_summaries(self) -> list[ReviewSummary]:
        return self._read_digests(ReviewSummary.from_dict)

    def damaged(self) -> list[tuple[str, str]]:
        return [found for found in self._read_digests(lambda light: (light.get("id"), light.get("damaged")))
                if found[1]]

    def reviews_for_stats(self) -> list[Review]:
        """From the index's digests, which hold all that statistics read (store.digest)."""
        return [Review.from_dict(light) for light in self._read_digests(dict) if not light.get("damaged")]

    def search_texts(self, known: TextIndex | None = None) -> dict[str, str]:
        """From the search words cache (``.archive/words.json``, read at the first word search, not before)."""
        with self._mutex:
            digests = self._entries()
            first = self._words is None
            cache = self._load_cache(self.words_file) if first else self._words
            fresh: dict[str, tuple[Any, str]] = {}
            stale = 0
            for name, (key, light) in digests.items():
                cached = cache.get(name)
                if key is not None and cached is not None and cached[0] == key:
                    fresh[name] = cached
                    continue
                stale += 1
                fresh[name] = (key, search_words(self._read_review(int(_REVIEW_FILE.match(name).group(1)))))
            self._words = fresh
            if _rewrite_due(first, stale, len(fresh), len(cache)):
                self._save_cache(self.words_file, fresh)
            return {str(digests[name][1].get("id", "")): words for name, (_, words) in fresh.items()}

    def _read_digests(self, read: Callable[[dict], T]) -> list[T]:
        with self._mutex:
            lights = [light for _, light in self._entries().values()]
        lights.sort(key=_newest_first, reverse=True)
        return [read(light) for light in lights]

    def _entries(self) -> dict[str, tuple[Any, dict]]:
        """Each review file's index entry, brought up to date (caller holds the mutex).

        An entry is (the file's stat key, the review's digest); a file whose
        stat still matches its entry is not read again.
        """
        first = self._cache is None
        cache = self._load_cache(self.index_file) if first else self._cache
        fresh: dict[str, tuple[Any, dict]] = {}
        stale = 0
        with os.scandir(self.root) as entries:
            for entry in entries:
                match = _REVIEW_FILE.match(entry.name)
                if not match:
                    continue
                try:
                    key = list(_stat_key(entry.stat()))
                except FileNotFoundError:
                    continue  # deleted while we looked
                cached = cache.get(entry.name)
                if cached is not None and cached[0] == key:
                    fresh[entry.name] = cached
                    continue
                stale += 1
                doc = self._read_review(int(match.group(1)))
                cacheable = doc.get("schema") == SCHEMA  # a damaged or older file is read again next time
                fresh[entry.name] = (key if cacheable else None, digest(doc))
        self._cache = fresh
        if _rewrite_due(first, stale, len(fresh), len(cache)):
            self._save_cache(self.index_file, fresh)
        return fresh

    def _read_review(self, number: int) -> dict:
        """One review file's document, migrated if older; a stand-in naming the damage if it cannot be read."""
        review_id = f"pm-{number}"
        path = self.root / f"pm-{number}.json"
        try:
            raw = read_bytes(path) or b""
            data = parse(raw)
            if shape_problem(data) is None and schema_of(data) == SCHEMA and stored_problem(data) is None:
                clean_stored(raw, data)
                doc = (data.get("reviews") or {}).get(str(number))
                if isinstance(doc, dict):
                    return doc
            return self._open_file(number).get(review_id).to_dict()  # older schema: migrated there
        except (ParseError, StoreError, OSError) as error:
            reason = "written by a newer postmortem" if isinstance(error, NewerSchema) else "damaged"
            return {"id": review_id, "title": f"({reason}: postmortem open {review_id} says what to do)",
                    "updated": "", "damaged": str(error)}

    def _load_cache(self, path: Path) -> dict[str, tuple[Any, Any]]:
        """The index or the words as last written by any process; empty when missing, unreadable or older."""
        try:
            data = parse(read_bytes(path) or b"{}")
            fits = data.get("layout") == LAYOUT and data.get("format") == _INDEX_FORMAT
            entries = data.get("entries") if fits else None
            return {name: (key, value) for name, (key, value) in (entries or {}).items()}
        except (ParseError, AttributeError, TypeError, ValueError):
            return {}

    def _save_cache(self, path: Path, entries: dict[str, tuple[Any, Any]]) -> None:
        """Replace the index or the words atomically; no fsync, since a lost or torn one is only rebuilt."""
        if self.read_only:
            return  # only a cache
        raw = dump({"layout": LAYOUT, "format": _INDEX_FORMAT,
                    "entries": {name: list(entry) for name, entry in entries.items() if entry[0]}})
        temp = temp_path(path)
        try:
            with open(temp, "xb") as handle:
                handle.write(raw)
            os.chmod(temp, FILE_MODE)
            os.replace(temp, path)
        except OSError:
            temp.unlink(missing_ok=True)  # a read-only archive still lists; it is only a cache

    # -- migration from the single-file layout -------------------------------

    def _migrate_legacy(self) -> None:
        """Write every review of the old file to its own file, then the archive file (caller holds the lock)."""
        data = _read_legacy(self.legacy)
        for leftover in self.root.glob(".pm-*.tmp-*"):
            leftover.unlink(missing_ok=True)  # a killed migration's: nobody else writes here yet
        reviews = data.get("reviews") or {}
        with paused_gc():
            for key, doc in reviews.items():
                number = int(key)
                doc["id"] = f"pm-{number}"
                single = {"reviews": {key: doc}, "meta": {"1": {"schema": SCHEMA, "next_review": number + 1}}}
                path = self.root / f"pm-{number}.json"
                write_durably(path, dump(single), backup_path_for(path))
        meta = next(iter((data.get("meta") or {}).values()), {}) or {}
        top = max((int(key) for key in reviews), default=0)
        next_review = max(meta["next_review"] if is_counter(meta.get("next_review")) else 1, top + 1)
        self._write_archive_file(next_review, migrated_from=str(self.legacy), migrated=now())


def _rewrite_due(first: bool, stale: int, now_held: int, held_before: int) -> bool:
    """Whether a cache is written back: on a first use that found it stale, after many changes, or after deletes."""
    return (stale and first) or stale >= _INDEX_REWRITE_AT or now_held < held_before


def _newest_first(doc: dict) -> tuple[str, int]:
    """The sort key of the archive's order (reversed): last updated, then the higher id."""
    try:
        number = review_number(doc.get("id", ""))
    except UnknownReview:
        number = 0
    return str(doc.get("updated") or ""), number


def _read_legacy(path: Path) -> dict:
    """The old single file's data at the current schema, migrated in memory (the file is not changed)."""
    raw = read_bytes(path) or b'{"reviews": {}}'
    backup = backup_path_for(path)
    command = f"postmortem --db {path} restore"
    try:
        data = parse(raw)
    except ParseError as error:
        raise CorruptFile(path, f"not JSON: {error}", backup if backup.exists() else None, command) from None
    problem = shape_problem(data)
    if problem:
        raise CorruptFile(path, problem, backup if backup.exists() else None, command)
    found = schema_of(data)
    if found > SCHEMA:
        raise NewerSchema(path, found, SCHEMA)
    for version in range(found, SCHEMA):
        data = MIGRATIONS[version](data)
    return data

