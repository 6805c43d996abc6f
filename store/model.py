"""The review model: what a post-mortem is, one-to-one with interchange JSON.

A :class:`Review` is built from a plain dict (``Review.from_dict``) and turned
back into one (``Review.to_dict``).  The store keeps and changes the dict form;
screens, checks and renderers read the typed form.  Strict validation of
imported documents lives in :mod:`store.interchange`; ``from_dict`` here is
lenient so that a half-typed draft (a time still being typed, an empty owner)
can always be shown.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import Any

from store.errors import UnknownReview

# 2: links are objects with a label (schema 1 had bare strings), and the fields of issue 13
# (factors, review status, trigger ...) that a schema-1 reader refuses as unknown keys.
SCHEMA = 2
# A review's id: ``pm-`` and its number, at most 18 digits (a PostgreSQL bigint holds it).
_REVIEW_ID = re.compile(r"^pm-([1-9][0-9]{0,17})$")


def review_number(review_id: object) -> int:
    """The number of a review id (``pm-12`` is 12); UnknownReview for anything that is not an id."""
    match = _REVIEW_ID.match(str(review_id))
    if not match:
        raise UnknownReview(review_id)
    return int(match.group(1))

KINDS = ("incident", "project")
SEVERITIES = ("SEV1", "SEV2", "SEV3", "SEV4")
MARKERS = ("started", "detected", "mitigated", "resolved")
ACTION_TYPES = ("prevent", "mitigate", "detect", "process", "repair", "other")
# "not_doing": decided at the review not to act, with the reason in ``note``; it
# counts neither as open nor against completion (a kept decision, not a gap).
STATUSES = ("open", "done", "slipped", "dropped", "not_doing")
# Where a review is in its workflow (PagerDuty's): written, discussed, agreed, and closed once followed up.
REVIEW_STATUSES = ("draft", "in_review", "reviewed", "closed")
REVIEW_STATUS_TITLES = {"draft": "draft", "in_review": "in review", "reviewed": "reviewed", "closed": "closed"}
# What kind of impact it had (several may apply), as the VOID counts them.
IMPACT_CATEGORIES = ("full_outage", "partial_outage", "degraded", "increased_errors", "increased_latency",
                     "non_production", "security")
IMPACT_CATEGORY_TITLES = {name: name.replace("_", " ").replace("non production", "non-production")
                          for name in IMPACT_CATEGORIES}
# A contributing factor's kind: what set it off, what made it worse or possible, what limited it.
FACTOR_KINDS = ("trigger", "contributing", "mitigating")

STEPS = (
    "setup",
    "timeline",
    "impact",
    "five_whys",
    "went_well",
    "could_improve",
    "actions",
    "summary",
)
STEP_TITLES = {
    "setup": "Setup",
    "timeline": "Timeline",
    "impact": "Impact",
    "five_whys": "Five Whys",
    "went_well": "Went well",
    "could_improve": "Could improve",
    "actions": "Actions",
    "summary": "Summary",
}

# Minutes per step for a live review of about 90 minutes; editable per review.
DEFAULT_TIMEBOXES = {
    "setup": 5,
    "timeline": 15,
    "impact": 5,
    "five_whys": 20,
    "went_well": 10,
    "could_improve": 10,
    "actions": 15,
    "summary": 10,
}

# Lists whose items carry a store-assigned id, by their path in the document.
ITEM_LISTS = (
    "timeline",
    "went_well",
    "lucky",
    "could_improve",
    "surprises",
    "actions",
    "questions",
    "five_whys.chains",
    "factors",
)


def _silent_keys(item: Any) -> dict[str, Any]:
    """Silent writing's keys of an item (store.silent), only where they say something."""
    return {name: getattr(item, name) for name in ("author", "hidden", "held") if getattr(item, name)}


def _vote_keys(item: Any) -> dict[str, Any]:
    """A dot vote's keys of a card or chain, only where they say something (store.voting)."""
    data: dict[str, Any] = {}
    if item.votes:
        data["votes"] = item.votes
    if item.ballot:
        data["ballot"] = dict(item.ballot)
    return data


