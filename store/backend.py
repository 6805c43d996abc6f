"""The store interface: what the screens and the command may ask of wherever reviews are kept.

Backends sit behind it, one module each: :mod:`store.db` (one TinyDB file per
review in a data directory, the embedded default) and :mod:`store.postgres`
(a PostgreSQL database, for an organisation's many hosts), chosen in one
place, :func:`open_backend`, from the ``--db`` value.
Every change is a list of operations (:mod:`store.ops`) applied to the latest
stored review inside that review's lock, so participants in several processes
never overwrite each other.  Nothing here imports Textual.
"""

from __future__ import annotations

import os
import re
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from store import ops as operations
from store.archive import TextIndex
from store.model import Review, ReviewSummary
from store.session import Member

T = TypeVar("T")
DATABASE_SCHEMES = ("postgresql://", "postgres://")


def is_database_url(location: object) -> bool:
    """True when ``--db`` names a PostgreSQL database rather than a directory or file."""
    return str(location).startswith(DATABASE_SCHEMES)


_URL_PASSWORD = re.compile(r"(postgres(?:ql)?://[^\s:/@?#]*):[^\s@/]*@", re.IGNORECASE)
_QUERY_PASSWORD = re.compile(r"([?&])password=[^&#\s]*(&?)", re.IGNORECASE)
_OTHER_PASSWORD = re.compile(r"\bpassword\s*=\s*('(?:[^'\\]|\\.)*'|\S+)", re.IGNORECASE)


def without_password(text: str, secret: str | None = None) -> str:
    """``text`` (a database URL, or a message that may quote one) with every password taken out.

    Both spellings of a URL's password go (``postgresql://u:secret@host/db``
    and ``?password=secret``), a ``password=...`` in a connection string is
    shown as ``password=***``, and so is ``secret`` wherever else it appears
    (a server's or a driver's message may quote it).
    Every message, list and title that names a database passes through here.
    """
    text = _URL_PASSWORD.sub(r"\1@", str(text))
    text = _QUERY_PASSWORD.sub(lambda found: found[1] if found[2] else "", text)
    text = _OTHER_PASSWORD.sub("password=***", text)
    return text.replace(secret, "***") if secret else text


def database_password(url: str) -> str | None:
    """The password a database URL carries (either spelling), to take out of messages; None without one."""
    from urllib.parse import parse_qs, unquote, urlsplit

    try:
        parts = urlsplit(url)
        found = parts.password or parse_qs(parts.query).get("password", [None])[-1]
    except ValueError:
        return None
    return unquote(found) if found else None


def configured_location(db: str | None = None) -> str | Path:
    """The archive to use: ``--db``, else ``POSTMORTEM_DB``, else the user data directory."""
    value = db or os.environ.get("POSTMORTEM_DB")
    if value and is_database_url(value):
        return value
    from store.db import default_db_path

    return Path(value).expanduser() if value else default_db_path()


def open_backend(location: str | Path) -> Backend:
    """The backend for an archive's location: a ``postgresql://`` URL, else a data directory or old file.

    The PostgreSQL module (and psycopg) is imported only for a database.
    """
    if is_database_url(location):
        from store.postgres import PostgresStore

        return PostgresStore(str(location))
    from store.db import ReviewStore

    return ReviewStore(location)


@dataclass
class Change:
    """What :meth:`Backend.apply` did: the review as stored, the ids its Add ops assigned, its version."""

    review: Review
    added: list[str] = field(default_factory=list)
    version: object = None  # the review's version right after this write (see Backend.version)


