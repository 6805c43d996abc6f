"""The review status moves forward by itself at two moments (PagerDuty's workflow: draft, in review, reviewed, closed).

- **In review**: when the summary is reached or exported (the written or the
  client summary) while every step passes its check, a draft goes to review.
- **Closed**: when a follow-up is held with a decision for every action and
  none slipped (no further follow-up is due), the review is closed.

Only at those moments, and only forward: a status someone set by hand later
stays until the next such moment, and one set ahead (reviewed, closed) is
never moved back.  "Reviewed" (the team agreed) is only ever set by a person.
"""

from __future__ import annotations

from store.checks import ERROR, check_review
from store.model import Review
from store.ops import Set


def on_summary(review: Review) -> list[Set]:
    """The change when the summary is reached or exported: a draft whose steps all pass goes to review."""
    if review.review_status != "draft":
        return []
    if any(problem.level == ERROR for problems in check_review(review).values() for problem in problems):
        return []
    return [Set("review_status", "in_review")]


def on_follow_up_held(review: Review) -> list[Set]:
    """The change when a follow-up is held (every action decided): closed, unless an action slipped."""
    if any(action.status == "slipped" for action in review.actions):
        return []
    return [] if review.review_status == "closed" else [Set("review_status", "closed")]

