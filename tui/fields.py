"""A labelled form field with its own problem note, shared by every step screen.

The note under a field is where a refused ``ctrl+n`` says what is wrong, so the
reason appears next to the field, not only in the check panel.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.widget import Widget
from textual.widgets import Label, Static

from store.checks import Problem
from tui.text import show_text


class SizedByLayout:
    """A container whose new size, measured by a layout, asks for no second layout.

    When what a container holds grows or shrinks (a why another participant
    lengthened wraps onto one more line), the layout that measured it has
    placed everything already, but Textual's setting of its new size asked
    for a second layout and a repaint of the whole container: a second frame,
    a frame period later (about 5 KB for a step's form, over SSH).  The size
    is kept without that.  A scrollbar that appears or goes still lays out
    again (its own reactive asks for it).
    """

    def _size_updated(self, size, virtual_size, container_size, layout: bool = True) -> bool:
        return super()._size_updated(size, virtual_size, container_size, layout=False)


class Field(SizedByLayout, Vertical):
    """A label, one input widget, and a note showing the field's problems."""

    DEFAULT_CSS = """
    Field { height: auto; }
    Field > Input, Field > Select, Field > TextArea { background: $boost; }
    Field > .field-label { color: $text-muted; }
    Field > .field-note { color: $text-warning; height: auto; }
    Field > .field-note.-error { color: $text-error; }
    Field > .field-note.-empty { display: none; }
    """

    def __init__(self, label: str, widget: Widget, field: str, **kwargs) -> None:
        super().__init__(**kwargs)
        self.label = label
        self.widget = widget
        self.field = field
        widget.field = field  # the screen reads this when the widget reports a change
        if hasattr(widget, "compact"):
            widget.compact = True  # one line per field: more of the form fits in 80x24
        if hasattr(widget, "select_on_focus"):
            widget.select_on_focus = False  # a key typed on arrival must not wipe the field

    def compose(self) -> ComposeResult:
        yield Label(Content(self.label), classes="field-label")
        yield self.widget
        yield Static("", classes="field-note -empty")

    def set_label(self, label: str) -> None:
        """Change the label (the Five Whys prompt quotes the answer before it); unchanged, nothing is redrawn."""
        if label == self.label:
            return  # each update lays the screen out again: per stored change, for every why
        self.label = label
        labels = self.query(".field-label")
        if labels:
            labels.first(Label).update(Content(label))

    def show_problems(self, problems: list[Problem]) -> None:
        """Show this field's problems (errors first, at most three), or nothing."""
        notes = self.query(".field-note")
        if not notes:
            return  # not composed yet
        note = notes.first(Static)
        mine = [p for p in problems if p.field == self.field]
        mine.sort(key=lambda p: p.level != "error")
        note.set_class(not mine, "-empty")
        note.set_class(bool(mine) and mine[0].level == "error", "-error")
        lines = [f"{'!' if p.level == 'error' else '?'} {p.message} {p.hint}" for p in mine[:3]]
        show_text(note, "\n".join(lines))
