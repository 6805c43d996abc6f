"""A dropped SSH link, a kill, or Ctrl+C right after typing: what was typed is in the file.

These run the real ``postmortem new`` command in a pseudo-terminal, wait until
it has drawn, agree to the ground rules, type into the focused title field and
then, as soon as the screen shows the typed text (long before the typing-pause
save), hang up the terminal or signal the process.  The file must hold the
typed text afterwards.  Timeouts are generous bounds for a slow shared machine,
never assertions about speed.
"""

from __future__ import annotations

import fcntl
import json
import os
import pty
import re
import select
import signal
import struct
import sys
import termios
import time
from pathlib import Path

import pytest

from tui_helpers import read_file

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pseudo-terminal")

ROOT = Path(__file__).resolve().parents[1]
ROWS, COLUMNS = 24, 80
DRAW_TIMEOUT = 90.0  # seconds to start and draw on a slow, shared machine
EXIT_TIMEOUT = 30.0  # the app's own backstop ends it within about 2 s of a signal
ESCAPES = re.compile(r"\x1b(\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(\x07|\x1b\\)|[@-Z\\-_=>])")
TYPED = "ABC-xyz 42"


class Terminal:
    """The parent's side of a pseudo-terminal with the app running on the other side."""

    def __init__(self, db: Path, args: tuple[str, ...] = ("new", "--kind", "incident")) -> None:
        self.db = db
        self.output = ""
        self.pid, self.fd = pty.fork()
        if self.pid == 0:  # the child: an 80x24 xterm, then the real command
            try:
                fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", ROWS, COLUMNS, 0, 0))
                os.chdir(ROOT)
                env = {k: v for k, v in os.environ.items() if not k.startswith(("TEXTUAL", "PYTEST"))}
                env.update(TERM="xterm-256color", COLUMNS=str(COLUMNS), LINES=str(ROWS))
                env.pop("NO_COLOR", None)
                command = [sys.executable, "-m", "tui.cli", "--db", str(db), *args]
                os.execve(sys.executable, command, env)
            finally:
                os._exit(127)
        fcntl.ioctl(self.fd, termios.TIOCSWINSZ, struct.pack("HHHH", ROWS, COLUMNS, 0, 0))
        self.status: int | None = None

    def read(self, timeout: float) -> bool:
        """Read what the app drew within ``timeout``; False once the terminal is closed."""
        if self.fd < 0:
            return False
        ready, _, _ = select.select([self.fd], [], [], timeout)
        if not ready:
            return True
        try:
            chunk = os.read(self.fd, 65536)
        except OSError:
            return False
        if not chunk:
            return False
        self.output += chunk.decode("utf-8", "replace")
        return True

    @property
    def text(self) -> str:
        """The output with escape sequences removed (the characters drawn, in order)."""
        return ESCAPES.sub("", self.output)

    def wait_for(self, wanted: str, timeout: float = DRAW_TIMEOUT) -> None:
        """Read until ``wanted`` has been drawn since the last ``mark``."""
        deadline = time.monotonic() + timeout
        while wanted not in self.text[self._mark:]:
            if time.monotonic() > deadline or not self.read(0.05) or self.exited():
                raise AssertionError(f"{wanted!r} was never drawn; the screen showed:\n{self.text[-2000:]}")

    def mark(self) -> None:
        """From now on, ``wait_for`` only looks at output drawn after this point."""
        self._mark = len(self.text)

    _mark = 0

    def type(self, keys: str) -> None:
        os.write(self.fd, keys.encode())

    def agree_to_ground_rules(self) -> None:
        """Enter on the ground rules drawn over setup, and wait until the file holds the agreement.

        It is written at once when agreed; the title gets the focus next.
        """
        self.wait_for("We agree")
        self.type("\r")  # "We agree: start" has the focus
        deadline = time.monotonic() + DRAW_TIMEOUT
        while not ground_rules_agreed(self.db):
            assert time.monotonic() < deadline and self.read(0.05), self.text[-1500:]
        self.mark()

    def hang_up(self) -> None:
        """The SSH link drops: the terminal's master side goes away."""
        os.close(self.fd)
        self.fd = -1

    def exited(self) -> bool:
        if self.status is None:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                self.status = status
        return self.status is not None

    def wait_for_exit(self, timeout: float = EXIT_TIMEOUT) -> bool:
        """Drain the output (so the app is never blocked writing) until the process ends; False if it did not."""
        deadline = time.monotonic() + timeout
        while not self.exited():
            if time.monotonic() > deadline:
                return False
            if not self.read(0.05):
                time.sleep(0.05)
        return True

    def close(self) -> None:
        if not self.exited():
            os.kill(self.pid, signal.SIGKILL)
            self.status = os.waitpid(self.pid, 0)[1]
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1


