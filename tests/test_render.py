"""Each renderer on a full review: sections, local times, durations, names, redaction."""

from __future__ import annotations

import copy
import csv
import io
import json
import re
import sys
from pathlib import Path

import pytest

# Import the project from this checkout, as tests/test_store.py does.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from store.interchange import export_document, parse_document  # noqa: E402
from store.model import Action, Review  # noqa: E402
from store.render import (  # noqa: E402
    CLOSING, CSV_HEADER, OPENING, RENDERERS, render_client, render_csv, render_json, render_markdown,
)

FULL = {
    "schema": 1,
    "kind": "incident",
    "title": "Checkout API returned HTTP 500s | during Sam's deploy",
    "severity": "SEV2",
    "timezone": "Europe/Berlin",
    "review_date": "2026-11-21",
    "owner": "Lee Chen",
    "facilitator": "Dana Scully",
    "participants": ["Dana Scully", "Lee Chen", "Sam"],
    "summary": "Checkout failed for 22 minutes for customers of Acme Corp after a deploy.",
    "timeline": [
        {"id": "t1", "at": "2026-11-20T14:05:00+00:00", "text": "Deploy of v2.3 starts", "marker": "started"},
        {"id": "t2", "at": "2026-11-20T14:09:00+00:00", "text": "Error-rate alert fires; Sam pages Dana", "marker": "detected"},
        {"id": "t3", "at": "2026-11-20T14:15:00+00:00", "text": "Rollback begins | step 1\nsecond line", "marker": None},
        {"id": "t4", "at": "2026-11-20T14:20:00+00:00", "text": "Rollback complete", "marker": "mitigated"},
        {"id": "t5", "at": "2026-11-20T14:27:00+00:00", "text": "Error rate back to normal", "marker": "resolved"},
    ],
    "impact": "About 1,200 checkouts failed over 22 minutes; Acme Corp saw errors.",
    "five_whys": {
        "problem": "Checkout returned HTTP 500 for 22 minutes",
        "chains": [
            {"id": "c1", "whys": [
                "The DB ran out of memory",
                "A new aggregation job used more memory than expected",
                "The job was tested with a tenth of production data",
                "Load tests do not require production-sized data",
                "The deployment checklist does not require it",
            ]},
            {"id": "c2", "whys": ["No alert on DB memory", "Memory was never on the dashboard", "The monitoring template lacks it"]},
        ],
    },
    "went_well": [{"id": "w1", "text": "Lee rolled back within 5 minutes of the page"}],
    "lucky": [{"id": "l1", "text": "It happened outside peak hours"}],
    "could_improve": [{"id": "ci1", "text": "The runbook for rollback was out of date"}],
    "surprises": [{"id": "s1", "text": "Staging had a tenth of the data"}],
    "actions": [
        {"id": "a1", "what": "Alert when DB memory stays above 80% for 5 minutes", "owner": "Sam",
         "due": "2026-12-15", "done_when": "the alert fires in the staging drill", "type": "detect",
         "addresses": "root cause of chain 2", "status": "done", "note": ""},
        {"id": "a2", "what": "Add production-sized data to the load-test checklist, \"v2\"", "owner": "Lee Chen",
         "due": "2026-12-01", "done_when": "checklist updated, reviewed", "type": "process",
         "addresses": "root cause of chain 1", "status": "open", "note": ""},
        {"id": "a3", "what": "Cap memory of aggregation jobs\nper tenant", "owner": "Pat Jones",
         "due": "2026-12-20", "done_when": "jobs run with a cap", "type": "prevent",
         "addresses": "chain 1", "status": "slipped", "note": "waiting on infra"},
        {"id": "a4", "what": "Rewrite the job in Rust", "owner": "Sam",
         "due": "2026-12-30", "done_when": "rewritten", "type": "repair",
         "addresses": "chain 1", "status": "dropped", "note": "not worth it"},
    ],
    "questions": [
        {"id": "q1", "text": "Will Acme Corp get a credit?", "answer": "Dana will confirm with Lee by Friday."},
        {"id": "q2", "text": "Is the alert tested?", "answer": ""},
    ],
    "follow_up": {"due": "2026-12-21", "held": None, "notes": ""},
    "step": "summary",
    "cut_short": ["impact", "could_improve"],
    "redact": ["Acme Corp"],
}


