"""The step timebox: starts when a step is entered, counts down, rings at the end.

The clock is the app's ``clock`` callable (``time.monotonic`` by default), so a
test can drive the timer with a fake clock instead of sleeping.
"""

from __future__ import annotations

from collections.abc import Callable


class Timebox:
    """A pausable countdown of ``minutes``; ``expired_once`` fires the end notice once."""

    def __init__(self, minutes: int, clock: Callable[[], float]) -> None:
        self.clock = clock
        self.seconds = minutes * 60
        self.started = clock()
        self.paused_at: float | None = None
        self.paused_for = 0.0
        self.rang = False

    @property
    def elapsed(self) -> float:
        now = self.paused_at if self.paused_at is not None else self.clock()
        return now - self.started - self.paused_for

    @property
    def remaining(self) -> float:
        return self.seconds - self.elapsed

    @property
    def paused(self) -> bool:
        return self.paused_at is not None

    def toggle_pause(self) -> None:
        """Pause a running timer, or resume a paused one."""
        if self.paused_at is None:
            self.paused_at = self.clock()
        else:
            self.paused_for += self.clock() - self.paused_at
            self.paused_at = None

    def record(self, step: str) -> dict:
        """This timer as the facilitator announces it to the session (store.session.Member.clock)."""
        return {"step": step, "seconds": self.seconds, "left": round(self.remaining, 1), "paused": self.paused}

    def follow(self, record: dict) -> None:
        """Show the facilitator's timer: ``left`` seconds of ``seconds``, as announced a moment ago.

        Relative, not a time of day: the hosts of a session's terminals may
        not agree on the time.  A timer already up when joined does not ring.
        """
        now = self.clock()
        self.seconds = record["seconds"]
        self.paused_for = 0.0
        self.started = now - (self.seconds - record["left"])
        self.paused_at = now if record["paused"] else None
        self.rang = self.rang or record["left"] < -2  # up before this terminal heard of it: rung elsewhere

    def set_minutes(self, minutes: int) -> None:
        """A new timebox for this step; the time already spent still counts."""
        self.seconds = minutes * 60
        self.rang = self.remaining <= 0 and self.rang

    def due_to_ring(self) -> bool:
        """True exactly once, when the time is first up."""
        if self.remaining <= 0 and not self.rang:
            self.rang = True
            return True
        return False

    def label(self) -> str:
        """``12:34 left``, ``3:05 over``, with ``(paused)`` while paused."""
        remaining = int(self.remaining)
        minutes, seconds = divmod(abs(remaining), 60)
        text = f"{minutes}:{seconds:02d} {'left' if remaining >= 0 else 'over'}"
        return text + (" (paused)" if self.paused else "")
