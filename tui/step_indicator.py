"""The step indicator: every step of the review with its state, always visible.

Plain ASCII marks so it reads the same in any terminal, without colour too:
``+`` done, ``>`` current, ``!`` has errors, ``.`` not reached yet.
"""

from __future__ import annotations

from textual.content import Content
from textual.widgets import Static

from store.model import STEPS

SHORT_TITLES = {
    "setup": "Setup",
    "timeline": "Timeline",
    "impact": "Impact",
    "five_whys": "5 Whys",
    "went_well": "Well",
    "could_improve": "Improve",
    "actions": "Actions",
    "summary": "Summary",
}


class StepIndicator(Static):
    """One line: each step's mark and short title; the current step stands out."""

    DEFAULT_CSS = """
    StepIndicator { height: auto; padding: 0 1; background: $boost; }
    """

    def show(self, current: str, error_steps: set[str], reached: int) -> None:
        """Redraw for the current step, the steps with errors and how far the review got."""
        state = (current, frozenset(error_steps), reached)
        if state == getattr(self, "_state", None):
            return
        self._state = state
        parts = []
        for index, step in enumerate(STEPS):
            parts.append(self._part(step, index, current, error_steps, reached))
        self.update(Content(" ").join(parts))

    @staticmethod
    def _part(step: str, index: int, current: str, errors: set[str], reached: int) -> Content:
        title = SHORT_TITLES[step]
        if step == current:
            return Content.styled(f">{title}<", "bold reverse")
        if step in errors and index <= reached:
            return Content.styled(f"!{title}", "$text-error")
        if index <= reached:
            return Content.styled(f"+{title}", "$text-success")
        return Content.styled(f".{title}", "$text-muted")
