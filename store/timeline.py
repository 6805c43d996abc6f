"""Timeline times and durations, always read and shown in the review's timezone.

Times are stored as ISO 8601 with their offset.  What a facilitator types
(``14:05``, ``2026-11-20 14:05``, an ISO time with offset) is parsed here, so
the screens and the importer agree on what a time means.
"""

from __future__ import annotations

import re
from functools import lru_cache
from datetime import date, datetime, time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from store.model import MARKERS, Event, Review

_CLOCK = re.compile(r"^(\d{1,2}):(\d{2})(?::(\d{2}))?$")


def zone(name: str) -> ZoneInfo:
    """The review's timezone; an unknown name falls back to UTC (checks report it)."""
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def is_timezone(name: str) -> bool:
    """True when ``name`` is an IANA timezone this machine knows."""
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return bool(name)


def parse_date(text: str) -> date | None:
    """An ISO date (``2026-11-21``), or None."""
    try:
        return date.fromisoformat(text.strip())
    except (ValueError, AttributeError):
        return None


@lru_cache(maxsize=8192)
def parse_time(text: str, tz_name: str, default_day: date | None = None) -> datetime | None:
    """Read a typed time in the review's timezone; None if it is not a time.

    Remembered: the steps read every event's time on every key press and
    every change another participant makes.

    ``14:05`` is taken on ``default_day`` (the previous event's day, or the
    review date); ``2026-11-20 14:05`` and naive ISO times are local to the
    review; ISO times with an offset keep it.
    """
    text = (text or "").strip()
    if not text:
        return None
    tz = zone(tz_name)
    clock = _CLOCK.match(text)
    if clock:
        hour, minute, second = (int(part or 0) for part in clock.groups())
        if default_day is None or hour > 23 or minute > 59 or second > 59:
            return None
        return datetime.combine(default_day, time(hour, minute, second), tz)
    try:
        moment = datetime.fromisoformat(text.replace(" ", "T", 1) if "T" not in text else text)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=tz)
    return moment


def event_time(event: Event, tz_name: str) -> datetime | None:
    """The event's stored time, or None while it is not (yet) a valid time."""
    return parse_time(event.at, tz_name)


def show_time(at: str, tz_name: str) -> str:
    """A stored time as ``YYYY-MM-DD HH:MM`` in the review's timezone; raw text otherwise."""
    moment = parse_time(at, tz_name)
    if moment is None:
        return at
    local = moment.astimezone(zone(tz_name))
    pattern = "%Y-%m-%d %H:%M:%S" if local.second else "%Y-%m-%d %H:%M"
    return local.strftime(pattern)


def store_time(text: str, tz_name: str, default_day: date | None = None) -> str:
    """What to store for a typed time: ISO with offset when it parses, else the raw text."""
    moment = parse_time(text, tz_name, default_day)
    return moment.isoformat() if moment is not None else text.strip()


def first_marker_times(review: Review) -> dict[str, datetime]:
    """The time of the first event carrying each marker."""
    found: dict[str, datetime] = {}
    for event in review.timeline:
        moment = event_time(event, review.timezone)
        if event.marker in MARKERS and moment is not None and event.marker not in found:
            found[event.marker] = moment
    return found


def durations(review: Review) -> dict[str, int | None]:
    """Seconds from the started marker to detected, mitigated and resolved."""
    times = first_marker_times(review)
    start = times.get("started")

    def since_start(marker: str) -> int | None:
        if start is None or marker not in times:
            return None
        return int((times[marker] - start).total_seconds())

    return {
        "to_detect": since_start("detected"),
        "to_mitigate": since_start("mitigated"),
        "to_resolve": since_start("resolved"),
    }


def show_duration(seconds: int | None) -> str:
    """A duration as ``1h 05m``, ``22m``, ``45s``, or ``-`` when unknown."""
    if seconds is None:
        return "-"
    sign = "-" if seconds < 0 else ""
    seconds = abs(seconds)
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    if days:
        return f"{sign}{days}d {hours}h {minutes:02d}m"
    if hours:
        return f"{sign}{hours}h {minutes:02d}m"
    if minutes:
        return f"{sign}{minutes}m" + (f" {secs:02d}s" if secs else "")
    return f"{sign}{secs}s"


def sort_key(event: dict, tz_name: str) -> tuple[int, float]:
    """Order events by time; events without a valid time keep their place at the end."""
    moment = parse_time(event.get("at", ""), tz_name)
    if moment is None:
        return (1, 0.0)
    return (0, moment.timestamp())
