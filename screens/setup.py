"""Setup: what kind of review, its title, severity, who owns the write-up, who takes part."""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.widgets import Input

from screens.step import StepScreen
from store import ops
from store.links import read_links, show_links
from store.model import DEFAULT_TIMEBOXES, KINDS, REVIEW_STATUS_TITLES, REVIEW_STATUSES, SEVERITIES, STEPS
from store.prompts import GROUND_RULES_IN_BRIEF
from tui.choice_select import ChoiceSelect
from tui.fields import Field
from tui.step_indicator import SHORT_TITLES
from tui.line_input import LineInput

class SetupScreen(StepScreen):
    """The first step: the facts about the review itself."""

    STEP = "setup"
    INTRO = GROUND_RULES_IN_BRIEF
    HELP_TEXT = """
# Setup

**What it is for:** the facts every later step relies on: what kind of review
this is, what to call it, how severe it was, who owns the write-up (one
person), who facilitates and who takes part, and the timezone the timeline
times are read in.


Participants and tags are separated by commas; tags (say `database`,
`checkout`) find the review again later (`tag:database` in the home search).
Times typed later (for example `14:05`) are read in the timezone given here,
such as `UTC` or `Europe/Berlin`.

**Review status**: draft while it is written, in review while the team
discusses it, reviewed once agreed, closed once its follow-up is done. The
home list shows it (`review:draft` filters on it). **Links** (tickets,
dashboards, the incident channel) are separated by commas; each is a label
and then its address: `Incident channel #inc-checkout, Ticket INC-123
https://jira.example.com/INC-123, https://dash.example.com` (the last word
of each is the address; a bare address needs no label).
"""

    def compose_step(self) -> ComposeResult:
        yield Field("Kind", ChoiceSelect([(k.capitalize(), k) for k in KINDS], allow_blank=False, id="kind", what="Kind"), "kind")
        yield Field("Title", LineInput(placeholder="e.g. Checkout API returned HTTP 500s", id="title"), "title")
        yield Field(
            "Severity (incidents)",
            ChoiceSelect([(s, s) for s in SEVERITIES], prompt="No severity", id="severity", what="Severity"),
            "severity",
        )
        yield Field("Owner of the write-up (one person)", LineInput(placeholder="e.g. Lee", id="owner"), "owner")
        yield Field("Facilitator", LineInput(placeholder="e.g. Dana", id="facilitator"), "facilitator")
        yield Field(
            "Participants (comma separated)",
            LineInput(placeholder="e.g. Dana, Lee, Sam", id="participants"),
            "participants",
        )
        yield Field("Timezone of the timeline", LineInput(placeholder="e.g. UTC or Europe/Berlin", id="timezone"), "timezone")
        yield Field("Review date (YYYY-MM-DD)", LineInput(placeholder="e.g. 2026-11-21", id="review_date"), "review_date")
        yield Field(
            "Review status",
            ChoiceSelect([(REVIEW_STATUS_TITLES[s].capitalize(), s) for s in REVIEW_STATUSES], allow_blank=False,
                         id="review_status", what="Review status"),
            "review_status",
        )
        yield Field(
            "Links: a label, then the address; comma separated",
            LineInput(placeholder="e.g. Incident channel #inc-checkout, Dashboard https://dash.example.com", id="links"),
            "links",
        )
        yield Field(
            "Tags (comma separated, to find the review again)",
            LineInput(placeholder="e.g. database, checkout", id="tags"),
            "tags",
        )
        yield Field(
            "Timebox minutes per step: " + " ".join(SHORT_TITLES[step] for step in STEPS),
            LineInput(placeholder=" ".join(str(DEFAULT_TIMEBOXES[step]) for step in STEPS), id="timeboxes"),
            "timeboxes",
        )

    def start_step(self) -> None:
        self.query_one("#title", Input).focus()
        if not self.review.ground_rules_confirmed:
            from screens.dialogs import GroundRulesDialog

            self.app.push_screen(GroundRulesDialog(), self.ground_rules_answered)

    def ground_rules_answered(self, agreed: bool | None) -> None:
        """Setup starts once the facilitator confirms the ground rules; otherwise back home."""
        if agreed:
            self.send(ops.Set("ground_rules_confirmed", True))
            if self.app.solo:
                self.focus_interview()
            else:
                self.query_one("#title", Input).focus()
        else:
            if self.app.just_created == self.review.id:
                self.app.delete_review(self.review.id)  # nothing was typed into it yet
                self.app.notify("The review was not started; nothing was kept.")
            self.action_home()

    def shown_value(self, field: str) -> Any:
        if field == "participants":
            return ", ".join(self.review.participants)
        if field == "tags":
            return ", ".join(self.review.tags)
        if field == "links":
            return show_links(self.review.links)
        if field == "timeboxes":
            return " ".join(str(self.review.timebox(step)) for step in STEPS)
        return super().shown_value(field)

    def to_stored(self, field: str, value: Any) -> Any:
        if field in ("participants", "tags"):
            return [name.strip() for name in value.split(",") if name.strip()]
        if field == "links":
            return read_links(value)
        if field == "timeboxes":
            minutes = [int(token) for token in value.replace(",", " ").split() if token.isdigit()]
            return dict(zip(STEPS, minutes))
        if field == "severity" and isinstance(value, str):
            level = value.strip().upper().removeprefix("SEV").strip()
            return f"SEV{level}" if level else ""
        return value.strip() if isinstance(value, str) and field in ("timezone", "review_date") else value

    def set_field(self, field: str, value: Any, typing: bool = False) -> bool:
        accepted = super().set_field(field, value, typing)
        if field == "title":
            self.show_title()
        return accepted

    def on_review_stored(self, review) -> bool:
        redrawn = super().on_review_stored(review)
        self.show_title()
        return redrawn
