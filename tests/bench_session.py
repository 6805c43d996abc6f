"""Benchmark: a live session, 1 facilitator and 10 participant processes writing cards and voting on one review.

DESIGN.md "Performance budgets" and issue 11: a facilitator's key echo with
10 participants writing at most 1.5x the same app alone; a participant's card
counted on the facilitator's screen within 250 ms (p95); and the file at the
end holds every card written and every vote cast.  Machines are noisy, so
this is a script that prints figures measured side by side in one run, not a
timed test:

    .venv/bin/python tests/bench_session.py [--quick] [--participants N] [--cards K] [--pace S] [--lead-idle]

(about 2 minutes; --quick about 80 s)

How, and why this way:

* One review (bench_store's realistic one, on could improve) in a temporary
  archive; nothing is written into the repository.
* The facilitator is the real app (``make_app(..., name="Lead")``) in this
  process under ``run_test(size=(80, 24))``, timed as bench_keys times it
  (its ``KeyClock``: from ``pilot.press`` to the first screen update after the
  field took the character, rendered as the terminal driver would; headless,
  like bench_keys, not through a pseudo-terminal).  It types
  new cards at a human pace (a pause between keys), first alone, then while
  the participants write, then alone again once they have left: "alone" is
  both alone runs together, so a warm-up or a grown list weighs on it too.
* Each participant is its own process, the real command
  (``python -m tui.cli open ID --as Pn``) in a pseudo-terminal of 80x24, as
  a person's terminal runs it: its screen is drawn into the pty and the step
  timer runs.  One process of this script (``--room``) drives them all, a
  thread each, reading every pty as a terminal would: F2, the card's text
  one key at a time at a human pace (about 150 ms a key, a pause between
  cards), Enter; K cards once silent writing is open.  Then, once the
  facilitator opens the vote, Escape to the list, Home, arrows and + for
  each of its 3 votes.  It cannot see the app's state, so the facilitator
  leaves a file for each phase ("writing", "vote", "end") and a participant
  gives its app a second to take the change in.  It writes what it typed and
  the dots the file holds for it into a JSON file in the temporary directory.
  (Until the ninth session the participants were headless apps under
  ``run_test``, driven by their Pilots.  They used 0.09-0.20 of a core each
  while writing; real terminals use 0.12-0.13, so the old figures were not
  an artefact of the harness.)
* The floor, in the same run: before the participants join, as many bare
  Textual apps with one ``Input`` (bench_terminal's) are typed into the same
  way, at the same pace, while the facilitator types.  The facilitator's echo
  beside them against alone is what ten terminals typing cost the machine
  with Textual alone; the rest of the "participants writing" figure is ours.
* The facilitator: F3 opens silent writing once all 10 are present; after
  everyone has written, F3 and F2 reveal, F4 with limits "3 2" opens the vote,
  and F4 closes it once everyone has voted.
* Count delay: each participant stamps ``time.time()`` (one clock on one
  machine) just before the key that adds a card (its first character); the
  facilitator's screen is hooked at every update it draws, and stamps the
  first one whose silent-writing line ("Silent writing (anonymous cards):
  P1 2, P2 0, ...") shows that participant's count reaching that card.
  Its two parts are printed too: the participants' process watches the
  review's file (a stat every 5 ms, read when it changed) and stamps when
  each card is first in it.
* With ``--lead-idle`` the facilitator does not type while the others write:
  while it types, another's change waits for a moment just after one of its
  keys, at most one between the same two keys (``tui.app._between_keys``);
  idle, a change is taken in at the next poll.  The two figures show what
  that wait costs the count.
* Also printed: where the facilitator's event loop spends its time (bench_keys'
  ``LoopTimes``) and the CPU each process used, since on a shared machine a
  process waiting for a CPU looks like a slow app.
* At the end the file is read afresh: every card typed (by anyone) is in it
  once, revealed, and each item's votes are the dots the participants cast on
  it, so the total is 3 per participant.

The exit status is 1 when a budget is missed or something typed is lost.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

from bench_keys import KeyClock, LoopTimes, percentile  # bench_keys' harness (it puts the checkout on sys.path)
from bench_store import make_review, verdict
from bench_terminal import BARE_INPUT_APP, ROOT, Terminal  # a process in its own pseudo-terminal

from store import silent, voting  # noqa: E402
from store.db import ReviewStore  # noqa: E402
from tui.app import SWITCH_INTERVAL_SECONDS, make_app  # noqa: E402

STEP = "could_improve"
SCREEN = "CouldImproveScreen"
LEAD = "Lead"
VOTES, PER_ITEM = 3, 2
ECHO_BUDGET = 1.5  # facilitator's echo p95 with participants / alone
COUNT_BUDGET_MS = 250
WORDS = ("no canary", "paged nobody", "stale runbook", "retry storm", "lag unowned", "slow rollback")
WRITING_LINE = re.compile(r"Silent writing \((?:anonymous|named) cards\): (.*?)\. You see how many")


# -- the participants: real terminals, driven from one process of their own ---------------

KEYS = {"f2": b"\x1bOQ", "enter": b"\r", "escape": b"\x1b", "home": b"\x1b[H", "down": b"\x1b[B", "plus": b"+",
        "ctrl+q": b"\x11"}


def room(db: Path, review_id: str, count: int, cards: int, pace: float, out: Path, bare: bool) -> int:
    """Participants P1..P``count``, each ``postmortem open ID --as Pn`` in a pseudo-terminal, a thread each.

    With ``bare``, each is a bare Textual app with one ``Input`` (bench_terminal's) typed into the same way:
    what ten terminals typing cost the machine with Textual alone, the floor for the facilitator's figure.
    """
    terminals: list[Terminal] = []
    failures: list[str] = []

    def run(name: str) -> None:
        try:
            if bare:
                stand_in(name, cards, pace, out, terminals)
            else:
                participate(db, review_id, name, cards, pace, out, terminals)
        except BaseException as error:  # noqa: BLE001 - said below, and the whole room fails
            failures.append(f"{name}: {error!r}")

    threads = [threading.Thread(target=run, args=(f"P{number}",)) for number in range(1, count + 1)]
    in_file: dict[tuple[str, int], float] = {}
    done = threading.Event()
    watch = threading.Thread(target=watch_cards, args=(ReviewStore(db).review_path(review_id), in_file, done))
    if not bare:
        watch.start()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    done.set()
    if not bare:
        watch.join()
        (out / "in_file.json").write_text(json.dumps([[name, number, at] for (name, number), at in in_file.items()]))
    for terminal in terminals:
        if terminal.process.poll() is None:
            terminal.process.kill()
    print("\n".join(failures) or "every participant done", flush=True)
    return 1 if failures else 0


def watch_cards(path: Path, in_file: dict, done: threading.Event) -> None:
    """Stamp when each participant's n-th card is first in the review's file (a stat every 5 ms, read on a change)."""
    seen = None
    while not done.is_set():
        try:
            stat = path.stat()
            if (stat.st_mtime_ns, stat.st_size, stat.st_ino) != seen:
                seen = (stat.st_mtime_ns, stat.st_size, stat.st_ino)
                [review] = json.loads(path.read_bytes())["reviews"].values()
                now = time.time()
                authors = Counter(item.get("author") for item in review.get(STEP) or [])
                for name, count in authors.items():
                    for number in range(1, count + 1):
                        in_file.setdefault((name, number), now)
        except (OSError, ValueError):
            pass  # between a write's replace and the next, or a half-read file: the next look sees it
        time.sleep(0.005)


def participate(db: Path, review_id: str, name: str, cards: int, pace: float, out: Path,
                terminals: list[Terminal]) -> None:
    """As a person at a terminal: K cards once writing opens (F2, the text a key at a time, Enter), then 3 votes.

    It cannot see the app's state, only its output: it goes by the files the
    facilitator leaves in ``out`` ("writing", "vote", "end") and gives its
    app a second to take each change in (a change shows within 250 ms).
    Into ``out/name.json`` go the cards typed, when each one's first key
    went out, the process's CPU time at each phase and the dots the file
    holds for it once its votes are saved.
    """
    terminal = Terminal([sys.executable, "-m", "tui.cli", "--db", str(db), "open", review_id, "--as", name], ROOT)
    terminals.append(terminal)
    record: dict = {"name": name, "cards": [], "added_at": [], "dots": {}}
    terminal.wait_for(review_id.encode(), 120)
    record["cpu"] = [(time.time(), terminal.cpu_seconds())]  # on the step, waiting
    wait_for_file(terminal, out / "writing", 300)
    terminal.read_for(1.0)
    record["cpu"].append((time.time(), terminal.cpu_seconds()))
    rng = write_cards(terminal, name, cards, pace, record)
    terminal.read_for(1.0)
    record["cpu"].append((time.time(), terminal.cpu_seconds()))
    (out / f"{name}.wrote").touch()
    wait_for_file(terminal, out / "vote", 120)
    terminal.read_for(1.0)
    press(terminal, "escape", 0.5)  # from the new card's form to the list
    rows = len(ReviewStore(db).get(review_id).could_improve)
    for target in rng.sample(range(rows), VOTES):
        press(terminal, "home", 0.1)
        for _ in range(target):
            press(terminal, "down", 0.02)
        press(terminal, "plus", 0.3)
    deadline = time.monotonic() + 30
    while sum(record["dots"].values()) < VOTES and time.monotonic() < deadline:
        terminal.read_for(0.5)
        record["dots"] = voting.my_dots(ReviewStore(db).get(review_id), STEP, name)
    (out / f"{name}.json").write_text(json.dumps(record))
    wait_for_file(terminal, out / "end", 300)
    terminal.quit()


def stand_in(name: str, cards: int, pace: float, out: Path, terminals: list[Terminal]) -> None:
    """A bare Textual Input app typed into as ``participate`` types its cards, once the file "bare-go" exists."""
    terminal = Terminal([sys.executable, "-c", BARE_INPUT_APP], ROOT)
    terminals.append(terminal)
    terminal.wait_for(b"bare app ready", 120)
    (out / f"bare-{name}.ready").touch()
    wait_for_file(terminal, out / "bare-go", 300)
    record: dict = {"name": name, "cards": [], "added_at": [], "cpu": [(time.time(), terminal.cpu_seconds())]}
    write_cards(terminal, name, cards, pace, record)
    record["cpu"].append((time.time(), terminal.cpu_seconds()))
    (out / f"bare-{name}.json").write_text(json.dumps(record))
    terminal.quit()


def write_cards(terminal: Terminal, name: str, cards: int, pace: float, record: dict) -> random.Random:
    """F2, a card's text a key at a time, Enter, ``cards`` times; returns the participant's random numbers."""
    rng = random.Random(name)
    for number in range(1, cards + 1):
        terminal.read_for(rng.uniform(0.5, 1.5))  # thinking before a card
        press(terminal, "f2", 0.2)
        text = f"{name} card {number} {rng.choice(WORDS)}"
        for position, character in enumerate(text):
            if position == 0:
                record["added_at"].append(time.time())  # this key adds the card
            terminal.write(character.encode())
            terminal.read_for(pace * rng.uniform(0.7, 1.3))
        press(terminal, "enter", 0.2)
        record["cards"].append(text)
    return rng


def press(terminal: Terminal, key: str, then: float) -> None:
    terminal.write(KEYS[key])
    terminal.read_for(then)


def wait_for_file(terminal: Terminal, path: Path, seconds: float) -> None:
    """Read the terminal's output (an unread terminal would block its app) until ``path`` exists."""
    deadline = time.monotonic() + seconds
    while not path.exists():
        if time.monotonic() > deadline:
            raise SystemExit(f"gave up waiting for {path.name} after {seconds:g} s")
        terminal.read_for(0.1)


async def until(pilot, condition, seconds: float, what: str) -> None:
    """Let the facilitator's app run until ``condition()``; give up after ``seconds``."""
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise SystemExit(f"gave up waiting for {what} after {seconds:g} s")
        await pilot.pause(0.05)


async def saved(pilot, seconds: float = 20) -> None:
    """Until the app's writer has put every change on disk."""
    await until(pilot, lambda: not pilot.app.saver.has_pending, seconds, "the saves")


# -- the facilitator: this process ----------------------------------------------------------

class CountWatch:
    """Stamps the first screen update that shows each participant's count of cards (the silent-writing line)."""

    def __init__(self, app) -> None:
        self.app = app
        self.counts: dict[str, int] = {}
        self.shown_at: dict[tuple[str, int], float] = {}  # (name, count) -> time.time() first drawn
        self.last_text: str | None = None
        screen = app.screen
        refresh = screen._compositor_refresh  # KeyClock's, so both hooks see every update

        def stamped() -> None:
            refresh()
            self.look()

        screen._compositor_refresh = stamped

    def look(self) -> None:
        lines = self.app.screen.query("#session-line")
        text = str(lines.first().content) if lines else ""
        if text == self.last_text:
            return
        self.last_text = text
        match = WRITING_LINE.search(text or "")
        if not match:
            return
        now = time.time()
        for part in match.group(1).split(", "):
            name, _, count = part.rpartition(" ")
            if not count.isdigit():
                continue
            for reached in range(self.counts.get(name, 0) + 1, int(count) + 1):
                self.shown_at.setdefault((name, reached), now)
            self.counts[name] = max(self.counts.get(name, 0), int(count))


async def type_cards(pilot, clock: KeyClock, keys: int, pace: float, label: str, keep_going=lambda: True) -> list[str]:
    """New cards (F2, text, Enter) until about ``keys`` keys are timed, while ``keep_going()``; returns the texts."""
    rng = random.Random(label)
    texts: list[str] = []
    typed = 0
    while typed < keys and keep_going():
        await pilot.press("f2")
        await pilot.pause()
        clock.watch_insertions(pilot.app.focused)
        text = f"{LEAD} {label} card {len(texts) + 1} {rng.choice(WORDS)}"
        for character in text:
            await clock.press(character, after_insert=True)
            await pilot.pause(pace * rng.uniform(0.7, 1.3))
        typed += len(text)
        await pilot.press("enter")
        await pilot.pause()
        texts.append(text)
    return texts


def start_room(db: Path, review_id: str, count: int, cards: int, pace: float, out: Path,
               bare: bool = False) -> subprocess.Popen:
    """The participants' process (this script with ``--room``), its output in ``out/room.log`` (bare: room-bare)."""
    with open(out / room_log(bare), "w") as log:
        return subprocess.Popen(
            [sys.executable, __file__, "--room", str(count), "--db", str(db), "--review", review_id,
             "--cards", str(cards), "--pace", str(pace), "--out", str(out)] + (["--bare"] if bare else []),
            stdout=log, stderr=subprocess.STDOUT)


def room_log(bare: bool) -> str:
    return "room-bare.log" if bare else "room.log"


async def facilitate(db: Path, review_id: str, args, out: Path) -> dict:
    """The whole session, as the facilitator's terminal runs it; returns what was measured."""
    from screens.could_improve import CouldImproveScreen as screen_class

    names = [f"P{number}" for number in range(1, args.participants + 1)]
    app = make_app(db, start="open", review_id=review_id, name=LEAD)
    app.clock = lambda: 0.0
    app.freezes_long_lived = True  # as run_app's app does (gc.freeze once the step is drawn)
    loops = {"alone": LoopTimes(), "bare": LoopTimes(), "writing": LoopTimes()}  # the event loop's time per phase
    for timing in loops.values():
        timing.install(app)
        for name in ("reload_from_store", "on_review_stored", "take_in_unseen"):  # on CouldImproveScreen only
            setattr(screen_class, name, timing.wrap(name, getattr(screen_class, name)))
    result: dict = {"lead_cards": [], "loops": loops}
    participants = None
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: type(app.screen).__name__ == SCREEN, 30, "the could-improve step")
        await pilot.pause()
        clock = KeyClock(pilot)
        for timing in loops.values():
            timing.install_screen(app.screen)
        counts = CountWatch(app)
        screen = app.screen
        print("facilitator alone (1/2) ...", flush=True)
        result["lead_cards"] += await timed(loops["alone"], type_cards(pilot, clock, args.alone_keys, args.pace,
                                                                       "alone"))
        alone = list(clock.samples)
        beside_bare = await beside_bare_apps(pilot, clock, loops["bare"], db, review_id, args, out)
        result["lead_cards"] += beside_bare.pop()

        print(f"starting {len(names)} participant processes ...", flush=True)
        participants = start_room(db, review_id, len(names), args.cards, args.pace, out)
        try:
            here = lambda: {m.name for m in app.live.members} >= set(names)  # noqa: E731
            await until(pilot, lambda: app.live.leads and here() or failed(participants), 120, "everyone to join")
            check_alive(participants, out)
            await pilot.press("f3")
            await until(pilot, lambda: silent.writing(app.screen.review, STEP), 10, "silent writing to open")
            await saved(pilot)
            (out / "writing").touch()
            print("silent writing open: participants write, the facilitator types ...", flush=True)
            written = lambda: all((out / f"{name}.wrote").exists() for name in names)  # noqa: E731
            begun = time.monotonic()
            mark = len(clock.samples)
            if not args.lead_idle:
                result["lead_cards"] += await timed(loops["writing"], type_cards(
                    pilot, clock, args.active_keys, args.pace, "during",
                    lambda: not written() and not failed(participants)))
            active = clock.samples[mark:]
            result["typing_s"] = time.monotonic() - begun
            await until(pilot, lambda: written() or failed(participants), 300, "everyone to finish writing")
            check_alive(participants, out)
            result["writing_s"] = time.monotonic() - begun
            await until(pilot, lambda: all(counts.counts.get(name, 0) >= args.cards for name in names), 30,
                        "the facilitator's counts to reach every card")

            await pilot.press("f3")
            await until(pilot, lambda: type(app.screen).__name__ == "RevealDialog", 10, "the reveal dialog")
            await pilot.press("f2")
            await until(pilot, lambda: app.screen is screen and not silent.hidden_cards(screen.review, STEP), 10,
                        "the reveal")
            await pilot.press("f4")
            await until(pilot, lambda: type(app.screen).__name__ == "PromptDialog", 10, "the vote's dialog")
            await pilot.press("ctrl+u", *f"{VOTES} {PER_ITEM}", "enter")
            await until(pilot, lambda: voting.vote_open(screen.review, STEP), 10, "the vote to open")
            await saved(pilot)
            (out / "vote").touch()
            print("vote open ...", flush=True)
            voted = lambda: all((out / f"{name}.json").exists() for name in names)  # noqa: E731
            await until(pilot, lambda: voted() or failed(participants), 120, "everyone to vote")
            check_alive(participants, out)
            used = lambda: voting.votes_used(screen.review, STEP)  # noqa: E731
            await until(pilot, lambda: all(used().get(name, 0) == VOTES for name in names), 10,
                        "the facilitator to see every vote")
            await pilot.press("f4")
            await until(pilot, lambda: not voting.vote_open(screen.review, STEP), 10, "the vote to close")
            await saved(pilot)
        finally:
            (out / "end").touch()
            if participants:
                try:
                    participants.wait(timeout=60)
                except subprocess.TimeoutExpired:
                    participants.kill()
        check_alive(participants, out)
        result["in_file"] = {(name, number): at for name, number, at in json.loads((out / "in_file.json").read_text())}
        await until(pilot, lambda: not app.live.others(), 15, "the participants to leave")
        print("facilitator alone (2/2) ...", flush=True)
        mark = len(clock.samples)
        result["lead_cards"] += await timed(loops["alone"], type_cards(pilot, clock, args.alone_keys, args.pace,
                                                                       "after"))
        alone += clock.samples[mark:]
        await saved(pilot)
    result.update(alone=alone, bare=beside_bare, active=active, shown_at=counts.shown_at, unidentified=clock.unidentified)
    return result


