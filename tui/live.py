"""This terminal's part in a review's live session: presence, its role, and following the facilitator.

The app owns one :class:`LiveSession`.  Once a second it announces this
terminal (name, role, step, typing) beside the review and reads who else is
there, on a thread of its own, so the event loop never waits on a disk.  Where
the store pushes presence (PostgreSQL's notices,
``Backend.presence_version``), :meth:`LiveSession.listen`, ten times a second,
reads who is here as soon as a notice says it changed, and announces a change
of this terminal at once, so the others see it within the live-editing budget.
The role comes from the review itself: the facilitator is whoever the review's
``session.lead`` names (the first to open it, or whoever took it over), an
observer is whoever joined with ``--observe``, and everyone else participates.

While a facilitator is present, the facilitator's step (the review's
``step``) is the session's step: participants who follow are taken to it, and
only the facilitator moves it.  With no facilitator present, everyone moves
freely, as when working alone.
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from typing import Callable

from store.errors import StoreError
from store.model import STEP_TITLES, Review
from store.session import HEARTBEAT_SECONDS, Member, clean_name, fresh_member_id, login_name, present_in_order

# Keys typed within this many seconds make a terminal "typing" for the others.
TYPING_SECONDS = 2.0


class LiveSession:
    """Presence and role of this terminal in the session of the review on screen."""

    def __init__(self, store, name: str | None, observe: bool, deliver: Callable) -> None:
        self.store = store
        self.observing = observe
        self.named = bool(name)  # given with --as (else the login name, which others may share)
        name = name or login_name()
        self.me = Member(id=fresh_member_id(), name=clean_name(name) or "someone",
                         role="observer" if observe else "participant")
        self.review_id: str | None = None
        self.members: list[Member] = []  # everyone present, this terminal included, as last read
        self.following = True
        self.lead = ""  # the review's session.lead, as last stored
        self.gathered = 0  # the review's session.gathered this terminal has answered
        self._deliver = deliver  # runs a callback on the event loop
        self._on_members: Callable[[list[Member]], None] | None = None
        self._announced: tuple | None = None
        self._announced_at = float("-inf")
        self._busy = False
        self._presence_heard: object = None  # the store's presence version when last read
        self._claimed: str | None = None  # the review this terminal asked to lead (once)
        self.spotlight = ""  # who has the floor, as the review last said
        self.heard: dict[str, list[str]] = {}  # the review's record of who spoke on which step
        self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="presence")

    # Role ---------------------------------------------------------------------

    @property
    def leads(self) -> bool:
        return self.me.role == "facilitator"

    def role_in(self, review: Review) -> str:
        if self.observing:
            return "observer"
        return "facilitator" if review.session.lead == self.me.name else "participant"

    def leader(self) -> Member | None:
        """The facilitator present (not this terminal), or None."""
        return next((member for member in self.members if member.leads and member.id != self.me.id), None)

    def lead_clock(self, step: str) -> dict | None:
        """The facilitator's timer for ``step`` as last announced, when another terminal leads; else None."""
        leader = self.leader()
        if leader is None or self.leads or leader.clock.get("step") != step:
            return None
        return leader.clock | {"heard": leader.seen}

    def steers(self) -> bool:
        """Whether this terminal's moves set the review's step: it leads, or nobody leading is here."""
        return not self.observing and (self.leads or self.leader() is None)

    def claim_ops(self, review: Review) -> list:
        """The changes that make this terminal the facilitator, when a session forms and nobody leads it yet.

        A session forms when a second terminal joins; the one that has been
        there longest leads.  Nothing is written while a terminal is alone in
        a review, so opening a review to read it changes nothing.
        """
        if self.observing or review.session.lead or self._claimed == review.id:
            return []
        others = [member for member in self.members if member.id != self.me.id]
        if not others:
            return []
        first = min([self.me] + [member for member in others if member.role != "observer"],
                    key=lambda member: (member.since, member.id))
        if first is not self.me:
            return []
        self._claimed = review.id
        return self.take_over_ops(review)

    def take_over_ops(self, review: Review) -> list:
        """The changes that make this terminal the facilitator; the setup's facilitator field names it if blank."""
        from store import ops

        changes = [ops.Set("session.lead", self.me.name)]
        if not review.facilitator.strip() or review.session.lead == review.facilitator:
            changes.append(ops.Set("facilitator", self.me.name))
        return changes

    # The review on screen -----------------------------------------------------

    def join(self, review: Review, step: str,
             on_members: Callable[[list[Member]], None] | None = None) -> None:
        """This terminal now shows ``review``: read who is there, then say so, on the presence thread.

        The event loop never waits for it (a disk, a database server that is
        down); until the answer arrives this terminal is alone in the session,
        and ``on_members`` gets who is there on the event loop.
        """
        joining = self.review_id != review.id
        if joining:
            self.leave()
            self.review_id = review.id
            self.following = True
            self.gathered = review.session.gathered
            self.members = [self.me]
        self.update(review, step)
        if joining:
            if on_members is not None:
                self._on_members = on_members
            self._busy = True  # the heartbeat waits for the join's answer
            self.me.following = self.following
            self._worker.submit(self._join, review.id, Member(**self.me.to_dict()))

    def _join(self, review_id: str, me: Member) -> None:
        """(Presence thread.) Who is there, then announce this terminal under a name apart from theirs."""
        try:
            others = [member for member in self.store.present(review_id) if member.id != me.id]
        except (OSError, StoreError):
            others = []
        me.name = self._name_apart(me.name, others)
        try:  # as soon as this terminal joins (one small file), so the next to join sees the name taken
            self.store.announce(review_id, me)
            announced = True
        except (OSError, StoreError):
            announced = False
        self._deliver(self._joined, review_id, me, others, announced)

    def _joined(self, review_id: str, me: Member, others: list[Member], announced: bool) -> None:
        self._busy = False
        if review_id != self.review_id:
            return
        self.me.name = me.name
        if announced:
            self._announced, self._announced_at = self._state(me), time.monotonic()
        else:
            self._announced = None
        self.members = present_in_order(others + [self.me])
        if self._on_members is not None:
            self._on_members(self.members)

    def _state(self, member: Member | None = None) -> tuple:
        """What this terminal last said of itself: a change is announced at once, not at the next heartbeat."""
        me = member or self.me
        clock = me.clock
        return (me.role, me.step, me.typing, self.following, me.name, tuple(me.spoke),
                clock.get("step"), clock.get("seconds"), clock.get("paused"))  # the time left goes with the heartbeat

    def _name_apart(self, name: str, others: list[Member]) -> str:
        """Several people logged in as one account (a shared SSH user): number the login name, "ops 2".

        A name given with ``--as`` is taken as it is: it may be the same person
        in a second terminal, or the facilitator coming back.
        """
        if self.named:
            return name
        taken = {member.name for member in others}
        base, number, apart = name, 2, name
        while apart in taken:
            apart = f"{base} {number}"
            number += 1
        return apart

    def update(self, review: Review, step: str) -> str | None:
        """Take in a stored review; the step to follow the facilitator to, if this terminal should move."""
        was = self.me.role
        self.lead = review.session.lead
        self.spotlight = review.session.spotlight
        self.heard = review.session.spoke
        self.me.role = self.role_in(review)
        self.me.step = step
        if review.session.gathered > self.gathered:
            self.gathered = review.session.gathered
            self.following = True
        if was != self.me.role:
            self._announced = None  # say so at the next beat
            self.members = present_in_order(self.members)
        return self.step_to_follow(review, step)

    def step_to_follow(self, review: Review, step: str) -> str | None:
        if self.leads or not self.following or self.leader() is None:
            return None
        return review.step if review.step != step else None

    def browsed(self, step: str, review: Review) -> None:
        """This terminal moved by itself: while a facilitator leads elsewhere, it browses (no longer follows)."""
        if not self.leads and self.leader() is not None:
            self.following = step == review.step

    def leave(self) -> None:
        """Leave the session of the review shown until now (best effort: presence expires anyway)."""
        if self.review_id is None:
            return
        review_id, member_id = self.review_id, self.me.id
        self.review_id = None
        self.members = []
        self._worker.submit(self._depart, review_id, member_id)

    def close(self) -> None:
        """At exit: leave now, so the others see it at once rather than in seconds.

        A heartbeat under way finishes first (one small file), so it cannot bring this terminal back after.
        """
        review_id = self.review_id
        self.review_id = None
        self._worker.shutdown(wait=True, cancel_futures=True)
        if review_id is not None:
            self._depart(review_id, self.me.id)

    def _depart(self, review_id: str, member_id: str) -> None:
        try:
            self.store.depart(review_id, member_id)
        except (OSError, StoreError):
            pass

    # Heartbeat ------------------------------------------------------------------

    def beat(self, typing: bool, on_members: Callable[[list[Member]], None]) -> None:
        """Once a second: announce this terminal if anything changed (or a heartbeat is due), read the others.

        The work runs on the presence thread; ``on_members`` gets the result on the event loop.
        """
        if self.review_id is None or self._busy:
            return
        self.me.typing = typing and not self.observing
        now = time.monotonic()
        self._go(self._state() != self._announced or now - self._announced_at >= HEARTBEAT_SECONDS, on_members)

    def listen(self, typing: bool, on_members: Callable[[list[Member]], None]) -> None:
        """Ten times a second: where the store pushes presence, take in a change of who is here, say ours.

        Costs nothing while nothing changed: the store's presence version is
        read from memory.  The files push nothing (None): the heartbeat reads them.
        """
        if self.review_id is None or self._busy:
            return
        version = self.store.presence_version(self.review_id)
        if version is None:
            return
        self.me.typing = typing and not self.observing
        announce = self._state() != self._announced
        if announce or version != self._presence_heard:
            self._go(announce, on_members)

    def _go(self, announce: bool, on_members: Callable[[list[Member]], None]) -> None:
        """Announce this terminal (if ``announce``) and read who is here, on the presence thread."""
        state, now = self._state(), time.monotonic()
        if announce:
            self._announced, self._announced_at = state, now
        self.me.following = self.following
        snapshot = Member(**self.me.to_dict())
        self._busy = True
        self._on_members = on_members
        self._worker.submit(self._beat, self.review_id, snapshot, announce)

    def _beat(self, review_id: str, me: Member, announce: bool) -> None:
        try:
            if announce:
                self.store.announce(review_id, me)
            self._presence_heard = self.store.presence_version(review_id)  # what the read below takes in
            members = self.store.present(review_id)
        except (OSError, StoreError):
            members = None
        self._deliver(self._heard, review_id, members)

    def _heard(self, review_id: str, members: list[Member] | None) -> None:
        self._busy = False
        if members is None or review_id != self.review_id:
            return
        members = [member for member in members if member.id != self.me.id] + [self.me]
        self.members = present_in_order(members)
        if self._on_members is not None:
            self._on_members(self.members)

    # Everyone speaks ------------------------------------------------------------

    def heard_on(self, step: str) -> None:
        """This terminal added or typed something on ``step`` (the others learn it at the next beat)."""
        if step not in self.me.spoke:
            self.me.spoke.append(step)

    def not_heard_from(self, step: str) -> list[str]:
        """The participants here who have added nothing on ``step`` yet (what the facilitator is shown).

        The review's record counts too: someone whose terminal reconnected has still spoken.
        """
        recorded = set(self.heard.get(step, ()))
        return [member.name for member in self.members if member.role == "participant" and member.id != self.me.id
                and step not in member.spoke and member.name not in recorded]

    def heard_record(self, review: Review) -> dict[str, list[str]] | None:
        """The review's record of which participants spoke where, with what the terminals here say now.

        None if the record holds it all already.
        """
        record = {step: list(names) for step, names in review.session.spoke.items()}
        for member in self.members:
            if member.role != "participant":
                continue
            for step in member.spoke:
                names = record.setdefault(step, [])
                if member.name not in names:
                    names.append(member.name)
        return record if record != review.session.spoke else None

    def next_speaker(self) -> str | None:
        """The facilitator's round robin: the participant after the one who has the floor, by name."""
        names = sorted({member.name for member in self.members if member.role == "participant"}, key=str.lower)
        if not names:
            return None
        later = [name for name in names if name.lower() > self.spotlight.lower()] if self.spotlight in names else []
        return (later or names)[0]

    def new_participants(self, review: Review) -> list[str]:
        """Names here that the review's record of the session does not hold yet (the facilitator adds them)."""
        known = set(review.session.participants)
        return [member.name for member in self.members if member.role != "observer" and member.name not in known]

    # What the presence line says --------------------------------------------------

    def others(self) -> list[Member]:
        return [member for member in self.members if member.id != self.me.id]

    def session_step(self, step: str) -> str:
        """The step the session is on: the facilitator's, or this terminal's when nobody leads."""
        leader = self.me if self.leads else self.leader()
        return leader.step if leader is not None else step

    def presence_line(self, step: str, width: int) -> str:
        """Who is here, in one line of at most ``width`` characters (empty when this terminal is alone)."""
        if not self.others():
            return ""
        at = self.session_step(step)
        parts = [_describe(member, member.id == self.me.id, at, self.spotlight) for member in self.members]
        prefix = "Here: "
        if not self.leads and not self.following and self.leader() is not None:
            prefix = f"Browsing (ctrl+r: back to {self.leader().name}). Here: "
        line = _fit(prefix, parts, width)
        if self.leads and any(member.role == "participant" for member in self.others()):
            line += "\n" + self.heard_line(step, width)
        return line

    def heard_line(self, step: str, width: int) -> str:
        """The facilitator's second line: who has not spoken on ``step`` yet, or that everyone has.

        It stays while participants are here, whoever has spoken: the step
        under it does not jump a line (and lay itself out again) each time
        the last quiet participant speaks or a new one joins.
        """
        hint = ". F12: next speaker"
        quiet = self.not_heard_from(step)
        if not quiet:
            return "Everyone here has spoken on this step" + hint
        return _fit("Not heard from on this step: ", quiet, width - len(hint)) + hint


def _describe(member: Member, me: bool, session_step: str, spotlight: str = "") -> str:
    text = member.name + (" (you)" if me else "")
    if member.leads:
        text += " [lead]"
    if spotlight and member.name == spotlight:
        text += " [speaking]"
    if member.role == "observer":
        text += " watching"
    elif member.typing:
        text += " typing"
    if member.step != session_step and member.step in STEP_TITLES:
        text += f" on {STEP_TITLES[member.step]}"
    return text


def _fit(prefix: str, parts: list[str], width: int) -> str:
    """``prefix`` and as many parts as fit in ``width``, then "+N more"."""
    shown = prefix + ", ".join(parts)
    if len(shown) <= width:
        return shown
    for count in range(len(parts) - 1, 0, -1):
        more = f", +{len(parts) - count} more"
        shown = prefix + ", ".join(parts[:count]) + more
        if len(shown) <= width:
            return shown
    return (prefix + parts[0])[: max(width - 1, 0)] + "…"
