"""Saving as you type, off the event loop, and never losing an edit to an error.

Typing produces many small changes to the same field; the saver keeps only
the latest per field and hands them to a writer thread once typing pauses
(the app calls :meth:`Saver.flush`), so no key press waits on a lock or a
disk.  The writer applies each batch through the store and reports the
stored review back on the app's event loop (``deliver``), in order.

An ``OSError`` while writing (disk full, permission denied, read-only or
failing disk) puts the batch back among the pending edits, merged with
whatever was typed since, and the saver says why (:attr:`Saver.failure`);
the app retries.  A batch that may have been stored before the error (a
database connection lost mid-commit, :class:`~store.errors.Unreachable`; a
file's directory that could not be synced after the file was replaced,
:class:`~store.errors.MaybeStored`) is kept whole and sent again first,
under the token it was sent with, and the store applies it once
(``Backend.apply(token=...)``); what was typed since follows it, over the
text it was typed over.  At exit whatever could
still not be saved is written to a recovery file
(:meth:`Saver.write_recovery`), which the app names and ``postmortem
recover`` applies.

Nothing on the event loop waits for the writer: adds, moves and deletes are
queued like typing (a new item's id is chosen by the screen, see
``store.ops.fresh_item_id``) and handed over at once.  Only
``flush(wait=True)``, when the app is leaving, waits (bounded).
"""

from __future__ import annotations

import itertools
import os
import queue
import threading
import time
import uuid
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path

from store.backend import Backend, Change
from store.errors import MaybeStored, StoreError, Unreachable
from store.ops import Edit, Operation, Set
from store.recovery import edit_record, recovery_bytes
from store.sanitize import visible

DELAY = 0.25  # a typing pause after which edits are written
RETRY_SECONDS = 2.0  # after a failed write
WAIT_SECONDS = 5.0  # longest an explicit action waits for the writer


@dataclass
class _Job:
    review_id: str
    ops: list[Operation]
    keys: list[Hashable]
    done: threading.Event = field(default_factory=threading.Event)
    change: Change | None = None
    token: str = field(default_factory=lambda: uuid.uuid4().hex)  # the same when sent again
    order: int = field(default_factory=itertools.count().__next__)  # held batches go again in this order