@dataclass
class TextItem:
    """One entry (a card) of went well, lucky, could improve or surprises.

    A card written silently (see store.silent) carries its ``author`` and is
    ``hidden`` until the reveal; one the facilitator ``held`` back stays hidden.
    An anonymous card has no author once revealed.
    """

    id: str = ""
    text: str = ""
    author: str = ""
    hidden: bool = False
    held: bool = False
    votes: int = 0  # dots it got when a vote closed (store.voting)
    ballot: dict[str, int] = field(default_factory=dict)  # voter: dots, while a vote is open

    def to_dict(self) -> dict[str, Any]:
        """Its interchange form: the session's keys only where they say something."""
        return {"id": self.id, "text": self.text} | _vote_keys(self) | _silent_keys(self)


@dataclass
class Question:
    """A question or concern raised in the review, and the answer given."""

    id: str = ""
    text: str = ""
    answer: str = ""


@dataclass
class Event:
    """A timeline event; ``at`` is ISO 8601 with offset, or raw text being typed.

    Like a card, an event written silently carries its ``author`` and is
    ``hidden`` (or ``held``) until the reveal (store.silent).
    """

    id: str = ""
    at: str = ""
    text: str = ""
    marker: str | None = None
    author: str = ""
    hidden: bool = False
    held: bool = False

    def to_dict(self) -> dict[str, Any]:
        """Its interchange form: silent writing's keys only where they say something."""
        return {"id": self.id, "at": self.at, "text": self.text, "marker": self.marker} | _silent_keys(self)


@dataclass
class Chain:
    """One Five Whys chain; its last answer is its root cause."""

    id: str = ""
    whys: list[str] = field(default_factory=list)
    votes: int = 0  # dots its root cause got when a vote closed (store.voting)
    ballot: dict[str, int] = field(default_factory=dict)  # voter: dots, while a vote is open

    def to_dict(self) -> dict[str, Any]:
        """Its interchange form: the vote's keys only where they say something."""
        return {"id": self.id, "whys": list(self.whys)} | _vote_keys(self)

    @property
    def root_cause(self) -> str:
        """The last non-empty answer, or "" while the chain is empty."""
        answers = [why for why in self.whys if why.strip()]
        return answers[-1] if answers else ""


@dataclass
class FiveWhys:
    """The symptom and the chains of whys beneath it."""

    problem: str = ""
    chains: list[Chain] = field(default_factory=list)


@dataclass
class Factor:
    """A contributing factor beside the chains of whys, with how it made sense at the time.

    A single chain of whys tends to end at one cause (and often at "who");
    practitioners list the conditions that together let the incident happen,
    and for each the local rationality: why doing what was done made sense then.
    """

    id: str = ""
    kind: str = "contributing"
    text: str = ""
    rationale: str = ""
    author: str = ""  # silent writing (store.silent), as on a card
    hidden: bool = False
    held: bool = False

    def to_dict(self) -> dict[str, Any]:
        """Its interchange form: silent writing's keys only where they say something."""
        return {"id": self.id, "kind": self.kind, "text": self.text, "rationale": self.rationale} | _silent_keys(self)


@dataclass
class Link:
    """A supporting link: what it is ("Incident channel", "Ticket INC-123") and where (a URL, an id, a channel)."""

    label: str = ""
    url: str = ""

    @classmethod
    def from_value(cls, value: Any) -> "Link":
        """A link from its stored form, or from a bare address (schema 1 kept links as plain strings)."""
        if isinstance(value, dict):
            return cls(label=value.get("label") or "", url=value.get("url") or "")
        return cls(url=value if isinstance(value, str) else "")


@dataclass
class Action:
    """A SMART action item with one owner."""

    id: str = ""
    what: str = ""
    owner: str = ""
    due: str = ""
    done_when: str = ""
    type: str = ""
    addresses: str = ""
    status: str = "open"
    note: str = ""
    # Set at a follow-up: the date the status was decided there, and the due
    # date an action had before it slipped (so the report can say "was ...").
    decided: str = ""
    slipped_from: str = ""
    # The day an action recorded as done at the review was done (ISO date).
    done_on: str = ""


@dataclass
class FollowUp:
    """The 30-day follow-up: when it is due, when it was held, what was found."""

    due: str = ""
    held: str | None = None
    notes: str = ""