def title_in(db: Path) -> str | None:
    """The stored title of review pm-1, or None if the file does not hold it yet."""
    try:
        reviews = read_file(db)["reviews"]
        return reviews["1"]["title"]
    except (OSError, ValueError, KeyError):
        return None


def ground_rules_agreed(db: Path) -> bool:
    try:
        return bool(read_file(db)["reviews"]["1"].get("ground_rules_confirmed"))
    except (OSError, ValueError, KeyError):
        return False


def type_title_then(db: Path, end_it) -> tuple[Terminal, str | None, bool]:
    """Start the app, agree to the ground rules, type into the title, and end it the moment the text shows.

    Returns the terminal, the title the file held just before ``end_it`` ran
    (it must not hold the typed text yet, or the test proved nothing), and
    whether the process ended by itself (it is killed if not).
    """
    terminal = Terminal(db)
    try:
        terminal.agree_to_ground_rules()
        terminal.type(TYPED)
        terminal.wait_for(TYPED)  # the field shows it: the app has the keys
        before = title_in(db)
        end_it(terminal)
        ended = terminal.wait_for_exit()
        return terminal, before, ended
    finally:
        terminal.close()


def end_before_the_save(directory: Path, end_it, attempts: int = 3) -> tuple[Path, Terminal, bool]:
    """``type_title_then`` until the signal came before the typing-pause save (a loaded machine can be slow to it).

    Returns the file, the terminal and whether the process ended by itself.
    """
    for attempt in range(attempts):
        db = directory / f"r{attempt}.json"
        terminal, before, ended = type_title_then(db, end_it)
        if before == "":
            return db, terminal, ended
    raise AssertionError(f"in {attempts} tries the typing-pause save always ran first: nothing was tested")


def send(signal_number: int):
    def end_it(terminal: Terminal) -> None:
        os.killpg(terminal.pid, signal_number)  # the child leads its own session and group

    return end_it


@pytest.mark.slow
def test_text_typed_just_before_the_ssh_link_drops_is_saved(tmp_path):
    db, _, _ = end_before_the_save(tmp_path, Terminal.hang_up)
    assert title_in(db) == TYPED


@pytest.mark.slow
@pytest.mark.parametrize(
    "signal_number",
    [signal.SIGHUP, signal.SIGTERM, signal.SIGINT],
    ids=["SIGHUP", "SIGTERM", "SIGINT"],
)
def test_text_typed_just_before_a_signal_is_saved_and_the_app_ends(tmp_path, signal_number):
    db, terminal, ended = end_before_the_save(tmp_path, send(signal_number))
    assert title_in(db) == TYPED
    assert ended, f"the app was still running {EXIT_TIMEOUT} s after the signal"
    assert os.WIFEXITED(terminal.status) and os.WEXITSTATUS(terminal.status) == 128 + signal_number


@pytest.mark.slow
def test_the_file_is_whole_json_and_no_temp_file_is_left_after_a_hang_up(tmp_path):
    db, _, _ = end_before_the_save(tmp_path, Terminal.hang_up)
    reviews = db.with_suffix("")
    for review_file in reviews.glob("pm-*.json"):
        json.loads(review_file.read_text(encoding="utf-8"))
    leftovers = [p.name for p in reviews.iterdir() if ".tmp-" in p.name]  # .pm-1.json.tmp-...
    assert leftovers == []


@pytest.mark.slow
def test_the_app_always_ends_after_the_ssh_link_drops(tmp_path):
    # About one hang-up in four leaves the process running here, so try up to 20 times.
    for attempt in range(20):
        db = tmp_path / f"r{attempt}.json"
        terminal = Terminal(db)
        try:
            terminal.wait_for("We agree")
            terminal.hang_up()
            ended = terminal.wait_for_exit(timeout=15.0)  # the app's own backstop is 2 s
        finally:
            terminal.close()
        assert ended, f"attempt {attempt + 1}: the app was still running 15 s after its terminal hung up"
