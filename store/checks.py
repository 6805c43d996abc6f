"""The checks of each step of a review: what is missing, and how to fix it.

A post-mortem is only useful if it is complete and blameless, so every step of
the guided flow (DESIGN.md, "The guided flow") has a check.  An *error* blocks
moving on; an *advisory* is shown but does not block.  The same functions run
in the TUI (as the user types), in ``postmortem check`` and before an export,
so they are pure, fast (regexes are compiled once, participant patterns are
cached) and never raise on any text.

Every problem names the field it concerns, using the TUI's field names
(``title``, ``timeline.<id>.at``, ``five_whys.chains.<id>.whys.<index>``,
``actions.<id>.owner`` ...), says plainly what is wrong, and how to fix it.
Messages are plain text, never markup.  The text rules themselves (blame
language, vague actions, root causes, owners) live in :mod:`store.language`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from store.language import (  # noqa: F401  (re-exported: the checks' public API)
    ADVISORY,
    ERROR,
    _DIGIT,
    Problem,
    _advisory,
    _blank,
    _error,
    people_named,
    _quote,
    _text,
    blame_problems,
    owner_problems,
    root_cause_problems,
    vague_action_problems,
)
from store.model import ACTION_TYPES, FACTOR_KINDS, KINDS, MARKERS, SEVERITIES, STEPS, Review
from store.sanitize import quote
from store.silent import ALL_SILENT_LISTS as SILENT_LIST_NAMES, numbers, visible_to
from store.timeline import event_time, is_timezone, parse_date, show_time

# ---------------------------------------------------------------------------
# Helpers shared by the steps
# ---------------------------------------------------------------------------


def _item_id(item: Any, index: int) -> str:
    """The item's id (the store always assigns one); its 0-based position as a fallback."""
    return _text(getattr(item, "id", "")) or str(index)


def _item_field(list_name: str, item: Any, index: int, name: str) -> str:
    return f"{list_name}.{_item_id(item, index)}.{name}"


def _text_items_blame(list_name: str, items: list, participants) -> list[Problem]:
    problems = []
    for index, item in enumerate(items):
        problems += blame_problems(item.text, _item_field(list_name, item, index, "text"), participants)
    return problems


def _ordered(problems: list[Problem]) -> list[Problem]:
    """Errors first, then advisories, each in the order found."""
    return [p for p in problems if p.level == ERROR] + [p for p in problems if p.level != ERROR]


# ---------------------------------------------------------------------------
# Setup
# ---------------------------------------------------------------------------


def _check_setup(review: Review) -> list[Problem]:
    problems = []
    if _blank(review.title):
        hint = "Name what happened in a few words, e.g. 'Checkout API returned HTTP 500s'."
        problems.append(_error("title", "The review has no title.", hint))
    if review.kind not in KINDS:
        hint = "Choose incident or project."
        problems.append(_error("kind", f"The kind {_quote(review.kind)} is not incident or project.", hint))
    problems += owner_problems(review.owner, "owner")
    problems += _severity_problems(review)
    problems += _timezone_problems(review.timezone)
    problems += _review_date_problems(review.review_date)
    if not [p for p in review.participants if not _blank(p)]:
        hint = "List who took part, so names can be checked for blame and redacted in the client summary."
        problems.append(_advisory("participants", "No participants are listed.", hint))
    problems += blame_problems(review.title, "title", people_named(review))
    return problems


def _severity_problems(review: Review) -> list[Problem]:
    hint = "Choose SEV1 (most severe) to SEV4."
    if _blank(review.severity):
        if review.kind == "incident":
            return [_error("severity", "An incident needs a severity.", hint)]
        return []
    if review.severity not in SEVERITIES:
        return [_error("severity", f"The severity {_quote(review.severity)} is not one of SEV1-SEV4.", hint)]
    return []


def _timezone_problems(timezone: str) -> list[Problem]:
    hint = "Use an IANA timezone name such as UTC, Europe/Berlin or America/New_York."
    if _blank(timezone):
        return [_error("timezone", "There is no timezone.", hint)]
    try:
        known = is_timezone(timezone)
    except Exception:  # noqa: BLE001 - any odd text is simply not a timezone
        known = False
    if not known:
        return [_error("timezone", f"The timezone {_quote(timezone)} is not a known timezone.", hint)]
    return []