@dataclass
class SessionRecord:
    """What a live session keeps in the review: who leads it, and the facilitator's "everyone here" calls.

    Who is present is not kept here (see store.session): only what must
    outlast the terminals.
    """

    lead: str = ""  # the facilitator's session name (``postmortem open --as``)
    gathered: int = 0  # raised each time the facilitator brings everyone to their step
    silent: dict[str, str] = field(default_factory=dict)  # step: "writing" or "revealed" (store.silent)
    named: list[str] = field(default_factory=list)  # steps whose silent cards keep their author
    vote: dict[str, Any] = field(default_factory=dict)  # the dot vote: step, state, per_person, per_item
    spotlight: str = ""  # who has the floor (the facilitator's round robin)
    participants: list[str] = field(default_factory=list)  # everyone who took part, as the facilitator saw them
    spoke: dict[str, list[str]] = field(default_factory=dict)  # step: who added something there (kept by the lead)

    @classmethod
    def from_dict(cls, data: Any) -> "SessionRecord":
        data = data if isinstance(data, dict) else {}
        gathered = data.get("gathered")
        silent = data.get("silent") if isinstance(data.get("silent"), dict) else {}
        named = data.get("named") if isinstance(data.get("named"), list) else []
        spoke = data.get("spoke") if isinstance(data.get("spoke"), dict) else {}
        return cls(lead=data.get("lead") if isinstance(data.get("lead"), str) else "",
                   gathered=gathered if isinstance(gathered, int) and not isinstance(gathered, bool) else 0,
                   silent={step: state for step, state in silent.items() if state in ("writing", "revealed")},
                   named=[step for step in named if isinstance(step, str)],
                   vote=dict(data["vote"]) if isinstance(data.get("vote"), dict) else {},
                   spotlight=data.get("spotlight") if isinstance(data.get("spotlight"), str) else "",
                   participants=[name for name in data.get("participants") or [] if isinstance(name, str)]
                   if isinstance(data.get("participants"), list) else [],
                   spoke={step: [name for name in names if isinstance(name, str)]
                          for step, names in spoke.items() if isinstance(names, list)})


