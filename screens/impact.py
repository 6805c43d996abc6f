"""Impact: who and what was affected, and for how long."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import TextArea

from screens.step import StepScreen
from tui.fields import Field


class ImpactScreen(StepScreen):
    """One free text, with numbers in it: users, minutes, money, requests."""

    STEP = "impact"
    INTRO = "Who and what was affected, and for how long? Use numbers where you have them."
    HELP_TEXT = """
# Impact

**What it is for:** an honest, specific account of what the incident or
project problem cost the people it affected. Clients value this being
acknowledged plainly.

"""

    def compose_step(self) -> ComposeResult:
        yield Field("Impact", TextArea(id="impact", soft_wrap=True, show_line_numbers=False), "impact")

    def start_step(self) -> None:
        self.query_one("#impact", TextArea).focus()
