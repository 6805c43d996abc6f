"""The base of the card steps (went well, could improve): their lists can be written silently.

A subclass of :class:`screens.step.StepScreen`: it adds the line that says
where silent writing stands, and F3, with which the facilitator
opens silent writing and, later, reveals the cards (see ``store.silent``).
"""

from __future__ import annotations

from dataclasses import replace

from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Static

from store import silent, voting
from store.model import STEP_TITLES
from screens.step import StepScreen
from tui.text import show_note

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


class CardStepScreen(StepScreen):
    """A step of cards (went well, could improve), which the facilitator can have written silently."""

    BINDINGS = [
        Binding("f3", "silent_writing", "Silent writing", id="silent-writing", show=False),
        Binding("f4", "dot_vote", "Dot vote", id="dot-vote", show=False),
    ]

    def compose_silent_line(self) -> ComposeResult:
        yield Static("", id="silent", classes="-empty")

    def show_review(self) -> None:
        super().show_review()
        self.show_silent_line()

    def show_presence(self) -> None:
        super().show_presence()
        self.show_silent_line()

    def show_silent_line(self) -> None:
        lines = self.query("#silent")
        if not lines:
            return  # composing
        show_note(lines.first(), self.silent_line())

    def silent_line(self) -> str:
        """Where silent writing and the dot vote stand, as this terminal may know them."""
        return "\n".join(line for line in (self.writing_line(), self.vote_line()) if line)

    def per_participant(self, counts) -> list[tuple[str, int]]:
        """A count per participant here (0 for one with none), then those who counted and have left."""
        here = [member.name for member in self.app.live.members if member.role == "participant"]
        return [(name, counts.get(name, 0)) for name in here + sorted(set(counts) - set(here))]

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

    def vote_line(self) -> str:
        if not voting.vote_open(self.review, self.STEP):
            return ""
        live = self.app.live
        per_person, per_item = voting.limits(self.review)
        list_name = voting.VOTE_LISTS[self.STEP]
        if live.leads:
            used = voting.votes_used(self.review, list_name)
            tally = ", ".join(f"{name} {count}/{per_person}" for name, count in self.per_participant(used))
            return (f"Dot voting ({per_person} each, at most {per_item} on one): {tally or 'nobody else is here yet'}."
                    " The tally stays hidden until F4 closes the vote.")
        left = per_person - sum(voting.my_dots(self.review, list_name, live.me.name).values())
        return (f"Dot voting: {left} of your {per_person} votes left (at most {per_item} on one item). On the "
                "list, + votes for the highlighted item, - takes a vote back.")

    def items_of(self, list_name: str) -> list:
        """Cards as this terminal may see them: only its own dots while a vote is open, ranked once it closed."""
        items = super().items_of(list_name)
        if list_name != voting.VOTE_LISTS.get(self.STEP):
            return items
        me = self.app.live.me.name
        items = [replace(item, ballot={me: item.ballot[me]} if item.ballot.get(me) else {}) if item.ballot else item
                 for item in items]
        return voting.ranked(items)

    def vote_on(self, list_name: str, item_id: str, change: int) -> None:
        """+ / - on a row of the list being voted on: one dot more or less, within the limits."""
        live = self.app.live
        if not voting.vote_open(self.review, self.STEP) or list_name != voting.VOTE_LISTS[self.STEP]:
            self.app.notify("No vote is open on this list.", timeout=3)
            return
        if live.observing:
            self.app.notify("You joined to watch (--observe): you cannot vote.", timeout=3)
            return
        why_not = voting.refusal(self.review, list_name, live.me.name, item_id, change)
        if why_not:
            self.show_refusal(why_not)
            self.app.bell()
            return
        self.show_refusal("")
        self.send(voting.vote_op(self.review, list_name, live.me.name, item_id, change))
        self.show_silent_line()

    def action_dot_vote(self) -> None:
        """F4: the facilitator opens a dot vote on this step's list, or closes it and ranks the items."""
        from screens.dialogs import PromptDialog

        live = self.app.live
        if self.STEP not in voting.VOTE_LISTS:
            self.app.notify("There is no vote on this step (dot voting is on Could improve).", timeout=4)
            return
        if not live.leads:
            self.app.notify(f"Only {live.lead or 'the facilitator'} opens and closes a vote.", timeout=4)
            return
        if voting.vote_open(self.review, self.STEP):
            self.send(*voting.close_ops(self.review, self.STEP))
            self.app.notify("The vote is closed: the list is ranked by votes.", timeout=4)
            return
        prompt = ("Dot voting: votes per person, and at most how many on one item (1 to 12), e.g. 3 2:")
        self.app.push_screen(PromptDialog(prompt, "3 3"), self.open_vote)

    def open_vote(self, answer: str | None) -> None:
        if answer is None:
            return
        try:
            per_person, per_item = voting.parse_limits(answer)
        except ValueError as error:
            self.app.notify(str(error), severity="error", markup=False)
            return
        self.send(*voting.open_ops(self.review, self.STEP, per_person, per_item))
        self.app.notify(f"The vote is open: {per_person} votes each, at most {per_item} on one item. "
                        "F4 closes it.", timeout=5)

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
            ("Dot voting: open or close the vote (F4)", self.action_dot_vote, "dot vote votes rank prioritise"),
        ]
