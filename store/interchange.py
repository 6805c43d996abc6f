"""The interchange format (JSON, schema 2; schema 1 is still read): strict import and exact export.

A document from outside (``postmortem import``, a file another team sent) is
untrusted: every value is checked against the field it goes into, every text
passes the sanitiser, and the first problem raises :class:`InvalidField`
naming the field path (``timeline[2].at``) and the source, so the command can
refuse it with exit 2 and nothing written.  Export is ``Review.to_dict()`` plus
the computed durations, so export -> import -> export is exact apart from the
review id and the created/updated times, which belong to the store.
"""

from __future__ import annotations

import json
import re
from copy import copy
from datetime import date, datetime, timedelta
from typing import Any

from store.errors import InvalidField, StoreError
from store.model import ITEM_LISTS, SCHEMA, Review
from store.silent import visible_to
from store.ops import REVIEW_FIELDS, check_item
from store.sanitize import clean_line, quote, quote_key
from store.timeline import durations, is_timezone, parse_date, parse_time, zone

# Top-level keys in the order DESIGN.md gives them; step, cut_short, redact,
# ground_rules_confirmed, timeboxes and session are the model's own optional keys and sit between follow_up and created.
EXPORT_ORDER = (
    "schema", "id", "kind", "title", "severity", "timezone", "review_date", "review_status",
    "owner", "facilitator", "participants", "tags", "links", "summary", "trigger", "detection",
    "timeline", "impact", "impact_categories", "near_miss", "unknowns",
    "five_whys", "factors", "went_well", "lucky", "could_improve", "surprises", "actions",
    "questions", "follow_up", "durations", "step", "cut_short", "redact",
    "ground_rules_confirmed", "timeboxes", "session", "created", "updated",
)
KNOWN_KEYS = frozenset(EXPORT_ORDER)
# Keys that are read but never taken: the store assigns or computes them.
IGNORED_KEYS = ("id", "durations", "created", "updated")
# Plain review fields taken through the ops validators; a missing one gets the model's default.
SCALAR_FIELDS = (
    "kind", "title", "severity", "owner", "facilitator", "participants", "tags", "summary", "impact",
    "review_status", "links", "trigger", "detection", "unknowns", "impact_categories", "near_miss", "step", "cut_short", "redact", "ground_rules_confirmed", "timeboxes",
)
_DEFAULTS = Review().to_dict()
FLAT_LISTS = tuple(name for name in ITEM_LISTS if "." not in name)
_NUMBERED_ID = re.compile(r"^i?(\d+)$")


def parse_document(data: Any, source: str) -> dict:
    """Check an imported, JSON-decoded document and return the stored form.

    The result has the shape of ``Review.to_dict()`` plus ``next_item``; the
    review id and created/updated are left empty for the store to set.  Any
    problem raises ``InvalidField(field, message)``; the message ends with
    ``(in <source>)`` so the user knows which file to fix.
    """
    try:
        return _parse(data)
    except InvalidField as error:
        detail = str(error).removeprefix(f"{error.field}: ")
        raise InvalidField(error.field, f"{detail} (in {source})") from None


def export_document(review: Review) -> dict:
    """The interchange document for ``review``: its dict plus the durations.

    Durations are computed here, never typed, so a reader of the export sees
    the same time-to-detect/mitigate/resolve as the app.
    """
    review = visible_to(review, None)  # cards not yet revealed (silent writing) are in no export
    doc = review.to_dict() | {"durations": durations(review)}
    ordered = {key: doc[key] for key in EXPORT_ORDER if key in doc}
    return ordered | {key: value for key, value in doc.items() if key not in ordered}


