"""Labelled supporting links, and schema 2 that carries them (issue 13b, items 2 and 7).

A link is ``{"label", "url"}``.  Schema 1 kept bare texts: such documents
still import and such files are migrated (after a backup); a document of a
schema newer than this version reads is refused, saying to upgrade, as a
schema-1 version refuses schema 2.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path

import orjson
import pytest
from markdown_it import MarkdownIt

from store.db import ReviewStore
from store.errors import InvalidField
from store.interchange import export_document, parse_document
from store.links import read_links, show_links
from store.model import SCHEMA, Review
from store.render import render_markdown
from tests.test_checks import GOOD_INCIDENT
from tui.cli import main

LINKS = [{"label": "Incident channel", "url": "#inc-checkout"},
         {"label": "Ticket INC-123", "url": "https://jira.example.com/INC-123"},
         {"label": "", "url": "https://dash.example.com/checkout"}]


@pytest.mark.parametrize(("typed", "links"), [
    ("Incident channel #inc-checkout, Ticket INC-123 https://jira.example.com/INC-123, https://dash.example.com/checkout",
     LINKS),
    ("Dashboard: https://d.example.com/a,b; Runbook https://r.example.com", [
        {"label": "Dashboard", "url": "https://d.example.com/a,b"}, {"label": "Runbook", "url": "https://r.example.com"}]),
    ("  ,  ", []),
])
def test_typed_links_are_a_label_then_the_address_comma_separated(typed, links):
    assert read_links(typed) == links


def test_links_are_shown_as_they_are_typed_and_read_back_the_same():
    shown = show_links(Review.from_dict({"links": LINKS}).links)
    assert shown == ("Incident channel #inc-checkout, Ticket INC-123 https://jira.example.com/INC-123, "
                     "https://dash.example.com/checkout")
    assert read_links(shown) == LINKS


def test_the_written_summary_lists_each_link_under_its_label_and_escapes_the_label():
    links = LINKS + [{"label": "[click](javascript:x) *now*", "url": "https://ok.example"}]
    text = render_markdown(Review.from_dict(dict(GOOD_INCIDENT, links=links)))
    assert "- Incident channel: `#inc-checkout`\n- Ticket INC-123: <https://jira.example.com/INC-123>\n" in text
    assert "- Link: <https://dash.example.com/checkout>" in text
    html = MarkdownIt("commonmark").render(text)
    assert "javascript" not in html.split("[click]")[0] and 'href="javascript' not in html


def test_a_schema_1_document_with_bare_links_imports_and_exports_as_schema_2_with_unlabelled_links():
    old = copy.deepcopy(GOOD_INCIDENT) | {"schema": 1, "links": ["INC-123", "https://dash.example.com"]}
    exported = export_document(Review.from_dict(parse_document(old, "old.json")))
    assert exported["schema"] == SCHEMA == 2
    assert exported["links"] == [{"label": "", "url": "INC-123"}, {"label": "", "url": "https://dash.example.com"}]


def test_a_schema_2_document_round_trips_exactly():
    doc = copy.deepcopy(GOOD_INCIDENT) | {"schema": 2, "links": LINKS}
    exported = export_document(Review.from_dict(parse_document(doc, "new.json")))
    again = export_document(Review.from_dict(parse_document(json.loads(json.dumps(exported)), "again.json")))
    assert exported == again and exported["links"] == LINKS


def test_a_document_of_a_newer_schema_is_refused_saying_to_upgrade():
    with pytest.raises(InvalidField) as error:
        parse_document({"schema": 3}, "future.json")
    assert str(error.value) == ("schema: 3 was written by a newer version of postmortem; this version reads "
                                "schema 2 (upgrade postmortem to import it) (in future.json)")


def test_import_of_a_schema_1_file_from_the_command_keeps_its_links(tmp_path, capsys):
    source = tmp_path / "old.json"
    source.write_text(json.dumps(dict(GOOD_INCIDENT, schema=1, links=["https://dash.example.com"])), encoding="utf-8")
    assert main(["--db", str(tmp_path / "data"), "import", str(source)]) == 0
    review_id = capsys.readouterr().out.split()[0]
    assert ReviewStore(tmp_path / "data").get(review_id).links[0].url == "https://dash.example.com"


def test_a_schema_1_review_file_is_migrated_after_a_backup(tmp_path):
    data = tmp_path / "data"
    review_id = ReviewStore(data).create({"title": "Old one"}).id
    path = next((data / "reviews").glob("pm-*.json"))
    content = orjson.loads(path.read_bytes())
    (doc,) = content["reviews"].values()
    doc.update(schema=1, links=["INC-9", "https://dash.example.com"])
    content["meta"] = {key: dict(meta, schema=1) for key, meta in content["meta"].items()}
    old = orjson.dumps(content)
    path.write_bytes(old)
    review = ReviewStore(data).get(review_id)
    assert [(link.label, link.url) for link in review.links] == [("", "INC-9"), ("", "https://dash.example.com")]
    assert path.with_name(path.name + ".schema1.bak").read_bytes() == old
    migrated = orjson.loads(path.read_bytes())
    assert [meta["schema"] for meta in migrated["meta"].values()] == [2]
    assert next(iter(migrated["reviews"].values()))["links"][0] == {"label": "", "url": "INC-9"}


def test_a_hand_edited_file_with_a_link_of_the_wrong_type_is_refused_by_name(tmp_path, capsys):
    data = tmp_path / "data"
    review_id = ReviewStore(data).create({"title": "Edited"}).id
    path = next((data / "reviews").glob("pm-*.json"))
    content = orjson.loads(path.read_bytes())
    next(iter(content["reviews"].values()))["links"] = [{"label": "x", "url": 5}]
    path.write_bytes(orjson.dumps(content))
    assert main(["--db", str(data), "export", review_id]) == 2
    assert "links[0].url: expected a text, got a number" in capsys.readouterr().err
