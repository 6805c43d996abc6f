"""Benchmark: what a person's terminal receives, through a pseudo-terminal: per key, while idle, and memory.

Issue 14 ("Fast over SSH"): over SSH every byte is latency and every extra
frame a flicker.  This script runs the real command (``python -m tui.cli``)
and a bare Textual app with one ``Input`` side by side, each in its own
pseudo-terminal of 80x24, and reads the master side as a terminal would.
Machines are noisy, so it prints ratios against the bare app measured in the
same run, never a verdict from one timing alone:

    .venv/bin/python tests/bench_terminal.py [--keys N] [--pace-ms MS] [--idle-s S] [--steps timeline,five_whys,actions,whys,impact]
        [--other-ms MS] [--rounds N]

How, and why this way:

* The archive holds the issue's big review (300 timeline events, 40 actions:
  bench_keys' ``review_doc``), one copy per step measured, each stored on
  that step, so ``postmortem open pm-N`` opens on it with its first text field
  focused (the timeline's and actions' blank item form, the Five Whys'
  problem, the impact's text box, a multi-line TextArea; on the timeline two
  Tabs first move from the event's time to what happened; "whys" is the Five
  Whys again, two Tabs on, in the first chain's first answer).  Built once,
  before anything runs.
* Start: the process is spawned in its pseudo-terminal; its first frame is
  done once it shows the review's id (the bare app its placeholder) and the
  output has then been quiet for 0.7 s.  (Quiet alone was not enough: under
  load a process took longer than that to write anything, and the keys went
  out before the app had a screen: "LOST", keys typed during start-up.)
* Typing: F6 first pauses the step's timer (so no clock tick falls in a key's
  window); then one character every ``--pace-ms`` (250 by default).  Every
  byte that arrives before the next key belongs to the key before it: "bytes
  per key" is their sum; "echo" is the first byte's arrival after the key
  was written, "last" the last one's (the end of the key's last frame);
  "frames" is the mean number of writes per key (runs of output apart by
  4 ms or more: one frame is one write); "cpu ms" the process's CPU time
  per key while typing (user and system, from /proc: what a key costs, which
  a busy machine does not stretch as it stretches latency).
  The bare app's ``Input`` gets the same characters at the same pace.
* Idle: F6 again restarts the timer, then nothing is typed for ``--idle-s``
  seconds (10 by default): bytes per second written while nobody types.
* Memory: the peak resident size (``VmHWM``) of each process at the end.
* Each process then gets ctrl+q; the text typed must be in the review's file
  (nothing measured was lost).
* With ``--other-ms MS`` (300 by default; 0 skips it) every step is measured
  a second time while another participant (a process of its own, with its
  own ``ReviewStore``) saves a change to the same review every MS: another
  item of the step's own list grows by a word (the first event's text, the
  first action's "what", the first chain's first why; on "whys" its third
  why, on impact the trigger), as a colleague typing elsewhere in the room
  would, each sent with the text it was typed over, as an app sends it.  The app shows each of them as it arrives:
  the bytes and frames that lands in a key's window count for that key.
  Issue 14 item 5: these figures at most 1.2x the ones without.  There
  "last" also counts the redraws of the other's changes that land in a
  key's window; "own" (printed for every run) is the end of the output that
  began with the echo, up to the first silence of 25 ms, and the comparison
  with the step alone reads bytes, echo and "own" (and the bytes of that
  output alone, "own output": the key's own frame, without the others').
  The verdict reads "own output" for bytes: where the other's change is in
  sight (five_whys, whys) their text has to be drawn, whatever it costs,
  and that is the cost of their change, not of this terminal's key; the
  bytes of both together are printed beside it.

The bare app's figures are the floor of this harness (Textual itself).  The
issue's budgets: bytes per key at most 1.5x the bare app's; key to last update
p95 at most 16 ms (here: last byte; a loaded machine stretches both apps);
idle output at most 300 B/s with the timer running.
"""

