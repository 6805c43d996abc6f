"""The text rules of a blameless review: blame language, vague actions, root causes, owners.

These run on every free text as it is typed (the TUI shows them against the
text) and inside the step checks of :mod:`store.checks`.  They are pure, fast
(regexes compiled once, participant patterns cached) and never raise on any
text.  Messages are plain text, never markup, and each hint moves the sentence
from who to what and how.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Iterable, Iterator

from store.model import Review

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


def name_variants(participant: str) -> set[str]:
    """Every way a participant may be named in text: full name and each name part."""
    return _name_variants(participant)


def names_pattern(names: Iterable[str]) -> re.Pattern | None:
    """One pattern for all ``names`` as whole words (everyday-word names only when capitalised)."""
    names = [name for name in names if name.strip()]
    return re.compile(_name_alternation(names)) if names else None


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


def people_named(review: Review) -> list[str]:
    """Everyone named in the review: participants, owner of the write-up, facilitator, and whoever joined
    its live session (a room rarely types the participants in before it writes "Lee forgot ...")."""
    return [*review.participants, review.owner, review.facilitator, *review.session.participants]


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


def root_cause_problems(text: str, field: str, participants: list[str], subject: str = "The root cause") -> list[Problem]:
    """Errors for a root cause (or a contributing factor: ``subject``) that stops at a person.

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
        message = f"{subject} names a person ({_quote(named.group(0))})."
        problems.append(_error(field, message, _ROOT_CAUSE_HINT))
    human = _HUMAN_ERROR.search(text)
    if human:
        message = f"{subject} stops at human error ({_quote(human.group(0))})."
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
