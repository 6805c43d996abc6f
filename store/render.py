"""A review rendered for the people who read it after the meeting.

Four forms, one per ``postmortem export --format``: the internal written
summary (Markdown, every section), the client-facing summary (the structure
of the source material; people, hosts, addresses and links redacted), the
interchange JSON, and the actions as CSV for a tracker.  All output is plain
Markdown or text, never Rich markup: user text is written as typed, so
``[bold]`` in a note stays literal wherever the output is shown.
"""

from __future__ import annotations

import csv
import io
import json
import re
from typing import Callable

from store.follow_up import is_pending, progress
from store.interchange import export_document
from store.language import name_variants, names_pattern
from store.model import ACTION_TYPES, IMPACT_CATEGORY_TITLES, REVIEW_STATUS_TITLES, STEP_TITLES, Action, Review, TextItem
from store.silent import visible_to
from store.voting import ranked
from store.timeline import durations, first_marker_times, show_duration, show_time, zone

NONE = "None recorded."
OPENING = "I want to walk you through what happened, what we learned, and what we are changing."
CLOSING = "What questions or concerns do you have?"
CSV_HEADER = (
    "review_id", "review_title", "what", "owner", "due", "done_when", "type", "status", "addresses",
    "action_id", "note", "done_on",
)
DURATION_LABELS = (
    ("to_detect", "Time to detect"),
    ("to_mitigate", "Time to mitigate"),
    ("to_resolve", "Time to resolve"),
)
# The client groups, in the order the source material lists them.
CLIENT_GROUPS = (
    ("Technical improvements", ("prevent", "mitigate", "repair", "other", "")),
    ("Process changes", ("process",)),
    ("Monitoring and alerting", ("detect",)),
)


# ---------------------------------------------------------------- Markdown


def render_markdown(review: Review, names: bool = False) -> str:
    """The internal written summary: every section, empty ones say so.

    ``names`` is accepted for a uniform renderer signature; the internal
    summary always keeps names (it is blameless, not anonymous).  Cards not
    yet revealed (silent writing) are left out.
    """
    review = visible_to(review, None)
    parts = [
        _md_header(review),
        _section("Summary", _paragraph(review.summary)),
        _section("Timeline", _md_timeline(review)),
        _section("Impact", _paragraph(review.impact)),
        _section("Five Whys", _md_five_whys(review)),
        _section("Contributing factors", _md_factors(review)),
        _section("What went well", _bullets(review.went_well)),
        _section("Where we got lucky", _bullets(review.lucky)),
        _section("What could improve", _bullets(ranked(review.could_improve))),
        _section("What surprised us", _bullets(review.surprises)),
        _section("What we did not know then", _paragraph(review.unknowns)),
        _section("Actions", _md_actions(review)),
        _section("Questions and concerns", _md_questions(review)),
        _section("Follow-up", _md_follow_up(review)),
    ]
    if review.cut_short:
        steps = ", ".join(STEP_TITLES.get(step, step) for step in review.cut_short)
        parts.append(_section("Discussion cut short", f"Steps whose discussion was cut short: {steps}."))
    if review.session.participants:
        parts.append(_section("The live session", _md_session(review)))
    return "\n\n".join(parts) + "\n"


def _md_session(review: Review) -> str:
    """Who took part in the live session, who led it, and which steps were written silently first."""
    session = review.session
    others = [name for name in session.participants if name != session.lead]
    lines = [md_text(f"Led by {session.lead or 'nobody'}" + (f", with {', '.join(others)}." if others else "."))]
    silent = [STEP_TITLES.get(step, step) for step, state in session.silent.items() if state == "revealed"]
    if silent:
        lines.append(md_text(f"Written silently first, then revealed: {', '.join(silent)}."))
    return "\n\n".join(lines)


def md_text(text: str) -> str:
    """User text as CommonMark shows it literally: it can start no heading, list, table, HTML, link or emphasis.

    Every character that means something inline is backslash-escaped (as
    CommonMark allows for any ASCII punctuation), and so is a line's leading
    ``-``, ``+``, ``=`` or ``1.``, which would start a list or underline a heading.
    """
    text = _MD_SPECIAL.sub(r"\\\1", text)
    text = _MD_LINE_MARK.sub(r"\1\\\2", text)
    return _MD_LINE_NUMBER.sub(r"\1\\\2", text)


