"""Reading pasted chat logs, log files and written lists into timeline events.

During a review someone pastes the incident channel, a log excerpt or the
notes they kept; this turns each line that starts with a time into an event,
proposes the obvious markers, and lists every line it could not read, so the
screen and the command can show the whole result before anything is added.

Pure functions, no Textual; nothing here raises on any input, because the
preview is recomputed on every key press while text is being pasted.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta, timezone, tzinfo

from store.model import MARKERS
from store.sanitize import clean_line
from store.timeline import is_timezone, parse_date, zone

# The data --------------------------------------------------------------------


@dataclass(frozen=True)
class PastedEvent:
    """One event read from a line: ``at`` is ISO 8601 with offset; ``line`` counts from 1."""

    at: str
    text: str
    marker: str | None
    line: int

    def as_item(self) -> dict:
        """The item to add to the review's timeline."""
        return {"at": self.at, "text": self.text, "marker": self.marker}


@dataclass(frozen=True)
class UnreadLine:
    """A non-blank line with no time the reader could use (shown, never added)."""

    line: int
    text: str


@dataclass(frozen=True)
class PastePreview:
    """Everything a paste would add, and every line it would leave out."""

    events: tuple[PastedEvent, ...] = ()
    unread: tuple[UnreadLine, ...] = ()
    # What the reader took from lines it did not turn into events ("line 1: date 2019-07-02").
    notes: tuple[str, ...] = ()

    def items(self) -> list[dict]:
        """The events as timeline items, in the order they were pasted."""
        return [event.as_item() for event in self.events]


# Recognising times and dates -------------------------------------------------------

_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?"
_WEEKDAY = r"(?:(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?,?\s+)?"

# Abbreviations people paste; ambiguous ones (IST, CST in China ...) read as listed here.
NAMED_ZONES = {
    "Z": 0, "UTC": 0, "GMT": 0, "WET": 0,
    "BST": 60, "CET": 60, "WEST": 60, "CEST": 120, "EET": 120, "EEST": 180,
    "EST": -300, "EDT": -240, "CST": -360, "CDT": -300, "MST": -420, "MDT": -360,
    "PST": -480, "PDT": -420, "AKST": -540, "AKDT": -480, "HST": -600,
    "JST": 540, "KST": 540, "AEST": 600, "AEDT": 660, "NZST": 720, "NZDT": 780,
}

# "2:51 PM PT": the US regions, whose offset depends on the date (summer time).
REGION_ZONES = {"PT": "America/Los_Angeles", "MT": "America/Denver", "CT": "America/Chicago", "ET": "America/New_York"}

_DATE_PART = rf"""
    (?:{_WEEKDAY}
      (?:
        (?P<iso_y>\d{{4}})[-/](?P<iso_m>\d{{1,2}})[-/](?P<iso_d>\d{{1,2}})
      | (?P<ym_y>\d{{4}})\s+(?P<ym_mon>{_MONTH})\s+(?P<ym_d>\d{{1,2}})
      | (?P<us_m>\d{{1,2}})/(?P<us_d>\d{{1,2}})/(?P<us_y>\d{{4}})
      | (?P<md_mon>{_MONTH})\s+(?P<md_d>\d{{1,2}})(?:st|nd|rd|th)?(?:,?\s+(?P<md_y>\d{{4}}))?
      | (?P<dm_d>\d{{1,2}})(?:st|nd|rd|th)?\s+(?P<dm_mon>{_MONTH}),?(?:\s+(?P<dm_y>\d{{4}}))?
      )
    )
"""

_CLOCK_PART = r"""
    (?P<clock>
      (?P<hour>\d{1,2}):(?P<minute>\d{2})(?::(?P<second>\d{2})(?:[.,]\d{1,9})?)?
      (?:\s?(?P<ampm>[ap])\.?m\.?(?![a-z]))?
    )
"""

# A zone right after the time: Z or an offset (no space needed), or, after a
# space, "UTC", "UTC+2", "+02:00" or a named zone from the table.
_ZONE_PART = r"""
    (?:
      (?P<z>Z(?![A-Za-z]))
    | (?P<tight_offset>[+-]\d{2}:?\d{2})(?!\d)
    | \s?(?P<utc_offset>(?:UTC|GMT)[+-]\d{1,2}(?::?\d{2})?)(?![\w:])
    | \s(?P<spaced_offset>[+-]\d{2}:?\d{2})(?!\d)
    | \s?\(?(?P<named>[A-Z]{1,4})\)?(?!\w)
    )?
"""

