"""The line above a step's lists that says where the session's techniques stand (``#session-line``).

Silent writing (``screens.silent_writing``) and the dot vote
(``screens.dot_vote``) each add their line through ``session_lines``; a step
that has both shows both.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import Static

from screens.step import StepScreen
from tui.text import show_note


class SessionLine(Static):
    """The session line itself (its own kind, so the screen finds it once: ``StepScreen.composed``)."""


class SessionLineScreen(StepScreen):
    """A step with a session line; subclasses say what it holds."""

    def compose_session_line(self) -> ComposeResult:
        yield SessionLine("", id="session-line", classes="-empty")

    def show_review(self) -> None:
        super().show_review()
        self.show_session_line()

    def show_presence(self) -> None:
        super().show_presence()
        self.show_session_line()

    def show_unseen_change(self) -> None:
        """Another participant's card, unseen here, may still change a count on the session line."""
        self.show_session_line()

    def show_session_line(self) -> None:
        lines = self.composed(SessionLine)  # found once: a query walks the screen, per change another makes
        if not lines:
            return  # composing
        show_note(lines[0], self.session_line())

    def session_line(self) -> str:
        """Where the session's techniques stand on this step, as this terminal may know them."""
        return "\n".join(line for line in self.session_lines() if line)

    def session_lines(self) -> list[str]:
        """One line per technique (subclasses add theirs; "" where there is nothing to say)."""
        return []

    def per_participant(self, counts) -> list[tuple[str, int]]:
        """A count per participant here (0 for one with none), then those who counted and have left."""
        here = [member.name for member in self.app.live.members if member.role == "participant"]
        return [(name, counts.get(name, 0)) for name in here + sorted(set(counts) - set(here))]
