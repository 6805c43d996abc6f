"""Small typed modal dialogs: confirm, help, go to step, a path prompt, and "too small".

Each returns its answer with ``dismiss(result)``; callers pass a callback to
``push_screen`` rather than awaiting inside a message handler.
"""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen, ScreenResultType
from textual.widgets import Button, Input, OptionList, Static
from textual.widgets.option_list import Option

from store.model import STEP_TITLES, STEPS
from tui.line_input import LineInput


class AnswersOnce:
    """A screen that is dismissed once: keys typed at once (Enter, Enter) must not dismiss it twice.

    A second dismiss would call the caller back again and pop the screen
    under this one as well.
    """

    _answered = False

    def dismiss(self, result=None):
        if self._answered or not self.is_attached or self.app.screen is not self:
            return None
        self._answered = True
        return super().dismiss(result)


class Dialog(AnswersOnce, ModalScreen[ScreenResultType]):
    """The base of every modal dialog here."""


class ConfirmDialog(Dialog[bool]):
    """Ask before anything is destroyed; Cancel has the focus, Escape cancels."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="cancel")]

    def __init__(self, question: str, confirm_label: str = "Delete") -> None:
        super().__init__()
        self.question = question
        self.confirm_label = confirm_label

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(Content(self.question), classes="dialog-text")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Cancel", id="cancel", variant="primary")
                yield Button(self.confirm_label, id="confirm", variant="error")

    def on_mount(self) -> None:
        self.query_one("#cancel", Button).focus()

    @on(Button.Pressed, "#confirm")
    def confirm(self) -> None:
        self.dismiss(True)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(False)


class HelpDialog(Dialog[None]):
    """A step's help: what it is for, the questions to ask, the keys."""

    BINDINGS = [
        Binding("escape,f1", "close", "Close help", id="close"),
    ]

    def __init__(self, title: str, markdown: str) -> None:
        super().__init__()
        self.help_title = title
        self.markdown = markdown

    def compose(self) -> ComposeResult:
        from textual.widgets import Markdown  # with markdown-it, ~50 ms to import: only when help is asked for

        with VerticalScroll(classes="dialog help-dialog") as scroll:
            scroll.border_title = f"Help: {self.help_title} (Escape closes)"
            yield Markdown(self.markdown)

    def on_mount(self) -> None:
        self.query_one(VerticalScroll).focus()

    def action_close(self) -> None:
        self.dismiss(None)


class GoToStepDialog(Dialog[str | None]):
    """Pick a step to jump to; the caller decides whether moving forward is allowed."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="cancel")]

    def __init__(self, current: str, marks: dict[str, str]) -> None:
        super().__init__()
        self.current = current
        self.marks = marks

    def compose(self) -> ComposeResult:
        options = OptionList(
            *[
                Option(Content(f"{self.marks.get(step, ' ')} {n}. {STEP_TITLES[step]}"), id=step)
                for n, step in enumerate(STEPS, start=1)
            ],
            classes="dialog",
        )
        options.border_title = "Go to step (its number, or Enter)"
        yield options

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        options.highlighted = STEPS.index(self.current)
        options.focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def on_key(self, event) -> None:
        """A step's number goes straight to it."""
        if event.character and event.character.isdigit() and 1 <= int(event.character) <= len(STEPS):
            event.stop()
            self.dismiss(STEPS[int(event.character) - 1])

    def action_cancel(self) -> None:
        self.dismiss(None)


class PromptDialog(Dialog[str | None]):
    """Ask for one line of text (a file path, a number of minutes), with a default typed in."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="cancel")]

    def __init__(self, prompt: str, default: str) -> None:
        super().__init__()
        self.prompt = prompt
        self.default = default

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(Content(self.prompt), classes="dialog-text")  # wraps: a long question is read in full
            yield LineInput(self.default, id="path")
            yield Static(Content("Enter saves, Escape cancels."), classes="dialog-text")

    @on(Input.Submitted)
    def submit(self, event: Input.Submitted) -> None:
        self.dismiss(event.value.strip() or None)

    def action_cancel(self) -> None:
        self.dismiss(None)


class GroundRulesDialog(Dialog[bool]):
    """The blameless ground rules, confirmed by the facilitator before setup."""

    BINDINGS = [Binding("escape", "not_yet", "Not now", id="not-now")]

    def compose(self) -> ComposeResult:
        from store.prompts import GROUND_RULES

        with Vertical(classes="dialog") as box:
            box.border_title = "Ground rules"
            for line in GROUND_RULES:
                yield Static(Content(line), classes="dialog-text ground-rule")
            with Horizontal(classes="dialog-buttons"):
                yield Button("We agree: start", id="agree", variant="primary")
                yield Button("Not now", id="not-now")

    def on_mount(self) -> None:
        self.query_one("#agree", Button).focus()

    @on(Button.Pressed, "#agree")
    def agree(self) -> None:
        self.dismiss(True)

    @on(Button.Pressed, "#not-now")
    def action_not_yet(self) -> None:
        self.dismiss(False)


class TooSmallScreen(Dialog[None]):
    """Shown instead of a broken layout when the terminal is smaller than 60x20."""

    def compose(self) -> ComposeResult:
        yield Static(
            Content("The window is too small.\nMake it at least 60 columns by 20 rows.\n(ctrl+q quits; your work is saved.)"),
            id="too-small",
        )


class RevealDialog(Dialog["set[str] | None"]):
    """The facilitator, alone, reads the cards written silently and reveals them all at once.

    Every card is ticked; unticking one (Space) holds it back: it stays hidden
    and its author is told.  F2 reveals, Escape goes back with nothing
    revealed.  Authors are not shown: anonymous cards stay anonymous even to
    the facilitator.
    """

    BINDINGS = [
        Binding("f2", "reveal", "Reveal", id="reveal", priority=True),
        Binding("escape", "cancel", "Cancel", id="cancel"),
    ]

    def __init__(self, step_title: str, cards: list[tuple[str, str]], blaming: frozenset[str] = frozenset()) -> None:
        super().__init__()
        self.step_title = step_title
        self.cards = cards  # (card id, text)
        self.blaming = blaming  # the ids of cards whose text blames a person: marked "!"

    def compose(self) -> ComposeResult:
        from textual.widgets import SelectionList

        with Vertical(classes="dialog reveal-dialog") as box:
            box.border_title = f"Reveal the cards of {self.step_title}"
            yield Static(Content(f"{len(self.cards)} card(s). Space unticks a card to hold it back (its author is "
                                 "told); F2 reveals the ticked ones to everyone at once; Escape: not yet."
                                 + (" ! marks blame language." if self.blaming else "")),
                         classes="dialog-text")
            yield SelectionList(*[(Content(("! " if card_id in self.blaming else "") + (text or "(empty)")), card_id,
                                   True) for card_id, text in self.cards], id="cards")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Reveal (F2)", id="reveal", variant="primary")
                yield Button("Not yet", id="cancel")

    def on_mount(self) -> None:
        self.query_one("#cards").focus()

    @on(Button.Pressed, "#reveal")
    def action_reveal(self) -> None:
        chosen = set(self.query_one("#cards").selected)
        self.dismiss({card_id for card_id, _ in self.cards if card_id not in chosen})

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
