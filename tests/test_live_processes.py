"""Three terminals on one review, as three people on a shared host: typing at once, one killed, one hung up.

Each terminal is a real process on its own pseudo-terminal (80x24), with its
own store, watching the review (its file, or PostgreSQL's notices).  They type into the same field at the
same time; then one is killed (kill -9: only what it had saved survives) and
one loses its SSH link (SIGHUP: it saves what was typed, then ends), while the
third goes on.  Every character that was typed (and, for the killed one,
saved) must be in the file, and the surviving terminal must show the others'.
"""

from __future__ import annotations

import json
import signal
import sys
import time
from pathlib import Path

import pytest

from test_hangup import Terminal
from tui_helpers import complete_review, seed

pytestmark = [pytest.mark.slow, pytest.mark.skipif(sys.platform == "win32", reason="needs a pseudo-terminal")]

SENTENCES = {"A": "Checkout down for 40 minutes.", "B": "About 1200 orders failed.", "C": "Support got 85 tickets."}


def impact(db: Path, review_id: str) -> str:
    path = db.with_suffix("") / f"{review_id}.json"
    return json.loads(path.read_text(encoding="utf-8"))["reviews"][review_id.removeprefix("pm-")]["impact"]


def wait_until(condition, terminals, seconds: float = 20.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        for terminal in terminals:
            terminal.read(0.02)  # keep draining: an app blocked writing to its terminal would stall
    return condition()


def drain(terminals, seconds: float) -> None:
    """Read what the terminals draw for ``seconds`` (an app blocked writing to its terminal would stall)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        for terminal in terminals:
            terminal.read(0.01)


def test_three_terminals_type_at_once_and_one_is_killed_and_one_hung_up(archive_location, open_archive):
    """Once per backend: the terminals share a data directory, or a PostgreSQL database."""
    db = archive_location
    store = open_archive()
    review_id = store.create(dict(complete_review("impact"), impact="")).id

    def stored_impact() -> str:
        return store.get(review_id).impact

    terminals = {name: Terminal(db, ("open", review_id)) for name in "ABC"}
    try:
        for terminal in terminals.values():
            terminal.wait_for("Who and what was affected")
        # interleaved, a few keys at a time, as people type
        for start in range(0, max(map(len, SENTENCES.values())), 4):
            for name, terminal in terminals.items():
                terminal.type(SENTENCES[name][start:start + 4])
            for terminal in terminals.values():
                terminal.read(0.05)
        assert wait_until(lambda: all(text in stored_impact() for text in SENTENCES.values()),
                          terminals.values()), stored_impact()

        # B is killed after a typing pause (its words were saved); C types and its link drops at once
        terminals["B"].type(" Refunds took 3 days.")
        assert wait_until(lambda: "Refunds took 3 days." in stored_impact(), terminals.values())
        terminals["B"].close()  # SIGKILL
        terminals["C"].type(" Typed just before the link dropped.")
        terminals["C"].mark()
        terminals["C"].wait_for("dropped.")
        terminals["C"].hang_up()
        assert terminals["C"].wait_for_exit()
        assert "Typed just before the link dropped." in stored_impact(), (terminals["C"].status, terminals["C"].text[-3000:])

        # A goes on, sees the others' words, and quits; nothing anyone typed is missing
        terminals["A"].mark()
        terminals["A"].type(" Still typing.")
        terminals["A"].wait_for("days.")  # B's last words, drawn on A's screen
        terminals["A"].type("\x11")  # ctrl+q
        assert terminals["A"].wait_for_exit()
        final = stored_impact()
        for text in [*SENTENCES.values(), "Refunds took 3 days.", "Typed just before the link dropped.",
                     "Still typing."]:
            assert text in final, f"{text!r} lost: {final!r}"
    finally:
        for terminal in terminals.values():
            terminal.close()


SAME_START = {"A": " The cache was cold.", "B": " The queue was full.", "C": " The disk was full."}  # the same keys first


@pytest.mark.parametrize("people, pace", [(2, 0.07), (2, 0.3), (3, 0.03), (3, 0.15)])
def test_people_starting_a_sentence_at_the_same_place_at_once_keep_each_sentence_whole(tmp_path, people, pace):
    """Each types a sentence at the end of the same field at once, a key every ``pace`` seconds.

    The sentences start with the same keys (a space, "The "): a diff cannot
    tell whose they are, and each terminal must still go on typing after its
    own, or the sentences lose their spaces and mix their letters ("...
    full.cache was cold. ehT").  The store keeps where each terminal's typing
    ends (``store.merge.merge_anchored``) and each terminal types on there.
    (Before it did, three people doing so got a sentence's first word moved
    in about 1 run of 30, as in "... cold.disk was full. The  The queue ...".)
    """
    sentences = dict(list(SAME_START.items())[:people])
    db = tmp_path / "reviews.json"
    review_id = seed(db, dict(complete_review("impact"), impact="Checkout down."))
    terminals = {name: Terminal(db, ("open", review_id, "--as", name)) for name in sentences}
    try:
        for terminal in terminals.values():
            terminal.wait_for("Who and what was affected")
            terminal.type("\x05")  # ctrl+e: the end of the field
        time.sleep(0.5)
        for index in range(max(map(len, sentences.values()))):
            for name, terminal in terminals.items():
                terminal.type(sentences[name][index:index + 1])
            drain(terminals.values(), pace)
        expected_size = len("Checkout down.") + sum(map(len, sentences.values()))
        assert wait_until(lambda: len(impact(db, review_id)) >= expected_size, terminals.values()), impact(db, review_id)
        final = impact(db, review_id)
        assert final.startswith("Checkout down. ") and len(final) == expected_size, final
        for sentence in sentences.values():
            assert sentence in final, f"{sentence!r} is not whole in {final!r}"
    finally:
        for terminal in terminals.values():
            terminal.close()


def test_open_with_solo_starts_the_saved_review_with_the_interview(tmp_path):
    db = tmp_path / "reviews.json"
    review_id = seed(db, dict(complete_review("impact"), impact=""))
    terminal = Terminal(db, ("open", review_id, "--solo"))
    try:
        terminal.wait_for("Interview (solo)")
        terminal.type("1200 orders failed\r")
        assert wait_until(lambda: impact(db, review_id) == "1200 orders failed", [terminal]), terminal.text[-2000:]
    finally:
        terminal.close()


def test_a_session_of_three_processes_follows_the_facilitator_and_sees_who_is_gone(archive_location, open_archive):
    """Lee leads, Sam and Ana follow; Ana's process is killed (no goodbye), Sam's link drops.

    Once per backend: presence in files beside the review, or in PostgreSQL's table.
    """
    db = archive_location
    review_id = open_archive().create(dict(complete_review("impact"), facilitator="")).id
    lee = Terminal(db, ("open", review_id, "--as", "Lee"))
    opened = terminals = [lee]  # all to close at the end; those still running, to drain
    try:
        lee.wait_for("Who and what was affected")
        sam = Terminal(db, ("open", review_id, "--as", "Sam"))
        ana = Terminal(db, ("open", review_id, "--as", "Ana"))
        opened = [lee, sam, ana]
        terminals = [lee, sam, ana]

        def drawn(terminal, text: str, seconds: float = 20.0) -> bool:
            """``text`` drawn on ``terminal`` since its mark, draining every terminal meanwhile (one that
            nobody reads blocks writing its screen, and then cannot even take its SIGHUP)."""
            return wait_until(lambda: text in terminal.text[terminal._mark:], terminals, seconds)

        assert drawn(lee, "Here: Lee (you) [lead], Ana, Sam"), lee.text[-2000:]
        assert drawn(sam, "Here: Lee [lead], Ana, Sam (you)"), sam.text[-2000:]

        sam.mark()
        lee.type("\x0e")  # ctrl+n: the facilitator moves on, and Sam is taken along
        assert drawn(sam, "The symptom, then why, why, why"), sam.text[-2000:]

        ana.close()  # SIGKILL: no goodbye; its heartbeats stop
        terminals.remove(ana)
        killed = time.monotonic()
        lee.mark()
        assert drawn(lee, "Here: Lee (you) [lead], Sam", seconds=12), lee.text[-2000:]
        assert time.monotonic() - killed < 10.5

        sam.hang_up()  # a dropped SSH link: Sam leaves at once
        assert sam.wait_for_exit()
        store = open_archive()
        terminals.remove(sam)
        assert wait_until(lambda: [member.name for member in store.present(review_id)] == ["Lee"], [lee], seconds=5)
        lee.type("\x11")
        assert lee.wait_for_exit()
        assert store.present(review_id) == []
    finally:
        for terminal in opened:
            terminal.close()


def test_a_database_restart_mid_session_loses_nothing_and_the_app_says_so(postgres_cluster):
    """Two terminals on a PostgreSQL database; the server stops while one types, then comes back."""
    from store.postgres import PostgresStore

    url = postgres_cluster.new_database()
    store = PostgresStore(url)
    review_id = store.create(dict(complete_review("impact"), impact="")).id
    terminals = {name: Terminal(url, ("open", review_id)) for name in "AB"}
    try:
        for terminal in terminals.values():
            terminal.wait_for("Who and what was affected")
        terminals["A"].type("Before the restart.")
        assert wait_until(lambda: store.get(review_id).impact == "Before the restart.", terminals.values())
        postgres_cluster.stop()
        try:
            terminals["A"].mark()
            terminals["A"].type(" Typed while the server was down.")
            terminals["A"].wait_for("reconnecting", timeout=20)  # "NOT SAVED: database unreachable, reconnecting"
            assert terminals["A"].exited() is False
        finally:
            postgres_cluster.start()
        assert wait_until(lambda: "Typed while the server was down." in store.get(review_id).impact,
                          terminals.values(), seconds=30), terminals["A"].text[-2000:]
        terminals["B"].mark()
        terminals["B"].wait_for("server was down.")  # the other terminal is told of it once the server is back
        terminals["A"].mark()
        terminals["A"].type(" After.")
        assert wait_until(lambda: store.get(review_id).impact ==
                          "Before the restart. Typed while the server was down. After.", terminals.values())
    finally:
        for terminal in terminals.values():
            terminal.close()
        store.close()