from __future__ import annotations

import argparse
import fcntl
import multiprocessing
import os
import pty
import select
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import time
from pathlib import Path

from bench_keys import review_doc  # the big review (this directory is on sys.path)

from store.db import ReviewStore
from store.ops import Edit, Set

ROOT = Path(__file__).resolve().parents[1]
BARE_INPUT_APP = """\
from textual.app import App
from textual.widgets import Input

class Bare(App):
    def compose(self):
        yield Input(placeholder="bare app ready")

Bare().run()
"""
CTRL_Q = b"\x11"
F6 = b"\x1b[17~"
TEXT = "Alert when replica lag stays above 30 s for five minutes"
TYPED = f"{TEXT}. {TEXT}"  # what --keys types, from its start: room for 80 keys (a p95 of 40 is the 2nd-worst key)
STEPS = ("timeline", "five_whys", "actions", "whys", "impact")
# A run's name is the step it opens on, but "whys" (Five Whys, typed into the first chain's first answer: a
# wrapped one-line input) and "impact" (a multi-line TextArea).
STEP_OF_RUN = {"whys": "five_whys"}
# The keys that take the focus from the field the step opens on to the one typed into.
TO_FIELD = {"timeline": b"\t\t",  # from the event's time, past its marker, to what happened
            "whys": b"\t\t"}  # from the problem, past the chains, to the first why
CONTEXT = multiprocessing.get_context("fork")
BURST_GAP = 0.025  # seconds of silence that end a key's own output (more than a frame period at 60 fps)
FRAME_GAP = 0.004  # seconds of silence between two writes of the app: two frames (one frame is one write)


class Terminal:
    """A process in its own pseudo-terminal; every chunk it writes is kept with its arrival time."""

    def __init__(self, argv: list[str], cwd: Path, size=(80, 24)) -> None:
        master, slave = pty.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", size[1], size[0], 0, 0))
        env = dict(os.environ, TERM="xterm-256color", COLUMNS=str(size[0]), LINES=str(size[1]))
        env.pop("NO_COLOR", None)
        self.process = subprocess.Popen(argv, stdin=slave, stdout=slave, stderr=slave, cwd=cwd, env=env,
                                        start_new_session=True)
        os.close(slave)
        self.master = master
        self.chunks: list[tuple[float, int]] = []
        self.text = b""

    def read_for(self, seconds: float) -> None:
        """Read whatever arrives for ``seconds``."""
        deadline = time.perf_counter() + seconds
        while (left := deadline - time.perf_counter()) > 0:
            ready, _, _ = select.select([self.master], [], [], left)
            if ready:
                self._read_chunk()

    def _read_chunk(self) -> bool:
        try:
            data = os.read(self.master, 65536)
        except OSError:
            return False
        self.chunks.append((time.perf_counter(), len(data)))
        self.text = (self.text + data)[-200_000:]
        return bool(data)

    def settle(self, quiet: float = 0.7, limit: float = 30.0) -> None:
        """Read until nothing has arrived for ``quiet`` seconds (a drawn frame), at most ``limit``."""
        deadline = time.perf_counter() + limit
        while time.perf_counter() < deadline:
            ready, _, _ = select.select([self.master], [], [], quiet)
            if not ready:
                return
            self._read_chunk()

    def wait_for(self, text: bytes, limit: float = 60.0) -> None:
        """Read until ``text`` has been drawn (the first frame), at most ``limit`` seconds.

        Quiet alone did not do: on a loaded machine the process can take
        longer than the quiet period to write anything at all, and the keys
        then went out before the app had a screen to take them.
        """
        deadline = time.perf_counter() + limit
        while text not in self.text and time.perf_counter() < deadline:
            self.read_for(0.05)
        if text not in self.text:
            raise RuntimeError(f"{text!r} was not drawn within {limit} s")

    def write(self, data: bytes) -> float:
        sent = time.perf_counter()
        os.write(self.master, data)
        return sent

    def bytes_between(self, start: float, end: float) -> list[tuple[float, int]]:
        return [(at, size) for at, size in self.chunks if start <= at < end]

    def peak_kib(self) -> int:
        try:
            status = Path(f"/proc/{self.process.pid}/status").read_text()
        except OSError:
            return 0
        line = next((line for line in status.splitlines() if line.startswith("VmHWM:")), "VmHWM: 0 kB")
        return int(line.split()[1])

    def cpu_seconds(self) -> float:
        """The CPU time the process has used so far (user and system): what a key costs, whatever the load."""
        try:
            fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return 0.0
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def quit(self) -> int | None:
        try:
            os.write(self.master, CTRL_Q)
            for _ in range(100):
                self.read_for(0.05)
                if self.process.poll() is not None:
                    break
        except OSError:
            pass
        if self.process.poll() is None:
            self.process.kill()
        code = self.process.wait()
        os.close(self.master)
        return code


