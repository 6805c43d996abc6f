"""A review's live session: who is here, in which role, and the rules of leading it.

Presence (one :class:`Member` per app process) is kept beside the review,
never in it: heartbeats every few seconds would otherwise rewrite the review
for everyone.  Each backend keeps it its own way (:meth:`Backend.announce`,
:meth:`Backend.present`); a member not heard from for ``GONE_AFTER`` seconds
has left.  Nothing here imports Textual.
"""

from __future__ import annotations

import getpass
import os
import secrets
import string
import time
from dataclasses import asdict, dataclass, field

from store.sanitize import clean_line

ROLES = ("facilitator", "participant", "observer")
# A terminal announces itself this often, and is gone when silent for GONE_AFTER.
HEARTBEAT_SECONDS = 2.5
GONE_AFTER = 8.0
NAME_LENGTH = 40


def login_name() -> str:
    """Who runs this process, as the default session name."""
    try:
        return getpass.getuser()
    except Exception:  # no login name at all (a container with an unknown uid)
        return f"uid{os.getuid()}"


def clean_name(name: str) -> str:
    """A participant's name as shown to everyone: one line, no control characters, not too long."""
    return clean_line(name or "")[:NAME_LENGTH]


def fresh_member_id() -> str:
    """One id per app process: two terminals of one person are two members."""
    return "m" + "".join(secrets.choice(string.ascii_lowercase) for _ in range(11))


@dataclass
class Member:
    """One terminal in a review's session, as it last announced itself."""

    id: str
    name: str
    role: str = "participant"
    step: str = "setup"
    typing: bool = False
    following: bool = True
    seen: float = field(default_factory=time.time)
    since: float = field(default_factory=time.time)  # when this terminal joined: the earliest leads a new session
    spoke: list[str] = field(default_factory=list)  # the steps where it has added or typed something
    # The facilitator's step timer (step, seconds, left, paused): everyone in the session shows the same time.
    clock: dict = field(default_factory=dict)

    @property
    def leads(self) -> bool:
        return self.role == "facilitator"

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> Member | None:
        """A member from what another process wrote; None when it is not one (damaged, or hostile)."""
        try:
            member = cls(
                id=str(data["id"])[:40],
                name=clean_name(str(data["name"])),
                role=data["role"] if data.get("role") in ROLES else "participant",
                step=clean_line(str(data.get("step", "")))[:40],
                typing=data.get("typing") is True,
                following=data.get("following") is not False,
                seen=float(data["seen"]),
                since=float(data.get("since", data["seen"])),
                spoke=[clean_line(str(step))[:40] for step in data.get("spoke", [])][:20]
                if isinstance(data.get("spoke", []), list) else [],
                clock=_clock(data.get("clock")),
            )
        except (KeyError, TypeError, ValueError, AttributeError):
            return None
        return member if member.id and member.name else None

    def fresh(self, now: float | None = None) -> bool:
        """Heard from within GONE_AFTER seconds."""
        return (now if now is not None else time.time()) - self.seen < GONE_AFTER


def present_in_order(members: list[Member]) -> list[Member]:
    """The facilitator first, then everyone else by name; one entry per member id."""
    unique = {member.id: member for member in members}
    return sorted(unique.values(), key=lambda member: (not member.leads, member.role == "observer",
                                                       member.name.lower(), member.id))


def _clock(value) -> dict:
    """A facilitator's step timer as another process wrote it, or {} when it is not one (damaged, or hostile)."""
    if not isinstance(value, dict) or not value:
        return {}
    step, seconds, left, paused = value.get("step"), value.get("seconds"), value.get("left"), value.get("paused")
    numbers = all(isinstance(n, (int, float)) and not isinstance(n, bool) and abs(n) < 10**7 for n in (seconds, left))
    if not isinstance(step, str) or not numbers or not isinstance(paused, bool) or seconds <= 0:
        return {}
    return {"step": clean_line(step)[:40], "seconds": int(seconds), "left": float(left), "paused": paused}
