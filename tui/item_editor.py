"""The item list editor: add, edit, delete and move list items with the keyboard alone.

Used for the timeline, went well, lucky, could improve, surprises, actions
and questions.  The form always edits a stored item: the first character
typed into a blank form adds the item, so nothing typed lives only on screen.
Enter finishes the item and starts a new one; Escape goes to the list.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.css.scalar import Unit
from textual.geometry import Region, Size
from textual.widgets import Input, Label, OptionList, Select, Static
from textual.widgets.option_list import Option

from store.checks import Problem
from store.ops import MERGED_ITEM_TEXTS
from store.silent import numbers
from tui.choice_select import ChoiceSelect
from tui.text import show_text
from tui.text_sync import replace_text
from tui.line_input import LineInput


@dataclass
class FieldSpec:
    """One field of an item's form."""

    name: str
    label: str
    placeholder: str = ""
    choices: list[tuple[str, str]] | None = None
    row: int = 0
    width: str = "1fr"
    to_store: Callable[[str], Any] | None = None
    to_show: Callable[[Any], str] | None = None
    choices_from: Callable[[], list[tuple[str, str]]] | None = field(default=None, repr=False)


class ItemRows(OptionList):
    """The items as rows; keys to edit, delete and move the highlighted one."""

    BINDINGS = [
        Binding("delete,f8", "delete_item", "Delete", id="delete-item"),
        Binding("shift+up,left_square_bracket", "move(-1)", "Move up", id="move-up"),
        Binding("shift+down,right_square_bracket", "move(1)", "Move down", id="move-down"),
        Binding("plus,equals_sign", "vote(1)", "Vote", id="vote", show=False),
        Binding("minus", "vote(-1)", "Unvote", id="unvote", show=False),
    ]

    def action_vote(self, change: int) -> None:
        """+ or - on a row: a dot vote for the highlighted item, where a vote is open (the screen decides)."""
        editor = self.parent_editor
        item_id = editor._highlighted_id()
        vote = getattr(self.screen, "vote_on", None)
        if vote is None:
            self.app.notify("No vote is open here.", timeout=3)
            return
        if item_id is None:  # the list has the focus, no row is highlighted yet (as after Escape)
            self.app.notify("No item is highlighted: Up / Down chooses one, then + votes for it.", timeout=4)
            return
        vote(editor.list_name, item_id, change)

    def replace_row(self, index: int, prompt: Content) -> None:
        """Replace one row's text, redrawing only its own lines when it keeps its height.

        Textual's ``replace_option_prompt_at_index`` redraws the whole list:
        typing into an item sent every visible row to the terminal on every
        key (about 2.3 KB at 80x24, over SSH).  A row that grows or shrinks
        moves the rows below it, so then the whole list is redrawn after all.
        """
        option = self.get_option_at_index(index)
        cache = self._line_cache
        height = cache.heights.get(index)
        option._set_prompt(prompt)
        padding = self.get_component_styles("option-list--option").padding
        width = self.scrollable_content_region.width - self._get_left_gutter_width() - padding.width
        if height is None or width <= 0 or \
                self._get_visual(option).get_height(self.styles, width) + option._divider != height:
            self._clear_caches()
            return
        self._option_render_cache.clear()  # other rows are drawn again from it only when they are redrawn
        top = cache.index_to_line[index] - self.scroll_offset.y
        self.refresh(Region(0, top, self.scrollable_content_region.width, height))

    def action_delete_item(self) -> None:
        self.parent_editor.delete_highlighted()

    def action_move(self, offset: int) -> None:
        self.parent_editor.move_highlighted(offset)

    @property
    def parent_editor(self) -> "ItemEditor":
        return self.query_ancestor(ItemEditor)

    _measuring = False  # inside _update_lines (see refresh)
    _adding = False  # inside add_options (see refresh)
    _layout_asked = False  # a layout add_options asked for, decided once its rows are measured

    def _update_lines(self) -> None:
        self._measuring = True
        try:
            super()._update_lines()
        finally:
            self._measuring = False

    def add_options(self, new_options):
        """Rows added to a list that scrolls before and after are only drawn, not laid out (see refresh)."""
        self._adding, self._layout_asked = True, False
        try:
            super().add_options(new_options)
        finally:
            self._adding = False
        if self._layout_asked and not self._scrolls_either_way():
            self.refresh(layout=True)
        return self

    def refresh(self, *regions: Region, repaint: bool = True, layout: bool = False, recompose: bool = False):
        """A list that scrolls before and after a row grew or shrank is not laid out again, only redrawn.

        Textual lays the whole screen out whenever a list's virtual size
        changes: a row of another participant's that wraps onto one more line
        cost a layout pass of about 7 ms (17 ms at p95) per change it made.
        A list already taller than its room keeps its size on screen, so only
        its scrollbar and rows need drawing again.  Adding rows (a new card's
        first key adds one) asks for a layout before the rows are measured;
        it is decided once they are (``add_options``).
        """
        if layout and not recompose and self._adding:
            self._layout_asked, layout = True, False
        elif layout and not recompose and self._measuring and self._scrolls_either_way():
            layout = False
        return super().refresh(*regions, repaint=repaint, layout=layout, recompose=recompose)

    def _scrolls_either_way(self) -> bool:
        """The rows are taller than the list's room, which is as tall as its max-height allows."""
        limit = self.styles.max_height
        if limit is None or limit.unit != Unit.CELLS or self.outer_size.height < limit.value:
            return False
        return self.virtual_size.height > self.scrollable_content_region.height

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        """The rows' height, measured only as far as the list can grow (its max-height).

        Textual measures every option on every layout pass of an auto-height
        list: with 300 events that was most of each key press on the timeline.
        Once the rows are taller than the max-height, the rest cannot change
        the result, so they are not measured.
        """
        limit = self.styles.max_height
        if limit is None or limit.unit != Unit.CELLS:
            return super().get_content_height(container, viewport, width)
        padding = self.get_component_styles("option-list--option").padding.width
        height, last = 0, len(self.options) - 1
        for index, option in enumerate(self.options):
            height += self._get_visual(option).get_height(self.styles, width - padding)
            height += 1 if option._divider and index != last else 0
            if height > limit.value:
                break
        return height