def type_keys(terminal: Terminal, text: str, pace: float) -> list[dict]:
    """One character every ``pace`` seconds; per key the bytes, echo and last-byte times (ms) that followed."""
    keys = []
    for character in text:
        sent = terminal.write(character.encode())
        terminal.read_for(pace)
        window = terminal.bytes_between(sent, sent + pace)
        keys.append({"bytes": sum(size for _, size in window),
                     "echo": (window[0][0] - sent) * 1000 if window else None,
                     "last": (window[-1][0] - sent) * 1000 if window else None,
                     "burst": (burst_end(window) - sent) * 1000 if window else None,
                     "frames": frames(window),
                     "own_bytes": sum(size for at, size in window if at <= burst_end(window)) if window else 0})
    return keys


def burst_end(window: list[tuple[float, int]]) -> float:
    """When the output that began with the echo ended: the last chunk before a gap of ``BURST_GAP`` or more.

    With another participant's changes arriving, a key's window also holds
    their redraws, a while after the key's own; "last" counts them, this does
    not (a second frame of the key itself, a frame period later, is in it).
    """
    end = window[0][0]
    for at, _ in window[1:]:
        if at - end >= BURST_GAP:
            break
        end = at
    return end


def frames(window: list[tuple[float, int]]) -> int:
    """How many frames a key's window holds: runs of output apart by ``FRAME_GAP`` or more."""
    return sum(1 for (before, _), (at, _) in zip([(float("-inf"), 0)] + window, window) if at - before >= FRAME_GAP)


def idle_rate(terminal: Terminal, seconds: float) -> float:
    begun = time.perf_counter()
    terminal.read_for(seconds)
    return sum(size for _, size in terminal.bytes_between(begun, begun + seconds)) / seconds


def percentile(values: list[float], percent: int) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, round(percent / 100 * (len(values) - 1)))] if values else float("nan")


def summarise(keys: list[dict]) -> dict:
    echoes = [key["echo"] for key in keys if key["echo"] is not None]
    lasts = [key["last"] for key in keys if key["last"] is not None]
    bursts = [key["burst"] for key in keys if key["burst"] is not None]
    return {"bytes": statistics.median(key["bytes"] for key in keys), "echo50": percentile(echoes, 50),
            "echo95": percentile(echoes, 95), "last50": percentile(lasts, 50), "last95": percentile(lasts, 95),
            "burst95": percentile(bursts, 95), "silent": sum(1 for key in keys if key["echo"] is None),
            "frames": statistics.mean(key["frames"] for key in keys),
            "own_bytes": statistics.median(key["own_bytes"] for key in keys)}


def build(directory: Path, runs: list[str]) -> tuple[Path, dict[str, str]]:
    """One copy of the big review per run (a step, with or without another participant), each stored on its step."""
    db = directory / "reviews.json"
    docs = []
    for run in runs:
        doc = review_doc(1, 300, 40)
        doc["step"] = step_of(run)
        docs.append(doc)
    ids = [review.id for review in ReviewStore(db).create_many(docs)]
    return db, dict(zip(runs, ids))


