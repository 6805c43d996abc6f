"""Changes to a review, as operations applied to the latest stored document.

Every change a screen or the command makes is one of these.  The store
applies them inside its lock to a freshly read document, so two participants
who change different items both keep their change.  Every text passes the
sanitiser here, and every value is checked against the field it goes into.
"""

from __future__ import annotations

import re
import secrets
import string
from dataclasses import dataclass
from typing import Any

from store.errors import InvalidField, UnknownItem
from store.model import ACTION_TYPES, FACTOR_KINDS, IMPACT_CATEGORIES, ITEM_LISTS, KINDS, REVIEW_STATUSES, MARKERS, SEVERITIES, STATUSES, STEPS
from store.merge import is_place, merge_anchored
from store.sanitize import clean, one_line, quote, quote_key
from store.timeline import sort_key


def chosen_ids(ops: tuple | list) -> list[str]:
    """The ids a change's Add ops chose (what it added, when it was applied before)."""
    return [op.item_id for op in ops if isinstance(op, Add) and op.item_id]


@dataclass(frozen=True)
class Set:
    """Set a review field (``title``, ``five_whys.problem``, ``follow_up.due``).

    ``base``: the text the value was typed over.  A free-text field is then
    merged three-way into what is stored now (see :mod:`store.merge`), so two
    people typing into it both keep their words; without a base the value
    replaces what is stored.

    ``writer``: the terminal that typed it; ``at``: where its typing ends in
    ``value``; ``base_at``: where its typing ended in ``base``.  The store
    keeps each writer's place in the text (``anchors``), so the merge tells
    apart the same characters typed by two people at one place.
    """

    field: str
    value: Any
    base: Any = None
    writer: str | None = None
    at: int | None = None
    base_at: int | None = None
    base_places: dict | None = None  # a first write's base: the others' places in it, as the writer read them


@dataclass(frozen=True)
class Add:
    """Add an item to a list, after the item ``after`` (at the end if that one is gone).

    ``item_id``: the id the new item gets, chosen by the terminal that adds it
    (:func:`fresh_item_id`), so the screen can edit the item at once without
    waiting for the store; without it the store numbers the item.
    """

    list: str
    item: Any
    after: str | None = None
    item_id: str | None = None
    writer: str | None = None  # as Edit's: where the writer's typing ends in the new item's texts
    at: dict | None = None


@dataclass(frozen=True)
class Edit:
    """Change some fields of one item, found by id; ``bases``, ``at``, ``base_at`` and ``base_places`` as Set's, per
    field (a chain's answers: a list of them, one per answer)."""

    list: str
    item_id: str
    changes: dict
    bases: dict | None = None
    writer: str | None = None
    at: dict | None = None
    base_at: dict | None = None
    base_places: dict | None = None


@dataclass(frozen=True)
class Move:
    """Move one item up (``offset`` -1) or down (+1)."""

    list: str
    item_id: str
    offset: int


@dataclass(frozen=True)
class Remove:
    """Remove one item, found by id.  Its id is never given out again."""

    list: str
    item_id: str


Operation = Set | Add | Edit | Move | Remove


def _text(field: str, value: Any) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise InvalidField(field, f"expected text, got {type(value).__name__}")
    return clean(value)


def _line(field: str, value: Any) -> str:
    """Text for a one-line field: however it came in (typed, pasted, imported), it holds one line."""
    return one_line(_text(field, value))


def _line_list(field: str, value: Any) -> list[str]:
    return [one_line(text) for text in _text_list(field, value)]


def _choice(options: tuple[str, ...], blank: bool = False):
    def check(field: str, value: Any) -> str:
        if blank and value in (None, ""):
            return ""
        if value not in options:
            allowed = ", ".join(options) + (" or empty" if blank else "")
            raise InvalidField(field, f"{quote(value)} is not one of {allowed}")
        return value

    return check


def _marker(field: str, value: Any) -> str | None:
    if value in (None, ""):
        return None
    return _choice(MARKERS)(field, value)


def _optional_text(field: str, value: Any) -> str | None:
    return None if value is None else _line(field, value)


def _text_list(field: str, value: Any) -> list[str]:
    if not isinstance(value, list):
        raise InvalidField(field, "expected a list of texts")
    return [_text(f"{field}[{index}]", item) for index, item in enumerate(value)]


def _step_list(field: str, value: Any) -> list[str]:
    steps = _text_list(field, value)
    for step in steps:
        _choice(STEPS)(field, step)
    return steps


