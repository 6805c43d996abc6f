"""Summary: the written summary and the client summary, questions, follow-up date, export."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.content import Content
from textual.widgets import Input, Markdown, Static

from screens.step import StepScreen
from store.render import render_client, render_markdown
from tui.fields import Field
from tui.item_editor import FieldSpec, ItemEditor
from tui.line_input import LineInput, TextBox


class SummaryScreen(StepScreen):
    """The result: what to share, the questions raised, and when to follow up."""

    STEP = "summary"
    HAS_LISTS = True
    INTRO = "Record the questions raised and the answers given, set the follow-up date, then export."
    HELP_TEXT = """
# Summary

**What it is for:** the written summary to share inside the team, and the
client-facing summary (people, hosts, addresses and links redacted), plus the questions and
concerns raised and the 30-day follow-up date, when every action is reviewed.

**F3** switches the preview between the written summary and the client
summary. **F4** exports the one shown to a file (you are asked for the path;
in a browser it arrives as a download).

"""

    BINDINGS = [
        Binding("f4", "export", "Export", id="export"),  # first: the footer cuts from the right at 60 columns
        Binding("f3", "toggle_client", "Written/Client", id="toggle-client"),
    ]

    def compose_step(self) -> ComposeResult:
        yield Field("Follow-up date (YYYY-MM-DD)", LineInput(placeholder="review date + 30 days", id="follow-up"), "follow_up.due")
        yield Field("Overview: what happened and what we are changing (one paragraph)", TextBox(id="overview", soft_wrap=True), "summary")
        yield Field(
            "Words to redact from the client summary (comma separated: host names, internal systems)",
            LineInput(placeholder="e.g. db-prod-7, kafka-west", id="redact"),
            "redact",
        )
        yield ItemEditor(
            "questions",
            "Questions and concerns",
            [FieldSpec("text", "Question or concern", "e.g. Will this affect the January release?"), FieldSpec("answer", "Answer given", "e.g. No: the fix ships in December")],
            describe=lambda item, index: f"{index}. {item.text}" + (f"  -> {item.answer}" if item.answer else ""),
            noun="question",
            id="questions",
        )
        yield Static("", id="preview-title")
        preview = Markdown("", id="preview")
        preview.can_focus = True  # Tab reaches it (the screen scrolls to it); PageUp/PageDown read on
        yield preview

    def start_step(self) -> None:
        self.move_status_forward()  # reaching the summary with every step passing: a draft goes to review
        self.show_preview()
        self.query_one("#follow-up", Input).focus()


    def shown_value(self, field: str):
        if field == "redact":
            return ", ".join(self.review.redact)
        return super().shown_value(field)

    def to_stored(self, field: str, value):
        if field == "redact":
            return [word.strip() for word in value.split(",") if word.strip()]
        return value

    def on_review_stored(self, review) -> bool:
        redrawn = super().on_review_stored(review)
        if redrawn:  # a card not revealed yet is in no summary
            self.show_preview()
        return redrawn

    def show_preview(self) -> None:
        """Render the written or the client summary, as Markdown, from the stored review."""
        which = "Client summary (people and hosts redacted)" if self.client_view else "Written summary"
        self.query_one("#preview-title", Static).update(Content(f"{which}: F3 switches, F4 exports, Tab or PageDown reads it"))
        text = render_client(self.review) if self.client_view else render_markdown(self.review)
        self.query_one("#preview", Markdown).update(text)

    def action_toggle_client(self) -> None:
        self.client_view = not self.client_view
        self.show_preview()

    def palette_commands(self):
        return super().palette_commands() + [
            ("Switch the preview: written / client summary (F3)", self.action_toggle_client, "preview client redacted"),
        ]