def _review_date_problems(review_date: str) -> list[Problem]:
    hint = "Use an ISO date such as 2026-11-21."
    if _blank(review_date):
        return [_error("review_date", "There is no review date.", hint)]
    if _date(review_date) is None:
        return [_error("review_date", f"The review date {_quote(review_date)} is not a date.", hint)]
    return []


def _date(text: Any) -> date | None:
    try:
        return parse_date(_text(text))
    except Exception:  # noqa: BLE001 - a check never raises
        return None


# ---------------------------------------------------------------------------
# Timeline
# ---------------------------------------------------------------------------


def _moment(event: Any, tz_name: str):
    try:
        return event_time(event, tz_name)
    except Exception:  # noqa: BLE001 - overflowing or odd times are just not valid
        return None


def _check_timeline(review: Review) -> list[Problem]:
    events = review.timeline
    problems = []
    if len(events) < 2:
        problems.append(_too_few_events(review, len(events)))
    moments = [_moment(event, review.timezone) for event in events]
    for index, event in enumerate(events):
        problems += _event_problems(review, event, index, moments[index])
    problems += _marker_problems(review, moments)
    return problems


def _too_few_events(review: Review, count: int) -> Problem:
    if review.kind == "incident":
        hint = "Add when it started and when it was resolved."
    else:
        hint = "Add when the project started and the key moments after."
    message = f"The timeline needs at least 2 events (it has {count})."
    return _error("timeline", message, hint)


def _event_problems(review: Review, event: Any, index: int, moment) -> list[Problem]:
    people = people_named(review)
    key = ("event", index, tuple(vars(event).values()), moment, tuple(people))
    return _remembered(key, lambda: _new_event_problems(event, index, moment, people))


def _new_event_problems(event: Any, index: int, moment, people: list[str]) -> list[Problem]:
    number = index + 1
    at_field, text_field = (_item_field("timeline", event, index, name) for name in ("at", "text"))
    time_hint = "Type a time such as 14:05 or 2026-11-20 14:05."
    problems = []
    if _blank(event.at):
        problems.append(_error(at_field, f"Event {number} has no time.", time_hint))
    elif moment is None:
        message = f"Event {number} has the time {_quote(event.at)}, which is not a valid time."
        problems.append(_error(at_field, message, time_hint))
    if _blank(event.text):
        message = f"Event {number} says nothing about what happened."
        problems.append(_error(text_field, message, "Say what happened at that time, in plain words."))
    if event.marker not in (None, "") and event.marker not in MARKERS:
        message = f"Event {number} has an unknown marker {_quote(str(event.marker))}."
        hint = "Choose started, detected, mitigated, resolved, or no marker."
        problems.append(_error(_item_field("timeline", event, index, "marker"), message, hint))
    return problems + blame_problems(event.text, text_field, people)


def _first_markers(review: Review, moments: list) -> dict[str, tuple[int, Any]]:
    """For each marker, the index and time of its first event with a valid time."""
    found: dict[str, tuple[int, Any]] = {}
    for index, event in enumerate(review.timeline):
        if event.marker in MARKERS and moments[index] is not None and event.marker not in found:
            found[event.marker] = (index, moments[index])
    return found


def _marker_problems(review: Review, moments: list) -> list[Problem]:
    first = _first_markers(review, moments)
    problems = _order_problems(review, first)
    problems += _repeated_marker_problems(review, first)
    if review.kind == "incident" and review.timeline:
        # A marker on an event whose time is invalid is reported at that time, not here.
        used = {event.marker for event in review.timeline if isinstance(event.marker, str)}
        problems += _missing_marker_problems(used)
    return problems


def _order_problems(review: Review, first: dict[str, tuple[int, Any]]) -> list[Problem]:
    present = [marker for marker in MARKERS if marker in first]
    problems = []
    for earlier, later in zip(present, present[1:]):
        if first[later][1] < first[earlier][1]:
            problems.append(_out_of_order(review, earlier, later, first))
    return problems


