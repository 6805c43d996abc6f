"""``postmortem import FILE...``: several files, lists and JSON lines; all checked before any is written."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import pytest

from tests.test_cli import GOOD, run


@pytest.fixture
def db(tmp_path) -> Path:
    return tmp_path / "reviews.json"


def review(title: str, **changes) -> dict:
    return dict(GOOD, title=title, **changes)


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def jsonl(*docs: dict) -> str:
    return "".join(json.dumps(doc) + "\n" for doc in docs)


def titles(capsys, db: Path) -> list[str]:
    """The stored titles, oldest first, read back through `list --json`."""
    code, out, _ = run(capsys, "--db", str(db), "list", "--json")
    assert code == 0
    return [row["title"] for row in sorted(json.loads(out), key=lambda row: int(row["id"].removeprefix("pm-")))]


def exported(capsys, db: Path, review_id: str) -> dict:
    code, out, _ = run(capsys, "--db", str(db), "export", review_id, "--format", "json")
    assert code == 0
    return json.loads(out)


def assert_nothing_written(capsys, db: Path) -> None:
    assert titles(capsys, db) == []


def test_several_files_of_every_shape_print_one_id_per_review_in_input_order(tmp_path, db, capsys):
    single = write(tmp_path, "one.json", json.dumps(review("A")))
    array = write(tmp_path, "archive.json", json.dumps([review("B"), review("C")], indent=2))
    lines = write(tmp_path, "reviews.jsonl", jsonl(review("D"), review("E")))
    code, out, err = run(capsys, "--db", str(db), "import", str(single), str(array), str(lines))
    assert (code, err) == (0, "")
    assert out.splitlines() == ["pm-1", "pm-2", "pm-3", "pm-4", "pm-5"]
    assert [exported(capsys, db, f"pm-{n}")["title"] for n in range(1, 6)] == ["A", "B", "C", "D", "E"]
    assert titles(capsys, db) == ["A", "B", "C", "D", "E"]


def test_an_array_imports_every_review_with_its_content(tmp_path, db, capsys):
    source = write(tmp_path, "archive.json", json.dumps([review("First"), review("Second", severity="SEV1")]))
    code, out, _ = run(capsys, "--db", str(db), "import", str(source))
    assert code == 0 and out.split() == ["pm-1", "pm-2"]
    second = exported(capsys, db, "pm-2")
    assert second["title"] == "Second" and second["severity"] == "SEV1"
    assert second["actions"][0]["owner"] == "Sam" and second["timeline"][0]["text"] == "Deploy of v2.3 starts"


def test_json_lines_skip_blank_lines_and_keep_order(tmp_path, db, capsys):
    text = "\n" + json.dumps(review("L1")) + "\n\n   \r\n" + json.dumps(review("L2")) + "\r\n" + json.dumps(review("L3"))
    source = write(tmp_path, "reviews.jsonl", text)
    code, out, _ = run(capsys, "--db", str(db), "import", str(source))
    assert code == 0 and out.split() == ["pm-1", "pm-2", "pm-3"]
    assert titles(capsys, db) == ["L1", "L2", "L3"]


def test_json_lines_with_a_line_separator_inside_a_text_is_not_split(tmp_path, db, capsys):
    source = write(tmp_path, "reviews.jsonl", jsonl(review("a\u2028b"), review("C")).replace("\\u2028", "\u2028"))
    code, out, _ = run(capsys, "--db", str(db), "import", str(source))
    assert code == 0 and len(out.split()) == 2


def test_standard_input_among_files(tmp_path, db, capsys, monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.StringIO(jsonl(review("S1"), review("S2"))))
    before = write(tmp_path, "before.json", json.dumps(review("F1")))
    after = write(tmp_path, "after.json", json.dumps([review("F2")]))
    code, out, _ = run(capsys, "--db", str(db), "import", str(before), "-", str(after))
    assert code == 0 and out.split() == ["pm-1", "pm-2", "pm-3", "pm-4"]
    assert titles(capsys, db) == ["F1", "S1", "S2", "F2"]


def test_standard_input_twice_is_refused(db, capsys, monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.StringIO(json.dumps(GOOD)))
    code, out, err = run(capsys, "--db", str(db), "import", "-", "-")
    assert code == 2 and out == "" and "standard input" in err and len(err.strip().splitlines()) == 1
    assert not db.exists()


def test_a_bad_review_in_the_middle_of_an_array_writes_nothing_and_names_file_and_position(tmp_path, db, capsys):
    good = write(tmp_path, "good.json", json.dumps(review("Good")))
    bad = dict(GOOD, actions=[dict(GOOD["actions"][0], type="someday")])
    archive = write(tmp_path, "archive.json", json.dumps([review("1"), bad, review("3"), review("4"), review("5")]))
    code, out, err = run(capsys, "--db", str(db), "import", str(good), str(archive))
    assert code == 2 and out == ""
    assert len(err.strip().splitlines()) == 1
    assert err.startswith(f"postmortem: {archive}: review 2 of 5: actions[0].type: ")
    assert_nothing_written(capsys, db)


def test_a_bad_review_in_json_lines_names_the_line_and_keeps_the_existing_wording(tmp_path, db, capsys):
    lines = write(tmp_path, "reviews.jsonl", "\n".join([json.dumps(review("1")), "", json.dumps(dict(GOOD, timezone="Mars/Base"))]))
    code, out, err = run(capsys, "--db", str(db), "import", str(lines))
    assert code == 2 and out == ""
    assert err == f"postmortem: {lines}: line 3: timezone: 'Mars/Base' is not a known IANA timezone (for example UTC, Europe/Berlin) (in {lines})\n"
    assert_nothing_written(capsys, db)


def test_a_line_that_is_not_json_names_the_line(tmp_path, db, capsys):
    first = write(tmp_path, "first.json", json.dumps(review("First")))
    lines = write(tmp_path, "reviews.jsonl", jsonl(review("1"), review("2")) + '{"schema": 1, "title": }\n' + jsonl(review("4")))
    code, out, err = run(capsys, "--db", str(db), "import", str(first), str(lines))
    assert code == 2 and out == ""
    assert err == f"postmortem: {lines}: line 3: not valid JSON (column 24: Expecting value)\n"
    assert_nothing_written(capsys, db)


def test_a_bad_file_after_good_ones_writes_nothing(tmp_path, db, capsys):
    good = write(tmp_path, "good.jsonl", jsonl(review("1"), review("2")))
    missing = tmp_path / "missing.json"
    code, out, err = run(capsys, "--db", str(db), "import", str(good), str(missing))
    assert code == 2 and out == "" and str(missing) in err and len(err.strip().splitlines()) == 1
    assert not db.exists()


def test_a_review_that_is_not_an_object_is_named_by_position(tmp_path, db, capsys):
    archive = write(tmp_path, "archive.json", json.dumps([review("1"), "just text"]))
    code, _, err = run(capsys, "--db", str(db), "import", str(archive))
    assert code == 2
    assert f"{archive}: review 2 of 2: (document): expected a JSON object (one review), got a text" in err
    assert not db.exists()


@pytest.mark.parametrize("text", ["[]", " [ ]\n", "", "\n\n  \n", "\r\n"])
def test_a_file_without_reviews_is_refused_by_name(tmp_path, db, capsys, text):
    good = write(tmp_path, "good.json", json.dumps(review("Good")))
    empty = write(tmp_path, "empty.json", text)
    code, out, err = run(capsys, "--db", str(db), "import", str(good), str(empty))
    assert code == 2 and out == ""
    assert err.startswith(f"postmortem: {empty}: holds no reviews") and len(err.strip().splitlines()) == 1
    assert not db.exists()


def test_one_object_keeps_the_single_review_messages(tmp_path, db, capsys):
    broken = write(tmp_path, "broken.json", '{"schema": 1,\n  "title": }')
    code, _, err = run(capsys, "--db", str(db), "import", str(broken))
    assert code == 2
    assert err == f"postmortem: {broken}: not valid JSON (line 2, column 12: Expecting value)\n"
    bad = write(tmp_path, "bad.json", json.dumps(dict(GOOD, timezone="Mars/Base")))
    code, _, err = run(capsys, "--db", str(db), "import", str(bad))
    assert code == 2
    assert err == f"postmortem: {bad}: timezone: 'Mars/Base' is not a known IANA timezone (for example UTC, Europe/Berlin) (in {bad})\n"
    assert not db.exists()


def test_more_imports_continue_the_ids(tmp_path, db, capsys):
    assert run(capsys, "--db", str(db), "import", str(write(tmp_path, "a.json", json.dumps(review("A")))))[1] == "pm-1\n"
    code, out, _ = run(capsys, "--db", str(db), "import", str(write(tmp_path, "b.jsonl", jsonl(review("B"), review("C")))))
    assert code == 0 and out == "pm-2\npm-3\n"


def test_a_thousand_reviews_import_in_order(tmp_path, db, capsys):
    source = write(tmp_path, "many.jsonl", jsonl(*(review(f"Review {n}") for n in range(1000))))
    code, out, _ = run(capsys, "--db", str(db), "import", str(source))
    ids = out.split()
    assert code == 0 and len(ids) == 1000 and ids[0] == "pm-1" and ids[-1] == "pm-1000"
    _, listed, _ = run(capsys, "--db", str(db), "list", "--json")
    assert {row["title"] for row in json.loads(listed)} == {f"Review {n}" for n in range(1000)}
