"""``postmortem recover FILE``: apply the edits of a recovery file the app wrote when it could not save them.

Every review the file names must exist, and the file must parse, or nothing
is applied.  Each batch goes through the store like the app's own saves (its
operations, text merged three-way into what is stored now) under its token,
so a batch already stored, or a second run, changes nothing.  An edit the
store refuses (an item someone removed since) is reported and the rest are
still applied.
"""

from __future__ import annotations

import sys
from argparse import Namespace
from collections import Counter
from pathlib import Path

from store.backend import Backend
from store.errors import StoreError, UnknownReview
from store.recovery import Batch, NotRecoveryFile, read_recovery
from store.sanitize import visible


def recover(args: Namespace, store: Backend) -> int:
    """Apply the file's batches in order; print per review what was applied; exit 1 if an edit was refused."""
    path = Path(args.file)
    batches = read_recovery(path)
    _refuse_unknown_reviews(path, batches, store)
    applied: Counter[str] = Counter()
    already: Counter[str] = Counter()
    refused: Counter[str] = Counter()
    fields: dict[str, list[str]] = {}
    for batch in batches:
        before = store.version(batch.review)
        problems = _apply(store, batch)
        refused[batch.review] += len(problems)
        for problem in problems.values():
            print(visible(f"postmortem: {batch.review}: an edit was refused: {problem}"), file=sys.stderr)
        done = [op for number, op in enumerate(batch.ops) if number not in problems]
        if store.version(batch.review) == before:
            already[batch.review] += len(done)
        else:
            applied[batch.review] += len(done)
            names = fields.setdefault(batch.review, [])
            names.extend(name for name in map(_field_of, done) if name not in names)
    for review in dict.fromkeys(batch.review for batch in batches):
        print(visible(_said(review, applied[review], already[review], refused[review], fields.get(review, []))))
    return 1 if sum(refused.values()) else 0


def _refuse_unknown_reviews(path: Path, batches: list[Batch], store: Backend) -> None:
    missing = []
    for review in dict.fromkeys(batch.review for batch in batches):
        try:
            store.get(review)
        except UnknownReview:
            missing.append(review)
    if missing:
        which = "is" if len(missing) == 1 else "are"
        raise NotRecoveryFile(path, f"it names {', '.join(missing)}, which {which} not in {store.location} "
                              "(give the archive the edits were typed in with --db)")


def _apply(store: Backend, batch: Batch) -> dict[int, str]:
    """Apply the batch in one transaction; if an op is refused, each one alone. Why each refused op was, by place."""
    try:
        store.apply(batch.review, *batch.ops, token=batch.token)
        return {}
    except StoreError as error:
        if len(batch.ops) == 1:
            return {0: str(error)}
    problems = {}
    for number, op in enumerate(batch.ops):  # under the tokens the saver gives them one by one
        refused = _apply(store, Batch(batch.review, f"{batch.token}.{number}", [op]))
        if refused:
            problems[number] = refused[0]
    return problems


def _field_of(op: object) -> str:
    return str(getattr(op, "field", None) or getattr(op, "list", ""))


def _said(review: str, applied: int, already: int, refused: int, fields: list[str]) -> str:
    """One line per review: what was applied (and to which fields), what was there already, what was refused."""
    parts = []
    if applied:
        parts.append(f"applied {_edits(applied)} ({', '.join(fields)})")
    if already:
        parts.append(f"{_edits(already)} already applied, left as stored")
    if refused:
        parts.append(f"{_edits(refused)} refused (see above)")
    return f"{review}: {'; '.join(parts)}"


def _edits(count: int) -> str:
    return f"{count} edit{'s' if count != 1 else ''}"
