"""Save the README's screenshot: the timeline step of a sample review at 80x24.

Run from the repository root: `.venv/bin/python tests/screenshot.py`.
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from store.db import ReviewStore  # noqa: E402
from tui.app import make_app  # noqa: E402

SAMPLE = {
    "title": "Checkout API returned HTTP 500s",
    "severity": "SEV2",
    "owner": "Lee",
    "facilitator": "Dana",
    "participants": ["Dana", "Lee", "Sam"],
    "review_date": "2026-11-21",
    "step": "timeline",
    "ground_rules_confirmed": True,
    "timeline": [
        {"at": "2026-11-20T14:05:00+00:00", "text": "Deploy of v2.3 starts", "marker": "started"},
        {"at": "2026-11-20T14:09:00+00:00", "text": "Error-rate alert fires", "marker": "detected"},
        {"at": "2026-11-20T14:20:00+00:00", "text": "Rolled back to v2.2", "marker": "mitigated"},
        {"at": "2026-11-20T14:27:00+00:00", "text": "Error rate back to normal", "marker": "resolved"},
    ],
}


async def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "r.json"
        review = ReviewStore(path).create(SAMPLE)
        app = make_app(path, start="open", review_id=review.id)
        app.clock = lambda: 0.0
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.press("ctrl+t")
            await pilot.pause()
            app.save_screenshot(".docs/timeline.svg")


if __name__ == "__main__":
    asyncio.run(main())