async def beside_bare_apps(pilot, clock: KeyClock, timing: LoopTimes, db: Path, review_id: str, args,
                           out: Path) -> list:
    """The facilitator types while as many bare Textual Input apps are typed into as participants will write.

    Returns the echo samples of those keys and, last, the cards the facilitator typed.
    """
    names = [f"P{number}" for number in range(1, args.participants + 1)]
    print(f"{len(names)} bare Textual Input apps typed into as the participants will write (the floor) ...",
          flush=True)
    stand_ins = start_room(db, review_id, len(names), args.cards, args.pace, out, bare=True)
    ready = lambda: all((out / f"bare-{name}.ready").exists() for name in names)  # noqa: E731
    await until(pilot, lambda: ready() or failed(stand_ins), 120, "the bare apps to start")
    check_alive(stand_ins, out, bare=True)
    (out / "bare-go").touch()
    mark = len(clock.samples)
    typed = lambda: all((out / f"bare-{name}.json").exists() for name in names)  # noqa: E731
    cards = await timed(timing, type_cards(pilot, clock, args.active_keys, args.pace, "beside bare apps",
                                           lambda: not typed() and not failed(stand_ins)))
    samples = clock.samples[mark:]
    try:
        stand_ins.wait(timeout=60)
    except subprocess.TimeoutExpired:
        stand_ins.kill()
    check_alive(stand_ins, out, bare=True)
    return samples + [cards]