def _out_of_order(review: Review, earlier: str, later: str, first) -> Problem:
    early_index, late_index = first[earlier][0], first[later][0]
    tz = review.timezone
    early_at = _shown(review.timeline[early_index].at, tz)
    late_at = _shown(review.timeline[late_index].at, tz)
    message = f'"{later}" ({late_at}) comes before "{earlier}" ({early_at}); markers are out of order.'
    hint = (
        "Markers go started, detected, mitigated, resolved: check both times, "
        "or move the marker to the right event."
    )
    event = review.timeline[late_index]
    return _error(_item_field("timeline", event, late_index, "marker"), message, hint)


def _shown(at: str, tz_name: str) -> str:
    try:
        return show_time(at, tz_name)
    except Exception:  # noqa: BLE001 - e.g. a year-9999 time that overflows in the local zone
        return at


def _repeated_marker_problems(review: Review, first: dict[str, tuple[int, Any]]) -> list[Problem]:
    problems = []
    for index, event in enumerate(review.timeline):
        marker = event.marker
        if isinstance(marker, str) and marker in first and first[marker][0] != index:
            message = (
                f'Event {index + 1} is also marked "{marker}"; '
                f"durations use the first one (event {first[marker][0] + 1})."
            )
            hint = "Keep each marker on one event; describe later steps in the text instead."
            problems.append(_advisory(_item_field("timeline", event, index, "marker"), message, hint))
    return problems


def _missing_marker_problems(used: set[str]) -> list[Problem]:
    problems = []
    if "started" not in used:
        message = 'No event is marked "started", so time to detect, mitigate and resolve cannot be computed.'
        hint = 'Mark the event when the problem began as "started".'
        problems.append(_advisory("timeline", message, hint))
    if "resolved" not in used:
        message = 'No event is marked "resolved", so time to resolve cannot be computed.'
        hint = 'Mark the event when service was fully restored as "resolved".'
        problems.append(_advisory("timeline", message, hint))
    return problems


# ---------------------------------------------------------------------------
# Impact
# ---------------------------------------------------------------------------


def _check_impact(review: Review) -> list[Problem]:
    if _blank(review.impact):
        hint = "Say who and what was affected, and for how long."
        return [_error("impact", "The impact is empty.", hint)]
    problems = []
    if _DIGIT.search(review.impact) is None:
        hint = "Say how many users, how long, how much: e.g. '12% of checkouts failed for 22 minutes'."
        problems.append(_advisory("impact", "The impact has no numbers in it.", hint))
    people = people_named(review)
    for name in ("trigger", "detection", "unknowns"):
        problems += blame_problems(getattr(review, name), name, people)
    return problems + blame_problems(review.impact, "impact", people)


# ---------------------------------------------------------------------------
# Five Whys
# ---------------------------------------------------------------------------


def _answers(whys: Any) -> list[tuple[int, str]]:
    """The non-empty answers of a chain with their index in ``whys``."""
    return [(index, why) for index, why in enumerate(whys or []) if isinstance(why, str) and why.strip()]


def _check_five_whys(review: Review) -> list[Problem]:
    whys = review.five_whys
    people = people_named(review)
    problems = []
    if _blank(whys.problem):
        hint = "State what people saw, e.g. 'Checkout returned HTTP 500 for 22 minutes'."
        problems.append(_error("five_whys.problem", "The problem (the symptom) is empty.", hint))
    problems += blame_problems(whys.problem, "five_whys.problem", people)
    if not whys.chains:
        hint = "Add a chain: ask why the problem happened, then why that happened, at least 3 times."
        problems.append(_error("five_whys.chains", "There is no chain of whys.", hint))
    for index, chain in enumerate(whys.chains):
        problems += _chain_problems(chain, index, people)
    for index, (factor, number) in enumerate(zip(review.factors, numbers(review.factors))):
        problems += _factor_problems(factor, index, number, people)
    return problems


def _factor_problems(factor: Any, index: int, number: int | None, people: list[str]) -> list[Problem]:
    """A factor's problems, remembered (tests/bench_factors.py: 50 factors were most of a key's check)."""
    key = ("factor", index, number, tuple(vars(factor).values()), tuple(people))
    return _remembered(key, lambda: _new_factor_problems(factor, index, number, people))


