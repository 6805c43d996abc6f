"""Could improve: what we could have done better, and what surprised us."""

from __future__ import annotations

from textual.app import ComposeResult

from screens.cards import SILENT_HELP, CardStepScreen
from screens.dot_vote import VOTE_HELP
from tui.item_editor import ItemEditor, text_list_editor


class CouldImproveScreen(CardStepScreen):
    """Two lists: what could improve (at least one), and what surprised us (optional)."""

    STEP = "could_improve"
    HAS_LISTS = True
    INTRO = "What could we have done better? Say what and how, not who. What surprised us?"
    HELP_TEXT = """
# Could improve

**What it is for:** an honest self-assessment of the response and of the
conditions that made the problem possible, phrased as systems and processes.
"What surprised us" records where our picture of the system was wrong.

""" + SILENT_HELP + VOTE_HELP

    def compose_step(self) -> ComposeResult:
        yield from self.compose_session_line()
        yield text_list_editor("could_improve", "Could improve", "item", "e.g. The alert went to a channel nobody watched at night", id="could-improve")
        yield text_list_editor("surprises", "What surprised us (optional)", "item", "e.g. Retries doubled the load", id="surprises")

    def start_step(self) -> None:
        self.query_one("#could-improve", ItemEditor).action_new_item()
