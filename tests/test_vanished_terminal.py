"""A terminal that goes away without a SIGHUP: the app saves what was typed and ends.

The app runs in a pseudo-terminal that is not its controlling terminal (its
own session, the terminal only passed as stdin/stdout/stderr), so closing
the terminal sends no SIGHUP: reading it fails instead.  Textual's input
loop spun on that failure at 100% CPU forever; the app must save and exit.
"""

from __future__ import annotations

import fcntl
import os
import select
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path

import pytest

from test_hangup import COLUMNS, DRAW_TIMEOUT, ESCAPES, ROWS, ground_rules_agreed, title_in

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pseudo-terminal")

ROOT = Path(__file__).resolve().parents[1]


class DetachedTerminal:
    """A pseudo-terminal the app uses for input and output but does not have as its controlling terminal."""

    def __init__(self, db: Path) -> None:
        self.fd, child = os.openpty()
        fcntl.ioctl(child, termios.TIOCSWINSZ, struct.pack("HHHH", ROWS, COLUMNS, 0, 0))
        env = {k: v for k, v in os.environ.items() if not k.startswith(("TEXTUAL", "PYTEST"))}
        env.update(TERM="xterm-256color", COLUMNS=str(COLUMNS), LINES=str(ROWS))
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tui.cli", "--db", str(db), "new"], cwd=ROOT, env=env,
            stdin=child, stdout=child, stderr=child, start_new_session=True,  # a new session: no controlling tty
        )
        os.close(child)
        self.output = ""

    def wait_for(self, wanted: str) -> None:
        deadline = time.monotonic() + DRAW_TIMEOUT
        while wanted not in ESCAPES.sub("", self.output):
            assert time.monotonic() < deadline and self.process.poll() is None, ESCAPES.sub("", self.output)[-1500:]
            self.read()

    def read(self) -> None:
        if select.select([self.fd], [], [], 0.05)[0]:
            self.output += os.read(self.fd, 65536).decode("utf-8", "replace")

    def type(self, keys: str) -> None:
        os.write(self.fd, keys.encode())

    def close(self) -> None:
        """The terminal window is closed: no SIGHUP reaches the app, since it is not its controlling terminal."""
        os.close(self.fd)


@pytest.mark.slow
def test_an_app_whose_terminal_vanishes_without_a_hang_up_saves_and_ends(tmp_path):
    db = tmp_path / "r.json"
    terminal = DetachedTerminal(db)
    try:
        terminal.wait_for("We agree")
        terminal.type("\r")
        deadline = time.monotonic() + DRAW_TIMEOUT
        while not ground_rules_agreed(db):
            assert time.monotonic() < deadline, ESCAPES.sub("", terminal.output)[-1500:]
            terminal.read()
        terminal.type("Typed before the window closed")
        terminal.wait_for("Typed before the window closed")
        terminal.close()
        status = terminal.process.wait(timeout=30)  # it spun forever before
    finally:
        if terminal.process.poll() is None:
            terminal.process.kill()
            terminal.process.wait()
    assert status != 0  # it did not finish normally: it left because the terminal went away (129, as on SIGHUP)
    assert title_in(db) == "Typed before the window closed"
