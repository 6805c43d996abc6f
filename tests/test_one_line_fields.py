"""One-line fields hold one line, whatever the way in: an operation, an import, a paste, a hand-edited file.

A title such as ``Real one\\npm-99 ...`` must never show up as a second review
in ``postmortem list`` (and so in the cron mail of ``list --due``).
"""

from __future__ import annotations

import json

import pytest
from textual import events

from store import ops
from store.db import ReviewStore
from store.model import new_review
from test_cli import GOOD, run
from tui_helpers import SIZE, new_app, screen_text, start_review, stored

FORGED = "Real one\r\npm-99    incident  setup  2026-01-01 00:00  0  Forged\u2028x"
ONE_LINE = "Real one pm-99    incident  setup  2026-01-01 00:00  0  Forged x"


@pytest.mark.parametrize("field", ["title", "owner", "facilitator", "five_whys.problem", "timezone", "review_date",
                                   "follow_up.due"])
def test_a_one_line_review_field_set_with_line_breaks_holds_one_line(field):
    doc = new_review().to_dict()
    ops.apply(doc, ops.Set(field, FORGED))
    *parents, name = field.split(".")
    for parent in parents:
        doc = doc[parent]
    assert doc[name] == ONE_LINE


def test_participants_tags_and_an_actions_owner_and_due_hold_one_line_each():
    doc = new_review().to_dict()
    ops.apply(doc, ops.Set("participants", ["Dana\nLee", "Sam"]))
    ops.apply(doc, ops.Set("tags", ["db\r\nprod"]))
    item = ops.apply(doc, ops.Add("actions", {"what": "Alert\non memory", "owner": "Sam\nLee", "due": "2026-12-15\n"}))
    ops.apply(doc, ops.Edit("actions", item, {"due": "2026-12-16\r\nx"}))
    assert doc["participants"] == ["Dana Lee", "Sam"]
    assert doc["tags"] == ["db prod"]
    action = doc["actions"][0]
    assert (action["owner"], action["due"]) == ("Sam Lee", "2026-12-16 x")
    assert action["what"] == "Alert\non memory"  # free text keeps its lines


@pytest.fixture
def db(tmp_path):
    return tmp_path / "data" / "reviews.json"


def test_import_keeps_one_line_fields_on_one_line_and_list_prints_one_line_per_review(tmp_path, db, capsys):
    source = tmp_path / "forged.json"
    doc = json.loads(json.dumps(GOOD)) | {"title": FORGED, "owner": "Lee\nSam",
                                         "follow_up": {"due": "2020-01-01", "held": None, "notes": ""}}
    source.write_text(json.dumps(doc), encoding="utf-8")
    assert run(capsys, "--db", str(db), "import", str(source))[0] == 0
    review = ReviewStore(db).get("pm-1")
    assert (review.title, review.owner) == (ONE_LINE, "Lee Sam")
    _, out, _ = run(capsys, "--db", str(db), "list")
    assert len(out.splitlines()) == 2 and out.splitlines()[1].endswith(ONE_LINE)
    _, out, _ = run(capsys, "--db", str(db), "list", "--due")
    assert len(out.splitlines()) == 1 and out.startswith("pm-1 ")


def test_list_prints_one_line_even_for_a_hand_edited_title_with_line_breaks(tmp_path, db, capsys):
    review_id = ReviewStore(db).create(json.loads(json.dumps(GOOD)) | {"title": "x"}).id
    path = db.with_suffix("") / f"{review_id}.json"
    data = json.loads(path.read_text())
    data["reviews"]["1"]["title"] = "Real one\npm-99 forged"
    path.write_text(json.dumps(data))
    _, out, _ = run(capsys, "--db", str(db), "list")
    assert len(out.splitlines()) == 2 and out.splitlines()[1].endswith("Real one pm-99 forged")


async def test_a_paste_of_several_lines_into_the_title_arrives_whole_on_one_line(tmp_path):
    path = tmp_path / "r.json"
    async with new_app(path).run_test(size=SIZE) as pilot:
        await start_review(pilot)
        pilot.app.focused.post_message(events.Paste("Checkout\r\n500s\nfor 22\tminutes"))
        await pilot.pause()
        assert "Checkout 500s for 22 minutes" in screen_text(pilot)
        await pilot.press("ctrl+q")
    assert stored(path)["title"] == "Checkout 500s for 22 minutes"
