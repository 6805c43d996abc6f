"""`postmortem list --due` and list's filter flags, as a user (or cron) runs them."""

from __future__ import annotations

import json
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from store.db import ReviewStore  # noqa: E402
from tui.cli import main  # noqa: E402


def days(offset: int) -> str:
    """A date ``offset`` days from the real today (the command uses the real day)."""
    return (date.today() + timedelta(days=offset)).isoformat()


def action(due: str, status: str = "open") -> dict:
    return {"what": "Alert on pool size", "owner": "Sam", "due": due, "status": status}


@pytest.fixture
def db(tmp_path) -> Path:
    path = tmp_path / "reviews.json"
    store = ReviewStore(path)
    store.create({"title": "Checkout 500s", "severity": "SEV1", "tags": ["db"], "review_date": "2026-01-10",
                  "timeline": [{"at": "2026-01-09T10:00:00+00:00", "text": "Pager woke the on-call"}],
                  "actions": [action(days(-3)), action(days(-1)), action(days(-9), "done")],
                  "follow_up": {"due": days(-5), "held": None, "notes": ""}})
    store.create({"kind": "project", "title": "Q3 migration", "review_date": "2026-03-01",
                  "actions": [action(days(20), "done")], "follow_up": {"due": days(0), "held": None, "notes": ""}})
    store.create({"title": "Login errors", "severity": "SEV3", "review_date": "2026-06-01",
                  "actions": [action(days(5), "slipped"), action("next week")],
                  "follow_up": {"due": days(-40), "held": days(-38), "notes": ""}})
    return path


def run(capsys, db: Path, *args: str) -> tuple[int, str, str]:
    code = main(["--db", str(db), "list", *args])
    out, err = capsys.readouterr()
    return code, out, err


def listed_ids(out: str) -> list[str]:
    return [row["id"] for row in json.loads(out)]


def test_list_due_prints_each_due_review_with_why(db, capsys):
    code, out, err = run(capsys, db, "--due")
    assert code == 0 and err == ""
    assert out.splitlines() == [
        "pm-2     Q3 migration: follow-up due today",
        f"pm-1     Checkout 500s: follow-up overdue since {days(-5)}, 2 actions overdue",
    ]


def test_list_due_with_nothing_due_says_so_in_one_line_and_exits_0(db, capsys):
    code, out, _ = run(capsys, db, "--due", "--kind", "incident", "--severity", "3")
    assert (code, out) == (0, "Nothing due.\n")


def test_list_due_json_gives_the_reasons(db, capsys):
    code, out, _ = run(capsys, db, "--due", "--json")
    rows = json.loads(out)
    assert code == 0 and [row["id"] for row in rows] == ["pm-2", "pm-1"]
    assert rows[1]["due"] == [f"follow-up overdue since {days(-5)}", "2 actions overdue"]
    assert rows[1]["tags"] == ["db"] and rows[1]["severity"] == "SEV1"


@pytest.mark.parametrize(
    ("flags", "expected"),
    [
        ((), ["pm-3", "pm-2", "pm-1"]),
        (("--search", "PAGER on-call"), ["pm-1"]),  # words only in a timeline event
        (("--search", "pager migration"), []),
        (("--kind", "project"), ["pm-2"]),
        (("--severity", "sev1"), ["pm-1"]),
        (("--tag", "DB"), ["pm-1"]),
        (("--since", "2026-02-01"), ["pm-3", "pm-2"]),
        (("--since", "2026-02-01", "--until", "2026-03-31"), ["pm-2"]),
        (("--status", "open"), ["pm-3", "pm-1"]),
        (("--status", "done"), ["pm-2"]),
        (("--status", "due"), ["pm-2", "pm-1"]),
    ],
)
def test_list_filters(db, capsys, flags, expected):
    code, out, _ = run(capsys, db, "--json", *flags)
    assert code == 0 and listed_ids(out) == expected


def test_list_filters_in_text_and_nothing_matching(db, capsys):
    code, out, _ = run(capsys, db, "--kind", "project")
    assert code == 0 and "pm-2" in out and "pm-1" not in out
    code, out, _ = run(capsys, db, "--search", "nowhere")
    assert (code, out) == (0, "No review matches.\n")


@pytest.mark.parametrize(
    ("flags", "named"),
    [
        (("--kind", "meeting"), "--kind"),
        (("--severity", "SEV9"), "--severity"),
        (("--since", "2026-13-01"), "--since"),
        (("--until", "tomorrow"), "--until"),
        (("--status", "late"), "--status"),
        (("--tag", " "), "--tag"),
        (("--since", "2026-05-01", "--until", "2026-04-01"), "--since"),
    ],
)
def test_a_bad_filter_exits_2_naming_the_flag(db, capsys, flags, named):
    with pytest.raises(SystemExit) as stopped:
        code = main(["--db", str(db), "list", *flags])
        raise SystemExit(code)
    _, err = capsys.readouterr()
    assert stopped.value.code == 2
    assert named in err.splitlines()[-1] and "Traceback" not in err