def _parse(data: Any) -> dict:
    if not isinstance(data, dict):
        raise InvalidField("(document)", f"expected a JSON object (one review), got {_type_name(data)}")
    _check_schema(data)
    _check_keys(data)
    doc = {"schema": SCHEMA, "id": ""} | _scalars(data)
    doc["timezone"] = _timezone(data.get("timezone"))
    doc["review_date"] = _date("review_date", data.get("review_date"))
    doc["five_whys"] = _five_whys(data.get("five_whys"))
    for name in FLAT_LISTS:
        doc[name] = _items(name, data.get(name))
    doc["timeline"] = _timeline(doc["timeline"], doc["timezone"], doc["review_date"])
    doc["actions"] = [_action_due(index, item) for index, item in enumerate(doc["actions"])]
    doc["follow_up"] = _follow_up(data.get("follow_up"))
    doc["session"] = _session(data.get("session"))
    if "follow_up" not in data:
        doc["follow_up"]["due"] = _thirty_days_after(doc["review_date"])
    doc |= {"created": "", "updated": ""}
    ordered = {key: doc[key] for key in Review().to_dict()}
    return ordered | {"next_item": _assign_ids(ordered)}


def _type_name(value: Any) -> str:
    """A JSON type name for error messages."""
    names = {dict: "an object", list: "a list", str: "a text", bool: "true/false",
             int: "a number", float: "a number", type(None): "null"}
    return names.get(type(value), type(value).__name__)


# Schemas an import reads: 1 (links were bare texts, still read so) and the current one.
READABLE_SCHEMAS = (1, SCHEMA)


def _check_schema(data: dict) -> None:
    """Schema 1 and 2 are read; a newer one is refused with what to do (a schema-1 reader says the same of 2)."""
    if "schema" not in data:
        raise InvalidField("schema", f'missing; a postmortem review document starts with "schema": {SCHEMA}')
    schema = data["schema"]
    if not isinstance(schema, int) or isinstance(schema, bool):
        raise InvalidField("schema", f"expected the number {SCHEMA}, got {_type_name(schema)}")
    if schema > SCHEMA:
        raise InvalidField(
            "schema",
            f"{schema} was written by a newer version of postmortem; this version reads "
            f"schema {SCHEMA} (upgrade postmortem to import it)",
        )
    if schema not in READABLE_SCHEMAS:
        raise InvalidField("schema", f"{schema} is not a known schema (expected {SCHEMA}, or 1)")


def _check_keys(data: dict) -> None:
    unknown = [key for key in data if key not in KNOWN_KEYS]
    if unknown:
        listed = ", ".join(quote(key) for key in unknown[:3]) + (", ..." if len(unknown) > 3 else "")
        raise InvalidField(
            quote_key(unknown[0]),
            f"unknown key {listed} (expected keys such as schema, kind, title, timeline, actions)",
        )


def _scalars(data: dict) -> dict:
    """The plain fields, each through the validator the store's operations use."""
    doc = {}
    for name in SCALAR_FIELDS:
        doc[name] = REVIEW_FIELDS[name](name, data[name]) if name in data else copy(_DEFAULTS[name])
    return doc


def _session(value: Any) -> dict:
    """The live session's record: who led it (``lead``) and how often everyone was gathered."""
    if value is None:
        return copy(_DEFAULTS["session"])
    if not isinstance(value, dict):
        raise InvalidField("session", f"expected an object, got {_type_name(value)}")
    unknown = [key for key in value if key not in _DEFAULTS["session"]]
    if unknown:
        expected = ", ".join(_DEFAULTS["session"])
        raise InvalidField(f"session.{quote_key(unknown[0])}", f"unknown key (expected one of {expected})")
    return {name: REVIEW_FIELDS[f"session.{name}"](f"session.{name}", value[name]) if name in value else default
            for name, default in _DEFAULTS["session"].items()}


def _timezone(value: Any) -> str:
    if value in (None, ""):
        return "UTC"
    name = REVIEW_FIELDS["timezone"]("timezone", value).strip()
    if not is_timezone(name):
        raise InvalidField("timezone", f"{quote(name)} is not a known IANA timezone (for example UTC, Europe/Berlin)")
    return name


def _date(field: str, value: Any) -> str:
    """An ISO date, normalised, or "" when empty."""
    text = REVIEW_FIELDS["review_date"](field, value).strip()
    if not text:
        return ""
    day = parse_date(text)
    if day is None:
        raise InvalidField(field, f"{quote(text)} is not a date (use YYYY-MM-DD, for example 2026-11-21)")
    return day.isoformat()