def _new_factor_problems(factor: Any, index: int, number: int | None, people: list[str]) -> list[Problem]:
    """A factor says what the condition was, never who; a trigger or contributing factor says why it made sense.

    A factor not revealed yet has no number (``silent.numbers``): its author reads "Your unrevealed factor".
    """
    subject = f"Factor {number}" if number is not None else "Your unrevealed factor"
    text_field, rationale_field = (_item_field("factors", factor, index, name) for name in ("text", "rationale"))
    problems = []
    if factor.kind not in FACTOR_KINDS:
        message = f"{subject} has an unknown kind {_quote(str(factor.kind))}."
        problems.append(_error(_item_field("factors", factor, index, "kind"), message, "Choose trigger, contributing or mitigating."))
    if _blank(factor.text):
        hint = "Name the condition in the system or process, e.g. 'The migration tool had no dry-run mode'."
        problems.append(_error(text_field, f"{subject} says nothing.", hint))
    errors = root_cause_problems(factor.text, text_field, people, subject=subject)
    problems += errors or blame_problems(factor.text, text_field, people)
    if factor.kind != "mitigating" and not _blank(factor.text) and _blank(factor.rationale):
        message = f"{subject} does not say how it made sense at the time."
        hint = "Say why what was done looked right then, with what people knew: e.g. 'the runbook said to do it'."
        problems.append(_advisory(rationale_field, message, hint))
    return problems + blame_problems(factor.rationale, rationale_field, people)


def _chain_problems(chain: Any, index: int, people: list[str]) -> list[Problem]:
    """A chain's problems, remembered: of ten chains, a key changes one."""
    key = ("chain", index, chain.id, tuple(chain.whys), tuple(people))
    return _remembered(key, lambda: _new_chain_problems(chain, index, people))


def _new_chain_problems(chain: Any, index: int, people: list[str]) -> list[Problem]:
    chain_field = f"five_whys.chains.{_item_id(chain, index)}"
    answers = _answers(chain.whys)
    problems = _chain_length_problems(chain_field, index + 1, len(answers))
    root_errors: list[Problem] = []
    if answers:
        root_index, root = answers[-1]
        root_errors = root_cause_problems(root, f"{chain_field}.whys.{root_index}", people)
    problems += root_errors
    flagged = {problem.field for problem in root_errors}
    for why_index, why in answers:
        why_field = f"{chain_field}.whys.{why_index}"
        if why_field not in flagged:
            problems += blame_problems(why, why_field, people)
    return problems


def _chain_length_problems(chain_field: str, number: int, count: int) -> list[Problem]:
    if count < 3:
        message = f"Chain {number} has {count} answer{'s' if count != 1 else ''}; it needs at least 3."
        hint = "Ask why again about the last answer, until you reach a condition in the system or process."
        return [_error(chain_field, message, hint)]
    if count < 5:
        message = f"Chain {number} has {count} answers; 5 usually reach a deeper cause."
        hint = (
            "Ask why about the last answer once or twice more; "
            "stop when the answer is something you can change."
        )
        return [_advisory(chain_field, message, hint)]
    return []


# ---------------------------------------------------------------------------
# Went well, could improve
# ---------------------------------------------------------------------------


def _has_text(items: list) -> bool:
    return any(not _blank(item.text) for item in items)


def _check_went_well(review: Review) -> list[Problem]:
    problems = []
    if not _has_text(review.went_well):
        message = "Nothing is listed as having gone well."
        hint = (
            "Name at least one thing that helped: an alert that fired, a quick rollback, "
            "people who stepped in."
        )
        problems.append(_error("went_well", message, hint))
    people = people_named(review)
    return problems + _text_items_blame("went_well", review.went_well, people) + _text_items_blame(
        "lucky", review.lucky, people
    )


def _check_could_improve(review: Review) -> list[Problem]:
    problems = []
    if not _has_text(review.could_improve):
        message = "Nothing is listed that could have gone better."
        hint = "Name at least one thing that would have caught it sooner or made it smaller."
        problems.append(_error("could_improve", message, hint))
    people = people_named(review)
    return problems + _text_items_blame("could_improve", review.could_improve, people) + _text_items_blame(
        "surprises", review.surprises, people
    )


