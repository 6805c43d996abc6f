"""The step's timer in a live session is the facilitator's: a participant who joins (or rejoins after a
dropped link) sees the time the room has left, not a fresh timebox, and a pause shows everywhere."""

from __future__ import annotations

from contextlib import AsyncExitStack

from test_live_session import join, presence, review_at, until


def remaining(pilot) -> float:
    return pilot.app.screen.timebox.remaining


def notices(pilot) -> str:
    return " ".join(str(toast.message) for toast in pilot.app._notifications)


async def test_a_participant_shows_the_facilitators_time_left_and_pause(tmp_path):
    db = tmp_path / "reviews.json"
    review_id = review_at(db, "timeline")
    async with AsyncExitStack() as stack:
        lee = await join(stack, db, review_id, "Lee")
        lee.app.screen.timebox.started -= 300  # the room has talked for five minutes
        sam = await join(stack, db, review_id, "Sam")
        pilots = [lee, sam]
        await until(pilots, lambda: "[lead]" in presence(sam) and abs(remaining(sam) - remaining(lee)) < 3)
        assert remaining(sam) < 15 * 60 - 290  # not a fresh fifteen minutes

        await lee.press("f6")
        await until(pilots, lambda: sam.app.screen.timebox.paused)
        assert "(paused)" in sam.app.screen.timebox.label()

        await sam.press("f6")  # a participant does not pause the room's timer
        await until(pilots, lambda: "only they pause it" in notices(sam))
        assert sam.app.screen.timebox.paused and lee.app.screen.timebox.paused


async def test_a_participant_who_rejoins_sees_the_time_the_room_has_left(tmp_path):
    db = tmp_path / "reviews.json"
    review_id = review_at(db, "timeline")
    async with AsyncExitStack() as stack:
        lee = await join(stack, db, review_id, "Lee")
        lee.app.screen.timebox.started -= 600
        async with AsyncExitStack() as first:
            sam = await join(first, db, review_id, "Sam")
            await until([lee, sam], lambda: "Sam" in presence(lee))
        again = await join(stack, db, review_id, "Sam")  # the link dropped; Sam opens the review again
        await until([lee, again], lambda: abs(remaining(again) - remaining(lee)) < 3)
        assert remaining(again) < 15 * 60 - 590


def test_a_damaged_or_hostile_timer_from_another_process_is_ignored():
    from store.session import Member

    base = {"id": "m1", "name": "Lee", "seen": 1.0}
    good = {"step": "timeline", "seconds": 900, "left": 612.5, "paused": False}
    assert Member.from_dict(base | {"clock": good}).clock == good
    for bad in ({"step": "timeline", "seconds": "900", "left": 1, "paused": False},
                {"step": "timeline", "seconds": 900, "left": 1e300, "paused": False},
                {"step": "timeline", "seconds": 0, "left": 1, "paused": False},
                {"step": "timeline", "seconds": 900, "left": 1, "paused": "yes"}, ["timeline"], "x"):
        assert Member.from_dict(base | {"clock": bad}).clock == {}
