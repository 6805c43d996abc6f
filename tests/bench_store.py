"""Benchmark: one saved change, ours against stock TinyDB and against the floor, in one run.

DESIGN.md "Performance budgets": with 1,000 reviews (about 10 MB) in the
file, one saved change must be at least 5x faster than stock TinyDB
(``TinyDB(path)``, default ``JSONStorage``, doing the same ``update``) and
within 2x of the floor (orjson-serialising the same data once and writing it
durably: temp file, fsync, replace).  Machines are noisy, so this is a script
that prints ratios measured side by side, not a timed test:

    .venv/bin/python tests/bench_store.py [--reps N]

Also shown, for information: our change right after another process wrote
the file (so it must parse the whole file again), which is what each
participant pays when several edit at once.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import orjson
from tinydb import TinyDB

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from store.db import ReviewStore  # noqa: E402
from store.ops import Set  # noqa: E402
from store.storage import temp_path  # noqa: E402

SIZES = (10, 100, 1000)
WORDS = ("deploy database replica checkout latency alert pager queue worker cache "
         "memory timeout retry rollback config region traffic error rate customer "
         "dashboard runbook incident shard certificate disk backlog upstream").split()


def sentence(rng: random.Random, words: int) -> str:
    """Plausible free text of about ``words`` words."""
    return " ".join(rng.choice(WORDS) for _ in range(words)).capitalize() + "."


def make_review(number: int, rng: random.Random) -> dict:
    """A realistic stored review: 30 events, 10 actions, whys, lists and prose (about 10 KB)."""
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
        "schema": 1, "id": f"pm-{number}", "kind": "incident", "title": sentence(rng, 6),
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
    """The whole file's tables for ``count`` reviews."""
    rng = random.Random(count)
    return {"reviews": {str(n): make_review(n, rng) for n in range(1, count + 1)},
            "meta": {"1": {"schema": 1, "next_review": count + 1}}}


def median_ms(action: Callable[[int], None], reps: int,
              before: Callable[[int], None] | None = None) -> float:
    """Median wall time of ``action(rep)`` in milliseconds, after one untimed warm-up.

    ``before(rep)``, if given, runs untimed before each repetition.
    """
    action(-1)
    times = []
    for rep in range(reps):
        if before is not None:
            before(rep)
        start = time.perf_counter()
        action(rep)
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def floor_write(path: Path, data: dict) -> None:
    """The least a durable save can do: serialise once, temp file, fsync, replace."""
    raw = orjson.dumps(data)
    temp = temp_path(path)
    with open(temp, "wb") as handle:
        handle.write(raw)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temp, path)


def measure(count: int, directory: Path, reps: int) -> dict:
    """Time one saved change to one review for ours, stock TinyDB and the floor."""
    data = make_data(count)
    target = count // 2 + 1
    ours_path, stock_path, floor_path = (directory / f"{name}-{count}.json"
                                         for name in ("ours", "stock", "floor"))
    ours_path.write_bytes(orjson.dumps(data))
    stock_path.write_text(json.dumps(data))
    store, other = ReviewStore(ours_path), ReviewStore(ours_path)

    def ours(rep: int) -> None:
        store.apply(f"pm-{target}", Set("title", f"ours {rep}"))

    def other_writes(rep: int) -> None:
        other.apply(f"pm-{target}", Set("summary", f"other {rep}"))

    def ours_after_other(rep: int) -> None:
        store.apply(f"pm-{target}", Set("title", f"cold {rep}"))

    table = TinyDB(stock_path).table("reviews")

    def stock(rep: int) -> None:
        table.update(lambda doc: doc.update(title=f"stock {rep}"), doc_ids=[target])

    def floor(rep: int) -> None:
        data["reviews"][str(target)]["title"] = f"floor {rep}"
        floor_write(floor_path, data)

    results = {
        "count": count,
        "size_mb": ours_path.stat().st_size / 1e6,
        "ours": median_ms(ours, reps),
        "stock": median_ms(stock, max(3, reps // 2) if count >= 1000 else reps),
        "floor": median_ms(floor, reps),
    }
    results["cold"] = median_ms(ours_after_other, reps, before=other_writes)
    table.storage.close()
    return results


def report(rows: list[dict]) -> bool:
    """Print the table; True when the 1,000-review budget is met."""
    header = (f"{'reviews':>7} {'file MB':>8} {'stock ms':>9} {'ours ms':>8} {'floor ms':>9} "
              f"{'stock/ours':>10} {'ours/floor':>10} {'ours after other write ms':>26}")
    print(header)
    print("-" * len(header))
    for row in rows:
        print(f"{row['count']:>7} {row['size_mb']:>8.2f} {row['stock']:>9.2f} {row['ours']:>8.2f} "
              f"{row['floor']:>9.2f} {row['stock'] / row['ours']:>9.1f}x {row['ours'] / row['floor']:>9.2f}x "
              f"{row['cold']:>26.2f}")
    big = next(row for row in rows if row["count"] == 1000)
    faster, near = big["stock"] / big["ours"], big["ours"] / big["floor"]
    print()
    print(f"budget (1,000 reviews): stock/ours >= 5x: {faster:.1f}x {'MET' if faster >= 5 else 'MISSED'}; "
          f"ours/floor <= 2x: {near:.2f}x {'MET' if near <= 2 else 'MISSED'}")
    return faster >= 5 and near <= 2


def main() -> int:
    """Run every size in one process, print the table, exit 1 if the budget is missed."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=15, help="timed repetitions per measurement")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="pm-bench-", dir=os.environ.get("BENCH_DIR")) as tmp:
        rows = [measure(count, Path(tmp), args.reps) for count in SIZES]
    return 0 if report(rows) else 1


if __name__ == "__main__":
    sys.exit(main())
