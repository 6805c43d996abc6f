"""Benchmark: ``postmortem timeline-import`` of 1,000 and 10,000 pasted lines (budget: 10,000 in under 2 s).

Importing inserted the events one at a time and sorted the whole timeline
after each, under the review's lock (1,000 lines 0.5 s, 10,000 lines 39 s,
and 118 s into a review that already had 10,000 events).  A script, not a
timed test (machines are noisy):

    .venv/bin/python tests/bench_timeline_import.py

Runs the real command in this process, into an empty review and into one
that already holds 10,000 events, and prints the time of each run and the
time per 1,000 lines; per 1,000 lines stays flat when the import is linear.
"""

from __future__ import annotations

import contextlib
import io
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from store import ops  # noqa: E402
from store.db import ReviewStore  # noqa: E402
from store.model import new_review  # noqa: E402
from tui.cli import main  # noqa: E402


def pasted(lines: int, day: str = "2026-11-20") -> str:
    """A chat-like log: one timed line per event, out of order in places, as a paste often is."""
    rows = []
    for n in range(lines):
        second = (n * 7919) % 86400  # every second of the day once, in a scrambled order
        rows.append(f"{day} {second // 3600:02d}:{second // 60 % 60:02d}:{second % 60:02d} event {n}: step {n % 17}")
    return "\n".join(rows) + "\n"


def review_with(store: ReviewStore, events: int) -> str:
    review = store.create(new_review(title="bench").to_dict())
    if events:
        text = pasted(events, "2026-11-19")
        items = [{"at": line[:19], "text": line[20:]} for line in text.splitlines()]
        store.apply(review.id, *(ops.Add("timeline", item) for item in items))
    return review.id


def timed_import(db: Path, review_id: str, lines: int) -> float:
    source = db.parent / f"paste-{lines}.txt"
    source.write_text(pasted(lines), encoding="utf-8")
    start = time.perf_counter()
    with contextlib.redirect_stdout(io.StringIO()):
        code = main(["--db", str(db), "timeline-import", review_id, str(source)])
    elapsed = time.perf_counter() - start
    assert code == 0, f"timeline-import exited {code}"
    return elapsed


def main_bench() -> None:
    print(f"{'lines':>7}  {'into':<26} {'seconds':>8}  {'per 1,000 lines':>15}")
    for existing in (0, 10_000):
        for lines in (1_000, 10_000):
            with tempfile.TemporaryDirectory() as directory:
                db = Path(directory) / "reviews.json"
                review_id = review_with(ReviewStore(db), existing)
                seconds = timed_import(db, review_id, lines)
                count = len(ReviewStore(db).get(review_id).timeline)
                assert count == existing + lines, count
                into = "an empty review" if not existing else f"a review of {existing:,} events"
                print(f"{lines:>7,}  {into:<26} {seconds:>8.2f}  {seconds / lines * 1000:>14.3f}s")


if __name__ == "__main__":
    main_bench()
