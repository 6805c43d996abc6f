"""Helpers for the Pilot journeys: type like a user, wait for screens, read what a user sees.

The journeys drive the real app (``make_app``) with keys only and then look at
what a user would notice: the active screen, the focused field, the refusal
line, the check panel, the text drawn on the terminal, and the review file.
"""

from __future__ import annotations

import json
import sys
import time
import weakref
from pathlib import Path
from typing import Any

# Import the project from this checkout, as tests/test_store.py does.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from textual.app import ScreenStackError  # noqa: E402
from textual.pilot import Pilot  # noqa: E402
from textual.widgets import Input, OptionList, Static  # noqa: E402

from tui.app import make_app  # noqa: E402

SIZE = (80, 24)
WAIT_ROUNDS = 100  # pauses, not seconds: how long to wait for a screen before failing
WAIT_SECONDS = 15.0  # at most this long for a screen (a review is read off the event loop: a loaded machine is slow)


def new_app(db: Path, **options):
    """The app over the review file ``db``, as the command builds it."""
    return make_app(db, **options)


# Typing ---------------------------------------------------------------------


async def type_text(pilot: Pilot, text: str) -> None:
    """Type ``text`` one key per character (Textual maps ' ' to space, '[' to left_square_bracket ...)."""
    for character in text:
        await pilot.press(character)
    await pilot.pause()


async def choose(pilot: Pilot, downs: int) -> None:
    """On a focused Select: open it with Enter, go ``downs`` rows down, pick with Enter."""
    await pilot.press("enter")
    await pilot.pause()
    for _ in range(downs):
        await pilot.press("down")
    await pilot.press("enter")
    await pilot.pause()


async def tab_to(pilot: Pilot, wanted, limit: int = 40) -> None:
    """Press Tab until the focused widget is ``wanted`` (a predicate), as a user tabs to a field."""
    for _ in range(limit):
        widget = pilot.app.focused
        if widget is not None and wanted(widget):
            return
        await pilot.press("tab")
    raise AssertionError(f"Tab never reached the field; focus is on {pilot.app.focused!r}")


def widget_id(name: str):
    """Matches the widget with that id (``#title``, ``#severity`` ...)."""
    return lambda widget: widget.id == name


def item_field(name: str, editor: str | None = None):
    """Matches an item form's field (``text``, ``marker``, ``owner`` ...), optionally in one editor."""

    def matches(widget) -> bool:
        if getattr(widget, "item_field", None) != name:
            return False
        return editor is None or any(node.id == editor for node in widget.ancestors)

    return matches


def item_rows(editor: str):
    """Matches the row list of one item editor (``events``, ``went-well``, ``actions`` ...)."""
    return lambda widget: widget.has_class("item-rows") and widget.parent is not None and widget.parent.id == editor


# Screens --------------------------------------------------------------------


def active(pilot_or_app: Any) -> str:
    """The name of the active screen's class (``SetupScreen``, ``HomeScreen`` ...)."""
    app = getattr(pilot_or_app, "app", pilot_or_app)
    return type(app.screen).__name__


def screen_ready(screen) -> bool:
    """Mounted, and the list of reviews read once where the screen shows it (it is read off the event loop)."""
    return screen.is_mounted and getattr(screen, "listed", True)


async def wait_for_screen(pilot: Pilot, name: str) -> None:
    """Let the app process events until ``name`` is the active screen, mounted (bounded, no sleeps).

    A review is read off the event loop, so its step screen comes a moment
    after the app starts, and is active a moment before it is mounted.
    """
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        if active(pilot) == name and screen_ready(pilot.app.screen):
            return
        await pilot.pause(0.01)  # an idle app answers a bare pause at once, while a read takes its time
    assert active(pilot) == name, f"expected {name}, the active screen is {active(pilot)}"


async def typing_paused(pilot: Pilot, seconds: float = 5.0) -> None:
    """Pause typing until the step has drawn what keys typed into a field change beyond it (rows, checks)."""
    for _ in range(int(seconds / 0.05)):
        await pilot.pause(0.05)
        if not getattr(pilot.app.screen, "checks_waiting", False):
            return
    assert not pilot.app.screen.checks_waiting, "the checks still wait for a typing pause"


