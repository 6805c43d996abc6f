"""The PostgreSQL backend (``--db postgresql://user@host/dbname``): one archive for many hosts.

Each review is one row of ``postmortem_reviews``: its document in the
interchange shape (JSONB, exactly the dict the file backend keeps in a
review's file), with its number, a version that grows with every write, and
its updated time as columns.  A change locks the review's row
(``SELECT ... FOR UPDATE``), applies its operations with :mod:`store.ops`, the
same code (and the same three-way text merge) as the file backend, writes the
row and sends a notice, all in one transaction.  Ids come from a sequence, so
none is handed out twice.  The tables are made and updated by
:mod:`store.postgres_schema`.

Watching for changes costs no query: a thread LISTENs for the notices
(:mod:`store.postgres_listener`) and :meth:`PostgresStore.version` reads what
it heard.  A lost connection is an :class:`~store.errors.Unreachable` error
(an ``OSError``): the app keeps the edits, says "not saved, reconnecting",
and retries; the pool replaces broken connections once the server is back.

Nothing waits on a server that is down: once a connection is lost (a change
that failed, or the listening thread losing its connection, which it notices
at once when the server stops), every call fails at once with Unreachable,
and a thread tries to connect every half second; when it can, calls go to
the server again.  So the app's reads on its event loop (a poll, the list)
fail fast while the saver says "not saved, reconnecting".
"""

from __future__ import annotations

import errno
import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import orjson
import psycopg
from psycopg.types.json import Jsonb, set_json_dumps, set_json_loads
from psycopg_pool import ConnectionPool

from store import ops as operations
from store.backend import Backend, Change, T, database_password, without_password
from store.errors import StoreError, Unreachable, UnknownReview
from store.migrate import number_items
from store.model import SCHEMA, Review
from store.model import review_number as _number  # the one parser of review ids
from store.ops import chosen_ids as _chosen_ids
from store.postgres_listener import CHANNEL, Notices
from store.postgres_schema import migrate
from store.session import GONE_AFTER, Member
from store.single_file import new_document, now

# The pool logs each failed reconnection; the app says it in its own words instead.
logging.getLogger("psycopg.pool").addHandler(logging.NullHandler())
logging.getLogger("psycopg.pool").propagate = False
CONNECT_TIMEOUT = 3  # seconds: a server that is down is reported quickly
POOL_TIMEOUT = 3.0  # seconds a change waits for a connection before it is "not saved"
POOL_SIZE = 4
PROBE_SECONDS = 0.5  # while the server is down, how often a connection is tried
# The pool tries to replace a lost connection for this long, backing off, then
# gives up until the next change asks: so a restarted server is used within
# seconds of coming back, not after a back-off grown while it was down.
RECONNECT_TIMEOUT = 2.0
# A change's token is kept this long (seconds): far longer than any retry of it.
_TOKENS_KEPT = 3600
# Presence rows silent this long are deleted by whoever reads the session.
_PRESENCE_KEPT = GONE_AFTER * 4


def shown_location(url: str) -> str:
    """The URL as messages show it: without a password (either spelling)."""
    return without_password(url)


def _configure(connection: psycopg.Connection) -> None:
    """orjson for JSONB both ways (the file backend's parser: same values, faster)."""
    set_json_loads(orjson.loads, connection)
    set_json_dumps(orjson.dumps, connection)