def _object(field: str, value: Any, keys: tuple[str, ...]) -> dict:
    """A nested object (five_whys, follow_up): null is empty; other keys are refused."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise InvalidField(field, f"expected an object, got {_type_name(value)}")
    for key in value:
        if key not in keys:
            raise InvalidField(f"{field}.{quote_key(key)}", f"unknown key (expected one of {', '.join(keys)})")
    return value


def _five_whys(value: Any) -> dict:
    whys = _object("five_whys", value, ("problem", "chains"))
    problem = REVIEW_FIELDS["five_whys.problem"]("five_whys.problem", whys.get("problem"))
    return {"problem": problem, "chains": _items("five_whys.chains", whys.get("chains"))}


def _thirty_days_after(review_date: str) -> str:
    """The default follow-up for a document that names none: the review date + 30 days."""
    day = parse_date(review_date)
    return (day + timedelta(days=30)).isoformat() if day else ""


def _follow_up(value: Any) -> dict:
    follow = _object("follow_up", value, ("due", "held", "notes"))
    return {
        "due": _date("follow_up.due", follow.get("due")),
        "held": REVIEW_FIELDS["follow_up.held"]("follow_up.held", follow.get("held")),
        "notes": REVIEW_FIELDS["follow_up.notes"]("follow_up.notes", follow.get("notes")),
    }


def _items(name: str, value: Any) -> list[dict]:
    """A list of checked items; a plain string stands for an item; ids kept as given."""
    if value is None:
        return []
    if not isinstance(value, list):
        raise InvalidField(name, f"expected a list, got {_type_name(value)}")
    return [_item(name, index, item) for index, item in enumerate(value)]


def _item(name: str, index: int, item: Any) -> dict:
    where = f"{name}[{index}]"
    checked = check_item(name, item, where)
    raw_id = item.get("id") if isinstance(item, dict) else None
    if raw_id is not None and not isinstance(raw_id, str):
        raise InvalidField(f"{where}.id", f"expected a text id, got {_type_name(raw_id)}")
    return {"id": clean_line(raw_id or "")} | checked


def _timeline(events: list[dict], tz_name: str, review_date: str) -> list[dict]:
    """Events with their time read in the review's timezone, stored with offset, in time order.

    A bare clock time (``14:05``) is taken on the previous event's day, or
    the review date for the first event, as the timeline screen does.
    """
    day = parse_date(review_date)
    moments = []
    for index, event in enumerate(events):
        moment = _event_time(index, event["at"], tz_name, day)
        event["at"] = moment.isoformat()
        day = moment.astimezone(zone(tz_name)).date()
        moments.append(moment.timestamp())
    order = sorted(range(len(events)), key=moments.__getitem__)
    return [events[index] for index in order]


def _event_time(index: int, text: str, tz_name: str, day: date | None) -> datetime:
    """One event's time, or InvalidField at ``timeline[index].at``."""
    try:
        moment = parse_time(text, tz_name, day)
        if moment is not None:
            moment.astimezone(zone(tz_name)).timestamp()  # out-of-range years fail here
            return moment
    except (OverflowError, ValueError):
        pass
    raise InvalidField(
        f"timeline[{index}].at",
        f"{quote(text)} is not a time (use ISO 8601, for example 2026-11-20T14:05:00+00:00, "
        "or 2026-11-20 14:05 in the review's timezone)",
    )


def _action_due(index: int, action: dict) -> dict:
    for name in ("due", "decided", "slipped_from", "done_on"):
        action[name] = _date(f"actions[{index}].{name}", action[name])
    return action


def _all_items(doc: dict) -> list[tuple[str, dict]]:
    """Every item of the review with its field path, in document order."""
    found = []
    for name in ITEM_LISTS:
        items = doc["five_whys"]["chains"] if name == "five_whys.chains" else doc[name]
        found += [(f"{name}[{index}]", item) for index, item in enumerate(items)]
    return found


