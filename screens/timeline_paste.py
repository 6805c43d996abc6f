"""The paste dialog of the timeline step: paste a chat, log lines or notes; see the events; add them.

A terminal's bracketed paste lands in the focused TextArea in one piece, and
the preview under it is read again on every change, so the room sees which
lines became events (with their times in the review's timezone and the
markers proposed) and which were left out, before anything is added.  Nothing
is stored here: the dialog returns what the preview showed, and the timeline
step adds it in one store transaction.
"""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.widgets import Static, TextArea

from screens.dialogs import Dialog
from store.timeline import show_time
from store.timeline_paste import PastePreview, parse_paste
from tui.key_footer import KeyFooter
from tui.line_input import TextBox

HINT = "Paste a chat, log lines or notes; lines starting with a time become events."


class TimelinePasteDialog(Dialog[PastePreview | None]):
    """A box to paste into, and the events it would add; F2 adds them, Escape adds nothing."""

    DEFAULT_CSS = """
    TimelinePasteDialog {
        align: center top;
    }
    TimelinePasteDialog #paste-box {
        width: 100%;
        height: 1fr;
        border: thick $primary;
        background: $surface;
        padding: 0 1;
    }
    TimelinePasteDialog #paste-hint, TimelinePasteDialog #paste-summary {
        height: auto;
        color: $text-muted;
    }
    TimelinePasteDialog #paste-summary {
        color: $text;
        text-style: bold;
    }
    TimelinePasteDialog #paste-text {
        height: 1fr;
        min-height: 3;
    }
    TimelinePasteDialog #paste-preview-scroll {
        height: 1fr;
        min-height: 3;
    }
    TimelinePasteDialog #paste-preview {
        height: auto;
    }
    """

    BINDINGS = [
        Binding("f2", "add_events", "Add events", id="add-events", priority=True),
        Binding("escape", "cancel", "Cancel", id="cancel", priority=True),
    ]

    def __init__(self, tz_name: str, review_date: str, existing_markers: set[str]) -> None:
        super().__init__()
        self.tz_name = tz_name
        self.review_date = review_date
        self.existing_markers = frozenset(existing_markers)
        self.preview = PastePreview()

    def compose(self) -> ComposeResult:
        with Vertical(id="paste-box") as box:
            box.border_title = "Paste a timeline (F2 adds, Escape cancels)"
            yield Static(Content(HINT), id="paste-hint")
            yield TextBox(id="paste-text", soft_wrap=False, show_line_numbers=True)
            yield Static(Content(""), id="paste-summary")
            with VerticalScroll(id="paste-preview-scroll"):
                yield Static(Content(""), id="paste-preview")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.show_preview()
        self.query_one("#paste-text", TextArea).focus()

    @on(TextArea.Changed, "#paste-text")
    def read_again(self, event: TextArea.Changed) -> None:
        event.stop()  # the paste is not a field of the review
        self.show_preview()

    def show_preview(self) -> None:
        """Read the pasted text again and show what would be added, literally."""
        text = self.query_one("#paste-text", TextArea).text
        self.preview = parse_paste(text, self.tz_name, self.review_date, self.existing_markers)
        self.query_one("#paste-summary", Static).update(Content(self.summary()))
        self.query_one("#paste-preview", Static).update(preview_content(self.preview, self.tz_name))

    def summary(self) -> str:
        events, unread = len(self.preview.events), len(self.preview.unread)
        if not events and not unread:
            return f"Nothing pasted yet. Times without a zone are read in {self.tz_name}."
        left_out = f", {unread} line{'s' if unread != 1 else ''} not read" if unread else ""
        return f"{events} event{'s' if events != 1 else ''} to add{left_out} (times in {self.tz_name}):"

    def action_add_events(self) -> None:
        """Add what the preview shows; refuse, saying why, when it shows nothing."""
        if not self.preview.events:
            self.app.bell()
            self.app.notify("Nothing to add: no pasted line starts with a time.", severity="warning")
            return
        self.dismiss(self.preview)

    def action_cancel(self) -> None:
        self.dismiss(None)


def preview_content(preview: PastePreview, tz_name: str) -> Content:
    """Each event (time, proposed marker, text), then each line left out, as literal text."""
    rows: list[Content] = [Content.styled(f"Note: {note}", "italic") for note in preview.notes]
    for event in preview.events:
        marker = Content.styled(f"[{event.marker}] ", "bold") if event.marker else Content("")
        rows.append(Content(f"{show_time(event.at, tz_name)}  ").append(marker).append(Content(event.text)))
    for line in preview.unread:
        rows.append(Content.styled(f"line {line.line}, not read: ", "italic").append(Content(line.text)))
    return Content("\n").join(rows)
