"""Benchmark: cold start to the first drawn home screen, ours against a bare Textual app, in one run.

DESIGN.md "Performance budgets": with 1,000 reviews in the archive, cold
start to the first drawn screen must take at most 1.5x a bare Textual app
started the same way.  Machines are noisy, so this is a script that prints a
ratio measured side by side, not a timed test:

    .venv/bin/python tests/bench_startup.py [--reps N]

How, and why this way:

* The archive is built once, before anything is timed, in the store's own
  layout (``ReviewStore(...).create_many``: one file per review,
  ``reviews/pm-N.json``, from bench_store's realistic reviews), then listed
  once so its index (``reviews/.archive/index.json``) exists, as it does for
  any archive that was opened before.  So a timed start reads the index, as
  the app's real cold start does; it never migrates an old single file.
* Every start is a fresh ``sys.executable`` process with the same environment
  and working directory, in its own pseudo-terminal of 80x24.  So both apps
  run Textual's real terminal driver and really write their first frame;
  headless mode would skip the driver and the output, which the user waits
  for too.  Ours is started as the command starts it (``python -m tui.cli
  --db reviews.json``: argument parsing, the store opening the archive, the
  home list); the bare app is an ``App`` that shows one ``Static``.
* The parent times from spawn until the first frame's text appears in the
  terminal's output: for ours a cell of the home list (``pm-99``, the start of
  the ids of the reviews just below the newest, whatever the id column's
  width), for the bare app the Static's text.  No hook inside the apps: the
  clock covers interpreter start, imports, reading the index, layout and the
  write to the terminal.  Then it sends ctrl+q and also records spawn to exit.
* The apps alternate, each after one untimed start, so all find compiled
  bytecode and a warm page cache: "cold" means a fresh process, not a cold disk.
* For context: ours over an empty archive (the app's own cost, without the
  list), and in this process the cost of the home list's data itself,
  ``ReviewStore(path)`` then ``list_summaries()``.
"""

from __future__ import annotations

import argparse
import fcntl
import os
import pty
import random
import select
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import time
from pathlib import Path

from bench_store import make_review, verdict  # the colleague's realistic reviews (this directory is on sys.path)

from store.db import ReviewStore  # importable: bench_store put the checkout on sys.path

ROOT = Path(__file__).resolve().parents[1]
BARE_APP = """\
from textual.app import App
from textual.widgets import Static

class Bare(App):
    def compose(self):
        yield Static("bare app ready")

Bare().run()
"""
CTRL_Q = b"\x11"
REVIEWS = 1000


def build_archive(location: Path, count: int) -> Path:
    """An archive of ``count`` realistic reviews in the store's layout, listed once (its index exists).

    The same reviews as bench_store's ``make_data(count)``; returns the reviews directory.
    """
    rng = random.Random(count)
    store = ReviewStore(location)
    created = list(store.create_many([make_review(n, rng) for n in range(1, count + 1)]))
    assert len(created) == count
    ReviewStore(location).list_summaries()  # a first open writes the index, as after any earlier use
    assert store.index_file.exists(), store.index_file
    return store.root


def start_once(argv: list[str], drawn_text: bytes, env: dict, timeout: float = 60) -> tuple[float, float]:
    """Run ``argv`` in an 80x24 pty: seconds from spawn to ``drawn_text`` on screen, and to exit.

    Textual writes to the terminal through stderr, so stdout and stderr both go to the pty.
    """
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    start = time.perf_counter()
    process = subprocess.Popen(argv, stdin=slave, stdout=slave, stderr=slave, env=env, cwd=ROOT,
                               start_new_session=True)
    os.close(slave)
    output, drawn, deadline = b"", None, start + timeout
    try:
        while True:
            ready, _, _ = select.select([master], [], [], max(0.0, deadline - time.perf_counter()))
            if not ready:
                raise TimeoutError(f"{argv[1:]}: no {drawn_text!r} on screen within {timeout} s:\n"
                                   f"{output.decode(errors='replace')[-2000:]}")
            try:
                chunk = os.read(master, 1 << 16)
            except OSError:  # EIO: the child closed the terminal
                break
            if not chunk:
                break
            output += chunk
            if drawn is None and drawn_text in output:
                drawn = time.perf_counter() - start
                os.write(master, CTRL_Q)
        process.wait(timeout)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        os.close(master)
    if drawn is None:
        raise RuntimeError(f"{argv[1:]} exited ({process.returncode}) before drawing {drawn_text!r}:\n"
                           f"{output.decode(errors='replace')[-2000:]}")
    return drawn, time.perf_counter() - start


