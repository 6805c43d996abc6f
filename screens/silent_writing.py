"""Silent writing on a step's lists (store.silent): F3 opens it, and later reveals what was written.

One base for every step that has a list the room can write silently (the
cards of went well and could improve, the timeline's events, the Five Whys'
contributing factors): it adds its line to the session line, F3 and the
palette's "Silent writing" commands.  What each terminal sees is decided once,
in ``StepScreen.seen_review`` (``silent.visible_to``), so the lists, the checks
and the durations of every step show only what this person may see.
"""

from __future__ import annotations

from textual.binding import Binding

from screens.session_line import SessionLineScreen
from store import silent
from store.language import blame_problems, people_named
from store.model import STEP_TITLES



def silent_help(cards: str = "cards") -> str:
    """The help's section on silent writing, for a step whose silent items are ``cards`` ("events", "factors")."""
    return f"""
## Silent writing (live sessions)

So that the first or loudest voice does not anchor everyone, the facilitator
can let everyone write alone first: **F3** opens silent writing on this step.
Each participant then sees only their own {cards} (marked "only you see it"),
and the facilitator sees how many each person has written, not what. Nothing
written silently is in any export until the reveal. **F3** again shows the
facilitator the {cards}, alone, to untick any to hold back (its author is told),
and **F2** reveals the rest to everyone at once. They are anonymous unless
the facilitator opened "named" silent writing (ctrl+p).
"""


SILENT_HELP = silent_help()


class SilentWritingScreen(SessionLineScreen):
    """A step with lists (``silent.SILENT_LISTS[STEP]``) that the facilitator can have written silently."""

    BINDINGS = [Binding("f3", "silent_writing", "Silent", id="silent-writing")]
    CARDS = "cards"  # what the step's silent items are called in its messages

    def session_lines(self) -> list[str]:
        return [self.writing_line()] + super().session_lines()

    def writing_line(self) -> str:
        live = self.app.live
        review = self.review
        kind = "named" if self.STEP in review.session.named else "anonymous"
        cards = self.CARDS
        if silent.writing(review, self.STEP):
            if live.leads:
                counts = silent.written_by(review, self.STEP)
                tally = ", ".join(f"{name} {count}" for name, count in self.per_participant(counts))
                return (f"Silent writing ({kind} {cards}): {tally or 'nobody else is here yet'}. "
                        f"You see how many, not what. F3: read and reveal them.")
            lead = live.lead or "the facilitator"
            return f"Silent writing ({kind} {cards}): only you see your {cards} until {lead} reveals them all."
        held = silent.held_of(review, self.STEP, live.me.name)
        if held:
            return (f"The facilitator held back {len(held)} of your {cards} (marked below): nobody else sees "
                    f"{'it' if len(held) == 1 else 'them'}.")
        return ""

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

    def reveal_label(self, list_name: str, card) -> str:
        """A card as the facilitator reads it before the reveal (subclasses add a time or a kind)."""
        return card.text

    def ask_to_reveal(self) -> None:
        from screens.dialogs import RevealDialog

        hidden = silent.hidden_cards(self.review, self.STEP)
        people = people_named(self.review)
        cards = [(card.id, self.reveal_label(list_name, card)) for list_name, card in hidden]
        blaming = frozenset(card.id for _, card in hidden if blame_problems(card.text, "card", people))
        self.app.push_screen(RevealDialog(STEP_TITLES[self.STEP], cards, blaming), self.reveal)

    def reveal(self, held_back: set[str] | None) -> None:
        if held_back is None:
            return
        shown = len(silent.hidden_cards(self.review, self.STEP)) - len(held_back)
        self.send(*silent.reveal_ops(self.review, self.STEP, held_back))
        self.app.notify(f"Revealed {shown} of the {self.CARDS}" + (f"; {len(held_back)} held back." if held_back else "."),
                        timeout=4)

    def palette_commands(self):
        cards = self.CARDS
        return super().palette_commands() + [
            (f"Silent writing: open, anonymous {cards} (F3)", lambda: self.open_silent_writing(named=False),
             f"silent write alone anonymous {cards}"),
            (f"Silent writing: open, named {cards}", lambda: self.open_silent_writing(named=True),
             f"silent write alone named {cards} authors"),
            (f"Silent writing: read and reveal the {cards} (F3)", self.action_silent_writing, f"reveal {cards} show"),
        ]
