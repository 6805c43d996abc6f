"""Home: the saved reviews, newest first, what is due, and a search of the whole archive."""

from __future__ import annotations

from datetime import date

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.content import Content
from textual.screen import Screen
from textual.widgets import DataTable, Header, Input, Static

from store.archive import TextIndex, follow_up_pending, follow_up_state, overdue_actions, parse_query, search
from store.errors import StoreError
from store.model import REVIEW_STATUS_TITLES, ReviewSummary
from tui.key_footer import KeyFooter
from tui.step_indicator import SHORT_TITLES
from tui.line_input import LineInput

HELP = """
# Reviews

The saved reviews, newest first. **Open** counts the open actions and how
many of them are late ("3, 2 late"); **Follow-up** is the follow-up date,
or "late 12-21", "today", "soon 12-24" while it is pending, "held 12-23" once held.

Type to search every text of every review (title, timeline, whys, actions,
participants, tags ...): all the words must appear, in any case. Filter
words narrow the list in the same box:

| word | keeps |
|---|---|
| `kind:project` | project reviews (`kind:incident`) |
| `sev:1` or `sev:SEV1` | that severity |
| `tag:database` | reviews with that tag |
| `status:open` | an action is open or slipped |
| `status:done` | no action is open |
| `status:due` | follow-up due or late, or an action late |
| `review:draft` | review status draft (`review:in`, `review:reviewed`, `review:closed`) |
| `since:2026-01-01` | review date on or after |
| `until:2026-03-31` | review date on or before |

For example `checkout kind:incident status:due`.

| key | does |
|---|---|
| Up / Down | choose a review |
| Enter | open it where it stopped |
| F2 | hold the follow-up of the chosen review |
| F3 | statistics across all reviews |
| ctrl+n | new incident review |
| ctrl+r | new project review |
| ctrl+d or F8 | delete the chosen review (asks first) |
| F1 | this help |
| ctrl+p | command palette |
| ctrl+q | quit |

Everything is saved as you type; reviews live in one file (see the README).
"""


FIRST_ROWS = 40  # more than a screenful at any sensible size
CHUNK_ROWS = 100  # rows added per frame after the first screenful (a few ms each)


def column_layout(width: int) -> list[tuple[str, str, int]]:
    """(key, label, width) of each column for a table ``width`` cells wide; the title takes what is left.

    The due marks (Open, Follow-up) and the review status always stay; the
    kind needs 96 columns and the time of the last change 110 (the list is
    newest first anyway).
    """
    columns = [("id", "ID", 7), ("title", "Title", 0)]
    if width >= 96:
        columns.append(("kind", "Kind", 8))
    columns += [("step", "Step", 8), ("status", "Status", 9)]
    if width >= 110:
        columns.append(("changed", "Changed", 11))
    columns += [("open", "Open", 9), ("follow_up", "Follow-up", 10)]
    used = sum(size for *_, size in columns) + 2 * len(columns)  # each cell has one space either side
    return [(key, label, size or max(8, width - used)) for key, label, size in columns]


