"""The follow-up session: each action in turn marked done, slipped or dropped, then held.

Thirty days after the review the facilitator walks every action: done (and
whether it worked), slipped (a new due date and a reason) or dropped (a
reason).  The rules are :mod:`store.follow_up`'s; this screen shows the
completion rate as it goes, saves each decision as it is recorded, and on
finishing records the day and schedules the next follow-up while actions
remain open.
"""

from __future__ import annotations

from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Button, Header, Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from store.errors import InvalidField, StoreError
from store.follow_up import DECISIONS, decide, finish, is_pending, needs_decision, next_follow_up, progress
from store.model import Action, Review
from store.ops import Set, apply
from tui.key_footer import KeyFooter
from tui.text import show_note, show_text
from tui.text_sync import TextSync
from screens.dialogs import AnswersOnce
from tui.line_input import LineInput

HELP = """
# Follow-up

Thirty days after the review, check on every action: *here is what we
implemented and how it is working*.

For each action choose a decision, write the note, and press **Enter**:

| decision | needs |
|---|---|
| Done | a note on whether it worked (recommended) |
| Slipped | a reason and a new due date after today |
| Dropped | a reason |

The next action that still needs a decision comes up by itself.  Words typed
while the decision list has the focus go into the note (after the last
action, into the follow-up's notes), so nothing typed is lost.

| key | does |
|---|---|
| Up / Down (in the decision) | choose done, slipped or dropped |
| Tab / shift+Tab | move between the list, the decision and the fields |
| Enter | record the decision of the action shown |
| ctrl+n / ctrl+b (or ctrl+down / ctrl+up) | next / previous action |
| F2 | finish: record the follow-up as held today |
| F1 | this help |
| Escape | back (recorded decisions are kept) |

Finishing is refused while an action has no decision.  When actions slipped,
finishing asks for the date of the next follow-up (30 days on by default).
"""

MARKS = {"done": "done", "slipped": "slipped", "dropped": "dropped", "not_doing": "not doing", "undecided": "decide"}
NOTE_PLACEHOLDERS = {
    "done": "Did it work? How is it working?",
    "slipped": "Why did it slip? (required)",
    "dropped": "Why was it dropped? (required)",
    None: "Choose a decision first",
}


def detail(error: InvalidField) -> str:
    """The message of a refusal without its field path (the screen shows where)."""
    return str(error).removeprefix(f"{error.field}: ")


def unfocusable(button: Button) -> Button:
    button.can_focus = False
    return button


