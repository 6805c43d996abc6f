"""`postmortem timeline-import ID FILE`: add timeline events from a pasted chat or log.

It prints what it read before it adds anything (each event in the review's
timezone with its proposed marker, then every line it could not read), and
adds all the events in one store transaction, so a failure adds none of them.
No Textual here: the non-interactive commands start fast.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable

from store import ops
from store.timeline import show_time
from store.timeline_paste import PastePreview, parse_paste
from tui.cli import UsageError


def timeline_import(args: argparse.Namespace, store, read_text: Callable[[str], tuple[str, str]]) -> int:
    """Preview the events read from ``args.file``, then add them unless ``--dry-run``."""
    review = store.get(args.id)  # an unknown id fails before the file is read
    text, source = read_text(args.file)
    existing = {event.marker for event in review.timeline if event.marker}
    preview = parse_paste(text, review.timezone, review.review_date, existing)
    if not preview.events:
        raise UsageError(f"{source}: no line starts with a time, so no event was read; nothing added")
    print("\n".join(preview_lines(preview, review.timezone, source)))
    if args.dry_run:
        print(f"Dry run: nothing added to {review.id}.")
        return 0
    store.apply(review.id, *(ops.Add("timeline", item) for item in preview.items()))
    print(f"Added {_count(len(preview.events), 'event')} to {review.id}.")
    return 0


def preview_lines(preview: PastePreview, tz_name: str, source: str) -> list[str]:
    """The events (local time, marker, text) and the unread lines, each with its line number."""
    lines = [f"{_count(len(preview.events), 'event')} read from {source} (times in {tz_name}):"]
    lines.extend(f"  note: {note}" for note in preview.notes)
    for event in preview.events:
        marker = f"[{event.marker}]" if event.marker else ""
        lines.append(f"  line {event.line:<4} {show_time(event.at, tz_name):<19}  {marker:<11} {event.text}")
    if preview.unread:
        unread = _count(len(preview.unread), "line")
        lines.append(f"{unread} not read (no time at the start, or a chat header with no message):")
        lines.extend(f"  line {line.line:<4} {line.text}" for line in preview.unread)
    return lines


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"
