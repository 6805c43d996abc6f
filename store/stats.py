"""What the archive of reviews says across reviews: times to detect and resolve, actions, root causes.

Used by ``postmortem stats`` and the statistics screen, so both show the same
numbers.  Pure and linear in the size of the archive (each review is read
once; only the per-quarter lists of durations are sorted), so 1,000 reviews
take well under a second.

Definitions, chosen so a reader can check every number by hand:

- A review's **quarter** (``2026-Q4``) is that of its first ``started``
  marker, on the clock of the review's timezone; a review without one falls in
  the quarter of its review date; one with neither is in ``undated``, listed
  last.
- **Median time to detect / resolve** is over the reviews of the quarter that
  have both markers (started and detected, or started and resolved), from
  :func:`store.timeline.durations`.  The others are left out, and how many
  were used is reported beside the median.  A negative duration (markers out
  of order, which the timeline check reports as an error) is left out too.
  With an even count the median is the mean of the two middle values, rounded
  to the nearest second.
- **Spread**: the quartiles (the middle half of the reviews lies between
  them), as ``statistics.quantiles(method="inclusive")`` gives them, rounded
  to seconds; never a mean, which one long incident drags far from the rest
  (the VOID report, "It's time to retire MTTR").
- **Near misses** (nothing reached users) are counted apart and left out of
  every time: they are not outages.
- **Impact categories** count the reviews that name each (several may apply).
- **Completion rate** is done / (every action that is not dropped): a dropped
  action was decided against, so it counts neither as done nor as missing.
  With no such action the rate is unknown (``None``, shown as "n/a").
- **Overdue** actions are open or slipped with a due date before today (a
  slipped action's due date is its new one); an action without a valid due
  date is never overdue.
- **Root-cause words**: the words of each chain's root cause (its last
  answer), lower-cased, without English function words and the words every
  root cause uses ("because", "root", "cause" ...); each word counts once per
  root cause, so a long answer that repeats a word does not outweigh others.
"""

from __future__ import annotations

import math
import re
import statistics
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Iterable

from store.follow_up import Progress, is_overdue
from store.model import IMPACT_CATEGORIES, KINDS, STATUSES, Review
from store.timeline import durations, event_time, parse_date, zone

UNDATED = "undated"
TOP_WORDS = 10

_WORD = re.compile(r"[^\W\d_]+(?:['\u2019-][^\W\d_]+)*")

# English function words, plus the words that every root cause is phrased
# with and so say nothing about what the causes have in common.
STOP_WORDS = frozenset(
    """
    a about above after again against all also am an and any are aren't as at
    be been before being below between both but by can can't cannot could
    couldn't did didn't do does doesn't doing don't down during each either
    enough even ever every few for from further get gets got had hadn't has
    hasn't have haven't having he her here hers herself him himself his how
    however i if in into is isn't it it's its itself just least less let like
    may me might more most much must mustn't my myself neither no nor not now
    of off often on once one only onto or other ought our ours ourselves out
    over own per quite rather same shall shan't she should shouldn't since so
    some still such than that that's the their theirs them themselves then
    there there's these they this those though through thus to too toward
    towards under until up upon us very via was wasn't we were weren't what
    when where whether which while who whom whose why will with within without
    won't would wouldn't yet you your yours yourself yourselves
    because cause caused causes causing root reason reasons due result
    resulted results led lead leads happen happened happens issue problem
    """.split()
)


@dataclass(frozen=True)
class QuarterStats:
    """One quarter's reviews and the median times of those with the markers."""

    quarter: str
    reviews: int
    median_to_detect: int | None
    timed_to_detect: int
    median_to_resolve: int | None
    timed_to_resolve: int
    # The first and third quartiles (None without a timed review).
    spread_to_detect: tuple[int, int] | None = None
    spread_to_resolve: tuple[int, int] | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "quarter": self.quarter,
            "reviews": self.reviews,
            "median_to_detect": self.median_to_detect,
            "quartiles_to_detect": list(self.spread_to_detect) if self.spread_to_detect else None,
            "timed_to_detect": self.timed_to_detect,
            "median_to_resolve": self.median_to_resolve,
            "quartiles_to_resolve": list(self.spread_to_resolve) if self.spread_to_resolve else None,
            "timed_to_resolve": self.timed_to_resolve,
        }


@dataclass(frozen=True)
class ArchiveStats:
    """Everything ``postmortem stats`` and the statistics screen show."""

    reviews: int
    reviews_by_kind: dict[str, int]
    quarters: list[QuarterStats]
    overall: QuarterStats
    actions_by_status: dict[str, int]
    completion_rate: float | None
    overdue: int
    root_causes: int
    top_words: list[tuple[str, int]] = field(default_factory=list)
    today: str = ""
    near_misses: int = 0
    impact_categories: dict[str, int] = field(default_factory=dict)

    @property
    def actions(self) -> int:
        """Every action, whatever its status."""
        return sum(self.actions_by_status.values())

    @property
    def counted_for_completion(self) -> int:
        """The actions the completion rate is over: all but the dropped and not-doing ones."""
        return self.actions - self.actions_by_status.get("dropped", 0) - self.actions_by_status.get("not_doing", 0)

    def to_dict(self) -> dict[str, Any]:
        """The JSON form printed by ``postmortem stats --json``."""
        return {
            "today": self.today,
            "reviews": self.reviews,
            "reviews_by_kind": dict(self.reviews_by_kind),
            "quarters": [quarter.to_dict() for quarter in self.quarters],
            "overall": self.overall.to_dict(),
            "actions": {
                "total": self.actions,
                "by_status": dict(self.actions_by_status),
                "completion_rate": self.completion_rate,
                "completion_counts": "done / (total - dropped)",
                "overdue": self.overdue,
            },
            "near_misses": self.near_misses,
            "impact_categories": dict(self.impact_categories),
            "root_causes": self.root_causes,
            "top_words": [{"word": word, "root_causes": count} for word, count in self.top_words],
        }


