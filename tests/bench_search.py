"""Benchmark: searching the archive of 1,000 reviews, in the store and on the home screen.

The goal is a few milliseconds per keystroke, so the home list can search as
you type without a debounce.  A script, not a timed test (machines are noisy):

    .venv/bin/python tests/bench_search.py

Prints the median time of one search (words, filters, a word found nowhere,
which scans every text), the one-off cost of the search words (store.db's
``search_texts``: built from every file, or read from ``words.json``), and,
with the real app in a Pilot, what the home screen's search handler and each
later chunk of rows cost per keystroke.

The archive is built once, before anything is timed, in the store's own
layout (``ReviewStore(...).create_many``: one file per review, from
bench_store's realistic reviews), then listed once so its index
(``reviews/.archive/index.json``) exists, as for any archive opened before.
"""

from __future__ import annotations

import asyncio
import random
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_store import make_review  # noqa: E402

from store.archive import parse_query, search  # noqa: E402
from store.db import ReviewStore  # noqa: E402

REVIEWS = 1000
QUERIES = ("checkout", "zzz", "deploy database", "kind:project", "sev:2 status:due", "rollback tag:db")


def build_archive(location: Path, count: int) -> None:
    """``count`` realistic reviews (bench_store's ``make_data(count)`` ones) in the store's layout, listed once."""
    rng = random.Random(count)
    store = ReviewStore(location)
    assert len(list(store.create_many([make_review(n, rng) for n in range(1, count + 1)]))) == count
    ReviewStore(location).list_summaries()  # writes the index, as any earlier use of the archive would have
    assert store.index_file.exists(), store.index_file


def median_ms(action, reps: int = 20) -> float:
    times = []
    for _ in range(reps):
        start = time.perf_counter()
        action()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def bench_store(path: Path) -> None:
    store = ReviewStore(path)
    summaries = store.list_summaries()
    start = time.perf_counter()
    store.search_texts()
    print(f"search texts, first build (every file read, words.json written): {(time.perf_counter() - start) * 1000:.1f} ms")
    print(f"search texts, a fresh store (words.json read): {median_ms(lambda: ReviewStore(path).search_texts(), 5):.1f} ms")
    print(f"search texts, again with nothing changed: {median_ms(store.search_texts, 5):.1f} ms")
    texts = store.search_texts()
    today = date(2026, 12, 30)
    for text in QUERIES:
        query, _ = parse_query(text)
        found = search(summaries, query, today, texts)
        print(f"search {text!r:22} {median_ms(lambda: search(summaries, query, today, texts)):6.2f} ms, {len(found)} found")


async def bench_home(path: Path) -> None:
    import screens.home as home
    from tui.app import make_app

    timings: dict[str, list[float]] = {"show_reviews": [], "_add_rest": []}
    for name, spent in timings.items():
        original = getattr(home.HomeScreen, name)

        def timed(self, *args, _original=original, _spent=spent):
            start = time.perf_counter()
            _original(self, *args)
            _spent.append((time.perf_counter() - start) * 1000)

        setattr(home.HomeScreen, name, timed)
    app = make_app(path)
    async with app.run_test(size=(80, 24)) as pilot:
        for _ in range(5):
            await pilot.pause()
        for spent in timings.values():
            spent.clear()
        for key in [*"deploy", "space", *"zzz", *["backspace"] * 4, "space", *"kind:project", *["backspace"] * 13]:
            await pilot.press(key)
            await pilot.pause()
    for name, spent in timings.items():
        spent.sort()
        print(f"home {name}: n={len(spent)} median {statistics.median(spent):.1f} ms, "
              f"p95 {spent[int(len(spent) * 0.95)]:.1f} ms, max {spent[-1]:.1f} ms")
    print("(the max of show_reviews is the first word typed: it builds the text index)")


def main() -> None:
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "reviews.json"  # the archive: reviews/pm-N.json beside it
        build_archive(path, REVIEWS)
        bench_store(path)
        asyncio.run(bench_home(path))


if __name__ == "__main__":
    main()