_STAMP = re.compile(
    rf"""^(?:{_DATE_PART}(?:T|,?\s+(?:at\s+)?|\s*))?{_CLOCK_PART}{_ZONE_PART}""",
    re.IGNORECASE | re.VERBOSE,
)
_DATE_LINE = re.compile(rf"^{_DATE_PART}$", re.IGNORECASE | re.VERBOSE)
_DATE_IN_TEXT = re.compile(rf"(?<![\w/-]){_DATE_PART}(?![\w/-])", re.IGNORECASE | re.VERBOSE)
# "(all times UTC)", "All times are in PDT", "times in UTC", "Times are Pacific (PST)".
_ZONE_HINT = re.compile(r"\btimes?\b(?P<after>[^.;]{0,40})", re.IGNORECASE)
_ZONE_WORD = re.compile(r"\b[A-Z]{2,4}\b|\b[A-Z][a-z]+/[A-Za-z_]+(?:/[A-Za-z_]+)?")
_BRACKETED = re.compile(r"^[\[(](?P<stamp>[^\[\]()]{3,60})[\])](?P<rest>.*)$")
_BULLET = re.compile(r"^(?:[-*+\u2022\u2023\u25e6>#]+\s+|\d{1,3}[.)]\s+)")
_SEPARATOR = re.compile(r"^[\s\-\u2013\u2014:|>=~,]+")
# Prose and Markdown around a time: "At 14:51 UTC, ...", "**14:51** ...", a table row "| 14:51 | ... |".
_LEAD_WORD = re.compile(r"^(?:at|around|about|approx\.?|approximately|by|~)\s*(?=\d)", re.IGNORECASE)
_EMPHASIS = re.compile(r"^(\*\*|__|\*|_|`)([^*_`]+?)\1")
_TABLE_RULE = re.compile(r"^\|?(?:\s*:?-{2,}:?\s*\|)+\s*:?-{0,}:?\s*$")
# "14:51 - 15:10 Checkout degraded": the end of a time range right after the start.
_RANGE_END = re.compile(
    r"^\s*(?:-|\u2013|\u2014|to|until)\s*(?P<end>\d{1,2}:\d{2}(?::\d{2})?(?:\s?[ap]\.?m\.?)?)(?![\d:])",
    re.IGNORECASE,
)
_IRC_NICK = re.compile(r"^<[@+%&~]?(?P<nick>[^<>\s]{1,40})>\s*(?P<msg>.*)$")
_HEADER = re.compile(
    r"^(?P<name>[^\W\d][\w.'\u2019@-]*(?:\s[\w.'\u2019@()-]+){0,3}?),?\s+\[?(?P<clock>\d{1,2}:\d{2}(?::\d{2})?(?:\s?[ap]\.?m\.?)?)\]?$",
    re.IGNORECASE,
)
_FULL_NAME = re.compile(r"^[A-Z][\w.'\u2019-]*(?:\s[A-Z][\w.'\u2019-]*){1,3}$")
# Lines a chat client adds around messages: day dividers, thread links.
_CHAT_CHROME = re.compile(
    r"^(?:today|yesterday|new messages?|view thread|\d+ repl(?:y|ies)(?:\s.*)?|last reply .*|.* (?:joined|left) (?:the channel|#\S+)\.?)$",
    re.IGNORECASE,
)
_EDITED = re.compile(r"\s*\(edited\)$", re.IGNORECASE)
_NAME = re.compile(r"^(?:[^\W\d_][\w.'\u2019@-]*|(?:[A-Z][\w.'\u2019-]*)(?:\s[A-Z][\w.'\u2019-]*){0,3})$")


@dataclass(frozen=True)
class _Stamp:
    """A time read from the start of a line; ``day`` is None when the line gave no date."""

    clock: time
    day: date | None
    zone: tzinfo | None
    length: int
    half_day: bool | None = None  # True: said AM or PM; False: a 24-hour time; None: 1:00-12:59 bare


def _year(match: re.Match, name: str, fallback: int) -> int:
    return int(match[name]) if match[name] else fallback