class HomeScreen(Screen):
    """The list of saved reviews."""

    BINDINGS = [
        Binding("ctrl+n", "new_review('incident')", "Incident", id="new-incident", priority=True),
        Binding("ctrl+r", "new_review('project')", "Project", id="new-project", priority=True),
        Binding("ctrl+d,f8", "delete_review", "Delete", id="delete", priority=True),
        # Help before the new keys, so a narrow footer drops Stats, not Help.
        Binding("f1", "help", "Help", id="help", priority=True),
        Binding("f2", "follow_up", "Follow-up", id="follow-up", priority=True),
        Binding("f3", "stats", "Stats", id="stats", priority=True),
        Binding("up", "move(-1)", "Up", show=False, id="up"),
        Binding("down", "move(1)", "Down", show=False, id="down"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.reviews: list[ReviewSummary] = []
        self._fill_generation = 0
        self._texts = TextIndex()
        self._texts_stale = True
        self._texts_found: dict[str, str] = {}
        self._texts_searched = False  # the texts arrived at least once
        self._texts_failed = False  # the last read of the texts failed
        self._columns: list[tuple[str, str, int]] = []
        self._shown: tuple = ()  # what the table holds: rows, day and columns
        self._listed = False  # the list was read at least once (until then, nothing is known to be empty)
        self._listing = False  # the list is being read (off the event loop)
        self._list_again = False  # asked for again while it was being read
        self._texts_reading = False  # the texts for word search are being read (off the event loop)
        self._not_read = ""  # why the archive could not be read, as the line under the list says it

    def compose(self) -> ComposeResult:
        yield Header(icon="=")
        yield LineInput(placeholder="Search text, or kind: sev: tag: status: review: since: (F1)", id="filter")
        yield DataTable(id="reviews", cursor_type="row", zebra_stripes=True)
        yield Static("", id="empty")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.show_creating(self.app.creating)
        self._set_columns()
        self.query_one("#filter", Input).focus()

    def show_creating(self, creating: bool) -> None:
        """The header says so while a new review is being stored or one is being read to be opened (tui.app)."""
        read_only = "  READ-ONLY: nothing can be changed" if self.app.store.read_only else ""
        opening = f"  opening {self.app.opening}..." if self.app.opening else ""
        self.sub_title = "Reviews" + read_only + ("  creating a new review..." if creating else "") + opening

    def on_resize(self) -> None:
        """A new width may call for other columns; the rows are redrawn only when it does."""
        if self._set_columns():
            self.show_reviews()

    def _set_columns(self) -> bool:
        """Lay the columns out for the screen's width (margins and scrollbar left out); True if they changed."""
        columns = column_layout(self.size.width - 4)
        if columns == self._columns:
            return False
        table = self.query_one(DataTable)
        table.clear(columns=True)
        for key, label, width in columns:
            table.add_column(label, width=width, key=key)
        self._columns = columns
        return True

    @property
    def listed(self) -> bool:
        """Whether the list has been read once (until then the line under it says the archive is being read)."""
        return self._listed

    def on_screen_resume(self) -> None:
        """Load the list when the screen is first shown and whenever it is shown again."""
        self.load_reviews()

    def reload_from_store(self) -> None:
        """Another process changed the file: show the new list."""
        self.load_reviews()

    def load_reviews(self) -> None:
        """Read the list of reviews off the event loop (a disk, a lock, a database server can make it wait).

        Until the first read arrives the line under the list says the archive
        is being read; a later read keeps the list shown meanwhile.  One read at
        a time: asked again meanwhile, it reads once more after.
        """
        if self._listing:
            self._list_again = True
            return
        self._listing = True
        if not self._listed and self.is_mounted:
            self._show_empty_note(False)
        self.app.read_list(self._list_read, self._list_not_read)

    def _list_read(self, reviews: list[ReviewSummary]) -> None:
        self.reviews, self._listed, self._not_read = reviews, True, ""
        self._texts_stale = True  # brought up to date at the next word search, not before
        self._list_done()

    def _list_not_read(self, error: Exception) -> None:
        """Say why (the file or the server named); the list as last read stays, and the screen stays usable."""
        if isinstance(error, StoreError):
            self.reviews = []  # a damaged archive; one not reachable now keeps the list as last read
        self._listed = True
        self._say_not_read(error, "Not read")
        self._list_done()

    def _say_not_read(self, error: Exception, title: str) -> None:
        """The line under the list and a notice: why the archive could not be read, naming the file or server."""
        from tui.app import _in_words

        self._not_read = f"The archive could not be read: {_in_words(error)}"
        self.app.report_error(error, title=title)

    def _list_done(self) -> None:
        self._listing = False
        if self.shows_now():
            self.show_reviews()
        if self._list_again:
            self._list_again = False
            self.load_reviews()

    def search_texts(self) -> dict[str, str]:
        """Every review's text for word search, as last read; a stale one is read again off the event loop.

        Only reviews changed since the last search are re-read; the rows are
        searched again when the texts arrive.
        """
        if self._texts_stale and not self._texts_reading:
            self._texts_reading = True
            self._texts_stale = False
            self.app.off_loop(lambda: self.app.store.search_texts(self._texts), self._texts_read,
                              self._texts_not_read)
        return self._texts_found

    def _texts_read(self, texts: dict[str, str]) -> None:
        self._texts_found, self._texts_searched, self._not_read = texts, True, ""
        self._texts_done()

    def _texts_not_read(self, error: Exception) -> None:
        """Say why (the file or the server named); the next key or list read tries again."""
        self._texts_failed = True  # read again at the next key, not at once (a server down would be asked forever)
        self._say_not_read(error, "Not searched")
        self._texts_done()

    def _texts_done(self) -> None:
        self._texts_reading = False
        if self.shows_now():
            self.show_reviews()

    def shows_now(self) -> bool:
        """On top and not being torn down: a read that arrives later is shown when the screen is shown again."""
        return self.is_current and self.app.screen_can_redraw()

    def show_reviews(self) -> None:
        """Fill the table with the reviews that match the search.

        The first screenful is added at once and the rest a chunk per frame,
        so a file of thousands of reviews opens quickly and typing in the
        search box never waits for rows nobody can see yet.  When the search
        finds the rows already shown (a word every review holds), nothing is
        redrawn.
        """
        table = self.query_one(DataTable)
        query, problems = parse_query(self.query_one("#filter", Input).value)
        day = self.app.today()
        rows = search(self.reviews, query, day, self.search_texts() if query.words else None)
        self._show_empty_note(bool(rows), problems)
        shown = (tuple(rows), day, tuple(self._columns))
        if shown == self._shown:
            return
        self._shown = shown
        chosen = self.chosen_id()
        table.clear()
        self._fill_generation += 1
        self._add_rows(rows[:FIRST_ROWS], chosen)
        if rows[FIRST_ROWS:]:
            self.call_after_refresh(self._add_rest, rows[FIRST_ROWS:], chosen, self._fill_generation)

    def _add_rows(self, rows: list[ReviewSummary], chosen: str | None) -> None:
        table = self.query_one(DataTable)
        day = self.app.today()
        for review in rows:
            table.add_row(*self._cells(review, day), key=review.id)
            if review.id == chosen:
                table.move_cursor(row=table.row_count - 1)

    def _add_rest(self, rows: list[ReviewSummary], chosen: str | None, generation: int) -> None:
        """Add the next chunk of rows after a frame, unless the search has changed since."""
        if generation != self._fill_generation:
            return
        self._add_rows(rows[:CHUNK_ROWS], chosen)
        if rows[CHUNK_ROWS:]:
            self.call_after_refresh(self._add_rest, rows[CHUNK_ROWS:], chosen, generation)

    def _show_empty_note(self, any_shown: bool, problems: list[str] = ()) -> None:
        """The line under the list: why nothing is shown, or which filter word cannot be used (yet)."""
        empty = self.query_one("#empty", Static)
        words = parse_query(self.query_one("#filter", Input).value)[0].words
        if not any_shown and (not self._listed or (words and self._texts_reading and not self._texts_searched)):
            note = "Reading the archive…"
        elif self._not_read and not any_shown:
            note = self._not_read
        elif not self.reviews:
            note = "No reviews yet. ctrl+n starts an incident review, ctrl+r a project review."
        elif problems:
            note = "Filter left out: " + "; ".join(problems)
        elif not any_shown:
            note = "No review matches the filter."
        else:
            note = ""
        empty.update(Content(note))

    def _cells(self, review: ReviewSummary, day: date) -> list[Text]:
        """One row, in the order of the columns the current width shows."""
        cells = dict(
            id=Text(review.id),
            title=Text(review.title or "(untitled)", no_wrap=True, overflow="ellipsis"),
            kind=Text(review.kind),
            step=Text(SHORT_TITLES.get(review.step, review.step)),
            status=Text(REVIEW_STATUS_TITLES.get(review.review_status, review.review_status)),
            changed=Text(review.updated[5:16].replace("T", " ")),  # MM-DD HH:MM
            open=open_actions_cell(review, day),
            follow_up=follow_up_cell(review, day),
        )
        return [cells[key] for key, _, _ in self._columns]

    @on(Input.Changed, "#filter")
    def filter_reviews(self) -> None:
        """Search as you type: over 1,000 reviews a keystroke costs a few milliseconds, so no debounce."""
        if self._texts_failed:
            self._texts_failed, self._texts_stale = False, True
        self.show_reviews()

    def action_move(self, offset: int) -> None:
        table = self.query_one(DataTable)
        if table.row_count:
            table.move_cursor(row=max(0, min(table.row_count - 1, table.cursor_row + offset)))

    def chosen_id(self) -> str | None:
        table = self.query_one(DataTable)
        if not table.row_count:
            return None
        return table.coordinate_to_cell_key((table.cursor_row, 0)).row_key.value

    @on(Input.Submitted, "#filter")
    @on(DataTable.RowSelected)
    def open_chosen(self) -> None:
        """Enter: open the chosen review where it stopped."""
        review_id = self.chosen_id()
        if review_id is not None:
            self.app.open_review(review_id)

    def action_new_review(self, kind: str) -> None:
        self.app.create_review(kind)

    def action_follow_up(self) -> None:
        """Hold the follow-up of the chosen review: each open action marked done, slipped or dropped."""
        review_id = self.chosen_id()
        if review_id is None:
            self.app.notify("Choose a review first.")
            return
        self.app.open_follow_up(review_id)

    def action_stats(self) -> None:
        """What the archive says across reviews: time to detect and resolve, actions done."""
        self.app.open_stats()

    def action_delete_review(self) -> None:
        from screens.dialogs import ConfirmDialog

        review_id = self.chosen_id()
        if review_id is None:
            return
        review = next(r for r in self.reviews if r.id == review_id)
        question = f"Delete review {review.id}?\n\n{review.title or '(untitled)'}\n\nThis cannot be undone."

        def delete(confirmed: bool | None) -> None:
            if confirmed:  # off the event loop: it waits for the review's writers
                self.app.delete_review(review_id, then=self.load_reviews)
            self.query_one("#filter", Input).focus()

        self.app.push_screen(ConfirmDialog(question), delete)

    def action_help(self) -> None:
        from screens.dialogs import HelpDialog

        self.app.push_screen(HelpDialog("Reviews", HELP))

    def palette_commands(self) -> list[tuple[str, object, str]]:
        """The main actions for the command palette."""
        return [
            ("New incident review (ctrl+n)", lambda: self.action_new_review("incident"), "start at setup create"),
            ("New project review (ctrl+r)", lambda: self.action_new_review("project"), "start at setup create"),
            ("Open the chosen review (Enter)", self.open_chosen, "resume where it stopped"),
            ("Hold the follow-up of the chosen review (F2)", self.action_follow_up, "30 days actions done slipped"),
            ("Statistics across reviews (F3)", self.action_stats, "stats median time to resolve"),
            ("Delete the chosen review (ctrl+d or F8)", self.action_delete_review, "remove, asks first"),
            ("Help (F1)", self.action_help, "keys of this screen"),
        ]


def open_actions_cell(review: ReviewSummary, day: date) -> Text:
    """Open actions, and how many are late, in words ("3, 2 late"); late is also bold red."""
    late = overdue_actions(review, day)
    if not late:
        return Text(str(review.open_actions))
    return Text.assemble(f"{review.open_actions}, ", (f"{late} late", "bold red"))


def follow_up_cell(review: ReviewSummary, day: date) -> Text:
    """The follow-up date, or what state it is in: "late 12-21", "today", "soon 12-24", "held 12-23"."""
    state = follow_up_state(review, day)
    if state == "overdue":
        return Text(f"late {review.follow_up[5:10]}", style="bold red")
    if state == "due":
        return Text("today", style="bold yellow")
    if state == "soon":
        return Text(f"soon {review.follow_up[5:10]}")
    if review.follow_up_held and not follow_up_pending(review):
        return Text(f"held {review.follow_up_held[5:10]}")
    return Text(review.follow_up)
