"""Test-wide fixtures."""

from __future__ import annotations

import pytest

import tui.saver
from tui_helpers import LIVE_SAVERS


@pytest.fixture(autouse=True)
def track_savers(monkeypatch):
    """Note every app's saver, so reading a review file first waits for writes under way (tui_helpers.read_file)."""
    create = tui.saver.Saver.__init__

    def tracked(self, *args, **kwargs):
        create(self, *args, **kwargs)
        LIVE_SAVERS.add(self)

    monkeypatch.setattr(tui.saver.Saver, "__init__", tracked)
    yield
    LIVE_SAVERS.clear()


# -- archives of every backend -------------------------------------------------------


@pytest.fixture(scope="session")
def postgres_cluster():
    """A throwaway PostgreSQL server for this test process; skipped, saying why, where there is none."""
    import subprocess

    import pg_cluster

    reason = pg_cluster.why_not()
    if reason:
        pytest.skip(reason)
    try:
        cluster = pg_cluster.Cluster()
    except subprocess.CalledProcessError as error:
        pytest.fail(f"could not start a throwaway PostgreSQL server: {error.cmd}: {error.stderr.decode()}")
    yield cluster
    cluster.close()


@pytest.fixture
def postgres_url(postgres_cluster) -> str:
    """A fresh, empty database on the throwaway server."""
    return postgres_cluster.new_database()


@pytest.fixture(params=["file", "postgresql"])
def archive_location(request, tmp_path):
    """Where an archive is, once per backend: a data directory, then a postgresql:// URL."""
    if request.param == "file":
        return tmp_path / "archive"
    return request.getfixturevalue("postgres_url")


@pytest.fixture
def open_archive(archive_location):
    """Opens the archive (as another process would, each call a store of its own); all closed at the end."""
    from store.backend import open_backend

    opened = []

    def open_store():
        opened.append(open_backend(archive_location))
        return opened[-1]

    yield open_store
    for store in opened:
        getattr(store, "close", lambda: None)()


@pytest.fixture(params=["file", "postgresql"])
def new_archive(request, tmp_path):
    """Makes a fresh, empty archive at each call and returns its location, once per backend (hypothesis)."""
    if request.param == "postgresql":
        return request.getfixturevalue("postgres_cluster").new_database
    numbers = iter(range(1_000_000))
    return lambda: tmp_path / f"archive{next(numbers)}"