class PostgresStore(Backend):
    """An archive in a PostgreSQL database, safe to use from many processes on many hosts."""

    remote = True

    def __init__(self, url: str) -> None:
        """Connect, and create or update the tables; StoreError naming the database if it cannot be used."""
        self.url = url
        self.location = shown_location(url)
        self._secret = database_password(url)
        self.path = self.location  # what messages name
        try:
            with psycopg.connect(url, connect_timeout=CONNECT_TIMEOUT) as connection:
                migrate(connection, self.location)
                self.read_only = not connection.execute(
                    "SELECT has_table_privilege('postmortem_reviews', 'UPDATE')").fetchone()[0]
        except psycopg.Error as error:
            raise StoreError(f"cannot use the database {self.location}: {self._said(error)}") from None
        self._pool = ConnectionPool(url, kwargs={"connect_timeout": CONNECT_TIMEOUT}, min_size=1,
                                    max_size=POOL_SIZE, configure=_configure, open=True,
                                    check=ConnectionPool.check_connection, timeout=POOL_TIMEOUT,
                                    reconnect_timeout=RECONNECT_TIMEOUT, name="postmortem")
        self._notices = Notices(self._listening_connection, on_lost=self._lost)
        self._cache: dict[int, tuple[int, dict]] = {}
        self._cache_lock = threading.Lock()
        self._versions_asked: set[str] = set()  # reviews whose version a thread is reading (polled_version)
        self._versions_lock = threading.Lock()
        self._down = threading.Event()  # set while the server is known to be unreachable
        self._down_reason = ""
        self._down_lock = threading.Lock()
        self._closed = threading.Event()

    def close(self) -> None:
        """Stop listening and close every connection (the tests open many stores)."""
        self._closed.set()
        self._notices.stop()
        self._pool.close()

    # -- a server that is down ------------------------------------------------------

    def _lost(self, reason: str) -> None:
        """The server could not be reached: fail every call at once until a connection can be made again."""
        with self._down_lock:
            self._down_reason = without_password(reason, self._secret)
            if self._down.is_set() or self._closed.is_set():
                return
            self._down.set()
        threading.Thread(target=self._probe, name="postmortem-probe", daemon=True).start()

    def _probe(self) -> None:
        while not self._closed.is_set():
            try:
                with psycopg.connect(self.url, connect_timeout=CONNECT_TIMEOUT):
                    pass
            except psycopg.Error:
                self._closed.wait(PROBE_SECONDS)
                continue
            self._down.clear()
            return

    def _listening_connection(self) -> psycopg.Connection:
        return psycopg.connect(self.url, autocommit=True, connect_timeout=CONNECT_TIMEOUT)

    def _said(self, error: Exception) -> str:
        return _first_line(error, self._secret)

    # -- transactions -------------------------------------------------------------

    @contextmanager
    def _cursor(self) -> Iterator[psycopg.Cursor]:
        """A cursor in a transaction that commits at the end (rolls back if the block raises).

        A lost connection or a server that is down: Unreachable (an OSError,
        so the app keeps the edits and retries).  A role that may not write:
        PermissionError.  Any other database error: StoreError.
        """
        if self._down.is_set():
            raise Unreachable(self.location, self._down_reason)
        try:
            with self._pool.connection() as connection, connection.cursor() as cursor:
                yield cursor
        except psycopg.errors.InsufficientPrivilege as error:
            raise PermissionError(errno.EACCES, f"the role may not change the archive, so nothing was changed "
                                  f"({self._said(error)})", self.location) from None
        except psycopg.OperationalError as error:
            self._lost(self._said(error))
            raise Unreachable(self.location, self._said(error)) from None
        except psycopg.Error as error:
            raise StoreError(f"{self.location}: {self._said(error)}") from None

    def _notify(self, cursor: psycopg.Cursor, kind: str, number: int, detail: object) -> None:
        """``<kind> <number> <detail>``: a version, a member's JSON or id (store.postgres_listener)."""
        cursor.execute("SELECT pg_notify(%s, %s)", (CHANNEL, f"{kind} {number} {detail}"))

    # -- one review -------------------------------------------------------------

    def get(self, review_id: str) -> Review:
        number = _number(review_id)
        generation = self._notices.generation
        with self._cursor() as cursor:
            row = cursor.execute("SELECT doc, version FROM postmortem_reviews WHERE number = %s",
                                 (number,)).fetchone()
        if row is None:
            raise UnknownReview(review_id)
        self._notices.heard(number, row[1], generation)
        return Review.from_dict(row[0])

    def create(self, doc: dict | None = None) -> Review:
        return next(self.create_many([doc]))

    def create_many(self, docs: list[dict | None]) -> Iterator[Review]:
        """Each review in its own transaction, under a number from the sequence (never reused)."""
        for doc in docs:
            data = new_document(doc)
            with self._cursor() as cursor:
                number = cursor.execute("SELECT nextval('postmortem_review_numbers')").fetchone()[0]
                stamp = now()
                data.update(id=f"pm-{number}", schema=SCHEMA, created=stamp, updated=stamp)
                number_items(data)
                self._insert(cursor, number, data)
            yield Review.from_dict(data)

    def _insert(self, cursor: psycopg.Cursor, number: int, data: dict) -> None:
        cursor.execute("INSERT INTO postmortem_reviews (number, version, updated, doc) VALUES (%s, 1, %s, %s)",
                       (number, data["updated"], Jsonb(data)))
        self._notify(cursor, "changed", number, 1)

    def apply(self, review_id: str, *ops: operations.Operation, token: str | None = None) -> Change:
        """Lock the review's row, apply ``ops`` to its document, write it and send a notice: one transaction.

        With a ``token`` already applied to this review (the same change sent
        again after its connection dropped mid-commit), nothing is applied
        twice: the review is returned as it is.
        """
        self._refuse_if_read_only()
        number = _number(review_id)
        generation = self._notices.generation
        with self._cursor() as cursor:
            row = cursor.execute("SELECT doc, version FROM postmortem_reviews WHERE number = %s FOR UPDATE",
                                 (number,)).fetchone()
            if row is None:
                raise UnknownReview(review_id)
            doc, version = row
            if token is not None and not self._first_time(cursor, number, token):
                return Change(Review.from_dict(doc), _chosen_ids(ops), self._token(generation, version))
            version += 1
            added = operations.apply_all(doc, ops)  # an op that raises rolls the transaction back
            doc["updated"] = now()
            cursor.execute("UPDATE postmortem_reviews SET doc = %s, version = %s, updated = %s WHERE number = %s",
                           (Jsonb(doc), version, doc["updated"], number))
            self._notify(cursor, "changed", number, version)
        self._notices.heard(number, version, generation)
        return Change(Review.from_dict(doc), added, self._token(generation, version))

    def _first_time(self, cursor: psycopg.Cursor, number: int, token: str) -> bool:
        """Record ``token`` as applied to the review (in the change's transaction); False if it already was."""
        cursor.execute("DELETE FROM postmortem_applied WHERE review = %s AND "
                       "applied < clock_timestamp() - make_interval(secs => %s)", (number, _TOKENS_KEPT))
        return cursor.execute("INSERT INTO postmortem_applied (review, token) VALUES (%s, %s) "
                              "ON CONFLICT DO NOTHING", (number, token)).rowcount == 1

    def _token(self, generation: int, version: int) -> object:
        """The version token of a write; None when not watching yet (a command, not the app)."""
        return (generation, version) if generation and generation == self._notices.generation else None

    def delete(self, review_id: str) -> None:
        self._refuse_if_read_only()
        number = _number(review_id)
        with self._cursor() as cursor:
            if cursor.execute("DELETE FROM postmortem_reviews WHERE number = %s", (number,)).rowcount != 1:
                raise UnknownReview(review_id)
            cursor.execute("DELETE FROM postmortem_presence WHERE review = %s", (number,))
            self._notify(cursor, "deleted", number, 0)

    def restore_backup(self, review_id: str, force: bool = False) -> None:
        """Refused, saying what to use instead: a database keeps no backup files, and holds no damaged document.

        (What the file backend restores from is its last-good copy of a file
        that no longer parses; a row's JSONB always parses.)  An unknown id
        is still said as such.
        """
        if review_id:
            self.get(review_id)
        raise StoreError(f"{self.location} is a PostgreSQL archive: it keeps no backup files to restore, and never "
                         "holds a review that does not parse (nothing was changed). To go back in time, use the "
                         "database's own backups (pg_dump and pg_restore, or point-in-time recovery); to keep a "
                         "copy, `postmortem copy --from URL --to DIR`; to put back one review you exported, "
                         "`postmortem import FILE` (it gets a new id)")

    def _refuse_if_read_only(self) -> None:
        if self.read_only:
            raise PermissionError(errno.EACCES, "the role may only read the archive, so nothing was changed "
                                  "(list, check, export and stats still work)", self.location)

    # -- moving a whole archive ------------------------------------------------------

    def next_id(self) -> int:
        with self._cursor() as cursor:
            last, called = cursor.execute("SELECT last_value, is_called FROM postmortem_review_numbers").fetchone()
        return last + 1 if called else last

    def copy_in(self, docs: list[dict], next_id: int) -> None:
        """Every review in one transaction, then the sequence moved past them and past ``next_id``."""
        self._refuse_if_read_only()
        with self._cursor() as cursor:
            cursor.execute("LOCK TABLE postmortem_reviews IN EXCLUSIVE MODE")
            if cursor.execute("SELECT 1 FROM postmortem_reviews LIMIT 1").fetchone():
                raise StoreError(f"{self.location} already holds reviews; copy only into an empty archive "
                                 "(nothing was copied)")
            top = 0
            for doc in docs:
                number = _number(doc.get("id", ""))
                top = max(top, number)
                self._insert(cursor, number, doc)
            last, called = cursor.execute("SELECT last_value, is_called FROM postmortem_review_numbers").fetchone()
            used = last if called else last - 1
            if max(next_id - 1, top) > used:
                cursor.execute("SELECT setval('postmortem_review_numbers', %s)", (max(next_id - 1, top),))

    # -- watching for changes -----------------------------------------------------

    def version(self, review_id: str | None = None) -> object:
        """What the listening thread heard: no query, except the first time a review is asked about."""
        notices = self._notices
        notices.start()
        generation = notices.generation
        if review_id is None:
            return (generation, notices.count)
        number = _number(review_id)
        known = notices.known(number)
        if known is None and notices.listening:
            try:
                with self._cursor() as cursor:
                    row = cursor.execute("SELECT version FROM postmortem_reviews WHERE number = %s",
                                         (number,)).fetchone()
            except OSError:
                return (generation, "unreachable")
            notices.heard(number, row[0] if row else 0, generation)
            known = notices.known(number)
        return (generation, known) if known else None

    def polled_version(self, review_id: str | None = None) -> object:
        """What the listening thread heard, never waiting: the first version of a review is read on a thread.

        :meth:`version` waits for the listener's first connection and reads
        the version of a review not heard of yet, through the pool: seconds,
        with a server that went away and is not known to be down yet.
        """
        notices = self._notices
        notices.start(wait=0)
        generation = notices.generation
        if review_id is None:
            return (generation, notices.count)
        known = notices.known(_number(review_id))
        if known is None and notices.listening:
            self._read_version_soon(review_id)
            return (generation, "reading")
        return (generation, known) if known else None

    def _read_version_soon(self, review_id: str) -> None:
        """Read a review's version on a thread of its own (once at a time): the listener knows it afterwards."""
        with self._versions_lock:
            if review_id in self._versions_asked:
                return
            self._versions_asked.add(review_id)

        def read() -> None:
            try:
                self.version(review_id)
            except (OSError, StoreError):
                pass
            finally:
                with self._versions_lock:
                    self._versions_asked.discard(review_id)

        threading.Thread(target=read, name="postmortem-version", daemon=True).start()

    # -- the whole archive ----------------------------------------------------------

    def read_documents(self, read: Callable[[dict], T]) -> list[T]:
        """Every review, newest first; documents unchanged since the last call are not fetched again."""
        with self._cache_lock, self._cursor() as cursor:
            rows = cursor.execute("SELECT number, version FROM postmortem_reviews "
                                  "ORDER BY updated DESC, number DESC").fetchall()
            stale = [number for number, version in rows if self._cache.get(number, (None,))[0] != version]
            if stale:
                fetched = cursor.execute("SELECT number, version, doc FROM postmortem_reviews "
                                         "WHERE number = ANY(%s)", (stale,)).fetchall()
                self._cache.update((number, (version, doc)) for number, version, doc in fetched)
            kept = {number for number, _ in rows}
            for number in [number for number in self._cache if number not in kept]:
                del self._cache[number]
            return [read(self._cache[number][1]) for number, _ in rows if number in self._cache]

    # -- the live session -------------------------------------------------------------

    def announce(self, review_id: str, member: Member) -> None:
        """Upsert the member's row with the server's clock as its heartbeat, and tell the others who it is."""
        if self.read_only:
            return  # an observer of a read-only archive is simply not shown
        number = _number(review_id)
        doc = member.to_dict()
        with self._cursor() as cursor:
            cursor.execute("INSERT INTO postmortem_presence (review, member, doc) VALUES (%s, %s, %s) "
                           "ON CONFLICT (review, member) DO UPDATE SET doc = excluded.doc, "
                           "seen = clock_timestamp()", (number, member.id, Jsonb(doc)))
            self._notify(cursor, "presence", number, orjson.dumps(doc).decode())

    def present(self, review_id: str) -> list[Member]:
        """Members heard from within GONE_AFTER seconds.

        Read from the notices once this process has read the review's table
        (no query); else from the table, by the server's clock (hosts' clocks
        may differ), stale rows deleted.
        """
        number = _number(review_id)
        notices = self._notices
        notices.start(wait=0)  # not listening yet: the table is read
        rows = notices.members(number, _PRESENCE_KEPT)
        if rows is None:
            rows = self._read_presence(number)
        here = time.time()
        members = []
        for doc, heard in rows:
            member = Member.from_dict(doc | {"seen": heard}) if isinstance(doc, dict) else None
            if member is not None and member.fresh(here):
                members.append(member)
        return members

    def _read_presence(self, number: int) -> list[tuple[dict, float]]:
        """The review's presence rows, each with when it was heard from; kept as the notices' baseline."""
        notices = self._notices
        generation, version = notices.generation, notices.presence_version(number)
        with self._cursor() as cursor:
            if not self.read_only:
                cursor.execute("DELETE FROM postmortem_presence WHERE review = %s AND "
                               "seen < clock_timestamp() - make_interval(secs => %s)", (number, _PRESENCE_KEPT))
            found = cursor.execute("SELECT doc, extract(epoch FROM clock_timestamp() - seen)::float8 "
                                   "FROM postmortem_presence WHERE review = %s", (number,)).fetchall()
        here = time.time()
        rows = [(doc, here - age) for doc, age in found]
        notices.baseline(number, rows, generation, version)
        return rows

    def presence_version(self, review_id: str) -> object:
        """Changes with every presence notice of the review (no query); None while not listening."""
        notices = self._notices
        if not notices.listening:
            return None
        return (notices.generation, notices.presence_version(_number(review_id)))

    def depart(self, review_id: str, member_id: str) -> None:
        if self.read_only:
            return
        number = _number(review_id)
        with self._cursor() as cursor:
            cursor.execute("DELETE FROM postmortem_presence WHERE review = %s AND member = %s",
                           (number, member_id))
            self._notify(cursor, "left", number, member_id)


def _first_line(error: Exception, secret: str | None = None) -> str:
    """The first line of a driver's or server's message, with no password in it."""
    lines = [line.strip() for line in str(error).splitlines() if line.strip()]
    return without_password(lines[0], secret) if lines else type(error).__name__