def _month(name: str) -> int:
    return _MONTHS.index(name[:3].lower()) + 1


def _read_date(match: re.Match, year: int) -> date | None:
    """The date a matched date part names; a day/month that does not exist gives None."""
    try:
        if match["iso_y"]:
            return date(int(match["iso_y"]), int(match["iso_m"]), int(match["iso_d"]))
        if match["us_y"]:
            first, second = int(match["us_m"]), int(match["us_d"])
            month, day = (first, second) if first <= 12 else (second, first)  # 21/10/2015 is day first
            return date(int(match["us_y"]), month, day)
        if match["ym_mon"]:
            return date(int(match["ym_y"]), _month(match["ym_mon"]), int(match["ym_d"]))
        if match["md_mon"]:
            return date(_year(match, "md_y", year), _month(match["md_mon"]), int(match["md_d"]))
        if match["dm_mon"]:
            return date(_year(match, "dm_y", year), _month(match["dm_mon"]), int(match["dm_d"]))
    except (ValueError, TypeError):
        return None
    return None


def _read_clock(match: re.Match) -> time | None:
    hour, minute = int(match["hour"]), int(match["minute"])
    second = int(match["second"] or 0)
    if match["ampm"]:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if match["ampm"].lower() == "p" else 0)
    if hour > 23 or minute > 59 or second > 59:
        return None
    return time(hour, minute, second)


def _read_zone(match: re.Match) -> tuple[tzinfo | None, bool]:
    """The zone after the time, and whether the match really was one (a word like ERROR is not)."""
    if match["z"]:
        return timezone.utc, True
    offset = match["tight_offset"] or match["spaced_offset"]
    if offset:
        return _offset(offset), True
    if match["utc_offset"]:
        return _offset(match["utc_offset"][3:]), True
    named = match["named"]
    if named and named in REGION_ZONES:
        return zone(REGION_ZONES[named]), True
    if named:
        minutes = NAMED_ZONES.get(named.upper())
        if minutes is None or named != named.upper():
            return None, False
        return timezone(timedelta(minutes=minutes)), True
    return None, True


def _offset(text: str) -> tzinfo | None:
    """``+02:00``, ``-0530``, ``+2`` as a fixed offset; None when out of range."""
    sign = -1 if text.startswith("-") else 1
    digits = text[1:].replace(":", "")
    hours, minutes = (digits, "0") if len(digits) <= 2 else (digits[:-2], digits[-2:])
    try:
        delta = timedelta(hours=int(hours), minutes=int(minutes))
        return timezone(sign * delta) if delta < timedelta(hours=24) else None
    except ValueError:
        return None


def _read_stamp(text: str, year: int) -> _Stamp | None:
    """A time (with its date and zone, if given) at the start of ``text``."""
    match = _STAMP.match(text)
    if not match:
        return None
    clock = _read_clock(match)
    if clock is None:
        return None
    has_date = any(match[name] for name in ("iso_y", "ym_y", "us_y", "md_mon", "dm_mon"))
    day = _read_date(match, year) if has_date else None
    if has_date and day is None:
        return None
    tz, is_zone = _read_zone(match)
    length = match.end() if is_zone else match.end("clock")
    end_ok = length >= len(text) or not text[length].isalnum()
    if match["ampm"]:
        half_day = True
    else:
        half_day = None if 1 <= int(match["hour"]) <= 12 else False
    return _Stamp(clock, day, tz, length, half_day) if end_ok else None


def _hint_zone(word: str) -> tzinfo | None:
    """The zone a heading names: PST (a fixed offset), PT (US Pacific, with summer time), Europe/Berlin."""
    if word in NAMED_ZONES:
        return timezone(timedelta(minutes=NAMED_ZONES[word]), word)
    if word in REGION_ZONES:
        return zone(REGION_ZONES[word])
    if "/" in word and is_timezone(word):
        return zone(word)
    return None


def _has_year(match: re.Match) -> bool:
    return any(match[name] for name in ("iso_y", "ym_y", "us_y", "md_y", "dm_y"))


def read_date_line(text: str, year: int) -> date | None:
    """A line that is only a date (``2015-10-21``, ``Wednesday, October 21, 2015``, ``21 Oct 2015``)."""
    candidate = text.strip().strip("*_#=:").strip()
    match = _DATE_LINE.match(candidate)
    return _read_date(match, year) if match else None