@dataclass
class Review:
    """A whole review, incident or project."""

    id: str = ""
    kind: str = "incident"
    title: str = ""
    severity: str = ""
    timezone: str = "UTC"
    review_date: str = ""
    review_status: str = "draft"
    owner: str = ""
    facilitator: str = ""
    participants: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    # Supporting links: tickets, dashboards, the incident channel.
    links: list[Link] = field(default_factory=list)
    summary: str = ""
    # What set it off, and how we found out (the Google SRE template's Trigger and Detection).
    trigger: str = ""
    detection: str = ""
    timeline: list[Event] = field(default_factory=list)
    impact: str = ""
    # What we did not know then and know now: where our picture of the system was wrong.
    unknowns: str = ""
    impact_categories: list[str] = field(default_factory=list)
    # Nothing reached users, but it nearly did: worth a review, never counted as an outage.
    near_miss: bool = False
    five_whys: FiveWhys = field(default_factory=FiveWhys)
    factors: list[Factor] = field(default_factory=list)
    went_well: list[TextItem] = field(default_factory=list)
    lucky: list[TextItem] = field(default_factory=list)
    could_improve: list[TextItem] = field(default_factory=list)
    surprises: list[TextItem] = field(default_factory=list)
    actions: list[Action] = field(default_factory=list)
    questions: list[Question] = field(default_factory=list)
    follow_up: FollowUp = field(default_factory=FollowUp)
    step: str = "setup"
    cut_short: list[str] = field(default_factory=list)
    redact: list[str] = field(default_factory=list)
    ground_rules_confirmed: bool = False
    timeboxes: dict[str, int] = field(default_factory=dict)
    session: SessionRecord = field(default_factory=SessionRecord)
    created: str = ""
    updated: str = ""
    # Where each terminal's typing ends in the texts typed into at once (store.ops, TextSync): the store's own,
    # never exported, and left out of to_dict (a copy of a review starts without them).
    anchors: dict[str, dict[str, int]] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Review":
        """Build the typed view of a stored or imported document (lenient)."""
        whys = data.get("five_whys") or {}
        follow = data.get("follow_up") or {}
        return cls(
            id=str(data.get("id", "")),
            kind=data.get("kind") or "incident",
            title=data.get("title") or "",
            severity=data.get("severity") or "",
            timezone=data.get("timezone") or "UTC",
            review_date=data.get("review_date") or "",
            review_status=data.get("review_status") if data.get("review_status") in REVIEW_STATUSES else "draft",
            owner=data.get("owner") or "",
            facilitator=data.get("facilitator") or "",
            participants=list(data.get("participants") or []),
            tags=list(data.get("tags") or []),
            links=[Link.from_value(link) for link in data.get("links") or []],
            summary=data.get("summary") or "",
            trigger=data.get("trigger") or "",
            detection=data.get("detection") or "",
            timeline=[_build(Event, item) for item in data.get("timeline") or []],
            impact=data.get("impact") or "",
            unknowns=data.get("unknowns") or "",
            impact_categories=[c for c in data.get("impact_categories") or [] if c in IMPACT_CATEGORIES],
            near_miss=data.get("near_miss") is True,
            five_whys=FiveWhys(
                problem=whys.get("problem") or "",
                chains=[
                    Chain(id=c.get("id", ""), whys=list(c.get("whys") or []), votes=c.get("votes") or 0,
                          ballot=dict(c.get("ballot") or {}))
                    for c in whys.get("chains") or []
                ],
            ),
            factors=[_build(Factor, item) for item in data.get("factors") or []],
            went_well=[_build(TextItem, item) for item in data.get("went_well") or []],
            lucky=[_build(TextItem, item) for item in data.get("lucky") or []],
            could_improve=[
                _build(TextItem, item) for item in data.get("could_improve") or []
            ],
            surprises=[_build(TextItem, item) for item in data.get("surprises") or []],
            actions=[_build(Action, item) for item in data.get("actions") or []],
            questions=[_build(Question, item) for item in data.get("questions") or []],
            follow_up=FollowUp(
                due=follow.get("due") or "",
                held=follow.get("held"),
                notes=follow.get("notes") or "",
            ),
            step=data.get("step") if data.get("step") in STEPS else "setup",
            cut_short=list(data.get("cut_short") or []),
            redact=list(data.get("redact") or []),
            ground_rules_confirmed=bool(data.get("ground_rules_confirmed")),
            timeboxes=dict(data.get("timeboxes") or {}),
            session=SessionRecord.from_dict(data.get("session")),
            created=data.get("created") or "",
            updated=data.get("updated") or "",
            anchors=data["anchors"] if isinstance(data.get("anchors"), dict) else {},
        )

    def to_dict(self) -> dict[str, Any]:
        """The interchange form (schema 2), without computed durations."""
        return {
            "schema": SCHEMA,
            "id": self.id,
            "kind": self.kind,
            "title": self.title,
            "severity": self.severity,
            "timezone": self.timezone,
            "review_date": self.review_date,
            "review_status": self.review_status,
            "owner": self.owner,
            "facilitator": self.facilitator,
            "participants": list(self.participants),
            "tags": list(self.tags),
            "links": [vars(link).copy() for link in self.links],
            "summary": self.summary,
            "trigger": self.trigger,
            "detection": self.detection,
            "timeline": [event.to_dict() for event in self.timeline],
            "impact": self.impact,
            "unknowns": self.unknowns,
            "impact_categories": list(self.impact_categories),
            "near_miss": self.near_miss,
            "five_whys": {
                "problem": self.five_whys.problem,
                "chains": [
                    chain.to_dict() for chain in self.five_whys.chains
                ],
            },
            "factors": [factor.to_dict() for factor in self.factors],
            "went_well": [item.to_dict() for item in self.went_well],
            "lucky": [item.to_dict() for item in self.lucky],
            "could_improve": [item.to_dict() for item in self.could_improve],
            "surprises": [item.to_dict() for item in self.surprises],
            "actions": [vars(action).copy() for action in self.actions],
            "questions": [vars(question).copy() for question in self.questions],
            "follow_up": vars(self.follow_up).copy(),
            "step": self.step,
            "cut_short": list(self.cut_short),
            "redact": list(self.redact),
            "ground_rules_confirmed": self.ground_rules_confirmed,
            "timeboxes": dict(self.timeboxes),
            "session": {"lead": self.session.lead, "gathered": self.session.gathered,
                        "silent": dict(self.session.silent), "named": list(self.session.named),
                        "vote": dict(self.session.vote), "spotlight": self.session.spotlight,
                        "participants": list(self.session.participants),
                        "spoke": {step: list(names) for step, names in self.session.spoke.items()}},
            "created": self.created,
            "updated": self.updated,
        }

    def timebox(self, step: str) -> int:
        """Minutes set aside for a step's discussion (the review's own, or the default)."""
        return self.timeboxes.get(step, DEFAULT_TIMEBOXES[step])

    @property
    def open_actions(self) -> int:
        """How many actions are still open or slipped."""
        return sum(1 for action in self.actions if action.status in ("open", "slipped"))


