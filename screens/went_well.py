"""Went well: what worked in the response, and where we got lucky."""

from __future__ import annotations

from textual.app import ComposeResult

from screens.cards import SILENT_HELP, CardStepScreen
from tui.item_editor import ItemEditor, text_list_editor


class WentWellScreen(CardStepScreen):
    """Two lists: what went well (at least one), and where we got lucky (optional)."""

    STEP = "went_well"
    HAS_LISTS = True
    INTRO = "What went well? Name the specific things that helped. Then: where did we get lucky?"
    HELP_TEXT = """
# Went well

**What it is for:** a balanced view. Naming what worked (an alert that fired,
a quick rollback, good teamwork) reinforces it and keeps the review from
becoming a catalogue of failures. "Where we got lucky" records the things that
helped by chance: they are risks to fix, not strengths.

""" + SILENT_HELP

    def compose_step(self) -> ComposeResult:
        yield from self.compose_session_line()
        yield text_list_editor("went_well", "Went well", "item", "e.g. The rollback took 2 minutes", id="went-well")
        yield text_list_editor("lucky", "Where we got lucky (optional)", "item", "e.g. It happened outside peak hours", id="lucky")

    def start_step(self) -> None:
        self.query_one("#went-well", ItemEditor).action_new_item()
