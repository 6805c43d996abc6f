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


@pytest.mark.slow
def test_an_unexpected_error_saves_logs_and_exits_1_naming_the_log(tmp_path, monkeypatch):
    hook = tmp_path / "hook"
    hook.mkdir()
    (hook / "sitecustomize.py").write_text(FAULT, encoding="utf-8")
    monkeypatch.setenv("PYTHONPATH", f"{hook}{os.pathsep}{ROOT}")
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