def make_review(**changes) -> Review:
    """The full fixture review, as the store would hold it after import."""
    data = copy.deepcopy(FULL) | changes
    review = Review.from_dict(parse_document(data, "fixture.json"))
    review.id = "r12"
    return review


def words(text: str, word: str) -> bool:
    """True when ``word`` occurs in ``text`` as a whole word, in any case."""
    return re.search(rf"(?<!\w){re.escape(word)}(?!\w)", text, re.I) is not None


@pytest.fixture
def review() -> Review:
    return make_review()


# ---------------------------------------------------------------- Markdown

MARKDOWN_SECTIONS = [
    "## Summary", "## Timeline", "## Impact", "## Five Whys", "## What went well",
    "## Where we got lucky", "## What could improve", "## What surprised us", "## Actions",
    "## Questions and concerns", "## Follow-up", "## Discussion cut short",
]


def test_markdown_has_every_section_in_order(review):
    text = render_markdown(review)
    positions = [text.index(heading) for heading in MARKDOWN_SECTIONS]
    assert positions == sorted(positions)
    first = text.splitlines()[0]
    assert first == "# Incident review: Checkout API returned HTTP 500s \\| during Sam's deploy (SEV2)"  # | escaped
    for fact in ("Review date: 2026-11-21", "Write-up owner: Lee Chen", "Facilitator: Dana Scully",
                 "Participants: Dana Scully, Lee Chen, Sam", "Timezone: Europe/Berlin"):
        assert fact in text


def test_markdown_timeline_is_a_table_in_local_time(review):
    text = render_markdown(review)
    assert "| Time | Event | Marker |" in text
    assert "| 2026-11-20 15:05 | Deploy of v2.3 starts | started |" in text  # 14:05 UTC in Berlin
    assert "| 2026-11-20 15:27 | Error rate back to normal | resolved |" in text
    assert "14:05" not in text


def test_markdown_table_cells_escape_pipes_and_newlines(review):
    text = render_markdown(review)
    assert "| Rollback begins \\| step 1<br>second line |  |" in text
    assert "| Cap memory of aggregation jobs<br>per tenant | Pat Jones |" in text
    rows = [line for line in text.splitlines() if line.startswith("| 2026-")]
    assert all(len(re.findall(r"(?<!\\)\|", row)) == 4 for row in rows)


def test_markdown_backslash_at_cell_end_does_not_escape_the_separator():
    review = make_review(actions=[{"what": "path C:\\", "owner": "Sam"}])
    row = [line for line in render_markdown(review).splitlines() if line.startswith("| path")][0]
    assert row.startswith("| path C:\\\\ | Sam |")


def test_markdown_durations(review):
    text = render_markdown(review)
    assert "- Time to detect: 4m" in text
    assert "- Time to mitigate: 15m" in text
    assert "- Time to resolve: 22m" in text


def test_markdown_five_whys_chains_and_root_causes(review):
    text = render_markdown(review)
    assert "Problem: Checkout returned HTTP 500 for 22 minutes" in text
    assert "### Chain 1\n\n1. The DB ran out of memory\n2. A new aggregation job" in text
    assert "5. The deployment checklist does not require it\n\nRoot cause: The deployment checklist" in text
    assert "### Chain 2" in text and "Root cause: The monitoring template lacks it" in text