OTHERS_EDIT = {"timeline": ("timeline", "text"), "actions": ("actions", "what"), "five_whys": ("five_whys.chains", "whys"),
               "whys": ("five_whys.chains", "whys"), "impact": (None, "trigger")}


def step_of(run: str) -> str:
    """The step a run ("whys +other") opens on."""
    name = run.split()[0]
    return STEP_OF_RUN.get(name, name)
GROWTH = ("typed", "by", "another", "participant", "while", "the", "facilitator", "types", "here")


def other_participant(db: str, review_id: str, run: str, interval: float, stop) -> None:
    """Another participant's process: every ``interval`` seconds, one more word in an item of the step's list.

    (On impact, in the trigger; on "whys", in the third answer of the chain typed into.)
    """
    store = ReviewStore(db)
    list_name, field = OTHERS_EDIT[run]
    review = store.get(review_id)
    if list_name is None:
        item = None
        original = getattr(review, field)
    else:
        item = (review.five_whys.chains if list_name == "five_whys.chains" else getattr(review, list_name))[0]
        original = getattr(item, field)
    answer = 2 if run == "whys" else 0
    typed_over = original
    count = 0
    next_save = time.monotonic() + interval
    while not stop.wait(max(0.0, next_save - time.monotonic())):
        count += 1
        words = " ".join(GROWTH[k % len(GROWTH)] for k in range(count % 30))
        if field == "whys":
            value = list(original)
            value[answer] = f"{original[answer]} {words}".rstrip()
        else:
            value = f"{original} {words}".rstrip()
        # With the text it typed over, as a participant's app sends it: the store merges, so what the app's user
        # types into another answer of the same chain is kept (without a base, the whole list was replaced).
        store.apply(review_id, Set(field, value, base=typed_over) if item is None
                    else Edit(list_name, item.id, {field: value}, {field: typed_over}))
        typed_over = value
        next_save += interval


def run_ours(db: Path, review_id: str, run: str, args, others_ms: float = 0) -> dict:
    terminal = Terminal([sys.executable, "-m", "tui.cli", "--db", str(db), "open", review_id], ROOT)
    other = stop = None
    try:
        terminal.wait_for(review_id.encode())  # the step's header
        terminal.settle()
        terminal.write(F6)  # pause the step's timer: no clock tick inside a key's window
        terminal.settle(0.5)
        if run in TO_FIELD:
            terminal.write(TO_FIELD[run])
            terminal.settle(0.5)
        if others_ms:
            stop = CONTEXT.Event()
            other = CONTEXT.Process(target=other_participant, args=(str(db), review_id, run, others_ms / 1000, stop))
            other.start()
            terminal.read_for(1.0)  # their first changes arrive
        cpu = terminal.cpu_seconds()
        keys = type_keys(terminal, TYPED[:args.keys], args.pace_ms / 1000)
        cpu = (terminal.cpu_seconds() - cpu) / len(keys)
        if other is not None:
            stop.set()
            other.join()
        terminal.settle(0.6)  # the pause's save
        terminal.write(F6)  # the timer runs again
        terminal.settle(0.3, 2)
        idle = idle_rate(terminal, args.idle_s)
        peak = terminal.peak_kib()
    finally:
        if other is not None and other.is_alive():
            stop.set()
            other.join()
        code = terminal.quit()
    return {"keys": keys, "idle": idle, "peak": peak, "exit": code, "cpu": cpu}


def run_bare(args) -> dict:
    terminal = Terminal([sys.executable, "-c", BARE_INPUT_APP], ROOT)
    try:
        terminal.wait_for(b"bare app ready")
        terminal.settle()
        cpu = terminal.cpu_seconds()
        keys = type_keys(terminal, TYPED[:args.keys], args.pace_ms / 1000)
        cpu = (terminal.cpu_seconds() - cpu) / len(keys)
        terminal.settle(0.3, 2)
        idle = idle_rate(terminal, min(args.idle_s, 3))
        peak = terminal.peak_kib()
    finally:
        terminal.quit()
    return {"keys": keys, "idle": idle, "peak": peak, "cpu": cpu}


