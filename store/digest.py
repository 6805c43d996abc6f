"""What the archive-wide views read of a review: its digest and its search words.

The home list, ``postmortem list``, word search and statistics read every
review, but only a small part of each.  The file backend keeps that part in
its derived index (``.archive/index.json``, see :mod:`store.db`) instead of
whole reviews, so the index stays small, and rewriting or parsing it costs
little at 5,000 reviews.

* :func:`digest` keeps of a stored review (dict form) exactly what
  :meth:`ReviewSummary.from_dict <store.model.ReviewSummary.from_dict>` and
  :func:`store.stats.archive_stats` read: both give the same result for the
  digest as for the whole review (tests/test_digest.py holds them to it).
* :func:`search_words` is :func:`store.archive.review_text` with each word
  kept once.  A search word never holds whitespace, so it is found in the
  text exactly when it is found inside one of its words: the result of a
  search is the same.
"""

from __future__ import annotations

from typing import Any

from store.archive import review_text

# Top-level fields copied as they are: the summary's, statistics', and a damaged review's reason.
_KEPT = ("id", "title", "kind", "step", "updated", "severity", "review_date", "tags", "review_status",
         "timezone", "near_miss", "impact_categories", "damaged")


def digest(doc: dict[str, Any]) -> dict[str, Any]:
    """The fields of ``doc`` that the home list, search filters and statistics read; a few hundred bytes."""
    light = {name: doc[name] for name in _KEPT if name in doc}
    follow = doc.get("follow_up")
    if isinstance(follow, dict):
        light["follow_up"] = {name: follow[name] for name in ("due", "held") if name in follow}
    if doc.get("actions"):
        light["actions"] = [_action(action) for action in doc["actions"]]
    events = [_event(event) for event in doc.get("timeline") or () if isinstance(event, dict) and event.get("marker")]
    if events:
        light["timeline"] = events
    whys = doc.get("five_whys")
    if isinstance(whys, dict) and whys.get("chains"):
        light["five_whys"] = {"chains": [_chain(chain) for chain in whys["chains"]]}
    return light


def _action(action: Any) -> Any:
    """An action's status and due date; a plain-text action (import allows one) stays text, emptied."""
    if isinstance(action, dict):
        return {name: action[name] for name in ("status", "due") if name in action}
    return ""


def _event(event: dict) -> dict:
    """An event that carries a marker: its time and marker (statistics read nothing else)."""
    return {name: event[name] for name in ("at", "marker") if name in event}


def _chain(chain: Any) -> Any:
    """A chain of whys reduced to its root cause (its last non-empty answer)."""
    if not isinstance(chain, dict):
        return chain
    answers = [why for why in chain.get("whys") or () if isinstance(why, str) and why.strip()]
    return {"whys": answers[-1:]}


def search_words(doc: dict[str, Any]) -> str:
    """Every word of the review's search text once, in order, one per line (lowercased)."""
    return "\n".join(dict.fromkeys(review_text(doc).split()))