async def timed(timing: LoopTimes, typing):
    """Run ``typing`` with ``timing`` on: bench_keys' spans of the facilitator's event loop, and its CPU time."""
    timing.on = True
    begun, cpu = time.perf_counter(), time.process_time()
    try:
        return await typing
    finally:
        timing.typing_s += time.perf_counter() - begun
        timing.cpu_s = getattr(timing, "cpu_s", 0.0) + time.process_time() - cpu
        timing.on = False


def failed(participants: subprocess.Popen | None) -> bool:
    return participants is not None and participants.poll() not in (None, 0)


def check_alive(participants: subprocess.Popen | None, out: Path, bare: bool = False) -> None:
    if failed(participants):
        log = (out / room_log(bare)).read_text()[-3000:]
        raise SystemExit(f"the participants' process failed (exit code {participants.returncode}):\n{log}")


# -- the figures --------------------------------------------------------------------------

def count_delays(records: list[dict], shown_at: dict, in_file: dict) -> tuple[dict[str, list[float]], int]:
    """ms from each card's first key to the facilitator's screen counting it, and its two parts; and misses.

    The parts: the key to the card in the review's file (``watch_cards``), and from there to the screen.
    """
    delays: dict[str, list[float]] = {"total": [], "to the file": [], "file to screen": []}
    missed = 0
    for record in records:
        for number, added in enumerate(record["added_at"], start=1):
            shown = shown_at.get((record["name"], number))
            if shown is None:
                missed += 1
                continue
            delays["total"].append((shown - added) * 1000)
            stored = in_file.get((record["name"], number))
            if stored is not None:
                delays["to the file"].append((stored - added) * 1000)
                delays["file to screen"].append((shown - stored) * 1000)
    return delays, missed


