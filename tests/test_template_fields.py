"""What the incident templates have (issue 13, item 2): trigger, detection, what we did not know, links, review status."""

from __future__ import annotations

import copy
import json

import pytest
from markdown_it import MarkdownIt
from tui_helpers import SIZE, agree_to_ground_rules, new_app, seed, stored, tab_to, type_text, wait_for_screen, widget_id

from store.archive import parse_query, search
from store.checks import check_step
from store.errors import InvalidField
from store.interchange import EXPORT_ORDER, export_document, parse_document
from store.model import Review, ReviewSummary
from store.render import render_markdown
from tests.test_checks import GOOD_INCIDENT, only
from tui.cli import main

FIELDS = {"review_status": "in_review", "trigger": "A config push to every host",
          "detection": "The error-rate alert paged on-call", "unknowns": "Retries from clients doubled the load",
          "links": [{"label": "Ticket", "url": "INC-123"}, {"label": "Dashboard", "url": "https://dash.example.com/checkout"},
                    {"label": "", "url": "#inc-checkout"}]}


def document(**changes) -> dict:
    return copy.deepcopy(GOOD_INCIDENT) | {"schema": 2} | copy.deepcopy(FIELDS) | changes


def test_a_document_written_before_these_fields_loads_as_a_draft_with_none_of_them():
    old = copy.deepcopy(GOOD_INCIDENT) | {"schema": 1}
    for read in (Review.from_dict(old), Review.from_dict(parse_document(old, "old.json"))):
        assert (read.review_status, read.trigger, read.detection, read.unknowns, read.links) == ("draft", "", "", "", [])
    assert ReviewSummary.from_dict(old).review_status == "draft"


def test_the_fields_survive_import_and_export_in_the_documented_order():
    doc = parse_document(document(), "t.json")
    assert {name: doc[name] for name in FIELDS} == FIELDS
    exported = export_document(Review.from_dict(doc))
    assert list(exported) == list(EXPORT_ORDER)
    assert {name: exported[name] for name in FIELDS} == FIELDS


@pytest.mark.parametrize(("changes", "field", "words"), [
    ({"review_status": "done"}, "review_status", "not one of draft, in_review, reviewed, closed"),
    ({"links": "https://x.example"}, "links", "expected a list of links"),
    ({"links": [{"label": "Dashboard"}]}, "links[0].url", "a link needs an address"),
    ({"links": [{"url": "https://x.example", "href": "y"}]}, "links[0].href", "unknown field (expected label, url)"),
    ({"links": [3]}, "links[0]", "expected a link"),
    ({"trigger": 3}, "trigger", "expected text"),
])
def test_a_bad_value_is_refused_naming_its_field(changes, field, words):
    with pytest.raises(InvalidField) as error:
        parse_document(document(**changes), "bad.json")
    assert error.value.field == field and words in str(error.value)


def test_a_pasted_trigger_is_kept_on_one_line():
    assert parse_document(document(trigger="a push\nto every host"), "t.json")["trigger"] == "a push to every host"


def test_blame_in_the_trigger_is_flagged_on_the_impact_step():
    problems = check_step(Review.from_dict(document(trigger="Sam should have checked the config")), "impact")
    assert only(problems, "trigger", "advisory")


def test_the_written_summary_heads_with_status_trigger_detection_and_links_and_says_what_we_did_not_know():
    text = render_markdown(Review.from_dict(document()))
    head = text.split("## Summary")[0]
    assert "- Review status: in review" in head
    assert "- Trigger: A config push to every host" in head
    assert "- Detection: The error-rate alert paged on-call" in head
    assert "- Ticket: `INC-123`\n- Dashboard: <https://dash.example.com/checkout>\n- Link: `#inc-checkout`" in head
    assert "## What we did not know then\n\nRetries from clients doubled the load" in text


def test_only_a_web_address_becomes_a_link_in_the_written_summary():
    links = ["javascript:alert(1)", "https://ok.example/a?b=1&c=2", "<b>x</b>"]
    html = MarkdownIt("commonmark").render(render_markdown(Review.from_dict(document(links=links))))
    assert html.count("<a ") == 1 and 'href="https://ok.example/a?b=1&amp;c=2"' in html
    assert "<code>javascript:alert(1)</code>" in html and "<code>&lt;b&gt;x&lt;/b&gt;</code>" in html


# -- finding reviews by their status -----------------------------------------------


@pytest.mark.parametrize(("word", "status"), [("review:draft", "draft"), ("review:in", "in_review"),
                                              ("review:in-review", "in_review"), ("review:closed", "closed")])
def test_the_home_filter_word_review_reads_a_review_status(word, status):
    query, problems = parse_query(word)
    assert (query.review_status, problems) == (status, [])


def test_a_review_filter_word_that_fits_no_status_is_named_and_left_out():
    query, problems = parse_query("review:done")
    assert query.review_status == "" and problems == ["review: 'done' is not one of draft, in_review, reviewed, closed"]