# A time this much earlier than the event before it is a slip in the order
# (a log line a few seconds late, a chat reply to an older message), not a
# new day: only a bigger step back means the clock passed midnight.
MIDNIGHT_SLACK = timedelta(hours=1)

# Markers ----------------------------------------------------------------------------

# Checked in this order, so "rollback started" is mitigated, not started.
MARKER_WORDS = {
    "resolved": ("resolved", "resolution", "all clear", "all-clear", "fixed", "ends", "ended", "recovered", "fully restored"),
    "mitigated": (
        "mitigated", "mitigation", "rolled back", "rollback", "roll back", "workaround", "failed over", "failover",
        "recovering", "partially restored", "begin to recover", "began to recover", "starts to recover",
    ),
    "detected": (
        "paged", "page", "pages", "paging", "alerted", "alert", "alerts", "alerting", "alarm", "alarms", "alert fires", "alert fired", "alert firing", "firing",
        "detected", "detects", "noticed", "notices", "notified", "reported", "reports",
    ),
    "started": (
        "outage begins", "impact begins", "started", "starts", "begins", "began", "deployed", "rolled out", "triggered",
    ),
}
_NEGATION = re.compile(r"\b(?:not|no|never|without|isn't|wasn't|aren't|weren't|hasn't|haven't|didn't|yet)\W+(?:\w+\W+)?$")
_MARKER_PATTERNS = {
    marker: re.compile(r"\b(?:" + "|".join(re.escape(word) for word in words) + r")\b", re.IGNORECASE)
    for marker, words in MARKER_WORDS.items()
}


# Published timelines (the Google SRE book's shape) label phases in bold capitals:
# "**OUTAGE BEGINS** Search backends begin to fail".  A label is what the authors
# decided; words that merely occur in a sentence are a guess, so labels win.
# User impact ending is resolution; closing the incident ("INCIDENT ENDS") is not,
# and declaring it ("INCIDENT BEGINS") is detection only where no line says how it was noticed.
# A label is written in capitals, or emphasised (**Outage begins**, _outage ends_, [Impact
# starts], `OUTAGE MITIGATED`), or heads the line with a colon or dash ("Outage mitigated: ...").
# A sentence that merely says "the outage began when ..." is not a label.
_LABEL = (r"(?P<what>outage|(?:user\s+|customer\s+)?impact|incident)\s+(?P<phase>begins|began|starts|started|start|"
          r"detected|declared|opened|mitigated|ends|ended|end|resolved|over|closed|stops|stopped)"
          r"|(?P<phase_first>start|end|beginning)\s+of\s+(?:the\s+)?(?P<what_last>outage|(?:user\s+|customer\s+)?impact|incident)")
_ANY_LABEL = re.compile(r"\b(?:" + _LABEL + r")\b", re.IGNORECASE)  # written in capitals, it is a label
_EMPHASISED_LABEL = re.compile(
    r"(?:\*\*|__|\*|_|`|\[|\()\s*(?:" + _LABEL + r")\s*[:.!]?\s*(?:\*\*|__|\*|_|`|\]|\))", re.IGNORECASE)
_LEADING_LABEL = re.compile(r"^\W{0,3}(?:" + _LABEL + r")\s*(?:[:\u2013\u2014-]|$)", re.IGNORECASE)
_OUTAGE_PHASES = {"begins": "started", "began": "started", "starts": "started", "started": "started",
                  "start": "started", "beginning": "started", "detected": "detected", "mitigated": "mitigated",
                  "ends": "resolved", "ended": "resolved", "end": "resolved", "resolved": "resolved",
                  "over": "resolved", "closed": "resolved", "stops": "resolved", "stopped": "resolved"}
_DECLARING = ("begins", "began", "starts", "started", "start", "beginning", "declared", "detected", "opened")
DECLARED = "declared"  # an incident was declared: detection, if nothing earlier says so
CLOSED = "closed"  # the incident was closed: no marker