def final_file(db: Path, review_id: str, records: list[dict], lead_cards: list[str]) -> list[str]:
    """What the file read afresh lacks: cards typed but missing, hidden or doubled; votes that differ."""
    review = ReviewStore(db).get(review_id)
    items = review.could_improve
    problems = []
    texts = [item.text for item in items]
    for text in [card for record in records for card in record["cards"]] + lead_cards:
        if texts.count(text) != 1:
            problems.append(f"card {text!r} is in the file {texts.count(text)} times")
    for item in items:
        if item.hidden or item.ballot:
            problems.append(f"card {item.text!r} still hidden or holds a ballot")
    cast: dict[str, int] = {}
    for record in records:
        for item_id, dots in record["dots"].items():
            cast[item_id] = cast.get(item_id, 0) + dots
        if sum(record["dots"].values()) != VOTES:  # a + refused, lost or not saved within 30 s
            problems.append(f"{record['name']} cast {sum(record['dots'].values())} of {VOTES} votes")
    for item in items:
        if item.votes != cast.get(item.id, 0):
            problems.append(f"card {item.text!r}: {item.votes} votes in the file, {cast.get(item.id, 0)} cast")
    return problems


def where_the_time_goes(result: dict, records: list[dict], bare_records: list[dict]) -> None:
    """The facilitator's event loop per phase (bench_keys' LoopTimes), and the CPU every process used."""
    print()
    print("Where the facilitator's event loop spends its time while typing: ms per call")
    header = (f"{'phase':<8} {'typing s':>8} {'changes':>7} | {'call':<17} {'n':>4} {'p50':>6} {'p95':>6} "
              f"{'total ms':>8} {'%':>6}")
    print(header)
    print("-" * len(header))
    for phase, timing in result["loops"].items():
        if not timing.typing_s:
            continue
        for position, name in enumerate(LoopTimes.CALLS):
            spans = timing.spans[name]
            lead = f"{phase:<8} {timing.typing_s:>8.1f} {timing.changes_seen:>7}" if position == 0 else " " * 24
            if len(spans) > 1:
                print(f"{lead} | {name:<17} {len(spans):>4} {statistics.median(spans):>6.1f} "
                      f"{percentile(spans, 95):>6.1f} {sum(spans):>8.0f} {sum(spans) / 10 / timing.typing_s:>5.1f}%")
            else:
                print(f"{lead} | {name:<17} {len(spans):>4}")
    print("(changes: polls that found the file changed by another process; %: of the phase's typing time; "
          "these are wall-clock spans, so a process waiting for a CPU makes them longer)")
    cpu = [record["cpu"] for record in records]  # (wall, cpu) on the step, as writing opened, written
    waiting = sum(b[1] - a[1] for a, b, _ in cpu) / sum(b[0] - a[0] for a, b, _ in cpu)
    writing = sum(c[1] - b[1] for _, b, c in cpu) / sum(c[0] - b[0] for _, b, c in cpu)
    bare = sum(b[1] - a[1] for a, b in (r["cpu"] for r in bare_records)) / sum(
        b[0] - a[0] for a, b in (r["cpu"] for r in bare_records))
    alone, writing_loop = result["loops"]["alone"], result["loops"]["writing"]
    lead = getattr(writing_loop, "cpu_s", 0.0) / writing_loop.typing_s if writing_loop.typing_s else 0.0
    print(f"CPU used, in cores: each participant {waiting:.2f} while waiting for silent writing, {writing:.2f} "
          f"while writing; the facilitator {lead:.2f} while they wrote ({alone.cpu_s / alone.typing_s:.2f} alone); "
          f"all {len(records) + 1} together about "
          f"{lead + writing * len(records):.1f} of the machine's {os.cpu_count()} (load average at the end "
          f"{os.getloadavg()[0]:.1f}: the rest is other work on the machine); each bare Input app {bare:.2f} "
          f"while typed into the same way")