def _spoke(field: str, value: Any) -> dict[str, list[str]]:
    """Step: the names heard from there (the facilitator's "not heard from" outlasts reconnected terminals)."""
    if not isinstance(value, dict):
        raise InvalidField(field, "expected an object of step: names")
    return {_choice(STEPS)(field, step): _line_list(f"{field}.{step}", names) for step, names in value.items()}


def _links(field: str, value: Any) -> list[dict]:
    """Supporting links, each ``{"label", "url"}``; a bare text is a link without a label (as schema 1 kept them)."""
    if not isinstance(value, list):
        raise InvalidField(field, "expected a list of links (objects with a label and a url)")
    return [_link(f"{field}[{index}]", link) for index, link in enumerate(value)]


def _link(field: str, value: Any) -> dict:
    if isinstance(value, str):
        value = {"url": value}
    if not isinstance(value, dict):
        raise InvalidField(field, "expected a link: an object with a label and a url, or a text")
    unknown = [key for key in value if key not in ("label", "url")]
    if unknown:
        raise InvalidField(f"{field}.{quote_key(unknown[0])}", "unknown field (expected label, url)")
    link = {"label": _line(f"{field}.label", value.get("label")).strip(), "url": _line(f"{field}.url", value.get("url")).strip()}
    if not link["url"]:
        raise InvalidField(f"{field}.url", "is empty; a link needs an address (a URL, a ticket id or a channel)")
    return link


def _categories(field: str, value: Any) -> list[str]:
    names = _text_list(field, value)
    for index, name in enumerate(names):
        _choice(IMPACT_CATEGORIES)(f"{field}[{index}]", name)
    return list(dict.fromkeys(names))


def _flag(field: str, value: Any) -> bool:
    if not isinstance(value, bool):
        raise InvalidField(field, "expected true or false")
    return value


def _timeboxes(field: str, value: Any) -> dict[str, int]:
    if not isinstance(value, dict):
        raise InvalidField(field, "expected an object of step: minutes")
    for step, minutes in value.items():
        _choice(STEPS)(f"{field}.{quote_key(step)}", step)
        if not isinstance(minutes, int) or isinstance(minutes, bool) or not 1 <= minutes <= 240:
            raise InvalidField(f"{field}.{quote_key(step)}", f"{quote(minutes)} is not a number of minutes from 1 to 240")
    return dict(value)


def _count(field: str, value: Any) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise InvalidField(field, f"{quote(value)} is not a count (0 or more)")
    return value


def _silent_states(field: str, value: Any) -> dict[str, str]:
    if not isinstance(value, dict):
        raise InvalidField(field, "expected an object of step: writing or revealed")
    for step, state in value.items():
        _choice(STEPS)(f"{field}.{quote_key(step)}", step)
        _choice(("writing", "revealed"))(f"{field}.{quote_key(step)}", state)
    return dict(value)


def _ballot(field: str, value: Any) -> dict[str, int] | None:
    """Dots per voter (None clears the ballot when a vote closes)."""
    if value is None:
        return None
    if not isinstance(value, dict):
        raise InvalidField(field, "expected an object of voter: votes")
    ballot = {}
    for voter, dots in value.items():
        if not isinstance(dots, int) or isinstance(dots, bool) or not 0 <= dots <= 12:
            raise InvalidField(f"{field}.{quote_key(voter)}", f"{quote(dots)} is not a number of votes from 0 to 12")
        ballot[one_line(clean(str(voter))).strip()[:40]] = dots
    return ballot


def _vote(field: str, value: Any) -> dict:
    if not isinstance(value, dict):
        raise InvalidField(field, "expected an object (step, state, per_person, per_item)")
    if not value:
        return {}  # no vote was ever held
    vote = {"step": _choice(STEPS)(f"{field}.step", value.get("step")),
            "state": _choice(("open", "closed"))(f"{field}.state", value.get("state"))}
    for name in ("per_person", "per_item"):
        count = value.get(name, 3)
        if not isinstance(count, int) or isinstance(count, bool) or not 1 <= count <= 12:
            raise InvalidField(f"{field}.{name}", f"{quote(count)} is not a number of votes from 1 to 12")
        vote[name] = count
    return vote


# What silent writing adds to an item of a list written silently (store.silent): its author, hidden, held back.
SILENT_FIELDS = {"author": _line, "hidden": _flag, "held": _flag}
# A card (went well, lucky, could improve, surprises); votes and ballot come from dot voting.
CARD_FIELDS = {"text": _text} | SILENT_FIELDS | {"votes": _count, "ballot": _ballot}
# Item fields that an item need not have: no default is stored for them.
OPTIONAL_ITEM_FIELDS = {"author", "hidden", "held", "votes", "ballot"}

