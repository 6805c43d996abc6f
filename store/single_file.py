"""One TinyDB file of reviews, changed only by locked, durable transactions.

This was the whole archive (``reviews.json``) until store v2; it is now the
engine of each per-review file of :mod:`store.db` (a file holding one review),
and still reads an old single-file archive for the migration and the benchmark.

Several participants, each in their own process, work on the same file at
once.  So every change takes an exclusive lock (``<name>.lock`` beside the
file, via filelock), reads the file afresh, applies its operations to the
latest document and writes the whole file atomically (see
:mod:`store.storage`).  Two people changing different items of one review both
keep their change.  Reads take no file lock (files are only ever replaced, so
a reader always sees a whole file); the app polls :meth:`SingleFileStore.version`
to notice other processes' writes.

The file holds table ``reviews`` (doc_id N is review ``pm-N``) and table
``meta`` (one document: ``{"schema": 2, "next_review": N}``).  Review and item
ids come from counters that only grow, so an id is never given out twice.
"""

from __future__ import annotations

import os
import re
import shutil
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, TypeVar

from filelock import FileLock
from tinydb import TinyDB
from tinydb.table import Document

from store import ops as operations
from store.backend import Change
from store.errors import CorruptFile, NewerSchema, StoreError, UnknownReview
from store.migrate import migrate, number_items, schema_of
from store.model import SCHEMA, Review, ReviewSummary, new_review, review_number
from store.sanitize import quote
from store.validate import clean_stored, is_counter, meta_problem, stored_problem
from store.storage import (
    FILE_MODE,
    dump,
    is_read_only,
    DurableJSONStorage,
    ParseError,
    make_private_dir,
    parse,
    paused_gc,
    read_bytes,
    remove_leftover_temp_files,
    write_durably,
)

T = TypeVar("T")
_META_ID = 1
# How often a writer waiting for a review's lock tries again.  A write holds
# it for a millisecond or two; filelock's default (50 ms) made one wait in
# twenty cost 25 times the write with 8 participants saving.
LOCK_POLL = 0.002
# How many changes' tokens a file keeps (see SingleFileStore.apply): a change
# is sent again about two seconds after its write failed, and recovered ones
# when ``postmortem recover`` runs; 64 other changes of the same review in
# between, and a repeated one would be applied again.  About 2 KB.
APPLIED_KEPT = 64


def backup_path_for(path: Path) -> Path:
    """The last good version of ``path``: the file as it was before the latest write."""
    return path.with_name(f"{path.name}.bak")


def lock_path_for(path: Path) -> Path:
    """The lock file every process changing ``path`` takes."""
    return path.with_name(f"{path.name}.lock")


def now() -> str:
    """The current time as stored in ``created``/``updated``: UTC, ISO 8601 with offset."""
    return datetime.now(timezone.utc).isoformat(timespec="microseconds")


def new_document(doc: dict | None) -> dict:
    """A new review's document (every backend's ``create``): ``doc`` checked and filled in, or a blank one.

    Its id and times are set by the store; its items are numbered by
    :func:`store.migrate.number_items` once the id is known.
    """
    source = doc or {}
    data = Review.from_dict(doc).to_dict() if doc is not None else new_review().to_dict()
    operations.sort_timeline(data)  # (imported events may be in any order; changes keep it sorted from here)
    if source.get("next_item"):
        data["next_item"] = source["next_item"]
    return data


def shape_problem(data: Any) -> str | None:
    """What is wrong with the parsed file's layout, or None when it is a review file."""
    if not isinstance(data, dict):
        return f"expected a JSON object of tables, found {type(data).__name__}"
    for name in ("reviews", "meta"):
        table = data.get(name, {})
        if not isinstance(table, dict):
            return f"table {quote(name)} is not an object"
        for key, doc in table.items():
            if not key.isdigit() or not isinstance(doc, dict):
                return f"table {quote(name)} has a malformed document {quote(key)}"
            if name == "meta" and meta_problem(doc):
                return meta_problem(doc)
    schema = schema_of(data)
    if not isinstance(schema, int) or isinstance(schema, bool):
        return f"schema {quote(schema)} is not a number"
    return None


