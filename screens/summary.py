"""Summary: the written summary and the client summary, questions, follow-up date, export."""

from __future__ import annotations

from pathlib import Path

from textual.app import ComposeResult
from textual.binding import Binding
from textual.content import Content
from textual.widgets import Input, Markdown, Static, TextArea

from screens.step import StepScreen
from store.checks import check_report
from store.render import render_client, render_markdown
from tui.fields import Field
from tui.item_editor import FieldSpec, ItemEditor
from tui.line_input import LineInput


class SummaryScreen(StepScreen):
    """The result: what to share, the questions raised, and when to follow up."""

    STEP = "summary"
    HAS_LISTS = True
    INTRO = "Record the questions raised and the answers given, set the follow-up date, then export."
    HELP_TEXT = """
# Summary

**What it is for:** the written summary to share inside the team, and the
client-facing summary (names replaced by roles), plus the questions and
concerns raised and the 30-day follow-up date, when every action is reviewed.

**F3** switches the preview between the written summary and the client
summary. **F4** exports the one shown to a file (you are asked for the path).

"""

    BINDINGS = [
        Binding("f3", "toggle_client", "Written/Client", id="toggle-client"),
        Binding("f4", "export", "Export", id="export"),
    ]

    def __init__(self, review) -> None:
        super().__init__(review)
        self.client_view = False

    def compose_step(self) -> ComposeResult:
        yield Field("Follow-up date (YYYY-MM-DD)", LineInput(placeholder="review date + 30 days", id="follow-up"), "follow_up.due")
        yield Field("Overview: what happened and what we are changing (one paragraph)", TextArea(id="overview", soft_wrap=True), "summary")
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
        yield Markdown("", id="preview")

    def start_step(self) -> None:
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

    def on_review_stored(self, review) -> None:
        super().on_review_stored(review)
        self.show_preview()

    def show_preview(self) -> None:
        """Render the written or the client summary, as Markdown, from the stored review."""
        which = "Client summary (names replaced by roles)" if self.client_view else "Written summary"
        self.query_one("#preview-title", Static).update(Content(f"{which}: F3 switches, F4 exports"))
        text = render_client(self.review) if self.client_view else render_markdown(self.review)
        self.query_one("#preview", Markdown).update(text)

    def action_toggle_client(self) -> None:
        self.client_view = not self.client_view
        self.show_preview()

    def action_export(self) -> None:
        from screens.dialogs import PromptDialog

        suffix = "client" if self.client_view else "summary"
        default = str(Path.cwd() / f"{self.review.id}-{suffix}.md")
        self.app.push_screen(PromptDialog("Export to file:", default), self.export_to)

    def export_to(self, path: str | None) -> None:
        """Write the shown summary to ``path``, asking before replacing a file that exists."""
        if not path:
            return
        target = Path(path).expanduser()
        if target.exists():
            from screens.dialogs import ConfirmDialog

            question = f"{target} exists. Replace it with this summary?"
            self.app.push_screen(
                ConfirmDialog(question, confirm_label="Replace"),
                lambda replace: self.write_export(target) if replace else None,
            )
            return
        self.write_export(target)

    def write_export(self, target: Path) -> None:
        """Write the shown summary; a failure names the file."""
        self.app.flush_now()
        text = render_client(self.review) if self.client_view else render_markdown(self.review)
        try:
            target.write_text(text, encoding="utf-8")
        except OSError as error:
            self.app.notify(f"Could not write {target}: {error.strerror or error}", severity="error", markup=False)
            return
        errors = sum(1 for found in check_report(self.review).values() for p in found if p.level == "error")
        warning = f" (the review still has {errors} check error(s))" if errors else ""
        self.app.notify(f"Exported to {target}{warning}", markup=False)

    def palette_commands(self):
        return super().palette_commands() + [
            ("Export the summary", self.action_export, "Write the shown summary to a file"),
            ("Switch written / client summary", self.action_toggle_client, "Preview"),
        ]
