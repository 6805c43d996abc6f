"""The tests' throwaway PostgreSQL server leaves nothing running when the run that started it is killed."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import pg_cluster

pytestmark = pytest.mark.skipif(pg_cluster.why_not() is not None, reason=str(pg_cluster.why_not()))

# A test run in miniature: start a cluster, say where it is and who watches it, then wait to be killed.
_RUN = """
import sys, time
sys.path.insert(0, sys.argv[1])
import pg_cluster
cluster = pg_cluster.Cluster()
print(cluster.root, cluster._watchdog.pid, flush=True)
time.sleep(600)
"""


def start_killable_run() -> tuple[subprocess.Popen, Path, int, int]:
    """A process holding a cluster: the process, the cluster's directory, its server's pid, its watchdog's pid."""
    run = subprocess.Popen([sys.executable, "-c", _RUN, str(Path(__file__).parent)], stdout=subprocess.PIPE, text=True)
    root, watchdog = run.stdout.readline().split()
    server = int((Path(root) / "data" / "postmaster.pid").read_text().split()[0])
    return run, Path(root), server, int(watchdog)


def gone(pid: int, seconds: float = 10.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        try:
            if "State:\tZ" in Path(f"/proc/{pid}/status").read_text():
                return True  # a zombie: it has ended, and nobody of ours is its parent
        except OSError:
            return True
        time.sleep(0.05)
    return False


def test_a_test_run_killed_outright_takes_its_server_with_it() -> None:
    run, root, server, _ = start_killable_run()
    run.kill()  # SIGKILL: no atexit, no fixture teardown
    run.wait()
    assert gone(server), f"the server {server} of the killed run still runs"
    deadline = time.monotonic() + 5
    while root.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not root.exists()


def test_a_cluster_left_by_an_earlier_run_is_reaped_by_the_next_and_others_are_left_alone(tmp_path) -> None:
    run, root, server, watchdog = start_killable_run()
    os.kill(watchdog, signal.SIGKILL)  # as if the watchdog had been killed too (or the machine had rebooted it)
    run.kill()
    run.wait()
    foreign = Path("/tmp") / f"pm-pg-not-ours-{os.getpid()}"
    foreign.mkdir()  # no owner file: not known to be one of ours
    try:
        pg_cluster.reap_stale()  # (a test worker starting a cluster meanwhile may have reaped it first)
        assert gone(server) and not root.exists()
        assert foreign.exists()
    finally:
        foreign.rmdir()
