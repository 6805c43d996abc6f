"""The live session, with several apps on one review: who is here, the facilitator leads, observers watch.

Each app has its own store, as separate terminals have; they share the
review's files.  What is checked is what each participant would see: the
presence line, the step they are on, and what the file holds.
"""

from __future__ import annotations

import asyncio
import json
import time
from contextlib import AsyncExitStack
from pathlib import Path

from store.db import ReviewStore
from store.session import GONE_AFTER, Member
from tui_helpers import SIZE, active, complete_review, new_app, screen_ready, seed, static_text, stored, type_text


async def join(stack: AsyncExitStack, db: Path, review_id: str, name: str, **options):
    app = new_app(db, start="open", review_id=review_id, name=name, **options)
    pilot = await stack.enter_async_context(app.run_test(size=SIZE))
    await pilot.pause()
    return pilot


async def lee_leads_sam(stack: AsyncExitStack, db: Path, review_id: str) -> list:
    """Lee opens the review first, then Sam: once Sam sees Lee lead, the session has formed."""
    pilots = [await join(stack, db, review_id, "Lee"), await join(stack, db, review_id, "Sam")]
    await until(pilots, lambda: "[lead]" in presence(pilots[1]))
    return pilots


async def until(pilots: list, condition, seconds: float = 6.0) -> None:
    """Let every app run (polls, heartbeats) until ``condition()`` holds; fail with what was seen."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        await asyncio.sleep(0.05)
        for pilot in pilots:
            await pilot.pause()
    assert condition(), "never happened; presence lines: " + " | ".join(presence(p) for p in pilots)


async def run_command(pilot, words: str, command: str) -> None:
    """ctrl+p, type ``words``, and run ``command`` from what the palette offers, as a user would."""
    from textual.widgets import OptionList

    await pilot.press("ctrl+p")
    await type_text(pilot, words)
    for _ in range(30):
        await pilot.pause()
        results = pilot.app.screen.query(OptionList)
        offered = [str(results.first().get_option_at_index(i).prompt) for i in range(results.first().option_count)] \
            if results else []
        if any(line.startswith(command) for line in offered):
            break
    index = next(i for i, line in enumerate(offered) if line.startswith(command))
    for _ in range(index):
        await pilot.press("down")
    await pilot.press("enter")
    await pilot.pause()


def speaking(pilot) -> str | None:
    """Whose name the presence line marks as having the floor."""
    parts = presence(pilot).split("\n")[0].removeprefix("Here: ").split(", ")
    return next((part.split()[0] for part in parts if "[speaking]" in part), None)


def presence(pilot) -> str:
    return static_text(pilot, "#presence")


def review_at(db: Path, step: str = "setup") -> str:
    doc = complete_review(step)
    doc["facilitator"] = ""
    return seed(db, doc)


async def test_everyone_sees_who_is_here_and_the_first_to_open_leads(tmp_path):
    """Alone, a terminal writes nothing; once a second one joins, the first leads."""
    db = tmp_path / "reviews.json"
    review_id = review_at(db, "timeline")
    async with AsyncExitStack() as stack:
        lee = await join(stack, db, review_id, "Lee")
        await asyncio.sleep(1.2)
        await lee.pause()
        assert presence(lee) == ""  # alone: no line at all, and no session written
        assert stored(db, review_id)["session"]["lead"] == ""
        sam = await join(stack, db, review_id, "Sam")
        ana = await join(stack, db, review_id, "Ana")
        pilots = [lee, sam, ana]
        await until(pilots, lambda: presence(lee).split("\n")[0] == "Here: Lee (you) [lead], Ana, Sam"
                    and presence(sam) == "Here: Lee [lead], Ana, Sam (you)")
        doc = stored(db, review_id)
        assert doc["session"]["lead"] == "Lee"
        assert doc["facilitator"] == "Lee"  # the setup's facilitator field was blank: it names the lead
        await ana.app.action_quit()
        await until([lee, sam], lambda: "Ana" not in presence(lee) and "Ana" not in presence(sam), seconds=3)
    assert not list((ReviewStore(db).meta_dir / "presence" / review_id).glob("*.json"))  # everyone left


async def test_a_terminal_that_vanished_without_leaving_drops_off(tmp_path):
    db = tmp_path / "reviews.json"
    review_id = review_at(db, "timeline")
    store = ReviewStore(db)
    store.announce(review_id, Member(id="mgone", name="Kim", step="timeline"))
    async with AsyncExitStack() as stack:
        lee = await join(stack, db, review_id, "Lee")
        await until([lee], lambda: "Kim" in presence(lee))
        # Kim's terminal died (SIGKILL, a frozen laptop): its last heartbeat grows old.
        path = store.meta_dir / "presence" / review_id / "mgone.json"
        last = json.loads(path.read_text())
        path.write_text(json.dumps(last | {"seen": time.time() - GONE_AFTER - 0.1}))
        await until([lee], lambda: "Kim" not in presence(lee), seconds=3)
        assert presence(lee) == ""


async def test_participants_follow_the_facilitator_browse_and_come_back(tmp_path):
    db = tmp_path / "reviews.json"
    review_id = review_at(db, "timeline")
    async with AsyncExitStack() as stack:
        lee, sam = pilots = await lee_leads_sam(stack, db, review_id)
        await until(pilots, lambda: "Sam" in presence(lee))

        await lee.press("ctrl+n")  # the facilitator moves on: Sam is taken along
        await until(pilots, lambda: active(sam) == "ImpactScreen")
        assert stored(db, review_id)["step"] == "impact"

        await sam.press("ctrl+b")  # Sam browses back on their own; the session's step stays
        await until(pilots, lambda: presence(sam).startswith("Browsing (ctrl+r: back to Lee)"))
        assert active(sam) == "TimelineScreen"
        assert stored(db, review_id)["step"] == "impact"
        await until(pilots, lambda: "Sam (you)" not in presence(lee) and "Sam on Timeline" in presence(lee))

        await lee.press("ctrl+n")  # while Sam browses, the facilitator moves on without them
        await until(pilots, lambda: active(lee) == "FiveWhysScreen")
        await asyncio.sleep(1.2)
        assert active(sam) == "TimelineScreen"

        await sam.press("ctrl+r")  # back to the facilitator's step
        await until(pilots, lambda: active(sam) == "FiveWhysScreen")
        await sam.press("ctrl+b")
        await until(pilots, lambda: active(sam) == "ImpactScreen" and "Browsing" in presence(sam))
        await lee.press("ctrl+r")  # the facilitator brings everyone here
        await until(pilots, lambda: active(sam) == "FiveWhysScreen")
        assert stored(db, review_id)["step"] == "five_whys"


async def test_someone_typing_is_not_pulled_away_mid_sentence(tmp_path, monkeypatch):
    import tui.app

    db = tmp_path / "reviews.json"
    review_id = review_at(db, "impact")
    async with AsyncExitStack() as stack:
        lee, sam = pilots = await lee_leads_sam(stack, db, review_id)
        # How long after a key someone counts as typing: long here, so a slow machine cannot
        # make a pause of Sam's out of a test's own delays.
        monkeypatch.setattr(tui.app, "TYPING_SECONDS", 30.0)
        await type_text(sam, " More detail")
        await until(pilots, lambda: "Sam typing" in presence(lee))
        await lee.press("ctrl+n")
        for key in "s and more":  # Sam goes on typing while the facilitator moves on
            await sam.press(key if key != " " else "space")
            await asyncio.sleep(0.2)
            await lee.pause()
            assert active(sam) == "ImpactScreen"  # typing: not pulled away
        assert active(lee) == "FiveWhysScreen"
        monkeypatch.setattr(tui.app, "TYPING_SECONDS", 0.5)  # Sam pauses
        # and follows (mounted: a step still mounting when the test ends would mount into a closing app)
        await until(pilots, lambda: active(sam) == "FiveWhysScreen" and screen_ready(sam.app.screen), seconds=8)
        assert " More details and more" in stored(db, review_id)["impact"]


async def test_an_observer_follows_and_can_change_nothing(tmp_path):
    db = tmp_path / "reviews.json"
    review_id = review_at(db, "impact")
    async with AsyncExitStack() as stack:
        lee = await join(stack, db, review_id, "Lee")
        room = await join(stack, db, review_id, "Room", observe=True)
        pilots = [lee, room]
        await until(pilots, lambda: "Room watching" in presence(lee))
        before = stored(db, review_id)
        await room.press("tab", "x", "y", "f2", "ctrl+r")
        await room.pause()
        assert "watch" in static_text(room, "#refusal")
        assert "watching" in room.app.screen.sub_title
        await lee.press("ctrl+n")
        await until(pilots, lambda: active(room) == "FiveWhysScreen")
        await room.press("f2", "ctrl+o")
        await room.pause()
        assert active(room) == "FiveWhysScreen"  # no way to the list of reviews, where reviews are made
        after = stored(db, review_id)
        assert {key: value for key, value in after.items() if key not in ("step", "updated", "session")} == \
            {key: value for key, value in before.items() if key not in ("step", "updated", "session")}
        assert after["session"]["lead"] == "Lee"  # an observer never claims the session


async def test_a_participant_takes_over_and_the_old_facilitator_follows(tmp_path):
    db = tmp_path / "reviews.json"
    review_id = review_at(db, "timeline")
    async with AsyncExitStack() as stack:
        lee, sam = pilots = await lee_leads_sam(stack, db, review_id)
        await run_command(sam, "facilitate", "Facilitate: lead this session")
        await until(pilots, lambda: presence(lee) == "Here: Sam [lead], Lee (you)")
        doc = stored(db, review_id)
        assert doc["session"]["lead"] == "Sam"
        assert doc["facilitator"] == "Sam"  # it named the old lead: it names the new one
        await sam.press("ctrl+n")
        await until(pilots, lambda: active(lee) == "ImpactScreen")


async def test_two_people_on_one_login_are_told_apart_and_only_the_first_leads(tmp_path):
    from store.session import login_name

    db = tmp_path / "reviews.json"
    review_id = review_at(db, "timeline")
    me = login_name()
    async with AsyncExitStack() as stack:
        first = await join(stack, db, review_id, None)
        second = await join(stack, db, review_id, None)
        await until([first, second], lambda: presence(second) == f"Here: {me} [lead], {me} 2 (you)")
        assert stored(db, review_id)["session"]["lead"] == me



async def test_the_facilitator_sees_who_has_not_spoken_and_passes_the_floor_round(tmp_path):
    from store.render import render_markdown

    db = tmp_path / "reviews.json"
    review_id = review_at(db, "impact")
    async with AsyncExitStack() as stack:
        lee = await join(stack, db, review_id, "Lee")
        sam = await join(stack, db, review_id, "Sam")
        ana = await join(stack, db, review_id, "Ana")
        pilots = [lee, sam, ana]
        await until(pilots, lambda: "Not heard from on this step: Ana, Sam. F12: next speaker" in presence(lee))
        assert "Not heard from" not in presence(sam)  # the facilitator's view only
        await type_text(sam, " Refunds took 3 days.")
        await until(pilots, lambda: "Not heard from on this step: Ana. F12" in presence(lee))
        step_at = lee.app.screen.query_one("#content").region.y
        await type_text(ana, " Support was told.")
        await until(pilots, lambda: "Everyone here has spoken on this step. F12: next speaker" in presence(lee))
        assert lee.app.screen.query_one("#content").region.y == step_at  # the step did not move under Lee

        await lee.press("f12")
        await until(pilots, lambda: all(speaking(pilot) == "Ana" for pilot in pilots))
        await lee.press("f12")
        await until(pilots, lambda: all(speaking(pilot) == "Sam" for pilot in pilots))
        await lee.press("f12")
        await until(pilots, lambda: all(speaking(pilot) == "Ana" for pilot in pilots))
        await sam.press("f12")  # only the facilitator passes the floor on
        await sam.pause()
        assert stored(db, review_id)["session"]["spotlight"] == "Ana"

        assert sorted(stored(db, review_id)["session"]["participants"]) == ["Ana", "Lee", "Sam"]
        markdown = render_markdown(ReviewStore(db).get(review_id))
        assert "## The live session" in markdown and "Led by Lee, with " in markdown


async def test_who_has_spoken_outlasts_a_reconnected_terminal(tmp_path):
    """Sam speaks, his link drops and he comes back: the facilitator does not list him as not heard from again."""
    db = tmp_path / "reviews.json"
    review_id = review_at(db, "impact")
    async with AsyncExitStack() as stack:
        lee = await join(stack, db, review_id, "Lee")
        ana = await join(stack, db, review_id, "Ana")
        async with AsyncExitStack() as first_link:
            sam = await join(first_link, db, review_id, "Sam")
            await until([lee, ana, sam], lambda: "Not heard from on this step: Ana, Sam." in presence(lee))
            await type_text(sam, " Refunds took 3 days.")
            await until([lee, ana, sam], lambda: stored(db, review_id)["session"]["spoke"] == {"impact": ["Sam"]})
        await until([lee, ana], lambda: "Sam" not in presence(lee).split("\n")[0])  # gone
        sam = await join(stack, db, review_id, "Sam")
        pilots = [lee, ana, sam]
        await until(pilots, lambda: "Sam" in presence(lee).split("\n")[0])
        for _ in range(3):  # a few beats: Sam's new terminal has said nothing, the record says he spoke
            await until(pilots, lambda: "Not heard from on this step: Ana. F12" in presence(lee))
            await asyncio.sleep(0.5)


async def test_the_room_watches_in_presenter_view_while_the_facilitator_keeps_the_blame_flags(tmp_path):
    """The shared screen is an observer in presenter view; advisories are per terminal, so the facilitator's stay."""
    from textual.widgets import OptionList

    def checks(pilot) -> list[str]:
        panel = pilot.app.screen.query_one("#checks", OptionList)
        return [str(panel.get_option_at_index(i).prompt) for i in range(panel.option_count)]

    db = tmp_path / "reviews.json"
    doc = complete_review("impact")
    doc.update(facilitator="", impact="Sam forgot to run the migration")
    review_id = seed(db, doc)
    async with AsyncExitStack() as stack:
        lee = await join(stack, db, review_id, "Lee")
        room = await join(stack, db, review_id, "Room", observe=True)
        pilots = [lee, room]
        await until(pilots, lambda: "Room watching" in presence(lee))
        await room.press("ctrl+l")  # presenter view, on the room's screen only
        await room.pause()
        assert room.app.presenter and not lee.app.presenter
        assert not any("forgot" in line for line in checks(room))
        assert any("Blame language" in line and "forgot" in line for line in checks(lee))
        await lee.press("ctrl+n")
        await until(pilots, lambda: active(room) == "FiveWhysScreen")
        assert room.app.presenter  # still presenting, on the facilitator's step