REVIEW_FIELDS = {
    "kind": _choice(KINDS),
    "title": _line,
    "severity": _choice(SEVERITIES, blank=True),
    "timezone": _line,
    "review_date": _line,
    "owner": _line,
    "facilitator": _line,
    "participants": _line_list,
    "tags": _line_list,
    "links": _links,
    "review_status": _choice(REVIEW_STATUSES),
    "summary": _text,
    "trigger": _line,
    "detection": _line,
    "impact": _text,
    "unknowns": _text,
    "impact_categories": _categories,
    "near_miss": _flag,
    "five_whys.problem": _line,
    "follow_up.due": _line,
    "follow_up.held": _optional_text,
    "follow_up.notes": _text,
    "step": _choice(STEPS),
    "cut_short": _step_list,
    "redact": _line_list,
    "ground_rules_confirmed": _flag,
    "timeboxes": _timeboxes,
    "session.lead": _line,
    "session.gathered": _count,
    "session.silent": _silent_states,
    "session.named": _step_list,
    "session.vote": _vote,
    "session.spotlight": _line,
    "session.participants": _line_list,
    "session.spoke": _spoke,
}

ITEM_FIELDS = {
    "timeline": {"at": _line, "text": _text, "marker": _marker} | SILENT_FIELDS,
    "went_well": CARD_FIELDS,
    "lucky": CARD_FIELDS,
    "could_improve": CARD_FIELDS,
    "surprises": CARD_FIELDS,
    "questions": {"text": _text, "answer": _text},
    "five_whys.chains": {"whys": _text_list, "votes": _count, "ballot": _ballot},
    "factors": {"kind": _choice(FACTOR_KINDS), "text": _text, "rationale": _text} | SILENT_FIELDS,
    "actions": {
        "what": _text,
        "owner": _line,
        "due": _line,
        "done_when": _text,
        "type": _choice(ACTION_TYPES, blank=True),
        "addresses": _text,
        "status": _choice(STATUSES),
        "note": _text,
        "decided": _line,
        "slipped_from": _line,
        "done_on": _line,
    },
}

# The steps with a dot vote, and the list voted on (store.voting).
VOTE_LISTS = {"could_improve": "could_improve", "five_whys": "five_whys.chains"}

# Free text that two people may type into at once: merged, never overwritten.
MERGED_TEXTS = {"title", "summary", "impact", "five_whys.problem", "follow_up.notes", "trigger", "detection", "unknowns"}
MERGED_ITEM_TEXTS = {
    ("timeline", "text"), ("went_well", "text"), ("lucky", "text"), ("could_improve", "text"),
    ("surprises", "text"), ("questions", "text"), ("questions", "answer"), ("five_whys.chains", "whys"),
    ("actions", "what"), ("actions", "done_when"), ("actions", "note"),
    ("factors", "text"), ("factors", "rationale"),
}
# Fields typed into a one-line input: a merge joins rather than adds lines.
ONE_LINE_TEXTS = {"title", "five_whys.problem", "trigger", "detection", "timeline.text", "actions.what", "actions.done_when",
                  "five_whys.chains.whys", "went_well.text", "lucky.text", "could_improve.text",
                  "surprises.text", "questions.text", "questions.answer",
                  "factors.text", "factors.rationale"}

# The key a plain string fills in when it stands for an item.
PLAIN_KEY = {name: "text" for name in ITEM_LISTS} | {"actions": "what", "five_whys.chains": "whys"}


def apply_all(doc: dict, ops: list[Operation] | tuple[Operation, ...]) -> list[str]:
    """Apply operations in order, in place; the ids their Add ops assigned.

    The timeline is sorted once at the end, not after each op: 10,000 pasted
    events were 10,000 sorts of a growing timeline (quadratic), under the lock.
    """
    added = [item_id for op in ops if (item_id := apply(doc, op, sort=False)) is not None]
    if any(_may_reorder_timeline(op) for op in ops):
        sort_timeline(doc)
    return added


def _may_reorder_timeline(op: Operation) -> bool:
    """Whether ``op`` may leave the timeline out of time order.

    Editing an event's text cannot, and sorting 300 events after every key
    typed into one was most of what applying that key cost.
    """
    if isinstance(op, Set):
        return op.field == "timezone"  # the same times, read in another zone
    if op.list != "timeline":
        return False
    return isinstance(op, (Add, Move)) or (isinstance(op, Edit) and "at" in op.changes)