def phase_label(text: str) -> str | None:
    """The phase a label names ("OUTAGE BEGINS", "**Outage begins**" -> started), ``declared``, ``closed``, or None."""
    found = next((match for match in _ANY_LABEL.finditer(text) if match.group(0).isupper()), None)
    found = found or _EMPHASISED_LABEL.search(text) or _LEADING_LABEL.search(text)
    if found is None:
        return None
    what = " ".join((found["what"] or found["what_last"]).lower().split())
    phase = (found["phase"] or found["phase_first"]).lower()
    if what == "incident":
        if phase in _DECLARING:
            return DECLARED
        return CLOSED if phase in _OUTAGE_PHASES else None
    return _OUTAGE_PHASES.get(phase)


# "News reports say ...", "the press reported": someone else's account, not how we noticed.
_HEARSAY = re.compile(
    r"\b(?:news|media|press|rumou?rs?|blog|twitter|social\s+media)\s+(?:\w+\s+)?(?:reports?|reported|says?|said)\b"
    r"|\breports?\s+(?:say|said|suggest|suggested|claim|claimed|indicate)\b",
    re.IGNORECASE,
)


def marker_for(text: str) -> str | None:
    """The marker a line's words suggest (``Error-rate alert fires`` -> detected), or None.

    A word after "not", "no" or "yet" does not count ("not resolved yet"),
    and neither does hearsay ("news reports say ...") for detection.
    """
    head, colon, rest = text.partition(":")
    if colon and head.strip().lower() in MARKERS and rest.strip():
        return head.strip().lower()
    if colon and head.strip().lower() in STATUS_MARKERS:
        return STATUS_MARKERS[head.strip().lower()]
    for marker, pattern in _MARKER_PATTERNS.items():
        for match in pattern.finditer(text):
            if _NEGATION.search(text[: match.start()].lower()):
                continue
            if marker == "detected" and _HEARSAY.search(text):
                continue
            return marker
    return None


# Reading a paste --------------------------------------------------------------------