class Saver:
    """Pending operations per review, merged by key, written in order by one writer thread."""

    def __init__(
        self,
        store: Backend,
        on_error: Callable[[Exception], None],
        on_written: Callable[[Change], None] = lambda change: None,
        deliver: Callable[..., None] | None = None,
        on_sending: Callable[[str, list[Operation]], list[Operation] | None] = lambda review_id, ops: None,
        on_settled: Callable[[], None] = lambda: None,
    ) -> None:
        """``deliver(fn, *args)`` runs ``fn`` on the app's event loop (default: at once, in the writer).

        ``on_sending(review_id, ops)``: told of each batch before it goes; it may return the ops to send instead
        (the same changes, with where this terminal's typing ends in each text: ``TextSync.sent_ops``).
        """
        self.store = store
        self.on_error = on_error
        self.on_written = on_written
        self.on_sending = on_sending
        self.on_settled = on_settled  # on the event loop, after each batch's notice: the save state may have changed
        self.deliver = deliver or (lambda fn, *args: fn(*args))
        self.failure = ""  # why the last write failed, in words with the path, while edits wait
        self.failure_reason = ""  # the same, short (for a header)
        self._pending: dict[str, dict[Hashable, Operation]] = {}
        self._held: dict[str, list[_Job]] = {}  # batches that may be stored already: sent again, first, as they are
        self._mutex = threading.Lock()
        self._jobs: queue.Queue[_Job | None] = queue.Queue()
        self._unfinished: list[_Job] = []  # handed to the writer and not written yet, in order
        self._awaiting: dict[str, int] = {}  # batches per review whose notice is not handled yet
        self._finished: dict[str, int] = {}  # batches per review the writer has finished (stored or not)
        self._last_queued = 0.0
        self._last_typed = 0.0
        self._explicit = itertools.count()
        self._asked: set[str] = set()  # reviews whose flush waits for the answer of their last batch
        self._retry_at = 0.0
        self._writer = threading.Thread(target=self._run, name="postmortem-saver", daemon=True)
        self._writer.start()

    # Queueing -----------------------------------------------------------------

    @property
    def writing(self) -> bool:
        """True while the writer holds a batch it has not finished."""
        with self._mutex:
            return bool(self._unfinished)

    def pending_ops(self, review_id: str) -> list[Operation]:
        """The operations on one review not yet handed to the writer, in order."""
        with self._mutex:
            held = [op for job in self._held.get(review_id, []) for op in job.ops]
            return held + list(self._pending.get(review_id, {}).values())

    def sent_ops(self, review_id: str) -> list[Operation]:
        """The operations on one review sent and not stored yet: being written, or held to be sent again, in order.

        Unlike pending edits they can no longer be replaced: a screen must take
        their texts as sent (``TextSync.sent_ops``), or it would merge them into
        the stored text a second time.
        """
        with self._mutex:
            return [op for job in self._sent_jobs(review_id) for op in job.ops]

    def unstored_ops(self, review_id: str) -> list[Operation]:
        """Every operation on one review not stored yet (being written, held, pending), in order."""
        with self._mutex:
            sent = [op for job in self._sent_jobs(review_id) for op in job.ops]
            return sent + list(self._pending.get(review_id, {}).values())

    def on_its_way(self, review_id: str) -> bool:
        """True while a batch for this review is being written or held to be sent again.

        A stored review that arrives meanwhile lacks it: showing that one would
        take the batch's text for new typing and send it again.
        """
        with self._mutex:
            return bool(self._sent_jobs(review_id))

    def lacks_ours(self, review_id: str, finished_before: int | None = None) -> bool:
        """True when a stored review may lack a batch of ours: one is on its way or, for a review read
        when ``finished_before`` batches were finished, one finished since.

        One look under the mutex: asked as two questions, a batch could finish
        between them, and a review read before it was written be shown as the
        latest (the field then took the batch's text for deleted).
        """
        with self._mutex:
            finished = self._finished.get(review_id, 0)
            return bool(self._sent_jobs(review_id)) or finished_before not in (None, finished)

    def answering(self, review_id: str) -> bool:
        """True while a batch for this review was handed to the writer and its notice is not handled yet."""
        with self._mutex:
            return bool(self._awaiting.get(review_id))

    def finished(self, review_id: str) -> int:
        """How many batches of this review the writer has finished: a review read while this changed may lack one."""
        with self._mutex:
            return self._finished.get(review_id, 0)

    def _sent_jobs(self, review_id: str) -> list[_Job]:
        """(Under the mutex.) Being written, then held; a failed batch is briefly both, under one token."""
        jobs = [job for job in self._unfinished if job.review_id == review_id]
        tokens = {job.token for job in jobs}
        return jobs + [job for job in self._held.get(review_id, []) if job.token not in tokens]

    @property
    def has_pending(self) -> bool:
        """True while some typed change is not yet on disk (waiting, being written, or failed)."""
        with self._mutex:
            return bool(self._unfinished) or any(self._pending.values()) or any(self._held.values())

    def queue(self, review_id: str, key: Hashable, op: Operation, rebase: bool = False, typed: bool = False) -> None:
        """Hold ``op`` until the next flush; a later op with the same key replaces it.

        The replacement keeps the base of the op it replaces (it was typed over
        the same stored text), unless ``rebase``: the screen merged newer
        stored text in and the op's base is that text.  ``typed``: an explicit
        change made by a key typed (a blank form's first key adds its item) is typing too.
        """
        with self._mutex:
            pending = self._pending.setdefault(review_id, {})
            earlier = pending.pop(key, None)
            pending[key] = op if rebase or earlier is None else _keep_base(op, earlier)
            if rebase:  # typing merged into newer stored text is no new typing: it does not put its save off
                return
            self._last_queued = time.monotonic()
            if typed or not _is_explicit(key):
                self._last_typed = self._last_queued

    def explicit_key(self) -> Hashable:
        """A key for an explicit change (an add, a move, a decision), which no later change replaces."""
        return ("explicit", next(self._explicit))

    def idle_for(self) -> float:
        """Seconds since the last edit was queued."""
        return time.monotonic() - self._last_queued

    def typed_for(self) -> float:
        """Seconds since the user last typed into a field (adds, moves and merged-in text are not typing)."""
        return time.monotonic() - self._last_typed

    def ready(self) -> bool:
        """False for a while after a failed write (the app retries every RETRY_SECONDS)."""
        return time.monotonic() >= self._retry_at

    # Writing ------------------------------------------------------------------

    def flush(self, wait: bool = False) -> Change | None:
        """Hand pending edits to the writer; with ``wait``, all of them, and wait and return the last change.

        Without ``wait`` (a typing pause), a review whose last typed batch has
        not come back yet keeps its edits for the next flush: one batch at a
        time, so each stored review that comes back answers the text that was
        sent (see tui.text_sync), and the field never steps back.
        """
        with self._mutex:
            if wait:
                pending, self._pending = self._pending, {}
                held, self._held = self._held, {}
            else:
                held = {review_id: [jobs.pop(0)] for review_id, jobs in self._held.items()
                        if jobs and not self._awaiting.get(review_id)}  # one batch at a time, the held one first
                pending = {review_id: ops for review_id, ops in self._pending.items()
                           if not self._awaiting.get(review_id) and not self._held.get(review_id)
                           and review_id not in held}
                for review_id in pending:
                    del self._pending[review_id]
                self._asked.update(self._pending)  # the rest go as soon as their answer is in (_answered)
                self._asked.update(review_id for review_id, jobs in self._held.items() if jobs)
        for review_id, jobs in held.items():
            for job in jobs:
                self._submit(review_id, job.ops, job.keys, job)
        for review_id, ops in pending.items():
            if ops:
                self._submit(review_id, list(ops.values()), list(ops.keys()))
        if not wait:
            return None
        with self._mutex:
            unfinished = list(self._unfinished)  # these, and the batches handed over before them
        change = None
        deadline = time.monotonic() + WAIT_SECONDS
        for job in unfinished:
            job.done.wait(max(0.0, deadline - time.monotonic()))
            change = job.change or change
        return change

    def _submit(self, review_id: str, ops: list[Operation], keys: list[Hashable], held: _Job | None = None) -> _Job:
        """Hand a batch to the writer; ``held``: a batch sent before, sent again under its token and place."""
        placed = self.on_sending(review_id, ops)  # the text fields remember what they sent, and where typing ends
        if held is None and placed is not None:
            ops = placed
        job = _Job(review_id, ops, keys) if held is None else _Job(review_id, ops, keys, token=held.token,
                                                                   order=held.order)
        with self._mutex:
            self._unfinished.append(job)
            self._awaiting[review_id] = self._awaiting.get(review_id, 0) + 1
        self._jobs.put(job)
        return job

    def _answered(self, review_id: str) -> None:
        """On the event loop, after the notice of a batch (its review, or its error) was handled."""
        with self._mutex:
            self._awaiting[review_id] = max(0, self._awaiting.get(review_id, 0) - 1)
            asked = review_id in self._asked and not self._awaiting[review_id]
            if asked:
                self._asked.discard(review_id)
        if asked and self.ready():
            self.flush()
        self.on_settled()

    def close(self, timeout: float = WAIT_SECONDS) -> None:
        """Let the writer finish what it was given, then stop it."""
        self._jobs.put(None)
        self._writer.join(timeout)

    def _run(self) -> None:
        while True:
            job = self._jobs.get()
            if job is None:
                return
            try:
                job.change = self._write(job)
            finally:
                with self._mutex:
                    self._unfinished.remove(job)
                    self._finished[job.review_id] = self._finished.get(job.review_id, 0) + 1
                job.done.set()
                if job.change is not None:  # once the job left _unfinished: the app asks what is still on its way
                    self.deliver(self.on_written, job.change)
                self.deliver(self._answered, job.review_id)

    def _write(self, job: _Job) -> Change | None:
        try:
            change = self._apply(job.review_id, job.ops, job.token)
        except (Unreachable, MaybeStored) as error:  # the batch may be stored: it goes again whole, under its token
            self._hold(job, error)
            return None
        except OSError as error:  # nothing was written: its edits wait with what is typed since
            self._keep(job, error)
            return None
        if self.failure:
            self.failure = self.failure_reason = ""
            self.deliver(self.on_error, None)  # saved again
        return change

    def _apply(self, review_id: str, ops: list[Operation], token: str) -> Change | None:
        """Apply ops in one transaction; if one is refused, the rest one by one (the refused are reported)."""
        try:
            return self.store.apply(review_id, *ops, token=token)
        except StoreError as error:
            # Another participant may have removed the item being edited, or the
            # value is invalid: report it, and keep the rest of the app running.
            if len(ops) > 1:
                change = None
                for number, op in enumerate(ops):
                    change = self._apply(review_id, [op], f"{token}.{number}") or change
                return change
            self.deliver(self.on_error, error)
            return None

    def _hold(self, job: _Job, error: OSError) -> None:
        """A write failed, perhaps after the batch was stored: send that batch again, as it is, under its token."""
        with self._mutex:
            held = self._held.setdefault(job.review_id, [])
            held.append(_Job(job.review_id, job.ops, job.keys, token=job.token, order=job.order))
            held.sort(key=lambda kept: kept.order)
        self._say_failed(error)

    def _say_failed(self, error: OSError) -> None:
        where = f", {visible(error.filename)}" if error.filename else ""
        self.failure_reason = visible(error.strerror or error)
        self.failure = f"Not saved: {self.failure_reason}{where}. Retrying; nothing typed is lost."
        self._retry_at = time.monotonic() + RETRY_SECONDS
        self.deliver(self.on_error, OSError(error.errno, self.failure))

    def _keep(self, job: _Job, error: OSError) -> None:
        """A write failed and wrote nothing: put its edits back (before anything typed since) and say why."""
        with self._mutex:
            newer = self._pending.get(job.review_id, {})
            kept: dict[Hashable, Operation] = {}
            for key, op in zip(job.keys, job.ops):
                later = newer.pop(key, None)
                kept[key] = op if later is None else _keep_base(later, op)
            kept.update(newer)
            self._pending[job.review_id] = kept
        self._say_failed(error)

    # Recovery -----------------------------------------------------------------

    def unsaved(self) -> list[dict]:
        """Every edit not on disk, as the recovery file holds it (store.recovery): review, token, operation, fields.

        A held batch keeps the token it was sent with (it may be stored
        already); the edits still pending of a review are one new batch.
        """
        with self._mutex:
            held = [edit_record(job.review_id, op, job.token)
                    for jobs in self._held.values() for job in jobs for op in job.ops]
            pending = []
            for review_id, ops in self._pending.items():
                token = uuid.uuid4().hex
                pending.extend(edit_record(review_id, op, token) for op in ops.values())
            return held + pending

    def write_recovery(self, directories: list[Path]) -> Path | None:
        """Write what could not be saved to the first directory that takes it; its path, or None."""
        edits = self.unsaved()
        if not edits:
            return None
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        raw = recovery_bytes(edits, self.failure)
        for directory in directories:
            path = Path(directory) / f"postmortem-recovery-{stamp}-{os.getpid()}.json"
            try:
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
                with os.fdopen(fd, "wb") as handle:
                    handle.write(raw)
                return path
            except OSError:
                continue
        return None


def _keep_base(op: Operation, earlier: Operation) -> Operation:
    """``op`` with the base of ``earlier`` (both typed over the same stored text)."""
    if isinstance(op, Set) and isinstance(earlier, Set):
        return replace(op, base=earlier.base)
    if isinstance(op, Edit) and isinstance(earlier, Edit) and earlier.bases:
        return replace(op, bases=dict(op.bases or {}) | earlier.bases)
    return op


def _is_explicit(key: Hashable) -> bool:
    return isinstance(key, tuple) and len(key) == 2 and key[0] == "explicit"
