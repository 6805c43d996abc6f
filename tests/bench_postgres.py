"""Benchmark: the PostgreSQL backend against the per-review files, in one run, with 1, 8 and 32 writers.

Issue 16 and DESIGN.md "Performance budgets": writers saving about every
300 ms, the p95 per save; and how soon a change made in one process is held
by another process polling like the app (p95 at most 250 ms).  Printed side
by side for both backends, measured in the same run (a script, not a timed
test; these machines are noisy):

    .venv/bin/python tests/bench_postgres.py [--quick] [--seconds S] [--changes N] [--url postgresql://...]

It reuses tests/bench_live.py: each writer is a process with its own store
(``open_backend``) saving ``Set("impact", ...)`` every 240-360 ms and polling
``version()`` every 100 ms as the app does; all N writers share one review
(a live session), then each has its own.  Propagation: process A sets the
title 200-400 ms apart while N - 1 writers save to the same review, and
process B polls like the app; the delay is from A's apply returning to B
holding that title.  Processes are spawned (not forked) for both backends, so
no process inherits another's database connections.

Presence: process A announces itself on a new step 200-400 ms apart, and
process B reads who is here as the app does (tui/live.py): every second (the
heartbeat), and, where the store pushes presence (PostgreSQL), also as soon as
``presence_version()``, read every 100 ms, changes.  The delay is from A's
announce returning to B holding A on the new step.

Without ``--url`` a throwaway PostgreSQL server is started (tests/pg_cluster.py:
Unix socket, fsync on, as the files are synced); with ``--url`` an existing,
empty database is used.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import random
import sys
import tempfile
import time
from pathlib import Path

import bench_live  # also puts the checkout on sys.path (through bench_store)
from bench_store import make_review, percentile, summary, verdict

from store.backend import open_backend  # noqa: E402
from store.session import Member  # noqa: E402

COUNTS = (1, 8, 32)
bench_live.CONTEXT = multiprocessing.get_context("spawn")


def seed_archive(location: str) -> None:
    store = open_backend(location)
    rng = random.Random(1)
    created = [review.id for review in store.create_many([make_review(n, rng) for n in range(1, 41)])]
    assert created[:33] == [f"pm-{n}" for n in range(1, 34)], created
    store.close()


def saves(location: str, seconds: float) -> dict:
    """ms per save for each writer count, all on one review ("shared") and each on its own ("own")."""
    rows = {}
    for count in COUNTS:
        for case in ("shared", "own"):
            if case == "own" and count == 1:
                rows[case, count] = rows["shared", 1]
                continue
            ids = ["pm-40"] * count if case == "shared" else [f"pm-{k + 1}" for k in range(count)]
            spent = bench_live.run_writers(location, ids, seconds * (3 if count == 1 else 1), True, seed=count)
            rows[case, count] = summary(spent) | {"max": max(spent)}
            print(f"    {count} writer(s), {case}: p95 {rows[case, count]['p95']:.1f} ms", flush=True)
    return rows


def delays(location: str, changes: int) -> dict:
    """Propagation with 0, 7 and 31 other writers on the review."""
    rows = {}
    for count in COUNTS:
        found = bench_live.propagation(location, "pm-39", changes, count - 1, changes * 0.3 + 12,
                                       warmup=1.0 + 0.4 * count)
        rows[count] = found
        print(f"    {count - 1} other writer(s): p95 {percentile(found['delays'], 0.95):.0f} ms, "
              f"{found['missed']} missed", flush=True)
    return rows


def presence_watcher(location: str, review_id: str, ready, stop, seen_queue) -> None:
    """Read who is here like the app: on the heartbeat, and when a pushed presence version changes."""
    store = open_backend(location)
    store.present(review_id)
    ready.set()
    heard, next_poll, next_beat = None, time.monotonic(), time.monotonic() + 1.0
    found = []
    while not stop.is_set():
        next_poll += bench_live.POLL
        bench_live.sleep_until(next_poll)
        version = store.presence_version(review_id)
        if time.monotonic() >= next_beat:
            next_beat += 1.0
        elif version is None or version == heard:
            continue
        heard = version
        for member in store.present(review_id):
            if member.id == "mbench":
                found.append((member.step, time.monotonic()))
    store.close()
    seen_queue.put(found)


def presence_delays(location: str, review_id: str, changes: int) -> list[float]:
    """ms from A's announce returning to B holding A on its new step."""
    context = bench_live.CONTEXT
    ready, stop, seen_queue = context.Event(), context.Event(), context.Queue()
    watching = context.Process(target=presence_watcher, args=(location, review_id, ready, stop, seen_queue))
    watching.start()
    ready.wait(30)
    store = open_backend(location)
    rng = random.Random(11)
    done: dict[str, float] = {}
    member = Member(id="mbench", name="Bench")
    for number in range(changes):
        time.sleep(rng.uniform(0.2, 0.4))
        member.step = f"step{number}"
        store.announce(review_id, member)
        done[member.step] = time.monotonic()
    time.sleep(1.5)
    store.depart(review_id, member.id)
    store.close()
    stop.set()
    found = seen_queue.get(timeout=30)
    watching.join()
    first_seen: dict[str, float] = {}
    for step, moment in found:
        first_seen.setdefault(step, moment)
    return [(first_seen[step] - moment) * 1000 for step, moment in done.items() if step in first_seen]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="shorter runs (3 s per case, 20 changes)")
    parser.add_argument("--seconds", type=float, help="seconds per case (default 8, quick 3)")
    parser.add_argument("--changes", type=int, help="changes timed for propagation (default 40, quick 20)")
    parser.add_argument("--url", help="an empty PostgreSQL database to use instead of a throwaway server")
    args = parser.parse_args()
    seconds = args.seconds or (3 if args.quick else 8)
    changes = args.changes or (20 if args.quick else 40)
    started = time.perf_counter()
    print(f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}")
    cluster = None
    if not args.url:
        import pg_cluster

        reason = pg_cluster.why_not()
        if reason:
            raise SystemExit(reason)
        cluster = pg_cluster.Cluster(durable=True)  # fsync on, as the files are written
    results = {}
    try:
        with tempfile.TemporaryDirectory(prefix="pm-bench-", dir=os.environ.get("BENCH_DIR")) as tmp:
            locations = {"files": str(Path(tmp) / "archive"), "postgresql": args.url or cluster.new_database()}
            for name, location in locations.items():
                print(f"  {name}:", flush=True)
                seed_archive(location)
                results[name] = (saves(location, seconds), delays(location, changes))
                found = presence_delays(location, "pm-38", changes)
                results[name] += (found,)
                print(f"    presence: p95 {percentile(found, 0.95):.0f} ms, {changes - len(found)} missed", flush=True)
    finally:
        if cluster is not None:
            cluster.close()
    report(results, changes)
    print(f"\n(total {time.perf_counter() - started:.0f} s)")
    return 0