# ---------------------------------------------------------------------------
# Actions
# ---------------------------------------------------------------------------

# For each action field: what the message says when it is empty, and the hint.
_MISSING_ACTION_FIELD = {
    "what": (
        "has no description of what to do",
        "Say what will change, specifically: e.g. 'Alert when DB memory stays above 80% for 5 minutes'.",
    ),
    "due": ("has no due date", "Set a due date (an ISO date such as 2026-12-15)."),
    "done_when": (
        "does not say how we will know it is done",
        "Say what will be true when it is done: e.g. 'the alert fires in the staging drill'.",
    ),
    "type": ("has no type", "Choose one of " + ", ".join(ACTION_TYPES) + "."),
    "addresses": (
        "does not say what it addresses",
        "Name the root cause, factor or improvement it answers: e.g. 'root cause of chain 1' or 'factor 2'.",
    ),
}
_ROOT_CAUSE_WORDS = re.compile(r"\broot[\s-]*causes?\b|\bchains?\b|\b(?<!mitigating\s)(?:contributing\s+)?factors?\b|\btrigger\b", re.IGNORECASE)


def _check_actions(review: Review) -> list[Problem]:
    if not review.actions:
        hint = (
            "Add at least one specific action with one owner and a due date: "
            "what will change so this does not happen again?"
        )
        return [_error("actions", "There are no actions.", hint)]
    review_day = _date(review.review_date)
    people = people_named(review)
    problems = []
    for index, action in enumerate(review.actions):
        problems += _action_problems(action, index, review_day, people)
    return problems + _action_set_problems(review)


def _action_problems(action: Any, index: int, review_day: date | None, people) -> list[Problem]:
    key = ("action", index, tuple(vars(action).values()), review_day, tuple(people))
    return _remembered(key, lambda: _new_action_problems(action, index, review_day, people))


_REMEMBERED: dict[tuple, list[Problem]] = {}


def _remembered(key: tuple, check: Callable[[], list[Problem]]) -> list[Problem]:
    """An item's problems, remembered by everything they depend on (``key``).

    The TUI checks a step on every key press and on every change another
    participant saves; of a review's 300 events or 40 actions, one changed.
    """
    try:
        found = _REMEMBERED.get(key)
    except TypeError:  # a value that cannot be a key (a hand-edited file's list): checked afresh
        return check()
    if found is None:
        if len(_REMEMBERED) >= 20_000:
            _REMEMBERED.clear()
        found = _REMEMBERED[key] = check()
    return list(found)


def _new_action_problems(action: Any, index: int, review_day: date | None, people) -> list[Problem]:
    number = index + 1
    if action.status == "not_doing":
        return _not_doing_problems(action, index, people)
    problems = []
    for name in ("what", "owner", "due", "done_when", "type", "addresses"):
        if name == "due" and _done_at_review(action):
            problems += _done_on_problems(action, index, review_day)
            continue
        problems += _action_field_problems(action, index, name, review_day)
    what_field = _item_field("actions", action, index, "what")
    problems += vague_action_problems(action.what, what_field)
    problems += blame_problems(action.what, what_field, people)
    problems += blame_problems(action.done_when, _item_field("actions", action, index, "done_when"), people)
    return [_numbered(problem, number) for problem in problems]


def _not_doing_problems(action: Any, index: int, people) -> list[Problem]:
    """A decision not to act is kept with its reason; it needs no owner, date or type."""
    problems = []
    what_field, note_field = (_item_field("actions", action, index, name) for name in ("what", "note"))
    if _blank(action.what):
        message, hint = _MISSING_ACTION_FIELD["what"]
        problems.append(_error(what_field, f"Action {index + 1} {message}.", hint))
    if _blank(action.note):
        message = f"Action {index + 1} is not being done, but no reason is given."
        hint = "Say why the team decided not to do it (the cost, a better fix elsewhere), so the decision is kept."
        problems.append(_error(note_field, message, hint))
    return problems + blame_problems(action.what, what_field, people) + blame_problems(action.note, note_field, people)


