"""Crashes and concurrent writers: the file always parses and no reported change is lost.

A child process that reports a change as done has had ``apply`` return, so
the change must survive a SIGKILL at any later moment, and the file must
still open.  Several processes adding to one review at once must all keep
their items, with unique ids.  These spawn real processes, so they are marked
slow, but they run in the default ``pytest`` run.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from store.db import ReviewStore  # noqa: E402
from store.ops import Add, Set  # noqa: E402

# argv: path, review id, how many adds (0: forever).  Prints "ready", waits for
# a line on stdin, then prints each added id once its write has returned.
CHILD = """
import sys
from store.db import ReviewStore
from store.ops import Add
store = ReviewStore(sys.argv[1])
review_id, count = sys.argv[2], int(sys.argv[3])
print("ready", flush=True)
sys.stdin.readline()
done = 0
while not count or done < count:
    added = store.apply(review_id, Add("went_well", "an item with some text " * 4)).added
    print(added[0], flush=True)
    done += 1
"""

pytestmark = pytest.mark.slow


def spawn(path: Path, review_id: str, count: int) -> subprocess.Popen:
    """Start a writer process and wait until it has opened the store."""
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(path), review_id, str(count)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env,
    )
    assert child.stdout.readline() == "ready\n"
    return child


def go(child: subprocess.Popen) -> None:
    child.stdin.write("go\n")
    child.stdin.flush()


def reported(output: str) -> list[str]:
    """The ids of completed writes: whole lines only (a kill may cut the last one)."""
    lines = output.split("\n")
    return [line for line in lines[:-1] if line]


def bulk_up(store: ReviewStore, review_id: str) -> None:
    """Make the review's file big enough (about 0.5 MB) that kills often land inside a write."""
    store.apply(review_id, Set("impact", "x" * 200_000),
                *(Add("timeline", {"at": "", "text": "event text " * 200}) for _ in range(100)))


def test_sigkill_never_corrupts_or_loses_a_reported_write(tmp_path: Path) -> None:
    path = tmp_path / "reviews.json"
    store = ReviewStore(path)
    review_id = store.create().id
    bulk_up(store, review_id)
    done: list[str] = []
    random_ = random.Random(1234)
    mid_write = kills = 0
    while kills < 60 or (len(done) <= 60 and kills < 300):  # a loaded machine reports fewer writes per kill
        kills += 1
        child = spawn(path, review_id, 0)
        go(child)
        time.sleep(random_.uniform(0.0, 0.12))
        child.send_signal(signal.SIGKILL)
        output, _ = child.communicate(timeout=30)
        done += reported(output)
        mid_write += any(path.with_suffix("").glob(".pm-1.json.tmp-*"))
        stored = [item.id for item in ReviewStore(path).get(review_id).went_well]
        assert set(done) <= set(stored), sorted(set(done) - set(stored))
        assert len(stored) == len(set(stored))
        assert not any(path.with_suffix("").glob(".pm-1.json.tmp-*"))
    assert len(done) == len(set(done)) > 60
    print(f"{len(done)} writes reported, {mid_write} of {kills} kills left a temp file behind")


def test_concurrent_processes_keep_every_item(tmp_path: Path) -> None:
    path = tmp_path / "reviews.json"
    review_id = ReviewStore(path).create().id
    children = [spawn(path, review_id, 25) for _ in range(4)]
    for child in children:
        go(child)
    done: list[str] = []
    for child in children:
        output, _ = child.communicate(timeout=60)
        assert child.returncode == 0
        done += reported(output)
    assert len(done) == len(set(done)) == 100
    stored = [item.id for item in ReviewStore(path).get(review_id).went_well]
    assert sorted(stored) == sorted(done)
