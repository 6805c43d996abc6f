"""The check panel: the current step's errors and advisories, updated as you type.

Selecting a problem asks the screen to focus the field it concerns.
"""

from __future__ import annotations

from textual.content import Content
from textual.message import Message
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from store.checks import Problem


class CheckPanel(OptionList):
    """A short list of problems; errors first, each with its hint."""

    DEFAULT_CSS = """
    CheckPanel { height: auto; max-height: 4; border: none; border-top: round $panel; padding: 0; }
    CheckPanel:focus { border: none; border-top: round $accent; }
    """

    class ProblemChosen(Message):
        """The user picked a problem: the screen focuses ``problem.field``."""

        def __init__(self, control: "CheckPanel", problem: Problem) -> None:
            super().__init__()
            self._control = control
            self.problem = problem

        @property
        def control(self) -> "CheckPanel":
            return self._control

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.problems: list[Problem] = []
        self.border_title = "Check"

    def show(self, problems: list[Problem]) -> None:
        """Replace the list with ``problems``; an empty list says the step is complete."""
        if problems == self.problems and self.option_count:
            return
        self.problems = list(problems)
        self.clear_options()
        if not problems:
            next_key = "ctrl+down" if self.app.is_web else "ctrl+n"  # a browser never hands on ctrl+n
            self.add_option(Option(Content.styled(f"No problems: {next_key} moves on.", "$text-success"), disabled=True))
        for index, problem in enumerate(problems):
            self.add_option(Option(self._line(problem), id=str(index)))
        errors = sum(1 for p in problems if p.level == "error")
        self.border_title = f"Check: {errors} error(s), {len(problems) - errors} advisory" if problems else "Check"

    @staticmethod
    def _line(problem: Problem) -> Content:
        mark = Content.styled("ERROR", "bold $text-error") if problem.level == "error" else Content.styled("advice", "$text-warning")
        return Content.assemble(mark, " ", problem.message, Content.styled(f"  {problem.hint}", "$text-muted"))

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id is not None:
            self.post_message(self.ProblemChosen(self, self.problems[int(event.option.id)]))
