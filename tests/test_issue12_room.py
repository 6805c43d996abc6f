"""A facilitator's review by keys at 80x24, and alone with the interview (issue 12).

Each test drives the real app with keys, as the review of a real incident
did, and checks what a user notices: the screen, the focused field, what is
drawn, and what the review file holds.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Input

from snapshot_apps.reviews import FIXED_REVIEW, app_at_step, review, steady_cursors
from tui_helpers import SIZE, stored, tab_to, type_text, wait_for_screen

FIVE_WHYS = ["Disk filled", "Backups wrote to it", "No quota on the volume",
             "Quotas are set by hand", "The runbook has no step for quotas"]


@pytest.fixture(autouse=True)
def no_blinking(monkeypatch):
    steady_cursors(monkeypatch)


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "r.json"


def why_input(index: int):
    return lambda widget: isinstance(widget, Input) and getattr(widget, "why_index", None) == index


def chains_of(db: Path) -> list[list[str]]:
    return [chain["whys"] for chain in stored(db)["five_whys"]["chains"]]


# Five Whys ---------------------------------------------------------------------


async def test_f5_after_editing_an_earlier_why_starts_a_clean_new_chain(db):
    doc = review(five_whys={"problem": "Data lost", "chains": [{"whys": FIVE_WHYS}]})
    app = app_at_step(db, "five_whys", doc)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_screen(pilot, "FiveWhysScreen")
        await tab_to(pilot, why_input(4))  # "Why 5?", not the blank sixth
        await pilot.press("f5")
        await pilot.pause()
        assert len(app.screen.query("#whys Input")) == 1  # only the first why of the new chain
        await pilot.press("tab")  # past the new chain's only why
        await type_text(pilot, "Replication lagged")
        assert [chain.whys for chain in app.screen.review.five_whys.chains] == [FIVE_WHYS]  # no broken chain
        await pilot.press("shift+tab")
        await type_text(pilot, "Primary was wiped")
        await pilot.press("enter")
        await type_text(pilot, "Replication lagged")
        await pilot.press("ctrl+q")
    assert chains_of(db) == [FIVE_WHYS, ["Primary was wiped", "Replication lagged"]]


async def test_ctrl_q_right_after_a_burst_of_typing_saves_the_whole_why(db):
    doc = review(five_whys={"problem": "Data lost", "chains": [{"whys": FIVE_WHYS[:3]}]})
    app = app_at_step(db, "five_whys", doc)
    long_why = ("The replica was rebuilt by hand from a runbook that did not say which host was the primary "
                "one at all")
    assert len(long_why) >= 100
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_screen(pilot, "FiveWhysScreen")
        await tab_to(pilot, why_input(3))
        await pilot.press(*long_why, "ctrl+q")  # one burst, then quit at once
    assert chains_of(db) == [FIVE_WHYS[:3] + [long_why]]


async def test_a_why_filled_from_another_chain_starts_with_the_cursor_at_the_end(db):
    chains = [{"whys": ["on a primary", "b", "c"]}, {"whys": ["on a primary", "y", "z"]}]
    app = app_at_step(db, "five_whys", review(five_whys={"problem": "Data lost", "chains": chains}))
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_screen(pilot, "FiveWhysScreen")
        await tab_to(pilot, why_input(0))
        await pilot.press("home")  # the cursor at the start of chain 1's first why
        await tab_to(pilot, lambda w: w.id == "chains")
        await pilot.press("down", "down", "enter")  # chain 2
        await pilot.pause()
        assert why_input(0)(app.focused)
        await pilot.press("ctrl+u")
        await type_text(pilot, "the host name was ambiguous")
        await pilot.press("ctrl+q")
    assert chains_of(db) == [["on a primary", "b", "c"], ["the host name was ambiguous", "y", "z"]]


# Follow-up -----------------------------------------------------------------------


async def test_words_typed_after_recording_a_decision_go_into_the_next_actions_note(db):
    from datetime import date

    from tui_helpers import complete_review, new_app, seed

    review_id = seed(db, complete_review())
    app = new_app(db, start="follow-up", review_id=review_id)
    app.today = lambda: date(2026, 12, 21)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_screen(pilot, "FollowUpScreen")
        await pilot.press("down", "enter")  # done
        await type_text(pilot, "Runs weekly")
        await pilot.press("enter")  # recorded; action 2 comes up, its decision list focused
        await type_text(pilot, "Fired in the drill")  # typed on without looking
        note = app.screen.query_one("#follow-up-note", Input)
        assert app.focused is note and note.value == "Fired in the drill"
        await pilot.press("shift+tab", "down", "enter")  # now choose done: on to the note, text kept
        assert app.focused is note and note.value == "Fired in the drill"
        await pilot.press("enter")
        await type_text(pilot, "All done")  # after the last action: into the follow-up's notes
        assert app.screen.query_one("#follow-up-notes", Input).value == "All done"
        await pilot.press("ctrl+q")
    doc = stored(db, review_id)
    assert [action["note"] for action in doc["actions"]] == ["Runs weekly", "Fired in the drill"]
    assert doc["follow_up"]["notes"] == "All done"


# Setup ---------------------------------------------------------------------------


async def test_typing_on_after_one_tab_too_many_keeps_the_title_in_view_and_says_why(db):
    from tui_helpers import agree_to_ground_rules, new_app, refusal, screen_text

    app = new_app(db, start="new")
    async with app.run_test(size=SIZE) as pilot:
        await agree_to_ground_rules(pilot)
        await type_text(pilot, "Primary database deleted")
        await pilot.press("tab")  # one Tab too many: on Severity
        await type_text(pilot, " by a tired engineer")
        assert not app.screen.query_one("#severity").expanded  # no list opened over the form
        assert "Primary database deleted" in screen_text(pilot)
        assert "Severity is a list" in refusal(pilot)
        await pilot.press("shift+tab")  # back to the title: the note goes
        assert refusal(pilot) == ""
        await pilot.press("ctrl+q")
    assert stored(db)["title"] == "Primary database deleted"