_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>#|~&])")
_MD_LINE_MARK = re.compile(r"^([ \t]*)([-+=])", re.M)
_MD_LINE_NUMBER = re.compile(r"^([ \t]*\d+)([.)])", re.M)


def _md_header(review: Review) -> str:
    kind = "Project review" if review.kind == "project" else "Incident review"
    severity = f" ({md_text(review.severity)})" if review.severity else ""
    facts = [
        ("Review date", review.review_date),
        ("Review status", REVIEW_STATUS_TITLES.get(review.review_status, review.review_status)),
        ("Write-up owner", review.owner),
        ("Facilitator", review.facilitator),
        ("Participants", ", ".join(review.participants)),
        ("Timezone", review.timezone),
    ]
    categories = ", ".join(IMPACT_CATEGORY_TITLES.get(name, name) for name in review.impact_categories)
    facts += [(label, value) for label, value in (("Trigger", review.trigger), ("Detection", review.detection),
                                                  ("Impact categories", categories)) if value.strip()]
    if review.near_miss:
        facts.append(("Near miss", "yes: nothing reached users"))
    lines = [f"- {label}: {md_text(_one_line(value)) or '-'}" for label, value in facts]
    when = _incident_span(review)
    if when:
        lines.insert(0, f"- {'Incident' if review.kind == 'incident' else 'When'}: {md_text(when)}")
    if review.links:
        lines += [f"- {md_text(_one_line(link.label)) or 'Link'}: {_md_link(link.url)}" for link in review.links if link.url.strip()]
    return f"# {kind}: {md_text(_one_line(review.title)) or '(untitled)'}{severity}\n\n" + "\n".join(lines)


_WEB_ADDRESS = re.compile(r"https?://[^\s<>`\\]+")


def _md_link(text: str) -> str:
    """A web address as a link a reader can follow; anything else (a ticket id, a channel) as code, shown as typed."""
    text = _one_line(text)
    if _WEB_ADDRESS.fullmatch(text):
        return f"<{text}>"
    return "`" + text.replace("`", "'") + "`"


def _incident_span(review: Review) -> str:
    """When it happened and for how long, from the started and resolved markers: "2026-11-20 14:05 to 14:27 UTC (22 minutes)"."""
    times = first_marker_times(review)
    start = times.get("started")
    if start is None:
        return ""
    tz = zone(review.timezone)
    began = start.astimezone(tz)
    end = times.get("resolved")
    if end is None:
        return f"{began:%Y-%m-%d %H:%M} {review.timezone} (not marked resolved)"
    ended = end.astimezone(tz)
    until = f"{ended:%H:%M}" if ended.date() == began.date() else f"{ended:%Y-%m-%d %H:%M}"
    return f"{began:%Y-%m-%d %H:%M} to {until} {review.timezone} ({plain_duration(int((end - start).total_seconds()))})"


def _section(title: str, body: str) -> str:
    return f"## {title}\n\n{body or NONE}"


def _paragraph(text: str) -> str:
    return md_text(text.strip())


def _one_line(text: str) -> str:
    return " ".join(text.split())


def votes_label(item) -> str:
    """" (3 votes)" after an item a dot vote ranked, or ""."""
    return f" ({item.votes} vote{'s' if item.votes != 1 else ''})" if item.votes else ""


def _bullets(items: list[TextItem] | list[str]) -> str:
    """One bullet per text; a named card (silent writing) says who wrote it."""
    texts = [item if isinstance(item, str) else item.text + _by(item) + votes_label(item) for item in items]
    return "\n".join(_bullet(text) for text in texts if text.strip())


def _by(item) -> str:
    """Who wrote an item, when it was written silently with named cards (never in the client summary)."""
    return f" ({item.author})" if item.author else ""


def _bullet(text: str, mark: str = "-") -> str:
    """A list item; continuation lines are indented so they stay in the item."""
    pad = " " * (len(mark) + 1)
    return f"{mark} " + md_text(text.strip()).replace("\n", "\n" + pad)


