"""The archive of reviews: what is due, and finding a review again.

Two questions a team asks of its old reviews, answered here for the home list
and for ``postmortem list`` alike (no Textual, no store access):

*What is due?*  A review's follow-up is **pending** while it has a due date
and none was held yet, or the last one left actions open and the next date is
later (the follow-up session sets ``held`` to the day it ran and, when actions
remain open, moves ``due`` to the next follow-up; the rule is
:func:`store.follow_up.pending`).  A pending
follow-up is ``"overdue"`` when its date is before today, ``"due"`` on the
day itself and ``"soon"`` within the next :data:`SOON_DAYS` days.  An action
is overdue when it is open or slipped and its due date is before today.
"Due" for ``list --due`` and ``status:due`` means a follow-up that is due or
overdue, or at least one overdue action; "soon" is only shown, never counted.

*Where was that review?*  An :class:`ArchiveQuery` holds words (every word
must appear, case-insensitively, somewhere in the review's text) and filters
(kind, severity, tag, review date range, status).  The filters need only the
light :class:`~store.model.ReviewSummary`; the words need each review's whole
text, which :class:`TextIndex` keeps lowercased and rebuilds only for reviews
that changed, so a keystroke over 1,000 reviews costs a few milliseconds.

Unparseable dates (a due date typed as "next week") are never due: they are
ignored rather than guessed at.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Any

from store.follow_up import is_overdue, pending
from store.model import KINDS, REVIEW_STATUSES, SEVERITIES, ReviewSummary
from store.sanitize import quote

SOON_DAYS = 7
FOLLOW_UP_STATES = ("overdue", "due", "soon")
STATUSES = ("open", "done", "due")
# Words of the home search box that filter instead of being searched for.
FILTER_KEYS = {
    "kind": "kind",
    "sev": "severity",
    "severity": "severity",
    "tag": "tag",
    "status": "status",
    "review": "review_status",
    "since": "since",
    "from": "since",
    "until": "until",
    "to": "until",
}


class QueryError(ValueError):
    """A filter value that cannot be used; the message names the filter."""


# What is due ------------------------------------------------------------------


def parse_date(text: str | None) -> date | None:
    """An ISO date (``2026-12-21``, or the date part of an ISO time), or None when it is not one."""
    if not text or not isinstance(text, str):
        return None
    try:
        return date.fromisoformat(text.strip()[:10])
    except ValueError:
        return None


def follow_up_pending(summary: ReviewSummary) -> bool:
    """True while the follow-up is still to be held (the rule is store.follow_up's)."""
    return pending(summary.follow_up, summary.follow_up_held, summary.open_actions > 0)


def follow_up_state(summary: ReviewSummary, today: date) -> str:
    """``"overdue"``, ``"due"`` (today), ``"soon"`` (within SOON_DAYS) or ``""``."""
    if not follow_up_pending(summary):
        return ""
    due = parse_date(summary.follow_up)
    if due < today:
        return "overdue"
    if due == today:
        return "due"
    if due <= today + timedelta(days=SOON_DAYS):
        return "soon"
    return ""


def overdue_actions(summary: ReviewSummary, today: date) -> int:
    """How many open or slipped actions have a due date before today (unparseable dates ignored)."""
    return sum(1 for due in summary.open_action_dues if is_overdue("open", due, today))


def is_due(summary: ReviewSummary, today: date) -> bool:
    """Something needs doing now: the follow-up is due or overdue, or an action is overdue."""
    return follow_up_state(summary, today) in ("overdue", "due") or overdue_actions(summary, today) > 0


def due_reasons(summary: ReviewSummary, today: date) -> list[str]:
    """Why a review is due, in words for a person reading ``list --due`` (empty when nothing is)."""
    reasons = []
    state = follow_up_state(summary, today)
    if state == "overdue":
        reasons.append(f"follow-up overdue since {summary.follow_up}")
    elif state == "due":
        reasons.append("follow-up due today")
    late = overdue_actions(summary, today)
    if late:
        reasons.append(f"{late} action{'s' if late != 1 else ''} overdue")
    return reasons


# Finding reviews ------------------------------------------------------------------


@dataclass(frozen=True)
class ArchiveQuery:
    """What to look for: words that must all appear, and filters that must all hold."""

    words: tuple[str, ...] = ()
    kind: str = ""
    severity: str = ""
    tag: str = ""
    since: date | None = None
    until: date | None = None
    status: str = ""
    review_status: str = ""  # draft, in_review, reviewed or closed (``status`` is about the actions)

    @property
    def is_empty(self) -> bool:
        return self == ArchiveQuery()

    def matches_summary(self, summary: ReviewSummary, today: date) -> bool:
        """Every filter holds for this review (the words are checked against the text separately)."""
        if self.kind and summary.kind != self.kind:
            return False
        if self.severity and summary.severity != self.severity:
            return False
        if self.review_status and summary.review_status != self.review_status:
            return False
        if self.tag and self.tag.casefold() not in (tag.casefold() for tag in summary.tags):
            return False
        if self.since or self.until:
            held_on = parse_date(summary.review_date)
            if held_on is None or (self.since and held_on < self.since) or (self.until and held_on > self.until):
                return False
        return not self.status or has_status(summary, self.status, today)


def has_status(summary: ReviewSummary, status: str, today: date) -> bool:
    """``open``: an action is open or slipped; ``done``: none is; ``due``: see :func:`is_due`."""
    if status == "open":
        return summary.open_actions > 0
    if status == "done":
        return summary.open_actions == 0
    if status == "due":
        return is_due(summary, today)
    raise QueryError(f"status: unknown status {quote(status)} (use {', '.join(STATUSES)})")


def search(
    summaries: Iterable[ReviewSummary],
    query: ArchiveQuery,
    today: date,
    texts: Mapping[str, str] | None = None,
) -> list[ReviewSummary]:
    """The summaries that match ``query``, in the order given.

    ``texts`` maps a review id to its :func:`review_text`; it is needed only
    when the query has words (without it, words are looked for in the id and
    title alone).
    """
    words = [word.casefold() for word in query.words]
    found = []
    for summary in summaries:
        if not query.matches_summary(summary, today):
            continue
        if words:
            text = texts.get(summary.id, "") if texts is not None else f"{summary.id}\n{summary.title}".casefold()
            if not all(word in text for word in words):
                continue
        found.append(summary)
    return found


def _hidden(item: Any) -> bool:
    """An item written silently and not revealed yet (store.silent): no search finds it."""
    return isinstance(item, Mapping) and bool(item.get("hidden"))


def review_text(doc: Mapping[str, Any]) -> str:
    """Every text of a stored review (dict form), lowercased, one field per line, for word search."""
    parts: list[str] = [str(doc.get("id", ""))]
    for name in ("title", "kind", "severity", "owner", "facilitator", "summary", "impact", "trigger", "detection",
                 "unknowns"):
        parts.append(_text(doc.get(name)))
    parts.extend(_text(name) for name in doc.get("participants") or ())
    parts.extend(_text(tag) for tag in doc.get("tags") or ())
    whys = doc.get("five_whys") or {}
    if isinstance(whys, Mapping):
        parts.append(_text(whys.get("problem")))
        for chain in whys.get("chains") or ():
            if isinstance(chain, Mapping):
                parts.extend(_text(why) for why in chain.get("whys") or ())
    parts.extend(_item_text(link, ("label", "url")) for link in doc.get("links") or ())
    parts.extend(_item_text(item, ("text", "rationale")) for item in doc.get("factors") or () if not _hidden(item))
    for name in ("timeline", "went_well", "lucky", "could_improve", "surprises", "questions"):
        parts.extend(_item_text(item, ("text", "answer")) for item in doc.get(name) or () if not _hidden(item))
    parts.extend(_item_text(item, ("what", "owner", "done_when", "addresses", "note")) for item in doc.get("actions") or ())
    follow = doc.get("follow_up") or {}
    if isinstance(follow, Mapping):
        parts.append(_text(follow.get("notes")))
    return "\n".join(part for part in parts if part).casefold()


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _item_text(item: Any, keys: tuple[str, ...]) -> str:
    """An item's texts; import allows a plain string where an item is expected."""
    if isinstance(item, str):
        return item
    if isinstance(item, Mapping):
        return "\n".join(_text(item.get(key)) for key in keys if item.get(key))
    return ""


class TextIndex:
    """Each review's search text, rebuilt only for reviews whose ``updated`` stamp changed.

    Another participant typing in a review rewrites the file every few hundred
    milliseconds; rebuilding one review's text then is cheap, all 1,000 is not.
    """

    def __init__(self) -> None:
        self._entries: dict[str, tuple[str, str]] = {}

    def refresh(self, docs: Iterable[Mapping[str, Any]]) -> None:
        """Take the stored reviews as they are now (dict form); reviews no longer there are dropped."""
        fresh: dict[str, tuple[str, str]] = {}
        for doc in docs:
            review_id = str(doc.get("id", ""))
            stamp = str(doc.get("updated", ""))
            known = self._entries.get(review_id)
            fresh[review_id] = known if known and known[0] == stamp else (stamp, review_text(doc))
        self._entries = fresh

    def texts(self) -> dict[str, str]:
        """Review id to lowercased text, as :func:`search` takes it."""
        return {review_id: text for review_id, (_, text) in self._entries.items()}

    def get(self, review_id: str, default: str = "") -> str:
        entry = self._entries.get(review_id)
        return entry[1] if entry else default

    def __len__(self) -> int:
        return len(self._entries)


# Reading filters --------------------------------------------------------------


def read_kind(value: str) -> str:
    """``incident`` or ``project`` (any case; a unique beginning such as ``proj`` will do)."""
    return _one_of("kind", value, KINDS)


def read_severity(value: str) -> str:
    """``SEV1`` .. ``SEV4`` from ``sev1``, ``SEV1`` or ``1``."""
    level = value.strip().upper().removeprefix("SEV").strip()
    severity = f"SEV{level}"
    if severity not in SEVERITIES:
        raise QueryError(f"severity: {quote(value)} is not one of {', '.join(SEVERITIES)}")
    return severity


def read_status(value: str) -> str:
    """``open``, ``done`` or ``due`` (a unique beginning will do)."""
    return _one_of("status", value, STATUSES)


def read_review_status(value: str) -> str:
    """``draft``, ``in_review``, ``reviewed`` or ``closed``; ``in review``, ``in-review`` or a unique beginning will do."""
    return _one_of("review", value.replace("-", "_").replace(" ", "_"), REVIEW_STATUSES)


def read_date(name: str, value: str) -> date:
    """A date written ``YYYY-MM-DD``; the error names the filter."""
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise QueryError(f"{name}: {quote(value)} is not a date like 2026-01-31") from None


def read_tag(value: str) -> str:
    tag = value.strip()
    if not tag:
        raise QueryError("tag: give a tag, e.g. tag:database")
    return tag


def _one_of(name: str, value: str, choices: tuple[str, ...]) -> str:
    wanted = value.strip().lower()
    found = [choice for choice in choices if choice.startswith(wanted)] if wanted else []
    if len(found) != 1 and wanted not in choices:
        raise QueryError(f"{name}: {quote(value)} is not one of {', '.join(choices)}")
    return wanted if wanted in choices else found[0]


def parse_query(text: str) -> tuple[ArchiveQuery, list[str]]:
    """Read the home search box: plain words, and ``key:value`` filter words.

    ``kind:project sev:1 tag:db status:open review:draft since:2026-01-01 until:2026-03-31``;
    a word whose key is not a filter (``http://x``) is an ordinary word.
    Returns the query and, for each filter word that cannot be used yet
    (half typed, misspelt), a message naming it; such a filter is left out.
    """
    words: list[str] = []
    fields: dict[str, Any] = {}
    problems: list[str] = []
    for token in text.split():
        key, colon, value = token.partition(":")
        name = FILTER_KEYS.get(key.lower()) if colon else None
        if name is None:
            words.append(token)
            continue
        try:
            fields[name] = _read_filter(name, value)
        except QueryError as error:
            problems.append(str(error))
    return replace(ArchiveQuery(words=tuple(words)), **fields), problems


def _read_filter(name: str, value: str) -> Any:
    if name == "kind":
        return read_kind(value)
    if name == "severity":
        return read_severity(value)
    if name == "status":
        return read_status(value)
    if name == "review_status":
        return read_review_status(value)
    if name in ("since", "until"):
        return read_date(name, value)
    return read_tag(value)
