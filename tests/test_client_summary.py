"""The client summary read as a client reads it (issue 13, item 5): plain durations, one acknowledgement, warnings."""

from __future__ import annotations

import copy

import pytest
from tui_helpers import seed

from store.model import Review
from store.render import plain_duration, render_client
from tests.test_checks import GOOD_INCIDENT
from tui.cli import main


@pytest.mark.parametrize(("seconds", "said"), [
    (45, "45 seconds"), (60, "1 minute"), (22 * 60, "22 minutes"), (3900, "1 hour and 5 minutes"),
    (18 * 3600, "18 hours"), (25 * 3600, "1 day and 1 hour"), (2 * 86400, "2 days"),
])
def test_durations_read_as_a_person_says_them(seconds, said):
    assert plain_duration(seconds) == said


def test_a_long_mitigation_reads_naturally_not_as_a_clock():
    data = copy.deepcopy(GOOD_INCIDENT)
    data["timeline"][2]["at"] = "2026-11-21T08:05:00+00:00"  # mitigated 18 hours after it began
    data["timeline"][3]["at"] = "2026-11-21T09:05:00+00:00"
    text = render_client(Review.from_dict(data))
    assert ("It began at 14:05 on 20 November 2026 (UTC). We detected it 4 minutes later and limited its effect "
            "within 18 hours; it was over after 19 hours.") in text
    assert "18h 00m" not in text


def test_without_a_started_marker_no_duration_is_claimed():
    data = copy.deepcopy(GOOD_INCIDENT)
    data["timeline"][0]["marker"] = None
    assert "It began" not in render_client(Review.from_dict(data))


def export_client(tmp_path, capsys, **changes) -> tuple[int, str, str]:
    db = tmp_path / "data"
    review_id = seed(db, copy.deepcopy(GOOD_INCIDENT) | changes)
    code = main(["--db", str(db), "export", review_id, "--format", "client"])
    out, err = capsys.readouterr()
    return code, out, err


def test_exporting_a_client_summary_without_an_overview_warns_and_still_writes(tmp_path, capsys):
    code, out, err = export_client(tmp_path, capsys, summary="")
    assert code == 0 and out.startswith("# Post-mortem: Checkout API returned HTTP 500s")
    assert "warning: pm-1: the client summary has no overview: write one on the Summary step" in err


def test_a_complete_client_summary_exports_without_a_warning(tmp_path, capsys):
    code, _, err = export_client(tmp_path, capsys)
    assert code == 0 and err == ""


def test_the_written_summary_does_not_warn_about_the_client_overview(tmp_path, capsys):
    db = tmp_path / "data"
    review_id = seed(db, copy.deepcopy(GOOD_INCIDENT) | {"summary": ""})
    assert main(["--db", str(db), "export", review_id]) == 0
    assert "overview" not in capsys.readouterr().err


async def test_exporting_the_client_view_without_an_overview_says_so_in_the_notice(tmp_path):
    from tui.app import make_app

    path = tmp_path / "r.json"
    target = tmp_path / "client.md"
    review_id = seed(path, copy.deepcopy(GOOD_INCIDENT) | {"summary": "", "step": "summary", "ground_rules_confirmed": True})
    async with make_app(path, start="open", review_id=review_id).run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("f3")  # the client view
        await pilot.press("f4")
        await pilot.pause()
        pilot.app.screen.query_one("#path").value = str(target)
        await pilot.press("enter")
        await pilot.pause()
        notices = [str(notice.message) for notice in pilot.app._notifications]
    assert target.read_text().startswith("# Post-mortem:")
    assert any("the client summary has no overview" in notice for notice in notices)


# -- redaction (issue 13, item 6) ---------------------------------------------------


def client_of(text: str, names: bool = False) -> str:
    data = copy.deepcopy(GOOD_INCIDENT) | {"summary": text}
    client = render_client(Review.from_dict(data), names=names)
    return client.split("## What happened\n\n")[1].split("\n\n")[0]


def test_the_write_up_owner_is_not_singled_out_by_a_role():
    assert client_of("Lee ran the command on db1.") == "A team member ran the command on an internal host."


@pytest.mark.parametrize(("typed", "shown"), [
    ("The disk of db1.cluster.example.com filled", "The disk of an internal host filled"),
    ("web-03 and cache01 restarted", "An internal host and an internal host restarted"),
    ("Traffic to 10.0.3.17:5432 stopped", "Traffic to an IP address stopped"),
    ("fe80::1 lost its route", "An IP address lost its route"),
    ("Mail ops@example.com for access", "Mail an email address for access"),
    ("See https://grafana.example.com/d/x?a=1.", "See a link."),
])
def test_hosts_addresses_emails_and_links_are_redacted_by_their_shape(typed, shown):
    assert client_of(typed) == shown
    assert client_of(typed, names=True) == shown  # keeping names never keeps these


@pytest.mark.parametrize("typed", [
    "The upgrade to v2.3.10.1 failed",
    "Version 1.2.3.4 shipped the bug",
    "After version: 10.2.0.1 the pool shrank",
    "Kernel 5.15.0.91 was installed",
    "Build 10.0.19041.1 rebooted the hosts",
    "The 1.2.3.4-rc1 parser broke",
    "Chrome 120.0.6099.109 cached the old page",  # octets over 255
    "Release 4.19.0.300 of the agent",
    "The ids 01.02.03.04 came back",  # leading zeros: not how an address is written
])
def test_version_numbers_of_four_parts_are_not_taken_for_ip_addresses(typed):
    assert client_of(typed) == typed


@pytest.mark.parametrize(("typed", "shown"), [
    ("Traffic from 1.2.3.4 was blocked", "Traffic from an IP address was blocked"),
    ("The mask 255.255.255.0 and 0.0.0.0 were set", "The mask an IP address and an IP address were set"),
    ("Routes to 192.168.1.0/24 vanished", "Routes to an IP address vanished"),
    ("2001:db8::8a2e:370:7334 stopped answering", "An IP address stopped answering"),
    ("The release server at 10.1.2.3 was full", "The release server at an IP address was full"),
])
def test_ip_addresses_are_still_redacted_beside_version_words_elsewhere(typed, shown):
    assert client_of(typed) == shown


def test_technical_words_that_merely_hold_digits_are_kept():
    typed = "HTTP 500s from v2.3 at p99 on EC2 (SEV2, ipv4, utf8) at 14:05:00 on 2026-11-20; 3x memory"
    assert client_of(typed) == typed


def test_the_written_summary_keeps_host_names_for_the_team():
    data = copy.deepcopy(GOOD_INCIDENT) | {"summary": "db1 at 10.0.3.17 filled"}
    from store.render import render_markdown

    assert "db1 at 10.0.3.17 filled" in render_markdown(Review.from_dict(data))
