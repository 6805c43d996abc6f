"""A hand-edited review file with values of the wrong type: a clear message naming review, field and item.

The tables are right but the values inside are not (``"actions": [1, 2]``,
``"title": 5``, ``"at": 5``): export, check and stats gave tracebacks, and
stats failed for every review.  Now that review is refused by name and every
other review stays usable.
"""

from __future__ import annotations

import json

import pytest

from store.db import ReviewStore
from test_cli import GOOD, run

WRONG = {
    "actions-numbers": ({"actions": [1, 2]}, "actions[0]: expected an object, got a number"),
    "event-time-number": ({"timeline": [{"at": 5, "text": "x"}]}, "timeline[0].at: expected a text, got a number"),
    "title-number": ({"title": 5}, "title: expected a text, got a number"),
    "why-number": ({"five_whys": {"problem": "p", "chains": [{"id": "i9", "whys": ["a", 7]}]}},
                   "five_whys.chains[0].whys[1]: expected a text, got a number"),
    "follow-up-text": ({"follow_up": "soon"}, "follow_up: expected an object, got a text"),
    "participants-object": ({"participants": {"a": 1}}, "participants: expected a list, got an object"),
    "next-item-text": ({"next_item": "abc"}, "next_item: 'abc' is not an item number"),
    "next-item-huge": ({"next_item": 2**64 + 1}, "is not an item number"),
}


@pytest.fixture
def db(tmp_path):
    return tmp_path / "data" / "reviews.json"


def two_reviews(db) -> None:
    store = ReviewStore(db)
    store.create(json.loads(json.dumps(GOOD)))
    store.create(json.loads(json.dumps(GOOD)) | {"title": "The second"})


def hand_edit(db, review_id: str, changes: dict | None = None, meta: dict | None = None) -> None:
    path = db.with_suffix("") / f"{review_id}.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    key = review_id.removeprefix("pm-")
    data["reviews"][key].update(changes or {})
    data["meta"]["1"].update(meta or {})
    path.write_text(json.dumps(data), encoding="utf-8")


@pytest.mark.parametrize("case", WRONG)
def test_export_and_check_name_the_review_field_and_item_and_the_others_stay_usable(db, capsys, case):
    changes, said = WRONG[case]
    two_reviews(db)
    hand_edit(db, "pm-2", changes)
    for command in (["export", "pm-2"], ["check", "pm-2"], ["export", "pm-2", "--format", "json"]):
        code, out, err = run(capsys, "--db", str(db), *command)
        assert code == 2 and out == "", command
        assert "review pm-2" in err and said in err and "Traceback" not in err
        assert len(err.strip().splitlines()) == 1
    code, out, _ = run(capsys, "--db", str(db), "export", "pm-1")
    assert code == 0 and GOOD["title"] in out
    code, out, err = run(capsys, "--db", str(db), "list")
    assert code == 0 and "pm-1" in out and "pm-2" in out and "damaged" in out


@pytest.mark.parametrize("case", WRONG)
def test_stats_leaves_the_wrong_review_out_and_says_so(db, capsys, case):
    two_reviews(db)
    hand_edit(db, "pm-2", WRONG[case][0])
    code, out, err = run(capsys, "--db", str(db), "stats", "--json")
    assert code == 0
    assert json.loads(out)["reviews"] == 1
    assert "pm-2 is left out" in err and WRONG[case][1] in err


def test_a_file_whose_meta_counter_is_not_a_number_is_named(db, capsys):
    two_reviews(db)
    hand_edit(db, "pm-2", meta={"next_review": "abc"})
    code, _, err = run(capsys, "--db", str(db), "check", "pm-2")
    assert code == 2 and "meta.next_review: 'abc' is not a review number" in err


@pytest.mark.parametrize("counter", ["abc", 2**64 + 5, 2**63, -3, True])
def test_import_after_the_archive_counter_was_mangled_gives_the_next_free_id(tmp_path, db, capsys, counter):
    two_reviews(db)
    archive = db.with_suffix("") / ".archive" / "archive.json"
    data = json.loads(archive.read_text())
    archive.write_text(json.dumps(data | {"next_review": counter}))
    source = tmp_path / "one.json"
    source.write_text(json.dumps(GOOD))
    code, out, err = run(capsys, "--db", str(db), "import", str(source))
    assert (code, out.strip(), err) == (0, "pm-3", "")