def _cell(text: str | None) -> str:
    """Text safe inside a Markdown table cell: escaped (pipes too), line breaks as <br>."""
    return "<br>".join(md_text(line.strip()) for line in (text or "").strip().split("\n"))


def _table(header: tuple[str, ...], rows: list[tuple[str, ...]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(_cell(value) for value in row) + " |" for row in rows]
    return "\n".join(lines)


def _md_timeline(review: Review) -> str:
    if not review.timeline:
        return ""
    rows = [
        (show_time(event.at, review.timezone), event.text + _by(event), event.marker or "")
        for event in review.timeline
    ]
    table = _table(("Time", "Event", "Marker"), rows)
    spans = durations(review)
    lines = [f"- {label}: {show_duration(spans[key])}" for key, label in DURATION_LABELS]
    return f"Times are in {md_text(review.timezone)}.\n\n{table}\n\n" + "\n".join(lines)


def _md_five_whys(review: Review) -> str:
    whys = review.five_whys
    if not whys.problem.strip() and not whys.chains:
        return ""
    parts = [f"Problem: {md_text(whys.problem.strip()) or '-'}"]
    for number, chain in enumerate(whys.chains, start=1):
        answers = [why for why in chain.whys if why.strip()]
        lines = [_bullet(why, f"{index}.") for index, why in enumerate(answers, start=1)]
        lines.append(f"\nRoot cause: {md_text(_one_line(chain.root_cause)) or '-'}" + votes_label(chain))
        parts.append(f"### Chain {number}\n\n" + "\n".join(lines))
    return "\n\n".join(parts)


FACTOR_LABELS = {"trigger": "Trigger", "contributing": "Contributing", "mitigating": "Mitigating"}


def _md_factors(review: Review) -> str:
    """Numbered as the actions refer to them ("factor 2"), each with how it made sense at the time."""
    entries = []
    for number, factor in enumerate(review.factors, start=1):
        if not factor.text.strip():
            continue
        label = FACTOR_LABELS.get(factor.kind, md_text(factor.kind))
        entry = _bullet(f"{label}: {_one_line(factor.text)}{_by(factor)}", f"{number}.")
        if factor.rationale.strip():
            pad = " " * (len(str(number)) + 2)
            entry += f"\n{pad}- How it made sense at the time: " + md_text(_one_line(factor.rationale))
        entries.append(entry)
    return "\n".join(entries)


_CHAIN_REFERENCE = re.compile(r"^\s*root\s+cause\s+of\s+chain\s+(\d+)\s*$", re.I)
_FACTOR_REFERENCE = re.compile(r"^\s*(?:contributing\s+)?factor\s+(\d+)\s*$", re.I)


def written_out(review: Review, addresses: str) -> str:
    """What an action addresses, in words: "root cause of chain 1" becomes that root cause, "factor 2" that factor."""
    chain = _CHAIN_REFERENCE.match(addresses)
    chains = [c for c in review.five_whys.chains]
    if chain and 1 <= int(chain.group(1)) <= len(chains) and chains[int(chain.group(1)) - 1].root_cause.strip():
        return "Root cause: " + _one_line(chains[int(chain.group(1)) - 1].root_cause)
    factor = _FACTOR_REFERENCE.match(addresses)
    if factor and 1 <= int(factor.group(1)) <= len(review.factors) and review.factors[int(factor.group(1)) - 1].text.strip():
        found = review.factors[int(factor.group(1)) - 1]
        label = {"trigger": "Trigger"}.get(found.kind, f"{FACTOR_LABELS.get(found.kind, found.kind)} factor")
        return f"{label}: {_one_line(found.text)}"
    return addresses


def _md_actions(review: Review) -> str:
    actions = review.actions
    if not actions:
        return ""
    header = ("What", "Owner", "Due", "Done when", "Type", "Status", "Addresses")
    rows = [
        (a.what, a.owner, a.due, a.done_when, a.type, _md_status(a), written_out(review, a.addresses)) for a in actions
    ]
    # A note written at the follow-up is shown there, with its decision, not twice.
    notes = [_bullet(f"{_one_line(a.what)}: {_note_lead(a)}{a.note.strip()}") for a in actions
             if a.note.strip() and not a.decided]
    return _table(header, rows) + ("\n\nNotes:\n\n" + "\n".join(notes) if notes else "")


def _note_lead(action: Action) -> str:
    return "not doing, because " if action.status == "not_doing" else ""


def _md_status(action: Action) -> str:
    """The status in words: "not doing", and "done on <day>" for an action done at the review."""
    if action.status == "not_doing":
        return "not doing"
    if action.status == "done" and action.done_on and not action.decided:
        return f"done on {action.done_on}"
    return action.status


def _md_questions(review: Review) -> str:
    entries = []
    for question in review.questions:
        if not question.text.strip():
            continue
        answer = question.answer.strip() or "(not answered yet)"  # escaped below, like the answer
        entries.append(_bullet(question.text) + "\n  Answer: " + md_text(answer).replace("\n", "\n  "))
    return "\n".join(entries)


def _md_follow_up(review: Review) -> str:
    follow = review.follow_up
    lines = []
    if follow.held:
        lines.append(f"- Held: {md_text(_one_line(follow.held))}")
    if is_pending(review) or not follow.held:
        label = "Next follow-up" if follow.held else "Due"
        lines.append(f"- {label}: {md_text(follow.due) or '-'}")
    if _followed_up(review):
        lines.append(f"- Progress: {progress(review).describe()}")
    if follow.notes.strip():
        lines.append(_bullet("Notes: " + follow.notes))
    if _followed_up(review):
        lines += ["", _md_decisions(review)]
    return "\n".join(lines)


def _followed_up(review: Review) -> bool:
    """True once a follow-up was held or any action has a follow-up decision."""
    return bool(review.follow_up.held) or any(action.decided for action in review.actions)


def _md_decisions(review: Review) -> str:
    """Each action under its decision, with what was said about it."""
    groups = {"done": [], "slipped": [], "dropped": [], "not_doing": [], "undecided": []}
    for action in review.actions:
        key = "undecided" if action.status == "open" else action.status
        groups[key].append(_bullet(_md_decision_line(action, key)))
    titles = {"done": "Done", "slipped": "Slipped", "dropped": "Dropped", "not_doing": "Not doing (decided at the review)",
              "undecided": "Still to decide"}
    return "\n\n".join(f"### {titles[key]}\n\n" + "\n".join(lines) for key, lines in groups.items() if lines)


def _md_decision_line(action: Action, key: str) -> str:
    what = _one_line(action.what) or "(no description)"
    owner = f" ({_one_line(action.owner)})" if action.owner.strip() else ""
    note = _one_line(action.note)
    if key == "done":
        return f"{what}{owner}. How it is working: {note or 'not recorded'}"
    if key == "slipped":
        was = f" (was {action.slipped_from})" if action.slipped_from else ""
        return f"{what}{owner}: now due {action.due or '-'}{was}. Reason: {note or 'not recorded'}"
    if key in ("dropped", "not_doing"):
        return f"{what}{owner}. Reason: {note or 'not recorded'}"
    return f"{what}{owner}: due {action.due or '-'}, status {action.status}"


# ------------------------------------------------------------------ Client


def render_client(review: Review, names: bool = False) -> str:
    """The client-facing summary, in the structure of the source material.

    It says what happened, why, what it affected, what went well and less
    well, what we changed and when we will check it, then invites questions.
    Internal-only fields (severity, owners, notes, luck, surprises) stay out;
    every person becomes "a team member" unless ``names``; host-like names,
    IP addresses, emails and links (by their shape) and the listed words are
    redacted always.
    """
    scrub = _scrubber(review, names)
    review = visible_to(review, None)  # cards not yet revealed; the bullets below never name authors
    parts = [
        f"# Post-mortem: {md_text(scrub(_one_line(review.title))) or '(untitled)'}",
        OPENING,
        _section("What happened", _client_happened(review, scrub)),
        _section("Root cause", _client_root_causes(review, scrub)),
        _section("Impact", _client_impact(review, scrub)),
        _section("What we did well", _bullets([scrub(item.text) for item in review.went_well])),
        _section("What we could have done better", _bullets([scrub(i.text) for i in review.could_improve])),
        _section("What we have changed", _client_changed(review, scrub)),
        *_client_changing(review, scrub),
        *_client_no_longer_planned(review, scrub),
        _section("When we will review it", _client_review_date(review)),
        _section("Questions and concerns raised", _client_questions(review, scrub)),
        CLOSING,
    ]
    return "\n\n".join(parts) + "\n"


def _client_happened(review: Review, scrub: Callable[[str], str]) -> str:
    events = [event for event in review.timeline if event.marker] or review.timeline
    lines = [_bullet(f"{show_time(event.at, review.timezone)}: {scrub(_one_line(event.text))}") for event in events]
    parts = [_paragraph(scrub(review.summary))]
    if lines:
        parts.append(f"Timeline (times in {md_text(review.timezone)}):\n\n" + "\n".join(lines))
    parts.append(_client_durations(review))
    return "\n\n".join(part for part in parts if part)


def _client_durations(review: Review) -> str:
    """Start, detection, mitigation and end in plain words: "It began at 14:05 on 20 November 2026 (UTC). ..." """
    times = first_marker_times(review)
    start = times.get("started")
    if start is None:
        return ""
    local = start.astimezone(zone(review.timezone))
    began = f"It began at {local:%H:%M} on {local.day} {local:%B %Y} ({md_text(review.timezone)})."
    spans = durations(review)
    detect, mitigate, resolve = (spans[key] for key in ("to_detect", "to_mitigate", "to_resolve"))
    clauses = []
    if detect is not None:
        clauses.append(f"detected it {plain_duration(detect)} later")
    if mitigate is not None:
        clauses.append(f"limited its effect within {plain_duration(mitigate)}")
    said = f" We {' and '.join(clauses)}" if clauses else ""
    if resolve is not None:
        over = f"it was over after {plain_duration(resolve)}"
        said = f"{said}; {over}" if said else f" {over[0].upper()}{over[1:]}"
    return f"{began}{said}." if said else began


def plain_duration(seconds: int) -> str:
    """A duration as a person says it: "4 minutes", "1 hour and 5 minutes", "18 hours", "2 days and 3 hours"."""
    seconds = max(0, seconds)
    if seconds < 60:
        return _count(seconds, "second")
    minutes = round(seconds / 60)
    days, rest = divmod(minutes, 1440)
    hours, minutes = divmod(rest, 60)
    if days:
        return _count(days, "day") + (f" and {_count(hours, 'hour')}" if hours else "")
    if hours:
        return _count(hours, "hour") + (f" and {_count(minutes, 'minute')}" if minutes else "")
    return _count(minutes, "minute")


def _count(number: int, unit: str) -> str:
    return f"{number} {unit}" + ("" if number == 1 else "s")


def _client_root_causes(review: Review, scrub: Callable[[str], str]) -> str:
    """The root causes tied to what happened, then what set it off and what contributed (not the internal rationale)."""
    causes = [scrub(_one_line(chain.root_cause)) for chain in ranked(review.five_whys.chains) if chain.root_cause.strip()]
    problem = scrub(_one_line(review.five_whys.problem)).rstrip(". ")
    parts = []
    if causes:
        lead = f"{problem}. We traced it back to" if problem else "We traced the problem back to"
        if len(causes) == 1:
            parts.append(md_text(f"{lead} this cause: {_sentence(causes[0])}"))
        else:
            parts.append(md_text(f"{lead} these causes:") + "\n\n" + _bullets(causes))
    for kind, lead in (("trigger", "What set it off:"), ("contributing", "What contributed:")):
        texts = [scrub(_one_line(f.text)) for f in review.factors if f.kind == kind and f.text.strip()]
        if texts:
            parts.append(f"{lead}\n\n" + _bullets(texts))
    return "\n\n".join(part for part in parts if part)


def _sentence(text: str) -> str:
    """Text ending as a sentence does."""
    text = text.strip()
    return text if text[-1:] in ".!?" else text + "."


def _grouped(actions: list[Action], line: Callable[[Action], str]) -> str:
    """The actions as bullets under the source material's three kinds of change, each listed once."""
    groups = []
    for title, types in CLIENT_GROUPS:
        lines = [_bullet(line(a)) for a in actions if a.type in types or (a.type not in ACTION_TYPES and "" in types)]
        if lines:
            groups.append(f"### {title}\n\n" + "\n".join(lines))
    return "\n\n".join(groups)


def _client_changed(review: Review, scrub: Callable[[str], str]) -> str:
    """What is already in place; after a follow-up, how each is working."""
    done = [a for a in review.actions if a.status == "done" and a.what.strip()]
    if not done:
        return "Nothing is in place yet; what we are changing follows."

    def line(action: Action) -> str:
        note = scrub(_one_line(action.note)) if action.decided else ""
        return _sentence(scrub(_one_line(action.what))) + (f" How it is working: {note}" if note else "")

    body = _grouped(done, line)
    held = review.follow_up.held
    if held:
        body = f"At our follow-up on {md_text(held)}, here is what we implemented and how it is working:\n\n{body}"
    pending = [a for a in review.actions if a.status in ("open", "slipped") and a.what.strip()]
    if not pending:
        body += "\n\n" + ("All of these are in place." if len(done) > 1 else "This is in place.")
    return body


def _client_changing(review: Review, scrub: Callable[[str], str]) -> list[str]:
    """What is still to come, each with its date; a slipped one says it is later than planned."""
    pending = [a for a in review.actions if a.status in ("open", "slipped") and a.what.strip()]
    if not pending:
        return []

    def line(action: Action) -> str:
        what = scrub(_one_line(action.what)).rstrip(".")
        if action.status == "slipped":
            return f"{what}: taking longer than planned, now expected by {action.due}."
        return f"{what}: by {action.due}." if action.due else f"{what}: date to be set."

    return [_section("What we are changing", _grouped(pending, line))]


def _client_no_longer_planned(review: Review, scrub: Callable[[str], str]) -> list[str]:
    """A change promised and then dropped at a follow-up is said so, with why (never silently left out)."""
    dropped = [a for a in review.actions if a.status == "dropped" and a.what.strip()]
    if not dropped or not _followed_up(review):
        return []
    lines = []
    for action in dropped:
        note = scrub(_one_line(action.note))
        lines.append(_bullet(_sentence(scrub(_one_line(action.what))) + (f" Why: {note}" if note else "")))
    return [_section("What we no longer plan to do", "\n".join(lines))]


def _client_review_date(review: Review) -> str:
    due = review.follow_up.due
    if review.follow_up.held and not is_pending(review):
        return "Every change we committed to has been reviewed; none is still waiting."
    if review.follow_up.held:
        return f"We will review the changes still in progress again on {md_text(due)}."
    if not due:
        return "We will set a date to review how well these changes work."
    return f"We will review how well these changes work on {md_text(due)}."


def _client_impact(review: Review, scrub: Callable[[str], str]) -> str:
    """What it cost the client, then one plain acknowledgement (the source material: one, not repeated apologies)."""
    impact = _paragraph(scrub(review.impact))
    if not impact:
        return ""
    return impact + "\n\n" + ACKNOWLEDGEMENT


ACKNOWLEDGEMENT = "We know this disrupted your work, and we are sorry for it."


def client_warnings(review: Review) -> list[str]:
    """What a client summary lacks that its reader will notice (the export still runs)."""
    warnings = []
    if not review.summary.strip():
        warnings.append("the client summary has no overview: write one on the Summary step")
    if not review.impact.strip():
        warnings.append("the client summary has no impact: say what it cost the client on the Impact step")
    return warnings


def _client_questions(review: Review, scrub: Callable[[str], str]) -> str:
    entries = []
    for question in review.questions:
        if not question.text.strip():
            continue
        entry = _bullet(scrub(question.text))
        if question.answer.strip():
            entry += "\n  Answer: " + md_text(scrub(question.answer.strip())).replace("\n", "\n  ")
        entries.append(entry)
    return "\n".join(entries)


def _bounded(phrase: str) -> str:
    """A case-insensitive pattern for ``phrase`` as whole words, any whitespace between."""
    words = [re.escape(word) for word in phrase.split()]
    return r"(?<!\w)" + r"\s+".join(words) + r"(?!\w)"


# Things a client summary never shows, found by their shape, each replaced by what kind of thing it was.
# Order matters: an email or a link holds a host name, so they go first.
_ADDRESS_LABEL = r"[a-z0-9](?:[a-z0-9-]*[a-z0-9])?"
_NOT_HOSTS = frozenset(
    "ipv4 ipv6 utf8 utf16 utf32 sha1 sha256 sha512 md5 base64 base32 http1 http2 http3 int8 int16 int32 int64 "
    "uint8 uint16 uint32 uint64 float32 float64 arm64 amd64 x86 x64 log4j tls12 tls13 python2 python3 mp3 mp4 h264 "
    "h265 gzip2 bzip2 oauth2 es6 es2015 win32 win64 covid19 iso8601 iso9001 rfc1918 rfc3339".split()
)
SHAPES = (
    (re.compile(r"[\w.+-]+@" + _ADDRESS_LABEL + r"(?:\." + _ADDRESS_LABEL + r")+", re.I), "an email address"),
    (re.compile(r"\b(?:https?|ftp|ssh|postgres(?:ql)?|mysql|redis|s3)://[^\s<>()\[\]]+[^\s<>()\[\].,;:!?'\"]", re.I), "a link"),
    # A version suffix ("-rc1", "+build5") after it means a version number, not an address.
    (re.compile(r"(?<![\w.])(?:\d{1,3}\.){3}\d{1,3}(?:/\d{1,2})?(?::\d{1,5})?(?!\w|\.\w|[-+][a-z])", re.I),
     "an IP address"),
    (re.compile(r"(?<![\w:])(?:[0-9a-f]{1,4}:){1,7}:?(?:[0-9a-f]{1,4}(?::[0-9a-f]{1,4})*)?(?![\w:])", re.I), "an IP address"),
    (re.compile(r"(?<![\w.-])" + _ADDRESS_LABEL + r"(?:\." + _ADDRESS_LABEL + r")*\.(?:com|net|org|io|dev|internal|"
                r"local|lan|corp|cloud|cluster|svc|intra|prod|staging)(?![\w-])(?:\.[a-z]{2,})*(?::\d{1,5})?", re.I),
     "an internal host"),
    (re.compile(r"(?<![\w.-])(?P<name>[a-z]{2,}(?:-[a-z]+)*-?\d+[a-z0-9]*(?:-[a-z0-9]+)*)(?![\w-]|\.\w)"), "an internal host"),
    # In capitals only with two word parts (DB-PROD-7): "INC-123", "SEV2" and "EC2" are tickets and names, not hosts.
    (re.compile(r"(?<![\w.-])[a-z]{2,}(?:-[a-z]+)+-\d+[a-z0-9]*(?:-[a-z0-9]+)*(?![\w-]|\.\w)", re.I), "an internal host"),
)


def _redact_shapes(text: str) -> str:
    """Emails, links, IP addresses and host-like names replaced by what they are ("an internal host")."""
    for pattern, placeholder in SHAPES:
        text = pattern.sub(lambda match: _placeholder(match, placeholder), text)
    return text


def _placeholder(match: re.Match, placeholder: str) -> str:
    if match.re.groupindex.get("name") and match.group("name").lower().replace("-", "") in _NOT_HOSTS:
        return match.group(0)
    if placeholder == "an IP address" and not _looks_like_an_address(match):
        return match.group(0)
    before = match.string[: match.start()].rstrip(" \t")
    starts = not before or before[-1] in ".!?\n"
    return placeholder[0].upper() + placeholder[1:] if starts else placeholder


def _looks_like_an_address(match: re.Match) -> bool:
    """An IPv4 address has four octets of 0 to 255 and is not a version ("version 1.2.3.4"); IPv6 see below."""
    text = match.group(0)
    if "." not in text:
        return _looks_like_ipv6(text)
    octets = text.split("/")[0].split(":")[0].split(".")
    if any(int(octet) > 255 or (len(octet) > 1 and octet.startswith("0")) for octet in octets):
        return False
    return _VERSION_BEFORE.search(match.string[max(0, match.start() - 24): match.start()]) is None


# Words that make the number after them a version: "version 1.2.3.4", "v 2.3.10.1", "build 10.0.1.2".
_VERSION_BEFORE = re.compile(
    r"(?:\b(?:v|ver|version|versions|release|releases|build|builds|patch|firmware|kernel|revision|rev)\.?:?|=)\s*$",
    re.I,
)


def _looks_like_ipv6(text: str) -> bool:
    """An IPv6 address has "::" or at least five groups; "14:05:00" (a time) has neither."""
    return "::" in text or text.count(":") >= 4


def _people(review: Review) -> dict[str, str]:
    """Each way a person may be named (full name, each name part), lower-cased, to how the client summary says it.

    Everyone becomes "a team member": a role ("the write-up owner", "the
    facilitator") still singles one person out, which is what blame needs.

    Name variants come from :mod:`store.language`, the same as the blame checks,
    so "Dana Scully" is caught as "Scully" too, and a participant called May
    does not turn "the job may fail" into nonsense.
    """
    people = [(review.facilitator, "a team member"), (review.owner, "a team member")]
    people += [(name, "a team member") for name in review.participants]
    people += [(action.owner, "a team member") for action in review.actions]
    roles: dict[str, str] = {}
    for full in (True, False):  # full names first, so a name part never shadows a person's role
        for name, role in people:
            for variant in name_variants(name):
                if (" " in variant) == full and variant.lower() not in roles:
                    roles[variant.lower()] = role
    return roles


def _scrubber(review: Review, names: bool) -> Callable[[str], str]:
    """The function every user text passes in the client summary: redact, then de-name."""
    redactions = sorted({p.strip() for p in review.redact if p.strip()}, key=len, reverse=True)
    redact = re.compile("|".join(map(_bounded, redactions)), re.I) if redactions else None
    roles = {} if names else _people(review)
    people = names_pattern(roles) if roles else None

    def scrub(text: str) -> str:
        if redact:
            text = redact.sub("(redacted)", text)
        text = _redact_shapes(text)
        if people:
            text = people.sub(lambda m: _role(m, roles), text)
        return text

    return scrub


def _role(match: re.Match, roles: dict[str, str]) -> str:
    """The role for a matched name, capitalised where it starts a sentence."""
    role = roles[" ".join(match.group(0).split()).lower()]
    before = match.string[: match.start()].rstrip(" \t")
    starts = not before or before[-1] in ".!?\n"
    return role[0].upper() + role[1:] if starts else role


# ------------------------------------------------------------ JSON and CSV


def render_json(review: Review, names: bool = False) -> str:
    """The interchange document, indented, readable UTF-8 (``names`` is ignored)."""
    return json.dumps(export_document(review), indent=2, ensure_ascii=False) + "\n"


def render_csv(review: Review, names: bool = False) -> str:
    """One row per action for a tracker; the csv module quotes commas, quotes and newlines.

    The action's id and its note (the reason, or how it is working after a
    follow-up) come last, so a tracker import keeps them and older imports
    that read the first nine columns still work.

    A cell that a spreadsheet would run as a formula (it starts with ``=``,
    ``+``, ``-``, ``@``, a tab or a carriage return) is written with a leading
    ``'``, so an action typed as ``=HYPERLINK(...)`` stays text when opened.
    """
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_HEADER)
    for a in review.actions:
        row = (review.id, review.title, a.what, a.owner, a.due, a.done_when, a.type, a.status, a.addresses,
               a.id, a.note, a.done_on)
        writer.writerow(tuple(_spreadsheet_safe(cell) for cell in row))
    return out.getvalue()


def _spreadsheet_safe(cell: str) -> str:
    return "'" + cell if cell[:1] in ("=", "+", "-", "@", "\t", "\r") else cell


RENDERERS: dict[str, Callable[..., str]] = {
    "markdown": render_markdown,
    "client": render_client,
    "json": render_json,
    "csv": render_csv,
}