@dataclass
class _Reader:
    """The state carried from line to line: the day, the last time, the chat speaker."""

    tz: tzinfo
    day: date
    existing: frozenset[str]
    previous: datetime | None = None
    speaker: str = ""
    header_time: datetime | None = None
    header_line: UnreadLine | None = None
    header_used: bool = True
    previous_line: int = 0
    twelve_hour: bool = False
    last_message: tuple[int, str] | None = None
    header_fallback: str = ""
    events: list[PastedEvent] = field(default_factory=list)
    unread: list[UnreadLine] = field(default_factory=list)
    proposed: set[str] = field(default_factory=set)
    notes: list[str] = field(default_factory=list)

    def read(self, number: int, raw: str) -> None:
        line = clean_line(raw)
        if line:
            self.read_line(number, line)
            self.previous_line = number

    def read_line(self, number: int, line: str) -> None:
        day = read_date_line(line, self.day.year)
        if day is not None:
            self.end_header()
            self.day, self.previous = day, None
            return
        if _CHAT_CHROME.match(line):
            self.end_header()
            self.unread.append(UnreadLine(number, line))
            return
        if _TABLE_RULE.match(line):
            return  # the |---|---| under a Markdown table's header: layout, not content
        line = _EDITED.sub("", line)
        body = self.unwrapped(_BULLET.sub("", line))
        if self.read_header(number, line, body):
            return
        stamp, rest = self.stamp_of(body)
        if stamp is None:
            self.read_untimed(number, line)
            return
        self.end_header()
        moment = self.place(stamp)
        until = _RANGE_END.match(rest)
        if until:
            rest = rest[until.end() :]
        text = _speaker_text(rest)
        if text and until:
            text += f" (until {until['end']})"
        if not text:
            self.start_header(number, line, moment, self.take_name_line())
        elif body.startswith(("[", "(")) and _FULL_NAME.match(text):
            # Teams: "[2:51 PM] Dana Lee", the message on the lines below.
            self.start_header(number, line, moment, text)
            self.header_fallback = text
        else:
            self.add(number, moment, text)

    def unwrapped(self, body: str) -> str:
        """The line without the prose or Markdown around its time: a table row's cells, bold, "At"."""
        if body.startswith("|"):
            cells = [cell.strip() for cell in body.strip().strip("|").split("|")]
            cells = [cell for cell in cells if cell]
            dated = len(cells) > 2 and read_date_line(cells[0], self.day.year) is not None
            head, rest = (cells[:2], cells[2:]) if dated else (cells[:1], cells[1:])
            body = " ".join(head) + (" " + " | ".join(rest) if rest else "")
        body = _EMPHASIS.sub(r"\2", body)
        return _LEAD_WORD.sub("", body)

    def stamp_of(self, body: str) -> tuple[_Stamp | None, str]:
        """The time at the start of ``body`` (bare or in brackets) and the text after it."""
        bracketed = _BRACKETED.match(body)
        if bracketed:
            stamp = _read_stamp(bracketed["stamp"].strip(), self.day.year)
            if stamp is not None and stamp.length == len(bracketed["stamp"].strip()):
                return stamp, bracketed["rest"]
        stamp = _read_stamp(body, self.day.year)
        return (stamp, body[stamp.length :]) if stamp else (None, body)

    def place(self, stamp: _Stamp) -> datetime:
        """The moment of a stamp: its own date, else the current day, moved past midnight if needed."""
        zone_of = stamp.zone or self.tz
        if stamp.half_day is not None:
            self.twelve_hour = stamp.half_day
        if stamp.day is not None:
            moment = datetime.combine(stamp.day, stamp.clock, zone_of)
            self.day = stamp.day
        else:
            moment = self.next_moment(stamp, zone_of)
            if self.previous is not None and moment < self.previous - MIDNIGHT_SLACK:
                self.day += timedelta(days=1)
                moment = datetime.combine(self.day, moment.timetz().replace(tzinfo=None), zone_of)
        self.previous = moment
        return moment

    def next_moment(self, stamp: _Stamp, zone_of: tzinfo) -> datetime:
        """A bare ``2:53`` among ``2:51 PM`` times (Slack's follow-on messages) is read as PM."""
        moment = datetime.combine(self.day, stamp.clock, zone_of)
        if stamp.half_day is None and self.twelve_hour and self.previous is not None:
            later = moment + timedelta(hours=12)
            if moment < self.previous - MIDNIGHT_SLACK <= later:
                return later
        return moment

    # Chat exports: a "Name  2:51 PM" header line, then the messages. ----------------

    def read_header(self, number: int, line: str, body: str) -> bool:
        """A Slack-style header line; False when the line is something else."""
        match = _HEADER.match(body)
        if not match or not _NAME.match(match["name"].strip()) or match["name"].lower().startswith(("at ", "on ")):
            return False
        stamp = _read_stamp(match["clock"], self.day.year)
        if stamp is None:
            return False
        self.end_header()
        self.start_header(number, line, self.place(stamp), match["name"].strip())
        return True

    def start_header(self, number: int, line: str, moment: datetime, name: str | None) -> None:
        self.end_header()
        self.speaker = name if name is not None else self.speaker
        self.header_time, self.header_line, self.header_used = moment, UnreadLine(number, line), False

    def end_header(self) -> None:
        """A header no message followed is shown as unread, so nothing vanishes silently.

        (``[14:51] Rollback Done`` looked like a Teams header; with no message under it,
        it was an event after all.)
        """
        if self.header_line is not None and not self.header_used:
            if self.header_fallback and self.header_time is not None:
                self.add(self.header_line.line, self.header_time, self.header_fallback)
            else:
                self.unread.append(self.header_line)
        self.header_time, self.header_line, self.header_used = None, None, True
        self.header_fallback = ""

    def take_name_line(self) -> str | None:
        """A name alone on the line before a bare time is that message's speaker (newer Slack copies)."""
        if self.unread and self.unread[-1].line == self.previous_line and _NAME.match(self.unread[-1].text):
            return self.unread.pop().text
        message = self.last_message
        if message and message[0] == self.previous_line and _FULL_NAME.match(message[1]) and self.events:
            dropped = self.events.pop()
            self.proposed.discard(dropped.marker)
            return message[1]
        return None

    def read_untimed(self, number: int, line: str) -> None:
        if self.header_time is None:
            if not self.events:
                self.read_preamble(number, line)
            self.unread.append(UnreadLine(number, line))
        else:
            self.header_used = True
            text = f"{self.speaker}: {line}" if self.speaker else line
            self.add(number, self.header_time, text)
            self.last_message = (number, line)

    def move_resolved(self) -> None:
        """Resolved goes on the last event that says so: "fully recovered" then "all clear" ends at the all clear."""
        self.proposed.discard("resolved")
        for index, event in enumerate(self.events):
            if event.marker == "resolved":
                self.events[index] = replace(event, marker=None)

    def out_of_order(self, marker: str | None) -> bool:
        """A marker that would come after a later one already proposed ("begins" after "paged") is not proposed."""
        if marker is None:
            return False
        later = MARKERS[MARKERS.index(marker) + 1 :]
        return any(event.marker in later for event in self.events)

    def follow_labels(self) -> None:
        """Where lines carry phase labels (OUTAGE BEGINS ...), markers follow the labels, not the words.

        Started, mitigated and resolved go where the labels put them; detected
        on a labelled line, else on the first line whose words say it was
        noticed between the start and the mitigation, else where the incident
        was declared.  Every other line loses the marker its words suggested.
        """
        labels = [phase_label(event.text) for event in self.events]
        if not any(labels):
            return
        chosen: dict[str, int] = {}
        for index, label in enumerate(labels):
            if label in MARKERS and label not in chosen:
                chosen[label] = index
        if "detected" not in chosen:
            low = chosen.get("started", -1)
            high = min(chosen.get("mitigated", len(labels)), chosen.get("resolved", len(labels)))
            noticed = [i for i in range(low + 1, high) if labels[i] is None and marker_for(self.events[i].text) == "detected"]
            declared = [i for i, label in enumerate(labels) if label == DECLARED and low < i < high]
            if noticed or declared:
                chosen["detected"] = (noticed or declared)[0]
        at = {index: marker for marker, index in chosen.items() if marker not in self.existing}
        self.events = [replace(event, marker=at.get(index)) for index, event in enumerate(self.events)]
        self.proposed = set(at.values())
        self.notes.append("markers follow the phase labels in the text (OUTAGE BEGINS, OUTAGE ENDS ...); "
                          "INCIDENT ENDS closes the incident and is not its resolution")

    def propose_start(self) -> None:
        """No line said when it started: propose the first event, as published timelines begin with the trigger."""
        if "started" in self.proposed or "started" in self.existing or not self.events:
            return
        first = self.events[0]
        if first.marker is None:
            self.events[0] = replace(first, marker="started")
            self.notes.append(f"line {first.line}: no line says when it started, so the first event is proposed")

    def read_preamble(self, number: int, line: str) -> None:
        """A heading before the first event may give the date and zone of all that follows.

        Published timelines open with "Timeline of the outage, July 2, 2019
        (all times UTC)": the date applies to the times below, and so does the
        zone.  Only a date with its year counts, and only before any event.
        """
        found = _DATE_IN_TEXT.search(line)
        day = _read_date(found, self.day.year) if found and _has_year(found) else None
        if day is not None:
            self.day, self.previous = day, None
            self.notes.append(f"line {number}: the date {day.isoformat()} applies to the times after it")
        hint = _ZONE_HINT.search(line)
        names = [word for word in _ZONE_WORD.findall(hint["after"]) if _hint_zone(word)] if hint else []
        if names:
            self.tz = _hint_zone(names[0])
            self.notes.append(f"line {number}: times without a zone are read in {names[0]}")

    def add(self, number: int, moment: datetime, text: str) -> None:
        marker = marker_for(text)
        if marker == "resolved" and "resolved" in self.proposed:
            self.move_resolved()
        if marker in self.proposed or marker in self.existing or self.out_of_order(marker):
            marker = None
        if marker is not None:
            self.proposed.add(marker)
        self.events.append(PastedEvent(moment.isoformat(), text, marker, number))


