"""Saving as you type: edits are held for a moment, then written through the store.

Typing produces many small changes to the same field; the saver keeps only the
latest per field and writes them together once typing pauses for :data:`DELAY` seconds.
``flush`` writes everything pending at once: it runs before any immediate
change (so the order of changes is kept) and on quit, SIGHUP and SIGTERM, so
nothing typed is lost.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Hashable

from store.db import Change, ReviewStore
from store.errors import StoreError
from store.ops import Operation

DELAY = 0.25


class Saver:
    """Pending operations per review, merged by key so only the latest edit is written."""

    def __init__(
        self,
        store: ReviewStore,
        on_error: Callable[[StoreError], None],
        on_written: Callable[[], None] = lambda: None,
    ) -> None:
        self.store = store
        self.on_error = on_error
        self.on_written = on_written
        self._pending: dict[str, dict[Hashable, Operation]] = {}
        self._last_queued = 0.0

    @property
    def has_pending(self) -> bool:
        """True while some typed change is not yet on disk."""
        return any(self._pending.values())

    def queue(self, review_id: str, key: Hashable, op: Operation) -> None:
        """Hold ``op`` until the next flush; a later op with the same key replaces it."""
        self._pending.setdefault(review_id, {})[key] = op
        self._last_queued = time.monotonic()

    def idle_for(self) -> float:
        """Seconds since the last edit was queued."""
        return time.monotonic() - self._last_queued

    def flush(self) -> Change | None:
        """Write every pending operation now; returns the last change written."""
        change = None
        pending, self._pending = self._pending, {}
        for review_id, ops in pending.items():
            if ops:
                change = self._write(review_id, list(ops.values())) or change
        return change

    def apply_now(self, review_id: str, *ops: Operation) -> Change | None:
        """Write pending edits, then ``ops``, at once (adds, deletes, moves)."""
        self.flush()
        return self._write(review_id, list(ops))

    def _write(self, review_id: str, ops: list[Operation]) -> Change | None:
        try:
            change = self.store.apply(review_id, *ops)
            self.on_written()
            return change
        except StoreError as error:
            # Another participant may have removed the item being edited, or the
            # value is invalid: report it, and keep the rest of the app running.
            if len(ops) > 1:
                return self._write_one_by_one(review_id, ops)
            self.on_error(error)
            return None

    def _write_one_by_one(self, review_id: str, ops: list[Operation]) -> Change | None:
        change = None
        for op in ops:
            change = self._write(review_id, [op]) or change
        return change