class Backend(ABC):
    """One archive of reviews, safe to use from several processes and threads at once."""

    #: Where the archive is, as a user would name it with ``--db`` (shown in messages).
    location: str
    #: True when the archive may be read but not changed (its directory is read-only).
    read_only: bool = False
    #: True when reads go to a server, which may be slow or down (the app then never waits for one at start).
    remote: bool = False

    def close(self) -> None:
        """Let go of what the backend holds open (a database's connections); files need nothing."""

    @abstractmethod
    def get(self, review_id: str) -> Review:
        """One review as stored now; UnknownReview if there is none, CorruptFile if it cannot be read."""

    @abstractmethod
    def create(self, doc: dict | None = None) -> Review:
        """Store a new review (blank, or ``doc`` in ``Review.to_dict()`` form) under a new, never reused id."""

    def create_many(self, docs: list[dict]) -> Iterator[Review]:
        """Store several new reviews in order, each in its own transaction, yielding each once it is stored."""
        for doc in docs:
            yield self.create(doc)

    @abstractmethod
    def apply(self, review_id: str, *ops: operations.Operation, token: str | None = None) -> Change:
        """Apply ``ops`` to the latest stored review, all or nothing (an op that raises writes nothing).

        ``token``: names this change, so that sending it again (after an error
        that may have come after it was stored: a database connection lost
        mid-commit, a file's directory that could not be synced after the
        file was replaced; or ``postmortem recover`` run twice) applies it once.
        Sent again, it returns the review as stored, and the ids its Adds chose.
        """

    @abstractmethod
    def delete(self, review_id: str) -> None:
        """Remove a review; its id is never given out again."""

    @abstractmethod
    def read_documents(self, read: Callable[[dict], T]) -> list[T]:
        """``read`` applied to every review's stored dict, most recently updated first.

        ``read`` must not change the dict.  The archive's list, search and
        statistics are all built on this.
        """

    def list_summaries(self) -> list[ReviewSummary]:
        """What the home list shows, newest first."""
        return self.read_documents(ReviewSummary.from_dict)

    def list_reviews(self) -> list[Review]:
        """Every review that can be read, newest first (for statistics); damaged ones are left out."""
        return [review for review in self.read_documents(_readable) if review is not None]

    def reviews_for_stats(self) -> list[Review]:
        """Every readable review with at least what :func:`store.stats.archive_stats` reads, newest first.

        A backend may leave the rest out (the files: the digests of their index, store.digest).
        """
        return self.list_reviews()

    def search_texts(self, known: TextIndex | None = None) -> dict[str, str]:
        """Review id to the text word search looks in (lowercased, see store.archive.search).

        ``known`` holds the texts of the last call, so that only reviews
        changed since are worked out again.
        """
        known = known if known is not None else TextIndex()
        known.refresh(self.read_documents(lambda doc: doc))
        return known.texts()

    def damaged(self) -> list[tuple[str, str]]:
        """Each review that cannot be read, with why: (id, the message naming file, field and item)."""
        return [found for found in self.read_documents(lambda doc: (doc.get("id"), doc.get("damaged")))
                if found[1]]

    @abstractmethod
    def version(self, review_id: str | None = None) -> object:
        """A cheap token that changes whenever any process changes the review (or, without an id, the archive).

        Watching for changes is polling this: it must cost no more than a stat.
        """

    def polled_version(self, review_id: str | None = None) -> object:
        """:meth:`version` as the app polls it from its event loop: never waits (on a server that is down).

        Where finding it out may wait, what is known now; the answer arrives at a later poll.
        """
        return self.version(review_id)

    @abstractmethod
    def restore_backup(self, review_id: str, force: bool = False) -> None:
        """Put a review's last good version back in place of a damaged one (the damaged one is kept).

        A review that is not damaged is refused unless ``force``; ids are never handed out twice after it.
        """


    # -- moving a whole archive (``postmortem copy``) ------------------------------

    @abstractmethod
    def next_id(self) -> int:
        """The number of the next new review's id: every lower one is in use or was."""

    @abstractmethod
    def copy_in(self, docs: list[dict], next_id: int) -> None:
        """Store whole reviews exactly as another archive holds them, ids and times kept.

        Only into an archive that holds no review yet (StoreError otherwise,
        nothing written); afterwards no id below ``next_id`` is handed out, so
        ids deleted in the other archive are not reused either.
        """

    # -- the live session (presence is kept beside the review, never in it) ----------

    @abstractmethod
    def announce(self, review_id: str, member: Member) -> None:
        """Say that ``member`` is in the review's session now (a heartbeat; cheap, not durable).

        Best effort: a failure here must never lose a review's text, so callers may ignore OSError.
        """

    @abstractmethod
    def present(self, review_id: str) -> list[Member]:
        """Who is in the review's session: members heard from within GONE_AFTER seconds (stale ones are cleaned up)."""

    @abstractmethod
    def depart(self, review_id: str, member_id: str) -> None:
        """``member_id`` has left the session (its terminal closed)."""

    def presence_version(self, review_id: str) -> object:
        """Where presence is pushed (PostgreSQL's notices): a token that changes whenever someone announces
        themselves or leaves, read without waiting, so the app reads :meth:`present` at once.

        None (the files): nothing is pushed, and the heartbeat reads who is here once a second.
        """
        return None


def _readable(doc: dict) -> Review | None:
    return None if doc.get("damaged") else Review.from_dict(doc)
