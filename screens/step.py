"""The base of every step screen: it owns "check, then move on".

A step screen shows its section of the review and sends every change to the
store as an operation.  The base keeps the latest review, runs the step's
check from ``store.checks`` as you type, shows it in the check panel, the step
indicator and beside the fields, and refuses ``ctrl+n`` while the step has
errors, saying why next to the field.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import replace
from typing import Any, ClassVar

from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Header, Input, Select, Static, TextArea

from store import ops
from store.checks import Problem, check_review, check_step_seen_by
from store.errors import StoreError, UnknownReview
from store.model import STEP_TITLES, STEPS, Review, rebuilt
from store.prompts import PROMPTS
from store.silent import card_fields, has_hidden, visible_to
from tui.key_footer import KeyFooter
from tui.check_panel import CheckPanel
from tui.choice_select import ChoiceSelect
from tui.fields import Field, SizedByLayout
from screens.exporting import Exporting
from screens.facilitation import FACILITATION_HELP, Facilitation
from tui.interview import InterviewPanel
from tui.item_editor import ItemEditor
from tui.line_input import LineInput
from tui.prompts_panel import PromptsPanel
from tui.timer import Timebox
from tui.step_indicator import StepIndicator
from tui.text import show_note
from tui.text_sync import TextSync, replace_text, widget_text

KEYS_HELP = """
## Keys

