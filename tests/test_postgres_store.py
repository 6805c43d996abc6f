"""What only the PostgreSQL backend has: its tables and their migrations, roles, notices, a lost server.

The contract every backend keeps is in tests/test_backend.py.  These run
against a throwaway server (conftest.py ``postgres_cluster``) and are skipped,
saying why, where PostgreSQL is not installed.
"""

from __future__ import annotations

import time

import psycopg
import pytest
from psycopg.types.json import Jsonb

from store import ops
from store.errors import StoreError, Unreachable
from store.model import new_review
from store.postgres import PostgresStore, shown_location
from store.postgres_schema import VERSION, migrate
from store.session import Member


@pytest.fixture
def opened():
    stores = []
    yield stores
    for store in stores:
        store.close()


def open_store(url: str, opened: list) -> PostgresStore:
    opened.append(PostgresStore(url))
    return opened[-1]


def table_version(url: str) -> int:
    with psycopg.connect(url) as connection:
        return connection.execute("SELECT version FROM postmortem_schema").fetchone()[0]


def test_a_new_database_gets_the_tables_of_the_current_version(postgres_url, opened) -> None:
    open_store(postgres_url, opened)
    assert table_version(postgres_url) == VERSION


def test_the_migration_from_version_1_to_2_keeps_the_reviews_and_adds_presence(postgres_url, opened) -> None:
    with psycopg.connect(postgres_url) as connection:
        assert migrate(connection, "test", upto=1) == 0
    with psycopg.connect(postgres_url) as connection:  # a review as a version-1 postmortem stored it
        doc = new_review("incident", "From version 1").to_dict() | {"id": "pm-1", "created": "2026-01-01T00:00:00+00:00",
                                                                     "updated": "2026-01-01T00:00:00+00:00"}
        connection.execute("INSERT INTO postmortem_reviews (number, updated, doc) VALUES (1, %s, %s)",
                           (doc["updated"], Jsonb(doc)))
        connection.execute("SELECT setval('postmortem_review_numbers', 1)")
        assert connection.execute("SELECT to_regclass('postmortem_presence')").fetchone()[0] is None
    store = open_store(postgres_url, opened)
    assert table_version(postgres_url) == 2
    assert store.get("pm-1").title == "From version 1"
    assert store.create().id == "pm-2"
    store.announce("pm-1", Member(id="mlee", name="Lee"))
    assert [member.name for member in store.present("pm-1")] == ["Lee"]


def test_tables_of_a_newer_postmortem_are_refused_and_left_alone(postgres_url) -> None:
    with psycopg.connect(postgres_url) as connection:
        migrate(connection, "test")
        connection.execute("UPDATE postmortem_schema SET version = 99")
    with pytest.raises(StoreError, match="version 99, newer than this version"):
        PostgresStore(postgres_url)
    assert table_version(postgres_url) == 99


def test_a_role_that_may_only_read_can_list_but_not_change(postgres_url, postgres_cluster, opened) -> None:
    owner = open_store(postgres_url, opened)
    review = owner.create(new_review("incident", "Readable").to_dict())
    with psycopg.connect(postgres_url, autocommit=True) as connection:
        connection.execute("CREATE ROLE reader LOGIN")
        connection.execute("GRANT SELECT ON ALL TABLES IN SCHEMA public TO reader")
    reader = open_store(postgres_url.replace("postgres@", "reader@"), opened)
    assert reader.read_only
    assert [summary.title for summary in reader.list_summaries()] == ["Readable"]
    with pytest.raises(PermissionError, match="may only read"):
        reader.apply(review.id, ops.Set("title", "Changed"))
    assert owner.get(review.id).title == "Readable"


def test_a_hostile_presence_row_is_ignored_and_names_are_cleaned(postgres_url, opened) -> None:
    store = open_store(postgres_url, opened)
    review = store.create()
    store.announce(review.id, Member(id="mlee", name="Lee\x1b]0;owned\x07\nSam"))
    with psycopg.connect(postgres_url) as connection:
        connection.execute("INSERT INTO postmortem_presence (review, member, doc) VALUES "
                           "(1, 'mbad', '[1, 2]'), (1, 'mworse', '{\"id\": \"mworse\", \"name\": \"\"}')")
    [member] = store.present(review.id)
    assert member.name == "Lee Sam"


def test_a_database_that_cannot_be_reached_is_named_without_its_password() -> None:
    with pytest.raises(StoreError) as raised:
        PostgresStore("postgresql://sam:hunter2@127.0.0.1:1/reviews")
    assert "postgresql://sam@127.0.0.1:1/reviews" in str(raised.value) and "hunter2" not in str(raised.value)
    assert shown_location("postgresql://u:p@h/db?sslmode=require") == "postgresql://u@h/db?sslmode=require"


def test_a_server_restart_is_an_unreachable_error_then_changes_go_through_again(postgres_cluster, opened) -> None:
    url = postgres_cluster.new_database()
    store = open_store(url, opened)
    review = store.create()
    version = store.version(review.id)
    postgres_cluster.stop()
    try:
        with pytest.raises(Unreachable) as raised:
            store.apply(review.id, ops.Set("title", "While down"))
        assert isinstance(raised.value, OSError) and "reconnecting" in raised.value.strerror
    finally:
        postgres_cluster.start()
    store.apply(review.id, ops.Set("title", "After the restart"))
    assert store.get(review.id).title == "After the restart"
    assert store.version(review.id) != version  # watchers read afresh after a reconnection


def test_the_privileges_the_readme_names_are_enough_for_everything(postgres_url, opened) -> None:
    open_store(postgres_url, opened).close()  # the owner's first use creates the tables
    database = postgres_url.partition("@/")[2].partition("?")[0]
    with psycopg.connect(postgres_url, autocommit=True) as connection:
        connection.execute("CREATE ROLE team LOGIN")
        connection.execute(f"GRANT CONNECT ON DATABASE {database} TO team")
        connection.execute("REVOKE CREATE ON SCHEMA public FROM PUBLIC")
        connection.execute("GRANT USAGE ON SCHEMA public TO team")
        connection.execute("GRANT SELECT, INSERT, UPDATE, DELETE ON postmortem_schema, postmortem_reviews, "
                           "postmortem_presence TO team")
        connection.execute("GRANT USAGE, UPDATE ON SEQUENCE postmortem_review_numbers TO team")
    team = open_store(postgres_url.replace("postgres@", "team@"), opened)
    assert not team.read_only
    review = team.create()
    team.version(review.id)
    change = team.apply(review.id, ops.Add("went_well", "Rollback was quick"), ops.Set("impact", "EU down"))
    assert team.get(review.id).impact == "EU down" and change.added
    team.announce(review.id, Member(id="mlee", name="Lee"))
    assert [member.name for member in team.present(review.id)] == ["Lee"]
    team.depart(review.id, "mlee")
    team.delete(review.id)
    assert team.create().id == "pm-2"


def test_presence_notices_change_neither_the_review_nor_the_archive_version(postgres_url, opened) -> None:
    store, other = open_store(postgres_url, opened), open_store(postgres_url, opened)
    review = store.create()
    versions = (store.version(review.id), store.version())
    other.announce(review.id, Member(id="msam", name="Sam"))
    other.depart(review.id, "msam")
    deadline = time.monotonic() + 3
    while store._notices.presence_count < 2 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert store._notices.presence_count == 2  # both notices arrived ...
    assert (store.version(review.id), store.version()) == versions  # ... and nobody re-reads for them
