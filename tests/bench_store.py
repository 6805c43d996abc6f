"""Benchmark: one saved change, the per-review store against the old single file and the floor, in one run.

DESIGN.md "Performance budgets", "one saved change": the same at 5,000
reviews as at 10 (within 1.3x), and within 2x of writing one small file
durably; and the reason for store v2, at least 50x faster than the old
single-file store (every review in one ``reviews.json``) at 5,000 reviews.
Machines are noisy, so this is a script that prints ratios measured side by
side, not a timed test:

    .venv/bin/python tests/bench_store.py [--quick] [--reps N] [--slow-reps N]

One saved change is ``apply(review_id, Set("title", ...))`` on a review in the
middle of the archive, timed from call to return:

* new: :class:`store.db.ReviewStore`, one TinyDB file per review (built with
  ``create_many``), 10, 1,000 and 5,000 reviews, each its own archive;
* old: :class:`store.single_file.SingleFileStore` over one file holding every
  review, written directly in its format
  (``{"reviews": {"N": doc}, "meta": {"1": {"schema": SCHEMA, "next_review": N+1}}}``);
* floor: ``write_durably`` (temp file, fsync, replace, fsync of the directory)
  of the bytes of one review file, in the same reviews directory.

The new store and the floor at every size, and the old store at 10, are timed
in interleaved rounds, so a noisy moment hits them all alike; the old store
at 1,000 and 5,000 (hundreds of ms per change) gets fewer repetitions.  Each
measurement is preceded by one untimed warm-up.  Ratios are of medians (the
p95 ratio is shown beside, for information).

Also, for information: listing (``list_summaries()``) at 1,000 and 5,000
reviews, the first time (no index yet: every file read, index written), cold
with the index present (a fresh ``ReviewStore`` in this process, and a new
process), and warm (the same store again); and a fresh old single-file store.
"After a change": the same store listing again after another store saved one
review (one file read again); "index write": rewriting the whole index once
(what a listing does after 32 reviews changed, or on a first open); the
size of the search words cache (``words.json``, written at the first word
search) and a word search's texts from a fresh store (both caches parsed).
"Cold" means a fresh store or process, not a cold disk: the page cache is warm.

The exit status is 1 when a budget is missed.  ``make_review``, ``make_data``
and ``sentence`` are used by the other benchmarks.
"""

from __future__ import annotations

import argparse
import math
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import orjson

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from store.db import ReviewStore  # noqa: E402
from store.model import SCHEMA  # noqa: E402  (the files are built at the current schema: no migration is timed)
from store.ops import Set  # noqa: E402
from store.single_file import SingleFileStore  # noqa: E402
from store.storage import write_durably  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
SIZES = (10, 1000, 5000)
LIST_SIZES = (1000, 5000)
WORDS = ("deploy database replica checkout latency alert pager queue worker cache "
         "memory timeout retry rollback config region traffic error rate customer "
         "dashboard runbook incident shard certificate disk backlog upstream").split()


def sentence(rng: random.Random, words: int) -> str:
    """Plausible free text of about ``words`` words."""
    return " ".join(rng.choice(WORDS) for _ in range(words)).capitalize() + "."