def quarter_of(day: date) -> str:
    """``2026-Q4`` for any day of October to December 2026."""
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


def review_quarter(review: Review) -> str:
    """The quarter of the review's first started marker, else of its review date, else ``undated``."""
    started = _first_started(review)
    if started is not None:
        return quarter_of(started.astimezone(zone(review.timezone)).date())
    day = parse_date(review.review_date)
    return quarter_of(day) if day is not None else UNDATED


def _first_started(review: Review) -> datetime | None:
    """The first valid time carrying the started marker (as first_marker_times finds it)."""
    for event in review.timeline:
        if event.marker == "started":
            moment = event_time(event, review.timezone)
            if moment is not None:
                return moment
    return None


def median_seconds(values: list[int]) -> int | None:
    """The median of whole seconds, rounded half up to a whole second; None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    total = ordered[middle - 1] + ordered[middle]
    return (total + 1) // 2


def quartiles(values: list[int]) -> tuple[int, int] | None:
    """The first and third quartiles in whole seconds (inclusive method); None for no values."""
    if not values:
        return None
    if len(values) == 1:
        return (values[0], values[0])
    first, _, third = statistics.quantiles(values, n=4, method="inclusive")
    return (round(first), round(third))


def root_cause_words(text: str) -> set[str]:
    """The telling words of one root cause: lower-cased, no function words, no single letters."""
    words = {word.replace("\u2019", "'") for word in _WORD.findall(text.lower())}
    return {word for word in words if len(word) > 1 and word not in STOP_WORDS}


class _Times:
    """The durations of one group of reviews (a quarter, or all of them)."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.reviews = 0
        self.to_detect: list[int] = []
        self.to_resolve: list[int] = []

    def add(self, seconds: dict[str, int | None], near_miss: bool = False) -> None:
        self.reviews += 1
        if near_miss:
            return  # not an outage: counted as a review, never in the times
        if seconds["to_detect"] is not None and seconds["to_detect"] >= 0:
            self.to_detect.append(seconds["to_detect"])
        if seconds["to_resolve"] is not None and seconds["to_resolve"] >= 0:
            self.to_resolve.append(seconds["to_resolve"])

    def stats(self) -> QuarterStats:
        return QuarterStats(
            quarter=self.name,
            reviews=self.reviews,
            median_to_detect=median_seconds(self.to_detect),
            timed_to_detect=len(self.to_detect),
            median_to_resolve=median_seconds(self.to_resolve),
            timed_to_resolve=len(self.to_resolve),
            spread_to_detect=quartiles(self.to_detect),
            spread_to_resolve=quartiles(self.to_resolve),
        )


def _quarter_order(name: str) -> tuple[int, str]:
    return (1, name) if name == UNDATED else (0, name)


def archive_stats(reviews: Iterable[Review], today: date) -> ArchiveStats:
    """The statistics of ``reviews`` as of ``today`` (see the module docstring for definitions)."""
    by_quarter: dict[str, _Times] = {}
    overall = _Times("all")
    kinds: Counter[str] = Counter({kind: 0 for kind in KINDS})
    # Every status is counted from 0, but "not doing" (newer) is shown only where it occurs.
    statuses: Counter[str] = Counter({status: 0 for status in STATUSES if status != "not_doing"})
    words: Counter[str] = Counter()
    overdue = root_causes = count = near_misses = 0
    categories: Counter[str] = Counter()
    for review in reviews:
        count += 1
        kinds[review.kind] += 1
        near_misses += review.near_miss
        categories.update(set(review.impact_categories))
        seconds = durations(review)
        quarter = review_quarter(review)
        by_quarter.setdefault(quarter, _Times(quarter)).add(seconds, review.near_miss)
        overall.add(seconds, review.near_miss)
        for action in review.actions:
            statuses[action.status] += 1
            overdue += is_overdue(action.status, action.due, today)
        for chain in review.five_whys.chains:
            cause = chain.root_cause
            if cause.strip():
                root_causes += 1
                words.update(root_cause_words(cause))
    done_so_far = Progress(statuses["done"], statuses["slipped"], statuses["dropped"], statuses["open"],
                           statuses["not_doing"])
    return ArchiveStats(
        reviews=count,
        reviews_by_kind=dict(kinds),
        quarters=[by_quarter[name].stats() for name in sorted(by_quarter, key=_quarter_order)],
        overall=overall.stats(),
        actions_by_status=dict(statuses),
        completion_rate=done_so_far.completion_rate,
        overdue=overdue,
        root_causes=root_causes,
        top_words=sorted(words.items(), key=lambda item: (-item[1], item[0]))[:TOP_WORDS],
        today=today.isoformat(),
        near_misses=near_misses,
        impact_categories={name: categories[name] for name in IMPACT_CATEGORIES if categories[name]},
    )


def show_rate(rate: float | None) -> str:
    """A completion rate as ``67%``, or ``n/a`` when there is nothing to complete."""
    return "n/a" if rate is None else f"{math.floor(rate * 100 + 0.5)}%"
