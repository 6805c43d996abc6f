"""The prompts panel: the facilitator's questions for the current step (ctrl+t hides it)."""

from __future__ import annotations

from textual.content import Content
from textual.widgets import Static

from store.prompts import PROMPTS


class PromptsPanel(Static):
    """The step's facilitation questions, one per line."""

    DEFAULT_CSS = """
    PromptsPanel { height: auto; border: round $secondary; padding: 0 1; margin: 0 0 1 0; color: $text-muted; }
    """

    def __init__(self, step: str, **kwargs) -> None:
        questions = PROMPTS.get(step, ())
        super().__init__(Content("\n".join(f"- {q}" for q in questions)), **kwargs)
        self.border_title = "Ask the room (ctrl+t hides)"
