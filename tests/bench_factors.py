"""Benchmark: what a key costs on the Five Whys step with 50 contributing factors, against the same step without.

Issue 14's budget: a key costs at most a few ms of our code.  The factor
check (store.checks) runs over every factor, at every typing pause and for
every change of another participant's that the step shows (it ran on
every key press before the checks waited for a typing pause), so this measures it on a
review with 10 chains of 5 whys and 50 factors, and
the same review without factors, in the same run (the ratio is what holds on
a busy machine), in two ways:

* **the check**: what the step does with a key's change, without Textual:
  the review rebuilt from its document (``Review.from_dict``) and
  ``check_step(review, "five_whys")``, with one more character in a
  factor's text each time (in the review without factors: in the problem).
  Both reviews are checked in alternation, so a noisy moment hits both.
* **the app**: the real app at 80x24, typing a new factor's text (``bench_keys``'
  ``KeyClock``: key press to the last screen update it caused), with the
  time spent in the step's ``refresh_checks`` (the check, the panel, the
  notes beside fields and the redrawn item lists) per key: only the key that
  adds the factor runs it now, the others leave it to the typing pause (the
  keys go out faster than ``CHECKS_PAUSE_SECONDS``).  A bare Textual app
  with one Input is the floor of the harness.

    .venv/bin/python tests/bench_factors.py [--reps N] [--keys N]
"""

from __future__ import annotations

import argparse
import asyncio
import copy
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench_keys import KeyClock, percentile, type_into_bare_input  # noqa: E402  (this directory is on sys.path)
import screens.step as step_module  # noqa: E402
from store.checks import check_step  # noqa: E402
from store.db import ReviewStore  # noqa: E402
from store.model import Review  # noqa: E402
from tests.tui_helpers import complete_review  # noqa: E402
from tui.app import make_app  # noqa: E402

CHAINS, WHYS, FACTORS = 10, 5, 50
KINDS = ("trigger", "contributing", "contributing", "mitigating")
TYPED = "Retries from every client doubled the load on the primary"


def review_doc(factors: int) -> dict:
    """A complete review at the Five Whys step with 10 chains of 5 whys and ``factors`` factors."""
    doc = complete_review("five_whys")
    doc["five_whys"]["chains"] = [
        {"whys": [f"Chain {c} answer {w}: the replica fell behind because batch jobs shared its disk" for w in range(WHYS)]}
        for c in range(CHAINS)]
    doc["factors"] = [{"kind": KINDS[n % len(KINDS)],
                       "text": f"Factor {n}: the connection pool had no limit per client, so retries piled up",
                       "rationale": "It had never been reached in five years of normal traffic"} for n in range(factors)]
    return doc


def time_check(doc: dict, grow: tuple[str, ...], reps: int) -> list[float]:
    """ms per key: rebuild the review and check the step, with one more character at ``grow`` each time."""
    doc = copy.deepcopy(doc)
    samples = []
    for n in range(reps):
        holder = doc
        for key in grow[:-1]:
            holder = holder[key]
        holder[grow[-1]] += TYPED[n % len(TYPED)]
        start = time.perf_counter()
        check_step(Review.from_dict(doc), "five_whys")
        samples.append((time.perf_counter() - start) * 1000)
    return samples


def bench_check(reps: int) -> tuple[list[float], list[float]]:
    """The check with and without factors, in alternating rounds of 20 keys."""
    with_factors, without = [], []
    big, small = review_doc(FACTORS), review_doc(0)
    for _ in range(max(1, reps // 20)):
        with_factors += time_check(big, ("factors", FACTORS // 2, "text"), 20)
        without += time_check(small, ("five_whys", "problem"), 20)
    return with_factors, without


async def type_factor(db: Path, review_id: str, keys: int) -> tuple[list, list[float]]:
    """Open the review at Five Whys and type a new factor's text; (KeyClock samples, refresh_checks ms per key)."""
    app = make_app(db, start="open", review_id=review_id)
    app.clock = lambda: 0.0  # a frozen step timer
    spent: list[float] = []
    original = step_module.StepScreen.refresh_checks

    def timed(screen) -> None:
        start = time.perf_counter()
        original(screen)
        spent.append((time.perf_counter() - start) * 1000)

    step_module.StepScreen.refresh_checks = timed
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            while type(app.screen).__name__ != "FiveWhysScreen":
                await pilot.pause()
            await pilot.pause()
            timer = KeyClock(pilot)
            for _ in range(40):
                if getattr(app.focused, "item_field", None) == "text" and app.screen.query_one("#factors") in app.focused.ancestors:
                    break
                await timer.press("tab")
            assert getattr(app.focused, "item_field", None) == "text", "no factor text field reached by Tab"
            timer.samples.clear()
            spent.clear()
            per_key = []
            for character in (TYPED * 4)[:keys]:
                before = len(spent)
                await timer.press(character if character != " " else "space")
                per_key.append(sum(spent[before:]))
    finally:
        step_module.StepScreen.refresh_checks = original
    return timer.samples, per_key


def line(name: str, samples: list[float], reference: float | None = None) -> float:
    p95 = percentile(samples, 95)
    ratio = f"{p95 / reference:>8.1f}x" if reference else f"{'':>9}"
    print(f"{name:<42} {len(samples):>5} {statistics.median(samples):>8.2f} {p95:>8.2f} {max(samples):>8.2f} {ratio}")
    return p95


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=400, help="keys for the check alone (per review)")
    parser.add_argument("--keys", type=int, default=60, help="keys typed in the app (per review)")
    args = parser.parse_args()

    print(f"The check per key (Review.from_dict + check_step five_whys), {CHAINS} chains of {WHYS} whys, ms")
    print(f"{'review':<42} {'keys':>5} {'median':>8} {'p95':>8} {'max':>8} {'p95 ratio':>9}")
    with_factors, without = bench_check(args.reps)
    reference = line("without factors", without)
    line(f"with {FACTORS} factors", with_factors, reference)

    with tempfile.TemporaryDirectory() as tmp:
        store = ReviewStore(Path(tmp) / "data")
        big, small = store.create(review_doc(FACTORS)).id, store.create(review_doc(0)).id
        db = Path(tmp) / "data"
        print(f"\nThe app, typing a new factor's text at 80x24: key press to last screen update, ms")
        print(f"{'review':<42} {'keys':>5} {'median':>8} {'p95':>8} {'max':>8} {'p95 ratio':>9}")
        bare = asyncio.run(type_into_bare_input())
        small_keys, small_refresh = asyncio.run(type_factor(db, small, args.keys))
        big_keys, big_refresh = asyncio.run(type_factor(db, big, args.keys))
        line("bare Textual Input (floor)", [full for _, full, _ in bare])
        reference = line("without factors", [full for _, full, _ in small_keys])
        line(f"with {FACTORS} factors", [full for _, full, _ in big_keys], reference)
        print("\nOf which the step's refresh_checks (check, panel, notes, item lists), ms per key")
        reference = line("without factors", small_refresh)
        line(f"with {FACTORS} factors", big_refresh, reference)
    return 0


if __name__ == "__main__":
    sys.exit(main())
