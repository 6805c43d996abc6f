"""The app over a PostgreSQL database whose server goes away: notices, never an ended app.

(Typing while the server restarts is tests/test_live_processes.py, through a
real terminal.)  Skipped, saying why, where PostgreSQL is not installed.
"""

from __future__ import annotations

from store.model import new_review
from store.postgres import PostgresStore
from tui_helpers import SIZE, active, complete_review, new_app, screen_text, wait_for_screen


async def test_opening_a_review_while_the_server_is_down_says_so_and_works_once_it_is_back(postgres_cluster):
    url = postgres_cluster.new_database()
    store = PostgresStore(url)
    store.create(new_review("incident", "Checkout 500s").to_dict())
    store.close()
    app = new_app(url)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await wait_for_screen(pilot, "HomeScreen")
        assert "Checkout 500s" in screen_text(pilot)
        postgres_cluster.stop()
        try:
            await pilot.press("enter")
            await pilot.pause()
            notices = [notification.message for notification in app._notifications]
            assert any("cannot reach the database" in notice and "try again" in notice for notice in notices), notices
            assert active(pilot) == "HomeScreen"
        finally:
            postgres_cluster.start()
        for _ in range(30):  # a loaded machine may take a few seconds to let the pool reconnect
            await pilot.press("enter")
            await pilot.pause(0.5)
            if active(pilot) != "HomeScreen":
                break
        await wait_for_screen(pilot, "GroundRulesDialog")  # the review opened, at setup
        assert app.is_running
    app.store.close()


async def test_who_joins_types_and_leaves_reaches_the_others_through_notices_alone(postgres_cluster, monkeypatch):
    """With the once-a-second heartbeat switched off, only the notices can tell Lee that Sam came, types and left."""
    from contextlib import AsyncExitStack

    from test_live_session import presence, until
    from tui.app import PostmortemApp

    url = postgres_cluster.new_database()
    store = PostgresStore(url)
    doc = complete_review("impact") | {"facilitator": ""}
    review_id = store.create(doc).id
    store.close()
    monkeypatch.setattr(PostmortemApp, "live_beat", lambda app: None)
    async with AsyncExitStack() as stack:
        lee = await stack.enter_async_context(new_app(url, start="open", review_id=review_id, name="Lee")
                                              .run_test(size=SIZE))
        await until([lee], lambda: lee.app.live.review_id == review_id)
        sam_app = new_app(url, start="open", review_id=review_id, name="Sam")
        sam = await stack.enter_async_context(sam_app.run_test(size=SIZE))
        pilots = [lee, sam]
        await until(pilots, lambda: "Sam" in presence(lee) and "[lead]" in presence(sam))
        assert presence(lee).startswith("Here: Lee (you) [lead], Sam")
        await sam.press("x")  # typing in the impact field
        await until(pilots, lambda: "Sam typing" in presence(lee))
        sam_app.save_before_leaving()  # as ctrl+q does: Sam's terminal leaves the session
        await until([lee], lambda: presence(lee) == "")  # gone at once, not after the 8 s a silent terminal takes
    for app in (lee.app, sam_app):
        app.store.close()
