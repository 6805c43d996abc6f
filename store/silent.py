"""Silent writing: each participant writes alone, then the facilitator reveals everything at once.

The lists a step can have written silently are in ``SILENT_LISTS``: the cards
of went well and could improve, the timeline's events, the Five Whys'
contributing factors.  Every item of those lists is called a card here.
While a step's writing is open, a card added there is ``hidden`` and carries
its ``author``: its author sees it (and its checks), nobody else does, and no
export holds it.  The facilitator sees only how many cards each person has
written.  At the reveal every card becomes visible at once, without its
author unless the facilitator chose named cards; a card the facilitator held
back stays hidden (``held``) and its author is told.  Nothing here imports
Textual.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import replace

from store import ops
from store.model import Review

# The steps whose lists can be written silently, and those lists (every item in them has author, hidden, held).
SILENT_LISTS = {
    "timeline": ("timeline",),
    "five_whys": ("factors",),
    "went_well": ("went_well", "lucky"),
    "could_improve": ("could_improve", "surprises"),
}
ALL_SILENT_LISTS = tuple(name for names in SILENT_LISTS.values() for name in names)


def writing(review: Review, step: str) -> bool:
    """True while the step's silent writing is open."""
    return review.session.silent.get(step) == "writing"


def card_fields(review: Review, step: str, list_name: str, author: str) -> dict:
    """What a card added now carries besides its text: its author, and hidden while writing is open."""
    if list_name in SILENT_LISTS.get(step, ()) and writing(review, step):
        return {"author": author, "hidden": True}
    return {}


def has_hidden(review: Review) -> bool:
    return any(item.hidden for name in ALL_SILENT_LISTS for item in getattr(review, name))


def visible_to(review: Review, name: str | None) -> Review:
    """The review as ``name`` may see it: others' hidden cards left out; with None (every export), all of them.

    The timeline's durations and the factors' numbers are then those of what
    this viewer sees.
    """
    if not has_hidden(review):
        return review
    return replace(review, **{
        list_name: [item for item in getattr(review, list_name)
                    if not item.hidden or (name is not None and item.author == name)]
        for list_name in ALL_SILENT_LISTS
    })


def numbers(items: list) -> list[int | None]:
    """Each item's number as everyone (and every export) counts it: revealed items only; None for one not revealed.

    Numbered while it was written, a participant's own unrevealed factor would
    take a number another's card takes after the reveal ("factor 3" would then
    name someone else's): it gets its number at the reveal, in the list's order.
    """
    found, count = [], 0
    for item in items:
        if getattr(item, "hidden", False):
            found.append(None)
        else:
            count += 1
            found.append(count)
    return found


def written_by(review: Review, step: str) -> Counter:
    """How many hidden cards each person has written on the step (what the facilitator sees, not the text)."""
    return Counter(item.author for list_name in SILENT_LISTS.get(step, ())
                   for item in getattr(review, list_name) if item.hidden and not item.held)


def hidden_cards(review: Review, step: str) -> list[tuple[str, object]]:
    """(list name, card) of every card waiting for the reveal on the step."""
    return [(list_name, item) for list_name in SILENT_LISTS.get(step, ())
            for item in getattr(review, list_name) if item.hidden and not item.held]


def open_ops(review: Review, step: str, named: bool) -> list[ops.Operation]:
    """Open silent writing on the step (cards anonymous unless ``named``)."""
    named_steps = [s for s in review.session.named if s != step] + ([step] if named else [])
    return [ops.Set("session.silent", review.session.silent | {step: "writing"}),
            ops.Set("session.named", named_steps)]


def reveal_ops(review: Review, step: str, held_back: set[str]) -> list[ops.Operation]:
    """Reveal every hidden card of the step at once, except those held back; anonymous cards lose their author."""
    named = step in review.session.named
    changes: list[ops.Operation] = []
    for list_name, card in hidden_cards(review, step):
        if card.id in held_back:
            changes.append(ops.Edit(list_name, card.id, {"held": True}))
        else:
            changes.append(ops.Edit(list_name, card.id, {"hidden": False} | ({} if named else {"author": ""})))
    changes.append(ops.Set("session.silent", review.session.silent | {step: "revealed"}))
    return changes


def held_of(review: Review, step: str, name: str) -> list:
    """The cards of ``name`` on the step that the facilitator held back (their author is told)."""
    return [item for list_name in SILENT_LISTS.get(step, ()) for item in getattr(review, list_name)
            if item.held and item.author == name]