class ItemEditor(Vertical):
    """A list of one kind of item with a form for the item being edited."""

    BINDINGS = [
        Binding("f2", "new_item", "New item", id="new-item"),
        Binding("escape", "to_list", "To list", id="to-list", show=False),
    ]

    def __init__(
        self,
        list_name: str,
        title: str,
        fields: list[FieldSpec],
        describe: Callable[[Any, int | None], str],
        noun: str = "item",
        describe_context: Callable[[], Any] | None = None,
        **kwargs,
    ) -> None:
        super().__init__(**kwargs)
        self.list_name = list_name
        self.title = title
        self.fields = fields
        # An item's row, given the item and its number (None for a card not revealed yet: store.silent.numbers).
        self.describe = describe
        # What the rows show besides each item and its number (the timeline's timezone), if anything.
        self.describe_context = describe_context
        self.noun = noun
        self.editing_id: str | None = None
        self._form_item: str | None = None  # the item the form's fields show
        self.items: list[Any] = []
        self._loading = False
        self._shown = False
        self.problems: list[Problem] = []
        self._by_item: dict[str, list[Problem]] = {}
        self._row_ids: list[str] = []
        self._row_texts: list[tuple] = []
        self._row_items: list[Any] = []  # the items the rows were described from
        self._row_context: Any = None
        self._numbers: dict[str, int | None] = {}  # each row's item's number, as the rows were last described
        self._rows: ItemRows | None = None  # the widgets below, once mounted
        self._form_fields: list = []
        self._note: Static | None = None

    # Layout -------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        rows = ItemRows(classes="item-rows")
        rows.border_title = self.title
        yield rows
        for row in sorted({spec.row for spec in self.fields}):
            specs = [spec for spec in self.fields if spec.row == row]
            with Horizontal(classes="item-labels"):
                for spec in specs:
                    label = Label(Content(spec.label), classes="item-label")
                    label.styles.width = spec.width
                    yield label
            with Horizontal(classes="item-form"):
                for spec in specs:
                    yield self._widget(spec)
        yield Static("", classes="item-note")

    def _widget(self, spec: FieldSpec):
        if spec.choices is not None or spec.choices_from is not None:
            choices = [(Content(label), value) for label, value in spec.choices or []]
            widget = ChoiceSelect(choices, prompt=spec.placeholder or spec.label, allow_blank=True, compact=True,
                                  what=spec.label)
        else:
            widget = LineInput(placeholder=spec.placeholder, select_on_focus=False, compact=True)
        widget.item_field = spec.name
        widget.styles.width = spec.width
        widget.add_class("item-field")
        return widget

    def on_mount(self) -> None:
        # Found once: queries walk the widget tree, and show() runs per key and per stored change.
        self._rows = self.query_one(ItemRows)
        self._form_fields = list(self.query(".item-field"))
        self._note = self.query_one(".item-note", Static)
        self._show_form_title()

    # Showing ------------------------------------------------------------------

    def show(self, items: list[Any], problems: list[Problem]) -> None:
        """Redraw rows from the stored items; refresh the form unless it is being typed in."""
        if self._rows is None or not self._rows.is_attached or self._loading:
            return  # not composed yet, being removed with its screen, or filling its form now
        if items == self.items and problems == self.problems and self._shown and self._same_context():
            return
        self._shown = True
        self.items = list(items)
        self.problems = problems
        self._by_item = self._group_problems(problems)
        self._show_rows()
        if self.editing_id is not None and self.current is None:
            self.editing_id = None  # deleted, here or in another window
        self._fill_form()
        self._show_note()

    def _show_rows(self) -> None:
        """Replace only the rows whose text changed, add rows that came at the end; rebuild when items went or moved.

        Typing changes one row at a time, and rebuilding hundreds of rows on
        every key press is what made long timelines slow.  A new card's first
        key adds its row at the end: a rebuild there measured the empty list
        on the way, which hid the scrollbar and showed it again, two layouts
        of the whole screen (that key took about 11 ms where the next took 3).
        """
        rows = self._rows
        ids = [item.id for item in self.items]
        texts = self._row_texts_now(ids)
        shown = len(self._row_ids)
        if ids and shown and ids[:shown] == self._row_ids:
            for index, (before, after) in enumerate(zip(self._row_texts, texts)):
                if before != after:
                    rows.replace_row(index, self._row(after))
            if len(ids) > shown:
                rows.add_options([Option(self._row(text), id=item_id)
                                  for item_id, text in zip(ids[shown:], texts[shown:])])
        else:
            highlighted = rows.highlighted
            chosen = self._row_ids[highlighted] if highlighted is not None and highlighted < shown else None
            rows.clear_options()
            rows.add_options([Option(self._row(text), id=item_id) for item_id, text in zip(ids, texts)])
            if not ids:
                rows.add_option(Option(Content(f"No {self.noun}s yet: type in the fields below."), disabled=True))
            elif chosen in ids:  # the same item, wherever it went (a vote's close ranks the rows)
                rows.highlighted = ids.index(chosen)
            elif highlighted is not None:
                rows.highlighted = min(highlighted, len(ids) - 1)
        self._row_ids, self._row_texts, self._row_items = ids, texts, list(self.items)
        self._follow_edited(rows)

    def _same_context(self) -> bool:
        """Whatever else the rows show (the timeline's timezone) is as they show it."""
        return self.describe_context is None or self.describe_context() == self._row_context

    def _row_texts_now(self, ids: list[str]) -> list[tuple]:
        """Every row's text; an item that has not changed keeps the description it had.

        Describing 300 events (their times formatted in the review's timezone)
        on every key typed into one of them was most of what showing the list cost.
        """
        found = numbers(self.items)
        self._numbers = dict(zip(ids, found))
        context = (self.describe_context() if self.describe_context is not None else None, tuple(found))
        before = self._row_texts if ids == self._row_ids and context == self._row_context else None
        self._row_context = context
        texts = []
        for index, (item, number) in enumerate(zip(self.items, found)):
            described = None
            if before is not None:
                shown = self._row_items[index]
                if shown is item or shown == item:
                    described = before[index][0]
            texts.append(self._row_text(item, number, described))
        return texts

    def _follow_edited(self, rows: ItemRows) -> None:
        """The list follows the item being edited: a new event added at the end (or sorted in) comes into view.

        Not while the list has the focus: there the highlight is the person's
        own (voting, choosing a row), and a row redrawn by a change (their own
        dot, another's words) took it to the item last edited, and the next +
        voted for that one.
        """
        if rows.has_focus:
            return
        if self.editing_id in self._row_ids:
            index = self._row_ids.index(self.editing_id)
            if rows.highlighted != index:
                rows.highlighted = index

    def _group_problems(self, problems: list[Problem]) -> dict[str, list[Problem]]:
        """Each item's problems (``<list>.<id>`` or ``<list>.<id>.<field>``), errors first."""
        grouped: dict[str, list[Problem]] = {}
        prefix = self.list_name + "."
        for problem in problems:
            if problem.field.startswith(prefix):
                item_id = problem.field[len(prefix):].split(".", 1)[0]
                grouped.setdefault(item_id, []).append(problem)
        for found in grouped.values():
            found.sort(key=lambda p: p.level != "error")
        return grouped

    def _row_text(self, item: Any, number: int | None, described: str | None = None) -> tuple[str, bool, str, str]:
        """What a row shows: its text (``described`` if known), whether it is being edited, and its first problem."""
        mine = self._problems_of(item.id)
        problem = mine[0].message if mine else ""
        level = "error" if any(p.level == "error" for p in mine) else "advisory"
        return (self.describe(item, number) if described is None else described, item.id == self.editing_id,
                problem, level)

    @staticmethod
    def _row(text: tuple[str, bool, str, str]) -> Content:
        described, editing, problem, level = text
        row = Content(described)
        if editing:
            row = Content.assemble(Content.styled("* ", "bold"), row)
        if problem:
            style = "$text-error" if level == "error" else "$text-warning"
            row = Content.assemble(row, Content.styled(f"  ! {problem}", style))
        return row

    def _problems_of(self, item_id: str | None) -> list[Problem]:
        if item_id is None:
            return []
        return self._by_item.get(item_id, [])

    @property
    def current(self) -> Any | None:
        """The stored item the form edits, or None for a new one."""
        return next((item for item in self.items if item.id == self.editing_id), None)

    def _fill_form(self, force: bool = False) -> None:
        """Show the edited item in the form.

        When the store sent it, free-text fields take it even while typed in,
        with the typing not yet saved merged in; otherwise a field being typed
        in is left alone unless ``force`` (the form now shows another item).
        """
        item = self.current
        screen = self.screen
        same_item = self._form_item == self.editing_id and not force
        merging = same_item and getattr(screen, "showing_stored", False) and self.editing_id is not None
        if merging and screen.stored_item(self.list_name, self.editing_id) is None:
            return  # added here and not stored yet: the form holds the latest, and nobody else has it
        self._loading = True
        try:
            for widget in self._form_fields:
                spec = self._spec(widget.item_field)
                value = getattr(item, spec.name, "") if item is not None else ""
                shown = spec.to_show(value) if spec.to_show and value else (value or "")
                if isinstance(widget, Select):
                    self._fill_select(widget, spec, shown)
                elif merging and self._merges(spec):
                    self._merge_into(widget, spec, shown)
                elif not (widget.has_focus and same_item):
                    replace_text(widget, shown, keep_cursor=False)
        finally:
            self._loading = False
        self._form_item = self.editing_id
        self._show_form_title()

    def _merges(self, spec: FieldSpec) -> bool:
        return (self.list_name, spec.name) in MERGED_ITEM_TEXTS and spec.to_show is None and spec.to_store is None

    def _merge_into(self, widget: Input, spec: FieldSpec, stored: str) -> None:
        """Show the stored text with the typing not yet saved merged in, and queue what the store lacks."""
        screen = self.screen
        key = f"{self.list_name}.{self.editing_id}.{spec.name}"
        before = getattr(screen.stored_item(self.list_name, self.editing_id, previous=True), spec.name, None) or ""
        text = screen.sync.show(widget, key, before, stored)
        if text != stored:  # typing not yet saved, now over the stored text
            screen.edit_item(self.list_name, self.editing_id, {spec.name: text}, bases={spec.name: stored},
                             rebase=True)

    @staticmethod
    def _fill_select(widget: Select, spec: FieldSpec, shown: str) -> None:
        """Offer the spec's choices, plus a stored value that is not among them (imported text)."""
        choices = list(spec.choices_from() if spec.choices_from else spec.choices or [])
        if shown and shown not in [value for _, value in choices]:
            choices.append((shown, shown))
        # Labels carry user text (root causes, imported values): never markup.
        choices = [(label if isinstance(label, Content) else Content(label), value) for label, value in choices]
        if choices != getattr(widget, "_offered", None):
            widget._offered = choices
            widget.set_options(choices)
        wanted = shown if shown else Select.NULL
        if widget.value != wanted:
            widget.value = wanted

    def _show_form_title(self) -> None:
        rows = self._rows
        if self.current is None:
            subtitle = f"new {self.noun}: type below"
        else:
            subtitle = f"editing {self._named(self.current)}"
        if rows.border_subtitle != subtitle:  # setting it redraws the whole list, as each key did
            rows.border_subtitle = subtitle

    def _show_note(self) -> None:
        note = self._note
        mine = self._problems_of(self.editing_id)
        lines = [f"{'!' if p.level == 'error' else '?'} {p.message} {p.hint}" for p in mine[:2]]
        show_text(note, "\n".join(lines))

    def _spec(self, name: str) -> FieldSpec:
        return next(spec for spec in self.fields if spec.name == name)

    # Typing -------------------------------------------------------------------

    @on(Input.Changed, ".item-field")
    @on(Select.Changed, ".item-field")
    def save_item_field(self, event: Input.Changed | Select.Changed) -> None:
        """Save what was typed: add the item on the first character, edit it after."""
        event.stop()
        if self._loading:
            return
        widget = event.control
        spec = self._spec(widget.item_field)
        raw = "" if widget.value is Select.NULL else str(widget.value)
        value = spec.to_store(raw) if spec.to_store else raw
        screen = self.screen
        now = self._edited_now()
        if now is not None and getattr(now, spec.name, None) == value:
            return  # the notice of filling the form (it arrives after the fill): nothing was typed
        if self.editing_id is None:
            if not raw.strip():
                return
            # Its row and checks come at the typing's pause, as the next keys' do (a redraw here made
            # the first key of a card cost twice what the next did).
            self.editing_id = screen.add_item(self.list_name, self.new_item(spec.name, value),
                                              typing=isinstance(widget, Input))
            if isinstance(widget, Input):
                self._form_item = self.editing_id  # the form shows it: the stored add must not refill the field
                self._show_form_title()
            else:
                self.redraw()
        else:
            screen.edit_item(self.list_name, self.editing_id, {spec.name: value}, typing=isinstance(widget, Input))
        self._show_note()

    def _edited_now(self) -> Any | None:
        """The edited item as the screen holds it now, with every key typed (the rows wait for a typing pause)."""
        if self.editing_id is None:
            return None
        return next((item for item in self.screen.items_of(self.list_name) if item.id == self.editing_id), None)

    def new_item(self, name: str, value: Any) -> dict:
        """The item added when the first field of a blank form is typed in."""
        return {name: value}

    @on(Input.Submitted, ".item-field")
    def finish_item(self, event: Input.Submitted) -> None:
        """Enter: this item is done; start a blank form for the next one."""
        event.stop()
        self.action_new_item()

    def redraw(self) -> None:
        """Redraw the rows and the form (the item being edited changed), with what was typed before a pause."""
        self.screen.checks_now()
        self._shown = False
        self.show(self.items, self.problems)

    def action_new_item(self) -> None:
        self.app.flush_now()
        self.editing_id = None
        self.redraw()
        self._fill_form(force=True)
        self.query(".item-field").first().focus()

    def action_to_list(self) -> None:
        self.app.flush_now()
        self.query_one(ItemRows).focus()

    # List keys ----------------------------------------------------------------

    @on(OptionList.OptionSelected, ".item-rows")
    def edit_selected(self, event: OptionList.OptionSelected) -> None:
        """Enter on a row: edit that item in the form."""
        event.stop()
        self.edit(event.option.id)

    def edit(self, item_id: str | None, field_name: str | None = None) -> None:
        """Load an item into the form and focus one of its fields."""
        if item_id is None:
            return
        self.app.flush_now()
        self.editing_id = item_id
        self.redraw()
        self._fill_form(force=True)
        self._show_note()
        widgets = list(self.query(".item-field"))
        target = next((w for w in widgets if w.item_field == field_name), widgets[0])
        target.focus()

    def focus_problem(self, field: str) -> bool:
        """Focus the item field a problem names (``timeline.i3.at``); False if not ours."""
        if not field.startswith(self.list_name):
            return False
        parts = field[len(self.list_name):].strip(".").split(".")
        if parts and parts[0]:
            self.edit(parts[0], parts[1] if len(parts) > 1 else None)
        else:
            self.action_new_item()
        return True

    def _highlighted_id(self) -> str | None:
        rows = self.query_one(ItemRows)
        if rows.highlighted is None or not self.items:
            return None
        return rows.get_option_at_index(rows.highlighted).id

    def delete_highlighted(self) -> None:
        from screens.dialogs import ConfirmDialog

        item_id = self._highlighted_id()
        if item_id is None:
            return
        item = next(item for item in self.items if item.id == item_id)
        question = f"Delete {self._named(item)}?\n\n{self.describe(item, self.number_of(item))}"

        def remove(confirmed: bool | None) -> None:
            if confirmed:
                self.screen.remove_item(self.list_name, item_id)
            self.query_one(ItemRows).focus()

        self.app.push_screen(ConfirmDialog(question), remove)

    def number_of(self, item: Any) -> int | None:
        """The item's number as everyone counts it: None for a card not revealed yet (store.silent.numbers)."""
        if item.id in self._numbers:  # as the rows show it (worked out once per redraw, not per key)
            return self._numbers[item.id]
        return numbers(self.items)[self.items.index(item)]

    def _named(self, item: Any) -> str:
        """"factor 3", or "your factor (not revealed yet)": its position here is not the number it will have."""
        number = self.number_of(item)
        return f"{self.noun} {number}" if number is not None else f"your {self.noun} (not revealed yet)"

    def move_highlighted(self, offset: int) -> None:
        item_id = self._highlighted_id()
        if item_id is None:
            return
        rows = self.query_one(ItemRows)
        self.screen.move_item(self.list_name, item_id, offset)
        index = next((n for n, item in enumerate(self.items) if item.id == item_id), None)
        if index is not None:
            rows.highlighted = index