def _assign_ids(doc: dict) -> int:
    """Keep given ids (unique across the review), give fresh ``i<N>`` ids to the rest.

    Returns the review's ``next_item``: above every numeric id used, so the
    store never hands out an id that is already taken.
    """
    seen: dict[str, str] = {}
    for where, item in _all_items(doc):
        if item["id"] in seen:
            raise InvalidField(f"{where}.id", f"{quote(item['id'])} is already used by {seen[item['id']]}")
        if item["id"]:
            seen[item["id"]] = where
    numbers = [int(match.group(1)) for match in map(_NUMBERED_ID.match, seen) if match]
    next_item = max(numbers, default=0) + 1
    for _, item in _all_items(doc):
        if not item["id"]:
            item["id"] = f"i{next_item}"
            next_item += 1
    return next_item


# What JSON counts as whitespace; a line of only these is blank in JSON lines.
_JSON_SPACE = " \t\r\n"


class ImportProblem(InvalidField):
    """A file given to ``postmortem import`` that cannot be taken, as one line.

    ``str(error)`` is the whole line: the file, then where in it (``line 3``,
    ``review 2 of 5``, or nothing for a file that holds one object), then the
    problem.  ``field`` is the field at fault inside the review, or
    ``(document)`` when the file itself is at fault.
    """

    def __init__(self, source: str, position: str, field: str, message: str) -> None:
        self.source = source
        self.position = position
        self.field = field
        StoreError.__init__(self, ": ".join(part for part in (source, position, message) if part))


def parse_documents(text: str, source: str) -> list[dict]:
    """Every review in one import file, checked, in file order, in the stored form.

    The text may hold one review object (as ``parse_document`` reads it), a
    JSON array of review objects, or JSON lines: one review object per
    non-blank line.  The text is decoded as a whole first; only when that fails
    and its first non-blank line is a JSON value of its own is it read line by
    line.  The first problem raises :class:`ImportProblem` naming ``source``
    and the review (``line 3`` or ``review 2 of 5``), with the wording of
    ``parse_document`` after it; nothing is returned then.  A file without any
    review is a problem too.
    """
    if not text.strip(_JSON_SPACE):
        raise ImportProblem(source, "", "(document)", "holds no reviews")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        lines = _json_lines(text)
        if lines is None:
            raise ImportProblem(source, "", "(document)", _not_json(error)) from None
        return [_checked(source, f"line {number}", _decode_line(line, number, source)) for number, line in lines]
    if isinstance(data, list):
        if not data:
            raise ImportProblem(source, "", "(document)", "holds no reviews (the list is empty)")
        total = len(data)
        return [_checked(source, f"review {index} of {total}", value) for index, value in enumerate(data, 1)]
    return [_checked(source, "", data)]


def _not_json(error: json.JSONDecodeError) -> str:
    return f"not valid JSON (line {error.lineno}, column {error.colno}: {error.msg})"


def _json_lines(text: str) -> list[tuple[int, str]] | None:
    """The numbered non-blank lines, if ``text`` looks like JSON lines, else None.

    Only ``\\n`` ends a line (as in JSON's own line numbers), so a U+2028 inside
    a text value does not split a review.  It looks like JSON lines when its
    first non-blank line decodes on its own; a broken pretty-printed object
    does not, and keeps the whole-document message.
    """
    lines = [(number, line) for number, line in enumerate(text.split("\n"), 1) if line.strip(_JSON_SPACE)]
    try:
        json.loads(lines[0][1])
    except json.JSONDecodeError:
        return None
    return lines


def _decode_line(line: str, number: int, source: str) -> Any:
    """One line's JSON value, or ImportProblem naming the line."""
    try:
        return json.loads(line)
    except json.JSONDecodeError as error:
        detail = f"not valid JSON (column {error.colno}: {error.msg})"
        raise ImportProblem(source, f"line {number}", "(document)", detail) from None


def _checked(source: str, position: str, data: Any) -> dict:
    """One review through ``parse_document``; its error keeps its wording, with the file and position first."""
    try:
        return parse_document(data, source)
    except InvalidField as error:
        raise ImportProblem(source, position, error.field, str(error)) from None