def sort_timeline(doc: dict) -> None:
    """Put the timeline in time order, ties (and events without a valid time, at the end) as they were."""
    tz_name = doc.get("timezone", "UTC")
    _items(doc, "timeline").sort(key=lambda event: sort_key(event, tz_name))


def apply(doc: dict, op: Operation, sort: bool = True) -> str | None:
    """Apply one operation to a stored document in place; returns an added item's id.

    ``sort``: keep the timeline in time order (``apply_all`` sorts once instead).
    """
    if isinstance(op, Set):
        was_open = _vote_open_on(doc) if op.field == "session.vote" else None
        _set(doc, op)
        if was_open:
            _count_votes_if_closed(doc, was_open)
        if sort and _may_reorder_timeline(op):
            sort_timeline(doc)
        return None
    items = _items(doc, op.list)
    added = None
    if isinstance(op, Add):
        added = _add(doc, op, items)
    elif isinstance(op, Edit):
        item = items[_index(items, op)]
        changes = _checked_item(op.list, op.changes)
        if changes.get("ballot") is not None and _vote_open_on(doc) != op.list:
            del changes["ballot"]  # a dot cast after the vote closed (or before it opened) counts for nothing
        if "ballot" in changes:  # voter by voter: people voting at once never undo each other's dots
            changes["ballot"] = _merged_ballot(item.get("ballot"), changes["ballot"])
        for name in changes.keys() & _merged_names(op.list):
            key = f"{op.list}.{op.item_id}.{name}"
            if (op.bases or {}).get(name) is None:
                _forget_anchors(doc, key)  # the text was set, not merged: nobody's place in it is known
                continue
            at = _cleaned_at(ITEM_FIELDS[op.list][name], name, op.changes[name], _at(op.at, name))
            places = op.base_places.get(name) if isinstance(op.base_places, dict) else None
            where = _Where(key, op.writer, at, _at(op.base_at, name), places)
            changes[name] = _merged(f"{op.list}.{name}", op.bases[name], changes[name], item.get(name), doc, where)
        item.update(changes)
        for name in OPTIONAL_ITEM_FIELDS & changes.keys():
            if not item[name]:
                del item[name]  # an optional field with nothing to say is not kept (no author, no ballot)
    elif isinstance(op, Move):
        index = _index(items, op)
        target = max(0, min(len(items) - 1, index + op.offset))
        items.insert(target, items.pop(index))
    elif isinstance(op, Remove):
        items.pop(_index(items, op))
        _forget_anchors(doc, f"{op.list}.{op.item_id}")
    if sort and _may_reorder_timeline(op):
        sort_timeline(doc)
    return added


def _vote_open_on(doc: dict) -> str | None:
    """The list a dot vote is open on in ``doc``, or None."""
    vote = (doc.get("session") or {}).get("vote") or {}
    return VOTE_LISTS.get(vote.get("step")) if vote.get("state") == "open" else None


def _count_votes_if_closed(doc: dict, list_name: str) -> None:
    """The vote on ``list_name`` was just closed: each item's ballot becomes its count, here, in the store.

    Counted from the ballots stored, not from the facilitator's screen: a
    dot that landed a moment before the close, and that screen had not
    taken in yet, still counts.
    """
    if _vote_open_on(doc) == list_name:
        return
    for item in _items(doc, list_name):
        ballot = item.pop("ballot", None)
        if isinstance(ballot, dict):
            total = sum(dots for dots in ballot.values() if isinstance(dots, int) and not isinstance(dots, bool))
            if total:
                item["votes"] = total
            else:
                item.pop("votes", None)


def _merged_ballot(stored: Any, mine: dict[str, int] | None) -> dict[str, int]:
    """The stored ballot with these voters' dots changed (None clears it); voters with no dots left drop out."""
    if mine is None:
        return {}
    ballot = dict(stored) if isinstance(stored, dict) else {}
    ballot.update(mine)
    return {voter: dots for voter, dots in ballot.items() if dots}


