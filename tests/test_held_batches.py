"""A batch held while the store was unreachable is stored once, however the screen changes meanwhile.

A batch the database may have stored before the connection dropped is sent
again as it is (tui.saver).  A screen opened while it is on its way shows its
text, and must take that text as sent, not as new typing: the text typed
while the server was down was stored twice once it came back (issue 16, seen
about one CI run in four with PostgreSQL).  Here a file store stands in for
the database: its ``apply`` refuses as an unreachable server does, then lets
one batch through only when the test says so, so the order is not left to
chance.
"""

from __future__ import annotations

import threading

import pytest

from store.errors import Unreachable
from test_live_editing import shown
from test_save_errors import wait_for
from tui_helpers import SIZE, complete_review, new_app, seed, stored, type_text


class Gate:
    """Wraps a store's apply: refuses while down; once up, lets through only as many batches as the test allows."""

    def __init__(self, store) -> None:
        self.apply = store.apply
        self.down = False
        self.allowed = threading.Semaphore(1000)
        self.arrived = 0  # batches that reached the store since it came back
        store.apply = self

    def come_back(self) -> None:
        self.allowed = threading.Semaphore(0)
        self.down = False

    def __call__(self, review_id, *operations, token=None):
        if self.down:
            raise Unreachable("postgresql://test", "connection refused")
        self.arrived += 1
        self.allowed.acquire(timeout=10)
        return self.apply(review_id, *operations, token=token)


@pytest.mark.parametrize("landed", [0, 1, 2])
async def test_text_typed_while_the_server_was_down_is_stored_once_after_the_review_is_opened_again(
        tmp_path, landed):
    """Reopened while the first batch sent again waits, while the second does, or once both are stored."""
    db = tmp_path / "reviews.json"
    review_id = seed(db, dict(complete_review("impact"), impact=""))
    app = new_app(db, start="open", review_id=review_id)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await wait_for(pilot, lambda: type(app.screen).__name__ == "ImpactScreen" and app.screen.is_mounted)
        gate = Gate(app.store)
        await type_text(pilot, "Before.")
        await wait_for(pilot, lambda: stored(db, review_id)["impact"] == "Before.")
        gate.down = True
        await type_text(pilot, " ")  # a typing pause: this batch is sent, refused, and held to be sent again
        await wait_for(pilot, lambda: "reconnecting" in app.save_state())
        await type_text(pilot, "Typed while down.")
        await pilot.pause(0.4)
        await pilot.press("ctrl+o")  # to the list: every batch is sent, and held again
        await wait_for(pilot, lambda: type(app.screen).__name__ == "HomeScreen")
        gate.come_back()  # the server is back; each batch sent again waits until the test lets it through
        for number in range(landed):
            await wait_for(pilot, lambda: gate.arrived > number, seconds=8)
            gate.allowed.release()
        await wait_for(pilot, lambda: gate.arrived > landed or not app.saver.has_pending, seconds=8)
        await pilot.press("enter")  # the review opens (read off the event loop)
        await wait_for(pilot, lambda: type(app.screen).__name__ == "ImpactScreen" and app.screen.is_mounted)
        assert shown(pilot, "#impact") == "Before. Typed while down."
        for _ in range(2 - landed):
            gate.allowed.release()
        await wait_for(pilot, lambda: "Typed" in stored(db, review_id)["impact"], seconds=8)
        await wait_for(pilot, lambda: not app.saver.has_pending, seconds=8)
        for _ in range(10):  # and it stays so
            assert shown(pilot, "#impact") == "Before. Typed while down."
            await pilot.pause(0.05)
        assert stored(db, review_id)["impact"] == "Before. Typed while down."
