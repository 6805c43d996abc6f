"""Pasted timelines: each fixture is a shape people really paste (a Slack channel, logs,
notes that cross midnight, times with offsets, a draft full of junk).  For each:
the exact events (times with offsets), the proposed markers, the lines left out,
and the durations the review shows once they are added; then the command."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from store import ops
from store.db import ReviewStore
from store.timeline import durations
from store.timeline_paste import PastedEvent, UnreadLine, marker_for, parse_paste, phase_label
from tui.cli import main

FIXTURES = Path(__file__).parent / "fixtures" / "timelines"
TZ = "Europe/Berlin"
REVIEW_DATE = "2026-11-21"


def read(name: str, existing=()):
    return parse_paste((FIXTURES / name).read_text(encoding="utf-8"), TZ, REVIEW_DATE, existing)


def durations_after_adding(preview, tmp_path) -> dict:
    """Add the events to a fresh review as the command does, and compute its durations."""
    store = ReviewStore(tmp_path / "d.json")
    review = store.create({"title": "t", "timezone": TZ, "review_date": REVIEW_DATE})
    change = store.apply(review.id, *(ops.Add("timeline", item) for item in preview.items()))
    return durations(change.review)


def test_a_slack_channel_copy(tmp_path):
    preview = read("slack_export.txt")
    assert preview.events == (
        PastedEvent("2026-11-19T14:51:00+01:00", "Dana Lee: deploy of checkout v2.3 starts", "started", 3),
        PastedEvent("2026-11-19T14:58:00+01:00", "Priya N: error-rate alert fires for checkout-api, I'm paged", "detected", 5),
        PastedEvent("2026-11-19T14:58:00+01:00", "Priya N: looking at the dashboards now", None, 6),
        PastedEvent("2026-11-19T15:02:00+01:00", "Priya N: 5xx at 12% on checkout-api", None, 8),
        PastedEvent("2026-11-19T15:10:00+01:00", "Sam Okafor: rolled back to v2.2", "mitigated", 12),
        PastedEvent("2026-11-19T15:24:00+01:00", "Dana Lee: all clear, error rate back to baseline", "resolved", 14),
    )
    assert preview.unread == (UnreadLine(9, "1 reply"), UnreadLine(15, "Dana Lee  3:40 PM"))
    assert durations_after_adding(preview, tmp_path) == {"to_detect": 420, "to_mitigate": 1140, "to_resolve": 1980}


def test_application_and_syslog_lines(tmp_path):
    preview = read("app_logs.txt")
    assert preview.events == (
        PastedEvent("2026-11-20T14:05:02+01:00", "INFO deploy: rollout of checkout v2.3 started", "started", 1),
        PastedEvent("2026-11-20T14:09:41+01:00", "ERROR checkout-api: upstream connect error (503)", None, 2),
        PastedEvent(
            "2026-11-20T14:09:58+01:00",
            "mon01 alertmanager[2211]: alert fires: CheckoutErrorRate (severity=page)",
            "detected",
            5,
        ),
        PastedEvent("2026-11-20T14:21:30+01:00", "deploy01 deployctl[901]: rolled back checkout to v2.2", "mitigated", 6),
        PastedEvent("2026-11-20T13:27:05+00:00", "checkout-api: error rate back to baseline, resolved", "resolved", 7),
    )
    assert preview.unread == (
        UnreadLine(3, "Traceback (most recent call last):"),
        UnreadLine(4, 'File "/srv/checkout/db.py", line 88, in connect'),
    )
    assert durations_after_adding(preview, tmp_path) == {"to_detect": 296, "to_mitigate": 988, "to_resolve": 1323}


def test_dated_notes_that_cross_midnight(tmp_path):
    preview = read("screenplay_midnight.txt")
    assert preview.events == (
        PastedEvent("2015-10-21T23:40:00+02:00", "Nightly batch job starts on db-2", "started", 4),
        PastedEvent("2015-10-21T23:52:00+02:00", "Replication lag alert fires; Sam is paged", "detected", 5),
        PastedEvent("2015-10-21T23:58:00+02:00", "Lee notices checkout timeouts", None, 6),
        PastedEvent("2015-10-22T00:10:00+02:00", "Batch job paused: workaround, lag falling", "mitigated", 7),
        PastedEvent("2015-10-22T00:34:00+02:00", "Lag at zero, checkout fixed", "resolved", 8),
        PastedEvent("2015-10-22T09:00:00+02:00", "Postmortem scheduled", None, 10),
    )
    assert preview.unread == (UnreadLine(1, "Incident notes, written up by Lee"),)
    assert durations_after_adding(preview, tmp_path) == {"to_detect": 720, "to_mitigate": 1800, "to_resolve": 3240}


def test_times_with_offsets_keep_them_and_naive_times_are_the_reviews(tmp_path):
    preview = read("offsets.txt")
    assert preview.events == (
        PastedEvent("2026-11-20T13:05:00+00:00", "deploy of v2.3 begins", "started", 1),
        PastedEvent("2026-11-20T15:09:00+02:00", "error-rate alert fires (Helsinki on-call)", "detected", 2),
        PastedEvent("2026-11-20T13:20:00+00:00", "rollback mitigated the errors", "mitigated", 3),
        PastedEvent("2026-11-20T14:25:00+01:00", "EU support sees the last failed orders", None, 4),
        PastedEvent("2026-11-20T08:45:00-05:00", "status page says resolved", "resolved", 5),
        PastedEvent("2026-11-20T14:35:00-08:00", "customer emails stop (US support)", None, 6),
    )
    assert preview.unread == ()
    assert durations_after_adding(preview, tmp_path) == {"to_detect": 240, "to_mitigate": 900, "to_resolve": 2400}


def test_irc_and_teams_logs(tmp_path):
    preview = read("irc_teams.txt")
    assert preview.events == (
        PastedEvent("2026-11-21T14:05:00+01:00", "dana: deploy of v2.3 starts now", "started", 1),
        PastedEvent("2026-11-21T14:09:00+01:00", "sam: alert fires on checkout error rate", "detected", 2),
        PastedEvent("2026-11-21T14:15:00+01:00", "Lee Park: we have a workaround: traffic moved to eu-west", "mitigated", 4),
        PastedEvent("2026-11-21T14:15:00+01:00", "Lee Park: cache warming up", None, 5),
        PastedEvent("2026-11-21T14:30:00+01:00", "Dana Lee: errors gone, this is resolved", "resolved", 7),
    )
    assert preview.unread == ()
    assert durations_after_adding(preview, tmp_path) == {"to_detect": 240, "to_mitigate": 600, "to_resolve": 1500}


def test_junk_lines_are_listed_and_escape_sequences_removed(tmp_path):
    preview = read("junk.txt")
    assert preview.events == (
        PastedEvent("2026-11-21T14:05:00+01:00", "Deploy starts", "started", 4),
        PastedEvent("2026-11-21T14:09:00+01:00", "Alert fires [bold]loudly[/]", "detected", 7),
        PastedEvent("2026-11-21T14:27:00+01:00", "Errors stop", None, 13),
    )
    assert preview.unread == (
        UnreadLine(1, "# Timeline (draft)"),
        UnreadLine(3, "See https://status.example.com/incidents/123"),
        UnreadLine(5, "25:99 not a time"),
        UnreadLine(6, "TODO: ask Sam about the cache"),
        UnreadLine(9, "14:7 half a time"),
        UnreadLine(10, "140:05 too many digits"),
        UnreadLine(11, "[@click=app.quit] 14:20 markup first"),
        UnreadLine(12, "2026-02-30 14:20 no such day"),
        UnreadLine(14, "--"),
    )
    assert durations_after_adding(preview, tmp_path) == {"to_detect": 240, "to_mitigate": None, "to_resolve": None}


@pytest.mark.parametrize(
    ("line", "at", "text"),
    [
        ("14:51 text", "2026-11-21T14:51:00+01:00", "text"),
        ("14:51:07 text", "2026-11-21T14:51:07+01:00", "text"),
        ("[14:51] name: text", "2026-11-21T14:51:00+01:00", "name: text"),
        ("[2015-10-21 14:51:03] name: text", "2015-10-21T14:51:03+02:00", "name: text"),
        ("2015-10-21 14:51 UTC text", "2015-10-21T14:51:00+00:00", "text"),
        ("2015-10-21T14:51:00Z text", "2015-10-21T14:51:00+00:00", "text"),
        ("2015-10-21T14:51:00+02:00 text", "2015-10-21T14:51:00+02:00", "text"),
        ("2:51 PM text", "2026-11-21T14:51:00+01:00", "text"),
        ("12:05 am text", "2026-11-21T00:05:00+01:00", "text"),
        ("14:51 PST text", "2026-11-21T14:51:00-08:00", "text"),
        ("14:51 UTC+5:30 text", "2026-11-21T14:51:00+05:30", "text"),
        ("14:51 DNS fails", "2026-11-21T14:51:00+01:00", "DNS fails"),
        ("2026-11-20 14:51:07,123 ERROR service: msg", "2026-11-20T14:51:07+01:00", "ERROR service: msg"),
        ("Nov 20 14:51:07 host app[123]: msg", "2026-11-20T14:51:07+01:00", "host app[123]: msg"),
        ("21 Oct 2015 14:51 text", "2015-10-21T14:51:00+02:00", "text"),
        ("- 14:51 \u2014 text", "2026-11-21T14:51:00+01:00", "text"),
        ("3. 14:51 | text", "2026-11-21T14:51:00+01:00", "text"),
    ],
)
def test_each_time_shape_on_one_line(line, at, text):
    preview = parse_paste(line, TZ, REVIEW_DATE)
    assert [(event.at, event.text) for event in preview.events] == [(at, text)]


@pytest.mark.parametrize("date_line", ["2015-10-21", "Wednesday, October 21, 2015", "Oct 21 2015", "21 Oct 2015", "**Oct 21st, 2015**"])
def test_a_date_on_its_own_line_applies_to_the_lines_after_it(date_line):
    preview = parse_paste(f"09:00 before\n{date_line}\n14:51 after", TZ, REVIEW_DATE)
    assert [event.at for event in preview.events] == ["2026-11-21T09:00:00+01:00", "2015-10-21T14:51:00+02:00"]
    assert preview.unread == ()


def test_a_small_step_back_in_time_stays_on_the_same_day():
    preview = parse_paste("14:51:07 log line\n14:51 reply to an older message\n14:40 noted late", "UTC", REVIEW_DATE)
    assert [event.at[:10] for event in preview.events] == ["2026-11-21"] * 3


def test_bare_follow_on_times_in_a_chat_with_am_pm_stay_in_the_afternoon():
    preview = parse_paste("Dana  11:58 AM\nfirst\n12:03\nsecond\n1:10\nthird", "UTC", REVIEW_DATE)
    assert [event.at[11:16] for event in preview.events] == ["11:58", "12:03", "13:10"]


def test_each_marker_is_proposed_once_and_never_one_the_timeline_has():
    text = "14:00 deploy starts\n14:01 second deploy starts\n14:05 paged\n14:06 paged again"
    assert [e.marker for e in parse_paste(text, "UTC", REVIEW_DATE).events] == ["started", None, "detected", None]
    existing = {"started"}
    assert [e.marker for e in parse_paste(text, "UTC", REVIEW_DATE, existing).events] == [None, None, "detected", None]


@pytest.mark.parametrize(
    ("text", "marker"),
    [
        ("Outage begins", "started"),
        ("Error-rate alert fires", "detected"),
        ("On-call paged", "detected"),
        ("Rollback started", "mitigated"),
        ("Workaround in place", "mitigated"),
        ("All clear", "resolved"),
        ("Errors not resolved yet", None),
        ("no fix yet, nothing mitigated", None),
        ("resolved: DNS answers again", "resolved"),
        ("Sends the report", None),
    ],
)
def test_words_propose_a_marker(text, marker):
    assert marker_for(text) == marker


def test_blank_lines_are_skipped_silently_and_lines_count_from_one():
    preview = parse_paste("\n\n   \n14:00 a\n\r\nnot a time\n", "UTC", REVIEW_DATE)
    assert [event.line for event in preview.events] == [4]
    assert preview.unread == (UnreadLine(6, "not a time"),)


@settings(max_examples=300, deadline=None)
@given(
    text=st.text(max_size=200)
    | st.lists(st.sampled_from(["14:51", "[", "]", " PM", "2015-10-21", "\n", "Z", "+02:00", "Oct", " ", "x:", "\r", "\x1b["]))
    .map("".join),
    tz=st.text(max_size=15) | st.sampled_from(["UTC", "Europe/Berlin", "Pacific/Kiritimati"]),
    day=st.text(max_size=12) | st.sampled_from(["9999-12-31", "0001-01-01", REVIEW_DATE]),
)
def test_any_text_is_read_without_raising(text, tz, day):
    preview = parse_paste(text, tz, day, {"resolved"})
    assert all(event.marker != "resolved" for event in preview.events)
    assert all("\x1b" not in event.text and "\n" not in event.text for event in preview.events)


# The command -------------------------------------------------------------------


@pytest.fixture
def db(tmp_path) -> Path:
    path = tmp_path / "reviews.json"
    ReviewStore(path).create({"title": "t", "timezone": TZ, "review_date": REVIEW_DATE})
    return path


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def review_file(db: Path, review_id: str = "pm-1") -> Path:
    """The file that holds one review of the archive ``db`` names."""
    return db.with_suffix("") / f"{review_id}.json"


def stored_timeline(db: Path) -> list[dict]:
    return [
        {"at": event.at, "text": event.text, "marker": event.marker}
        for event in ReviewStore(db).get("pm-1").timeline
    ]


def test_the_command_shows_the_preview_then_adds_every_event(db, capsys):
    code, out, err = run(capsys, "--db", str(db), "timeline-import", "pm-1", str(FIXTURES / "screenplay_midnight.txt"))
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[0] == f"6 events read from {FIXTURES / 'screenplay_midnight.txt'} (times in {TZ}):"
    assert lines[1].split() == ["line", "4", "2015-10-21", "23:40", "[started]", "Nightly", "batch", "job", "starts", "on", "db-2"]
    assert lines[4].split()[:5] == ["line", "7", "2015-10-22", "00:10", "[mitigated]"]
    assert lines[7].startswith("1 line not read")
    assert lines[8].split() == ["line", "1", "Incident", "notes,", "written", "up", "by", "Lee"]
    assert lines[-1] == "Added 6 events to pm-1."
    assert stored_timeline(db)[3] == {"at": "2015-10-22T00:10:00+02:00", "text": "Batch job paused: workaround, lag falling", "marker": "mitigated"}
    assert [event["marker"] for event in stored_timeline(db)] == ["started", "detected", None, "mitigated", "resolved", None]
    assert durations(ReviewStore(db).get("pm-1")) == {"to_detect": 720, "to_mitigate": 1800, "to_resolve": 3240}


def test_a_dry_run_adds_nothing(db, capsys):
    before = review_file(db).read_bytes()
    code, out, _ = run(capsys, "--db", str(db), "timeline-import", "pm-1", str(FIXTURES / "slack_export.txt"), "--dry-run")
    assert code == 0
    assert "[detected]" in out and "line 9    1 reply" in out
    assert out.splitlines()[-1] == "Dry run: nothing added to pm-1."
    assert review_file(db).read_bytes() == before


def test_markers_the_timeline_has_are_not_proposed_again(db, capsys):
    ReviewStore(db).apply("pm-1", ops.Add("timeline", {"at": "2026-11-20T14:00:00+01:00", "text": "x", "marker": "started"}))
    run(capsys, "--db", str(db), "timeline-import", "pm-1", str(FIXTURES / "app_logs.txt"))
    assert [event["marker"] for event in stored_timeline(db)] == ["started", None, None, "detected", "mitigated", "resolved"]


def test_standard_input(db, capsys, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO("14:05 deploy starts\n14:09 paged\n"))
    code, out, _ = run(capsys, "--db", str(db), "timeline-import", "pm-1", "-")
    assert code == 0
    assert out.splitlines()[0] == f"2 events read from standard input (times in {TZ}):"
    assert [event["text"] for event in stored_timeline(db)] == ["deploy starts", "paged"]


def test_a_file_with_no_time_exits_2_naming_it_and_adds_nothing(db, capsys, tmp_path):
    notes = tmp_path / "notes.txt"
    notes.write_text("we talked about the cache\nand the deploy\n")
    before = review_file(db).read_bytes()
    code, out, err = run(capsys, "--db", str(db), "timeline-import", "pm-1", str(notes))
    assert (code, out) == (2, "")
    assert err == f"postmortem: {notes}: no line starts with a time, so no event was read; nothing added\n"
    assert review_file(db).read_bytes() == before


def test_an_unknown_id_or_unreadable_file_exits_2_with_one_line(db, capsys, tmp_path):
    code, _, err = run(capsys, "--db", str(db), "timeline-import", "pm-7", str(FIXTURES / "junk.txt"))
    assert code == 2 and "pm-7" in err and err.count("\n") == 1
    code, _, err = run(capsys, "--db", str(db), "timeline-import", "pm-1", str(tmp_path / "missing.txt"))
    assert code == 2 and "missing.txt" in err and err.count("\n") == 1


def test_a_published_write_up_whose_heading_gives_the_date_and_the_zone(tmp_path):
    preview = read("published_writeup.txt")
    assert preview.notes == (
        "line 1: the date 2019-07-02 applies to the times after it",
        "line 1: times without a zone are read in UTC",
    )
    assert [(e.at, e.marker, e.line) for e in preview.events] == [
        ("2019-07-02T13:42:00+00:00", "started", 3),
        ("2019-07-02T13:43:00+00:00", "detected", 4),
        ("2019-07-02T13:44:00+00:00", None, 5),
        ("2019-07-02T14:02:00+00:00", None, 6),
        ("2019-07-02T14:07:00+00:00", "mitigated", 7),
        ("2019-07-02T14:09:00+00:00", None, 8),
        ("2019-07-02T14:52:00+00:00", "resolved", 9),
    ]
    assert preview.events[0].text == "A change to the proxy's request rules was deployed worldwide."
    assert preview.unread == (UnreadLine(1, "Timeline of the edge proxy outage, July 2, 2019 (all times UTC)"),)
    assert durations_after_adding(preview, tmp_path) == {"to_detect": 60, "to_mitigate": 1500, "to_resolve": 4200}


def test_a_status_page_with_a_date_line_twelve_hour_times_and_the_last_all_clear_as_resolved(tmp_path):
    preview = read("status_page.txt")
    assert [(e.at, e.marker) for e in preview.events] == [
        ("2017-02-28T09:37:00-08:00", "started"),
        ("2017-02-28T09:38:00-08:00", "detected"),
        ("2017-02-28T11:30:00-08:00", "mitigated"),
        ("2017-02-28T12:26:00-08:00", None),
        ("2017-02-28T13:18:00-08:00", None),
        ("2017-02-28T13:54:00-08:00", "resolved"),
    ]
    assert preview.notes == ("line 3: no line says when it started, so the first event is proposed",)
    assert preview.unread == (UnreadLine(1, "Summary of the storage service disruption"),)
    assert durations_after_adding(preview, tmp_path) == {"to_detect": 60, "to_mitigate": 6780, "to_resolve": 15420}


def test_a_marker_that_would_come_before_one_already_proposed_is_not_proposed():
    preview = parse_paste("16:00 Support notices slow pages\n18:00 replication lag begins\n", TZ, REVIEW_DATE)
    assert [e.marker for e in preview.events] == ["detected", None]


def test_a_markdown_table_with_the_zone_in_its_header(tmp_path):
    preview = parse_paste((FIXTURES / "markdown_table.txt").read_text(encoding="utf-8"), TZ, "2026-07-14")
    assert [(e.at, e.marker, e.text) for e in preview.events] == [
        ("2026-07-14T14:51:00-07:00", "started", "Config push to the edge fleet begins"),
        ("2026-07-14T14:58:00-07:00", "detected", "**Pager alert** fires for elevated 5xx"),
        ("2026-07-14T15:10:00-07:00", "mitigated", "Config push rolled back"),
        ("2026-07-14T15:24:00-07:00", "resolved", "Error rates back to baseline; incident resolved"),
    ]
    assert preview.unread == (UnreadLine(1, "## Timeline"), UnreadLine(3, "| Time (PT) | Event |"))
    assert preview.notes == ("line 3: times without a zone are read in PT",)
    assert durations_after_adding(preview, tmp_path) == {"to_detect": 420, "to_mitigate": 1140, "to_resolve": 1980}


@pytest.mark.parametrize(
    ("line", "at", "text"),
    [
        ("**14:51 UTC** — Deploy of v2.3 starts", "2026-11-21T14:51:00+00:00", "Deploy of v2.3 starts"),
        ("At 14:51 UTC, a deploy of v2.3 started.", "2026-11-21T14:51:00+00:00", "a deploy of v2.3 started."),
        ("October 21, 2015 at 2:51 PM PDT: Deploy starts", "2015-10-21T14:51:00-07:00", "Deploy starts"),
        ("2:51 PM ET: Deploy starts", "2026-11-21T14:51:00-05:00", "Deploy starts"),  # winter: EST
        ("2026-07-01 2:51 PM ET: Deploy starts", "2026-07-01T14:51:00-04:00", "Deploy starts"),  # summer: EDT
        ("14:51 - 15:10 Checkout degraded", "2026-11-21T14:51:00+01:00", "Checkout degraded (until 15:10)"),
        ("2024-03-05 14:51:07 +0000 deploy started", "2024-03-05T14:51:07+00:00", "deploy started"),
        ("| 2015-10-21 | 14:51 | Deploy starts | Dana |", "2015-10-21T14:51:00+02:00", "Deploy starts | Dana"),
        ("14:51 SRE: paged the database team", "2026-11-21T14:51:00+01:00", "SRE: paged the database team"),
    ],
)
def test_times_wrapped_in_prose_markdown_and_ranges(line, at, text):
    events = parse_paste(line, TZ, REVIEW_DATE).events
    assert [(event.at, event.text) for event in events] == [(at, text)]


def test_a_stamp_on_its_own_line_takes_the_line_below_as_its_text():
    text = "2018 October 21 22:52 UTC\nMaintenance cut connectivity between two sites.\n2018 October 21 22:54 UTC\nMonitoring began alerting us.\n"
    preview = parse_paste(text, TZ, REVIEW_DATE)
    assert [(e.at, e.marker, e.text) for e in preview.events] == [
        ("2018-10-21T22:52:00+00:00", "started", "Maintenance cut connectivity between two sites."),
        ("2018-10-21T22:54:00+00:00", "detected", "Monitoring began alerting us."),
    ]


@pytest.mark.parametrize(
    ("name", "lines", "year"),
    [("status_page_posted.txt", [15, 11, 7, 3], "2015"), ("status_page_newer.txt", [8, 6, 4, 2], "2026")],
)
def test_status_page_updates_newest_first_become_events_oldest_first(name, lines, year):
    preview = read(name)
    assert [e.line for e in preview.events] == lines
    assert [e.at for e in preview.events] == [
        f"{year}-10-21T14:51:00+00:00", f"{year}-10-21T14:58:00+00:00",
        f"{year}-10-21T15:10:00+00:00", f"{year}-10-21T15:24:00+00:00",
    ]
    assert [e.marker for e in preview.events] == ["detected", None, "mitigated", "resolved"]
    assert preview.events[0].text == "Investigating: We are investigating elevated error rates on checkout."
    assert preview.events[3].text == "Resolved: This incident has been resolved."
    assert preview.unread == ()


# Phase labels in published write-ups (issue 13, item 9) ---------------------------------


def test_a_write_up_with_bold_phase_labels_takes_its_markers_from_the_labels(tmp_path):
    preview = parse_paste((FIXTURES / "sre_book_labels.md").read_text(encoding="utf-8"), "UTC", "2026-03-20")
    marked = {event.marker: (event.at[11:16], event.text[:24]) for event in preview.events if event.marker}
    assert marked == {
        "started": ("14:54", "**OUTAGE BEGINS** Search"),  # not the news line before it
        "detected": ("14:55", "Pager storm: backends-do"),  # how it was noticed, before the incident was declared
        "mitigated": ("15:31", "**OUTAGE MITIGATED** Loa"),
        "resolved": ("16:02", "**OUTAGE ENDS** All traf"),  # user impact over, not INCIDENT ENDS
    }
    spans = durations_after_adding_in(preview, tmp_path, "UTC")
    assert spans == {"to_detect": 60, "to_mitigate": 37 * 60, "to_resolve": 68 * 60}


def test_capital_labels_without_bold_and_hearsay_from_the_press(tmp_path):
    preview = parse_paste((FIXTURES / "caps_labels_log.txt").read_text(encoding="utf-8"), "UTC", "2026-05-10")
    assert [(event.at[11:16], event.marker) for event in preview.events] == [
        ("09:58", None), ("10:02", "started"), ("10:04", "detected"), ("10:20", None),
        ("10:41", "mitigated"), ("11:15", "resolved"), ("12:00", None),
    ]


def test_a_declared_incident_is_detection_when_no_line_says_how_it_was_noticed():
    text = "10:00 OUTAGE BEGINS queue stalls\n10:30 INCIDENT BEGINS declared by on-call\n11:00 OUTAGE ENDS queue drains"
    assert [event.marker for event in parse_paste(text, "UTC", REVIEW_DATE).events] == ["started", "detected", "resolved"]


@pytest.mark.parametrize("text", ["News reports say checkout is down", "twitter reports said logins fail",
                                  "Reports suggest a regional problem"])
def test_hearsay_is_not_detection(text):
    assert marker_for(text) is None


@pytest.mark.parametrize("text", ["Customer reports errors at checkout", "Support reported failed logins"])
def test_a_report_to_us_is_still_detection(text):
    assert marker_for(text) == "detected"


def durations_after_adding_in(preview, tmp_path, tz: str) -> dict:
    store = ReviewStore(tmp_path / "d.json")
    review = store.create({"title": "t", "timezone": tz, "review_date": "2026-03-20"})
    change = store.apply(review.id, *(ops.Add("timeline", item) for item in preview.items()))
    return durations(change.review)


# Phase labels in any case (issue 13b, item 5) ---------------------------------------------


def test_phase_labels_in_any_case_when_emphasised_and_hearsay_and_prose_are_not_labels(tmp_path):
    preview = parse_paste((FIXTURES / "mixed_case_labels.md").read_text(encoding="utf-8"), "UTC", "2026-04-10")
    assert [(event.at[11:16], event.marker) for event in preview.events] == [
        ("08:10", None),  # a blog post, not how we noticed
        ("08:12", "started"),
        ("08:14", "detected"),  # the page, before the incident was declared
        ("08:20", None),
        ("08:41", "mitigated"),
        ("08:55", None),  # "the outage ended" in a sentence is no label
        ("09:05", "resolved"),  # user impact over
        ("10:30", None),  # the incident closed: not its resolution
    ]
    assert durations_after_adding_in(preview, tmp_path, "UTC") == {
        "to_detect": 120, "to_mitigate": 29 * 60, "to_resolve": 53 * 60}


def test_labels_heading_a_line_with_a_dash_or_colon_set_the_markers():
    preview = parse_paste((FIXTURES / "leading_labels.txt").read_text(encoding="utf-8"), "UTC", "2026-06-20")
    assert [(event.at[11:16], event.marker) for event in preview.events] == [
        ("13:02", None), ("13:04", "started"), ("13:06", "detected"), ("13:19", "mitigated"),
        ("13:37", "resolved"), ("14:10", None),
    ]


@pytest.mark.parametrize(("text", "phase"), [
    ("**OUTAGE BEGINS** Search backends fail", "started"),
    ("**Outage Begins** Search backends fail", "started"),
    ("`outage mitigated` load shedding", "mitigated"),
    ("OUTAGE ENDS", "resolved"),
    ("End of outage: traffic normal", "resolved"),
    ("Customer impact starts - checkout fails", "started"),
    ("INCIDENT BEGINS", "declared"),
    ("**Incident ends** exit criterion met", "closed"),
    ("the outage began when the push reached every host", None),
    ("We thought the incident ended, but it had not", None),
])
def test_a_phase_label_is_read_in_any_case_only_where_it_stands_as_a_label(text, phase):
    assert phase_label(text) == phase
