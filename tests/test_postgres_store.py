"""What only the PostgreSQL backend has: its tables and their migrations, roles, notices, a lost server.

The contract every backend keeps is in tests/test_backend.py.  These run
against a throwaway server (conftest.py ``postgres_cluster``) and are skipped,
saying why, where PostgreSQL is not installed.
"""

from __future__ import annotations

import threading
import time

import orjson
import psycopg
import pytest
from psycopg.types.json import Jsonb

from store import ops
from store.errors import StoreError, Unreachable
from store.model import new_review
from store.backend import database_password, without_password
from store.postgres import PostgresStore, shown_location
from store.postgres_schema import VERSION, migrate
from store.session import Member
from test_backend import eventually
from tui.cli import main


@pytest.fixture
def opened():
    stores = []
    yield stores
    for store in stores:
        store.close()


def open_store(url: str, opened: list) -> PostgresStore:
    opened.append(PostgresStore(url))
    return opened[-1]


def went_through(call, *args) -> bool:
    """One try, as the saver's retries make: False while the store still finds the server unreachable."""
    try:
        call(*args)
    except Unreachable:
        return False
    return True


def table_version(url: str) -> int:
    with psycopg.connect(url) as connection:
        return connection.execute("SELECT version FROM postmortem_schema").fetchone()[0]


def test_a_new_database_gets_the_tables_of_the_current_version(postgres_url, opened) -> None:
    open_store(postgres_url, opened)
    assert table_version(postgres_url) == VERSION


def test_the_migrations_from_version_1_keep_the_reviews_and_add_presence(postgres_url, opened) -> None:
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
    assert table_version(postgres_url) == VERSION
    assert store.get("pm-1").title == "From version 1"
    assert store.create().id == "pm-2"
    store.announce("pm-1", Member(id="mlee", name="Lee"))
    assert [member.name for member in store.present("pm-1")] == ["Lee"]


def test_the_migration_from_version_2_to_3_adds_the_applied_tokens_and_keeps_everything(postgres_url,
                                                                                      opened) -> None:
    with psycopg.connect(postgres_url) as connection:
        assert migrate(connection, "test", upto=2) == 0
        assert connection.execute("SELECT to_regclass('postmortem_applied')").fetchone()[0] is None
    with psycopg.connect(postgres_url) as connection:  # as a version-2 postmortem left it
        doc = new_review("incident", "From version 2").to_dict() | {"id": "pm-1", "created": "2026-01-01T00:00:00+00:00",
                                                                     "updated": "2026-01-01T00:00:00+00:00"}
        connection.execute("INSERT INTO postmortem_reviews (number, updated, doc) VALUES (1, %s, %s)",
                           (doc["updated"], Jsonb(doc)))
        connection.execute("SELECT setval('postmortem_review_numbers', 1)")
        connection.execute("INSERT INTO postmortem_presence (review, member, doc) VALUES (1, 'mlee', %s)",
                           (Jsonb(Member(id="mlee", name="Lee").to_dict()),))
    store = open_store(postgres_url, opened)
    assert table_version(postgres_url) == 3
    assert [member.name for member in store.present("pm-1")] == ["Lee"]
    twice = [store.apply("pm-1", ops.Add("went_well", {"text": "Paged fast"}, item_id="iretriedxx"),
                         ops.Set("impact", "EU down", base=""), token="same") for _ in range(2)]
    assert [change.added for change in twice] == [["iretriedxx"], ["iretriedxx"]]
    stored = store.get("pm-1")
    assert (stored.title, stored.impact, [item.text for item in stored.went_well]) == (
        "From version 2", "EU down", ["Paged fast"])


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


@pytest.mark.parametrize("url, shown", [
    ("postgresql://sam:hunter2@127.0.0.1:1/reviews", "postgresql://sam@127.0.0.1:1/reviews"),
    ("postgresql://sam@127.0.0.1:1/reviews?password=hunter2", "postgresql://sam@127.0.0.1:1/reviews"),
    ("postgres://sam@127.0.0.1:1/reviews?sslmode=disable&password=hunter2&connect_timeout=2",
     "postgres://sam@127.0.0.1:1/reviews?sslmode=disable&connect_timeout=2"),
])
def test_a_database_that_cannot_be_reached_is_named_without_its_password(url, shown) -> None:
    with pytest.raises(StoreError) as raised:
        PostgresStore(url)
    assert shown in str(raised.value) and "hunter2" not in str(raised.value)
    assert shown_location(url) == shown


