"""Actions: SMART action items, each with one owner, a date and a way to know it is done."""

from __future__ import annotations

from textual.app import ComposeResult

from screens.step import StepScreen
from store.render import votes_label
from store.voting import ranked
from store import silent
from store.model import ACTION_TYPES, Action
from tui.choice_select import find_choice
from tui.item_editor import FieldSpec, ItemEditor


# What an action can be at the review (slipped and dropped are follow-up decisions).
STATUS_CHOICES = [("Open", "open"), ("Done already", "done"), ("Not doing", "not_doing")]


class ActionsScreen(StepScreen):
    """What, one owner, due date, done when, type, and what it addresses."""

    STEP = "actions"
    HAS_LISTS = True
    INTRO = "Who will do what, by when, and how will we know it is done? One owner each."
    HELP_TEXT = """
# Actions

**What it is for:** the changes that will stop this from happening again.
Each action is SMART: specific, measurable, achievable, relevant and
time-bound, with one owner (a person, not a team) who sees it through.

Fields: **what** (specific: "Alert when DB memory stays above 80% for 5
minutes", not "improve monitoring"), **owner** (one person), **due**
(YYYY-MM-DD, on or after the review date), **done when** (how we will know),
**type** (prevent, mitigate, detect, process, repair, other) and **addresses**
(the root cause, contributing factor or improvement it answers).

**Status**: an action is open until done. One already done at the review is
**Done already**, with the day it was done (it may have been due before the
review). A decision **not** to do something is kept too, as **Not doing**
with the reason: it needs no owner or date, and neither counts against
completion.

"""

    def compose_step(self) -> ComposeResult:
        types = [(kind.capitalize(), kind) for kind in ACTION_TYPES]
        statuses = STATUS_CHOICES
        yield ItemEditor(
            "actions",
            "Actions",
            [
                FieldSpec("what", "What", "e.g. Alert when DB memory > 80% for 5 min", row=0),
                FieldSpec("owner", "Owner (one person)", "e.g. Sam", row=0, width="24"),
                FieldSpec("type", "Type", "Type", choices=types, row=1, width="20"),
                FieldSpec("addresses", "Addresses", "What it addresses", row=1, choices_from=self.address_choices),
                FieldSpec("due", "Due (YYYY-MM-DD)", "e.g. 2026-12-15", row=2, width="20"),
                FieldSpec("done_when", "Done when (Enter: next action)", "e.g. the alert fires in the staging drill", row=2),
                FieldSpec("status", "Status", "Status", choices=statuses, row=3, width="20",
                          to_store=lambda status: status or "open"),
                FieldSpec("done_on", "Done on (if done)", "YYYY-MM-DD", row=3, width="20"),
                FieldSpec("note", "Reason (if not doing) or note", "e.g. the new cluster retires this host", row=3),
            ],
            describe=self.describe_action,
            noun="action",
            id="actions",
        )

    def start_step(self) -> None:
        self.query_one("#actions", ItemEditor).action_new_item()

    def interview_value(self, list_name: str, name: str, answer: str):
        """A type or what it addresses may be answered with its first letters (or a root cause's number)."""
        choices = {"type": [(kind.capitalize(), kind) for kind in ACTION_TYPES], "addresses": self.address_choices(),
                   "status": STATUS_CHOICES}
        if name not in choices:
            return answer
        index = find_choice([label for label, _ in choices[name]], answer.strip().replace("_", " "))
        return choices[name][index][1] if index is not None else answer.strip()

    def interview_item_started(self, list_name: str, item_id: str | None) -> None:
        """The form shows the action being answered."""
        self.query_one("#actions", ItemEditor).editing_id = item_id

    def interview_text(self, question) -> str:
        """What an action can address, numbered, so a number answers."""
        if question.target != "action.addresses":
            return question.text
        choices = "; ".join(label for label, _ in self.address_choices())
        return f"{question.text} {choices or '(no root cause or improvement yet: say it in words)'}"

    def address_choices(self) -> list[tuple[str, str]]:
        """The root causes and improvements an action can address."""
        choices = []
        chains = self.review.five_whys.chains
        numbers = {chain.id: number for number, chain in enumerate(chains, start=1)}
        for chain in ranked(chains):  # the vote's order, once there was one
            choices.append((f"Root cause {numbers[chain.id]}{votes_label(chain)}: {chain.root_cause}",
                            f"root cause of chain {numbers[chain.id]}"))
        factors = self.seen_review.factors
        for factor, number in zip(factors, silent.numbers(factors)):  # numbered once revealed: as every export counts them
            if number is not None and factor.kind != "mitigating" and factor.text.strip():
                choices.append((f"Factor {number} ({factor.kind}): {factor.text}", f"factor {number}"))
        for item in ranked(self.seen_review.could_improve):  # the vote's order, once there was one
            choices.append((f"Improve{votes_label(item)}: {item.text}", f"improvement: {item.text}"))
        return choices

    @staticmethod
    def describe_action(action: Action, index: int) -> str:
        owner = action.owner or "no owner"
        due = action.due or "no date"
        kind = f" [{action.type}]" if action.type else ""
        if action.status == "not_doing":
            return f"{index}. {action.what}  (not doing)"
        if action.status == "done":
            done = f"done {action.done_on}" if action.done_on else "done"
            return f"{index}. {action.what}  ({owner}, {done}){kind}"
        return f"{index}. {action.what}  ({owner}, {due}){kind}"