def make_review(number: int, rng: random.Random) -> dict:
    """A realistic stored review: 30 events, 10 actions, whys, lists and prose (about 12 KB)."""
    counter = iter(range(1, 10_000))

    def item(**fields) -> dict:
        return {"id": f"i{next(counter)}", **fields}

    markers = {0: "started", 4: "detected", 15: "mitigated", 29: "resolved"}
    timeline = [item(at=f"2026-11-20T{10 + m // 60:02d}:{m % 60:02d}:00+00:00",
                     text=sentence(rng, 14), marker=markers.get(index))
                for index, m in enumerate(range(0, 150, 5))]
    actions = [item(what=sentence(rng, 10), owner=rng.choice(["Sam", "Lee", "Dana"]),
                    due="2026-12-15", done_when=sentence(rng, 8),
                    type=rng.choice(["prevent", "detect", "process"]),
                    addresses="root cause of chain 1", status="open", note="")
               for _ in range(10)]
    texts = lambda count: [item(text=sentence(rng, 12)) for _ in range(count)]  # noqa: E731
    return {
        "schema": SCHEMA, "id": f"pm-{number}", "kind": "incident", "title": sentence(rng, 6),
        "severity": "SEV2", "timezone": "UTC", "review_date": "2026-11-21",
        "owner": "Lee", "facilitator": "Dana", "participants": ["Dana", "Lee", "Sam"],
        "summary": sentence(rng, 60), "timeline": timeline, "impact": sentence(rng, 50),
        "five_whys": {"problem": sentence(rng, 10),
                      "chains": [item(whys=[sentence(rng, 12) for _ in range(5)]) for _ in range(2)]},
        "went_well": texts(4), "lucky": texts(2), "could_improve": texts(4), "surprises": texts(2),
        "actions": actions, "questions": [item(text=sentence(rng, 10), answer="") for _ in range(3)],
        "follow_up": {"due": "2026-12-21", "held": None, "notes": ""},
        "step": "summary", "cut_short": [], "redact": [],
        "created": "2026-11-21T09:00:00+00:00", "updated": "2026-11-21T12:00:00+00:00",
        "next_item": next(counter),
    }


def make_data(count: int) -> dict:
    """The whole old single file's tables for ``count`` reviews."""
    rng = random.Random(count)
    return single_file_data([make_review(n, rng) for n in range(1, count + 1)])


def single_file_data(docs: list[dict]) -> dict:
    """The old single file's tables holding ``docs`` (``docs[k]`` is review ``pm-{k+1}``)."""
    return {"reviews": {str(n): doc for n, doc in enumerate(docs, start=1)},
            "meta": {"1": {"schema": SCHEMA, "next_review": len(docs) + 1}}}


# -- statistics ----------------------------------------------------------------

def percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile (``share`` 0.95 for p95): a value that was actually measured."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def summary(values_ms: list[float]) -> dict:
    return {"p50": statistics.median(values_ms), "p95": percentile(values_ms, 0.95), "n": len(values_ms)}


def timed_ms(action: Callable[[], object]) -> float:
    start = time.perf_counter()
    action()
    return (time.perf_counter() - start) * 1000


def verdict(ok: bool) -> str:
    return "met" if ok else "NOT met"


# -- building the archives -----------------------------------------------------

