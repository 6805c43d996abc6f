"""Random keys, seeded, never crash the app: every screen, dialog and the command palette, as a clumsy user.

Each seed starts the app on an archive with reviews stopped at several steps
and presses a few hundred keys drawn from what a person can press (the keys
that survive tmux and SSH, letters, the command palette).  The app must still
be running after every key.  A failure names the seed and the keys, so it can
be replayed:  ``PM_SEEDS=1234 pytest tests/test_random_keys.py``.
"""

from __future__ import annotations

import os
import random
import traceback

import pytest
from textual import events
from textual.keys import _character_to_key

from tui_helpers import SIZE, complete_review, new_app, seed

# ctrl+q quits and ctrl+z suspends: both end the run rather than test it.
KEYS = (
    ["enter"] * 6 + ["escape"] * 4 + ["tab"] * 4 + ["shift+tab", "up", "down", "left", "right", "pageup",
    "pagedown", "home", "end", "delete", "backspace", "space", "shift+up", "shift+down"]
    + [f"ctrl+{letter}" for letter in "abdefgjklnoprstuvwxy"] * 2
    + [f"f{number}" for number in range(1, 10)] * 2
    + list("abcxyz019[]:-,") + ["left_square_bracket", "right_square_bracket"]
)
SEEDS = [int(seed) for seed in os.environ.get("PM_SEEDS", "11,22,33").split(",")]
PRESSES = int(os.environ.get("PM_PRESSES", "200"))


def archive(path) -> None:
    """Reviews stopped at the steps most screens and dialogs are reached from."""
    for step in ("setup", "timeline", "five_whys", "actions", "summary"):
        seed(path, complete_review(step))
    seed(path, complete_review("setup") | {"ground_rules_confirmed": False, "title": ""})


def send_at_once(app, keys: list[str]) -> None:
    """Hand keys to the app as one read from a terminal delivers them: all queued before any is handled."""
    for key in keys:
        name = _character_to_key(key) if len(key) == 1 and not key.isalnum() else key
        event = events.Key(name, key if len(key) == 1 else None)
        event.set_sender(app)
        app._driver.send_message(event)


def crash(app) -> str:
    return "".join(traceback.format_exception(app._exception)[-6:])


@pytest.mark.parametrize("number", SEEDS)
async def test_random_keys_never_crash_the_app(tmp_path, monkeypatch, number):
    monkeypatch.chdir(tmp_path)  # an export written by a random Enter lands here
    path = tmp_path / "r.json"
    archive(path)
    rng = random.Random(number)
    pressed: list[str] = []
    while len(pressed) < PRESSES:  # the palette's "Quit" ends a run cleanly: start again
        app = new_app(path)
        async with app.run_test(size=SIZE) as pilot:
            while len(pressed) < PRESSES and app.is_running:
                keys = [rng.choice(KEYS) for _ in range(rng.choice((1, 1, 1, 2, 3, 5)))]
                pressed.append("+".join(keys))
                send_at_once(app, keys)
                await pilot.pause()
                assert app._exception is None, f"seed {number}: after keys {pressed[-30:]}:\n{crash(app)}"
        assert app.return_code in (None, 0), f"seed {number}: ended with {app.return_code} after {pressed[-30:]}"


# The crashes random keys found, each as the keys that caused it.

async def run_keys_at_once(tmp_path, keys: list[str], before: str = "", **options) -> str:
    """Start the app, type ``before``, send ``keys`` as one read, let it settle; the active screen's name.

    The app must not crash.
    """
    path = tmp_path / "r.json"
    archive(path)
    app = new_app(path, **options)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        for key in before.split():
            await pilot.press(key)
        for _ in range(5):
            await pilot.pause()
        send_at_once(app, keys)
        for _ in range(5):
            await pilot.pause()
        assert app._exception is None and app.is_running, crash(app) if app._exception else "the app ended"
        return type(app.screen).__name__


async def test_page_down_at_once_after_opening_the_palette_does_not_crash(tmp_path):
    assert await run_keys_at_once(tmp_path, ["ctrl+p", "pagedown", "pageup"]) == "CommandPalette"


async def test_enter_twice_on_the_ground_rules_answers_once_and_setup_stays(tmp_path):
    assert await run_keys_at_once(tmp_path, ["enter", "enter"], start="new") == "SetupScreen"


async def test_a_palette_command_chosen_twice_at_once_runs_once(tmp_path):
    typed = "ctrl+p " + " ".join("space" if c == " " else c for c in "go to impact")
    screen = await run_keys_at_once(tmp_path, ["enter", "enter"], before=typed, start="open", review_id="pm-2")
    assert screen == "ImpactScreen"


async def test_solo_switched_on_off_on_at_once_shows_one_interview(tmp_path):
    assert await run_keys_at_once(tmp_path, ["ctrl+f"] * 3, start="open", review_id="pm-2") == "TimelineScreen"
