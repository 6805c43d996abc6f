"""Contributing factors beside the Five Whys (issue 13, item 1): kept, checked, imported and written out."""

from __future__ import annotations

import copy

import pytest

from store.checks import check_step
from store.db import ReviewStore
from store.errors import InvalidField
from store.interchange import export_document, parse_document
from store.model import Review
from store.ops import Add, Edit
from store.render import render_client, render_markdown
from tests.test_checks import GOOD_INCIDENT, find, only

FACTORS = [
    {"kind": "trigger", "text": "A config push reached every host at once", "rationale": "The runbook said to push to all"},
    {"kind": "contributing", "text": "Retries doubled the load on the database", "rationale": "Retries had always helped before"},
    {"kind": "mitigating", "text": "The incident happened off-peak", "rationale": ""},
]


def with_factors(factors=FACTORS, **changes) -> Review:
    data = copy.deepcopy(GOOD_INCIDENT) | {"factors": copy.deepcopy(factors)} | changes
    return Review.from_dict(data)


def exported(**changes) -> dict:
    doc = copy.deepcopy(GOOD_INCIDENT) | {"schema": 1, "factors": copy.deepcopy(FACTORS)} | changes
    return doc


# -- the document ---------------------------------------------------------------


def test_a_document_written_before_factors_still_loads_and_imports_with_none():
    old = copy.deepcopy(GOOD_INCIDENT) | {"schema": 1}
    assert "factors" not in old
    assert Review.from_dict(old).factors == []
    assert parse_document(old, "old.json")["factors"] == []


def test_factors_survive_import_and_export_exactly():
    doc = parse_document(exported(), "f.json")
    assert [(f["kind"], f["text"], f["rationale"]) for f in doc["factors"]] == [
        (f["kind"], f["text"], f["rationale"]) for f in FACTORS
    ]
    again = export_document(Review.from_dict(doc))
    assert again["factors"] == doc["factors"]
    assert list(again).index("factors") == list(again).index("five_whys") + 1
    assert parse_document(again, "again.json")["factors"] == doc["factors"]


def test_a_plain_string_imports_as_a_contributing_factor():
    doc = parse_document(exported(factors=["Retries doubled the load"]), "f.json")
    assert doc["factors"][0]["kind"] == "contributing"
    assert doc["factors"][0]["text"] == "Retries doubled the load"
    assert doc["factors"][0]["rationale"] == ""


@pytest.mark.parametrize(
    ("factor", "field", "words"),
    [
        ({"kind": "root", "text": "x"}, "factors[0].kind", "not one of trigger, contributing, mitigating"),
        ({"text": "x", "blame": "Sam"}, "factors[0].blame", "unknown field"),
        ({"text": 7}, "factors[0].text", "expected text"),
        (["x"], "factors[0]", "expected an object or a text"),
    ],
)
def test_a_bad_factor_is_refused_naming_its_field(factor, field, words):
    with pytest.raises(InvalidField) as error:
        parse_document(exported(factors=[factor]), "bad.json")
    assert error.value.field == field
    assert words in str(error.value) and "(in bad.json)" in str(error.value)


def test_a_factor_is_sanitised_and_kept_in_the_review_file(tmp_path):
    store = ReviewStore(tmp_path / "data")
    review = store.create()
    store.apply(review.id, Add("factors", {"kind": "trigger", "text": "push\x1b[31m to all\nhosts", "rationale": "ok"}))
    factor = store.get(review.id).factors[0]
    assert (factor.kind, factor.text) == ("trigger", "push to all\nhosts")  # the escape sequence is gone
    with pytest.raises(InvalidField, match="not one of trigger"):
        store.apply(review.id, Edit("factors", factor.id, {"kind": "cause"}))
    assert ReviewStore(tmp_path / "data").get(review.id).factors[0].kind == "trigger"


# -- the checks -------------------------------------------------------------------


def test_good_factors_raise_nothing():
    assert check_step(with_factors(), "five_whys") == []


def test_a_factor_that_stops_at_human_error_is_an_error_at_its_text():
    factors = copy.deepcopy(FACTORS)
    factors[1]["text"] = "Human error during the deploy"
    problem = only(check_step(with_factors(factors), "five_whys"), "factors.1.text", "error")
    assert problem.message.startswith("Factor 2 stops at human error")


def test_a_factor_that_names_a_participant_is_an_error():
    factors = copy.deepcopy(FACTORS)
    factors[0]["text"] = "Sam pushed the config to every host"
    problems = check_step(with_factors(factors), "five_whys")
    assert "Factor 1 names a person" in only(problems, "factors.0.text", "error").message


def test_blame_words_in_how_it_made_sense_are_flagged():
    factors = copy.deepcopy(FACTORS)
    factors[0]["rationale"] = "They should have known better"
    problems = check_step(with_factors(factors), "five_whys")
    assert find(problems, "factors.0.rationale", "advisory")


def test_a_trigger_without_how_it_made_sense_is_an_advisory_but_a_mitigating_factor_needs_none():
    factors = copy.deepcopy(FACTORS)
    factors[0]["rationale"] = ""
    problems = check_step(with_factors(factors), "five_whys")
    assert "how it made sense at the time" in only(problems, "factors.0.rationale", "advisory").message
    assert find(problems, "factors.2.rationale") == []