def build(directory: Path, docs: list[dict]) -> dict:
    """For each size: a new per-review archive, an old single file, and the stores on them."""
    archives = {}
    for count in SIZES:
        start = time.perf_counter()
        location = directory / f"new-{count}.json"  # files in new-{count}/pm-N.json
        new = ReviewStore(location)
        created = [review.id for review in new.create_many(docs[:count])]
        new_s = time.perf_counter() - start
        start = time.perf_counter()
        old_path = directory / f"old-{count}" / "reviews.json"
        old_path.parent.mkdir(mode=0o700)
        old_path.write_bytes(orjson.dumps(single_file_data(docs[:count])))
        old = SingleFileStore(old_path)
        old_s = time.perf_counter() - start
        target = created[count // 2]
        review_file = new.review_path(target)
        archives[count] = {
            "location": location, "new": new, "old": old, "old_path": old_path, "target": target,
            "floor_path": review_file.parent / ".floor-bench.json",
            "floor_raw": review_file.read_bytes(),
        }
        print(f"  built {count:>5} reviews: new store {new_s:5.1f} s (create_many), "
              f"old single file {old_path.stat().st_size / 1e6:5.1f} MB {old_s:5.1f} s", flush=True)
    return archives


# -- one saved change ------------------------------------------------------------

def measure_changes(archives: dict, reps: int, slow_reps: int) -> dict:
    """Per size: lists of ms for new, old and floor."""
    times = {count: {"new": [], "old": [], "floor": []} for count in SIZES}

    def new_change(count: int, rep: int) -> float:
        arc = archives[count]
        return timed_ms(lambda: arc["new"].apply(arc["target"], Set("title", f"new {rep}")))

    def old_change(count: int, rep: int) -> float:
        arc = archives[count]
        return timed_ms(lambda: arc["old"].apply(arc["target"], Set("title", f"old {rep}")))

    def floor_write(count: int, rep: int) -> float:
        arc = archives[count]
        return timed_ms(lambda: write_durably(arc["floor_path"], arc["floor_raw"]))

    fast = [("new", new_change, count) for count in SIZES] + [("floor", floor_write, count) for count in SIZES]
    fast.append(("old", old_change, SIZES[0]))
    for _, action, count in fast:
        action(count, -1)  # warm-up: opens the review's file, fills caches
    for rep in range(reps):
        order = fast[:]
        random.Random(rep).shuffle(order)  # no fixed position in the round
        for name, action, count in order:
            times[count][name].append(action(count, rep))
    for count in SIZES[1:]:
        old_change(count, -1)
        for rep in range(slow_reps):
            times[count]["old"].append(old_change(count, rep))
    return {count: {name: summary(values) for name, values in row.items()} for count, row in times.items()}


def report_changes(archives: dict, results: dict) -> bool:
    print()
    print("One saved change: apply(id, Set('title', ...)) on one review, ms (median / p95, n timed)")
    header = (f"{'reviews':>7} {'file KB':>7} | {'new p50':>8} {'p95':>7} | {'old p50':>8} {'p95':>8} {'n':>4} | "
              f"{'floor p50':>9} {'p95':>7} | {'old/new':>8} {'new/floor':>9} {'(p95)':>7}")
    print(header)
    print("-" * len(header))
    for count in SIZES:
        row = results[count]
        new, old, floor = row["new"], row["old"], row["floor"]
        print(f"{count:>7} {len(archives[count]['floor_raw']) / 1000:>7.1f} | {new['p50']:>8.2f} {new['p95']:>7.2f} | "
              f"{old['p50']:>8.2f} {old['p95']:>8.2f} {old['n']:>4} | {floor['p50']:>9.2f} {floor['p95']:>7.2f} | "
              f"{old['p50'] / new['p50']:>7.1f}x {new['p50'] / floor['p50']:>8.2f}x {new['p95'] / floor['p95']:>6.2f}x")
    print(f"(new and floor: n={results[SIZES[0]]['new']['n']} each, interleaved)")
    big, small = results[SIZES[-1]], results[SIZES[0]]
    faster = big["old"]["p50"] / big["new"]["p50"]
    worst_floor = max(results[count]["new"]["p50"] / results[count]["floor"]["p50"] for count in SIZES)
    flat = big["new"]["p50"] / small["new"]["p50"]
    flat95 = big["new"]["p95"] / small["new"]["p95"]
    checks = [
        (f"old/new at {SIZES[-1]:,} reviews >= 50x", f"{faster:.0f}x", faster >= 50),
        ("new/floor <= 2x (worst of the three sizes, medians)", f"{worst_floor:.2f}x", worst_floor <= 2),
        (f"new@{SIZES[-1]:,} / new@{SIZES[0]} <= 1.3x (medians; p95s: {flat95:.2f}x)", f"{flat:.2f}x", flat <= 1.3),
    ]
    print()
    for what, value, ok in checks:
        print(f"budget: {what}: {value} -> {verdict(ok)}")
    return all(ok for _, _, ok in checks)


# -- listing ----------------------------------------------------------------------

NEW_PROCESS = """\
import sys, time
sys.path.insert(0, {root!r})
from store.db import ReviewStore
start = time.perf_counter()
count = len(ReviewStore({location!r}).list_summaries())
print((time.perf_counter() - start) * 1000, count)
"""


def measure_listing(archives: dict, reps: int) -> dict:
    results = {}
    for count in LIST_SIZES:
        arc = archives[count]
        location = str(arc["location"])
        first = timed_ms(lambda: ReviewStore(location).list_summaries())  # no index yet: reads every file
        fresh = [timed_ms(lambda: ReviewStore(location).list_summaries()) for _ in range(reps)]
        process = []
        for _ in range(max(3, reps // 2)):
            out = subprocess.run([sys.executable, "-c", NEW_PROCESS.format(root=str(ROOT), location=location)],
                                 capture_output=True, text=True, check=True).stdout.split()
            assert int(out[1]) == count, out
            process.append(float(out[0]))
        store = ReviewStore(location)
        store.list_summaries()
        warm = [timed_ms(store.list_summaries) for _ in range(reps * 2)]
        changed = []
        for rep in range(reps * 2):  # another participant saved one review: the list reads that one file again
            arc["new"].apply(arc["target"], Set("title", f"listed {rep}"))
            changed.append(timed_ms(store.list_summaries))
        rewrite = [timed_ms(lambda: store._save_cache(store.index_file, store._cache)) for _ in range(reps)]
        ReviewStore(location).search_texts()  # the first word search writes the words cache
        search = [timed_ms(lambda: ReviewStore(location).search_texts()) for _ in range(reps)]
        words_mb = (arc["location"].with_suffix("") / ".archive" / "words.json").stat().st_size / 1e6
        old = [timed_ms(lambda: SingleFileStore(arc["old_path"]).list_summaries()) for _ in range(max(2, reps // 2))]
        index_mb = (arc["location"].with_suffix("") / ".archive" / "index.json").stat().st_size / 1e6
        results[count] = {"first": first, "fresh": summary(fresh), "process": summary(process),
                          "warm": summary(warm), "old": summary(old), "index_mb": index_mb,
                          "changed": summary(changed), "rewrite": summary(rewrite), "words_mb": words_mb,
                          "search": summary(search)}
    return results


def report_listing(results: dict) -> None:
    print()
    print("Listing, list_summaries(), ms (median / p95): information, no budget here")
    header = (f"{'reviews':>7} {'index MB':>8} | {'no index':>8} | {'cold: fresh store':>17} | "
              f"{'cold: new process':>17} | {'warm':>13} | {'after a change':>14} | {'index write':>13} | "
              f"{'old file, fresh':>15} | {'words MB':>8} | {'cold word search':>16}")
    print(header)
    print("-" * len(header))
    for count, row in results.items():
        pair = lambda s: f"{s['p50']:.1f} / {s['p95']:.1f}"  # noqa: E731
        print(f"{count:>7} {row['index_mb']:>8.1f} | {row['first']:>8.0f} | {pair(row['fresh']):>17} | "
              f"{pair(row['process']):>17} | {pair(row['warm']):>13} | {pair(row['changed']):>14} | "
              f"{pair(row['rewrite']):>13} | {pair(row['old']):>15} | {row['words_mb']:>8.1f} | "
              f"{pair(row['search']):>16}")
    print("(cold: a fresh ReviewStore (or a new process, timing from ReviewStore() to the list, imports excluded) "
          "with the index present; warm: the same store listing again; after a change: the warm store listing after "
          "another store saved one review; index write: rewriting the whole index once; old: a fresh SingleFileStore; "
          "words: the search words cache; cold word search: search_texts() of a fresh store, both caches present)")


def main() -> int:
    """Build the archives, time changes and listings, print the tables; exit 1 if a budget is missed."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repetitions (about a third of the time)")
    parser.add_argument("--reps", type=int, help="interleaved rounds of the fast changes (default 300, quick 60)")
    parser.add_argument("--slow-reps", type=int,
                        help="changes of the old store at 1,000 and 5,000 reviews (default 15, quick 5)")
    args = parser.parse_args()
    reps = args.reps or (60 if args.quick else 300)
    slow_reps = args.slow_reps or (5 if args.quick else 15)
    started = time.perf_counter()
    rng = random.Random(5000)
    docs = [make_review(n, rng) for n in range(1, max(SIZES) + 1)]
    with tempfile.TemporaryDirectory(prefix="pm-bench-", dir=os.environ.get("BENCH_DIR")) as tmp:
        print(f"Building archives in {tmp} ...", flush=True)
        archives = build(Path(tmp), docs)
        del docs
        changes = measure_changes(archives, reps, slow_reps)
        listing = measure_listing(archives, 3 if args.quick else 5)
        ok = report_changes(archives, changes)
        report_listing(listing)
        archives.clear()  # drop the stores before their directory goes
    print(f"\n(total {time.perf_counter() - started:.0f} s)")
    return 0 if ok else 1

if __name__ == "__main__":
    sys.exit(main())
