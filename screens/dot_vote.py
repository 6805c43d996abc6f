"""The base of the steps with a dot vote (could improve, the Five Whys' root causes).

A subclass of :class:`screens.session_line.SessionLineScreen`: F4 lets the facilitator open a
vote on the step's list and close it; + and - on a row of that list add or
take back one of your dots (see ``store.voting``).  The line above the list
(``#session-line``) says where the vote stands, as this terminal may know it:
the facilitator sees how many dots each person has used, everyone else their
own dots left.  Nobody sees the tally until the vote closes.
"""

from __future__ import annotations

from dataclasses import replace

from textual.binding import Binding

from screens.session_line import SessionLineScreen
from store import voting
from store.model import STEP_TITLES

VOTE_HELP = """
## Dot voting (live sessions)

To agree what matters most, the facilitator presses **F4** to open a vote:
each person gets a number of votes (3 unless the facilitator says otherwise)
and may put at most a number of them on one item. On the list, **+** puts one
of your votes on the highlighted item and **-** takes it back. Nobody sees the
tally until **F4** closes the vote; the list is then ranked by votes, and the
actions step offers the items in that order.
"""


class VotingStepScreen(SessionLineScreen):
    """A step whose list (``voting.VOTE_LISTS[STEP]``) the facilitator can put to a dot vote."""

    BINDINGS = [Binding("f4", "dot_vote", "Vote", id="dot-vote")]

    def session_lines(self) -> list[str]:
        return super().session_lines() + [self.vote_line()]

    @property
    def vote_list(self) -> str | None:
        return voting.VOTE_LISTS.get(self.STEP)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """F4 is shown and works only on a step with a list to vote on (not went well)."""
        if action == "dot_vote" and self.vote_list is None:
            return False
        return super().check_action(action, parameters)

    def vote_line(self) -> str:
        if not voting.vote_open(self.review, self.STEP):
            return ""
        live = self.app.live
        per_person, per_item = voting.limits(self.review)
        if live.leads:
            used = voting.votes_used(self.review, self.vote_list)
            tally = ", ".join(f"{name} {count}/{per_person}" for name, count in self.per_participant(used))
            return (f"Dot voting ({per_person} each, at most {per_item} on one): {tally or 'nobody else is here yet'}."
                    " The tally stays hidden until F4 closes the vote.")
        if live.observing:  # watching: no votes of their own to count down
            return f"Dot voting ({per_person} each, at most {per_item} on one): the participants vote, you watch."
        left = per_person - sum(voting.my_dots(self.review, self.vote_list, live.me.name).values())
        return (f"Dot voting: {left} of your {per_person} votes left (at most {per_item} on one item). On the "
                "list, + votes for the highlighted item, - takes a vote back.")

    def as_voter_sees(self, items: list) -> list:
        """The items with only this terminal's own dots while a vote is open, ranked once it closed."""
        me = self.app.live.me.name
        items = [replace(item, ballot={me: item.ballot[me]} if item.ballot.get(me) else {}) if item.ballot else item
                 for item in items]
        return voting.ranked(items)

    def vote_on(self, list_name: str, item_id: str, change: int) -> None:
        """+ / - on a row of the list being voted on: one dot more or less, within the limits."""
        live = self.app.live
        if not voting.vote_open(self.review, self.STEP) or list_name != self.vote_list:
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
        self.show_session_line()

    def action_dot_vote(self) -> None:
        """F4: the facilitator opens a dot vote on this step's list, or closes it and ranks the items."""
        from screens.dialogs import PromptDialog

        live = self.app.live
        if self.vote_list is None:
            self.app.notify("There is no vote on this step (dot voting is on Could improve and Five Whys).",
                            timeout=4)
            return
        if not live.leads:
            self.app.notify(f"Only {live.lead or 'the facilitator'} opens and closes a vote.", timeout=4)
            return
        if voting.vote_open(self.review, self.STEP):
            self.send(*voting.close_ops(self.review, self.STEP))
            self.app.notify("The vote is closed: the list is ranked by votes.", timeout=4)
            return
        prompt = f"Dot voting on {STEP_TITLES[self.STEP]}: votes per person, and at most how many on one item " \
                 "(1 to 12), e.g. 3 2:"
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

    def palette_commands(self):
        return super().palette_commands() + [
            ("Dot voting: open or close the vote (F4)", self.action_dot_vote, "dot vote votes rank prioritise"),
        ]
