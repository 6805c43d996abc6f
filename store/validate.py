"""What a stored review's values must be, checked when a file is read.

A hand-edited file can hold the right tables with the wrong values inside
(``"actions": [1, 2]``, ``"title": 5``, ``"at": 5``); read as is, they gave
tracebacks in export, check and stats.  :func:`review_problem` names the first
such value (field and item), so the store can refuse that one review with a
clear message and keep every other review usable.
"""

from __future__ import annotations

import re
from typing import Any

from store.model import ITEM_LISTS
from store.ops import ITEM_FIELDS
from store.sanitize import clean, quote, quote_key

REVIEW_TEXTS = ("id", "kind", "title", "severity", "timezone", "review_date", "owner", "facilitator",
                "summary", "impact", "step", "created", "updated", "review_status", "trigger", "detection", "unknowns")
TEXT_LISTS = ("participants", "tags", "cut_short", "redact", "impact_categories")
# Counters are written back as JSON numbers; beyond this they stop being exact (and orjson refuses 2**64).
LARGEST_COUNTER = 2**53


# In a file's bytes, what may be a character the sanitiser removes: a JSON escape of a control character,
# a raw DEL, C1 code or bidi mark in UTF-8.  Files the app wrote hold none, so they are never walked.
_MAYBE_UNSAFE = re.compile(
    rb"\\u00[0189][0-9a-fA-F]|\\u007[fF]|\\u20[0-6][0-9a-fA-F]|\\u061[cC]|\\[rbf]"
    rb"|\x7f|\xc2[\x80-\x9f]|\xe2\x80[\x8e\x8f\xaa-\xae]|\xe2\x81[\xa6-\xa9]|\xd8\x9c"
)


def clean_stored(raw: bytes, data: dict) -> None:
    """Sanitise every text of a file's reviews in place, if its bytes may hold what the sanitiser removes.

    Text is sanitised when it is stored; a hand-edited file may still hold
    escape sequences, and nothing read from a file may drive a terminal.
    """
    if _MAYBE_UNSAFE.search(raw):
        for key, doc in (data.get("reviews") or {}).items():
            data["reviews"][key] = _cleaned(doc)


def _cleaned(value: Any) -> Any:
    if isinstance(value, str):
        return clean(value)
    if isinstance(value, list):
        return [_cleaned(entry) for entry in value]
    if isinstance(value, dict):
        return {key: _cleaned(entry) for key, entry in value.items()}
    return value


def type_name(value: Any) -> str:
    """A JSON type name for messages."""
    names = {dict: "an object", list: "a list", str: "a text", bool: "true/false",
             int: "a number", float: "a number", type(None): "null"}
    return names.get(type(value), type(value).__name__)


def _is_count(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def is_counter(value: Any) -> bool:
    """True for a usable id counter (``next_review``, ``next_item``): a whole number from 1 up."""
    return isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= LARGEST_COUNTER


def review_problem(doc: dict) -> str | None:
    """The first value of a stored review of the wrong type, as ``field: expected ..., got ...``; else None."""
    return next(_problems(doc), None)


def stored_problem(data: dict) -> str | None:
    """The first wrong value in a review file's reviews (``review pm-N, field: ...``), or None."""
    for key, doc in (data.get("reviews") or {}).items():
        problem = review_problem(doc)
        if problem:
            return f"review pm-{key}, {problem}"
    return None


def meta_problem(meta: dict) -> str | None:
    """What is wrong with a file's ``meta`` document (its schema is checked elsewhere), or None."""
    if "next_review" in meta and not is_counter(meta["next_review"]):
        return f"meta.next_review: {quote(meta['next_review'])} is not a review number"
    return None


def _problems(doc: dict):
    for name in REVIEW_TEXTS:
        yield from _text(name, doc.get(name))
    for name in TEXT_LISTS:
        yield from _list(name, doc.get(name), _text)
    yield from _list("links", doc.get("links"), _link)
    for name in ("ground_rules_confirmed", "near_miss"):
        if not isinstance(doc.get(name, False), bool):
            yield _wrong(name, "true or false", doc[name])
    yield from _timeboxes(doc.get("timeboxes"))
    if "next_item" in doc and not is_counter(doc["next_item"]):
        yield f"next_item: {quote(doc['next_item'])} is not an item number"
    whys = doc.get("five_whys")
    yield from _object("five_whys", whys, {"problem": _text})
    follow = doc.get("follow_up")
    yield from _object("follow_up", follow, {"due": _text, "held": _text, "notes": _text})
    for name in ITEM_LISTS:
        holder = whys if name == "five_whys.chains" else doc
        items = holder.get(name.rsplit(".", 1)[-1]) if isinstance(holder, dict) else None
        yield from _list(name, items, _item)


def _wrong(path: str, expected: str, value: Any) -> str:
    return f"{path}: expected {expected}, got {type_name(value)}"


def _text(path: str, value: Any):
    if value is not None and not isinstance(value, str):
        yield _wrong(path, "a text", value)


def _list(path: str, value: Any, check):
    if value is None:
        return
    if not isinstance(value, list):
        yield _wrong(path, "a list", value)
        return
    for index, entry in enumerate(value):
        yield from check(f"{path}[{index}]", entry)


def _link(path: str, value: Any):
    """A link: an object of label and url texts, or a bare address (schema 1)."""
    if isinstance(value, dict):
        yield from _object(path, value, {"label": _text, "url": _text})
    else:
        yield from _text(path, value)


def _object(path: str, value: Any, fields: dict):
    if value is None:
        return
    if not isinstance(value, dict):
        yield _wrong(path, "an object", value)
        return
    for name, check in fields.items():
        yield from check(f"{path}.{name}", value.get(name))


def _timeboxes(value: Any):
    if value is None:
        return
    if not isinstance(value, dict):
        yield _wrong("timeboxes", "an object of step: minutes", value)
        return
    for step, minutes in value.items():
        if not isinstance(minutes, int) or isinstance(minutes, bool):
            yield _wrong(f"timeboxes.{quote_key(step)}", "a number of minutes", minutes)


def _item(path: str, item: Any):
    if isinstance(item, str):
        return  # a plain string stands for an item (the model reads it so)
    if not isinstance(item, dict):
        yield _wrong(path, "an object", item)
        return
    list_name = path.rsplit("[", 1)[0]
    yield from _text(f"{path}.id", item.get("id"))
    for name in ITEM_FIELDS[list_name]:
        if name == "whys":
            yield from _list(f"{path}.whys", item.get("whys"), _text)
        elif name in ("hidden", "held"):
            if not isinstance(item.get(name, False), bool):
                yield _wrong(f"{path}.{name}", "true or false", item[name])
        elif name == "votes":
            if not _is_count(item.get(name, 0)):
                yield _wrong(f"{path}.{name}", "a number of votes", item[name])
        elif name == "ballot":
            ballot = item.get(name, {})
            if not isinstance(ballot, dict) or not all(_is_count(dots) for dots in ballot.values()):
                yield _wrong(f"{path}.{name}", "an object of voter: votes", ballot)
        else:
            yield from _text(f"{path}.{name}", item.get(name))
