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
    browsers["Sam"].screenshot("sam-silent-1-writing")
    browsers["Ana"].screenshot("ana-silent-1-writing")
    assert cards["Ana"] not in browsers["Sam"].text and cards["Sam"] not in browsers["Ana"].text
    assert not any(card in dana.text for card in cards.values())
    assert sorted(item.text for item in stored(db, review_id).went_well) == sorted(cards.values())
    assert all(item.hidden for item in stored(db, review_id).went_well)

    dana.mark()
    dana.type("\x1bOR")  # F3 again: Dana, alone, reads the cards before revealing them
    dana.wait_for(cards["Sam"])
    assert cards["Ana"] not in browsers["Sam"].text and cards["Sam"] not in browsers["Ana"].text
    dana.type("\x1bOQ")  # F2: reveal them to everyone at once
    for name, browser in browsers.items():
        other = cards["Ana" if name == "Sam" else "Sam"]
        browser.wait_for_screen(other, while_waiting=lambda: dana.read(0.05))
        browser.screenshot(f"{name.lower()}-silent-2-revealed")
    seconds_until(lambda: not any(item.hidden for item in stored(db, review_id).went_well), dana)
    assert stored(db, review_id).session.silent == {"went_well": "revealed"}


def wait_for_browser(browser: Browser, wanted: str, terminal: Terminal, timeout: float = 60.0) -> None:
    """``browser.wait_for``, draining the terminal meanwhile (an app blocked on its output would stall)."""
    start = time.monotonic()
    while wanted not in browser.text[browser._mark:]:
        assert time.monotonic() - start < timeout, f"{wanted!r} was never drawn in the browser:\n{browser.text[-2000:]}"
        terminal.read(0.05)


def test_ctrl_down_and_ctrl_up_move_between_steps_in_a_browser(tmp_path, review, closing):
    """The browser keeps ctrl+n (a new window) to itself; ctrl+down / ctrl+up reach the app through xterm.js."""
    from selenium.webdriver.common.keys import Keys

    db = tmp_path / "archive"
    review_id = seed(db, complete_review("impact"))
    server = Server(db, "--review", review_id)
    closing.append(server)
    sam = Browser(tmp_path / "sam")
    closing.append(sam)
    sam.open(server.links[f"join {review_id}"])
    enter_name(sam, "Sam")
    sam.wait_for(">Impact<")
    tabs = server.app_processes()
    sam.mark()
    sam.type(Keys.CONTROL + Keys.DOWN)
    sam.wait_for(">5 Whys<", timeout=30)
    sam.screenshot("sam-ctrl-down-next-step")
    sam.mark()
    sam.type(Keys.CONTROL + Keys.UP)
    sam.wait_for(">Impact<", timeout=30)
    sam.screenshot("sam-ctrl-up-previous-step")
    assert server.app_processes() == tabs  # the same tab and app all along: nothing reloaded the page
    # ctrl+w (a terminal's "delete a word") closes a browser tab without the page seeing it: while the session
    # runs, the page asks the browser to confirm leaving.  (The dialog itself is the browser's; a driven
    # headless Chromium does not show it, so the page's answer is what is checked.)
    leaving = "const e = new Event('beforeunload', {cancelable: true}); window.dispatchEvent(e); return e.defaultPrevented"
    assert sam.driver.execute_script(leaving) is True
    sam.driver.execute_script("document.body.classList.add('-closed')")  # as when the session has ended
    assert sam.driver.execute_script(leaving) is False  # then there is nothing to lose: no question


def test_a_dot_vote_from_browsers_hidden_tally_then_a_ranking(tmp_path, closing):
    """Lee leads from a terminal and opens a vote with F4; Sam and Ana vote with + in their browsers."""
    from selenium.webdriver.common.keys import Keys

    items = ["Alerts went to a channel nobody watched", "The runbook was out of date", "Retries doubled the load"]
    db = tmp_path / "archive"
    doc = dict(complete_review("could_improve"), facilitator="")
    doc["could_improve"] = [{"text": text} for text in items]
    review_id = seed(db, doc)
    server = Server(db, "--review", review_id)
    closing.append(server)
    lee = Terminal(db, ("open", review_id, "--as", "Lee"))
    closing.append(lee)
    lee.wait_for(">Improve<")
    browsers = {}
    for name in ("Sam", "Ana"):
        browsers[name] = Browser(tmp_path / name)
        closing.append(browsers[name])
        browsers[name].open(server.links[f"join {review_id}"])
        enter_name(browsers[name], name)
        wait_for_browser(browsers[name], ">Improve<", lee)
        lee.wait_for(name)
    sam, ana = browsers["Sam"], browsers["Ana"]

    lee.mark()
    lee.type("\x1bOS")  # F4: open a dot vote
    lee.wait_for("votes")
    lee.type("\x15" + "3 2\r")  # ctrl+u clears the field: three votes each, at most two on one item
    for browser in browsers.values():
        wait_for_browser(browser, "3 of your 3 votes left (at most 2 on one item)", lee)
    sam.screenshot("sam-vote-1-opened")

    def ballots() -> list[dict[str, int]]:
        return [dict(item.ballot) for item in stored(db, review_id).could_improve]

    def drain() -> None:
        lee.read(0.05)  # keep Lee's terminal read while the browsers are watched: a blocked app would stall

    sam.type(Keys.ESCAPE)  # from the field to the list
    time.sleep(0.5)  # as a person pauses: an Escape straight before a key could read as alt+key
    sam.type(Keys.DOWN)  # the first item
    sam.type("++")  # two votes on it
    sam.wait_for_screen("●●", while_waiting=drain)
    sam.wait_for_screen("1 of your 3 votes left", while_waiting=drain)
    seconds_until(lambda: {"Sam": 2} in ballots(), lee)
    sam.type("+")  # a third on one item: refused, and why
    sam.wait_for_screen("At most 2 of your votes can go on one item", while_waiting=drain)
    sam.screenshot("sam-vote-2-refused-a-third-dot")
    ana.type(Keys.ESCAPE)
    time.sleep(0.5)
    ana.type(Keys.DOWN)
    ana.type(Keys.DOWN)
    ana.type("+")
    ana.wait_for_screen("2 of your 3 votes left", while_waiting=drain)
    seconds_until(lambda: sum(ballot.get("Ana", 0) for ballot in ballots()) == 1, lee)
    ana.screenshot("ana-vote-3-voted")
    lee.wait_for("Ana 1/3")  # the facilitator sees how many each used, not on what
    assert "●" not in lee.text
    assert "vote]" not in sam.screen() and "votes]" not in sam.screen()  # no count while the vote is open
    assert "●●" not in ana.screen()  # nor anyone else's dots (Ana has one; Sam put two on one item)
    expected = {item.text: sum(item.ballot.values()) for item in stored(db, review_id).could_improve}

    lee.type("\x1bOS")  # F4 again: the vote closes, the list ranks by votes
    top = max(expected.values())
    sam.wait_for_screen(f"[{top} votes]", while_waiting=drain)
    sam.screenshot("sam-vote-4-ranked")
    review = stored(db, review_id)
    assert {item.text: item.votes for item in review.could_improve} == expected
    assert not any(item.ballot for item in review.could_improve)  # who voted how is not kept
    assert review.could_improve[0].votes == top  # ranked: the most votes first
    ranked = sam.screen()
    assert ranked.index(f"[{top} votes]") < min(ranked.index(text) for text, votes in expected.items() if votes < top)
