"""The command as a user runs it: exit codes, one clear line on errors, nothing written on bad input."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tui.cli import main

GOOD = {
    "schema": 1,
    "kind": "incident",
    "title": "Checkout API returned HTTP 500s",
    "severity": "SEV2",
    "timezone": "Europe/Berlin",
    "review_date": "2026-11-21",
    "owner": "Lee",
    "facilitator": "Dana",
    "participants": ["Dana", "Lee", "Sam"],
    "timeline": [
        {"at": "2026-11-20 14:05", "text": "Deploy of v2.3 starts", "marker": "started"},
        {"at": "2026-11-20T14:09:00+01:00", "text": "Error-rate alert fires", "marker": "detected"},
        {"at": "2026-11-20 14:27", "text": "Errors stop after rollback", "marker": "resolved"},
    ],
    "impact": "About 1,200 customers could not pay for 22 minutes",
    "five_whys": {"problem": "Checkout returned HTTP 500", "chains": [{"whys": ["DB out of memory", "new job", "no load test rule"]}]},
    "went_well": ["The rollback took 2 minutes"],
    "could_improve": ["Sam had to find the runbook by hand"],
    "actions": [
        {"what": "Alert when DB memory stays above 80% for 5 minutes", "owner": "Sam", "due": "2026-12-15",
         "done_when": "the alert fires in the staging drill", "type": "detect", "addresses": "root cause of chain 1"},
    ],
    "questions": [{"text": "Will this recur?", "answer": "Not with the alert"}],
}


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def db(tmp_path) -> Path:
    return tmp_path / "data" / "reviews.json"


@pytest.fixture
def imported(tmp_path, db, capsys) -> str:
    source = tmp_path / "review.json"
    source.write_text(json.dumps(GOOD))
    code, out, _ = run(capsys, "--db", str(db), "import", str(source))
    assert code == 0
    return out.strip()


def test_import_prints_the_new_id_and_list_shows_it(db, imported, capsys):
    assert imported == "pm-1"
    code, out, _ = run(capsys, "--db", str(db), "list", "--json")
    rows = json.loads(out)
    assert code == 0
    assert rows[0]["id"] == "pm-1" and rows[0]["title"] == GOOD["title"] and rows[0]["open_actions"] == 1
    assert {"id", "title", "kind", "step", "updated", "open_actions"} <= set(rows[0])


def test_db_may_come_after_the_command_as_well_as_before_it(tmp_path, db, imported, capsys):
    code, out, _ = run(capsys, "list", "--json", "--db", str(db))
    assert code == 0 and [row["id"] for row in json.loads(out)] == ["pm-1"]
    other = tmp_path / "other"
    code, out, _ = run(capsys, "--db", str(other), "list", "--json", "--db", str(db))  # the later one counts
    assert code == 0 and [row["id"] for row in json.loads(out)] == ["pm-1"]
    code, out, _ = run(capsys, "--db", str(db), "list", "--json")  # without it after the command: the one before
    assert code == 0 and [row["id"] for row in json.loads(out)] == ["pm-1"]


def test_check_json_lists_problems_by_section_and_exits_0_without_errors(db, imported, capsys):
    code, out, _ = run(capsys, "--db", str(db), "check", imported, "--json")
    report = json.loads(out)
    assert code == 0 and report["ok"] is True
    assert list(report["sections"]) == ["setup", "timeline", "impact", "five_whys", "went_well", "could_improve", "actions", "summary", "follow_up"]
    problem = report["sections"]["five_whys"][0]
    assert set(problem) == {"level", "field", "message", "hint"} and problem["level"] == "advisory"


def test_check_exits_1_when_a_step_has_errors(tmp_path, db, capsys):
    source = tmp_path / "thin.json"
    source.write_text(json.dumps({"schema": 1, "title": "Thin", "kind": "incident"}))
    run(capsys, "--db", str(db), "import", str(source))
    code, out, _ = run(capsys, "--db", str(db), "check", "pm-1")
    assert code == 1
    assert "error" in out and "severity" in out


def test_export_markdown_holds_the_review_in_local_time(db, imported, capsys):
    code, out, _ = run(capsys, "--db", str(db), "export", imported)
    assert code == 0
    assert GOOD["title"] in out and "2026-11-20 14:05" in out and "Sam" in out


def test_export_client_replaces_names_unless_asked(db, imported, capsys):
    _, out, _ = run(capsys, "--db", str(db), "export", imported, "--format", "client")
    assert "Sam" not in out and "a team member had to find the runbook" in out.lower()
    assert "What questions or concerns do you have?" in out
    _, named, _ = run(capsys, "--db", str(db), "export", imported, "--format", "client", "--names")
    assert "Sam" in named


def test_export_csv_is_one_row_per_action_with_the_header(db, imported, capsys, tmp_path):
    target = tmp_path / "actions.csv"
    code, _, _ = run(capsys, "--db", str(db), "export", imported, "--format", "csv", "-o", str(target))
    rows = list(csv.DictReader(io.StringIO(target.read_text())))
    assert code == 0
    assert list(rows[0]) == ["review_id", "review_title", "what", "owner", "due", "done_when", "type", "status", "addresses",
                             "action_id", "note", "done_on"]
    assert rows[0]["owner"] == "Sam" and rows[0]["review_id"] == imported


def test_export_json_round_trips_through_import(db, imported, capsys, tmp_path):
    _, exported, _ = run(capsys, "--db", str(db), "export", imported, "--format", "json")
    first = json.loads(exported)
    assert first["durations"] == {"to_detect": 240, "to_mitigate": None, "to_resolve": 1320}
    again = tmp_path / "again.json"
    again.write_text(exported)
    _, new_id, _ = run(capsys, "--db", str(db), "import", str(again))
    _, second, _ = run(capsys, "--db", str(db), "export", new_id.strip(), "--format", "json")
    strip = lambda doc: {k: v for k, v in doc.items() if k not in ("id", "created", "updated")}  # noqa: E731
    assert strip(json.loads(second)) == strip(first)


def test_an_unknown_id_exits_2_and_names_it(db, imported, capsys):
    code, out, err = run(capsys, "--db", str(db), "export", "pm-99")
    assert code == 2 and out == ""
    assert "pm-99" in err and len(err.strip().splitlines()) == 1


def test_an_invalid_field_exits_2_names_the_field_and_writes_nothing(tmp_path, db, imported, capsys):
    reviews = db.with_suffix("")  # the archive's reviews directory
    before = {path.name: path.read_bytes() for path in reviews.iterdir() if path.is_file()}
    bad = dict(GOOD, actions=[dict(GOOD["actions"][0], type="someday")])
    source = tmp_path / "bad.json"
    source.write_text(json.dumps(bad))
    code, _, err = run(capsys, "--db", str(db), "import", str(source))
    assert code == 2
    assert "actions[0].type" in err and "bad.json" in err
    assert {path.name: path.read_bytes() for path in reviews.iterdir() if path.is_file()} == before


def test_a_file_that_is_not_json_exits_2_with_line_and_column(tmp_path, db, capsys):
    source = tmp_path / "broken.json"
    source.write_text('{"schema": 1,\n  "title": }')
    code, _, err = run(capsys, "--db", str(db), "import", str(source))
    assert code == 2 and "broken.json" in err and "line 2" in err
    assert not db.exists()


def test_import_from_standard_input(db, capsys, monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.StringIO(json.dumps(GOOD)))
    code, out, _ = run(capsys, "--db", str(db), "import", "-")
    assert code == 0 and out.strip() == "pm-1"


@pytest.mark.parametrize("command", [["list"], ["check", "pm-1"], ["export", "pm-1"], ["import", "-"], ["open", "pm-1"]])
def test_every_command_refuses_a_garbage_file_and_leaves_it_untouched(db, capsys, command, monkeypatch):
    db.parent.mkdir(parents=True)
    db.write_bytes(b"\x00\xffgarbage{")
    monkeypatch.setattr(sys, "stdin", io.StringIO(json.dumps(GOOD)))
    code, _, err = run(capsys, "--db", str(db), *command)
    assert code == 2
    assert str(db) in err and len(err.strip().splitlines()) == 1
    assert db.read_bytes() == b"\x00\xffgarbage{"


def test_restore_puts_the_last_good_backup_back(db, imported, capsys):
    (db.with_suffix("") / f"{imported}.json").write_text("garbage")
    _, out, _ = run(capsys, "--db", str(db), "list")
    assert imported in out and "damaged" in out  # listed, not hidden
    code, _, err = run(capsys, "--db", str(db), "export", imported)
    assert code == 2 and f"restore {imported}" in err
    code, _, _ = run(capsys, "--db", str(db), "restore", imported)
    assert code == 0
    _, out, _ = run(capsys, "--db", str(db), "list", "--json")
    assert json.loads(out)[0]["title"] == GOOD["title"]


def test_the_environment_variable_chooses_the_file(tmp_path, capsys, monkeypatch):
    target = tmp_path / "env.json"
    monkeypatch.setenv("POSTMORTEM_DB", str(target))
    monkeypatch.setattr(sys, "stdin", io.StringIO(json.dumps(GOOD)))
    assert main(["import", "-"]) == 0
    assert (tmp_path / "env" / "pm-1.json").exists()


def test_version_and_usage_errors_from_the_installed_command(tmp_path):
    env = dict(os.environ, POSTMORTEM_DB=str(tmp_path / "r.json"))
    version = subprocess.run([sys.executable, "-m", "tui.cli", "--version"], capture_output=True, text=True, env=env)
    assert version.returncode == 0 and version.stdout.startswith("postmortem ")
    bad = subprocess.run([sys.executable, "-m", "tui.cli", "export", "pm-1", "--format", "pdf"], capture_output=True, text=True, env=env)
    assert bad.returncode == 2 and "pdf" in bad.stderr


def test_the_store_and_the_non_interactive_commands_never_import_textual(tmp_path):
    code = (
        "import sys, pkgutil, importlib, store\n"
        "for module in pkgutil.iter_modules(store.__path__):\n"
        "    importlib.import_module('store.' + module.name)\n"
        "from tui.cli import main\n"
        "main(['--db', sys.argv[1], 'list'])\n"
        "assert not [name for name in sys.modules if name.split('.')[0] == 'textual'], 'textual was imported'\n"
    )
    result = subprocess.run([sys.executable, "-c", code, str(tmp_path / "r.json")], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