def stored_text(db: Path, review_id: str, run: str) -> str:
    review = ReviewStore(db).get(review_id)
    if run == "five_whys":
        return review.five_whys.problem
    if run == "whys":
        return review.five_whys.chains[0].whys[0]
    if run == "impact":
        return review.impact
    if run == "timeline":
        return " ".join(event.text for event in review.timeline)
    return " ".join(action.what for action in review.actions)


def typed_item(db: Path, review_id: str, step: str) -> str:
    """Where the typing went, in full (the item that holds its end): to tell a lost key from a misplaced one."""
    review = ReviewStore(db).get(review_id)
    items = review.timeline if step == "timeline" else review.actions if step == "actions" else []
    found = [item for item in items if TEXT[10:20] in repr(item)]
    return repr(found[-1]) if found else "(no item holds it)"


def measure(args, steps: tuple[str, ...]) -> dict[str, dict]:
    """One round: the bare app, every step alone (and with another participant), the bare app again."""
    runs = [step for step in steps] + ([f"{step} +other" for step in steps] if args.other_ms else [])
    with tempfile.TemporaryDirectory(prefix="bench-terminal-") as temp:
        db, ids = build(Path(temp), runs)
        bare = run_bare(args)
        results = {}
        for run in runs:
            step = run.split()[0]
            results[run] = run_ours(db, ids[run], step, args, args.other_ms if "+other" in run else 0)
            results[run]["stored"] = stored_text(db, ids[run], step)
            results[run]["kept"] = TYPED[:args.keys] in results[run]["stored"]
            if not results[run]["kept"]:
                results[run]["item"] = typed_item(db, ids[run], step)
        bare_after = run_bare(args)  # the floor again, so a machine that got busier shows in both
    results["bare"] = {"keys": bare["keys"] + bare_after["keys"], "idle": bare["idle"], "peak": bare["peak"],
                       "cpu": (bare["cpu"] + bare_after["cpu"]) / 2}
    return results