def _speaker_text(rest: str) -> str:
    """The text after a time, without the separator; an IRC ``<nick> msg`` reads ``nick: msg``."""
    text = _SEPARATOR.sub("", rest).strip()
    nick = _IRC_NICK.match(text)
    if nick:
        return f"{nick['nick']}: {nick['msg']}".strip().rstrip(":")
    return text


def parse_paste(
    text: str,
    tz_name: str,
    review_date: str,
    existing_markers: frozenset[str] | set[str] | tuple[str, ...] = (),
) -> PastePreview:
    """Read pasted text into events and unread lines; never raises.

    A naive time is read in ``tz_name``; lines before any date line fall on
    ``review_date``; a time more than an hour earlier than the event before it
    (with no date of its own) has passed midnight and moves to the next day.  Each marker is proposed once, on the
    first event whose words suggest it, and never one the timeline already has.
    """
    if not isinstance(text, str):
        return PastePreview()
    try:
        tz = zone(tz_name if isinstance(tz_name, str) else "UTC")
        start = parse_date(review_date) if isinstance(review_date, str) else None
        reader = _Reader(tz, start or date.today(), frozenset(m for m in existing_markers or () if m in MARKERS))
    except Exception:  # noqa: BLE001 - a preview must never fail
        return PastePreview()
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    numbered = list(enumerate(lines, start=1))
    try:
        numbered = _status_page_lines(numbered, reader.day.year) or numbered
    except Exception:  # noqa: BLE001 - read the lines as they are
        pass
    for number, raw in numbered:
        try:
            reader.read(number, raw)
        except Exception:  # noqa: BLE001 - a line we cannot read is shown, not fatal
            reader.end_header()
            line = _safe_line(raw)
            if line:
                reader.unread.append(UnreadLine(number, line))
    try:
        reader.end_header()
        reader.follow_labels()
        reader.propose_start()
    except Exception:  # noqa: BLE001
        pass
    unread = sorted(reader.unread, key=lambda item: item.line)
    return PastePreview(tuple(reader.events), tuple(unread), tuple(reader.notes))