| key | does |
|---|---|
| ctrl+n or ctrl+down | next step (only when this step has no errors) |
| ctrl+b or ctrl+up | previous step (in a browser, which keeps ctrl+n, use ctrl+down / ctrl+up) |
| ctrl+g | go to any step |
| Tab / shift+Tab | next / previous field |
| letters on a list field | choose the first choice they start (Enter, Up or Down show all) |
| F1 | this help |
| ctrl+p | command palette: every action, with its key (type "export", "timer", "solo" ...) |
| ctrl+o | back to the list of reviews |
| ctrl+q | quit (everything is saved as you type) |
"""

# The longest a typed change holds the screen's next frame back (normally a millisecond or two).
FRAME_HOLD_SECONDS = 0.1
# A key typed into a text field redraws the field at once; what else it changes (the list's row, the
# checks, the durations, the step indicator) is drawn once typing pauses this long, or at once on Enter,
# Tab or any other change.  Checking and redrawing those on every key was over half of what a key cost
# (5 ms of 11 on a 300-event timeline, measured in-process), and every participant in a room pays it.
CHECKS_PAUSE_SECONDS = 0.3

LIST_KEYS_HELP = """
In a list: **Enter** edits the highlighted item, **F2** starts a new one,
**Delete** or **F8** deletes it (after a confirmation), **shift+Up** /
**shift+Down** (or **[** / **]**) move it.  In an item's fields, **Enter**
finishes the item and starts a new one; **Escape** goes back to the list.
"""


class StepContent(SizedByLayout, VerticalScroll):
    """The step's scrolling form (see ``SizedByLayout``), which keeps the field being typed in on screen.

    Textual scrolls a field into view when it takes the focus, not when a
    layout moves it later: the first key of a new item adds its row to the
    list above the form, and at 80x24 that pushed the field one line below
    the screen, so the rest of the item was typed blind.
    """

    def _size_updated(self, size, virtual_size, container_size, layout: bool = True) -> bool:
        changed = super()._size_updated(size, virtual_size, container_size, layout)
        if changed:  # what it holds grew or shrank: the field may have moved
            self.call_after_refresh(self.keep_focus_in_view)
        return changed

    def keep_focus_in_view(self) -> None:
        focused = self.screen.focused if self.is_attached else None
        if focused is None or self not in focused.ancestors:
            return
        if not self.scrollable_content_region.contains_region(focused.region):
            focused.scroll_visible(animate=False, immediate=True)


class StepScreen(Facilitation, Exporting, Screen):
    """One step of a review: its fields, its check, and the way on."""

    STEP: ClassVar[str] = ""
    INTRO: ClassVar[str] = ""
    HELP_TEXT: ClassVar[str] = ""
    HAS_LISTS: ClassVar[bool] = False
    # A stored review from another process is shown over typing not yet saved (on_review_stored merges it).
    MERGES_UNSAVED: ClassVar[bool] = True

    BINDINGS = [
        Binding("ctrl+n", "next_step", "Next", id="next", priority=True),
        Binding("ctrl+b", "previous_step", "Back", id="back", priority=True),
        Binding("ctrl+g", "go_to_step", "Go to", id="goto", priority=True, show=False),
        Binding("f1", "help", "Help", id="help"),
        Binding("ctrl+t", "toggle_prompts", "Prompts", id="prompts", priority=True, show=False),
        # F6, F7, F9, ctrl+l, ctrl+o and ctrl+f are the app's (tui.app), after this step's own keys in the footer
        Binding("ctrl+r", "together", "Together", id="together", priority=True, show=False),
        Binding("f12", "next_speaker", "Next speaker", id="next-speaker", priority=True, show=False),
    ]

    @property
    def active_bindings(self) -> dict:
        """The keys in the footer's order: this step's own (and its focused field's) first, the app's meeting keys after.

        A focused TextArea's own F6 and F7 (taken by the app's priority keys)
        would otherwise put the timer keys first.
        """
        bindings = super().active_bindings
        return dict(sorted(bindings.items(), key=lambda item: item[1].node is self.app))

    def __init__(self, review: Review) -> None:
        super().__init__()
        self.review = review
        self.doc = review.to_dict()
        self._stored = self._previous = review  # as the store last told us, and before that
        self._stored_doc: dict | None = None
        self._previous_doc: dict | None = None
        self.showing_stored = False
        self.touched: set[str] = set()
        self.sync = TextSync()
        self.refused = False
        self._other_errors: set[str] | None = None
        self._other_steps_stale = False
        self._composed: dict[type, list] | None = None  # set once the step is drawn (see composed)
        self._choice_note = False  # the refusal line says a key typed on a list matched nothing
        self._typed_nowhere = ""  # letters typed while a list had the focus, shown until it moves
        self.interview_items: dict[str, str] = {}  # the item each interview group is filling in
        self._frame_holds = 0  # typed changes whose handlers have not all run yet (see hold_frame)
        self._frame_held_since = 0.0
        self._checks_due: float | None = None  # when typing has paused long enough (see checks_at_pause)
        self._checks_timer_set = False

    # Layout -------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Header(icon="=")
        yield StepIndicator(id="steps")
        yield Static("", id="presence", classes="-empty")
        with StepContent(id="content"):
            if self.app.solo:
                yield InterviewPanel(self.STEP, id="interview")
            yield PromptsPanel(self.STEP, id="prompts")
            if self.INTRO:
                yield Static(Content(self.INTRO), classes="step-intro")
            yield from self.compose_step()
        yield Static("", id="refusal", classes="-empty")
        yield CheckPanel(id="checks")
        yield KeyFooter(compact=True)  # at 80 columns: the step's keys, then the meeting's

    def compose_step(self) -> ComposeResult:
        """The step's own widgets; subclasses yield them."""
        yield from ()

    def composed(self, kind: type) -> list:
        """The step's widgets of one kind (fields, item lists, the check panel), found once.

        They are composed once and never replaced, and a query walks the whole
        screen: several per key press, and per change another participant made.
        """
        if self._composed is None:  # still composing
            return list(self.query(kind))
        if kind not in self._composed:
            self._composed[kind] = list(self.query(kind))
        return self._composed[kind]

    def on_mount(self) -> None:
        if self._pruning or not self.children:  # replaced while it was composing (Textual removes, or removed, its
            return  # widgets): never shown
        self._composed = {}
        self.show_panels()
        self.timebox = Timebox(self.review.timebox(self.STEP), self.app.clock)
        self.set_interval(1.0, self.every_second)
        self.tick_timer()
        self.show_review()
        self.refresh_checks()
        self.join_session()
        self.start_step()
        if self.app.solo:  # at once: keys typed straight after ctrl+n must not land in the form
            self.focus_interview()
        # Keys typed during the change of step come here, behind the focus just asked for (both wait in the
        # app's queue, after the keys already in it, which are held till then).
        self.app.call_later(self.app.release_keys)
        self.call_after_refresh(self.app.freeze_long_lived)  # once the first step is drawn

    def join_session(self) -> None:
        """Join the review's live session on this step: lead it if nobody does, move its step if this terminal steers."""
        live = self.app.live
        live.join(self.review, self.STEP, self.app.presence_changed)  # who is here arrives there, off the loop
        if self.cannot_change():
            for widget in self.query("Input, TextArea, Select"):
                widget.disabled = True  # observers and read-only archives: every field shown, none changed
            self.show_presence()
            return
        changes = live.claim_ops(self.review)
        if live.steers() and self.review.step != self.STEP:
            changes.append(ops.Set("step", self.STEP))
        if changes:
            self.send(*changes)
        self.show_presence()

    def cannot_change(self) -> str:
        """Why nothing can be changed from this terminal ("" when it can): said at once, never as NOT SAVED later."""
        if self.app.live.observing:
            return "You joined to watch (--observe): nothing can be changed here."
        if self.app.store.read_only:
            return "This archive is read-only (you may not write to it): nothing can be changed here."
        return ""

    def show_presence(self) -> None:
        """The one line of who is here (hidden while this terminal is alone in the review)."""
        show_note(self.query_one("#presence", Static), self.app.live.presence_line(self.STEP, self.app.size.width - 2))

    def start_step(self) -> None:
        """Hook run once the step is drawn: focus its first field.

        (Textual calls ``on_mount`` of every class in the hierarchy, so subclasses
        use this hook instead of overriding ``on_mount``.)
        """

    def show_review(self) -> None:
        """Fill the review-field widgets from ``self.review``; subclasses show the rest."""
        for field in self.composed(Field):
            if field.field in ops.REVIEW_FIELDS:
                self.show_value(field.widget, self.shown_value(field.field), field.field)

    def show_value(self, widget: Widget, value: Any, field: str | None = None) -> None:
        """Put a stored value into a widget.

        When the store sent it, a free-text field (``ops.MERGED_TEXTS``) shows
        it even with the focus, with any typing not yet saved merged in and the
        cursor kept; otherwise a field is left alone while the user is in it.
        """
        if self.showing_stored and field in ops.MERGED_TEXTS and isinstance(widget, (Input, TextArea)):
            before = self.previous_value(field) or ""
            text = self.sync.show(widget, field, before, value or "")
            if text != (value or ""):  # typing not yet saved, now over the stored text
                self.queue(("set", field), ops.Set(field, text, base=value or ""), touched=field, rebase=True)
            return
        if widget.has_focus:
            return
        if isinstance(widget, Input) and widget.value != (value or ""):
            widget.value = value or ""
        elif isinstance(widget, TextArea) and widget.text != (value or ""):
            replace_text(widget, value or "", keep_cursor=False)  # the cursor at the end: typing goes on after it
        elif isinstance(widget, Select):
            wanted = value if value else Select.NULL
            if widget.value != wanted:
                widget.value = wanted

    def shown_value(self, field: str) -> Any:
        """What a field's widget shows for the stored value (subclasses join lists)."""
        return self.value_of(field)

    def value_of(self, field: str) -> Any:
        """The value shown at a dotted field path (``follow_up.due``)."""
        return value_at(self.doc, field)

    # One frame per key ------------------------------------------------------

    def hold_frame(self) -> None:
        """A field changed: draw the next frame once its handlers have run too (``line_input.Shown``).

        Otherwise the echo went out in one frame and what the key changed
        elsewhere (the item's row, the check) in a second, a frame period later.
        A hold never lasts longer than ``FRAME_HOLD_SECONDS``.
        """
        if not self._frame_holds:
            self._frame_held_since = time.monotonic()
            asyncio.get_running_loop().call_later(FRAME_HOLD_SECONDS, self._end_stale_hold)
        self._frame_holds += 1

    @on(LineInput.Shown)
    def draw_held_frame(self, message: LineInput.Shown) -> None:
        """Every handler of a change has run: the frame it held is drawn, once the widgets they changed asked for it.

        A widget changed by a handler (the header's "saving", a row) asks the
        screen for its repaint from its own task, when that next runs: released
        at once, the frame went out without it and the repaint came a frame
        later.  Those tasks are already waiting to run, so the release waits
        behind them (``call_soon``).
        """
        message.stop()
        asyncio.get_running_loop().call_soon(self._release_frame)

    def _release_frame(self) -> None:
        self._frame_holds = max(0, self._frame_holds - 1)
        if not self._frame_holds:
            self.check_idle()  # the idle that was held back draws the frame

    def _end_stale_hold(self) -> None:
        if self._frame_holds and time.monotonic() - self._frame_held_since >= FRAME_HOLD_SECONDS:
            self._frame_holds = 0
            self.check_idle()  # the idle that was held back

    async def _on_idle(self, event: events.Idle) -> None:
        """Textual's screen draws its frame when idle; not while a typed change is half handled."""
        if self._frame_holds and time.monotonic() - self._frame_held_since < FRAME_HOLD_SECONDS:
            event.prevent_default()  # Screen._on_idle would draw now

    # Changes ------------------------------------------------------------------

    @on(Input.Changed)
    @on(Select.Changed)
    @on(TextArea.Changed)
    def save_typed_field(self, event: Input.Changed | Select.Changed | TextArea.Changed) -> None:
        """A form field changed: save it (after a short pause) if it is a review field."""
        widget = event.control
        field = getattr(widget, "field", None)
        if field is None or field not in ops.REVIEW_FIELDS:
            return
        if isinstance(widget, TextArea):
            value = widget.text
        elif isinstance(widget, Select):
            value = "" if widget.value is Select.NULL else widget.value
        else:
            value = widget.value
        self.set_field(field, self.to_stored(field, value), typing=not isinstance(widget, Select))

    @on(ChoiceSelect.Unmatched)
    def say_key_matched_no_choice(self, event: ChoiceSelect.Unmatched) -> None:
        """A key typed on a list that matches none of its choices is never dropped in silence."""
        self.show_refusal(event.select.unmatched_note(event.typed))
        self._choice_note = True
        self.app.bell()

    def on_key(self, event: events.Key) -> None:
        """Letters typed where nothing takes text (a list, the check panel) are shown, never dropped in silence."""
        focused = self.focused
        if focused is None or isinstance(focused, (Input, TextArea, Select)) or not event.is_printable:
            return
        if not event.character or event.key in self.active_bindings:
            return
        if self.cannot_change():
            self.show_refusal(self.cannot_change())
            self._choice_note = True
            return
        self._typed_nowhere += event.character
        self.show_refusal(f"Not typed into any field: {self._typed_nowhere!r}. This is a list; Tab or shift+Tab "
                          "moves to a field (Enter on a row edits it).")
        self._choice_note = True

    def on_descendant_focus(self) -> None:
        self._typed_nowhere = ""
        if self._choice_note:
            self._choice_note = False
            self.show_refusal(self.refusal_text([p for p in self.problems if p.level == "error"]) if self.refused else "")

    def save_focused_typing(self) -> None:
        """Queue what the focused field holds now (before quitting or hanging up).

        Keys typed just before ctrl+q have changed the widget, but their change
        notices may still wait in the queue behind the quit: read the widget.
        """
        widget = self.focused  # the screen's own: the app's may be cleared while it closes
        if not isinstance(widget, (Input, TextArea)):
            return
        typed = TypedNow(widget)
        if getattr(widget, "field", None) in ops.REVIEW_FIELDS:
            self.save_typed_field(typed)
        elif widget.has_class("item-field"):
            next(editor for editor in widget.ancestors if isinstance(editor, ItemEditor)).save_item_field(typed)
        else:
            self.save_focused_other(typed)

    def save_focused_other(self, typed: "TypedNow") -> None:
        """Hook for a step's own inputs (the Five Whys answers)."""

    def to_stored(self, field: str, value: Any) -> Any:
        """Turn what a widget holds into what is stored (subclasses convert lists)."""
        return value

    def set_field(self, field: str, value: Any, typing: bool = False) -> bool:
        """Change a review field now on screen, and on disk within a moment; False if refused.

        Free text goes with the text it was typed over, to be merged with others' typing.
        ``typing``: typed into the field (see ``queue``).
        """
        if self.value_of(field) == value:
            return True
        base = None
        if field in ops.MERGED_TEXTS and isinstance(value, str):
            base = self.sync.base(field, self.stored_value(field) or "")
        return self.queue(("set", field), ops.Set(field, value, base=base), touched=field, typing=typing)

    def edit_item(self, list_name: str, item_id: str, changes: dict, bases: dict | None = None,
                  rebase: bool = False, typing: bool = False) -> None:
        """Change fields of one item now on screen, and on disk within a moment.

        Free-text fields go with the text they were typed over: ``bases``, or
        what was last sent for the field, else what the store last told us.
        ``typing``: typed into the field (see ``queue``).
        """
        bases = dict(bases or {})
        item = self.stored_item(list_name, item_id)
        added = (self.find_item(list_name, item_id) or {}) if item is None else {}  # not stored yet: the add's text
        for name, value in changes.items():
            if (list_name, name) not in ops.MERGED_ITEM_TEXTS or name in bases:
                continue
            key = f"{list_name}.{item_id}.{name}"
            stored = getattr(item, name, None) if item is not None else added.get(name)
            if isinstance(value, str):
                bases[name] = self.sync.base(key, stored or "")
            elif isinstance(value, list):  # the answers of a chain: one key per answer
                stored = list(stored or [])
                size = max(len(stored), len(value))
                bases[name] = [self.sync.base(f"{key}.{i}", stored[i] if i < len(stored) else "") for i in range(size)]
        key = ("edit", list_name, item_id, tuple(sorted(changes)))
        self.queue(key, ops.Edit(list_name, item_id, changes, bases or None), touched=f"{list_name}.{item_id}",
                   rebase=rebase, typing=typing)

    def find_item(self, list_name: str, item_id: str, doc: dict | None = None) -> dict | None:
        """One item (dict form) of ``doc`` (default: the review as shown here), or None."""
        items = value_at(self.doc if doc is None else doc, list_name) or []
        return next((item for item in items if isinstance(item, dict) and item.get("id") == item_id), None)

    def stored_item(self, list_name: str, item_id: str, previous: bool = False) -> Any | None:
        """One item of the review as the store last told us (``previous``: before that), or None.

        Read from the stored review itself: turning all of it into a dict to
        find one item cost a millisecond per change shown on a long timeline.
        """
        return _item_of(self._previous if previous else self._stored, list_name, item_id)

    @property
    def stored_doc(self) -> dict:
        """The review as the store last told us, as a dict (made when first read: most reloads never read it)."""
        if self._stored_doc is None:
            self._stored_doc = self._stored.to_dict()
        return self._stored_doc

    @property
    def previous_doc(self) -> dict:
        """The review as the store held it before ``stored_doc`` (merges read what changed between them)."""
        if self._previous_doc is None:
            self._previous_doc = self._previous.to_dict()
        return self._previous_doc

    def stored_value(self, field: str) -> Any:
        """A field as the store last told us (typed changes not yet saved are not in it)."""
        return _field_of(self._stored, field, lambda: self.stored_doc)

    def previous_value(self, field: str) -> Any:
        """A field as the store held it before the review now being shown arrived."""
        return _field_of(self._previous, field, lambda: self.previous_doc)

    def queue(self, key: tuple, op: ops.Operation, touched: str, rebase: bool = False, typing: bool = False) -> bool:
        """Apply a change on screen at once and hold it for the saver; False if it is invalid.

        On screen the typed value is simply set (the screen already shows it);
        the store merges it with its base.  An observer, or anyone on a read-only archive, changes nothing.
        ``typing``: a key typed into a text field, whose checks wait for a pause (``CHECKS_PAUSE_SECONDS``).
        """
        if self.cannot_change():
            self.app.notify(self.cannot_change(), severity="warning", timeout=4, markup=False)
            return False
        if not rebase and not _session_field(op):
            self.app.live.heard_on(self.STEP)
        try:
            ops.apply(self.doc, _without_base(op))
        except StoreError as error:
            self.app.report_error(error)
            return False
        self.touched.add(touched)
        self.review = typed_after(self.review, self.doc, op)
        self.sync.note_cursor(op, self.focused)  # where the typing ends, for the store's place of this terminal
        self.app.saver.queue(self.review.id, key, op, rebase=rebase, typed=typing)
        if typing and not rebase:
            self.checks_at_pause()
        elif not (rebase and self.checks_waiting):  # (typing merged over a newer text: checked at the pause too)
            self.refresh_checks()
        self.show_header()  # "saving" (redraws only when it said "saved")
        return True

    def add_item(self, list_name: str, item: Any, after: str | None = None, typing: bool = False) -> str | None:
        """Add an item now on screen, and on disk at once; its id (chosen here), or None if refused.

        A card written while silent writing is open is hidden, with its author (store.silent).
        ``typing``: added by the first key typed into a blank form, so it is checked, and its row drawn, once
        typing pauses, like the keys after it.
        """
        item = item | card_fields(self.review, self.STEP, list_name, self.app.live.me.name)
        item_id = ops.fresh_item_id()
        return item_id if self.send(ops.Add(list_name, item, after, item_id), typing=typing) else None

    def remove_item(self, list_name: str, item_id: str) -> None:
        """Remove an item now on screen and on disk (after the caller's confirmation)."""
        self.send(ops.Remove(list_name, item_id))

    def move_item(self, list_name: str, item_id: str, offset: int) -> None:
        """Move an item up (-1) or down (+1), on screen and on disk."""
        self.send(ops.Move(list_name, item_id, offset))

    def send(self, *operations: ops.Operation, typing: bool = False) -> bool:
        """Apply explicit changes (Enter, a dialog's answer) on screen and hand them to the writer at once.

        Nothing waits for the writer: each goes under its own key, so none
        replaces another, and they are written in this order.  ``typing``: a
        key typed made them (see ``queue``).
        """
        for op in operations:
            key = self.app.saver.explicit_key()
            touched = getattr(op, "field", None) or f"{op.list}.{getattr(op, 'item_id', '')}"
            if not self.queue(key, op, touched=touched, typing=typing):
                return False
        self.app.flush_now()
        return True

    def on_review_stored(self, review: Review) -> bool:
        """The store holds a newer review (ours, or merged with others' changes); True if the step was redrawn.

        Every field shows it, text fields with any typing not yet saved merged
        in (that typing is queued again, over the new stored text).  A change
        this terminal cannot see (another participant's card before the reveal,
        the text of one) only updates the session's lines: in a live session
        most changes are such, and redrawing the step for each is what a key
        typed meanwhile waited for.
        """
        if self.nothing_new_to_see(review):
            self.take_in_unseen(review)
            return False
        self.review = review
        self.doc = review.to_dict()
        self._previous, self._previous_doc = self._stored, self._stored_doc
        self._stored, self._stored_doc = review, None
        self.sync.writer, self.sync.anchors = self.app.live.me.id, review.anchors  # where typing here ends in it
        self.replay_pending()
        self.recheck_other_steps_soon()  # another participant may have changed them
        if self._composed is None or not self.is_attached:
            return  # composing, or being torn down at exit: nothing to redraw
        self.showing_stored = True
        try:
            self.show_review()
            if self.checks_waiting:  # typing here: this change's checks come with the typing's, at its pause
                self.show_items()
            else:
                self.refresh_checks()  # redraws the item editors, whose forms merge too
        finally:
            self.showing_stored = False
            self.sync.shown_all()
        return True

    def nothing_new_to_see(self, review: Review) -> bool:
        """True when ``review`` differs from the last stored one only where this terminal cannot see."""
        return self._composed is not None and self.is_attached and nothing_to_see(self._stored, review,
                                                                                 self.app.live.me.name)

    def leaves_typing_alone(self, review: Review) -> bool:
        """True when ``review`` changed none of the fields and items that typing not yet saved here is in.

        Then it can be shown at once, the typing kept over it as over a write
        of our own that comes back; otherwise the writer merges the two first.
        """
        for op in self.app.saver.pending_ops(review.id):
            if isinstance(op, ops.Set):
                if self.stored_value(op.field) != _field_of(review, op.field, review.to_dict):
                    return False
            elif isinstance(op, ops.Edit):
                if self.stored_item(op.list, op.item_id) != _item_of(review, op.list, op.item_id):
                    return False
            else:
                return False  # an item added, moved or removed here: the writer places it among theirs
        return True

    def take_in_unseen(self, review: Review) -> None:
        """A stored review that differs from the last only where this terminal cannot see: keep it, redraw no field.

        What this terminal typed and has not saved yet is applied to it as
        typed (the fields it is in show it already, over the same stored text).
        """
        self._previous, self._previous_doc = self._stored, self._stored_doc
        self._stored, self._stored_doc = review, None
        doc = review.to_dict()
        pending = self.app.saver.pending_ops(review.id)
        for op in pending:
            try:
                ops.apply(doc, _without_base(op))
            except StoreError:
                continue  # the store refuses it too, and says so
        self.doc = doc
        self.review = Review.from_dict(doc) if pending else review  # (as on_review_stored: nothing typed here waits)
        self.sync.shown_all()
        self.show_unseen_change()

    def show_unseen_change(self) -> None:
        """Hook: what a change nobody here can see still shows (silent writing's count of cards)."""

    def replay_pending(self) -> None:
        """Show this terminal's changes that the stored review that arrived does not hold yet.

        Items added, moved or removed and choices made here are applied to it
        again.  Text typed into fields is not: the fields merge it into the
        stored text (``show_value``), except in items that are not stored yet,
        which nobody else can have changed.
        """
        replayed = False
        for op in self.app.saver.pending_ops(self.review.id):
            op = self._replayable(op)
            if op is None:
                continue
            try:
                ops.apply(self.doc, op)
                replayed = True
            except StoreError:
                continue  # another participant removed its item: the store refuses it too, and says so
        if replayed:
            self.review = Review.from_dict(self.doc)

    def _replayable(self, op: ops.Operation) -> ops.Operation | None:
        """``op`` without the free text that the fields merge themselves, or None if nothing is left."""
        if isinstance(op, ops.Set):
            return None if op.field in ops.MERGED_TEXTS else _without_base(op)
        if isinstance(op, ops.Edit):
            if self.stored_item(op.list, op.item_id) is None:
                return _without_base(op)
            changes = {name: value for name, value in op.changes.items()
                       if (op.list, name) not in ops.MERGED_ITEM_TEXTS}
            return ops.Edit(op.list, op.item_id, changes) if changes else None
        return op

    def reload_from_store(self) -> None:
        """Another process changed the file: show its changes (read off the event loop)."""
        if self.app.screen is not self:
            return
        self.app.reread(self.review.id, self.not_reloaded)

    def not_reloaded(self, error: Exception) -> None:
        """The review could not be read again: deleted elsewhere (back to the list), or a store error (said)."""
        if self.app.screen is not self:
            return
        if isinstance(error, UnknownReview):
            self.app.notify("This review was deleted in another window.", severity="warning")
            self.action_home()
        elif isinstance(error, StoreError):
            self.app.report_error(error)

    @property
    def seen_review(self) -> Review:
        """The review as this terminal may see it: others' cards not yet revealed left out (store.silent)."""
        return visible_to(self.review, self.app.live.me.name)

    # Checks -------------------------------------------------------------------

    @property
    def problems(self) -> list[Problem]:
        """The current step's problems, from store.checks, as this terminal sees the review (store.silent)."""
        return check_step_seen_by(self.review, self.STEP, self.app.live.me.name)

    def checks_at_pause(self) -> None:
        """Refresh the checks once typing pauses (``CHECKS_PAUSE_SECONDS``); one timer per pause, not per key."""
        if CHECKS_PAUSE_SECONDS <= 0:
            self.refresh_checks()
            return
        self._checks_due = time.monotonic() + CHECKS_PAUSE_SECONDS
        if not self._checks_timer_set:
            self._checks_timer_set = True
            self.set_timer(CHECKS_PAUSE_SECONDS, self._checks_if_paused)

    def _checks_if_paused(self) -> None:
        self._checks_timer_set = False
        if self._checks_due is None:
            return  # refreshed meanwhile
        left = self._checks_due - time.monotonic()
        if left > 0.005:  # typed on since the timer was set: wait for the pause
            self._checks_timer_set = True
            self.set_timer(left, self._checks_if_paused)
            return
        self.refresh_checks()

    @property
    def checks_waiting(self) -> bool:
        """True while typed changes wait for a typing pause to be checked and drawn beyond their field."""
        return self._checks_due is not None

    def checks_now(self) -> None:
        """Refresh now the checks that wait for a typing pause, if any (Enter, leaving a field)."""
        if self._checks_due is not None:
            self.refresh_checks()

    def on_descendant_blur(self, event: events.DescendantBlur) -> None:
        """Leaving a field shows its checks at once, without waiting for the pause."""
        self.checks_now()

    def refresh_checks(self) -> None:
        """Show the step's problems in the panel, beside the fields, and in the indicator."""
        self._checks_due = None
        panels = self.composed(CheckPanel)
        if not panels or not panels[0].is_attached:
            return  # not composed yet, or being torn down
        problems = self.problems
        shown = [p for p in problems if p.level == "error"] if self.app.presenter else problems
        panels[0].show(shown)
        visible = [p for p in problems if self.shows_inline(p)]
        for field in self.composed(Field):
            field.show_problems(visible)
        self.show_item_problems(shown)
        self.update_indicator(problems)
        if self.refused:
            self.show_refusal(self.refusal_text([p for p in problems if p.level == "error"]))

    def shows_inline(self, problem: Problem) -> bool:
        """Advisories show as you type (not to an audience); errors once touched or refused."""
        if problem.level == "advisory":
            return not self.app.presenter
        return self.refused or problem.field in self.touched

    def show_items(self) -> None:
        """Redraw every item list from the review (their forms merge it), with the problems they show now.

        Checking a 300-event timeline again for each change another
        participant makes, while a key typed here waits, is what such a change
        cost most; the checks follow at the typing's pause.
        """
        for editor in self.composed(ItemEditor):
            editor.show(self.items_of(editor.list_name), editor.problems)

    def show_item_problems(self, problems: list[Problem]) -> None:
        """Redraw every item list from the review, with the problems on its rows."""
        for editor in self.composed(ItemEditor):
            editor.show(self.items_of(editor.list_name), problems)

    def items_of(self, list_name: str) -> list:
        """The typed items of a list (``five_whys.chains`` included)."""
        if list_name == "five_whys.chains":
            return self.review.five_whys.chains
        return getattr(self.seen_review, list_name)

    def recheck_other_steps_soon(self) -> None:
        """Check the other steps again within a second (only the step indicator shows them).

        Checking a whole 300-event review costs about 8 ms: not on every change
        another participant saves, which can come ten times a second.
        """
        self._other_steps_stale = True  # every_second picks it up

    def every_second(self) -> None:
        """The step's clock: the timebox in the header, and other steps checked again if they changed."""
        self.tick_timer()
        if self._other_steps_stale:
            self._other_steps_stale = False
            self._other_errors = None
            self.update_indicator(self.problems)

    def update_indicator(self, problems: list[Problem]) -> None:
        """Mark the steps with errors; other steps are re-checked at most once a second (see above)."""
        if self._other_errors is None:
            sections = check_review(self.seen_review)
            self._other_errors = {
                step for step, found in sections.items() if step != self.STEP and any(p.level == "error" for p in found)
            }
        errors = set(self._other_errors)
        if any(p.level == "error" for p in problems):
            errors.add(self.STEP)
        self.composed(StepIndicator)[0].show(self.STEP, errors, reached_step(STEPS.index(self.STEP), errors))

    def show_refusal(self, text: str) -> None:
        show_note(self.query_one("#refusal", Static), text)

    # Moving between steps ---------------------------------------------------

    def action_next_step(self) -> None:
        """Move on only when the step has no errors; otherwise say why, at the field."""
        self.checks_now()  # what was typed just before shows (a refusal line it fixed goes) whatever comes next
        errors = [p for p in self.problems if p.level == "error"]
        if errors:
            self.refuse(errors)
            return
        index = STEPS.index(self.STEP)
        if index + 1 == len(STEPS):
            self.app.notify("This is the last step. Export the summary with F4, or ctrl+o for the list.")
            return
        self.go_to(STEPS[index + 1])

    def refuse(self, errors: list[Problem]) -> None:
        self.refused = True
        self.refresh_checks()
        self.focus_field(errors[0].field)
        self.app.bell()

    @staticmethod
    def refusal_text(errors: list[Problem]) -> str:
        """Why ctrl+n was refused, kept current as the errors change; empty once they are fixed."""
        if not errors:
            return ""
        more = f" (and {len(errors) - 1} more in the check panel)" if len(errors) > 1 else ""
        return f"Can't move on yet: {errors[0].message}{more}"

    def action_previous_step(self) -> None:
        index = STEPS.index(self.STEP)
        if index == 0:
            self.app.notify("This is the first step.")
            return
        self.go_to(STEPS[index - 1])

    def action_go_to_step(self) -> None:
        from screens.dialogs import GoToStepDialog

        sections = check_review(self.seen_review)
        marks = {step: ("!" if any(p.level == "error" for p in found) else "+") for step, found in sections.items()}
        marks[self.STEP] = ">"
        self.app.push_screen(GoToStepDialog(self.STEP, marks), self.jump_to)

    def jump_to(self, step: str | None) -> None:
        """Go back freely; go forward only past steps that have no errors."""
        if step is None or step == self.STEP:
            return
        target = STEPS.index(step)
        sections = check_review(self.seen_review)
        for earlier in STEPS[:target]:
            if STEPS.index(earlier) >= STEPS.index(self.STEP) and any(p.level == "error" for p in sections[earlier]):
                if earlier == self.STEP:
                    self.refuse([p for p in sections[earlier] if p.level == "error"])
                else:
                    self.app.notify(f"Finish {STEP_TITLES[earlier]} first: it has errors.", severity="warning")
                return
        self.go_to(step)

    def go_to(self, step: str) -> None:
        self.app.saver.flush(wait=True)
        self.app.live.browsed(step, self.review)
        self.app.show_step(self.review, step)

    def action_together(self) -> None:
        """ctrl+r: the facilitator brings everyone to this step; anyone else goes back to following."""
        live = self.app.live
        if live.leads:
            self.send(ops.Set("session.gathered", self.review.session.gathered + 1))
            self.app.notify(f"Everyone following is brought to {STEP_TITLES[self.STEP]}.", timeout=3)
            return
        leader = live.leader()
        if leader is None:
            self.app.notify("Nobody leads this session now: there is no one to follow. "
                            "(ctrl+p \"Facilitate\" makes you the facilitator.)", timeout=6)
            return
        live.following = True
        self.app.follow_the_session()
        if self.app.screen is self:
            self.app.notify(f"Following {leader.name}.", timeout=3)

    def action_next_speaker(self) -> None:
        """F12: the facilitator gives the floor to the next participant, in turn (everyone sees who)."""
        live = self.app.live
        if not live.leads:
            self.app.notify(f"Only {live.lead or 'the facilitator'} passes the floor on.", timeout=3)
            return
        name = live.next_speaker()
        if name is None:
            self.app.notify("Nobody else is in this session to give the floor to.", timeout=3)
            return
        self.send(ops.Set("session.spotlight", name))
        self.app.notify(f"{name} has the floor.", timeout=3)

    def action_facilitate(self) -> None:
        """Take over the session: this terminal leads from now on (the one who led is told)."""
        live = self.app.live
        if live.observing:
            self.app.notify("You joined to watch (--observe), so you cannot lead this session.", severity="warning")
            return
        if live.leads:
            self.app.notify("You already lead this session.", timeout=3)
            return
        self.send(*live.take_over_ops(self.review), ops.Set("step", self.STEP))
        self.app.notify(f"You lead this session now, from {STEP_TITLES[self.STEP]}.", timeout=4)

    def action_home(self) -> None:
        """Back to the list of reviews (everything is saved first); an observer stays with the session."""
        if self.app.live.observing:
            self.app.notify("You joined this review to watch (--observe): ctrl+q leaves.", timeout=4)
            return
        self.app.saver.flush(wait=True)
        self.app.pop_screen()

    def action_help(self) -> None:
        from screens.dialogs import HelpDialog

        prompts = "\n## Questions to ask the room\n\n" + "\n".join(f"- {q}" for q in PROMPTS[self.STEP]) + "\n"
        text = self.HELP_TEXT + prompts + (LIST_KEYS_HELP if self.HAS_LISTS else "") + KEYS_HELP + FACILITATION_HELP
        self.app.push_screen(HelpDialog(STEP_TITLES[self.STEP], text))

    def palette_commands(self) -> list[tuple[str, Any, str]]:
        """Every action of the step, named with its key; the help words are searched too."""
        commands = [
            ("Next step (ctrl+n, ctrl+down)", self.action_next_step, "move on when this step has no errors"),
            ("Previous step (ctrl+b, ctrl+up)", self.action_previous_step, "go back one step"),
            ("Go to a step (ctrl+g)", self.action_go_to_step, "jump to any step"),
            ("Help for this step (F1)", self.action_help, "what this step is for and its keys"),
            ("Back to the list of reviews (ctrl+o)", self.action_home, "home; everything is saved"),
            ("Pause or resume the timer (F6)", self.action_pause_timer, "timebox clock stop"),
            ("Set this step's timebox (F7)", self.action_set_timebox, "timer minutes clock"),
            ("Let's move on: cut this step short (F9)", self.action_move_on, "timer timebox over time skip"),
            ("Presenter view on or off (ctrl+l)", self.action_toggle_presenter, "present projector screen share"),
            ("Solo interview on or off (ctrl+f)", self.action_toggle_solo, "alone interview questions one at a time"),
            ("Show or hide the prompts (ctrl+t)", self.action_toggle_prompts, "questions to ask the room"),
            ("Export the summary to a file", self.action_export, "write markdown report save file"),
            ("Facilitate: lead this session", self.action_facilitate, "take over lead facilitator session"),
            ("Bring everyone here / follow the facilitator again (ctrl+r)", self.action_together,
             "together gather rejoin follow session"),
            ("Give the floor to the next person (F12)", self.action_next_speaker,
             "round robin spotlight speaker turn everyone speaks heard"),
        ]
        for editor in self.query(ItemEditor):
            commands += [
                (f"New {editor.noun} (F2)", editor.action_new_item, f"add to {editor.title}"),
                (f"Delete the highlighted {editor.noun} (Delete or F8)", editor.delete_highlighted, "remove, asks first"),
            ]
        for step in STEPS:
            commands.append((f"Go to {STEP_TITLES[step]}", lambda s=step: self.jump_to(s), "jump to a step"))
        return commands

    # Focus ------------------------------------------------------------------

    def focus_field(self, field: str) -> None:
        """Focus the widget a problem is about (from the check panel or a refusal)."""
        for candidate in self.query(Field):
            if candidate.field == field:
                candidate.widget.focus()
                candidate.scroll_visible()
                return
        self.focus_item_field(field)

    def focus_item_field(self, field: str) -> None:
        """Let the item list that owns ``field`` focus it."""
        for editor in self.query(ItemEditor):
            if editor.focus_problem(field):
                editor.scroll_visible()
                return

    @on(CheckPanel.ProblemChosen)
    def focus_chosen_problem(self, event: CheckPanel.ProblemChosen) -> None:
        self.focus_field(event.problem.field)