def test_a_password_quoted_in_any_message_is_masked() -> None:
    assert shown_location("postgresql://u:p@h/db?sslmode=require") == "postgresql://u@h/db?sslmode=require"
    assert without_password('missing "=" after "password=hunter2 x"') == 'missing "=" after "password=*** x"'
    assert without_password("cannot use postgresql://u@h:5432/db?password=hunter2 (refused)") == (
        "cannot use postgresql://u@h:5432/db (refused)")
    assert without_password("role said hunter2", secret="hunter2") == "role said ***"
    assert database_password("postgresql://u:a%40b@h/db") == "a@b"
    assert database_password("postgresql://u@h/db?password=hunter2") == "hunter2"
    assert database_password("postgresql://u@h/db") is None


@pytest.mark.parametrize("spelling", ["user", "query"])
def test_a_password_in_the_url_is_never_shown_by_the_command_or_the_store(spelling, postgres_cluster, capsys,
                                                                          tmp_path) -> None:
    url = postgres_cluster.new_database()  # the throwaway server trusts local connections: any password works
    url = (url.replace("postgres@", "postgres:hunter2@") if spelling == "user"
           else url + "&password=hunter2")
    review_file = tmp_path / "review.json"
    review_file.write_bytes(orjson.dumps(new_review("incident", "Imported review").to_dict()))
    assert main(["--db", url, "import", str(review_file)]) == 0
    assert main(["--db", url, "list"]) == 0
    listed = capsys.readouterr()
    assert "Imported review" in listed.out and "hunter2" not in listed.out + listed.err
    store = PostgresStore(url)
    try:
        assert "hunter2" not in store.location
        postgres_cluster.stop()
        try:
            assert main(["--db", url, "list"]) == 2
            with pytest.raises(Unreachable) as raised:
                store.apply("pm-1", ops.Set("title", "While down"))
        finally:
            postgres_cluster.start()
    finally:
        store.close()
    said = capsys.readouterr().err
    assert "cannot use the database postgresql://postgres@" in said and "hunter2" not in said
    assert "hunter2" not in str(raised.value) + str(raised.value.filename)


def test_a_crash_log_quoting_a_database_url_holds_no_password(tmp_path) -> None:
    from tui.crash_log import write_crash_log

    try:
        raise RuntimeError("lost postgresql://sam:hunter2@db/reviews and postgresql://sam@db/r?password=hunter2")
    except RuntimeError as error:
        log = write_crash_log(error, [tmp_path])
    text = log.read_text()
    assert "postgresql://sam@db/reviews" in text and "hunter2" not in text



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
    assert eventually(lambda: went_through(store.apply, review.id, ops.Set("title", "After the restart")),
                      seconds=10)
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
                           "postmortem_presence, postmortem_applied TO team")
        connection.execute("GRANT USAGE, UPDATE ON SEQUENCE postmortem_review_numbers TO team")
    team = open_store(postgres_url.replace("postgres@", "team@"), opened)
    assert not team.read_only
    review = team.create()
    team.version(review.id)
    change = team.apply(review.id, ops.Add("went_well", "Rollback was quick"), ops.Set("impact", "EU down"),
                        token="once")
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


@pytest.mark.parametrize("arguments", [["restore", "pm-1"], ["restore", "pm-1", "--force"], ["restore"]])
def test_restore_on_a_database_says_what_to_use_instead_and_changes_nothing(arguments, postgres_url, opened,
                                                                             capsys) -> None:
    store = open_store(postgres_url, opened)
    review = store.create(new_review("incident", "Kept as it is").to_dict())
    assert main(["--db", postgres_url, *arguments]) == 2
    said = capsys.readouterr().err
    assert "is a PostgreSQL archive: it keeps no backup files" in said and "nothing was changed" in said
    assert "pg_dump" in said and "postmortem copy --from URL --to DIR" in said
    assert store.get(review.id).to_dict() == review.to_dict()
    assert main(["--db", postgres_url, "restore", "pm-7"]) == 2  # an unknown id is named as such
    assert "no review with id 'pm-7'" in capsys.readouterr().err