def _done_at_review(action: Any) -> bool:
    """Done, and not by a follow-up decision: recorded as already done at the review."""
    return action.status == "done" and _blank(action.decided)


def _done_on_problems(action: Any, index: int, review_day: date | None) -> list[Problem]:
    """An action done at the review says when; its due date may be before the review, or missing."""
    field = _item_field("actions", action, index, "done_on")
    what = f"Action {index + 1}"
    hint = "Give the day it was done, as an ISO date such as 2026-11-20."
    if _blank(action.done_on):
        return [_advisory(field, f"{what} is done, but not when.", hint)]
    done = _date(action.done_on)
    if done is None:
        return [_error(field, f"{what} was done on {_quote(action.done_on)}, which is not a date.", hint)]
    if review_day is not None and done > review_day:
        message = f"{what} is recorded as done on {done.isoformat()}, after the review date {review_day.isoformat()}."
        return [_error(field, message, "An action done later is marked done at the follow-up; keep it open until then.")]
    due = _date(action.due)
    if not _blank(action.due) and due is None:
        return [_error(_item_field("actions", action, index, "due"), f"{what} has the due date {_quote(action.due)}, which is not a date.", "Use an ISO date such as 2026-12-15, or leave it empty.")]
    return []


def _numbered(problem: Problem, number: int) -> Problem:
    """Prefix an owner problem with its action, so `postmortem check` says which one."""
    if problem.field.endswith(".owner") and not problem.message.startswith("Action"):
        return Problem(problem.level, problem.field, f"Action {number}: {problem.message}", problem.hint)
    return problem


def _action_field_problems(action: Any, index: int, name: str, review_day: date | None) -> list[Problem]:
    field = _item_field("actions", action, index, name)
    value = getattr(action, name, "")
    if name == "owner":
        return owner_problems(value, field)
    if _blank(value):
        message, hint = _MISSING_ACTION_FIELD[name]
        return [_error(field, f"Action {index + 1} {message}.", hint)]
    if name == "type" and value not in ACTION_TYPES:
        hint = _MISSING_ACTION_FIELD["type"][1]
        return [_error(field, f"Action {index + 1} has an unknown type {_quote(value)}.", hint)]
    if name == "due":
        return _due_problems(value, field, f"Action {index + 1}", review_day)
    return []


def _due_problems(value: str, field: str, what: str, review_day: date | None) -> list[Problem]:
    due = _date(value)
    if due is None:
        hint = "Use an ISO date such as 2026-12-15."
        return [_error(field, f"{what} has the due date {_quote(value)}, which is not a date.", hint)]
    if review_day is not None and due < review_day:
        message = f"{what} is due {due.isoformat()}, before the review date {review_day.isoformat()}."
        return [_error(field, message, "Choose a due date after the review date.")]
    return []


def _action_set_problems(review: Review) -> list[Problem]:
    """Advisories about the actions as a whole: root causes, detection, process."""
    problems = []
    roots = _root_causes(review) + _factor_texts(review)
    acting = [action for action in review.actions if action.status != "not_doing"]
    if not any(_addresses_root_cause(action.addresses, roots) for action in acting):
        message = "No action addresses a root cause or a contributing factor."
        hint = (
            "Link at least one action to what let this happen: say 'root cause of chain 1' "
            "or 'factor 2' in what it addresses."
        )
        problems.append(_advisory("actions", message, hint))
    types = [action.type for action in acting]
    if "detect" not in types:
        message = "No action is about detection (monitoring or alerting)."
        hint = (
            "Add how you will notice sooner next time: an alert, a dashboard check "
            "or a review point (type: detect)."
        )
        problems.append(_advisory("actions", message, hint))
    if "process" not in types:
        message = "No action changes a process."
        hint = (
            "Add a change to how people work: a checklist step, a review gate "
            "or a runbook (type: process)."
        )
        problems.append(_advisory("actions", message, hint))
    return problems