def print_round(results: dict[str, dict]) -> tuple[dict[str, dict[str, float]], bool]:
    """The table of one round; returns each run's ratios (to the bare app, and +other to alone) and whether all is kept."""
    floor = summarise(results["bare"]["keys"])
    header = f"{'':26} {'bytes/key':>9} {'ratio':>6} {'echo p50':>8} {'p95':>6} {'last p50':>8} {'p95':>6} " \
             f"{'ratio':>6} {'own p95':>7} {'frames':>6} {'cpu ms':>6} {'idle B/s':>8} {'peak MiB':>8}"
    print(header)
    print("-" * len(header))
    bare = results["bare"]
    print(f"{'bare Textual Input':26} {floor['bytes']:9.0f} {1:6.2f} {floor['echo50']:8.1f} {floor['echo95']:6.1f} "
          f"{floor['last50']:8.1f} {floor['last95']:6.1f} {1:6.2f} {floor['burst95']:7.1f} {floor['frames']:6.2f} "
          f"{bare['cpu'] * 1000:6.1f} {bare['idle']:8.0f} "
          f"{bare['peak'] / 1024:8.1f}")
    ratios, kept = {}, True
    figures = {run: summarise(result["keys"]) for run, result in results.items() if run != "bare"}
    for run, result in results.items():
        if run == "bare":
            continue
        found = figures[run]
        ratios[run] = {"bytes": found["bytes"] / floor["bytes"], "last95": found["last95"] / floor["last95"],
                       "echo95": found["echo95"] / floor["echo95"], "last95_ms": found["last95"],
                       "own95": found["burst95"] / floor["burst95"], "idle": result["idle"],
                       "cpu": result["cpu"] / bare["cpu"]}
        alone = figures.get(run.split()[0]) if "+other" in run else None
        if alone:
            ratios[run] |= {"bytes_vs_alone": found["bytes"] / alone["bytes"],
                            "own_bytes_vs_alone": found["own_bytes"] / alone["own_bytes"],
                            "echo95_vs_alone": found["echo95"] / alone["echo95"],
                            "own95_vs_alone": found["burst95"] / alone["burst95"]}
        print(f"{'postmortem ' + run:26} {found['bytes']:9.0f} {ratios[run]['bytes']:6.2f} {found['echo50']:8.1f} "
              f"{found['echo95']:6.1f} {found['last50']:8.1f} {found['last95']:6.1f} {ratios[run]['last95']:6.2f} "
              f"{found['burst95']:7.1f} {found['frames']:6.2f} {result['cpu'] * 1000:6.1f} {result['idle']:8.0f} {result['peak'] / 1024:8.1f}")
        if not result["kept"] or result["exit"] != 0:
            print(f"  LOST: the text typed on {run} is not in the file (exit status {result['exit']}): "
                  f"{result['stored'][-200:]!r}; the item: {result.get('item')}")
            kept = False
    return ratios, kept


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keys", type=int, default=80, help="characters typed per app (at most %d)" % len(TYPED))
    parser.add_argument("--pace-ms", type=float, default=250)
    parser.add_argument("--idle-s", type=float, default=10)
    parser.add_argument("--steps", default=",".join(STEPS))
    parser.add_argument("--other-ms", type=float, default=300,
                        help="also measure while another participant saves a change this often (0: skip)")
    parser.add_argument("--rounds", type=int, default=1, help="rounds; the verdict reads the median of their ratios")
    args = parser.parse_args()
    steps = tuple(step for step in args.steps.split(",") if step)
    print(f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}; {args.keys} keys at {args.pace_ms:.0f} ms "
          "each, in 80x24 pseudo-terminals", flush=True)
    rounds, ok = [], True
    for number in range(1, args.rounds + 1):
        results = measure(args, steps)
        print(f"\nround {number} (load average {os.getloadavg()[0]:.2f})")
        ratios, kept = print_round(results)
        rounds.append(ratios)
        ok = ok and kept
    print(f"\nmedians of {len(rounds)} round(s): ratio to the bare app (bytes per key, echo p95, last update p95), "
          "idle B/s; +other: ratio to the same step alone")
    for run in rounds[0]:
        middle = {name: statistics.median(found[run][name] for found in rounds) for name in rounds[0][run]}
        line = (f"  {run:18} bytes {middle['bytes']:5.2f}x  echo p95 {middle['echo95']:5.2f}x  "
                f"last p95 {middle['last95']:5.2f}x ({middle['last95_ms']:.1f} ms)  cpu/key {middle['cpu']:4.1f}x  "
                f"idle {middle['idle']:4.0f} B/s")
        if "bytes_vs_alone" in middle:
            line += (f"\n  {'':18} vs alone: bytes {middle['bytes_vs_alone']:4.2f}x (own output "
                     f"{middle['own_bytes_vs_alone']:4.2f}x), echo p95 "
                     f"{middle['echo95_vs_alone']:4.2f}x, own update p95 {middle['own95_vs_alone']:4.2f}x")
            ok = ok and middle["own_bytes_vs_alone"] <= 1.2 and middle["own95_vs_alone"] <= 1.2
        print(line)
        ok = ok and middle["bytes"] <= 1.5 and middle["idle"] <= 300
    print()
    print("budgets (issue 14): bytes per key <= 1.5x the bare app's; idle output <= 300 B/s with the timer running; "
          "key to last update p95 <= 16 ms (a loaded machine stretches both apps: read the ratio); with another "
          "participant's changes every 300 ms, at most 1.2x the same figures alone (bytes: the key's own output)")
    print(f"load average at the end {os.getloadavg()[0]:.2f}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