class FollowUpScreen(AnswersOnce, Screen):
    """Walks the actions of one review and records a decision on each."""

    BINDINGS = [
        Binding("ctrl+n", "step(1)", "Next action", id="next-action", priority=True),
        Binding("ctrl+b", "step(-1)", "Previous", id="previous-action", priority=True),
        Binding("f2", "finish", "Finish", id="finish"),
        Binding("f1", "help", "Help", id="help"),
        Binding("escape", "back", "Back", id="back"),
    ]

    def __init__(self, review: Review) -> None:
        super().__init__()
        self.review = review
        self.sync = TextSync()  # the notes field, typed into by several people
        self.current = 0

    # Layout -------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Header(icon="=")
        yield Static("", id="follow-up-title")
        yield Static("", id="follow-up-progress")
        with VerticalScroll(id="follow-up-body"):
            yield OptionList(id="follow-up-actions")
            yield Static("", id="follow-up-action")
            with Horizontal(id="follow-up-decision-row"):
                yield OptionList(*[Option(s.capitalize(), id=s) for s in DECISIONS], id="follow-up-decision")
                with Vertical(id="follow-up-fields"):
                    yield LineInput(placeholder=NOTE_PLACEHOLDERS[None], id="follow-up-note", select_on_focus=False)
                    yield LineInput(placeholder="New due date YYYY-MM-DD (slipped only)", id="follow-up-due")
            yield Static("", id="follow-up-refusal", classes="-empty")
            with Horizontal(id="follow-up-buttons"):
                # Enter and F2 do what these do: off the Tab order, so Tab reaches the notes sooner.
                yield unfocusable(Button("Record decision (Enter)", id="follow-up-record", variant="primary"))
                yield unfocusable(Button("Finish follow-up (F2)", id="follow-up-finish"))
            yield Label("Notes from the follow-up (saved as you type):")
            yield LineInput(placeholder="What did the follow-up find?", id="follow-up-notes", select_on_focus=False)
        yield KeyFooter()

    def on_mount(self) -> None:
        self.query_one("#follow-up-notes", Input).value = self.review.follow_up.notes
        waiting = self.waiting_indices()
        self.current = waiting[0] if waiting else 0
        self.show_review()
        self.show_action()
        if self.review.actions:
            self.focus_decision()
        self.app.call_later(self.app.release_keys)  # keys typed while it was being read come here, behind the focus

    def waiting(self, action: Action) -> bool:
        """True when this follow-up still has to decide on ``action``."""
        return needs_decision(self.review, action, self.app.today())

    def waiting_indices(self) -> list[int]:
        """The positions of the actions this follow-up still has to decide on."""
        return [index for index, action in enumerate(self.review.actions) if self.waiting(action)]

    # Showing ------------------------------------------------------------------

    def show_review(self) -> None:
        """The title, the completion rate and the list of actions with their decisions."""
        review = self.review
        title = f"Follow-up of {review.id}: {review.title or '(untitled)'}"
        when = f"held {review.follow_up.held}" if review.follow_up.held else f"due {review.follow_up.due or '-'}"
        if review.follow_up.held and is_pending(review):
            when += f"; next due {review.follow_up.due}"
        show_text(self.query_one("#follow-up-title", Static), f"{title}  ({when})")
        show_text(self.query_one("#follow-up-progress", Static), progress(review, self.app.today()).describe())
        actions = self.query_one("#follow-up-actions", OptionList)
        actions.clear_options()
        actions.add_options([Option(Content(self.describe(a)), id=a.id) for a in review.actions])
        if review.actions:
            actions.highlighted = self.current

    def describe(self, action: Action) -> str:
        key = "undecided" if self.waiting(action) else action.status
        due = f" (due {action.due})" if action.due else ""
        return f"{MARKS[key]:<8} {action.what or '(no description)'}{due}"

    def show_action(self) -> None:
        """The chosen action's card and its recorded decision, ready to change."""
        has_actions = bool(self.review.actions)
        for part in ("#follow-up-actions", "#follow-up-decision-row", "#follow-up-record"):
            self.query_one(part).display = has_actions
        if not has_actions:
            show_text(self.query_one("#follow-up-action", Static), "This review has no actions to follow up; F2 records the follow-up as held.")
            return
        action = self.review.actions[self.current]
        card = (
            f"Action {self.current + 1} of {len(self.review.actions)}: {action.what or '(no description)'}\n"
            f"Owner: {action.owner or '-'}   Due: {action.due or '-'}   Done when: {action.done_when or '-'}"
        )
        decided = not self.waiting(action) and action.status in DECISIONS
        if action.decided and not decided:
            was = f", was due {action.slipped_from}" if action.slipped_from else ""
            card += f"\nAt the last follow-up ({action.decided}{was}): {action.status}, {action.note or 'no note'}"
        show_text(self.query_one("#follow-up-action", Static), card)
        decision = self.query_one("#follow-up-decision", OptionList)
        decision.highlighted = DECISIONS.index(action.status) if decided else None
        self.query_one("#follow-up-note", Input).value = action.note if decided and action.decided else ""
        due = action.due if decided and action.status == "slipped" else ""
        self.query_one("#follow-up-due", Input).value = due
        self.show_refusal("")
        self.update_placeholders()

    @property
    def choice(self) -> str | None:
        """The decision highlighted in the list (read from the list, so it never lags behind it)."""
        index = self.query_one("#follow-up-decision", OptionList).highlighted
        return DECISIONS[index] if index is not None else None

    def focus_decision(self) -> None:
        self.query_one("#follow-up-decision", OptionList).focus()

    def update_placeholders(self) -> None:
        choice = self.choice
        self.query_one("#follow-up-note", Input).placeholder = NOTE_PLACEHOLDERS[choice]
        self.query_one("#follow-up-due", Input).disabled = choice != "slipped"

    def show_refusal(self, text: str) -> None:
        show_note(self.query_one("#follow-up-refusal", Static), text)

    # Events -------------------------------------------------------------------

    @on(OptionList.OptionHighlighted, "#follow-up-decision")
    def decision_changed(self) -> None:
        self.update_placeholders()
        self.show_refusal("")

    @on(OptionList.OptionSelected, "#follow-up-decision")
    def decision_made(self) -> None:
        """Enter on a decision moves on to its note."""
        self.query_one("#follow-up-note", Input).focus()

    @on(Input.Changed, "#follow-up-notes")
    def notes_typed(self, event: Input.Changed) -> None:
        """The follow-up's notes are saved as typed, and merged with what others type into them."""
        typed = event.input.value  # not event.value: a merge may have changed the field since
        stored = self.review.follow_up.notes
        if typed != stored:
            base = self.sync.base("follow_up.notes", stored)
            op = Set("follow_up.notes", typed, base=base)
            self.sync.note_cursor(op, event.input)
            self.app.saver.queue(self.review.id, "follow_up.notes", op)

    def on_review_stored(self, review: Review) -> None:
        """The store holds a newer review: show it; the notes show others' words around what is typed here."""
        before, self.review = self.review, review
        notes = self.query_one("#follow-up-notes", Input)
        self.sync.writer, self.sync.anchors = self.app.live.me.id, review.anchors  # where typing here ends in it
        text = self.sync.show(notes, "follow_up.notes", before.follow_up.notes, review.follow_up.notes)
        if text != review.follow_up.notes:  # typing not yet saved, now over the stored notes
            self.app.saver.queue(review.id, "follow_up.notes",
                                 Set("follow_up.notes", text, base=review.follow_up.notes), rebase=True)
        self.current = min(self.current, max(len(review.actions) - 1, 0))
        self.show_review()

    def on_key(self, event: events.Key) -> None:
        """Text typed where no text goes (the decision list after Enter recorded one) goes into a field.

        After a decision is recorded the next action's decision list has the
        focus; words typed on regardless land in that action's note, never nowhere.
        """
        if not event.is_printable or isinstance(self.focused, Input) or not event.character:
            return
        target = self.query_one("#follow-up-note" if self.review.actions else "#follow-up-notes", Input)
        event.stop()
        event.prevent_default()
        target.focus()
        target.insert_text_at_cursor(event.character)
        target.scroll_visible()

    @on(OptionList.OptionHighlighted, "#follow-up-actions")
    def action_chosen(self, event: OptionList.OptionHighlighted) -> None:
        if event.option_index != self.current:
            self.current = event.option_index
            self.show_action()

    @on(Input.Submitted, "#follow-up-note, #follow-up-due")
    @on(Button.Pressed, "#follow-up-record")
    def record(self) -> None:
        """Record the decision shown; refuse, naming what is missing, and write nothing."""
        if not self.review.actions:
            return
        choice = self.choice
        if choice is None:
            self.show_refusal("Choose a decision first: done, slipped or dropped (Up/Down in the decision list).")
            self.focus_decision()
            return
        action = self.review.actions[self.current]
        note = self.query_one("#follow-up-note", Input).value
        new_due = self.query_one("#follow-up-due", Input).value
        try:
            edit = decide(action, choice, note, new_due, self.app.today())
        except InvalidField as error:
            self.refuse(error)
            return
        if self.save(edit):
            self.advance()

    def refuse(self, error: InvalidField) -> None:
        self.show_refusal(f"Not recorded: {detail(error)}.")
        target = "#follow-up-due" if error.field.endswith(".due") else "#follow-up-note"
        self.query_one(target, Input).focus()

    def save(self, *changes) -> bool:
        """Record the changes on screen at once and hand them to the writer, which nothing here waits for."""
        doc = self.review.to_dict()
        try:
            for change in changes:
                apply(doc, change)
        except StoreError as error:
            self.app.report_error(error)
            return False
        self.review = Review.from_dict(doc)
        for change in changes:
            self.app.saver.queue(self.review.id, self.app.saver.explicit_key(), change)
        self.app.flush_now()
        return True

    def advance(self) -> None:
        """Show the next action that still needs a decision, or say that all have one."""
        waiting = self.waiting_indices()
        later = [i for i in waiting if i > self.current] or waiting
        if later:
            self.current = later[0]
        self.show_review()
        self.show_action()
        if later:
            self.focus_decision()
        else:
            self.app.notify("Every action has a decision. F2 records the follow-up as held.")
            self.query_one("#follow-up-notes", Input).focus()

    # Actions ------------------------------------------------------------------

    def action_step(self, offset: int) -> None:
        if self.review.actions:
            self.current = (self.current + offset) % len(self.review.actions)
            self.query_one("#follow-up-actions", OptionList).highlighted = self.current
            self.show_action()

    @on(Button.Pressed, "#follow-up-finish")
    def action_finish(self) -> None:
        """Hold the follow-up: refused until every action has a decision."""
        try:
            finish(self.review, self.app.today())
        except InvalidField as error:
            self.current = self.waiting_indices()[0]
            self.query_one("#follow-up-actions", OptionList).highlighted = self.current
            self.show_action()
            self.show_refusal(f"Not finished: {detail(error)}.")
            return
        default = next_follow_up(self.review, self.app.today())
        if default:
            from screens.dialogs import PromptDialog

            question = "Some actions slipped. Date of the next follow-up (YYYY-MM-DD):"
            self.app.push_screen(PromptDialog(question, default), self.finish_with)
        else:
            self.finish_with("")

    def finish_with(self, next_due: str | None) -> None:
        """Record the follow-up as held today (with the next date when asked for one)."""
        if next_due is None:
            return
        try:
            changes = finish(self.review, self.app.today(), next_due)
        except InvalidField as error:
            self.show_refusal(f"Not finished: {detail(error)}.")
            return
        if not self.save(*changes):
            return
        follow = self.review.follow_up
        after = f" Next follow-up: {follow.due}." if is_pending(self.review) else " Every action is closed."
        self.app.notify(f"Follow-up held on {follow.held}.{after}", markup=False)
        self.dismiss()

    def action_back(self) -> None:
        self.app.flush_now()
        self.dismiss()

    def action_help(self) -> None:
        from screens.dialogs import HelpDialog

        self.app.push_screen(HelpDialog("Follow-up", HELP))

    def palette_commands(self) -> list[tuple[str, object, str]]:
        """Every action of the follow-up, named with its key."""
        return [
            ("Record the decision shown (Enter)", self.record, "done slipped dropped save"),
            ("Finish: record the follow-up as held (F2)", self.action_finish, "held done close"),
            ("Next action (ctrl+n)", lambda: self.action_step(1), "following"),
            ("Previous action (ctrl+b)", lambda: self.action_step(-1), "back"),
            ("Help for the follow-up (F1)", self.action_help, "keys"),
            ("Back to the list of reviews (Escape)", self.action_back, "home; decisions are kept"),
        ]

    def reload_from_store(self) -> None:
        """Another window changed the file: show its decisions, keep what is being typed here."""
        self.app.reread(self.review.id, lambda error: None)  # not read: a later poll tries again
