"""The PostgreSQL backend's tables, created and brought up to date by code.

``postmortem_schema`` holds one row: the version of the tables below.  Each
step in :data:`MIGRATIONS` takes the database from version n to n + 1 in one
transaction, under an advisory lock, so two processes opening a new or older
database at once migrate it once.  (This is the version of the tables; the
documents inside are always at the interchange schema, ``store.model.SCHEMA``.)

Version 1: the reviews, as JSONB documents in the interchange shape with their
number, version and updated time as columns, and a sequence of review numbers
(a sequence never goes back, so an id is never handed out twice).
Version 2: the live session's presence, one row per member with a heartbeat.
Version 3: the tokens of changes already applied, so that a change retried
after its connection dropped mid-commit is not applied twice (kept an hour).
"""

from __future__ import annotations

from collections.abc import Callable

from store.errors import StoreError

# Any constant shared by every postmortem process: two migrations never run at once.
_MIGRATION_LOCK = 0x706D5F6D6967  # "pm_mig"

CREATE_VERSION_TABLE = """
CREATE TABLE IF NOT EXISTS postmortem_schema (
    only_row boolean PRIMARY KEY DEFAULT true CHECK (only_row),
    version integer NOT NULL
)"""


def _reviews(cursor) -> None:
    cursor.execute("""
        CREATE SEQUENCE postmortem_review_numbers;
        CREATE TABLE postmortem_reviews (
            number bigint PRIMARY KEY,
            version bigint NOT NULL DEFAULT 1,
            updated text NOT NULL,
            doc jsonb NOT NULL
        );
        CREATE INDEX postmortem_reviews_newest ON postmortem_reviews (updated DESC, number DESC);
    """)


def _presence(cursor) -> None:
    cursor.execute("""
        CREATE TABLE postmortem_presence (
            review bigint NOT NULL,
            member text NOT NULL,
            doc jsonb NOT NULL,
            seen timestamptz NOT NULL DEFAULT clock_timestamp(),
            PRIMARY KEY (review, member)
        );
    """)


def _applied(cursor) -> None:
    cursor.execute("""
        CREATE TABLE postmortem_applied (
            review bigint NOT NULL,
            token text NOT NULL,
            applied timestamptz NOT NULL DEFAULT clock_timestamp(),
            PRIMARY KEY (review, token)
        );
    """)


#: MIGRATIONS[n] takes the tables from version n to n + 1.
MIGRATIONS: list[Callable] = [_reviews, _presence, _applied]
VERSION = len(MIGRATIONS)


def installed_version(cursor) -> int:
    """The tables' version; 0 for a database postmortem has not used yet."""
    cursor.execute("SELECT to_regclass('postmortem_schema') IS NOT NULL")
    if not cursor.fetchone()[0]:
        return 0
    cursor.execute("SELECT version FROM postmortem_schema")
    row = cursor.fetchone()
    return row[0] if row else 0


def migrate(connection, location: str, upto: int = VERSION) -> int:
    """Create or update the tables to version ``upto`` (tests stop early); the version found before.

    Refuses a database whose tables are newer than this postmortem knows, and writes nothing then.
    """
    with connection.transaction(), connection.cursor() as cursor:
        found = installed_version(cursor)
        if found == upto:
            return found  # the usual case: no lock, no write
        if found > VERSION:
            raise StoreError(f"{location} has postmortem tables of version {found}, newer than this version "
                             f"of postmortem understands ({VERSION}); upgrade postmortem to use it "
                             "(nothing was changed)")
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", (_MIGRATION_LOCK,))
        cursor.execute(CREATE_VERSION_TABLE)
        found = installed_version(cursor)  # another process may have migrated while we waited
        for version in range(found, upto):
            MIGRATIONS[version](cursor)
        cursor.execute("INSERT INTO postmortem_schema (version) VALUES (%s) "
                       "ON CONFLICT (only_row) DO UPDATE SET version = excluded.version", (max(found, upto),))
        return found