class _NeedsMigration(Exception):
    """Raised by a lock-free read that found an older schema; the caller retries under the lock."""


class SingleFileStore:
    """All reviews in one file, safe to use from several processes and threads at once."""

    def __init__(self, path: str | Path, lock_path: Path | None = None, restore_command: str | None = None,
                 new: bool = False) -> None:
        """Open (not create) the file: clean up after crashed writers, check it, migrate it if older.

        ``lock_path``: the lock file (default ``<name>.lock`` beside it);
        ``restore_command``: what a corrupt-file message tells the user to run;
        ``new``: a file about to be created under a never-used name, so there
        are no leftovers of it to look for (looking lists the whole directory).
        Raises CorruptFile or NewerSchema without writing anything.
        """
        self.path = Path(path).expanduser().absolute()
        make_private_dir(self.path.parent)
        self.restore_command = restore_command or f"postmortem --db {self.path} restore"
        self._mutex = threading.RLock()
        lock = lock_path or lock_path_for(self.path)
        self._file_lock = FileLock(str(lock), mode=FILE_MODE, thread_local=False)
        self._locked_depth = 0
        self._migrated = False
        self._db = TinyDB(self.path, storage=DurableJSONStorage, decode=self._decode,
                          backup=self.backup_path())
        self._storage: DurableJSONStorage = self._db.storage
        self._reviews = self._db.table("reviews")
        self._meta = self._db.table("meta")
        self.read_only = is_read_only(self.path.parent)
        if self.read_only:  # read, never locked nor cleaned up: a lock file could not even be created
            self._check_without_lock()
            return
        with self._locked():
            if not new:
                remove_leftover_temp_files(self.path)
            with self._transaction():
                pass

    # -- public API ---------------------------------------------------------

    def list_reviews(self) -> list[Review]:
        """Every review, most recently updated first."""

        def build() -> list[Review]:
            with paused_gc():
                return [Review.from_dict(doc) for doc in self._newest_first()]

        return self._read(build)

    def list_summaries(self) -> list[ReviewSummary]:
        """What the home list shows, newest first: cheap enough for thousands of reviews at start-up."""
        return self._read(lambda: [ReviewSummary.from_dict(doc) for doc in self._newest_first()])

    def read_documents(self, read: Callable[[dict], T]) -> list[T]:
        """``read`` applied to every stored review (dict form), newest first, without building Reviews.

        For the archive's word search, which needs every text but not the
        typed model.  ``read`` gets the store's own dict and must not change it.
        """
        return self._read(lambda: [read(doc) for doc in self._newest_first()])

    def _newest_first(self) -> list[Document]:
        docs = sorted(self._reviews.all(), key=lambda doc: (doc.get("updated", ""), doc.doc_id))
        return docs[::-1]

    def get(self, review_id: str) -> Review:
        """One review as stored now; UnknownReview if there is none with that id."""
        number = review_number(review_id)
        return self._read(lambda: Review.from_dict(self._require(number, review_id)))

    def create(self, doc: dict | None = None, number: int | None = None) -> Review:
        """Store a new review (blank, or ``doc`` in ``Review.to_dict()`` form) under a new id ``pm-N``.

        ``number``: the id to use (the archive of per-review files hands them out).
        """
        data = new_document(doc)
        with self._transaction():
            number = number or self._next_review()
            stamp = now()
            data.update(id=f"pm-{number}", schema=SCHEMA, created=stamp, updated=stamp)
            number_items(data)
            self._reviews.insert(Document(data, doc_id=number))
            self._meta.upsert(Document({"schema": SCHEMA, "next_review": number + 1}, doc_id=_META_ID))
            return Review.from_dict(data)

    def apply(self, review_id: str, *ops: operations.Operation, token: str | None = None) -> Change:
        """Apply ``ops`` to the latest stored review in one locked, durable transaction.

        If any op raises (InvalidField, UnknownItem), nothing is written and the error propagates.
        ``token`` is stored in the file with the change (the last APPLIED_KEPT
        of them): the same change sent again, after a write that failed once
        the new file was in place (the fsync of its directory), or by
        ``postmortem recover`` run twice, is not applied twice.
        """
        number = review_number(review_id)
        added: list[str] = []

        def change(doc: dict) -> None:
            added.extend(operations.apply_all(doc, ops))
            doc["updated"] = now()

        with self._locked():
            with self._transaction():
                self._require(number, review_id)
                if token is not None and token in self._applied():
                    return Change(Review.from_dict(self._require(number, review_id)), operations.chosen_ids(ops),
                                  self.version())
                self._reviews.update(change, doc_ids=[number])
                if token is not None:
                    self._meta.upsert(Document({"applied": [*self._applied()[1 - APPLIED_KEPT:], token]},
                                               doc_id=_META_ID))
                stored = Change(Review.from_dict(self._require(number, review_id)), added)
            stored.version = self.version()  # still locked: the version this write made
            return stored

    def _applied(self) -> list[str]:
        """The tokens of the latest changes applied (inside a transaction), oldest first."""
        meta = self._meta.get(doc_id=_META_ID) or {}
        applied = meta.get("applied")
        return [token for token in applied if isinstance(token, str)] if isinstance(applied, list) else []

    def delete(self, review_id: str) -> None:
        """Remove a review for good; its id is never given out again."""
        number = review_number(review_id)
        with self._transaction():
            self._require(number, review_id)
            self._reviews.remove(doc_ids=[number])

    def version(self) -> object:
        """A cheap token that changes whenever any process writes the file (None while there is none).

        Every write replaces the file, so its inode changes; mtime and size make it doubly sure.
        """
        try:
            info = os.stat(self.path)
        except FileNotFoundError:
            return None
        return (info.st_ino, info.st_mtime_ns, info.st_size)

    def backup_path(self) -> Path:
        """Where the last good version of the file is kept (the app offers it when the file is corrupt)."""
        return backup_path_for(self.path)

    def restore_backup(self, force: bool = False) -> None:
        """Put the last good backup in place of the damaged file (kept as ``<name>.corrupt-<time>``).

        A healthy file is refused unless ``force``: restoring would undo its last change.
        """
        with self._locked():
            _restore(self.path, force)
            self._storage.forget()

    # -- transactions -------------------------------------------------------

    @contextmanager
    def _locked(self) -> Iterator[None]:
        """Hold the thread lock and the file lock (both re-entrant).

        A nested block takes only the thread lock: this thread holds the file
        lock already, and asking filelock again costs a tenth of a millisecond
        of bookkeeping, about 6% of a saved change (tests/bench_store.py).
        """
        with self._mutex:
            if self._locked_depth:
                with self._deeper():
                    yield
                return
            with self._file_lock.acquire(poll_interval=LOCK_POLL), self._deeper():
                yield

    @contextmanager
    def _deeper(self) -> Iterator[None]:
        self._locked_depth += 1
        try:
            yield
        finally:
            self._locked_depth -= 1

    @contextmanager
    def _transaction(self) -> Iterator[None]:
        """Locked fresh read, then at most one durable write at the end (none if the block raises)."""
        with self._locked():
            try:
                with self._storage.transaction():
                    if self._migrated:
                        self._storage.mark_changed()
                    yield
            finally:
                self._migrated = False

    def _read(self, query: Callable[[], T]) -> T:
        """Run a read-only query on the file as it is now, without the file lock where possible."""
        with self._mutex:
            try:
                return query()
            except _NeedsMigration:
                pass
        with self._transaction():
            return query()

    def _decode(self, raw: bytes) -> dict:
        """Turn the bytes of a changed file into checked, current-schema data (the storage's hook)."""
        try:
            data = parse(raw)
        except ParseError as error:
            raise self._corrupt(f"not JSON: {error}") from None
        problem = shape_problem(data)
        if problem:
            raise self._corrupt(problem)
        found = schema_of(data)
        if found > SCHEMA:
            raise NewerSchema(self.path, found, SCHEMA)
        if found < SCHEMA:
            if not self._locked_depth:
                raise _NeedsMigration()
            data = migrate(data, self.path)
            self._migrated = True
        problem = stored_problem(data)
        if problem:
            raise self._corrupt(problem)
        clean_stored(raw, data)
        return data

    # -- helpers ------------------------------------------------------------

    def _check_without_lock(self) -> None:
        """Read and check the file as it is (a read-only archive); one that needs migrating cannot be used."""
        try:
            self._storage.load()
        except _NeedsMigration:
            raise StoreError(f"{self.path} was written by an older postmortem and its directory is read-only, "
                             "so it cannot be brought up to date; nothing was changed") from None

    def _corrupt(self, detail: str) -> CorruptFile:
        backup = self.backup_path()
        return CorruptFile(self.path, detail, backup if backup.exists() else None, self.restore_command)

    def _require(self, number: int, review_id: str) -> Document:
        doc = self._reviews.get(doc_id=number)
        if doc is None:
            raise UnknownReview(review_id)
        return doc

    def _next_review(self) -> int:
        meta = self._meta.get(doc_id=_META_ID) or {}
        number = int(meta.get("next_review") or 1)
        while self._reviews.contains(doc_id=number):  # only if meta was edited by hand
            number += 1
        return number


