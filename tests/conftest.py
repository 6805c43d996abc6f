"""Test-wide fixtures."""

from __future__ import annotations

import pytest

import tui.saver
from tui_helpers import LIVE_SAVERS


@pytest.fixture(autouse=True)
def track_savers(monkeypatch):
    """Note every app's saver, so reading a review file first waits for writes under way (tui_helpers.read_file)."""
    create = tui.saver.Saver.__init__

    def tracked(self, *args, **kwargs):
        create(self, *args, **kwargs)
        LIVE_SAVERS.add(self)

    monkeypatch.setattr(tui.saver.Saver, "__init__", tracked)
    yield
    LIVE_SAVERS.clear()
