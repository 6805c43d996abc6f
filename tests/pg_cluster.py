"""A throwaway PostgreSQL server for the tests: ``initdb`` and ``pg_ctl`` in a temporary directory.

The server listens on a Unix socket in that directory only (no TCP port, so
parallel test workers never collide), trusts local connections, and does not
fsync (it is thrown away) unless asked to (the benchmark compares it with
files that are synced).  PostgreSQL refuses to run as root, so under root
the server runs as ``nobody`` (``runuser``).  :func:`why_not` says why no server
can be started here, for the skip message.

A test run that is killed must not leave its server running: the process
that starts a cluster writes its pid beside it, an ``atexit`` hook stops it
at a normal exit, a watchdog process stops it as soon as the starting process
is gone however it ended (``kill -9`` included), and every new cluster first
reaps the clusters of earlier runs whose starting process is gone (those
under ``/tmp/pm-pg-*`` with an ``owner`` file naming a dead process; anything
else there is left alone).
"""

from __future__ import annotations

import atexit
import glob
import itertools
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psycopg

_SEARCHED = "PATH and /usr/lib/postgresql/*/bin"
_PREFIX = "pm-pg-"
_OWNER = "owner"  # the pid of the process that started the cluster

# Run by the watchdog: wait for the starting process to end, then stop its server and remove the directory.
_WATCHDOG = """
import os, select, sys
sys.path.insert(0, sys.argv[3])
import pg_cluster
owner, root = int(sys.argv[1]), sys.argv[2]
try:
    select.select([os.pidfd_open(owner)], [], [])
except ProcessLookupError:
    pass
pg_cluster.reap(root)
"""


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
        reap_stale()
        self.root = Path(tempfile.mkdtemp(prefix=_PREFIX, dir="/tmp"))  # short: a socket path has a limit
        (self.root / _OWNER).write_text(str(os.getpid()))
        self.data = self.root / "data"
        self._as_other_user = os.geteuid() == 0
        if self._as_other_user:
            os.chown(self.root, _nobody_uid(), -1)
        self._names = itertools.count(1)
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8",
                  "--no-sync", "--no-instructions")
        self.start()
        atexit.register(self.close)
        self._watchdog = subprocess.Popen(
            [sys.executable, "-c", _WATCHDOG, str(os.getpid()), str(self.root), str(Path(__file__).parent)],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            start_new_session=True)  # a ctrl+c of the test run must not reach it before the run has ended

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
        """Stop the server and remove its directory (again: harmless)."""
        if not self.root.exists():
            return
        try:
            self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
        except subprocess.CalledProcessError:
            pass  # already stopped
        shutil.rmtree(self.root, ignore_errors=True)


def reap_stale() -> list[Path]:
    """Stop and remove the clusters of earlier runs whose starting process is gone; the directories removed."""
    reaped = []
    for root in glob.glob(f"/tmp/{_PREFIX}*"):
        try:
            owner = int((Path(root) / _OWNER).read_text())
        except (OSError, ValueError):
            continue  # not one of ours, or not yet written: left alone
        if not _alive(owner):
            reap(root)
            reaped.append(Path(root))
    return reaped


def reap(root: str | Path) -> None:
    """Stop the server of the cluster in ``root`` at once (SIGQUIT: immediate shutdown) and remove ``root``."""
    root = Path(root)
    try:
        server = int((root / "data" / "postmaster.pid").read_text().split()[0])
        command = Path(f"/proc/{server}/cmdline").read_bytes()
    except (OSError, ValueError, IndexError):
        server, command = None, b""
    if server is not None and str(root / "data").encode() in command:  # that pid is still this cluster's server
        try:
            os.kill(server, signal.SIGQUIT)
        except ProcessLookupError:
            pass
        for _ in range(100):  # its files are removed once it has stopped writing them
            if not _alive(server):
                break
            time.sleep(0.05)
    shutil.rmtree(root, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _nobody_uid() -> int:
    import pwd

    return pwd.getpwnam("nobody").pw_uid
