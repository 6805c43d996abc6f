"""The first screen of a browser participant: who is joining (their name in the live session).

A terminal participant is named by ``--as`` or their login name; in a browser
(``postmortem serve``) every tab runs as the server's user, so the login name
says nothing.  Rather than join as a silent "anonymous", the app asks.
"""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import Input, Label, Static

from screens.dialogs import Dialog
from store.session import clean_name
from tui.line_input import LineInput


class NameDialog(Dialog[str]):
    """Ask for a name; an empty one is refused with a message at the field (no Escape: nobody joins unnamed)."""

    def __init__(self, observing: bool = False) -> None:
        super().__init__()
        self.observing = observing

    def compose(self) -> ComposeResult:
        doing = "watch this review" if self.observing else "join this review"
        with Vertical(classes="dialog") as box:
            box.border_title = "Who is joining?"
            yield Label(Content(f"Your name, as the others will see it (to {doing}):"))
            yield LineInput("", placeholder="e.g. Dana", id="name")
            yield Static(Content("Enter joins. ctrl+q leaves."), id="name-problem", classes="dialog-text")

    def on_mount(self) -> None:
        self.query_one("#name", Input).focus()

    @on(Input.Submitted, "#name")
    def join(self, event: Input.Submitted) -> None:
        name = clean_name(event.value).strip()
        if not name:
            problem = self.query_one("#name-problem", Static)
            problem.update(Content("Name: give the name the others will know you by, then Enter."))
            problem.add_class("-refused")
            return
        self.dismiss(name)