def text_list_editor(list_name: str, title: str, noun: str, placeholder: str, **kwargs) -> ItemEditor:
    """An editor for a list of plain text items (went well, lucky, could improve ...)."""
    return ItemEditor(
        list_name,
        title,
        [FieldSpec("text", noun.capitalize(), placeholder)],
        describe=lambda item, number: f"{number or '-'}. {item.text}{_card_mark(item)}",
        noun=noun,
        **kwargs,
    )


def vote_mark(item: Any) -> str:
    """An item's votes once a vote closed, or this terminal's own dots (``●``) while it is open."""
    mark = f"  [{item.votes} vote{'s' if item.votes != 1 else ''}]" if getattr(item, "votes", 0) else ""
    dots = sum(getattr(item, "ballot", {}).values())
    return mark + ("  " + "●" * dots if dots else "")


def _card_mark(card: Any) -> str:
    """A card's votes, and one written silently as its author sees it (nobody else sees it at all).

    While a vote is open the screen passes cards whose ballot holds this
    terminal's own dots only (``●``); once it closed, the count.
    """
    return vote_mark(card) + silent_mark(card)


def silent_mark(item: Any) -> str:
    """An item written silently, as its author sees it (store.silent): nobody else sees it at all."""
    if getattr(item, "held", False):
        return "  (held back by the facilitator)"
    return "  (only you see it, until the reveal)" if getattr(item, "hidden", False) else ""