def _session_field(op: ops.Operation) -> bool:
    """Changes that say nothing (where the session is, who leads): not a participant speaking."""
    field = getattr(op, "field", "")
    return field == "step" or field.startswith("session.")


def nothing_to_see(before: Review, after: Review, name: str) -> bool:
    """True when ``after`` differs from ``before`` only in what ``name`` may not see (and when it was saved)."""
    if not (has_hidden(before) or has_hidden(after)):
        return False  # the common case outside silent writing: compared for nothing
    return replace(visible_to(before, name), updated="") == replace(visible_to(after, name), updated="")


def reached_step(current: int, errors: set[str]) -> int:
    """How far the review got: past the current step, up to the step before the first one with errors.

    After going back, the finished steps ahead still show as done ("+").
    """
    blocked = [index for index, step in enumerate(STEPS) if step in errors and index > current]
    return max(current, blocked[0] - 1 if blocked else len(STEPS) - 1)


def _without_base(op: ops.Operation) -> ops.Operation:
    """The op as the screen applies it to what it shows: the typed value as is."""
    if isinstance(op, ops.Set) and op.base is not None:
        return ops.Set(op.field, op.value)
    if isinstance(op, ops.Edit) and op.bases:
        return ops.Edit(op.list, op.item_id, op.changes)
    return op