async def impact_box_at_end(pilot: Pilot):
    """Once the impact step is drawn: its text box, focused, the cursor at the end of its text."""
    await wait_for_screen(pilot, "ImpactScreen")
    box = pilot.app.screen.query_one("#impact")
    box.focus()
    box.move_cursor(box.document.end)
    await pilot.pause(0.3)
    return box


async def saved(pilot: Pilot, seconds: float = 5.0) -> None:
    """Wait until the app's writer has put every change on disk (writes run off the event loop), and the step has
    drawn the checks that wait for the typing's pause (a write that comes back while they wait leaves them to it)."""
    for _ in range(int(seconds / 0.01)):
        if not pilot.app.saver.has_pending and not checks_waiting(pilot.app):
            return
        await pilot.pause(0.01)
    assert not pilot.app.saver.has_pending, "changes still waiting to be written"
    assert not checks_waiting(pilot.app), "the checks still wait for a typing pause"


def checks_waiting(app) -> bool:
    """True while the step shown waits for a typing pause to draw its checks (False once the app has exited)."""
    try:
        screen = app.screen
    except ScreenStackError:
        return False
    return getattr(screen, "checks_waiting", False)


async def press_and_wait_for_screen(pilot: Pilot, key: str, name: str) -> None:
    """Press ``key`` and wait until the screen ``name`` is active."""
    await pilot.press(key)
    await wait_for_screen(pilot, name)


async def agree_to_ground_rules(pilot: Pilot) -> None:
    """A new review opens with the blameless ground rules; the facilitator agrees with Enter."""
    await wait_for_screen(pilot, "GroundRulesDialog")
    for _ in range(WAIT_ROUNDS):  # the review is created off the event loop: the dialog may have just come up
        if focused_id(pilot) == "agree":
            break
        await pilot.pause()
    assert focused_id(pilot) == "agree"
    await pilot.press("enter")
    await wait_for_screen(pilot, "SetupScreen")


async def start_review(pilot: Pilot, key: str = "ctrl+n") -> None:
    """On home: start a review (ctrl+n incident, ctrl+r project), agree to the ground rules, reach setup."""
    assert_is_screen_active(pilot, "HomeScreen")
    await pilot.press(key)
    await agree_to_ground_rules(pilot)


def assert_is_screen_active(pilot: Pilot, name: str) -> None:
    assert active(pilot) == name, f"expected {name}, the active screen is {active(pilot)}"


def focused(pilot: Pilot):
    """The focused widget."""
    return pilot.app.focused


def focused_id(pilot: Pilot) -> str | None:
    widget = pilot.app.focused
    return widget.id if widget is not None else None


# What a user reads ------------------------------------------------------------


def refusal(pilot: Pilot) -> str:
    """The refusal line under a step (empty when there is none or it is hidden)."""
    line = pilot.app.screen.query_one("#refusal", Static)
    return "" if line.has_class("-empty") else str(line.content)


def check_panel(pilot: Pilot) -> list[str]:
    """Each line of the check panel, as plain text."""
    panel = pilot.app.screen.query_one("#checks", OptionList)
    return [str(panel.get_option_at_index(index).prompt) for index in range(panel.option_count)]


def static_text(pilot: Pilot, selector: str) -> str:
    """The plain text of a Static on the active screen."""
    return str(pilot.app.screen.query_one(selector, Static).content)


def screen_text(pilot_or_app: Any) -> str:
    """Every character drawn on the terminal right now, one line per row."""
    app = getattr(pilot_or_app, "app", pilot_or_app)
    strips = app.screen._compositor.render_strips()
    return "\n".join(strip.text for strip in strips)


def rendered_text(widget) -> str:
    """What a widget draws, line by line, even where its container clips it off the screen."""
    from textual.geometry import Region

    width, height = widget.size
    return "\n".join(strip.text for strip in widget.render_lines(Region(0, 0, width, height)))


def focus_is_visible(pilot) -> bool:
    """True when the focused field lies inside the visible part of the step's scrolling content."""
    content = pilot.app.screen.query_one("#content").region
    return content.contains_region(pilot.app.focused.region)