def test_the_filter_keeps_only_reviews_in_that_status():
    from datetime import date

    summaries = [ReviewSummary.from_dict({"id": f"pm-{n}", "review_status": status})
                 for n, status in enumerate(("draft", "in_review", "closed"), 1)]
    query, _ = parse_query("review:closed")
    assert [s.id for s in search(summaries, query, date(2026, 12, 1))] == ["pm-3"]


def test_postmortem_list_filters_on_review_status_and_prints_it(tmp_path, capsys):
    db = tmp_path / "data"
    seed(db, {"title": "Still a draft"})
    seed(db, {"title": "Agreed", "review_status": "reviewed"})
    assert main(["--db", str(db), "list", "--review-status", "reviewed"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].split()[:4] == ["ID", "KIND", "STEP", "STATUS"] and len(out) == 2
    assert "reviewed" in out[1] and "Agreed" in out[1]
    assert main(["--db", str(db), "list", "--json"]) == 0
    assert [row["review_status"] for row in json.loads(capsys.readouterr().out)] == ["reviewed", "draft"]


def test_postmortem_list_refuses_an_unknown_review_status(tmp_path, capsys):
    with pytest.raises(SystemExit) as stop:
        main(["--db", str(tmp_path / "data"), "list", "--review-status", "finished"])
    assert stop.value.code == 2
    assert "--review-status: 'finished' is not one of draft, in-review, reviewed, closed" in capsys.readouterr().err


# -- the screens ----------------------------------------------------------------------


async def test_review_status_and_links_set_at_setup_show_and_filter_in_the_home_list(tmp_path):
    path = tmp_path / "r.json"
    seed(path, {"title": "Older draft", "ground_rules_confirmed": True})
    async with new_app(path, start="new").run_test(size=SIZE) as pilot:
        await agree_to_ground_rules(pilot)
        await type_text(pilot, "Checkout 500s")
        await tab_to(pilot, widget_id("review_status"))
        await type_text(pilot, "i")  # In review
        await tab_to(pilot, widget_id("links"))
        await type_text(pilot, "Ticket INC-123 https://dash.example.com/x, #inc-checkout")
        await pilot.press("ctrl+o")
        await wait_for_screen(pilot, "HomeScreen")
        table = pilot.app.screen.query_one("#reviews")
        assert "in review" in "  ".join(str(cell) for cell in table.get_row("pm-2"))
        assert "draft" in "  ".join(str(cell) for cell in table.get_row("pm-1"))
        await type_text(pilot, "review:in")
        assert table.row_count == 1 and table.coordinate_to_cell_key((0, 0)).row_key.value == "pm-2"
    review = stored(path, "pm-2")
    assert (review["review_status"], review["links"]) == ("in_review", [
        {"label": "Ticket INC-123", "url": "https://dash.example.com/x"}, {"label": "", "url": "#inc-checkout"}])


async def test_trigger_detection_and_what_we_did_not_know_are_typed_on_the_impact_step(tmp_path):
    path = tmp_path / "r.json"
    review_id = seed(path, {"title": "x", "step": "impact", "ground_rules_confirmed": True})
    async with new_app(path, start="open", review_id=review_id).run_test(size=SIZE) as pilot:
        await type_text(pilot, "1,200 customers for 22 minutes")
        await tab_to(pilot, widget_id("trigger"))
        await type_text(pilot, "A config push")
        await pilot.press("tab")
        await type_text(pilot, "The alert paged on-call")
        await pilot.press("tab")
        await type_text(pilot, "Retries doubled the load")
        await pilot.press("ctrl+o")
        await wait_for_screen(pilot, "HomeScreen")
    review = stored(path, review_id)
    assert (review["trigger"], review["detection"], review["unknowns"]) == (
        "A config push", "The alert paged on-call", "Retries doubled the load")


async def test_an_impact_category_typed_wrong_is_said_not_dropped_in_silence(tmp_path):
    from tui_helpers import static_text

    path = tmp_path / "r.json"
    review_id = seed(path, {"title": "x", "step": "impact", "ground_rules_confirmed": True})
    async with new_app(path, start="open", review_id=review_id).run_test(size=SIZE) as pilot:
        await tab_to(pilot, widget_id("impact_categories"))
        await type_text(pilot, "full, outgae")
        assert "Impact categories: 'outgae' is not one category, so it is not kept" in static_text(pilot, "#refusal")
        await pilot.press("backspace", "backspace", "backspace", "backspace", "backspace", "backspace")
        await type_text(pilot, "latency")
        assert static_text(pilot, "#refusal") == ""
        await pilot.press("ctrl+o")
        await wait_for_screen(pilot, "HomeScreen")
    assert stored(path, review_id)["impact_categories"] == ["full_outage", "increased_latency"]
