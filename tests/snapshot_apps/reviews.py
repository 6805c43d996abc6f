"""Fixed reviews and apps built over them, so a screenshot reads the same on every run.

Nothing here depends on the real time or the working directory: every date and
id is fixed, the step timer reads a :class:`FakeClock`, and the home list's
"last change" column comes from ``updated`` values written into the file.
"""

from __future__ import annotations

import copy
import json
import os
from pathlib import Path
from typing import Any

from store.db import ReviewStore
from tui.app import PostmortemApp, make_app

FIXED_NOW = 1_000_000.0
"""What the fake clock reads when a step is entered."""


class FakeClock:
    """A clock for the step timer that only moves when a test moves it."""

    def __init__(self, now: float = FIXED_NOW) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


# A complete incident review: every step passes its check.
FIXED_REVIEW: dict[str, Any] = {
    "kind": "incident",
    "title": "Checkout API returned HTTP 500s",
    "severity": "SEV2",
    "timezone": "UTC",
    "review_date": "2026-11-21",
    "owner": "Lee",
    "facilitator": "Dana",
    "participants": ["Dana", "Lee", "Sam"],
    "summary": "A deploy made checkout fail for 22 minutes; we now load-test with production-sized data.",
    "timeline": [
        {"at": "2026-11-20T14:05:00+00:00", "text": "Deploy of v2.3 starts", "marker": "started"},
        {"at": "2026-11-20T14:09:00+00:00", "text": "Error-rate alert fires", "marker": "detected"},
        {"at": "2026-11-20T14:20:00+00:00", "text": "Rollback begins; errors drop", "marker": "mitigated"},
        {"at": "2026-11-20T14:27:00+00:00", "text": "Error rate back to normal", "marker": "resolved"},
    ],
    "impact": "About 1200 customers could not pay for 22 minutes.",
    "five_whys": {
        "problem": "Checkout returned HTTP 500 for 22 minutes",
        "chains": [
            {
                "whys": [
                    "The database ran out of memory",
                    "A new aggregation job used 3x more memory",
                    "It was load-tested with 1/10th of the data",
                    "Load tests do not require production-sized data",
                ]
            }
        ],
    },
    "went_well": [{"text": "The rollback took 2 minutes"}],
    "lucky": [{"text": "It happened outside peak hours"}],
    "could_improve": [{"text": "The alert went to a channel nobody watched"}],
    "surprises": [{"text": "Retries doubled the load"}],
    "actions": [
        {
            "what": "Alert when DB memory stays above 80% for 5 minutes",
            "owner": "Sam",
            "due": "2026-12-15",
            "done_when": "the alert fires in the staging drill",
            "type": "detect",
            "addresses": "root cause of chain 1",
        },
        {
            "what": "Require production-sized data in load tests",
            "owner": "Dana",
            "due": "2026-12-20",
            "done_when": "the load-test checklist names the data size",
            "type": "process",
            "addresses": "improvement: The alert went to a channel nobody watched",
        },
    ],
    "questions": [{"text": "Will this affect the January release?", "answer": "No: the fix ships in December"}],
    "follow_up": {"due": "2026-12-21", "held": None, "notes": ""},
    "ground_rules_confirmed": True,
}

# A review with nothing filled in but fixed dates: every step has errors.
BLANK_REVIEW: dict[str, Any] = {
    "kind": "incident",
    "review_date": "2026-11-21",
    "follow_up": {"due": "", "held": None, "notes": ""},
    "ground_rules_confirmed": True,
}


def review(base: dict[str, Any] = FIXED_REVIEW, **changes: Any) -> dict[str, Any]:
    """A deep copy of ``base`` with ``changes`` applied (the constants stay untouched)."""
    doc = copy.deepcopy(base)
    doc.update(copy.deepcopy(changes))
    return doc


def store_review(db: Path, doc: dict[str, Any]) -> str:
    """Add ``doc`` to the review file ``db``; returns its id (``pm-1`` in a new file)."""
    return ReviewStore(db).create(doc).id


def app_at_step(db: Path, step: str, doc: dict[str, Any] | None = None, **options: Any) -> PostmortemApp:
    """The app opened on ``step`` of a stored copy of ``doc``, its timer on a fake clock."""
    review_id = store_review(db, review(doc or FIXED_REVIEW, step=step))
    app = make_app(db, start="open", review_id=review_id, **options)
    app.clock = FakeClock()
    return app


def write_home_file(db: Path, docs: list[tuple[dict[str, Any], str]]) -> None:
    """Store each ``(doc, updated)`` and then fix ``created``/``updated`` in the file itself.

    The store stamps the real time on every write, so the home list's "last
    change" column is made deterministic by editing the JSON the store wrote
    (written atomically, as the store does).
    """
    store = ReviewStore(db)
    for doc, _ in docs:
        store.create(doc)
    for number, (_, updated) in enumerate(docs, start=1):
        path = db.with_suffix("") / f"pm-{number}.json"  # each review's own file
        data = json.loads(path.read_text(encoding="utf-8"))
        data["reviews"][str(number)]["created"] = updated
        data["reviews"][str(number)]["updated"] = updated
        temp = path.with_name(path.name + ".fixture")
        temp.write_text(json.dumps(data), encoding="utf-8")
        os.replace(temp, path)


def steady_cursors(monkeypatch) -> None:
    """Keep text cursors lit: a blink caught mid-cycle would change a screenshot."""
    from textual.widgets import Input, TextArea

    monkeypatch.setattr(Input, "_toggle_cursor", lambda self: None)
    monkeypatch.setattr(TextArea, "_toggle_cursor_blink_visible", lambda self: None)