def test_an_empty_factor_is_an_error():
    problems = check_step(with_factors([{"kind": "contributing", "text": "  "}]), "five_whys")
    assert only(problems, "factors.0.text", "error").message == "Factor 1 says nothing."


def addressing(*addresses: str, factors=FACTORS) -> Review:
    review = with_factors(factors)
    for action, text in zip(review.actions, addresses * len(review.actions)):
        action.addresses = text
    return review


def test_no_action_addressing_a_root_cause_or_factor_says_both():
    problem = only(check_step(addressing("slow rollback"), "actions"), "actions", "advisory")
    assert problem.message == "No action addresses a root cause or a contributing factor."


@pytest.mark.parametrize("addresses", ["factor 2", "Contributing factor 1", "retries doubled the load"])
def test_an_action_addressing_a_factor_counts(addresses):
    assert find(check_step(addressing(addresses), "actions"), "actions") == []


def test_an_action_addressing_only_a_mitigating_factor_does_not_count():
    problems = check_step(addressing("mitigating factor 3"), "actions")
    assert find(problems, "actions", "advisory")


# -- the outputs ------------------------------------------------------------------


def test_the_written_summary_lists_factors_numbered_with_how_they_made_sense():
    text = render_markdown(with_factors())
    section = text[text.index("## Contributing factors"):text.index("## What went well")]
    assert "1. Trigger: A config push reached every host at once" in section
    assert "   - How it made sense at the time: The runbook said to push to all" in section
    assert "2. Contributing: Retries doubled the load on the database" in section
    assert "3. Mitigating: The incident happened off-peak" in section


def test_a_review_without_factors_says_so_in_the_written_summary():
    text = render_markdown(with_factors([]))
    assert "## Contributing factors\n\nNone recorded." in text


def test_the_client_summary_gives_trigger_and_contributing_factors_without_names_or_rationale():
    factors = copy.deepcopy(FACTORS)
    factors[1]["text"] = "Retries from Sam's script doubled the load"
    text = render_client(with_factors(factors))
    section = text[text.index("## Root cause"):text.index("## Impact")]
    assert "What set it off:\n\n- A config push reached every host at once" in section
    assert "What contributed:\n\n- Retries from a team member's script doubled the load" in section
    assert "Sam" not in section and "runbook" not in section and "off-peak" not in section


# -- the screens ------------------------------------------------------------------


async def test_factors_are_typed_on_the_five_whys_step_by_keys_alone(tmp_path):
    from tui_helpers import check_panel, item_field, saved, screen_text, seed, stored, tab_to, type_text
    from tui.app import make_app

    path = tmp_path / "r.json"
    doc = {"title": "x", "step": "five_whys", "ground_rules_confirmed": True, "participants": ["Sam"],
           "five_whys": {"problem": "p", "chains": [{"whys": ["a", "b", "c", "d", "e"]}]}}
    review_id = seed(path, doc)
    async with make_app(path, start="open", review_id=review_id).run_test(size=(80, 24)) as pilot:
        await tab_to(pilot, item_field("kind", "factors"))
        await type_text(pilot, "t")  # the first letter picks the kind
        await pilot.press("tab")
        await type_text(pilot, "A config push reached every host")
        await pilot.press("tab")
        await type_text(pilot, "The runbook said to push to all")
        await pilot.press("enter")  # the next factor
        await pilot.press("tab")
        await type_text(pilot, "Sam forgot the dashboard")
        await saved(pilot)
        assert type(pilot.app.screen).__name__ == "FiveWhysScreen"
        assert "2. [contributing] Sam forgot the dashboard" in screen_text(pilot)
        assert any("Factor 2 names a person" in line for line in check_panel(pilot))
    factors = stored(path, review_id)["factors"]
    assert [(f["kind"], f["text"], f["rationale"]) for f in factors] == [
        ("trigger", "A config push reached every host", "The runbook said to push to all"),
        ("contributing", "Sam forgot the dashboard", ""),
    ]


async def test_an_action_can_address_a_factor_chosen_from_the_list(tmp_path):
    from tui_helpers import choose, item_field, saved, seed, stored, tab_to, type_text
    from tui.app import make_app

    path = tmp_path / "r.json"
    doc = {"title": "x", "step": "actions", "ground_rules_confirmed": True,
           "five_whys": {"problem": "p", "chains": [{"whys": ["a", "b", "c"]}]}, "factors": copy.deepcopy(FACTORS)}
    review_id = seed(path, doc)
    async with make_app(path, start="open", review_id=review_id).run_test(size=(80, 24)) as pilot:
        await type_text(pilot, "Cap retries at 3")
        await tab_to(pilot, item_field("addresses"))
        await choose(pilot, 3)  # blank, root cause 1, factor 1, factor 2 (factor 3 mitigates: not offered)
        await saved(pilot)
    assert stored(path, review_id)["actions"][0]["addresses"] == "factor 2"