def test_markdown_actions_questions_follow_up_and_cut_short(review):
    text = render_markdown(review)
    assert "| What | Owner | Due | Done when | Type | Status | Addresses |" in text
    assert ("| Alert when DB memory stays above 80% for 5 minutes | Sam | 2026-12-15 | "
            "the alert fires in the staging drill | detect | done | Root cause: The monitoring template lacks it |") in text
    assert "- Rewrite the job in Rust: not worth it" in text
    assert "- Will Acme Corp get a credit?\n  Answer: Dana will confirm with Lee by Friday." in text
    assert "- Is the alert tested?\n  Answer: (not answered yet)" in text
    assert "- Due: 2026-12-21" in text
    assert "Steps whose discussion was cut short: Impact, Could improve." in text


def test_markdown_empty_review_says_none_recorded():
    text = render_markdown(Review(title="Empty"))
    for heading in MARKDOWN_SECTIONS[:-2]:
        assert f"{heading}\n\nNone recorded." in text
    assert "Discussion cut short" not in text
    assert text.startswith("# Incident review: Empty\n")


def test_markdown_project_without_severity():
    text = render_markdown(make_review(kind="project", severity=""))
    assert text.splitlines()[0].startswith("# Project review: Checkout API")
    assert "(SEV" not in text.splitlines()[0]


def test_markdown_keeps_markup_looking_text_literal():
    from markdown_it import MarkdownIt

    review = make_review(summary="[bold]x[/] and [@click=app.quit]quit[/]")
    html = MarkdownIt("commonmark").render(render_markdown(review))
    assert "<p>[bold]x[/] and [@click=app.quit]quit[/]</p>" in html


def test_markdown_without_markers_shows_unknown_durations():
    timeline = [event | {"marker": None} for event in FULL["timeline"]]
    text = render_markdown(make_review(timeline=timeline))
    assert "- Time to detect: -" in text and "- Time to resolve: -" in text


# ---------------------------------------------------------------- Client

CLIENT_SECTIONS = [
    "## What happened", "## Root cause", "## Impact", "## What we did well",
    "## What we could have done better", "## What we have changed", "## When we will review it",
    "## Questions and concerns raised",
]


def test_client_has_the_structure_of_the_source_material(review):
    text = render_client(review)
    assert text.splitlines()[2] == OPENING
    positions = [text.index(heading) for heading in CLIENT_SECTIONS]
    assert positions == sorted(positions)
    assert text.rstrip().splitlines()[-1] == CLOSING == "What questions or concerns do you have?"
    assert OPENING == "I want to walk you through what happened, what we learned, and what we are changing."


def test_client_what_happened_has_summary_short_timeline_and_durations(review):
    text = render_client(review)
    assert "Checkout failed for 22 minutes for customers of (redacted) after a deploy." in text
    assert "- 2026-11-20 15:05: Deploy of v2.3 starts" in text
    assert "- 2026-11-20 15:27: Error rate back to normal" in text
    assert "Rollback begins" not in text  # the short timeline keeps the marked events
    assert ("It began at 15:05 on 20 November 2026 (Europe/Berlin). We detected it 4 minutes later and limited "
            "its effect within 15 minutes; it was over after 22 minutes.") in text


def test_client_root_causes_and_impact(review):
    text = render_client(review)
    assert ("## Root cause\n\nCheckout returned HTTP 500 for 22 minutes. We traced it back to these causes:\n\n"
            "- The deployment checklist does not require it\n- The monitoring template lacks it") in text
    assert ("## Impact\n\nAbout 1,200 checkouts failed over 22 minutes; (redacted) saw errors.\n\n"
            "We know this disrupted your work, and we are sorry for it.\n\n## What we did well") in text
    assert text.count("sorry") == 1  # one clear acknowledgement, not repeated apologies


def test_client_root_cause_of_one_chain_is_one_sentence_tied_to_the_problem(review):
    review.five_whys.chains = review.five_whys.chains[:1]
    text = render_client(review)
    assert ("## Root cause\n\nCheckout returned HTTP 500 for 22 minutes. We traced it back to this cause: "
            "The deployment checklist does not require it.\n\n## Impact") in text