def report(results: dict, changes: int) -> None:
    print()
    print("ms per save (apply from call to return), every writer's saves together; writers poll like the app")
    header = f"{'writers':>7} {'review':>7} | {'files p50':>9} {'p95':>6} | {'postgresql p50':>14} {'p95':>6} | {'p95 pg/files':>12}"
    print(header)
    print("-" * len(header))
    for count in COUNTS:
        for case in (("shared",) if count == 1 else ("shared", "own")):
            files, pg = results["files"][0][case, count], results["postgresql"][0][case, count]
            print(f"{count:>7} {case:>7} | {files['p50']:>9.2f} {files['p95']:>6.2f} | {pg['p50']:>14.2f} "
                  f"{pg['p95']:>6.2f} | {pg['p95'] / files['p95']:>11.2f}x")
    print()
    print("ms from A's apply returning to B (polling every 100 ms) holding the change, others saving meanwhile")
    header = f"{'writers':>7} | {'files p50':>9} {'p95':>6} {'missed':>6} | {'postgresql p50':>14} {'p95':>6} {'missed':>6}"
    print(header)
    print("-" * len(header))
    for count in COUNTS:
        files, pg = results["files"][1][count], results["postgresql"][1][count]
        print(f"{count:>7} | {percentile(files['delays'], 0.5):>9.1f} {percentile(files['delays'], 0.95):>6.1f} "
              f"{files['missed']:>6} | {percentile(pg['delays'], 0.5):>14.1f} {percentile(pg['delays'], 0.95):>6.1f} "
              f"{pg['missed']:>6}")
    print()
    print("ms from A announcing itself on a new step to B (reading presence as the app does) holding it;")
    print("missed: a step B never saw, A having moved on before B read (the files are read once a second)")
    header = f"{'files p50':>9} {'p95':>6} {'missed':>6} | {'postgresql p50':>14} {'p95':>6} {'missed':>6} | {'p95 pg/files':>12}"
    print(header)
    print("-" * len(header))
    files, pg = results["files"][2], results["postgresql"][2]
    print(f"{percentile(files, 0.5):>9.1f} {percentile(files, 0.95):>6.1f} {changes - len(files):>6} | "
          f"{percentile(pg, 0.5):>14.1f} {percentile(pg, 0.95):>6.1f} {changes - len(pg):>6} | "
          f"{percentile(pg, 0.95) / percentile(files, 0.95):>11.2f}x")
    print()
    p95 = percentile(pg, 0.95)
    print(f"budget: postgresql, presence shown in another process p95 <= 250 ms: {p95:.0f} ms -> {verdict(p95 <= 250)}")
    for name in results:
        for count in COUNTS:
            p95 = percentile(results[name][1][count]["delays"], 0.95)
            print(f"budget: {name}, {count} writer(s): change shown in another process p95 <= 250 ms: "
                  f"{p95:.0f} ms -> {verdict(p95 <= 250)}")


if __name__ == "__main__":
    sys.exit(main())
