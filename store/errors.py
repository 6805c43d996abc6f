"""Errors the store raises; each message names the file, field or id at fault.

The command turns any :class:`StoreError` into exit 2 and one line on stderr;
the app shows the same line in a dialog.  Nothing is written when one is raised.
"""

from __future__ import annotations

import errno
from pathlib import Path

from store.sanitize import quote, visible


class StoreError(Exception):
    """Base class: ``str(error)`` is the one line a user sees, control characters made visible.

    Messages quote input with :func:`store.sanitize.quote`; a path or a name
    that reaches one any other way still cannot drive the terminal.
    """

    def __str__(self) -> str:
        return visible(super().__str__())


class InvalidField(StoreError):
    """A value that cannot be stored or imported, at ``field``."""

    def __init__(self, field: str, message: str) -> None:
        self.field = field
        super().__init__(f"{field}: {message}")


class UnknownReview(StoreError):
    """No review has this id."""

    def __init__(self, review_id: str) -> None:
        self.review_id = review_id
        super().__init__(f"no review with id {quote(review_id)} (see `postmortem list`)")


class UnknownItem(StoreError):
    """No item in ``list_name`` has this id (another participant may have deleted it)."""

    def __init__(self, list_name: str, item_id: str) -> None:
        self.item_id = item_id
        super().__init__(f"{list_name}: no item with id {quote(item_id)}")


class CorruptFile(StoreError):
    """The data file does not parse; it is never overwritten."""

    def __init__(self, path: Path, detail: str, backup: Path | None, restore_command: str | None = None) -> None:
        self.path = path
        self.backup = backup
        command = restore_command or f"postmortem --db {path} restore"
        where = (
            f"; the last good backup is {backup} (`{command}` puts it back)"
            if backup
            else "; no backup exists"
        )
        super().__init__(f"{path} is not a valid review file ({detail}); it was left untouched{where}")


class NewerSchema(StoreError):
    """The data file was written by a newer version of the app."""

    def __init__(self, path: Path, found: int, supported: int) -> None:
        self.path = path
        super().__init__(
            f"{path} has schema {found}, newer than this version of postmortem "
            f"understands ({supported}); upgrade postmortem to open it (the file was not changed)"
        )


class MaybeStored(OSError):
    """A write failed after the new file was in place (the fsync of its directory): it may be stored.

    The saver sends that batch again, whole, under its token (the store applies it once).
    """


class Unreachable(OSError):
    """The database cannot be reached now (a server restart, a lost network): nothing was written.

    An ``OSError``, so the app keeps the edits, says so, and tries again (tui.saver).
    """

    def __init__(self, location: str, detail: str) -> None:
        self.detail = detail
        super().__init__(errno.ECONNREFUSED, "database unreachable, reconnecting", location)

    def __str__(self) -> str:
        """The whole story, for a notice or the command (the saver uses ``strerror`` alone)."""
        return visible(f"cannot reach the database {self.filename} ({self.detail}); nothing was changed, "
                       "try again in a moment")