def test_client_changes_are_grouped_with_client_status(review):
    text = render_client(review)
    changed = text[text.index("## What we have changed"): text.index("## What we are changing")]
    changing = text[text.index("## What we are changing"): text.index("## When we will review it")]
    assert "### Monitoring and alerting\n\n- Alert when DB memory stays above 80% for 5 minutes." in changed
    assert "Cap memory" not in changed and "load-test" not in changed
    assert changing.index("### Technical improvements") < changing.index("### Process changes")
    assert "- Cap memory of aggregation jobs per tenant: taking longer than planned, now expected by 2026-12-20." in changing
    assert '- Add production-sized data to the load-test checklist, "v2": by 2026-12-01.' in changing
    assert "Alert when" not in changing  # each change is listed once
    assert "Rewrite the job in Rust" not in text  # dropped, and no follow-up has told the client yet


def test_client_all_done_and_review_date(review):
    for action in review.actions:
        action.status = "done"
    text = render_client(review)
    assert "All of these are in place." in text and "## What we are changing" not in text
    assert "We will review how well these changes work on 2026-12-21." in text


def test_client_questions_with_answers(review):
    text = render_client(review)
    assert "- Will (redacted) get a credit?\n  Answer: A team member will confirm with a team member by Friday." in text
    assert "- Is the alert tested?" in text


def test_client_replaces_names_with_roles(review):
    text = render_client(review)
    for name in ("Dana", "Scully", "Lee", "Chen", "Sam", "Pat", "Jones"):
        assert not words(text, name), name
    assert "during a team member's deploy" in text
    assert "a team member pages a team member" in text  # a role such as "the facilitator" would single one out
    assert "- A team member rolled back within 5 minutes" in text  # capitalised at the start
    assert "facilitator" not in text and "write-up owner" not in text


def test_client_keeps_names_when_asked(review):
    text = render_client(review, names=True)
    assert "Dana will confirm with Lee by Friday." in text
    assert "Sam pages Dana" in text
    assert "(redacted)" in text and not words(text, "Acme")


def test_client_name_matching_is_whole_word_and_case_insensitive():
    review = make_review(
        participants=["Dana Scully", "Lee Chen", "Sam", "Al"],
        impact="SAM and dana scully saw Samples of the same sample; Al's alert; Lee Chen's pager",
    )
    text = render_client(review)
    assert ("A team member and a team member saw Samples of the same sample; a team member's alert; "
            "a team member's pager") in text


def test_client_redacts_in_every_case():
    review = make_review(redact=["acme corp", "Project Falcon", " "], summary="ACME CORP and project\nfalcon")
    for names in (False, True):
        text = render_client(review, names=names)
        assert "(redacted) and (redacted)" in text
        assert not words(text, "Acme") and not words(text, "Falcon")


def test_client_leaves_out_internal_only_fields(review):
    text = render_client(review)
    for internal in ("SEV2", "outside peak hours", "tenth of the data", "waiting on infra", "not worth it",
                     "Discussion cut short", "root cause of chain", "the staging drill", "r12"):
        assert internal not in text, internal


def test_client_empty_review_still_opens_and_closes():
    text = render_client(Review())
    assert OPENING in text and text.rstrip().endswith(CLOSING)
    assert "## Root cause\n\nNone recorded." in text
    assert "We will set a date to review how well these changes work." in text


# ---------------------------------------------------------------- JSON and CSV


def test_json_parses_and_has_durations(review):
    text = render_json(review)
    data = json.loads(text)
    assert data == export_document(review)
    assert data["durations"] == {"to_detect": 240, "to_mitigate": 900, "to_resolve": 1320}
    assert text.endswith("}\n") and text.startswith('{\n  "schema": 2,')


def test_json_writes_unicode_literally():
    review = make_review(title="naïve 日本語")
    assert "naïve 日本語" in render_json(review)


