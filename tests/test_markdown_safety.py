"""User text in the Markdown exports cannot make headings, tables, lists or raw HTML.

Read back with a real CommonMark parser (markdown-it-py, with GFM tables, as
GitHub or GitLab would show it): a summary holding ``\\n## Actions\\n| fake |``
makes no second Actions section, ``<script>`` and ``<img onerror=...>`` stay
text (in paragraphs and in table cells alike), and every user text is shown
exactly as typed.
"""

from __future__ import annotations

import pytest
from markdown_it import MarkdownIt

from store.model import Review
from store.render import render_client, render_markdown

SCRIPT = "<script>alert(1)</script>"
IMG = '<img src=x onerror="alert(2)">'
BREAKOUT = f"Real summary.\n## Actions\n| fake | row |\n|---|---|\n| a | b |\n{SCRIPT}\n\n{IMG}\n- listed\n1. numbered\n---"
TRICKS = ["# heading", "[link](http://evil)", "*emph* _emph_ `code`", "a | b", "&lt;b&gt;", "===", "> quote",
          "<!-- comment -->", "<http://auto.link>", "~~strike~~", "\\*not\\*", "+ plus"]


def hostile_review() -> Review:
    return Review.from_dict({
        "title": f"Title {SCRIPT} | x", "owner": "Lee", "facilitator": "Dana", "participants": ["Dana", "Lee"],
        "timezone": "UTC", "review_date": "2026-11-21", "summary": BREAKOUT, "impact": IMG,
        "timeline": [
            {"at": "2026-11-20T10:00:00+00:00", "text": f"{SCRIPT} | started", "marker": "started"},
            {"at": "2026-11-20T10:05:00+00:00", "text": "line one\n## line two", "marker": "resolved"},
        ],
        "five_whys": {"problem": "## problem", "chains": [{"whys": ["# why", IMG, "| root |"]}]},
        "went_well": [{"text": trick} for trick in TRICKS],
        "factors": [{"kind": "trigger", "text": f"## {SCRIPT} | f", "rationale": f"{IMG}\n# r"}],
        "actions": [{"what": f"{IMG} | what", "owner": "Sam", "due": "2026-12-15", "done_when": SCRIPT,
                     "type": "detect", "addresses": "| x |", "status": "open", "note": "## note"}],
        "questions": [{"text": "## q", "answer": f"{SCRIPT}\n## a"}],
        "follow_up": {"due": "2026-12-21", "held": None, "notes": "## notes\n| t |"},
    })


def parse(text: str):
    return MarkdownIt("commonmark").enable("table").parse(text)


def headings(tokens) -> list[str]:
    return [tokens[i + 1].content for i, token in enumerate(tokens) if token.type == "heading_open"]


MARKDOWN_HEADINGS = [
    f"Incident review: Title {SCRIPT} | x", "Summary", "Timeline", "Impact", "Five Whys", "Chain 1",
    "Contributing factors", "What went well", "Where we got lucky", "What could improve", "What surprised us",
    "What we did not know then", "Actions",
    "Questions and concerns", "Follow-up",
]


def test_the_written_summary_has_only_its_own_headings_and_tables():
    tokens = parse(render_markdown(hostile_review()))
    escaped = [h.replace("<", "\\<").replace(">", "\\>").replace("|", "\\|") for h in MARKDOWN_HEADINGS]
    assert headings(tokens) == escaped  # the source of each heading: the title's specials escaped
    assert sum(token.type == "table_open" for token in tokens) == 2  # the timeline and the actions
    assert sum(token.type == "tr_open" for token in tokens) == 3 + 2  # header + 2 events, header + 1 action
    assert not [token for token in tokens if token.type == "html_block"]
    inline_html = [child.content for token in tokens for child in token.children or [] if child.type == "html_inline"]
    assert set(inline_html) <= {"<br>"}  # the line breaks inside table cells, our own


@pytest.mark.parametrize("render", [render_markdown, render_client], ids=["markdown", "client"])
def test_no_user_text_becomes_html_and_each_is_shown_as_typed(render):
    html = MarkdownIt("commonmark").enable("table").render(render(hostile_review(), names=True))
    assert "<script" not in html and "<img" not in html and "<a " not in html and "<em>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<h2>Actions</h2>" not in html.split("<h2>Summary</h2>")[-1].split("<h2>Timeline</h2>")[0]
    for trick in TRICKS:
        if render is render_client:  # web addresses are redacted there, by their shape
            trick = trick.replace("http://evil", "a link").replace("http://auto.link", "a link")
        shown = trick.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
        assert shown in html, trick


def test_the_client_summary_has_only_its_own_headings():
    titles = headings(parse(render_client(hostile_review(), names=True)))
    assert titles[0].startswith("Post-mortem: Title")
    assert titles[1:] == ["What happened", "Root cause", "Impact", "What we did well",
                          "What we could have done better", "What we have changed", "What we are changing",
                          "Monitoring and alerting", "When we will review it", "Questions and concerns raised"]
