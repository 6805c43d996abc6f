"""Statistics: what the archive of reviews says across reviews.

The same numbers as ``postmortem stats`` (both come from
:func:`store.stats.archive_stats` and are worded by :mod:`tui.cli_stats`), laid
out as tables, plus one chart where a chart reads better than a table: the
median time to resolve per quarter as labelled bars from zero, so quarters
can be compared at a glance (and read without colour).  Read-only: the
content scrolls with the arrows and Page Up/Down; Escape goes back.
"""

from __future__ import annotations


from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import DataTable, Header, Static

from store.stats import ArchiveStats, QuarterStats, archive_stats
from store.timeline import show_duration
from tui.key_footer import KeyFooter
from tui.cli_stats import TIMED_NOTE, action_lines, impact_lines, quarter_row, reviews_line, spread_lines
from tui.text import show_text

HELP = """
# Statistics

What the saved reviews say across reviews, the same numbers as
`postmortem stats`.

- **By quarter**: how many reviews, and the median time to detect and to
  resolve. A review's quarter is that of its started marker, or of its review
  date when it has none. Only reviews with both markers count in a median;
  `n` says how many did. Below it, the **middle half** of all reviews' times
  (the quartiles: a mean would be dragged by one long incident), how many
  reviews name each **impact category**, and the **near misses**, which are
  left out of every time (they are not outages).
- **Median time to resolve**: the same medians as bars from zero, one per
  quarter; `-` where no review of the quarter has the markers.
- **Actions**: counts by status; the completion rate is done out of every
  action that is not dropped or not being done (those count neither way); overdue
  actions are open or slipped with a due date before today.
- **Root-cause words**: the most frequent words of the root causes (the last
  answer of each Five Whys chain), each counted once per root cause, without
  words such as "the" or "because".

| key | does |
|---|---|
| Up / Down, Page Up / Page Down | scroll |
| F4 | all reviews, incidents only, projects only (project durations run to weeks) |
| Escape | back |
| F1 | this help |
| ctrl+q | quit |
"""

BAR_WIDTH = 30  # fits beside the quarter and the value at 60 columns
BAR = "\u2588"  # a full block: single width, drawn the same in every terminal font
NO_REVIEWS = "No reviews yet. Start one from the list of reviews (ctrl+n)."


READING = "Reading the archive…"


