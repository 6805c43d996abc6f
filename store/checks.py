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
Messages are plain text, never markup.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from typing import Any, Iterable, Iterator

from store.model import ACTION_TYPES, KINDS, MARKERS, SEVERITIES, STEPS, Review
from store.timeline import event_time, is_timezone, parse_date, show_time

ERROR = "error"
ADVISORY = "advisory"

# At most this many blame or vague-wording advisories per field: a pasted
# essay must not bury the rest of the check.
_MAX_PER_FIELD = 5
_QUOTE_LIMIT = 48


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a review, at one field, with how to fix it."""

    level: str
    field: str
    message: str
    hint: str

    def to_dict(self) -> dict:
        """The JSON form used by ``postmortem check --json``."""
        return {"level": self.level, "field": self.field, "message": self.message, "hint": self.hint}


def _error(field: str, message: str, hint: str) -> Problem:
    return Problem(ERROR, field, message, hint)


def _advisory(field: str, message: str, hint: str) -> Problem:
    return Problem(ADVISORY, field, message, hint)


def _text(value: Any) -> str:
    """Any value as text to check; never raises."""
    return value if isinstance(value, str) else ""


def _quote(text: str) -> str:
    """User text quoted for a message: one line, shortened."""
    line = " ".join(_text(text).split())
    if len(line) > _QUOTE_LIMIT:
        line = line[: _QUOTE_LIMIT - 3].rstrip() + "..."
    return f'"{line}"'


def _blank(value: Any) -> bool:
    return not _text(value).strip()


# ---------------------------------------------------------------------------
# Participant names
# ---------------------------------------------------------------------------

# Names that are also everyday words: matched only when capitalised, so a
# participant called May does not turn "the job may fail" into blame.
_WORD_NAMES = frozenset(
    """
    may will bill mark pat sue rob jack grant art june april august rose dawn
    faith hope joy grace frank ray chase drew gene guy max miles nick penny sky
    summer amber ruby ivy lily holly page rich sandy rusty carol don dean win
    wade cliff dale glen lane brook hunter young long white black brown green
    gray grey hall hill king wood stone bell cook baker hunt fox price best
    little small strong sharp swift post shell early
    """.split()
)
# Words in a participant entry that are not names ("Dana (SRE)", "Anne van Dijk").
_NOT_NAMES = frozenset("the and of van von der den de da di du la le del dos das".split())
# A participant entry longer than this is not a name; only its start is read.
_NAME_LIMIT = 80
_NAME_PARTS = 4
_NAME_TOKEN = re.compile(r"[^\W\d_]+(?:['\u2019-][^\W\d_]+)*")
_EMAIL_DOMAIN = re.compile(r"@\S*")
_PARENTHESES = re.compile(r"\([^)]*\)")


def _name_variants(participant: str) -> set[str]:
    """The full name and each name part of at least 2 letters ("Sam Lee", "Sam", "Lee")."""
    plain = _PARENTHESES.sub(" ", _EMAIL_DOMAIN.sub(" ", _text(participant)[:_NAME_LIMIT]))
    parts = [part for part in _NAME_TOKEN.findall(plain) if len(part) >= 2][:_NAME_PARTS]
    parts = [part for part in parts if part.lower() not in _NOT_NAMES] or parts[:1]
    parts = [part for part in parts if not _is_group_word(part)]
    variants = set(parts)
    if len(parts) > 1:
        variants.add(" ".join(parts))
    return variants


def _name_alternation(names: Iterable[str]) -> str:
    """One regex alternative per name, longest first; everyday-word names must be capitalised."""
    pieces = []
    for name in sorted(set(names), key=len, reverse=True):
        body = r"\s+".join(re.escape(part) for part in name.split())
        if name.lower() in _WORD_NAMES:
            pieces.append(f"(?-i:{body[0].upper()}{body[1:]})")
        else:
            pieces.append(f"(?i:{body})")
    return r"(?<!\w)(?:" + "|".join(pieces) + r")(?!\w)"


_ADVERB = r"(?:also|just|again|then|simply|clearly|obviously|apparently|accidentally|completely|totally)"
_FAILURE_VERB = (
    r"(?P<verb>forgot(?:\s+to)?|forgets(?:\s+to)?|failed\s+to|fails\s+to|missed|misses"
    r"|broke|breaks|didn['\u2019]?t|did\s+not|shouldn['\u2019]?t(?:\s+have)?|should(?:\s+have)?"
    r"|caused|causes|ignored|ignores|neglected(?:\s+to)?|messed\s+up|screwed\s+up"
    r"|overlooked|dropped\s+the\s+ball|made\s+a\s+mistake)(?!\w)"
)


@dataclass(frozen=True)
class _NamePatterns:
    """Compiled patterns for one list of participants."""

    mention: re.Pattern | None
    subject: re.Pattern | None


@lru_cache(maxsize=128)
def _name_patterns(participants: tuple[str, ...]) -> _NamePatterns:
    names = set().union(*(_name_variants(p) for p in participants)) if participants else set()
    if not names:
        return _NamePatterns(None, None)
    mention = _name_alternation(names)
    subject = rf"(?P<who>{mention})\s+(?i:(?:{_ADVERB}\s+)?{_FAILURE_VERB})"
    return _NamePatterns(re.compile(mention), re.compile(subject))


def _patterns_for(participants: Iterable[str] | None) -> _NamePatterns:
    try:
        key = tuple(sorted({p for p in participants or () if isinstance(p, str) and p.strip()}))
    except TypeError:
        key = ()
    return _name_patterns(key)


def _people(review: Review) -> list[str]:
    """Everyone named in the review: participants, owner of the write-up, facilitator."""
    return [*review.participants, review.owner, review.facilitator]


# ---------------------------------------------------------------------------
# Blame language
# ---------------------------------------------------------------------------

# "page fault", "hardware fault": a fault of a thing, not of a person.
_TECHNICAL_BEFORE_FAULT = re.compile(
    r"(?:page|seg|segmentation|bus|hardware|disk|power|network|protection|memory|ground"
    r"|transient|intermittent|hard|soft|double|triple|general|link|node|device|cable|circuit)\s+$",
    re.IGNORECASE,
)
# Cheap substring tests run before the regexes: most texts contain none of these.
# ("error" alone is too common in incident text; the words before it are not.)
_BLAME_TRIGGERS = (
    "should", "careless", "sloppy", "negligen", "incompeten", "reckless", "fault", "blam", "human",
    "operator", "user", "pilot", "personnel", "someone", "somebody",
)
_FAILURE_TRIGGERS = (
    "forg", "fail", "miss", "brok", "break", "didn", "did", "should", "caus", "ignor", "neglect",
    "messed", "screwed", "overlook", "dropped", "mistake",
)
_SOMEONE_VERB = _FAILURE_VERB.replace("?P<verb>", "?P<someone_verb>")
_BLAME = re.compile(
    # Every phrase starts a word with one of these letters; saying so up front
    # lets the regex engine skip most positions (4x faster on typical text).
    r"\b(?=[scnirfbhoup])(?:"
    r"(?P<should>\bshould(?:\s+not|n['\u2019]?t)?\s+have\b|\bshould['\u2019]ve\b)"
    r"|(?P<trait>\b(?:careless(?:ly|ness)?|sloppy|sloppiness|negligen(?:t|tly|ce)"
    r"|incompeten(?:t|ce)|reckless(?:ly|ness)?)\b)"
    r"|(?P<fault>\bfault(?:ed)?\b"
    r"(?![\s-]*(?:toleran|inject|domain|isolat|detect|handl|code|line|condition|tree|zone|model|free|in\b)))"
    r"|(?P<blame>(?<!no )(?<!without )\bblam(?:e|ed|es|ing)\b(?!-free))"
    r"|(?P<human_error>\b(?:human|operator|user|pilot|personnel)[\s-]+error\b"
    r"(?!\s+(?:rate|count|message|page|code|budget|log|response|status)))"
    rf"|(?P<someone>\b(?:someone|somebody)\s+(?:{_ADVERB}\s+)?{_SOMEONE_VERB}))",
    re.IGNORECASE,
)

_BLAME_MESSAGES = {
    "should": "judges a past choice with hindsight",
    "trait": "describes a person, not what happened",
    "fault": "looks for who is at fault",
    "blame": "points at a person",
    "human_error": "stops at a person instead of the condition",
    "someone": "makes a person the subject of the failure",
    "name": "makes a person the subject of the failure",
}

_BLAME_HINTS = {
    "should": "Say what the system or process lacked, not what someone should have done: "
    "e.g. 'The runbook did not say to drain the node first', "
    "and ask what made the choice look right at the time.",
    "trait": "Describe the condition, not a trait of a person: what made the step easy to get wrong "
    "(no check, no review, an unclear screen)?",
    "fault": "Describe what failed and how, not whose fault it was: "
    "e.g. 'The change reached production without a review step'.",
    "blame": "Leave out who is to blame: describe what happened, in what order, and what allowed it.",
    "human_error": "Treat 'human error' as where the analysis starts: describe what in the system "
    "or process let the error happen and go unnoticed.",
}

_VERB_HINTS = {
    "forgot": "Describe the gap, not the person: e.g. 'The checklist had no step to {rest}', "
    "and ask what made the step easy to miss.",
    "forgot_thing": "Describe the gap, not the person: e.g. 'The checklist had no step for {rest}', "
    "and ask what made it easy to miss.",
    "failed": "Describe what made it hard, not who did not do it: e.g. 'Nothing prompted anyone to {rest}', "
    "and ask what was in the way at the time.",
    "missed": "Describe why the signal was easy to miss: "
    "e.g. 'The alert went to a channel nobody watches at night', "
    "not who missed it.",
    "broke": "Describe the change and what let it through, not who made it: "
    "e.g. 'A config change went out without a canary stage'.",
    "should": "Say what the system or process lacked, not what a person should have done: "
    "e.g. 'No alert fired when the queue backed up'.",
    "ignored": "Describe why the signal was easy to dismiss: "
    "e.g. 'The alert fires daily and is usually noise', "
    "not who ignored it.",
}
_VERB_GROUPS = (
    ("forgot", ("forgot", "forgets", "neglected", "overlooked", "dropped")),
    ("failed", ("failed", "fails", "didn", "did")),
    ("missed", ("missed", "misses")),
    ("broke", ("broke", "breaks", "caused", "causes", "messed", "screwed", "made")),
    ("should", ("should", "shouldn")),
    ("ignored", ("ignored", "ignores")),
)
_GENERIC_REST = {"forgot": "do it", "failed": "do it"}
_WORDS = re.compile(r"[\w'\u2019-]+")
# Where the clause after a failure verb ends: punctuation or a joining word.
_CLAUSE_END = re.compile(
    r"[.,;:!?()\[\]\n]|\b(?:and|but|so|because|while|when|which|then|after|before|until|since|or)\b",
    re.IGNORECASE,
)


def _verb_group(verb: str) -> str:
    first = _WORDS.findall(verb.lower())[0] if _WORDS.search(verb) else ""
    for group, starts in _VERB_GROUPS:
        if any(first.startswith(start) for start in starts):
            return group
    return "broke"


def _rest_of_sentence(text: str, start: int) -> list[str]:
    """Up to 8 words after a failure verb ("run the migration"), for a concrete hint."""
    tail = _CLAUSE_END.split(text[start : start + 120], maxsplit=1)[0]
    return _WORDS.findall(tail)[:8]


def _person_hint(verb: str, text: str, end: int) -> str:
    """The hint for "<person> <verb> <rest>", reusing the rest of the sentence where it reads well."""
    group = _verb_group(verb)
    words = _rest_of_sentence(text, end)
    infinitive = verb.lower().endswith(" to") or group == "failed"
    if words and words[0].lower() == "to":
        words, infinitive = words[1:], True
    if group == "forgot" and words and not infinitive:
        group = "forgot_thing"
    return _VERB_HINTS[group].format(rest=" ".join(words) or _GENERIC_REST.get(group, ""))


def _person_problem(field: str, words: str, verb: str, text: str, end: int) -> Problem:
    message = f"Blame language: {_quote(words)} {_BLAME_MESSAGES['name']}."
    return _advisory(field, message, _person_hint(verb, text, end))


def _name_subject_matches(text: str, lowered: str, participants) -> list[re.Match]:
    """Every "<participant> <failure verb>" in the text, in order, never overlapping."""
    if not any(trigger in lowered for trigger in _FAILURE_TRIGGERS):
        return []
    pattern = _patterns_for(participants).subject
    return list(pattern.finditer(text)) if pattern is not None else []


def _inside(match: re.Match, names: list[re.Match], starts: list[int]) -> bool:
    """True when ``match`` overlaps one of the (sorted, disjoint) name matches."""
    index = bisect_left(starts, match.end()) - 1
    return index >= 0 and names[index].end() > match.start()


def _technical_fault(match: re.Match, text: str) -> bool:
    if match.lastgroup != "fault":
        return False
    return _TECHNICAL_BEFORE_FAULT.search(text, max(0, match.start() - 20), match.start()) is not None


def _phrase_matches(text: str, names: list[re.Match]) -> Iterator[tuple[re.Match, str]]:
    """The fixed blame phrases, skipping those inside a name match and technical faults."""
    starts = [name.start() for name in names]
    for match in _BLAME.finditer(text):
        if not _inside(match, names, starts) and not _technical_fault(match, text):
            yield match, match.lastgroup or "blame"


def _first_unique(matches: Iterable[tuple[re.Match, str]]) -> list[tuple[re.Match, str]]:
    """The first few matches with different words; stops early on a pasted essay."""
    seen: set[str] = set()
    chosen = []
    for match, kind in matches:
        key = " ".join(match.group(0).lower().split())
        if key not in seen:
            seen.add(key)
            chosen.append((match, kind))
            if len(chosen) == _MAX_PER_FIELD:
                break
    return chosen


def _blame_problem(match: re.Match, kind: str, field: str, text: str) -> Problem:
    if kind == "name":
        return _person_problem(field, match.group(0), match.group("verb"), text, match.end())
    if kind == "someone":
        return _person_problem(field, match.group(0), match.group("someone_verb"), text, match.end())
    message = f"Blame language: {_quote(match.group(0))} {_BLAME_MESSAGES[kind]}."
    return _advisory(field, message, _BLAME_HINTS[kind])


def blame_problems(text: str, field: str, participants: list[str]) -> list[Problem]:
    """Advisories for blame language in one free-text field.

    A blameless review asks what and how, not who: each phrase that judges or
    names a person as the cause gets a hint that rephrases it toward the
    system or process.  Quotes the matched words; at most a few per field.
    """
    text = _text(text)
    lowered = text.lower()
    names = _name_subject_matches(text, lowered, participants)
    chosen = _first_unique((match, "name") for match in names)
    if any(trigger in lowered for trigger in _BLAME_TRIGGERS):
        chosen += _first_unique(_phrase_matches(text, names))
    chosen.sort(key=lambda entry: entry[0].start())
    return [_blame_problem(match, kind, field, text) for match, kind in chosen[:_MAX_PER_FIELD]]


# ---------------------------------------------------------------------------
# Vague actions
# ---------------------------------------------------------------------------

_VAGUE = re.compile(
    r"(?P<explore>\b(?:look(?:ing)?\s+into|investigat(?:e|ing|ion)|explor(?:e|ing)|think\s+about"
    r"|consider(?:ing)?|revisit(?:ing)?)\b)"
    r"|(?P<effort>\b(?:be\s+(?:more\s+)?careful|more\s+careful|pay\s+(?:more\s+)?attention|try\s+to"
    r"|do\s+better|be\s+(?:more\s+)?aware)\b)"
    r"|(?P<communicate>\b(?:communicat(?:e|ion)\s+(?:better|more)|better\s+communication)\b)"
    r"|(?P<watch>\b(?:keep\s+(?:an\s+)?eyes?\s+on|monitor\s+closely)\b)"
    r"|(?P<improve>\bimprov(?:e|es|ed|ing|ement|ements)\b)",
    re.IGNORECASE,
)
_DIGIT = re.compile(r"\d")

_VAGUE_HINTS = {
    "explore": "Name the outcome, not the activity: what will exist when it is done? "
    "e.g. 'Add a load test with production-sized data to the release checklist'.",
    "effort": "An action changes the system, not people's effort: name the check, alert or step "
    "that makes the careful thing automatic.",
    "communicate": "Name the channel, the trigger and who: e.g. 'Post status in #incidents every "
    "30 minutes during a SEV1 or SEV2'.",
    "watch": "Replace watching with an alert: what threshold, for how long, and who gets paged?",
    "improve": "Say by how much and how it will be measured: e.g. 'Alert when DB memory stays above "
    "80% for 5 minutes' instead of 'improve monitoring'.",
}


def vague_action_problems(text: str, field: str) -> list[Problem]:
    """Advisories for wording that makes an action impossible to finish or check.

    "Look into", "be more careful", "improve X" (with no number) and the like
    are the classic unactionable items; each gets a hint toward a specific,
    measurable action.
    """
    text = _text(text)
    if not text:
        return []
    has_number = _DIGIT.search(text) is not None
    matches = (
        (match, match.lastgroup or "explore")
        for match in _VAGUE.finditer(text)
        if not (match.lastgroup == "improve" and has_number)
    )
    return [
        _advisory(
            field,
            f"Vague action: {_quote(match.group(0))} does not say what will be done or when it is done.",
            _VAGUE_HINTS[kind],
        )
        for match, kind in _first_unique(matches)
    ]


# ---------------------------------------------------------------------------
# Root causes
# ---------------------------------------------------------------------------

_HUMAN_ERROR = re.compile(
    r"\b(?:(?:human|operator|user|pilot|personnel)[\s-]+error|mistakes?|mistaken(?:ly)?"
    r"|careless(?:ly|ness)?|(?:some|no)(?:one|body)\s+forgot|forgot(?:\s+to)?|forgetting"
    r"|oversight|negligen(?:t|ce)|not\s+paying\s+attention|inattention|lack\s+of\s+(?:attention|care)"
    r"|fat[\s-]finger(?:ed|s)?|sloppy|sloppiness)\b",
    re.IGNORECASE,
)
_ROOT_CAUSE_HINT = (
    "Describe the condition that let it happen: what in the system or process allowed it "
    "(a missing check, an unclear runbook, an alert that did not fire)? Ask why once more."
)


def root_cause_problems(text: str, field: str, participants: list[str]) -> list[Problem]:
    """Errors for a root cause that stops at a person.

    A root cause that names someone, or stops at "human error", explains
    nothing that can be changed; the analysis has to continue to the condition
    in the system or process that let it happen.
    """
    text = _text(text)
    if not text.strip():
        return []
    problems = []
    mention = _patterns_for(participants).mention
    named = mention.search(text) if mention is not None else None
    if named:
        message = f"The root cause names a person ({_quote(named.group(0))})."
        problems.append(_error(field, message, _ROOT_CAUSE_HINT))
    human = _HUMAN_ERROR.search(text)
    if human:
        message = f"The root cause stops at human error ({_quote(human.group(0))})."
        problems.append(_error(field, message, _ROOT_CAUSE_HINT))
    return problems


# ---------------------------------------------------------------------------
# Owners
# ---------------------------------------------------------------------------

_SEVERAL = re.compile(r"\s(?:and|or|with)\s|[&,/+;]|\bplus\b", re.IGNORECASE)
_PLACEHOLDERS = frozenset(
    "tbd tba tbc n/a na ? ?? - -- none nobody noone unknown unassigned someone somebody anyone "
    "anybody whoever later".split()
)
_GROUP_WORDS = frozenset(
    """
    team teams squad group groups department dept everyone everybody all we us our they them
    ops operations engineering engineers eng sre sres devops dev devs developers qa support infra
    infrastructure platform security management leadership managers on-call oncall rotation
    staff crew committee board folks people
    """.split()
)
_OWNER_HINT_ONE = "Name one person who will see it through; others can help, but one name goes here."


def owner_problems(owner: str, field: str) -> list[Problem]:
    """Errors for an owner that is not exactly one person.

    When several people or a team own something, no one does: an empty owner,
    a placeholder ("TBD"), several names ("Sam and Lee") or a group ("the
    team", "SRE") is an error.
    """
    owner = " ".join(_text(owner).split())
    if not owner:
        return [_error(field, "There is no owner.", _OWNER_HINT_ONE)]
    if owner.lower() in _PLACEHOLDERS:
        hint = "Name one person now; an owner left for later is often never decided."
        return [_error(field, f"The owner {_quote(owner)} is not a person yet.", hint)]
    plain = _PARENTHESES.sub(" ", owner).strip() or owner  # "Dana (SRE, on call)" is one person
    if _SEVERAL.search(plain):
        return [_error(field, f"The owner {_quote(owner)} names more than one person.", _OWNER_HINT_ONE)]
    if _is_group(plain):
        hint = "Name one person from that group who will own it; when everyone owns it, no one does."
        return [_error(field, f"The owner {_quote(owner)} is a group, not one person.", hint)]
    return []


def _is_group(owner: str) -> bool:
    return any(_is_group_word(word) for word in re.findall(r"[\w-]+", owner))


def _is_group_word(word: str) -> bool:
    word = word.lower()
    return word in _GROUP_WORDS or word in _PLACEHOLDERS or word.endswith("team")


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
    problems += blame_problems(review.title, "title", _people(review))
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
    return problems + blame_problems(event.text, text_field, _people(review))


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
    return problems + blame_problems(review.impact, "impact", _people(review))


# ---------------------------------------------------------------------------
# Five Whys
# ---------------------------------------------------------------------------


def _answers(whys: Any) -> list[tuple[int, str]]:
    """The non-empty answers of a chain with their index in ``whys``."""
    return [(index, why) for index, why in enumerate(whys or []) if isinstance(why, str) and why.strip()]


def _check_five_whys(review: Review) -> list[Problem]:
    whys = review.five_whys
    people = _people(review)
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
    return problems


def _chain_problems(chain: Any, index: int, people: list[str]) -> list[Problem]:
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
    people = _people(review)
    return problems + _text_items_blame("went_well", review.went_well, people) + _text_items_blame(
        "lucky", review.lucky, people
    )


def _check_could_improve(review: Review) -> list[Problem]:
    problems = []
    if not _has_text(review.could_improve):
        message = "Nothing is listed that could have gone better."
        hint = "Name at least one thing that would have caught it sooner or made it smaller."
        problems.append(_error("could_improve", message, hint))
    people = _people(review)
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
        "Name the root cause or improvement it answers: e.g. 'root cause of chain 1'.",
    ),
}
_ROOT_CAUSE_WORDS = re.compile(r"\broot[\s-]*causes?\b|\bchains?\b", re.IGNORECASE)


def _check_actions(review: Review) -> list[Problem]:
    if not review.actions:
        hint = (
            "Add at least one specific action with one owner and a due date: "
            "what will change so this does not happen again?"
        )
        return [_error("actions", "There are no actions.", hint)]
    review_day = _date(review.review_date)
    people = _people(review)
    problems = []
    for index, action in enumerate(review.actions):
        problems += _action_problems(action, index, review_day, people)
    return problems + _action_set_problems(review)


def _action_problems(action: Any, index: int, review_day: date | None, people) -> list[Problem]:
    number = index + 1
    problems = []
    for name in ("what", "owner", "due", "done_when", "type", "addresses"):
        problems += _action_field_problems(action, index, name, review_day)
    what_field = _item_field("actions", action, index, "what")
    problems += vague_action_problems(action.what, what_field)
    problems += blame_problems(action.what, what_field, people)
    problems += blame_problems(action.done_when, _item_field("actions", action, index, "done_when"), people)
    return [_numbered(problem, number) for problem in problems]


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
    roots = _root_causes(review)
    if not any(_addresses_root_cause(action.addresses, roots) for action in review.actions):
        message = "No action addresses a root cause."
        hint = "Link at least one action to a root cause: say 'root cause of chain 1' in what it addresses."
        problems.append(_advisory("actions", message, hint))
    types = [action.type for action in review.actions]
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
    people = _people(review)
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
        raise ValueError(f"unknown step {step!r} (expected one of {', '.join(STEPS)})")
    return _ordered(_STEP_CHECKS[step](review))


def check_review(review: Review) -> dict[str, list[Problem]]:
    """Every step's problems, in the order of the guided flow (for `postmortem check` and exports)."""
    return {step: check_step(review, step) for step in STEPS}


def has_errors(problems: list[Problem]) -> bool:
    """True when any problem blocks moving on (or exporting)."""
    return any(problem.level == ERROR for problem in problems)