@dataclass(frozen=True)
class ReviewSummary:
    """The few facts the home list and `postmortem list` show, read without building a Review."""

    id: str
    title: str
    kind: str
    step: str
    updated: str
    open_actions: int
    follow_up: str
    severity: str = ""
    review_date: str = ""
    tags: tuple[str, ...] = ()
    follow_up_held: str = ""
    review_status: str = "draft"
    # Due dates of the actions still open or slipped ("" where none was set).
    open_action_dues: tuple[str, ...] = ()

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "ReviewSummary":
        actions = [a for a in data.get("actions") or [] if isinstance(a, dict)]
        still_open = [a for a in actions if a.get("status", "open") in ("open", "slipped")]
        follow = data.get("follow_up") or {}
        return cls(
            id=str(data.get("id", "")),
            title=data.get("title") or "",
            kind=data.get("kind") or "incident",
            step=data.get("step") if data.get("step") in STEPS else "setup",
            updated=data.get("updated") or "",
            open_actions=len(still_open),
            follow_up=follow.get("due") or "",
            severity=data.get("severity") or "",
            review_date=data.get("review_date") or "",
            tags=tuple(data.get("tags") or ()),
            follow_up_held=follow.get("held") or "",
            review_status=data.get("review_status") if data.get("review_status") in REVIEW_STATUSES else "draft",
            open_action_dues=tuple(str(a.get("due") or "") for a in still_open),
        )


def rebuilt(review: Review, doc: dict[str, Any], key: str, item_id: str | None = None) -> Review:
    """``review`` after ``doc`` (its dict form) changed under one top-level ``key``; the rest is shared.

    A screen applies every key typed to its dict and needs the typed form
    again: building the whole review (300 events, 40 actions) per key was most
    of a key's cost.  ``key`` may be a list of ``ITEM_LISTS`` with the
    ``item_id`` of the one item that changed in place; if the list's order
    changed too (an edited time re-sorts the timeline), the list is built again.
    ``review`` is never changed: the result is a new Review.
    """
    top = key.split(".", 1)[0]
    if item_id is not None and key in ITEM_LISTS:
        changed = _rebuilt_item(review, doc, key, item_id)
        if changed is not None:
            return changed
    return replace(review, **{top: getattr(Review.from_dict({top: doc.get(top)}), top)})


def _rebuilt_item(review: Review, doc: dict[str, Any], key: str, item_id: str) -> Review | None:
    """``review`` with the item ``item_id`` of the list ``key`` built again; None unless the list is otherwise the same."""
    if key == "five_whys.chains":
        dicts, typed = (doc.get("five_whys") or {}).get("chains") or [], review.five_whys.chains
    else:
        dicts, typed = doc.get(key) or [], getattr(review, key)
    if len(dicts) != len(typed):
        return None
    index = next((n for n, item in enumerate(dicts) if isinstance(item, dict) and item.get("id") == item_id), None)
    if index is None or typed[index].id != item_id:
        return None
    items = list(typed)
    if key == "five_whys.chains":
        items[index] = Review.from_dict({"five_whys": {"chains": [dicts[index]]}}).five_whys.chains[0]
        return replace(review, five_whys=replace(review.five_whys, chains=items))
    items[index] = getattr(Review.from_dict({key: [dicts[index]]}), key)[0]
    return replace(review, **{key: items})


def _build(cls: type, item: Any) -> Any:
    """Build an item dataclass from a dict, a plain string, or a partial dict."""
    if isinstance(item, str):
        key = "what" if cls is Action else "text"
        return cls(**{key: item})
    known = {name: value for name, value in item.items() if name in cls.__dataclass_fields__}
    return cls(**known)


def new_review(kind: str = "incident", title: str = "", today: date | None = None) -> Review:
    """A blank review dated today, with the follow-up 30 days later."""
    today = today or date.today()
    return Review(
        kind=kind if kind in KINDS else "incident",
        title=title,
        review_date=today.isoformat(),
        follow_up=FollowUp(due=(today + timedelta(days=30)).isoformat()),
    )