def check_item(list_name: str, item: Any, where: str) -> dict:
    """A complete, checked item dict for ``list_name`` from a dict or a plain string."""
    if isinstance(item, str) or (list_name == "five_whys.chains" and isinstance(item, list)):
        item = {PLAIN_KEY[list_name]: item}
        if list_name == "five_whys.chains" and isinstance(item["whys"], str):
            item["whys"] = [item["whys"]]
    if not isinstance(item, dict):
        raise InvalidField(where, "expected an object or a text")
    defaults = {name: "" for name in ITEM_FIELDS[list_name] if name not in OPTIONAL_ITEM_FIELDS}
    defaults.update({"marker": None} if list_name == "timeline" else {})
    defaults.update({"status": "open"} if list_name == "actions" else {})
    defaults.update({"whys": []} if list_name == "five_whys.chains" else {})
    defaults.update({"kind": "contributing"} if list_name == "factors" else {})
    defaults = {name: value for name, value in defaults.items() if name in ITEM_FIELDS[list_name]}
    return defaults | _checked_item(list_name, {k: v for k, v in item.items() if k != "id"}, where)


def _checked_item(list_name: str, changes: dict, where: str | None = None) -> dict:
    fields = ITEM_FIELDS[list_name]
    checked = {}
    for name, value in changes.items():
        field = f"{where or list_name}.{quote_key(name)}"
        if name not in fields:
            raise InvalidField(field, f"unknown field (expected one of {', '.join(fields)})")
        checked[name] = fields[name](field, value)
    return checked


def _set(doc: dict, op: Set) -> None:
    field = op.field
    if field not in REVIEW_FIELDS:
        raise InvalidField(field, "not a field that can be set")
    value = REVIEW_FIELDS[field](field, op.value)
    *parents, name = field.split(".")
    target = doc
    for parent in parents:
        target = target.setdefault(parent, {})
    if field in MERGED_TEXTS:
        if op.base is None:
            _forget_anchors(doc, field)  # the text was set, not merged: nobody's place in it is known
        else:
            at = _cleaned_at(REVIEW_FIELDS[field], field, op.value, op.at)
            where = _Where(field, op.writer, at, op.base_at, op.base_places)
            value = _merged(field, op.base, value, target.get(name), doc, where)
    target[name] = value


@dataclass(frozen=True)
class _Where:
    """A merged text's key in ``doc["anchors"]``, and the writer's places (see Set); a list's, one per text."""

    key: str
    writer: str | None = None
    at: int | list | None = None
    base_at: int | list | None = None
    base_places: dict | list | None = None

    def answer(self, index: int) -> "_Where":
        """The places in one text of a list (a chain's answers: ``...whys.2``)."""
        others = _listed(self.base_places, index)
        return _Where(f"{self.key}.{index}", self.writer, _nth(self.at, index), _nth(self.base_at, index),
                      others if isinstance(others, dict) else None)


def _listed(values: Any, index: int) -> Any:
    """The ``index``-th of a list of per-answer values (None where the op gave no list, or a shorter one)."""
    return values[index] if isinstance(values, list) and index < len(values) else None


def _nth(places: Any, index: int) -> int | None:
    place = _listed(places, index)
    return place if is_place(place) else None


# A review keeps the writers' places in this many of its texts, the latest typed into (store.merge.merge_anchored).
ANCHORED_TEXTS = 64


def _merged(field: str, base: Any, mine: Any, stored: Any, doc: dict, where: _Where) -> Any:
    """``mine`` (typed over ``base``) merged three-way into ``stored``; a list of texts item by item.

    A one-line field keeps one line even when the merge kept both texts.
    The writers' places in the text (``doc["anchors"]``) are used and moved with it.
    """
    if isinstance(mine, list):
        base = base if isinstance(base, list) else []
        stored = stored if isinstance(stored, list) else []
        size = max(len(mine), len(stored))
        merged = [_merged(field, _text_at(base, i), _text_at(mine, i), _text_at(stored, i), doc, where.answer(i))
                  for i in range(size)]
        while merged and not merged[-1].strip():
            merged.pop()  # an answer removed by one side and left alone by the other stays removed
        return merged
    if not isinstance(stored, str) or not isinstance(base, str):
        _forget_anchors(doc, where.key)
        return mine
    base_places = where.base_places if isinstance(where.base_places, dict) else {}
    merged, places = merge_anchored(clean(base), mine, stored, _anchors_of(doc, where.key), where.writer,
                                    where.at, where.base_at, one_line=field in ONE_LINE_TEXTS, base_places=base_places)
    _keep_anchors(doc, where.key, places)
    return merged.text


