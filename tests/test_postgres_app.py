"""The app over a PostgreSQL database whose server goes away: notices, never an ended app.

(Typing while the server restarts is tests/test_live_processes.py, through a
real terminal.)  Skipped, saying why, where PostgreSQL is not installed.
"""

from __future__ import annotations

from store.errors import Unreachable
from store.model import new_review
from store.postgres import PostgresStore
from tui_helpers import SIZE, active, complete_review, new_app, rendered_text, screen_text, wait_for_screen


async def test_opening_a_review_while_the_server_is_down_says_so_and_works_once_it_is_back(postgres_cluster):
    url = postgres_cluster.new_database()
    store = PostgresStore(url)
    store.create(new_review("incident", "Checkout 500s").to_dict())
    store.close()
    app = new_app(url)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await wait_for_screen(pilot, "HomeScreen")
        for _ in range(100):  # the list is read off the event loop
            if "Checkout 500s" in screen_text(pilot):
                break
            await pilot.pause(0.05)
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


async def test_while_the_server_is_down_nothing_on_screen_waits_for_it_and_the_typing_is_saved_after(
        postgres_cluster):
    """Typing, going to the list and opening a review while the server is down: keys echo, nothing waits for it.

    Not a timing: while the store knows the server is down, no call made on
    the event loop may reach the connection pool (each would wait seconds
    for a connection); they fail at once and the screen says so.
    """
    import threading

    from test_live_editing import shown as shown_text
    from tui_helpers import saved, type_text

    url = postgres_cluster.new_database()
    store = PostgresStore(url)
    review_id = store.create(complete_review("impact") | {"impact": ""}).id
    app = new_app(url, start="open", review_id=review_id)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await wait_for_screen(pilot, "ImpactScreen")
        await type_text(pilot, "Before.")
        await saved(pilot)
        postgres_cluster.stop()
        try:
            for _ in range(100):  # the listening thread notices at once; the store fails fast from then on
                if app.store._down.is_set():
                    break
                await pilot.pause(0.05)
            waited_on_the_server = []
            connection = app.store._pool.connection

            def watched_connection(*args, **kwargs):
                if threading.current_thread() is threading.main_thread():
                    waited_on_the_server.append(threading.current_thread().name)
                return connection(*args, **kwargs)

            app.store._pool.connection = watched_connection
            await type_text(pilot, " Typed while down.")
            await pilot.pause(0.5)
            assert shown_text(pilot, "#impact") == "Before. Typed while down."  # every key echoed
            for _ in range(40):
                await pilot.pause(0.1)
                if "reconnecting" in app.save_state():
                    break
            assert app.save_state() == "NOT SAVED: database unreachable, reconnecting"
            await pilot.press("ctrl+o")  # to the list: it is read again, and cannot be
            await wait_for_screen(pilot, "HomeScreen")
            assert "Search was slow" in screen_text(pilot)  # the list as last read stays
            await pilot.press("enter")  # open the review again: refused at once, saying why
            await pilot.pause()
            notices = [notification.message for notification in app._notifications]
            assert any("cannot reach the database" in notice for notice in notices), notices
            assert waited_on_the_server == []
            app.store._pool.connection = connection
        finally:
            postgres_cluster.start()
        for _ in range(100):  # the saver retries every two seconds; the review opens once the server answers
            if "Typed while down." in stored_impact(store, review_id) and active(pilot) != "HomeScreen":
                break
            if active(pilot) == "HomeScreen":
                await pilot.press("enter")
            await pilot.pause(0.3)
        # Once stored twice here (the review opened while a held batch was on its way): tests/test_held_batches.py
        assert store.get(review_id).impact == "Before. Typed while down."
        await wait_for_screen(pilot, "ImpactScreen")
        # Seen once under heavy load (a suite beside four others): the reopened field showed "Before. " at
        # this point, the store already right.  Not reproduced in 30 runs alone, nor in tests/test_held_batches.py
        # (every order of reopening and retried batches); so the field gets a moment, then must stay right.
        for _ in range(30):
            if shown_text(pilot, "#impact") == "Before. Typed while down.":
                break
            await pilot.pause(0.1)
        for _ in range(20):
            assert shown_text(pilot, "#impact") == "Before. Typed while down."
            await pilot.pause(0.1)
    app.store.close()
    store.close()


def stored_impact(store: PostgresStore, review_id: str) -> str:
    """The impact the database holds; empty while the store still finds the server unreachable."""
    try:
        return store.get(review_id).impact
    except Unreachable:
        return ""


async def test_with_the_server_stopped_the_list_and_the_statistics_say_so_and_the_app_stays_usable(
        postgres_cluster):
    """Each read fails off the event loop and names the server; the list as last read stays; keys keep working."""
    url = postgres_cluster.new_database()
    store = PostgresStore(url)
    store.create(new_review("incident", "Checkout 500s").to_dict())
    store.create(new_review("incident", "Search was slow").to_dict())
    store.close()
    app = new_app(url)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await wait_for_screen(pilot, "HomeScreen")
        for _ in range(100):
            if "Checkout 500s" in screen_text(pilot):
                break
            await pilot.pause(0.05)
        postgres_cluster.stop()
        try:
            await pilot.press("f3")
            await wait_for_screen(pilot, "StatsScreen")
            overview = pilot.app.screen.query_one("#overview")  # its line, whatever notice covers part of it
            for _ in range(200):
                if "could not be read" in rendered_text(overview):
                    break
                await pilot.pause(0.05)
            said = " ".join(rendered_text(overview).split())
            assert "The archive could not be read: database unreachable, reconnecting" in said, said
            await pilot.press("escape")  # the screen still answers
            await wait_for_screen(pilot, "HomeScreen")  # and the list is read again, and cannot be
            for _ in range(200):
                if sum("cannot reach the database" in notice.message for notice in app._notifications) >= 2:
                    break
                await pilot.pause(0.05)
            notices = [notice.message for notice in app._notifications]
            assert sum("cannot reach the database" in notice for notice in notices) >= 2, notices
            assert all(url.split("@")[-1] in notice for notice in notices if "cannot reach" in notice)
            table = app.screen.query_one("#reviews")
            assert table.row_count == 2  # the list as last read stays
            for key in "checkout":
                await pilot.press(key)
            await pilot.pause(0.2)
            assert app.screen.query_one("#filter").value == "checkout"
            note = str(app.screen.query_one("#empty").render())  # word search needs every text: not read, said so
            assert table.row_count == 0 and note.startswith("The archive could not be read: database unreachable")
        finally:
            postgres_cluster.start()
        for _ in range(100):  # once the server is back, the next key searches
            await pilot.press("backspace")
            await pilot.press("t")
            await pilot.pause(0.3)
            if table.row_count == 1:
                break
        assert table.get_row_at(0)[1].plain == "Checkout 500s"
        assert app.is_running
    app.store.close()
