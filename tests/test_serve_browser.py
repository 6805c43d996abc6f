"""`postmortem serve` in a real headless Chromium, with a facilitator in a terminal on the same review.

Sam joins from a browser with the join link, gives his name, and types the
impact: the store holds it, and Lee's terminal (a real pseudo-terminal) shows
it within a second.  Ola watches with the read-only link: her keys change
nothing.  Lee moves the session to the summary, Sam follows, and Sam's export
arrives in his browser's downloads.  The address without its token is refused
and starts no app process.  Each step leaves a screenshot in tests/artifacts/.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from browser import Browser, Server, why_no_browser
from test_hangup import Terminal
from tui_helpers import complete_review, seed

pytestmark = [pytest.mark.slow, pytest.mark.skipif(why_no_browser() is not None, reason=str(why_no_browser()))]

IMPACT = "About 4200 orders failed in 22 minutes"


def stored(db, review_id: str):
    from store.db import ReviewStore

    return ReviewStore(db).get(review_id)


def seconds_until(condition, terminal: Terminal, timeout: float = 30.0) -> float:
    start = time.monotonic()
    while not condition():
        assert time.monotonic() - start < timeout, terminal.text[-1500:]
        terminal.read(0.02)  # keep draining the terminal: an app blocked on its output would stall
    return time.monotonic() - start


def enter_name(browser: Browser, name: str) -> None:
    from selenium.webdriver.common.keys import Keys

    browser.wait_for("Who is joining?")
    browser.screenshot(f"{name.lower()}-1-asked-for-name")
    browser.type(name)
    browser.type(Keys.ENTER)


@pytest.fixture
def review(tmp_path):
    db = tmp_path / "archive"
    return db, seed(db, dict(complete_review("impact"), impact="", facilitator=""))


@pytest.fixture
def closing():
    """Everything a test started, closed at its end whatever happened."""
    started = []
    yield started
    for thing in reversed(started):
        thing.close()


def test_a_browser_participant_types_and_the_store_and_a_terminal_have_it_within_a_second(tmp_path, review, closing):
    from selenium.webdriver.common.keys import Keys

    db, review_id = review
    server = Server(db, "--review", review_id)
    closing.append(server)
    lee = Terminal(db, ("open", review_id, "--as", "Lee"))
    closing.append(lee)
    lee.wait_for("Who and what was affected")
    sam = Browser(tmp_path / "sam")
    closing.append(sam)

    sam.open(server.links[f"join {review_id}"])
    enter_name(sam, "Sam")
    sam.wait_for("Who and what was affected")
    lee.wait_for("Sam")  # Lee's presence line: Sam is here, by the name he gave
    sam.screenshot("sam-2-joined")

    sam.type(IMPACT)
    typed = time.monotonic()
    seconds_until(lambda: stored(db, review_id).impact == IMPACT, lee)
    in_store = time.monotonic() - typed
    lee.wait_for("22 minutes")
    on_terminal = time.monotonic() - typed
    sam.screenshot("sam-3-typed")
    print(f"typed in the browser: in the store after {in_store:.2f} s, on Lee's terminal after {on_terminal:.2f} s")
    assert in_store <= 1.0 and on_terminal <= 1.0, f"store after {in_store:.2f} s, Lee's screen after {on_terminal:.2f} s"

    # Lee leads the session to the summary; Sam follows and exports: a download, not a file on the server
    for step in ("5 Whys", "Well", "Improve", "Actions", "Summary"):  # ctrl+n, step by step
        lee.mark()
        lee.type("\x0e")
        lee.wait_for(f">{step}<")
    sam.wait_for("Written summary")
    sam.screenshot("sam-4-followed-to-summary")
    sam.type(Keys.F4)
    download = sam.downloads / f"{review_id}-summary.md"
    deadline = time.monotonic() + 30
    while not download.exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    sam.screenshot("sam-5-exported")
    assert download.exists(), f"no download; the browser has {list(sam.downloads.iterdir())}"
    assert IMPACT in download.read_text(encoding="utf-8")
    assert not list(tmp_path.rglob(f"{review_id}-summary.md"))[1:], "the export was also written on the server"
    join = server.links[f"join {review_id}"]
    requested = [url for url in sam.requested() if url.startswith(("http:", "https:", "ws:", "wss:"))]
    elsewhere = [url for url in requested
                 if not url.startswith((join, join.replace("http://", "ws://", 1)))]
    assert not elsewhere, f"asked for outside the join link: {elsewhere}"  # no Google fonts, nothing without the token
    assert any(url.startswith(join + "/static/fonts/") for url in requested), requested  # the font came from here


def test_an_observer_in_a_browser_changes_nothing(tmp_path, review, closing):
    db, review_id = review
    server = Server(db, "--review", review_id, "--observe")
    closing.append(server)
    assert list(server.links) == [f"watch {review_id} (read-only)"], server.output  # --observe: no join link
    lee = Terminal(db, ("open", review_id, "--as", "Lee"))
    closing.append(lee)
    lee.wait_for("Who and what was affected")
    ola = Browser(tmp_path / "ola")
    closing.append(ola)

    ola.open(server.links[f"watch {review_id} (read-only)"])
    enter_name(ola, "Ola")
    ola.wait_for("Who and what was affected")
    lee.wait_for("Ola watching")
    seconds_until(lambda: stored(db, review_id).session.participants == ["Lee"], lee)  # Lee took the lead: written
    before = stored(db, review_id).to_dict()
    ola.mark()
    ola.type("Ola was here")
    ola.wait_for("nothing can be changed here")  # the app answered her keys, and said why it keeps none
    time.sleep(1.0)  # a typing pause and more: anything she could write would be written by now
    ola.screenshot("ola-typed-as-observer")
    after = stored(db, review_id).to_dict()
    assert after["impact"] == before["impact"] == ""
    assert after == before


def test_the_address_without_its_token_is_refused_and_starts_no_app(tmp_path, review, closing):
    db, review_id = review
    server = Server(db, "--review", review_id)
    closing.append(server)
    visitor = Browser(tmp_path / "visitor")
    closing.append(visitor)

    for address in (server.base + "/", server.base + "/join/guessed-token", server.base + "/join/"):
        visitor.open(address)
        assert "needs the join link" in visitor.page_text, (address, visitor.page_text)
    visitor.screenshot("visitor-refused")
    time.sleep(1.0)  # a tab's app would have started by now
    assert server.app_processes() == []


def test_a_tab_closed_right_after_typing_keeps_what_was_typed(tmp_path, review, closing):
    """Closing the tab ends its app (textual-serve asks it to quit): the words drawn must be saved first."""
    db, review_id = review
    server = Server(db, "--review", review_id)
    closing.append(server)
    sam = Browser(tmp_path / "sam")
    closing.append(sam)
    sam.open(server.links[f"join {review_id}"])
    enter_name(sam, "Sam")
    sam.wait_for("Who and what was affected")
    sam.type("Typed just before the tab closed")
    sam.wait_for("tab closed")  # drawn: well before the typing pause that saves it
    sam.open("about:blank")  # the tab leaves the page
    deadline = time.monotonic() + 30
    while server.app_processes() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert server.app_processes() == []
    assert stored(db, review_id).impact == "Typed just before the tab closed"


def test_stopping_the_server_ends_every_tab_after_it_saved(tmp_path, review, closing):
    db, review_id = review
    server = Server(db, "--review", review_id)
    closing.append(server)
    sam = Browser(tmp_path / "sam")
    closing.append(sam)
    sam.open(server.links[f"join {review_id}"])
    enter_name(sam, "Sam")
    sam.wait_for("Who and what was affected")
    tabs = server.app_processes()
    sam.type("Typed just before the server stopped")
    sam.wait_for("server stopped")
    server.close()  # SIGTERM, as ctrl+c or a service manager stops it
    assert server.process.returncode == 0
    deadline = time.monotonic() + 30
    while any(Path(f"/proc/{pid}").exists() for pid in tabs) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not [pid for pid in tabs if Path(f"/proc/{pid}").exists()], "a tab's app outlived the server"
    assert stored(db, review_id).impact == "Typed just before the server stopped"


def test_browser_participants_write_silently_and_nobody_else_sees_their_words(tmp_path, closing):
    """Silent writing from browsers: Dana (a terminal) sees how many cards each wrote, nobody sees another's text."""
    from selenium.webdriver.common.keys import Keys

    db = tmp_path / "archive"
    review_id = seed(db, dict(complete_review("went_well"), went_well=[], facilitator=""))
    server = Server(db, "--review", review_id)
    closing.append(server)
    dana = Terminal(db, ("open", review_id, "--as", "Dana"))
    closing.append(dana)
    dana.wait_for("What went well")
    cards = {"Sam": "Rollback took 2 minutes", "Ana": "Paging worked at night"}
    browsers = {}
    for name in cards:
        browsers[name] = Browser(tmp_path / name)
        closing.append(browsers[name])
        browsers[name].open(server.links[f"join {review_id}"])
        enter_name(browsers[name], name)
        browsers[name].wait_for("What went well")
        dana.wait_for(name)
    dana.type("\x1bOR")  # F3: silent writing
    for name, browser in browsers.items():
        browser.wait_for("only you see your cards")
        browser.type(cards[name])
        browser.type(Keys.ENTER)
        browser.wait_for("only you see it, until the reveal")
    dana.wait_for("Ana 1, Sam 1")
    time.sleep(1.0)  # every screen has had the others' cards long enough to draw them, if it would
    browsers["Sam"].screenshot("sam-silent-writing")
    assert cards["Ana"] not in browsers["Sam"].text and cards["Sam"] not in browsers["Ana"].text
    assert not any(card in dana.text for card in cards.values())
    assert sorted(item.text for item in stored(db, review_id).went_well) == sorted(cards.values())
