"""Home: the saved reviews, newest first, with keys to start, open, filter and delete."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.content import Content
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Input, Static

from store.errors import StoreError
from store.model import ReviewSummary
from tui.step_indicator import SHORT_TITLES

HELP = """
# Reviews

The saved reviews, newest first. Type to filter by title or id.

| key | does |
|---|---|
| Up / Down | choose a review |
| Enter | open it where it stopped |
| ctrl+n | new incident review |
| ctrl+r | new project review |
| ctrl+d or F8 | delete the chosen review (asks first) |
| F1 | this help |
| ctrl+p | command palette |
| ctrl+q | quit |

Everything is saved as you type; reviews live in one file (see the README).
"""


FIRST_ROWS = 40  # more than a screenful at any sensible size


class HomeScreen(Screen):
    """The list of saved reviews."""

    BINDINGS = [
        Binding("ctrl+n", "new_review('incident')", "New incident", id="new-incident", priority=True),
        Binding("ctrl+r", "new_review('project')", "New project", id="new-project", priority=True),
        Binding("ctrl+d,f8", "delete_review", "Delete", id="delete", priority=True),
        Binding("up", "move(-1)", "Up", show=False, id="up"),
        Binding("down", "move(1)", "Down", show=False, id="down"),
        Binding("f1", "help", "Help", id="help"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.reviews: list[ReviewSummary] = []
        self._fill_generation = 0

    def compose(self) -> ComposeResult:
        yield Header(icon="=")
        yield Input(placeholder="Type to filter reviews by title or id", id="filter")
        yield DataTable(id="reviews", cursor_type="row", zebra_stripes=True)
        yield Static("", id="empty")
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = "Reviews"
        table = self.query_one(DataTable)
        # Widths that fit 80 columns; the title takes what is left and is cut with an ellipsis.
        for label, width in (("ID", 7), ("Title", 16), ("Kind", 8), ("Step", 8), ("Changed", 11), ("Open", 4), ("Follow-up", 10)):
            table.add_column(label, width=width)
        self.query_one("#filter", Input).focus()

    def on_screen_resume(self) -> None:
        """Load the list when the screen is first shown and whenever it is shown again."""
        self.load_reviews()

    def reload_from_store(self) -> None:
        """Another process changed the file: show the new list."""
        self.load_reviews()

    def load_reviews(self) -> None:
        try:
            self.reviews = self.app.store.list_summaries()
        except StoreError as error:
            self.app.report_error(error)
            self.reviews = []
        self.show_reviews()

    def show_reviews(self) -> None:
        """Fill the table with the reviews that match the filter.

        The first screenful is added at once and the rest after the first
        frame, so a file of thousands of reviews still opens quickly.
        """
        table = self.query_one(DataTable)
        wanted = self.query_one("#filter", Input).value.strip().lower()
        chosen = self.chosen_id()
        table.clear()
        rows = [
            review
            for review in self.reviews
            if not wanted or wanted in review.title.lower() or wanted in review.id.lower()
        ]
        self._fill_generation += 1
        self._add_rows(rows[:FIRST_ROWS], chosen)
        if rows[FIRST_ROWS:]:
            generation = self._fill_generation
            self.call_after_refresh(self._add_rest, rows[FIRST_ROWS:], chosen, generation)
        self._show_empty_note(bool(rows))

    def _add_rows(self, rows: list[ReviewSummary], chosen: str | None) -> None:
        table = self.query_one(DataTable)
        for review in rows:
            table.add_row(*self._cells(review), key=review.id)
            if review.id == chosen:
                table.move_cursor(row=table.row_count - 1)

    def _add_rest(self, rows: list[ReviewSummary], chosen: str | None, generation: int) -> None:
        if generation == self._fill_generation:  # the filter has not changed since
            self._add_rows(rows, chosen)

    def _show_empty_note(self, any_shown: bool) -> None:
        empty = self.query_one("#empty", Static)
        if not self.reviews:
            empty.update(Content("No reviews yet. ctrl+n starts an incident review, ctrl+r a project review."))
        elif not any_shown:
            empty.update(Content("No review matches the filter."))
        else:
            empty.update("")

    @staticmethod
    def _cells(review: ReviewSummary) -> list[Text]:
        updated = review.updated[5:16].replace("T", " ")  # MM-DD HH:MM
        return [
            Text(review.id),
            Text(review.title or "(untitled)", no_wrap=True, overflow="ellipsis"),
            Text(review.kind),
            Text(SHORT_TITLES.get(review.step, review.step)),
            Text(updated),
            Text(str(review.open_actions)),
            Text(review.follow_up),
        ]

    @on(Input.Changed, "#filter")
    def filter_reviews(self) -> None:
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

    def action_delete_review(self) -> None:
        from screens.dialogs import ConfirmDialog

        review_id = self.chosen_id()
        if review_id is None:
            return
        review = next(r for r in self.reviews if r.id == review_id)
        question = f"Delete review {review.id}?\n\n{review.title or '(untitled)'}\n\nThis cannot be undone."

        def delete(confirmed: bool | None) -> None:
            if confirmed:
                try:
                    self.app.store.delete(review_id)
                except StoreError as error:
                    self.app.report_error(error)
                self.load_reviews()
            self.query_one("#filter", Input).focus()

        self.app.push_screen(ConfirmDialog(question), delete)

    def action_help(self) -> None:
        from screens.dialogs import HelpDialog

        self.app.push_screen(HelpDialog("Reviews", HELP))

    def palette_commands(self) -> list[tuple[str, object, str]]:
        """The main actions for the command palette."""
        return [
            ("New incident review", lambda: self.action_new_review("incident"), "Start at setup"),
            ("New project review", lambda: self.action_new_review("project"), "Start at setup"),
            ("Open the chosen review", self.open_chosen, "Where it stopped"),
            ("Delete the chosen review", self.action_delete_review, "Asks first"),
            ("Help", self.action_help, "Keys of this screen"),
        ]
