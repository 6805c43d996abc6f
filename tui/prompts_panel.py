"""The prompts panel: the facilitator's questions for the current step (ctrl+t hides it)."""

from __future__ import annotations

from textual.content import Content
from textual.widgets import Static

from store.prompts import PROMPTS


class PromptsPanel(Static):
    """The step's facilitation questions, one per line."""

    DEFAULT_CSS = """
    PromptsPanel { height: auto; border-left: outer $secondary; padding: 0 1; color: $text-muted; }
    """

    def __init__(self, step: str, **kwargs) -> None:
        questions = PROMPTS.get(step, ())
        # One paragraph, not one line each and no frame: at 80x24 the step needs the lines.
        super().__init__(Content("Ask the room (ctrl+t hides): " + "  ".join(questions)), **kwargs)