def test_a_retried_save_whose_commit_went_through_before_the_connection_dropped_adds_nothing_twice(
        postgres_url, opened, monkeypatch) -> None:
    """The connection drops after COMMIT reached the server but before its reply: the saver retries the batch.

    The added item carries the id its terminal chose, so the retry finds it in
    place; the text set in the same batch merges into itself.
    """
    from tui.saver import Saver

    store = open_store(postgres_url, opened)
    review = store.create()
    store.apply(review.id, *(ops.Add("went_well", text) for text in ("one", "two", "three")))
    commit, lost = psycopg.Connection.commit, []

    def commit_then_lose_the_reply(connection) -> None:
        commit(connection)  # the server has the change ...
        if not lost and threading.current_thread().name == "postmortem-saver":
            lost.append(connection)
            connection.close()  # ... and the client never hears so
            raise psycopg.OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(psycopg.Connection, "commit", commit_then_lose_the_reply)
    errors: list = []
    saver = Saver(store, on_error=errors.append)
    saver.queue(review.id, saver.explicit_key(), ops.Add("went_well", {"text": "Rollback was quick"},
                                                         item_id=ops.fresh_item_id()))
    saver.queue(review.id, saver.explicit_key(), ops.Move("went_well", "i1", 1))
    saver.queue(review.id, ("set", "impact"), ops.Set("impact", "EU checkout down", base=""))
    saver.flush(wait=True)
    assert lost and "database unreachable, reconnecting" in saver.failure  # the app says "not saved" ...
    saver.queue(review.id, ("set", "impact"), ops.Set("impact", "EU checkout down 40 min", base="EU checkout down"))
    deadline = time.monotonic() + 10
    while saver.has_pending and time.monotonic() < deadline:  # ... and retries, as the app's timer does
        if saver.ready():
            saver.flush()
        time.sleep(0.05)
    saver.close()
    stored = store.get(review.id)
    assert [item.text for item in stored.went_well] == ["two", "one", "three", "Rollback was quick"]
    assert stored.impact == "EU checkout down 40 min"
    assert errors[-1] is None and not saver.failure  # "saved again", and no other error on the way
    assert [error for error in errors if error is not None and not isinstance(error, OSError)] == []


def test_once_read_who_is_here_follows_the_notices_without_a_query(postgres_url, opened, monkeypatch) -> None:
    lee, sam = open_store(postgres_url, opened), open_store(postgres_url, opened)
    review = lee.create()
    lee.announce(review.id, Member(id="mlee", name="Lee"))
    assert [member.name for member in lee.present(review.id)] == ["Lee"]
    # The table is read until a read is not overtaken by a notice (Lee's own, on a loaded machine):
    assert eventually(lambda: lee.present(review.id) and lee._notices.members(1, 60) is not None)
    version = lee.presence_version(review.id)
    queries = []
    real_cursor = lee._cursor
    monkeypatch.setattr(lee, "_cursor", lambda: queries.append(1) or real_cursor())

    def names() -> list[str]:
        return sorted(member.name for member in lee.present(review.id))

    sam.announce(review.id, Member(id="msam", name="Sam", step="timeline"))
    assert eventually(lambda: names() == ["Lee", "Sam"])
    assert next(m for m in lee.present(review.id) if m.name == "Sam").step == "timeline"
    assert lee.presence_version(review.id) != version
    sam.announce(review.id, Member(id="msam", name="Sam", step="impact", typing=True))
    assert eventually(lambda: any(m.typing and m.step == "impact" for m in lee.present(review.id)))
    sam.depart(review.id, "msam")
    assert eventually(lambda: names() == ["Lee"])  # at once, not after GONE_AFTER
    assert queries == []


def test_after_a_reconnection_who_is_here_is_read_from_the_table_again(postgres_cluster, opened) -> None:
    url = postgres_cluster.new_database()
    lee, sam = open_store(url, opened), open_store(url, opened)
    review = lee.create()
    assert lee.present(review.id) == []
    generation = lee._notices.generation
    postgres_cluster.stop()
    postgres_cluster.start()
    # Perhaps before Lee listens again, so that its notice is lost:
    assert eventually(lambda: went_through(sam.announce, review.id, Member(id="msam", name="Sam")), seconds=10)
    assert eventually(lambda: lee._notices.generation > generation and lee._notices.listening, seconds=10)
    seen = []
    assert eventually(lambda: went_through(lambda: seen.append([m.name for m in lee.present(review.id)]))
                      and seen[-1] == ["Sam"], seconds=10)
