"""Impact: who and what was affected, and for how long."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import TextArea

from screens.step import StepScreen
from tui.fields import Field
from tui.line_input import LineInput


class ImpactScreen(StepScreen):
    """One free text, with numbers in it: users, minutes, money, requests."""

    STEP = "impact"
    INTRO = "Who and what was affected, and for how long? Use numbers where you have them."
    HELP_TEXT = """
# Impact

**What it is for:** an honest, specific account of what the incident or
project problem cost the people it affected. Clients value this being
acknowledged plainly.

Below it: the **trigger** (what set it off) and the **detection** (how we
found out: an alert, a customer, luck), as the Google SRE template asks, and
**what we did not know then**: where our picture of the system was wrong.

"""

    def compose_step(self) -> ComposeResult:
        yield Field("Impact", TextArea(id="impact", soft_wrap=True, show_line_numbers=False), "impact")
        yield Field("Trigger (what set it off)", LineInput(placeholder="e.g. A config push to every host", id="trigger"), "trigger")
        yield Field("Detection (how we found out)", LineInput(placeholder="e.g. The error-rate alert paged on-call", id="detection"), "detection")
        yield Field(
            "What we did not know then",
            LineInput(placeholder="e.g. That retries from clients doubled the load", id="unknowns"),
            "unknowns",
        )

    def start_step(self) -> None:
        self.query_one("#impact", TextArea).focus()