# Status pages (Atlassian Statuspage and the like) post updates newest first, each a
# status word, the message, then "Posted Oct 21, 2015 - 15:24 UTC".
_POSTED = re.compile(r"^posted\s+(?P<stamp>.*?\d{1,2}:\d{2}.*)$", re.IGNORECASE)
STATUS_MARKERS = {"investigating": "detected", "monitoring": "mitigated", "resolved": "resolved"}
_STATUS_WORDS = ("investigating", "identified", "monitoring", "update", "resolved", "verifying", "postmortem")
# The newer layout: "Resolved - This incident has been resolved." then "Oct 21, 15:24 UTC".
_STATUS_DASH = re.compile(r"^(" + "|".join(_STATUS_WORDS) + r")\s+[-\u2013\u2014]\s+", re.IGNORECASE)


def _status_page_lines(numbered: list[tuple[int, str]], year: int) -> list[tuple[int, str]] | None:
    """Status page updates as "<time> <Status>: <message>" lines, oldest first; None if it is not one.

    Each update (the lines since the previous blank line) becomes one line,
    numbered as its "Posted" line.
    """
    lines = [line.strip() for _, line in numbered]
    if not any(_POSTED.match(line) or _STATUS_DASH.match(line) for line in lines):
        return None
    updates, block = [], []
    for number, line in numbered:
        stamp = _posted_stamp(line.strip(), block, year)
        if stamp:
            updates.append((number, stamp, block))
            block = []
        elif line.strip():
            block.append(_STATUS_DASH.sub(r"\1: ", line.strip()))
    if not updates:
        return None
    stamps = [_read_stamp(stamp, year) for _, stamp, _ in updates]
    moments = [(s.day or date.min, s.clock) for s in stamps if s is not None]
    if len(moments) == len(stamps) and moments and moments[0] > moments[-1]:
        updates.reverse()
    return [(number, f"{stamp} {_status_text(block)}") for number, stamp, block in updates]


def _posted_stamp(line: str, block: list[str], year: int) -> str:
    """The time of an update: "Posted Oct 21, 2015 - 15:24 UTC", or a bare time under "Resolved - ..."."""
    posted = _POSTED.match(line)
    if posted:
        return re.sub(r"\s+-\s+(?=\d{1,2}:\d{2})", " ", posted["stamp"].strip())  # "2015 - 15:24" -> "2015 15:24"
    if block and block[0].split(":")[0].lower() in _STATUS_WORDS:
        stamp = _read_stamp(line, year)
        if stamp is not None and stamp.length >= len(line):
            return line
    return ""


def _status_text(block: list[str]) -> str:
    """``Monitoring: A fix has been implemented ...`` from the update's lines."""
    if block and block[0].lower() in _STATUS_WORDS:
        return f"{block[0]}: {' '.join(block[1:])}".rstrip(": ")
    return " ".join(block)  # "Resolved: This incident ..." (the newer layout) is already one line


def _safe_line(raw: str) -> str:
    try:
        return clean_line(raw)
    except Exception:  # noqa: BLE001
        return ""
