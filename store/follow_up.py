"""The follow-up, 30 days on: a decision on every action, and the next date when some remain.

"Without follow-up a post-mortem is theatre": the follow-up session walks each
action and records one of three decisions.  *Done* takes a note on whether it
worked; *slipped* needs a new due date and a reason; *dropped* needs a reason.
Finishing records the day the follow-up was held and, while slipped actions
remain, schedules the next one.  These rules live here so the follow-up
screen, ``postmortem check`` and the reports agree.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from store.errors import InvalidField
from store.model import Action, Review
from store.ops import Edit, Set
from store.review_status import on_follow_up_held
from store.sanitize import clean, quote
from store.timeline import parse_date

DECISIONS = ("done", "slipped", "dropped")
NEXT_FOLLOW_UP_DAYS = 30


@dataclass(frozen=True)
class Progress:
    """How far the actions have come: the counts the follow-up shows as it goes."""

    done: int
    slipped: int
    dropped: int
    undecided: int
    not_doing: int = 0  # decided at the review not to act

    @property
    def total(self) -> int:
        return self.done + self.slipped + self.dropped + self.undecided + self.not_doing

    @property
    def kept(self) -> int:
        """Actions still meant to happen: dropped and not-doing ones do not count against completion."""
        return self.total - self.dropped - self.not_doing

    @property
    def completion_rate(self) -> float | None:
        """Done out of the kept actions (None when there are none)."""
        return self.done / self.kept if self.kept else None

    def describe(self) -> str:
        """One line such as "2 of 3 kept actions done (67%); 1 slipped, 1 dropped, 1 to decide"."""
        if not self.total:
            return "No actions to follow up."
        rate = self.completion_rate
        head = (
            f"{self.done} of {self.kept} kept actions done ({rate:.0%})"
            if rate is not None
            else "No kept actions (all dropped or not doing)"
        )
        rest = [f"{self.slipped} slipped", f"{self.dropped} dropped"]
        if self.not_doing:
            rest.append(f"{self.not_doing} not doing")
        if self.undecided:
            rest.append(f"{self.undecided} to decide")
        return f"{head}; {', '.join(rest)}"


def is_overdue(status: str, due: str, today: date) -> bool:
    """An action still to be done (open or slipped) whose due date is before today; no valid date, never."""
    day = parse_date(due[:10]) if status in ("open", "slipped") and due else None
    return day is not None and day < today


def is_pending(review: Review) -> bool:
    """True while a follow-up of this review is still to be held (see :func:`pending`)."""
    still_open = any(a.status in ("open", "slipped") for a in review.actions)
    return pending(review.follow_up.due, review.follow_up.held or "", still_open)


def pending(due_text: str, held_text: str, actions_open: bool) -> bool:
    """The one rule for "a follow-up is still to be held", for a review or a list summary.

    A date is set and none was held yet; or the last one left actions open
    and the next date (set when it finished) is later than it.
    """
    due = parse_date(due_text)
    if due is None:
        return False
    held = parse_date(held_text)
    if held is None:
        return True
    return held < due and actions_open


def needs_decision(review: Review, action: Action, today: date) -> bool:
    """Open actions need a decision; so does a slipped one at a later follow-up than the one it slipped at."""
    if action.status == "open":
        return True
    if action.status != "slipped" or not review.follow_up.held or not is_pending(review):
        return False
    decided = parse_date(action.decided)
    held = parse_date(review.follow_up.held)
    return decided is None or (held is not None and decided <= held and decided < today)


def progress(review: Review, session_day: date | None = None) -> Progress:
    """The counts of each decision, as recorded (open actions are undecided).

    With ``session_day``: as the follow-up held that day sees them, where an
    action that slipped at an earlier follow-up needs a decision again.
    """
    def waiting(action: Action) -> bool:
        return needs_decision(review, action, session_day) if session_day else action.status == "open"

    decided = [a for a in review.actions if not waiting(a)]
    return Progress(
        done=sum(1 for a in decided if a.status == "done"),
        slipped=sum(1 for a in decided if a.status == "slipped"),
        dropped=sum(1 for a in decided if a.status == "dropped"),
        undecided=len(review.actions) - len(decided),
        not_doing=sum(1 for a in decided if a.status == "not_doing"),
    )


def decide(action: Action, status: str, note: str, new_due: str, today: date) -> Edit:
    """The change that records one decision, or InvalidField naming what is missing.

    ``note`` is whether it worked (done) or the reason (slipped, dropped);
    ``new_due`` is needed only when it slipped, and must be after today.
    """
    field = f"actions.{action.id}"
    note = clean(note or "").strip()
    if status not in DECISIONS + ("open",):
        raise InvalidField(f"{field}.status", f"{quote(status)} is not one of done, slipped, dropped or open")
    if status == "open":
        return Edit("actions", action.id, {"status": "open", "decided": ""})
    if status in ("slipped", "dropped") and not note:
        raise InvalidField(f"{field}.note", f"a {status} action needs a reason: say why it {status}")
    changes = {"status": status, "note": note, "decided": today.isoformat()}
    if status == "slipped":
        changes |= _slip(action, new_due, today, field)
    return Edit("actions", action.id, changes)


def _slip(action: Action, new_due: str, today: date, field: str) -> dict:
    """The new due date, and the one it slipped from (kept when re-deciding the same day)."""
    text = (new_due or "").strip()
    if not text:
        raise InvalidField(f"{field}.due", "a slipped action needs a new due date (YYYY-MM-DD)")
    due = parse_date(text)
    if due is None:
        raise InvalidField(f"{field}.due", f"{quote(text)} is not a date (use YYYY-MM-DD, for example 2027-01-15)")
    if due <= today:
        raise InvalidField(f"{field}.due", f"the new due date {due.isoformat()} must be after today ({today.isoformat()})")
    same_session = action.status == "slipped" and action.decided == today.isoformat()
    slipped_from = action.slipped_from if same_session else action.due
    return {"due": due.isoformat(), "slipped_from": slipped_from}


def finish(review: Review, today: date, next_due: str = "") -> list[Set]:
    """Record the follow-up as held today; schedule the next while slipped actions remain.

    Refused (InvalidField on the first undecided action) until every action
    has a decision.  The next date defaults to today + 30 days.  With no
    action slipped, the review is closed (store.review_status).
    """
    waiting = [a for a in review.actions if needs_decision(review, a, today)]
    if waiting:
        first = waiting[0]
        what = first.what.strip() or first.id
        raise InvalidField(
            f"actions.{first.id}.status",
            f"{len(waiting)} action(s) still need a decision, first: {quote(what)} (mark it done, slipped or dropped)",
        )
    changes = [Set("follow_up.held", today.isoformat())]
    default = next_follow_up(review, today)
    if default:
        changes.append(Set("follow_up.due", _next_date(next_due, default, today)))
    return changes + on_follow_up_held(review)


def next_follow_up(review: Review, today: date) -> str:
    """The suggested date of another follow-up (today + 30 days), or "" when no action slipped."""
    if not any(a.status == "slipped" for a in review.actions):
        return ""
    return (today + timedelta(days=NEXT_FOLLOW_UP_DAYS)).isoformat()


def _next_date(text: str, default: str, today: date) -> str:
    if not text.strip():
        return default
    day = parse_date(text.strip())
    if day is None or day <= today:
        raise InvalidField("follow_up.due", f"the next follow-up {quote(text.strip())} must be a date after today (YYYY-MM-DD)")
    return day.isoformat()