class StatsScreen(Screen):
    """The statistics of every saved review: quarters, a chart, actions, root-cause words."""

    DEFAULT_CSS = """
    StatsScreen #stats-body {
        padding: 0 1;
    }
    StatsScreen .stats-heading {
        text-style: bold;
        margin: 1 0 0 0;
    }
    StatsScreen DataTable {
        height: auto;
        max-height: 100%;
        width: auto;
    }
    StatsScreen Static {
        height: auto;
    }
    StatsScreen .stats-note {
        color: $text-muted;
    }
    """

    BINDINGS = [
        Binding("escape", "back", "Back", id="back"),
        Binding("f1", "help", "Help", id="help"),
        Binding("f4", "next_kind", "All/incidents/projects", id="kind"),
    ]

    KINDS = (None, "incident", "project")

    def __init__(self) -> None:
        super().__init__()
        self._counting = False  # the figures are being worked out (off the event loop)
        self._count_again = False  # asked for again meanwhile
        self._counted = False  # figures were shown at least once
        self.kind: str | None = None  # None: every review; project durations run to weeks, so they can be split out

    def compose(self) -> ComposeResult:
        yield Header(icon="=")
        with VerticalScroll(id="stats-body"):
            yield Static("", id="overview")
            yield Static(Content("Time to detect and resolve, by quarter"), classes="stats-heading data")
            yield _table("quarters", "Quarter", "Reviews", "Median to detect", "Median to resolve")
            yield Static(Content(TIMED_NOTE.replace("\n", " ")), id="timed-note", classes="stats-note data")
            yield Static("", id="spread", classes="data")
            yield Static(Content("Median time to resolve, by quarter"), classes="stats-heading data")
            yield Static("", id="chart", classes="data")
            yield Static(Content("Action follow-through"), classes="stats-heading data")
            yield Static("", id="actions", classes="data")
            yield Static("", id="words-heading", classes="stats-heading data")
            yield _table("words", "Word", "Root causes")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.show_kind()
        self.query_one("#stats-body").focus()
        self.load_stats()

    def reload_from_store(self) -> None:
        """Another process changed the file: recount."""
        self.load_stats()

    def load_stats(self) -> None:
        """Count every review in the store as of today, off the event loop (a disk or a server can make it wait).

        Until the first count arrives the screen says the archive is being
        read; one count at a time, and asked again meanwhile, once more after.
        """
        if self._counting:
            self._count_again = True
            return
        self._counting = True
        if not self._counted:
            self.show_note(READING)
        kind, today, store = self.kind, self.app.today(), self.app.store

        def count() -> ArchiveStats:
            reviews = [review for review in store.reviews_for_stats() if kind in (None, review.kind)]
            return archive_stats(reviews, today)

        self.app.off_loop(count, self._counted_now, self._not_counted)

    def _counted_now(self, figures: ArchiveStats) -> None:
        self._counted = True
        if self.is_current and self.app.screen_can_redraw():
            self.show_stats(figures)
        self._count_done()

    def _not_counted(self, error: Exception) -> None:
        """Say why (the file or the server named); the figures as last counted stay, and Escape still works."""
        from tui.app import _in_words

        self.app.report_error(error, title="Not read")
        if not self._counted and self.is_current and self.app.screen_can_redraw():
            self.show_note(f"The archive could not be read: {_in_words(error)}")
        self._count_done()

    def _count_done(self) -> None:
        self._counting = False
        if self._count_again:
            self._count_again = False
            self.load_stats()

    def show_note(self, note: str) -> None:
        """Only one line on the screen: the archive is being read, or could not be."""
        for part in self.query(".data"):
            part.display = False
        show_text(self.query_one("#overview", Static), note)

    def show_kind(self) -> None:
        self.sub_title = {None: "Statistics", "incident": "Statistics: incidents", "project": "Statistics: projects"}[self.kind]

    def action_next_kind(self) -> None:
        """All reviews, then incidents only, then projects only."""
        self.kind = self.KINDS[(self.KINDS.index(self.kind) + 1) % len(self.KINDS)]
        self.show_kind()
        self.load_stats()

    def show_stats(self, figures: ArchiveStats) -> None:
        """Fill every part of the screen; with no reviews, only say so."""
        for part in self.query(".data"):
            part.display = bool(figures.reviews)
        show_text(self.query_one("#overview", Static), reviews_line(figures) if figures.reviews else NO_REVIEWS)
        self._fill_quarters(figures)
        spread = self.query_one("#spread", Static)
        show_text(spread, "\n".join(spread_lines(figures) + impact_lines(figures)))
        spread.display = bool(figures.reviews) and bool(spread_lines(figures) + impact_lines(figures))
        self.query_one("#chart", Static).update(resolve_chart(figures.quarters))
        show_text(self.query_one("#actions", Static), "\n".join(action_lines(figures)))
        self._fill_words(figures)

    def _fill_quarters(self, figures: ArchiveStats) -> None:
        table = self.query_one("#quarters", DataTable)
        table.clear()
        for quarter in [*figures.quarters, figures.overall]:
            table.add_row(*(Text(cell) for cell in quarter_row(quarter)), key=quarter.quarter)

    def _fill_words(self, figures: ArchiveStats) -> None:
        table = self.query_one("#words", DataTable)
        table.clear()
        for word, count in figures.top_words:
            table.add_row(Text(word), Text(str(count)), key=word)
        table.display = bool(figures.top_words)
        heading = f"Root-cause words (of {figures.root_causes} root causes)"
        if not figures.top_words:
            heading = f"Root-cause words: none yet ({figures.root_causes} root causes)"
        show_text(self.query_one("#words-heading", Static), heading)

    def action_back(self) -> None:
        self.app.pop_screen()

    def action_help(self) -> None:
        from screens.dialogs import HelpDialog

        self.app.push_screen(HelpDialog("Statistics", HELP))

    def palette_commands(self) -> list[tuple[str, object, str]]:
        """The main actions for the command palette."""
        return [
            ("Back to the list of reviews (Escape)", self.action_back, "leave the statistics"),
            ("Help (F1)", self.action_help, "what the numbers mean, and the keys"),
            ("All reviews, incidents or projects (F4)", self.action_next_kind, "filter kind switch"),
        ]


def _table(table_id: str, *labels: str) -> DataTable:
    """A read-only table: no cursor and no focus, so the arrows scroll the whole screen."""
    table = DataTable(id=table_id, classes="data", show_cursor=False, zebra_stripes=True)
    table.can_focus = False
    for label in labels:
        table.add_column(label)
    return table


def resolve_chart(quarters: list[QuarterStats]) -> Content:
    """One labelled bar per quarter, from zero to its median time to resolve.

    The longest bar is the longest median; a quarter with a median above zero
    shows at least one block, one without timed reviews shows ``-``.
    """
    longest = max((q.median_to_resolve or 0 for q in quarters), default=0)
    width = max((len(q.quarter) for q in quarters), default=0)
    lines = []
    for quarter in quarters:
        seconds = quarter.median_to_resolve
        blocks = max(1, round(BAR_WIDTH * seconds / longest)) if seconds and longest else 0
        lines.append(
            Content.assemble(
                f"{quarter.quarter:<{width}}  ",
                (BAR * blocks, "$primary"),
                f"{' ' if blocks else ''}{show_duration(seconds)}",
            )
        )
    return Content("\n").join(lines)
