"""The recovery file: edits the app could not save, written at exit, applied again by ``postmortem recover``.

The file is JSON::

    {"about": "postmortem edits that could not be saved", "error": "Not saved: ...",
     "edits": [{"review": "pm-3", "token": "9f...", "operation": "set",
                "field": "impact", "value": "EU down", "base": ""}, ...]}

Each edit is one operation (store.ops) with its fields; consecutive edits of
one review with one ``token`` are one batch, applied in one transaction under
that token.  A batch the app sent before it failed keeps the token it was
sent with, so a batch that was stored after all is not applied twice; the
store keeps the token with the change, so running ``recover`` twice applies
each batch once.  Files written before tokens existed get a token derived
from the file's bytes and the batch's place, which is the same every run.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

import orjson

from store import ops as operations
from store.errors import StoreError
from store.sanitize import quote

ABOUT = "postmortem edits that could not be saved"
OPERATIONS: dict[str, type] = {cls.__name__.lower(): cls for cls in
                               (operations.Set, operations.Add, operations.Edit, operations.Move, operations.Remove)}


class NotRecoveryFile(StoreError):
    """A file ``recover`` cannot use; the message names it and what is wrong, and nothing was applied."""

    def __init__(self, path: Path | str, problem: str) -> None:
        super().__init__(f"{path}: {problem}; nothing was applied")


@dataclass
class Batch:
    """Operations on one review, applied together, once, under ``token``."""

    review: str
    token: str
    ops: list


def edit_record(review_id: str, op: Any, token: str) -> dict:
    """One edit as the recovery file holds it."""
    return {"review": review_id, "token": token, "operation": type(op).__name__.lower(), **op.__dict__}


def recovery_bytes(edits: list[dict], error: str) -> bytes:
    return orjson.dumps({"about": ABOUT, "error": error, "edits": edits}, option=orjson.OPT_INDENT_2)


def read_recovery(path: Path) -> list[Batch]:
    """The batches of a recovery file, in order; NotRecoveryFile (naming the file and the edit) if it cannot be used."""
    try:
        raw = Path(path).read_bytes()
    except OSError as error:
        raise NotRecoveryFile(path, f"cannot be read ({error.strerror or error})") from None
    try:
        data = orjson.loads(raw)
    except orjson.JSONDecodeError as error:
        raise NotRecoveryFile(path, f"not JSON ({error})") from None
    if not isinstance(data, dict) or not isinstance(data.get("edits"), list):
        raise NotRecoveryFile(path, 'not a postmortem recovery file (no list of "edits")')
    derived = hashlib.sha256(raw).hexdigest()[:16]
    batches: list[Batch] = []
    for number, edit in enumerate(data["edits"], start=1):
        review, token, op = _read_edit(path, number, edit)
        token = token or f"recover-{derived}"
        if batches and batches[-1].review == review and batches[-1].token == token:
            batches[-1].ops.append(op)
        else:
            batches.append(Batch(review, token, [op]))
    for place, batch in enumerate(batches):
        if batch.token == f"recover-{derived}":
            batch.token = f"recover-{derived}-{place}"
    return batches


def _read_edit(path: Path, number: int, edit: Any) -> tuple[str, str, Any]:
    """(review id, token or "", operation) of the file's ``number``-th edit."""
    where = f"edit {number}"
    if not isinstance(edit, dict):
        raise NotRecoveryFile(path, f"{where} is not an object")
    review, token, name = edit.get("review"), edit.get("token", ""), edit.get("operation")
    if not isinstance(review, str) or not review:
        raise NotRecoveryFile(path, f"{where} names no review")
    if not isinstance(token, str):
        raise NotRecoveryFile(path, f"{where}: token {quote(token)} is not text")
    cls = OPERATIONS.get(name) if isinstance(name, str) else None
    if cls is None:
        raise NotRecoveryFile(path, f"{where}: operation {quote(name)} is not one of {', '.join(OPERATIONS)}")
    known = {field.name for field in fields(cls)}
    given = {key: value for key, value in edit.items() if key not in ("review", "token", "operation")}
    unknown = sorted(set(given) - known)
    if unknown:
        raise NotRecoveryFile(path, f"{where} ({name}): unknown field {quote(unknown[0])}")
    try:
        return review, token, cls(**given)
    except TypeError:
        missing = sorted(field.name for field in fields(cls) if field.name not in given)
        raise NotRecoveryFile(path, f"{where} ({name}): missing {', '.join(missing)}") from None
