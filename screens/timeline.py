"""Timeline: what happened when, with markers, and the durations they give."""

from __future__ import annotations

from datetime import date
from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Static

from screens.silent_writing import SilentWritingScreen, silent_help
from store import ops, silent
from store.model import MARKERS, Event
from store.timeline import (
    durations,
    event_time,
    parse_date,
    parse_time,
    show_duration,
    show_time,
    store_time,
)
from store.timeline_paste import PastePreview
from tui.item_editor import FieldSpec, ItemEditor, silent_mark
from tui.text import show_text


def split_marker(text: str) -> tuple[str | None, str]:
    """``started: Deploy begins`` -> ("started", "Deploy begins"); no marker word -> (None, text)."""
    head, colon, rest = text.partition(":")
    if colon and head.strip().lower() in MARKERS and rest.strip():
        return head.strip().lower(), rest.strip()
    return None, text


class TimelineScreen(SilentWritingScreen):
    """Events in time order; markers started, detected, mitigated, resolved."""

    STEP = "timeline"
    HAS_LISTS = True
    CARDS = "events"  # what silent writing (F3) is about here
    BINDINGS = [Binding("f5", "paste_events", "Paste", id="paste-events")]
    INTRO = (
        "What happened, when? A time (14:05, 2026-11-20 14:05, or ISO with offset), an optional marker, "
        "what happened. F5 pastes a chat, log or write-up."
    )
    HELP_TEXT = """
# Timeline

**What it is for:** a clear, factual sequence of events. It builds
credibility, and its markers give the durations everyone asks about: time to
detect, to mitigate and to resolve, counted from the start.

Times are read in the review's timezone (set in Setup). `14:05` is taken on
the day of the event before it (or the review date); `2026-11-20 14:05` and
ISO times such as `2026-11-20T14:05:00+00:00` work too. Events keep themselves
in time order.

**F5 pastes a timeline:** paste the incident channel (Slack, Teams, IRC), log
lines, written notes or a published write-up (Markdown tables too) into the
box; each line that starts with a time becomes an event, and the preview
lists the events (in the review's timezone, with the markers their words
suggest) and the lines it could not read. A date on its own line or in a
heading applies to the times below it. **F2** adds them all, **Escape** adds
nothing.
""" + silent_help("events")

    def compose_step(self) -> ComposeResult:
        marker_choices = [(marker.capitalize(), marker) for marker in MARKERS]
        yield from self.compose_session_line()
        yield ItemEditor(
            "timeline",
            "Timeline",
            [
                FieldSpec("at", "Time", "14:05", width="20", to_store=self.typed_time, to_show=self.shown_time),
                FieldSpec("marker", "Marker", "No marker", choices=marker_choices, width="15"),
                FieldSpec("text", "What happened (Enter: next event)", "e.g. Error-rate alert fires"),
            ],
            describe=self.describe_event,
            describe_context=lambda: self.review.timezone,
            noun="event",
            id="events",
        )
        yield Static("", id="durations")

    def start_step(self) -> None:
        self.query_one("#events", ItemEditor).action_new_item()

    def typed_time(self, text: str) -> str:
        """Store a typed time as ISO with offset when it parses; keep the text otherwise."""
        return store_time(text, self.review.timezone, self.default_day())

    def shown_time(self, at: str) -> str:
        return show_time(at, self.review.timezone)

    def default_day(self) -> date | None:
        """The day a bare ``14:05`` falls on: the latest other event's, else the review date."""
        editing = self.query_one("#events", ItemEditor).editing_id
        days = [
            moment.astimezone(moment.tzinfo).date()
            for event in self.seen_review.timeline  # not from others' events nobody may see yet
            if event.id != editing and (moment := event_time(event, self.review.timezone))
        ]
        return days[-1] if days else parse_date(self.review.review_date) or date.today()

    def describe_event(self, event: Event, index: int) -> str:
        return self.reveal_label("timeline", event) + silent_mark(event)

    def reveal_label(self, list_name: str, card: Event) -> str:
        """An event as its row shows it: its time, its marker, what happened."""
        marker = f"[{card.marker}] " if card.marker else ""
        when = show_time(card.at, self.review.timezone) if card.at else "(no time)"
        return f"{when}  {marker}{card.text}"

    def record_answer(self, question, answer: str) -> str:
        """Interview answers are "<time> [marker:] <what happened>"; the time is the first one or two words.

        An answer is refused as the form's check would flag it (no time, a time that is not one).
        """
        if question.target != "event":
            return super().record_answer(question, answer)
        event = self.answered_event(answer)
        refusal = self.answer_refusal([ops.Add("timeline", event)], "timeline.{id}")
        if not refusal:
            self.add_item("timeline", event)
        return refusal

    def answered_event(self, answer: str) -> dict:
        """The event an answer describes: its time from the first one or two words, else none."""
        words = answer.split()
        for count in (2, 1):
            at = " ".join(words[:count])
            if len(words) > count and parse_time(at, self.review.timezone, self.default_day()):
                marker, text = split_marker(" ".join(words[count:]))
                return {"at": self.typed_time(at), "text": text, "marker": marker}
        return {"at": "", "text": answer}

    def action_paste_events(self) -> None:
        """Open the paste dialog; its events are added only when the user confirms there."""
        from screens.timeline_paste import TimelinePasteDialog

        markers = {event.marker for event in self.review.timeline if event.marker}
        dialog = TimelinePasteDialog(self.review.timezone, self.review.review_date, markers)
        self.app.push_screen(dialog, self.add_pasted)

    def add_pasted(self, preview: PastePreview | None) -> None:
        """Add the confirmed events, on screen at once and on disk in one store transaction."""
        if not preview or not preview.events:
            return
        written = silent.card_fields(self.review, self.STEP, "timeline", self.app.live.me.name)  # hidden while silent
        if self.send(*(ops.Add("timeline", item | written, item_id=ops.fresh_item_id()) for item in preview.items())):
            count = len(preview.events)
            self.app.notify(f"Added {count} event{'s' if count != 1 else ''} from the paste.")

    def palette_commands(self) -> list[tuple[str, Any, str]]:
        return super().palette_commands() + [
            ("Paste a timeline (F5)", self.action_paste_events, "import events from a pasted chat, log or notes"),
        ]

    def refresh_checks(self) -> None:
        super().refresh_checks()
        self.show_durations()

    def show_durations(self) -> None:
        """The durations from the started marker, updated as you type (from the events this terminal sees)."""
        found = durations(self.seen_review)
        line = (
            f"Time to detect: {show_duration(found['to_detect'])}   "
            f"to mitigate: {show_duration(found['to_mitigate'])}   "
            f"to resolve: {show_duration(found['to_resolve'])}   "
            f"(times in {self.review.timezone})"
        )
        show_text(self.query_one("#durations", Static), line)