def _root_causes(review: Review) -> list[str]:
    """Each chain's root cause, lower-cased, for matching what an action addresses."""
    answers = (_answers(chain.whys) for chain in review.five_whys.chains)
    return [found[-1][1].strip().lower() for found in answers if found]


def _factor_texts(review: Review) -> list[str]:
    """Each trigger's and contributing factor's text, lower-cased (a mitigating factor is nothing to fix)."""
    return [_text(f.text).strip().lower() for f in review.factors if f.kind != "mitigating" and not _blank(f.text)]


def _addresses_root_cause(addresses: Any, roots: list[str]) -> bool:
    """True when the text names a root cause or chain, or quotes (part of) a root cause."""
    text = _text(addresses)
    if _ROOT_CAUSE_WORDS.search(text):
        return True
    lowered = text.strip().lower()
    return bool(lowered) and any(root in lowered or lowered in root for root in roots)


# ---------------------------------------------------------------------------
# Summary
# ---------------------------------------------------------------------------


def _check_summary(review: Review) -> list[Problem]:
    problems = _follow_up_problems(review)
    if not any(not _blank(question.text) for question in review.questions):
        message = "No questions or concerns are recorded."
        hint = (
            "Ask the room (or the client) what questions or concerns they have, "
            "and record them, even if answered."
        )
        problems.append(_advisory("questions", message, hint))
    problems += _outage_problems(review)
    people = people_named(review)
    problems += blame_problems(review.summary, "summary", people)
    for index, question in enumerate(review.questions):
        for name in ("text", "answer"):
            field = _item_field("questions", question, index, name)
            problems += blame_problems(getattr(question, name), field, people)
    return problems


_OUTAGE = re.compile(r"\boutages?\b", re.IGNORECASE)


def _outage_problems(review: Review) -> list[Problem]:
    """Warn before the client summary calls something an outage that the record does not show."""
    texts = [review.title, review.summary, review.impact, review.five_whys.problem]
    texts += [event.text for event in review.timeline]
    if not any(_OUTAGE.search(_text(text)) for text in texts):
        return []
    missing = []
    if not any(event.marker for event in review.timeline):
        missing.append("the timeline has no markers")
    if _blank(review.impact):
        missing.append("no impact is recorded")
    if not missing:
        return []
    message = f'The word "outage" is used, but {" and ".join(missing)}.'
    hint = (
        "Clients read \"outage\" as a full loss of service: say what it was "
        "(\"slow checkout\", \"delayed reports\"), or record the impact and the started/resolved markers."
    )
    return [_advisory("summary", message, hint)]


def _follow_up_problems(review: Review) -> list[Problem]:
    review_day = _date(review.review_date)
    text = review.follow_up.due
    due = _date(text)
    if _blank(text):
        suggested = f" ({(review_day + timedelta(days=30)).isoformat()})" if review_day else ""
        hint = f"Set a date to check on the actions, usually 30 days after the review{suggested}."
        return [_error("follow_up.due", "There is no follow-up date.", hint)]
    if due is None:
        hint = "Use an ISO date such as 2026-12-21."
        return [_error("follow_up.due", f"The follow-up date {_quote(text)} is not a date.", hint)]
    if review_day is not None and due < review_day:
        message = f"The follow-up date {due.isoformat()} is before the review date {review_day.isoformat()}."
        hint = "Choose a follow-up date after the review, usually 30 days later."
        return [_error("follow_up.due", message, hint)]
    return []


# ---------------------------------------------------------------------------
# Public entry points
# ---------------------------------------------------------------------------

_STEP_CHECKS = {
    "setup": _check_setup,
    "timeline": _check_timeline,
    "impact": _check_impact,
    "five_whys": _check_five_whys,
    "went_well": _check_went_well,
    "could_improve": _check_could_improve,
    "actions": _check_actions,
    "summary": _check_summary,
}
assert tuple(_STEP_CHECKS) == STEPS


def check_step(review: Review, step: str) -> list[Problem]:
    """Every problem of one step, errors first, then advisories.

    The TUI shows this under the step and lets the user move on only when it
    has no errors.  ``step`` must be one of ``model.STEPS`` (ValueError if not:
    that is a programming error, not bad input).
    """
    if step not in _STEP_CHECKS:
        raise ValueError(f"unknown step {quote(step)} (expected one of {', '.join(STEPS)})")
    return _ordered(_STEP_CHECKS[step](review))