def _anchors_of(doc: dict, key: str) -> dict[str, int]:
    """The writers' places in one text of ``doc`` (none if the file holds something else there)."""
    anchors = doc.get("anchors")
    places = anchors.get(key) if isinstance(anchors, dict) else None
    if not isinstance(places, dict):
        return {}
    return {name: place for name, place in places.items() if isinstance(name, str) and is_place(place)}


def _keep_anchors(doc: dict, key: str, places: dict[str, int]) -> None:
    """Store the writers' places in one text, that text last among the texts typed into (the oldest go first)."""
    anchors = doc.get("anchors")
    if not isinstance(anchors, dict):
        anchors = doc["anchors"] = {}
    anchors.pop(key, None)
    if places:
        anchors[key] = places
    while len(anchors) > ANCHORED_TEXTS:
        del anchors[next(iter(anchors))]


def _forget_anchors(doc: dict, key: str) -> None:
    """Drop the writers' places in one text, and in the texts under it (an item's, a chain's answers)."""
    anchors = doc.get("anchors")
    if isinstance(anchors, dict):
        for held in [held for held in anchors if held == key or held.startswith(f"{key}.")]:
            del anchors[held]


def _merged_names(list_name: str) -> set[str]:
    """The item fields of ``list_name`` whose texts are merged (and keep their writers' places)."""
    return {name for listed, name in MERGED_ITEM_TEXTS if listed == list_name}


def _at(places: dict | None, name: str) -> int | list | None:
    """One field's places: a place, or a list of them (a chain's answers), or None."""
    place = places.get(name) if isinstance(places, dict) else None
    return place if is_place(place) or isinstance(place, list) else None


def _cleaned_at(check, field: str, typed: Any, at: int | list | None) -> int | list | None:
    """Where ``at`` (a place in the text as typed) lies once the text is cleaned as it is stored (lists: each)."""
    if isinstance(at, list) and isinstance(typed, list):
        return [_cleaned_at(_text, field, text, _nth(at, index)) for index, text in enumerate(typed)]
    if not isinstance(at, int) or not isinstance(typed, str):
        return None
    return len(check(field, typed[:at]))


def _text_at(texts: list, index: int) -> str:
    return texts[index] if index < len(texts) and isinstance(texts[index], str) else ""


def _items(doc: dict, list_name: str) -> list:
    if list_name not in ITEM_LISTS:
        raise InvalidField(list_name, "not a list of items")
    if list_name == "five_whys.chains":
        return doc.setdefault("five_whys", {"problem": ""}).setdefault("chains", [])
    return doc.setdefault(list_name, [])


def _index(items: list, op: Edit | Move | Remove) -> int:
    for index, item in enumerate(items):
        if item.get("id") == op.item_id:
            return index
    raise UnknownItem(op.list, op.item_id)


def _add(doc: dict, op: Add, items: list) -> str:
    item = check_item(op.list, op.item, op.list)
    ids = [existing.get("id") for existing in items]
    if op.item_id is not None:
        if not isinstance(op.item_id, str) or not _FRESH_ID.match(op.item_id):
            raise InvalidField(f"{op.list}.id", f"{quote(op.item_id)} is not an item id a terminal can choose")
        if op.item_id in ids:
            return op.item_id  # already added: a write retried after an error that came after it
    item_id = op.item_id or new_item_id(doc)
    position = ids.index(op.after) + 1 if op.after in ids else len(items)
    items.insert(position, {"id": item_id} | item)
    if op.writer is not None:  # the first keys of a new item: its writer's place, for the next keys' merge
        raw = op.item if isinstance(op.item, dict) else {}
        for name in _merged_names(op.list):
            at = _cleaned_at(ITEM_FIELDS[op.list][name], name, raw.get(name), _at(op.at, name))
            if isinstance(at, int) and isinstance(item.get(name), str) and at <= len(item[name]):
                _keep_anchors(doc, f"{op.list}.{item_id}.{name}", {op.writer: at})
    return item_id


_FRESH_ID = re.compile(r"^i[a-z]{9}$")


def fresh_item_id() -> str:
    """An item id a terminal chooses on its own: ``i`` and nine random letters.

    Random (26**9 values), so terminals adding items to one review at the same
    time never pick the same id, and never a number (the store's own ids are
    ``i<N>``, counted per review; see :func:`new_item_id`).
    """
    return "i" + "".join(secrets.choice(string.ascii_lowercase) for _ in range(9))


def new_item_id(doc: dict) -> str:
    """The next item id of this review; the counter only grows, so ids are never reused."""
    number = int(doc.get("next_item", 1))
    doc["next_item"] = number + 1
    return f"i{number}"
