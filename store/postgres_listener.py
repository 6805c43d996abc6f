"""Change notices from PostgreSQL, kept in memory so that polling for changes costs no query.

Every write of the PostgreSQL backend sends ``NOTIFY postmortem, '<kind> <number> <version>'``
in its transaction (delivered when it commits).  One thread per process
LISTENs on its own connection and keeps the newest version it heard of each
review, and a count of every notice; :meth:`Notices.version` (polled by the
app ten times a second) only reads them.

Presence travels the same way: an announcement sends ``presence <number>
<member JSON>`` and a departure ``left <number> <member id>``.  Once a process
has read a review's presence table (its *baseline*), it keeps that review's
members up to date from the notices alone, with the local time each was heard
from, so reading who is here costs no query either.

When the connection is lost (a server restart), the thread reconnects every
half second.  Notices sent meanwhile are lost, so each reconnection starts a
new *generation*: every version token changes, every presence baseline is
dropped, and every watcher reads afresh.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import orjson
import psycopg

CHANNEL = "postmortem"
RECONNECT_SECONDS = 0.5
_WAIT = 1.0  # how long one wait for notices lasts before the thread checks whether to stop


class Notices:
    """The newest version heard of each review, per connection generation."""

    def __init__(self, connect: Callable[[], psycopg.Connection],
                 on_lost: Callable[[str], None] = lambda reason: None) -> None:
        """``on_lost(reason)``: the connection was lost or could not be made (the server is likely down)."""
        self._connect = connect
        self._on_lost = on_lost
        self._lock = threading.Lock()
        self._connected = threading.Event()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self.generation = 0
        self.count = 0  # every change notice heard in this generation: the archive's version
        self.presence_count = 0  # presence notices only
        self._versions: dict[int, int] = {}
        self._presence_versions: dict[int, int] = {}  # presence notices heard per review, this generation
        self._present: dict[int, dict[str, tuple[dict, float]]] = {}  # per review: member id -> (doc, heard at)

    def start(self, wait: float = 2.0) -> None:
        """Start listening (once), waiting up to ``wait`` seconds for the first connection.

        Later calls return at once, connected or not: the app polls from its event loop.
        """
        if self._thread is not None:
            return
        with self._lock:
            if self._thread is not None:
                return
            self._thread = threading.Thread(target=self._run, name="postmortem-listen", daemon=True)
            self._thread.start()
        self._connected.wait(wait)

    def stop(self) -> None:
        self._stopping.set()

    @property
    def listening(self) -> bool:
        return self._connected.is_set()

    def known(self, number: int) -> int | None:
        with self._lock:
            return self._versions.get(number)

    def heard(self, number: int, version: int, generation: int | None = None) -> None:
        """A review is at ``version`` (from a notice, or our own write or read); versions only grow."""
        with self._lock:
            if generation is not None and generation != self.generation:
                return  # read before a reconnection: no longer known to be current
            if number not in self._versions or version > self._versions[number]:
                self._versions[number] = version  # 0: there is no such review

    def _run(self) -> None:
        while not self._stopping.is_set():
            try:
                with self._connect() as connection:
                    connection.execute(f"LISTEN {CHANNEL}")
                    self._new_generation()
                    while not self._stopping.is_set():
                        for notice in connection.notifies(timeout=_WAIT):
                            self._take(notice.payload)
            except psycopg.Error as error:
                if not self._stopping.is_set():
                    self._connected.clear()
                    self._on_lost(str(error).strip().splitlines()[0] if str(error).strip() else "connection lost")
            self._connected.clear()
            self._stopping.wait(RECONNECT_SECONDS)

    # -- presence ---------------------------------------------------------------

    def presence_version(self, number: int) -> int:
        """How many presence notices of this review were heard in this generation."""
        with self._lock:
            return self._presence_versions.get(number, 0)

    def members(self, number: int, kept: float) -> list[tuple[dict, float]] | None:
        """The review's members as the notices left them, each with the time.time() it was heard from.

        None without a baseline (never read, or read before a reconnection) or
        while not listening: then the caller reads the table.  Members not heard
        from for ``kept`` seconds are forgotten.
        """
        if not self.listening:
            return None
        with self._lock:
            known = self._present.get(number)
            if known is None:
                return None
            oldest = time.time() - kept
            for member_id in [member_id for member_id, (_, heard) in known.items() if heard < oldest]:
                del known[member_id]
            return list(known.values())

    def baseline(self, number: int, rows: list[tuple[dict, float]], generation: int, version: int) -> None:
        """The review's presence as read from its table: kept, unless a notice came meanwhile (read again then)."""
        with self._lock:
            if generation == self.generation and version == self._presence_versions.get(number, 0):
                self._present[number] = {str(doc.get("id")): (doc, heard) for doc, heard in rows
                                         if isinstance(doc, dict)}

    def _take_presence(self, kind: str, rest: str) -> None:
        """Under the lock: a member announced itself or left."""
        self.presence_count += 1
        number_text, _, detail = rest.partition(" ")
        try:
            number = int(number_text)
        except ValueError:
            return
        self._presence_versions[number] = self._presence_versions.get(number, 0) + 1
        known = self._present.get(number)
        if known is None:
            return
        if kind == "left":
            known.pop(detail, None)
            return
        try:
            doc = orjson.loads(detail)
        except orjson.JSONDecodeError:
            doc = None
        if not isinstance(doc, dict) or not doc.get("id"):
            del self._present[number]  # an older postmortem's notice, without the member: read the table again
            return
        known[str(doc["id"])] = (doc, time.time())

    def _new_generation(self) -> None:
        with self._lock:
            self.generation += 1
            self.count = 0
            self._versions.clear()
            self._presence_versions.clear()
            self._present.clear()
        self._connected.set()

    def _take(self, payload: str) -> None:
        kind, _, rest = payload.partition(" ")
        with self._lock:
            if kind in ("presence", "left"):  # who is here changed: not the archive
                self._take_presence(kind, rest)
                return
            self.count += 1
            try:
                number, version = (int(part) for part in rest.split())
            except ValueError:
                return
            if kind == "deleted":
                self._versions[number] = 0
            elif number not in self._versions or version > self._versions[number]:
                self._versions[number] = version