def check_step_seen_by(review: Review, step: str, name: str | None) -> list[Problem]:
    """``check_step`` of the review as ``name`` sees it while cards wait for the reveal (store.silent).

    The cards ``name`` cannot see are not checked, so their words are never
    judged on another's screen; but a list is not empty for them: a problem
    of a whole list that only their hiding makes says that they wait for the
    reveal instead (the facilitator was told "Nothing is listed" while five
    cards were written).
    """
    seen = visible_to(review, name)
    found = check_step(seen, step)
    if seen is review:
        return found
    everyone = {(problem.field, problem.message) for problem in check_step(review, step)}
    waiting = {list_name: len(getattr(review, list_name)) - len(getattr(seen, list_name))
               for list_name in SILENT_LIST_NAMES}
    kept = []
    for problem in found:
        if waiting.get(problem.field) and (problem.field, problem.message) not in everyone:
            count = waiting[problem.field]
            problem = _error(problem.field, f"{count} card{'s' if count != 1 else ''} written silently "
                             f"{'wait' if count != 1 else 'waits'} for the reveal.",
                             "The facilitator reads and reveals them with F3.")
        kept.append(problem)
    return kept


def field_errors(review: Review, step: str, field: str) -> list[Problem]:
    """The errors of one step found at ``field`` or inside it (``actions.i4`` covers its ``.due``).

    The solo interview refuses an answer with these, so it checks exactly
    what the form checks.
    """
    return [p for p in check_step(review, step)
            if p.level == ERROR and (p.field == field or p.field.startswith(field + "."))]


def check_review(review: Review) -> dict[str, list[Problem]]:
    """Every step's problems, in the order of the guided flow."""
    return {step: check_step(review, step) for step in STEPS}


def check_report(review: Review) -> dict[str, list[Problem]]:
    """Every step's problems and the follow-up's (for `postmortem check` and exports).

    Items not revealed yet (silent writing) are not checked here: a problem can quote their text.
    """
    review = visible_to(review, None)
    return check_review(review) | {"follow_up": check_follow_up(review)}


def check_follow_up(review: Review) -> list[Problem]:
    """The follow-up's decisions: each slipped or dropped action says why; none is left undecided once held."""
    problems = []
    people = people_named(review)
    for index, action in enumerate(review.actions):
        problems += _decision_problems(review, action, index)
        problems += blame_problems(action.note, _item_field("actions", action, index, "note"), people)
    problems += blame_problems(review.follow_up.notes, "follow_up.notes", people)
    return _ordered(problems)


def _decision_problems(review: Review, action: Any, index: int) -> list[Problem]:
    name = _quote(_text(action.what).strip() or f"action {index + 1}")
    held = _text(review.follow_up.held)
    if action.status == "open" and held:
        message = f"The follow-up was held on {held}, but the action {name} has no decision."
        hint = f"Mark it done, slipped or dropped: postmortem follow-up {review.id}."
        return [_error(_item_field("actions", action, index, "status"), message, hint)]
    problems = []
    if action.status in ("slipped", "dropped") and _blank(action.note):
        message = f"The action {name} is {action.status} without a reason."
        hint = f"Say why it {action.status}, so the next review can learn from it."
        problems.append(_error(_item_field("actions", action, index, "note"), message, hint))
    if action.status == "slipped" and _date(action.due) is None:
        message = f"The action {name} slipped but has no new due date."
        hint = "Give the date it will now be done by (YYYY-MM-DD)."
        problems.append(_error(_item_field("actions", action, index, "due"), message, hint))
    if action.status == "done" and _text(action.decided) and _blank(action.note):
        message = f"The action {name} is done, but nothing says whether it worked."
        hint = "Add a note on how it is working: the client summary reports it."
        problems.append(_advisory(_item_field("actions", action, index, "note"), message, hint))
    return problems


def has_errors(problems: list[Problem]) -> bool:
    """True when any problem blocks moving on (or exporting)."""
    return any(problem.level == ERROR for problem in problems)
