"""``postmortem stats``: what the archive says across reviews, as plain text or JSON.

Never imports Textual (it is one of the non-interactive commands).  The
numbers and their definitions come from :mod:`store.stats`; this module only
lays them out, and the statistics screen lays out the very same ones.
"""

from __future__ import annotations

import json
import sys
from argparse import Namespace
from datetime import date

from store.sanitize import visible
from store.model import IMPACT_CATEGORY_TITLES
from store.stats import ArchiveStats, QuarterStats, archive_stats, show_rate
from store.timeline import show_duration

NO_REVIEWS = "No reviews yet. Start one with: postmortem new"
TIMED_NOTE = (
    "Medians count only the reviews with both markers (started and detected, or\n"
    "started and resolved); n is how many. Quarter: of the started marker, else\n"
    "of the review date."
)
COMPLETION_NOTE = "dropped actions are left out"


def stats(args: Namespace, store) -> int:
    """Print the statistics of every review in ``store``; exit 0 (even when there are none)."""
    for review_id, why in store.damaged():  # left out, and said so, rather than failing for every review
        print(visible(f"postmortem: warning: {review_id} is left out: {why}"), file=sys.stderr)
    reviews = [review for review in store.reviews_for_stats() if getattr(args, "kind", None) in (None, review.kind)]
    figures = archive_stats(reviews, date.today())
    if args.json:
        print(json.dumps(figures.to_dict(), indent=2, ensure_ascii=False))
    elif not figures.reviews:
        print(NO_REVIEWS)
    else:
        print(stats_text(figures))
    return 0


def stats_text(figures: ArchiveStats) -> str:
    """The plain-text report: reviews, the quarter table, actions, root-cause words."""
    sections = [
        reviews_line(figures),
        "\n".join(quarter_table(figures)) + "\n" + TIMED_NOTE,
        "\n".join(spread_lines(figures) + impact_lines(figures)),
        "\n".join(action_lines(figures)),
        "\n".join(word_lines(figures)),
    ]
    return "\n\n".join(section for section in sections if section)


def reviews_line(figures: ArchiveStats) -> str:
    """``12 reviews: 10 incident, 2 project``."""
    kinds = ", ".join(f"{count} {kind}" for kind, count in figures.reviews_by_kind.items() if count)
    noun = "review" if figures.reviews == 1 else "reviews"
    return f"{figures.reviews} {noun}: {kinds}" if kinds else f"{figures.reviews} {noun}"


def timed(seconds: int | None, count: int) -> str:
    """A median with how many reviews it is over: ``1h 05m (n=3)``, or ``- (n=0)``."""
    return f"{show_duration(seconds)} (n={count})"


def quarter_row(quarter: QuarterStats) -> tuple[str, str, str, str]:
    """The cells of one quarter (or the ``all`` row): quarter, reviews, to detect, to resolve."""
    return (
        quarter.quarter,
        str(quarter.reviews),
        timed(quarter.median_to_detect, quarter.timed_to_detect),
        timed(quarter.median_to_resolve, quarter.timed_to_resolve),
    )


def quarter_table(figures: ArchiveStats) -> list[str]:
    """One line per quarter, then the ``all`` line, under a header."""
    header = ("QUARTER", "REVIEWS", "MEDIAN TO DETECT", "MEDIAN TO RESOLVE")
    rows = [quarter_row(quarter) for quarter in figures.quarters] + [quarter_row(figures.overall)]
    widths = [max(len(row[column]) for row in [header, *rows]) for column in range(4)]
    return [
        f"{row[0]:<{widths[0]}}  {row[1]:>{widths[1]}}  {row[2]:<{widths[2]}}  {row[3]}".rstrip()
        for row in [header, *rows]
    ]


def spread_lines(figures: ArchiveStats) -> list[str]:
    """The middle half of all reviews' times (quartiles): a median alone hides how far they spread."""
    overall = figures.overall
    lines = []
    for label, spread, count in (("detect", overall.spread_to_detect, overall.timed_to_detect),
                                 ("resolve", overall.spread_to_resolve, overall.timed_to_resolve)):
        if spread is not None:
            lines.append(f"Time to {label}, middle half: {show_duration(spread[0])} to "
                         f"{show_duration(spread[1])} (quartiles, n={count})")
    return lines


def impact_lines(figures: ArchiveStats) -> list[str]:
    """How many reviews name each impact category, and the near misses left out of the times."""
    lines = []
    if figures.impact_categories:
        counted = ", ".join(f"{IMPACT_CATEGORY_TITLES[name]} {count}" for name, count in figures.impact_categories.items())
        lines.append(f"Impact: {counted} (reviews naming each; several may apply)")
    if figures.near_misses:
        lines.append(f"Near misses: {figures.near_misses} (not outages: left out of the times)")
    return lines


def completion_line(figures: ArchiveStats) -> str:
    """``Completion: 67% (4 done of 6 not dropped)``, or ``n/a`` when there is nothing to complete."""
    done = figures.actions_by_status.get("done", 0)
    rate = show_rate(figures.completion_rate)
    if figures.completion_rate is None:
        return f"Completion: {rate} (no actions that are not dropped)"
    return f"Completion: {rate} ({done} done of {figures.counted_for_completion}; {COMPLETION_NOTE})"


def action_lines(figures: ArchiveStats) -> list[str]:
    """Counts by status, the completion rate and the overdue count."""
    by_status = ", ".join(f"{status} {count}" for status, count in figures.actions_by_status.items())
    return [
        f"Actions: {figures.actions} ({by_status})",
        completion_line(figures),
        f"Overdue: {figures.overdue} (open or slipped, due before today)",
    ]


def word_lines(figures: ArchiveStats) -> list[str]:
    """The most frequent root-cause words, with how many root causes use each."""
    if not figures.top_words:
        return [f"Root-cause words: none yet ({figures.root_causes} root causes)"]
    width = max(len(word) for word, _ in figures.top_words)
    lines = [f"Root-cause words (how many of the {figures.root_causes} root causes use each):"]
    lines += [f"  {word:<{width}}  {count}" for word, count in figures.top_words]
    return lines
