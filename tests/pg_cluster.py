"""A throwaway PostgreSQL server for the tests: ``initdb`` and ``pg_ctl`` in a temporary directory.

The server listens on a Unix socket in that directory only (no TCP port, so
parallel test workers never collide), trusts local connections, and does not
fsync (it is thrown away) unless asked to (the benchmark compares it with
files that are synced).  PostgreSQL refuses to run as root, so under root
the server runs as ``nobody`` (``runuser``).  :func:`why_not` says why no server
can be started here, for the skip message.
"""

from __future__ import annotations

import glob
import itertools
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import psycopg

_SEARCHED = "PATH and /usr/lib/postgresql/*/bin"


def _bin_dir() -> Path | None:
    """Where initdb and pg_ctl are: beside an initdb in PATH, or Debian's newest version."""
    found = shutil.which("initdb")
    if found:
        return Path(os.path.realpath(found)).parent
    versions = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4]))
    return Path(versions[-1]).parent if versions else None


def why_not() -> str | None:
    """Why the PostgreSQL tests cannot run here, or None when they can."""
    if _bin_dir() is None:
        return (f"PostgreSQL is not installed (no initdb in {_SEARCHED}); "
                "install Debian's postgresql package (.ci/run does) to run the PostgreSQL tests")
    if os.geteuid() == 0 and shutil.which("runuser") is None:
        return "running as root without runuser, and PostgreSQL refuses to run as root"
    return None


class Cluster:
    """One server; :meth:`new_database` gives each test a database of its own."""

    def __init__(self, durable: bool = False) -> None:
        """``durable``: fsync as a real server does (the benchmark); the tests' server does not."""
        self.durable = durable
        self.bin = _bin_dir()
        self.root = Path(tempfile.mkdtemp(prefix="pm-pg-", dir="/tmp"))  # short: a socket path has a limit
        self.data = self.root / "data"
        self._as_other_user = os.geteuid() == 0
        if self._as_other_user:
            os.chown(self.root, _nobody_uid(), -1)
        self._names = itertools.count(1)
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8",
                  "--no-sync", "--no-instructions")
        self.start()

    def _run(self, program: str, *args: str) -> None:
        command = [str(self.bin / program), *args]
        if self._as_other_user:
            command = ["runuser", "-u", "nobody", "--", *command]
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=self.root)

    def start(self) -> None:
        options = f"-k {self.root} -c listen_addresses='' -c max_connections=300"
        if not self.durable:
            options += " -c fsync=off -c full_page_writes=off"
        self._run("pg_ctl", "-D", str(self.data), "-o", options, "-l", str(self.root / "log"), "-w", "start")

    def stop(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://postgres@/{database}?host={self.root}"

    def new_database(self) -> str:
        """A fresh, empty database's URL."""
        name = f"t{os.getpid()}_{next(self._names)}"
        with psycopg.connect(self.url(), autocommit=True) as connection:
            connection.execute(f"CREATE DATABASE {name}")
        return self.url(name)

    def close(self) -> None:
        try:
            self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
        except subprocess.CalledProcessError:
            pass  # already stopped
        shutil.rmtree(self.root, ignore_errors=True)


def _nobody_uid() -> int:
    import pwd

    return pwd.getpwnam("nobody").pw_uid