def option_texts(widget: OptionList) -> list[str]:
    """The plain text of each row of an OptionList (item rows, chains, the check panel)."""
    return [str(widget.get_option_at_index(index).prompt) for index in range(widget.option_count)]


def input_value(pilot: Pilot, selector: str) -> str:
    return pilot.app.screen.query_one(selector, Input).value


# The file -------------------------------------------------------------------


LIVE_SAVERS: "weakref.WeakSet" = weakref.WeakSet()  # every app's saver in this test (conftest.py)


def wait_for_writers(seconds: float = 5.0) -> None:
    """Wait until no app's writer holds a change it has not written.

    Changes leave the event loop for a writer thread at once (an add, a
    decision, Enter) or after a typing pause; a test that reads the file right
    after a key waits for the writes under way, as a user would see them land.
    """
    deadline = time.monotonic() + seconds
    while any(saver.writing for saver in list(LIVE_SAVERS)) and time.monotonic() < deadline:
        time.sleep(0.002)


def read_file(path: Path) -> dict:
    """Every review file of the archive ``path`` names, as JSON read without the app's store.

    Shaped as ``{"reviews": {"N": review}}``: each ``reviews/pm-N.json`` holds review N.
    Writes under way are waited for first (see wait_for_writers).
    """
    wait_for_writers()
    directory = Path(path).with_suffix("")
    reviews = {}
    for review_file in directory.glob("pm-*.json"):
        reviews.update(json.loads(review_file.read_text(encoding="utf-8"))["reviews"])
    return {"reviews": reviews}


def stored(path: Path, review_id: str = "pm-1") -> dict:
    """One review as the file holds it (doc ``N`` is review ``pm-N``)."""
    reviews = read_file(path).get("reviews", {})
    return reviews[review_id.removeprefix("pm-")]


def stored_ids(path: Path) -> list[str]:
    return sorted(doc["id"] for doc in read_file(path).get("reviews", {}).values())


def texts(items: list[dict], key: str = "text") -> list[str]:
    return [item[key] for item in items]


# Reviews to start from ----------------------------------------------------------


def complete_review(step: str = "summary", kind: str = "incident") -> dict:
    """A review whose every step passes its check (no errors), stopped at ``step``."""
    return {
        "kind": kind,
        "title": "Search was slow",
        "severity": "SEV3" if kind == "incident" else "",
        "timezone": "UTC",
        "review_date": "2026-11-21",
        "owner": "Lee",
        "facilitator": "Dana",
        "participants": ["Dana", "Lee", "Sam"],
        "timeline": [
            {"at": "2026-11-20T10:00:00+00:00", "text": "Index rebuild starts", "marker": "started"},
            {"at": "2026-11-20T10:10:00+00:00", "text": "Latency alert fires", "marker": "detected"},
            {"at": "2026-11-20T10:30:00+00:00", "text": "Rebuild paused", "marker": "mitigated"},
            {"at": "2026-11-20T11:00:00+00:00", "text": "Latency normal", "marker": "resolved"},
        ],
        "impact": "Searches took 9 seconds for 60 minutes",
        "five_whys": {
            "problem": "Search took 9 seconds",
            "chains": [{"whys": ["The index was rebuilt", "A schema change needed it", "Rebuilds are not scheduled"]}],
        },
        "went_well": [{"text": "The alert fired fast"}],
        "could_improve": [{"text": "The rebuild ran at peak"}],
        "actions": [
            {"what": "Schedule rebuilds off peak", "owner": "Sam", "due": "2026-12-15",
             "done_when": "the runbook says when", "type": "process", "addresses": "root cause of chain 1"},
            {"what": "Alert on rebuild duration", "owner": "Lee", "due": "2026-12-18",
             "done_when": "the alert fires in a drill", "type": "detect", "addresses": "root cause of chain 1"},
        ],
        "questions": [{"text": "Will it recur?", "answer": "Not after the fix"}],
        "follow_up": {"due": "2026-12-21", "held": None, "notes": ""},
        "step": step,
        "ground_rules_confirmed": True,
    }


def seed(path: Path, doc: dict) -> str:
    """Store a review as an earlier session left it; returns its id."""
    from store.db import ReviewStore

    return ReviewStore(path).create(doc).id
