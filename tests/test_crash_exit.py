"""An unexpected error never ends the app with status 0: what was typed is saved, the traceback is logged,
and the user reads one line naming the log, not a traceback.

A real ``postmortem new`` runs in a pseudo-terminal with a fault planted
(through ``sitecustomize``) in the ctrl+t handler of the step screens.
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

import pytest

from test_hangup import Terminal, title_in

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pseudo-terminal")

ROOT = Path(__file__).resolve().parents[1]
FAULT = '''
from screens.step import StepScreen

def broken(self):
    raise RuntimeError("planted fault for the test")

StepScreen.action_toggle_prompts = broken
'''


def plant(code: str, tmp_path: Path, monkeypatch) -> None:
    """Run ``code`` in the app's process as it starts (a ``sitecustomize`` on its PYTHONPATH)."""
    hook = tmp_path / "hook"
    hook.mkdir()
    (hook / "sitecustomize.py").write_text(code, encoding="utf-8")
    monkeypatch.setenv("PYTHONPATH", f"{hook}{os.pathsep}{ROOT}")


@pytest.mark.slow
def test_an_unexpected_error_saves_logs_and_exits_1_naming_the_log(tmp_path, monkeypatch):
    plant(FAULT, tmp_path, monkeypatch)
    db = tmp_path / "r.json"
    terminal = Terminal(db)
    try:
        terminal.agree_to_ground_rules()
        terminal.type("Typed before the crash")
        terminal.wait_for("Typed before the crash")
        terminal.type("\x14")  # ctrl+t: the planted fault
        assert terminal.wait_for_exit()
    finally:
        terminal.close()
    assert os.WIFEXITED(terminal.status) and os.WEXITSTATUS(terminal.status) == 1
    said = re.search(r"postmortem: an unexpected error ended the app \(RuntimeError\); what was typed was saved "
                     r"first; the details are in (\S+\.log)", terminal.text)
    assert said, terminal.text[-1500:]
    assert "Traceback" not in terminal.text
    log = Path(said.group(1))
    assert "planted fault for the test" in log.read_text(encoding="utf-8")
    assert title_in(db) == "Typed before the crash"


UNSAVABLE_TITLE = '''
import errno, os
from store import ops
from store.db import ReviewStore

real_apply = ReviewStore.apply

def full_disk_for_titles(self, review_id, *changes, token=None):
    if any(isinstance(op, ops.Set) and op.field == "title" for op in changes):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(self.root))
    return real_apply(self, review_id, *changes, token=token)

ReviewStore.apply = full_disk_for_titles
'''


@pytest.mark.slow
def test_quitting_with_edits_not_saved_exits_3_naming_the_recovery_file_and_the_command(tmp_path, monkeypatch):
    """A script that runs the app must notice that what was typed is in a recovery file, not in the archive."""
    plant(UNSAVABLE_TITLE, tmp_path, monkeypatch)
    db = tmp_path / "r.json"
    terminal = Terminal(db)
    try:
        terminal.agree_to_ground_rules()
        terminal.type("Typed on a full disk")
        terminal.wait_for("NOT SAVED")
        terminal.type("\x11")  # ctrl+q
        assert terminal.wait_for_exit()
    finally:
        terminal.close()
    assert os.WIFEXITED(terminal.status) and os.WEXITSTATUS(terminal.status) == 3
    said = re.search(r"they are in (\S+\.json); once the cause is fixed, apply them with: "
                     r"postmortem --db \S+ recover (\S+\.json)", terminal.text.replace("\r\n", " ").replace("\n", " "))
    assert said, terminal.text[-1500:]
    assert said.group(1) == said.group(2) and "Typed on a full disk" in Path(said.group(1)).read_text()
