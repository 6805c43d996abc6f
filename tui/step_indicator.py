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


# Below about 70 columns the full titles take two lines: the steps not shown are shortened.
TINY_TITLES = SHORT_TITLES | {"timeline": "Time", "five_whys": "Whys", "could_improve": "Impr",
                              "actions": "Act", "summary": "Sum"}


class StepIndicator(Static):
    """One line: each step's mark and short title; the current step stands out."""

    DEFAULT_CSS = """
    StepIndicator { height: auto; padding: 0 1; background: $boost; }
    """

    def show(self, current: str, error_steps: set[str], reached: int) -> None:
        """Redraw for the current step, the steps with errors and how far the review got."""
        state = (current, frozenset(error_steps), reached, self.size.width)
        if state == getattr(self, "_state", None):
            return
        self._state = state
        line = self._line(current, error_steps, reached, SHORT_TITLES)
        if self.size.width and line.cell_length > self.size.width - 2:
            line = self._line(current, error_steps, reached, TINY_TITLES)
        self.update(line)

    def on_resize(self) -> None:
        self.call_after_refresh(self._fit)  # after this layout pass: the new line may need fewer rows

    def _fit(self) -> None:
        if getattr(self, "_state", None):
            current, errors, reached, _ = self._state
            self.show(current, set(errors), reached)

    def _line(self, current: str, errors: set[str], reached: int, titles: dict[str, str]) -> Content:
        parts = [self._part(step, index, current, errors, reached, titles) for index, step in enumerate(STEPS)]
        return Content(" ").join(parts)

    @staticmethod
    def _part(step: str, index: int, current: str, errors: set[str], reached: int, titles: dict[str, str]) -> Content:
        title = SHORT_TITLES[step] if step == current else titles[step]
        if step == current:
            return Content.styled(f">{title}<", "bold reverse")
        if step in errors and index <= reached:
            return Content.styled(f"!{title}", "$text-error")
        if index <= reached:
            return Content.styled(f"+{title}", "$text-success")
        return Content.styled(f".{title}", "$text-muted")