def restore_backup(path: str | Path, lock_path: Path | None = None, force: bool = False) -> None:
    """Put the last good backup of ``path`` in place; for when the file is too corrupt to open a store.

    The replaced file is kept beside it as ``<name>.corrupt-<time>``; a
    healthy file is refused unless ``force``.
    """
    path = Path(path).expanduser().absolute()
    lock = FileLock(str(lock_path or lock_path_for(path)), mode=FILE_MODE, thread_local=False)
    with lock.acquire(poll_interval=LOCK_POLL):
        _restore(path, force)


def file_problem(raw: bytes) -> str | None:
    """Why these bytes are not a usable review file (not JSON, wrong shape, wrong values), or None."""
    try:
        data = parse(raw)
    except ParseError as error:
        return f"not JSON: {error}"
    return shape_problem(data) or stored_problem(data)


def _restore(path: Path, force: bool = False) -> None:
    """Check the backup, set the current file aside, write the backup over it (caller holds the lock).

    The restored file's id counters are moved past every id the replaced file
    shows, so no review or item id is handed out twice.
    """
    backup = backup_path_for(path)
    try:
        raw = read_bytes(backup)
    except IsADirectoryError:
        raise StoreError(f"{path}: its backup {backup} is a directory, not a file; nothing was restored") from None
    if raw is None:
        raise StoreError(f"{path}: there is no backup to restore ({backup} does not exist)")
    problem = file_problem(raw)
    if problem:
        raise CorruptFile(backup, problem, None)
    current = read_bytes(path)
    if current and not force and file_problem(current) is None:
        raise StoreError(f"{path} is not damaged; restoring its backup would undo its last change "
                         "(add --force to do it anyway)")
    raw = _past_counters(raw, current or b"")
    if path.exists():
        aside = path.with_name(f"{path.name}.corrupt-{datetime.now().strftime('%Y%m%d-%H%M%S-%f')}")
        try:
            os.link(path, aside)
        except OSError:
            shutil.copy2(path, aside)
    write_durably(path, raw)


_ITEM_NUMBERS = re.compile(rb'"(?:next_item"\s*:\s*|id"\s*:\s*"i)(\d{1,15})')
_REVIEW_NUMBERS = re.compile(rb'"next_review"\s*:\s*(\d{1,15})')


def _past_counters(raw: bytes, replaced: bytes) -> bytes:
    """The backup ``raw`` with its counters past every number ``replaced`` shows (read even if it is damaged)."""
    items = max((int(n) + 1 for n in _ITEM_NUMBERS.findall(replaced)), default=1)
    reviews = max((int(n) for n in _REVIEW_NUMBERS.findall(replaced)), default=1)
    data = parse(raw)
    for doc in (data.get("reviews") or {}).values():
        doc["next_item"] = max(doc.get("next_item") if is_counter(doc.get("next_item")) else 1, items)
    for meta in (data.get("meta") or {}).values():
        if "next_review" in meta:
            meta["next_review"] = max(meta["next_review"], reviews)
    return dump(data)
