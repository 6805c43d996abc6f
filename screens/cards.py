"""The base of the card steps (went well, could improve): silent writing on their lists, a dot vote on could improve.

Silent writing (F3) comes from :class:`screens.silent_writing.SilentWritingScreen`,
the dot vote (F4) from :class:`screens.dot_vote.VotingStepScreen`.
"""

from __future__ import annotations

from screens.dot_vote import VotingStepScreen
from screens.silent_writing import SILENT_HELP, SilentWritingScreen

__all__ = ["SILENT_HELP", "CardStepScreen"]


class CardStepScreen(SilentWritingScreen, VotingStepScreen):
    """A step of cards (went well, could improve), which the facilitator can have written silently."""

    def items_of(self, list_name: str) -> list:
        """Cards as this terminal may see them: only its own dots while a vote is open, ranked once it closed."""
        items = super().items_of(list_name)
        return self.as_voter_sees(items) if list_name == self.vote_list else items