def typed_after(review: Review, doc: dict, op: ops.Operation) -> Review:
    """The typed review once ``op`` was applied to ``doc``: only what it changed is built again (model.rebuilt)."""
    if isinstance(op, ops.Set):
        return rebuilt(review, doc, op.field)
    return rebuilt(review, doc, op.list, op.item_id if isinstance(op, ops.Edit) else None)


def _attribute_at(review: Any, path: str) -> Any:
    """The attribute at a dotted path of a review object (``five_whys.problem``), or None."""
    value = review
    for name in path.split("."):
        value = getattr(value, name, None)
    return value


def _item_of(review: Any, list_name: str, item_id: str) -> Any | None:
    """One item of a review (``five_whys.chains`` too), or None."""
    items = _attribute_at(review, list_name) or []
    return next((item for item in items if getattr(item, "id", None) == item_id), None)


def _field_of(review: Any, field: str, doc: Callable[[], dict]) -> Any:
    """A plain field (text, number, yes/no) read off the review itself, else from ``doc()``.

    The first key typed after each change another participant made read a
    text field from the whole review turned into a dict: 300 events each time.
    """
    value = _attribute_at(review, field)
    if value is None or isinstance(value, (str, int, float)):
        return value
    return value_at(doc(), field)


def value_at(doc: dict, field: str) -> Any:
    """The value at a dotted field path of a review dict (``follow_up.due``), or None."""
    value: Any = doc
    for part in field.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return value


class TypedNow:
    """A change notice made from what a widget holds now, for the handlers of Changed messages."""

    def __init__(self, widget: Input | TextArea) -> None:
        self.control = self.input = widget
        self.value = widget_text(widget)

    def stop(self) -> None:
        """Nothing to stop: this notice was never posted."""