def test_csv_parses_back_with_header_and_rows(review):
    rows = list(csv.DictReader(io.StringIO(render_csv(review))))
    assert rows and list(rows[0]) == list(CSV_HEADER)
    assert ",".join(CSV_HEADER) == "review_id,review_title,what,owner,due,done_when,type,status,addresses,action_id,note,done_on"
    assert len(rows) == len(review.actions) == 4
    assert rows[0] == {
        "review_id": "r12", "review_title": review.title,
        "what": "Alert when DB memory stays above 80% for 5 minutes", "owner": "Sam", "due": "2026-12-15",
        "done_when": "the alert fires in the staging drill", "type": "detect", "status": "done",
        "addresses": "root cause of chain 2", "action_id": "a1", "note": "", "done_on": "",
    }
    assert (rows[2]["action_id"], rows[2]["note"]) == ("a3", "waiting on infra")  # a tracker import keeps both
    assert rows[1]["what"] == 'Add production-sized data to the load-test checklist, "v2"'
    assert rows[1]["done_when"] == "checklist updated, reviewed"
    assert rows[2]["what"] == "Cap memory of aggregation jobs\nper tenant"


def test_csv_cells_a_spreadsheet_would_run_as_formulas_stay_text():
    review = Review(title="=cmd|' /C calc'!A0", actions=[
        Action(what='=HYPERLINK("http://evil.example","click")', owner="@Sam", done_when="+1 on the drill",
               addresses="-2 incidents"),
    ])
    row = list(csv.DictReader(io.StringIO(render_csv(review))))[0]
    assert row["review_title"] == "'=cmd|' /C calc'!A0"
    assert row["what"] == '\'=HYPERLINK("http://evil.example","click")'
    assert (row["owner"], row["done_when"], row["addresses"]) == ("'@Sam", "'+1 on the drill", "'-2 incidents")
    assert row["status"] == "open"


def test_csv_with_no_actions_is_just_the_header():
    assert render_csv(Review()) == ",".join(CSV_HEADER) + "\n"


# ---------------------------------------------------------------- all renderers


@pytest.mark.parametrize("name", ["markdown", "client", "json", "csv"])
def test_renderers_take_review_and_names(review, name):
    for names in (False, True):
        out = RENDERERS[name](review, names=names)
        assert isinstance(out, str) and out.endswith("\n")
    assert "[/" not in RENDERERS[name](make_review(title="t"))  # no Rich markup of our own


def test_what_is_in_place_and_what_is_still_coming_are_chosen_by_each_action_state():
    def client(statuses):
        actions = [Action(what=f"change {n}", status=status, type="prevent", due="2026-12-15")
                   for n, status in enumerate(statuses)]
        return render_client(Review(title="t", actions=actions))

    nothing_yet = client(["open", "open"])
    assert "## What we have changed\n\nNothing is in place yet; what we are changing follows." in nothing_yet
    assert "- change 0: by 2026-12-15.\n- change 1: by 2026-12-15." in nothing_yet
    one_done = client(["done", "open"])
    assert "- change 0.\n\n## What we are changing" in one_done and "- change 1: by 2026-12-15." in one_done
    assert "All of these are in place." in client(["done", "done"])
    assert "This is in place." in client(["done", "not_doing"])

def test_markdown_heads_with_when_it_happened_and_for_how_long(review):
    assert "- Incident: 2026-11-20 15:05 to 15:27 Europe/Berlin (22 minutes)" in render_markdown(review)


def test_markdown_writes_out_what_an_action_addresses():
    from store.render import written_out

    review = make_review(factors=[{"kind": "trigger", "text": "A config push"},
                                  {"kind": "contributing", "text": "Retries doubled the load"}])
    assert written_out(review, "root cause of chain 1") == "Root cause: The deployment checklist does not require it"
    assert written_out(review, "Factor 2") == "Contributing factor: Retries doubled the load"
    assert written_out(review, "factor 1") == "Trigger: A config push"
    assert written_out(review, "chain 9 of nothing") == "chain 9 of nothing"  # not a reference: as typed