def report(result: dict, records: list[dict], bare_records: list[dict], problems: list[str], args) -> bool:
    where_the_time_goes(result, records, bare_records)
    echo_alone = [echo for echo, _, _ in result["alone"]]
    echo_bare = [echo for echo, _, _ in result["bare"]]
    echo_active = [echo for echo, _, _ in result["active"]]
    delays, missed = count_delays(records, result["shown_at"], result["in_file"])
    cards = sum(len(record["cards"]) for record in records)
    print()
    print(f"{args.participants} participants, {args.cards} cards each at about {args.pace * 1000:.0f} ms a key; "
          f"silent writing lasted {result['writing_s']:.0f} s, the facilitator typed for {result['typing_s']:.0f} s "
          f"of it{' (--lead-idle)' if args.lead_idle else ''}")
    header = f"{'':<48} {'n':>4} {'p50 ms':>7} {'p95 ms':>7} {'max ms':>7}"
    print(header)
    print("-" * len(header))
    rows = [("facilitator key echo, alone", echo_alone),
            (f"facilitator key echo, {args.participants} bare Input apps typed", echo_bare),
            (f"facilitator key echo, {args.participants} participants writing", echo_active),
            ("participant's card to the facilitator's count", delays["total"]),
            ("  of which: its first key to the file", delays["to the file"]),
            ("  of which: the file to the facilitator's screen", delays["file to screen"])]
    for label, values in rows:
        if values:
            print(f"{label:<48} {len(values):>4} {statistics.median(values):>7.1f} "
                  f"{percentile(values, 95):>7.1f} {max(values):>7.1f}")
        else:
            print(f"{label:<48} {0:>4}")
    print("(echo: key press to the first screen update after the field took the character, as bench_keys times "
          "it; count: a card's first key in its participant's process to the first update of the facilitator's "
          "screen showing the new count)")
    if result["unidentified"]:
        print(f"({result['unidentified']} keys had no update after the field took the character: first update used)")
    print()
    met = True
    if echo_alone and echo_active:
        ratio = percentile(echo_active, 95) / percentile(echo_alone, 95)
        ratio50 = statistics.median(echo_active) / statistics.median(echo_alone)
        met &= ratio <= ECHO_BUDGET
        print(f"budget: facilitator's key echo with {args.participants} participants writing, p95 <= "
              f"{ECHO_BUDGET}x alone: {ratio:.2f}x (p50 {ratio50:.2f}x) -> {verdict(ratio <= ECHO_BUDGET)}")
        if echo_bare:
            print(f"  for reference, beside {args.participants} bare Textual Input apps typed into the same way "
                  f"(Textual's own cost, not ours): {percentile(echo_bare, 95) / percentile(echo_alone, 95):.2f}x "
                  f"(p50 {statistics.median(echo_bare) / statistics.median(echo_alone):.2f}x)")
    else:
        met = False
        print("budget: facilitator's key echo: NOT measured (no keys typed while the participants wrote)")
    delays = delays["total"]
    count_ok = bool(delays) and not missed and percentile(delays, 95) <= COUNT_BUDGET_MS
    met &= count_ok
    p95 = f"{percentile(delays, 95):.0f} ms" if delays else "-"
    print(f"budget: a participant's card counted on the facilitator's screen, p95 <= {COUNT_BUDGET_MS} ms: {p95}"
          f"{f', {missed} never counted' if missed else ''} -> {verdict(count_ok)}")
    votes = sum(sum(record["dots"].values()) for record in records)
    print(f"the file at the end: {cards} participants' cards and {len(result['lead_cards'])} of the facilitator's, "
          f"{votes} votes cast -> {verdict(not problems)}")
    for problem in problems:
        print(f"  {problem}")
    return met and not problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer cards and keys (2 cards each, 30 keys alone)")
    parser.add_argument("--participants", type=int, default=10)
    parser.add_argument("--cards", type=int, help="cards each participant writes (default 3, quick 2)")
    parser.add_argument("--pace", type=float, default=0.15, help="seconds between keys, for everyone (default 0.15)")
    parser.add_argument("--lead-idle", action="store_true",
                        help="the facilitator does not type while the participants write (no echo ratio then): "
                             "a card's way to the count without the facilitator's own typing")
    parser.add_argument("--room", type=int, help=argparse.SUPPRESS)  # this process runs that many participants
    parser.add_argument("--bare", action="store_true", help=argparse.SUPPRESS)  # ... as bare Input apps
    parser.add_argument("--db", help=argparse.SUPPRESS)
    parser.add_argument("--review", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.room:
        return room(Path(args.db), args.review, args.room, args.cards, args.pace, Path(args.out), args.bare)
    args.cards = args.cards or (2 if args.quick else 3)
    args.alone_keys = 30 if args.quick else 60  # before, and again after: both count as "alone"
    args.active_keys = 400  # at most: the facilitator types while the participants write
    started = time.perf_counter()
    print(f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}", flush=True)
    sys.setswitchinterval(SWITCH_INTERVAL_SECONDS)  # the facilitator runs as ``postmortem`` (run_app) runs it
    with tempfile.TemporaryDirectory(prefix="pm-bench-", dir=os.environ.get("BENCH_DIR")) as tmp:
        db, out = Path(tmp, "reviews.json"), Path(tmp, "session")
        out.mkdir()
        doc = make_review(1, random.Random(11)) | {"step": STEP}
        [review_id] = [review.id for review in ReviewStore(db).create_many([doc])]
        result = asyncio.run(facilitate(db, review_id, args, out))
        numbers = range(1, args.participants + 1)
        records = [json.loads((out / f"P{n}.json").read_text()) for n in numbers]
        bare_records = [json.loads((out / f"bare-P{n}.json").read_text()) for n in numbers]
        problems = final_file(db, review_id, records, result["lead_cards"])
        met = report(result, records, bare_records, problems, args)
    print(f"\n(total {time.perf_counter() - started:.0f} s; load average now {os.getloadavg()[0]:.2f})")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
