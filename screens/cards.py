"""The base of the card steps (went well, could improve): their lists can be written silently.

A subclass of :class:`screens.dot_vote.VotingStepScreen` (F4, the dot vote on
could improve): it adds to the line above the lists where silent writing
stands, and F3, with which the facilitator opens silent writing and, later,
reveals the cards (see ``store.silent``).
"""

from __future__ import annotations

from textual.binding import Binding

from screens.dot_vote import VotingStepScreen
from store import silent
from store.model import STEP_TITLES

SILENT_HELP = """
## Silent writing (live sessions)

So that the first or loudest voice does not anchor everyone, the facilitator
can let everyone write alone first: **F3** opens silent writing on this step.
Each participant then sees only their own cards (marked "only you see it"),
and the facilitator sees how many each person has written, not what. Nothing
written silently is in any export until the reveal. **F3** again shows the
facilitator the cards, alone, to untick any to hold back (its author is told),
and **F2** reveals the rest to everyone at once. Cards are anonymous unless
the facilitator opened "named" silent writing (ctrl+p).
"""


class CardStepScreen(VotingStepScreen):
    """A step of cards (went well, could improve), which the facilitator can have written silently."""

    BINDINGS = [Binding("f3", "silent_writing", "Silent", id="silent-writing")]

    def session_line(self) -> str:
        """Where silent writing and the dot vote stand, as this terminal may know them."""
        return "\n".join(line for line in (self.writing_line(), self.vote_line()) if line)

    def writing_line(self) -> str:
        live = self.app.live
        review = self.review
        kind = "named" if self.STEP in review.session.named else "anonymous"
        if silent.writing(review, self.STEP):
            if live.leads:
                counts = silent.written_by(review, self.STEP)
                tally = ", ".join(f"{name} {count}" for name, count in self.per_participant(counts))
                return (f"Silent writing ({kind} cards): {tally or 'nobody else is here yet'}. "
                        "You see how many, not what. F3: read and reveal them.")
            lead = live.lead or "the facilitator"
            return f"Silent writing ({kind} cards): only you see your cards until {lead} reveals them all."
        held = [item for name in silent.CARD_LISTS[self.STEP] for item in getattr(review, name)
                if item.held and item.author == live.me.name]
        if held:
            return (f"The facilitator held back {len(held)} of your cards (marked below): nobody else sees "
                    f"{'it' if len(held) == 1 else 'them'}.")
        return ""

    def items_of(self, list_name: str) -> list:
        """Cards as this terminal may see them: only its own dots while a vote is open, ranked once it closed."""
        items = super().items_of(list_name)
        return self.as_voter_sees(items) if list_name == self.vote_list else items

    def action_silent_writing(self) -> None:
        """F3: the facilitator opens silent writing here, or reveals what was written."""
        live = self.app.live
        if not live.leads:
            who = live.lead or "the facilitator"
            self.app.notify(f"Only {who} opens and reveals silent writing.", timeout=4)
            return
        if silent.writing(self.review, self.STEP):
            self.ask_to_reveal()
        else:
            self.open_silent_writing(named=False)

    def open_silent_writing(self, named: bool) -> None:
        if not self.app.live.leads:
            self.action_silent_writing()
            return
        self.send(*silent.open_ops(self.review, self.STEP, named))
        self.app.notify(f"Silent writing is open on {STEP_TITLES[self.STEP]}: everyone writes alone. "
                        "F3 again to reveal.", timeout=5)

    def ask_to_reveal(self) -> None:
        from screens.dialogs import RevealDialog

        cards = [(card.id, card.text) for _, card in silent.hidden_cards(self.review, self.STEP)]
        self.app.push_screen(RevealDialog(STEP_TITLES[self.STEP], cards), self.reveal)

    def reveal(self, held_back: set[str] | None) -> None:
        if held_back is None:
            return
        shown = len(silent.hidden_cards(self.review, self.STEP)) - len(held_back)
        self.send(*silent.reveal_ops(self.review, self.STEP, held_back))
        self.app.notify(f"Revealed {shown} card(s)" + (f"; {len(held_back)} held back." if held_back else "."),
                        timeout=4)

    def palette_commands(self):
        return super().palette_commands() + [
            ("Silent writing: open, anonymous cards (F3)", lambda: self.open_silent_writing(named=False),
             "silent write alone anonymous cards"),
            ("Silent writing: open, named cards", lambda: self.open_silent_writing(named=True),
             "silent write alone named cards authors"),
            ("Silent writing: read and reveal the cards (F3)", self.action_silent_writing, "reveal cards show"),
        ]
