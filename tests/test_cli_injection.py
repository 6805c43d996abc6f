"""No input reaches the terminal raw through an error message: every error path of the command.

An untrusted import file, a file name, an id or a flag may hold escape
sequences (window title, clipboard, clear screen, hyperlinks); each message
that quotes it shows the control characters visibly (``\\x1b``) and writes
none of them to stderr.
"""

from __future__ import annotations

import json
import re

import pytest

from test_cli import GOOD, run
from tui.cli import main

# OSC 0 (title), OSC 52 (clipboard), CSI 2J (clear), OSC 8 (link), 8-bit CSI, a bidi override.
HOSTILE = "k\x1b]0;owned\x07\x1b]52;c;ZXZpbA==\x07\x1b[2J\x1b]8;;http://evil\x1b\\x\x1b]8;;\x1b\\\x9b31m\u202e"
IN_A_NAME = HOSTILE.replace("/", "-")  # a file name cannot hold a slash
CONTROL = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def assert_inert(err: str, shown: bool = True) -> None:
    """One line, no control character; ``shown``: the input's ESC is in it, visibly (not cleaned away first)."""
    assert err.strip(), "no message at all"
    assert not CONTROL.search(err), f"control characters reached stderr: {err!r}"
    assert len(err.strip().splitlines()) == 1, err
    assert not shown or "\\x1b" in err, f"the input is not shown visibly: {err!r}"


@pytest.fixture
def db(tmp_path):
    return tmp_path / "data" / "reviews.json"


def review_with(**changes) -> dict:
    return json.loads(json.dumps(GOOD)) | changes


HOSTILE_DOCUMENTS = {
    "top-level key": review_with(**{HOSTILE: 1}),
    "five_whys key": review_with(five_whys={"problem": "x", HOSTILE: []}),
    "follow_up key": review_with(follow_up={"due": "2026-12-21", HOSTILE: 1}),
    "timeboxes key": review_with(timeboxes={HOSTILE: 5}),
    "item field name": review_with(went_well=[{"text": "x", HOSTILE: "y"}]),
    "action field name": review_with(actions=[{"what": "x", HOSTILE: "y"}]),
    "kind value": review_with(kind=HOSTILE),
    "timezone value": review_with(timezone=HOSTILE),
    "date value": review_with(review_date=HOSTILE),
    "time value": review_with(timeline=[{"at": HOSTILE, "text": "x"}]),
    "marker value": review_with(timeline=[{"at": "2026-11-20 14:05", "text": "x", "marker": HOSTILE}]),
    "schema value": review_with(schema=HOSTILE),
    "timebox minutes": review_with(timeboxes={"setup": HOSTILE}),
}


# Text values are sanitised before they are checked, so their message quotes the cleaned text.
CLEANED_FIRST = {"timezone value", "date value", "time value", "schema value"}


@pytest.mark.parametrize("case", HOSTILE_DOCUMENTS)
def test_import_shows_hostile_keys_and_values_visibly_and_writes_nothing(tmp_path, db, capsys, case):
    source = tmp_path / "hostile.json"
    source.write_text(json.dumps(HOSTILE_DOCUMENTS[case]), encoding="utf-8")
    code, out, err = run(capsys, "--db", str(db), "import", str(source))
    assert code == 2 and out == ""
    assert_inert(err, shown=case not in CLEANED_FIRST)
    assert not list(db.with_suffix("").glob("pm-*.json"))


def test_an_import_file_name_with_escapes_is_shown_visibly(tmp_path, db, capsys):
    missing = tmp_path / f"{IN_A_NAME}.json"
    code, _, err = run(capsys, "--db", str(db), "import", str(missing))
    assert code == 2
    assert_inert(err)
    broken = tmp_path / f"b{IN_A_NAME}.json"
    broken.write_text("{not json", encoding="utf-8")
    code, _, err = run(capsys, "--db", str(db), "import", str(broken))
    assert code == 2
    assert_inert(err)


@pytest.mark.parametrize("command", [
    ["check", HOSTILE], ["export", HOSTILE], ["open", HOSTILE], ["follow-up", HOSTILE],
    ["restore", HOSTILE], ["timeline-import", HOSTILE, "-"],
])
def test_an_id_with_escapes_is_shown_visibly(db, capsys, command):
    code, _, err = run(capsys, "--db", str(db), *command)
    assert code == 2
    assert_inert(err)


def test_a_damaged_archive_at_a_path_with_escapes_is_named_visibly(tmp_path, capsys):
    db = tmp_path / f"d{IN_A_NAME}" / "reviews.json"
    db.parent.mkdir()
    db.write_bytes(b"garbage{")
    code, _, err = run(capsys, "--db", str(db), "list")
    assert code == 2
    assert_inert(err)


def test_an_output_file_or_a_timeline_file_with_escapes_is_named_visibly(tmp_path, db, capsys):
    source = tmp_path / "good.json"
    source.write_text(json.dumps(GOOD), encoding="utf-8")
    assert run(capsys, "--db", str(db), "import", str(source))[0] == 0
    code, _, err = run(capsys, "--db", str(db), "export", "pm-1", "-o", str(tmp_path / IN_A_NAME / "x.md"))
    assert code == 2
    assert_inert(err)
    code, _, err = run(capsys, "--db", str(db), "timeline-import", "pm-1", str(tmp_path / IN_A_NAME))
    assert code == 2
    assert_inert(err)
    nothing = tmp_path / f"n{IN_A_NAME}.txt"
    nothing.write_text("no times here\n", encoding="utf-8")
    code, _, err = run(capsys, "--db", str(db), "timeline-import", "pm-1", str(nothing))
    assert code == 2
    assert_inert(err)


@pytest.mark.parametrize("args", [["list", HOSTILE], ["list", "--since", HOSTILE], ["list", "--severity", HOSTILE],
                                  ["export", "pm-1", "--format", HOSTILE], [HOSTILE]])
def test_usage_errors_show_the_arguments_visibly(db, capsys, args):
    with pytest.raises(SystemExit) as exited:
        main(["--db", str(db), *args])
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert not CONTROL.search(err), repr(err)
    assert "\\x1b" in err


def test_escape_sequences_hand_edited_into_a_review_file_never_reach_the_terminal(tmp_path, db, capsys):
    from store.db import ReviewStore

    doc = json.loads(json.dumps(GOOD)) | {"ground_rules_confirmed": True}
    ReviewStore(db).create(doc)
    path = db.with_suffix("") / "pm-1.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    review = data["reviews"]["1"]
    review["title"] = f"Title {HOSTILE}"
    review["summary"] = f"Summary\r{HOSTILE}"
    review["five_whys"]["chains"][0]["whys"][-1] = f"root {HOSTILE}"
    review["actions"][0]["what"] = f"=cmd {HOSTILE}"
    path.write_text(json.dumps(data), encoding="utf-8")  # JSON escapes: \u001b, \u009b, \u202e
    outputs = []
    for command in (["list"], ["list", "--json"], ["check", "pm-1"], ["check", "pm-1", "--json"], ["stats"],
                    *(["export", "pm-1", "--format", form] for form in ("markdown", "client", "json", "csv"))):
        _, out, err = run(capsys, "--db", str(db), *command)
        outputs.append(out + err)
    for output in outputs:
        assert not CONTROL.search(output.replace("\n", "")), repr(output)