def home_list_ms(path: Path, reps: int) -> tuple[float, float]:
    """Median ms of ``ReviewStore(path)`` (open the archive) and of ``list_summaries()`` after it (the index)."""
    opens, lists = [], []
    for _ in range(reps):
        begin = time.perf_counter()
        store = ReviewStore(path)
        middle = time.perf_counter()
        store.list_summaries()
        opens.append(middle - begin)
        lists.append(time.perf_counter() - middle)
    return statistics.median(opens) * 1000, statistics.median(lists) * 1000


def main() -> int:
    """Alternate the starts, print the table, exit 1 if the budget is missed."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=10, help="timed starts per app")
    args = parser.parse_args()
    env = dict(os.environ, TERM=os.environ.get("TERM", "xterm-256color"))
    with tempfile.TemporaryDirectory(prefix="pm-bench-", dir=os.environ.get("BENCH_DIR")) as tmp:
        full, empty = Path(tmp, "reviews.json"), Path(tmp, "empty.json")  # archives in reviews/ and empty/
        root = build_archive(full, REVIEWS)
        files_mb = sum(entry.stat().st_size for entry in root.glob("pm-*.json")) / 1e6
        index_mb = (root / ".archive" / "index.json").stat().st_size / 1e6
        ReviewStore(empty).create()
        ReviewStore(empty).delete("pm-1")  # an archive with no reviews
        ReviewStore(empty).list_summaries()
        apps = {
            "bare Textual app": ([sys.executable, "-c", BARE_APP], b"bare app ready"),
            "ours, empty archive": ([sys.executable, "-m", "tui.cli", "--db", str(empty)], b"No reviews yet"),
            f"ours, {REVIEWS:,} reviews": ([sys.executable, "-m", "tui.cli", "--db", str(full)], b"pm-99"),
        }
        times: dict[str, list[tuple[float, float]]] = {name: [] for name in apps}
        for rep in range(-1, args.reps):  # rep -1: untimed warm-up
            for name, (argv, drawn_text) in apps.items():
                result = start_once(argv, drawn_text, env)
                if rep >= 0:
                    times[name].append(result)
        open_ms, list_ms = home_list_ms(full, args.reps)
        assert not full.exists(), "the archive must be in the new layout, not an old single file"

    header = f"{'start':<32} {'first frame ms':>15} {'min':>7} {'max':>7} {'exit ms':>8} {'x bare':>7}"
    print(header)
    print("-" * len(header))
    bare = statistics.median(drawn for drawn, _ in times["bare Textual app"])
    for name, results in times.items():
        drawn = [d * 1000 for d, _ in results]
        middle = statistics.median(drawn)
        print(f"{name:<32} {middle:>15.0f} {min(drawn):>7.0f} {max(drawn):>7.0f} "
              f"{statistics.median(e for _, e in results) * 1000:>8.0f} {middle / 1000 / bare:>6.2f}x")
    ratio = statistics.median(d for d, _ in times[list(apps)[-1]]) / bare
    print()
    print(f"archive: {REVIEWS:,} review files, {files_mb:.1f} MB; index {index_mb:.1f} MB")
    print(f"home list data, {REVIEWS:,} reviews (in this process): ReviewStore(path) {open_ms:.0f} ms, "
          f"list_summaries() {list_ms:.0f} ms")
    print(f"budget ({REVIEWS:,} reviews): first frame <= 1.5x bare: {ratio:.2f}x "
          f"(medians of {args.reps} alternating starts) -> {verdict(ratio <= 1.5)}")
    return 0 if ratio <= 1.5 else 1


if __name__ == "__main__":
    sys.exit(main())
