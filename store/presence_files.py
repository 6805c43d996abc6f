"""Presence for the file backend: one small file per member, beside the reviews.

``.archive/presence/pm-12/m<id>.json`` holds what one terminal last announced.
A heartbeat replaces that one file (atomically, without fsync: presence that
a crash loses is simply announced again two seconds later), so it never
touches the review's file or its lock.  Reading the session lists one small
directory; a file not refreshed for GONE_AFTER seconds is a terminal that is
gone, and is removed by whoever reads it.
"""

from __future__ import annotations

import os
import re
import time
from pathlib import Path

from store.session import GONE_AFTER, Member
from store.storage import FILE_MODE, dump, make_private_dir, parse, ParseError

_MEMBER_FILE = re.compile(r"^m[a-z0-9]{1,39}\.json$")


class PresenceDirectory:
    """The presence files of every review of one archive, under ``root``."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def _directory(self, review_id: str) -> Path:
        return self.root / review_id

    def announce(self, review_id: str, member: Member) -> None:
        directory = self._directory(review_id)
        path = directory / f"{member.id}.json"
        temp = directory / f".{member.id}.{os.getpid()}.tmp"
        member.seen = time.time()
        raw = dump(member.to_dict())
        try:
            self._write(temp, raw)
        except FileNotFoundError:
            make_private_dir(directory)
            self._write(temp, raw)
        os.replace(temp, path)

    @staticmethod
    def _write(path: Path, raw: bytes) -> None:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_CLOEXEC", 0), FILE_MODE)
        with os.fdopen(fd, "wb") as handle:
            handle.write(raw)

    def present(self, review_id: str) -> list[Member]:
        directory = self._directory(review_id)
        now = time.time()
        members = []
        try:
            names = os.listdir(directory)
        except (FileNotFoundError, NotADirectoryError):
            return []
        for name in names:
            if not _MEMBER_FILE.match(name):
                continue
            member = self._read(directory / name)
            if member is not None and member.fresh(now):
                members.append(member)
            elif member is None or now - member.seen > GONE_AFTER * 4:
                # Long gone (or unreadable): tidy up.  A member only just gone is left
                # for a moment, so a terminal that is slow to beat is not raced.
                _remove(directory / name)
        return members

    @staticmethod
    def _read(path: Path) -> Member | None:
        try:
            with open(path, "rb") as handle:
                data = parse(handle.read())
        except (OSError, ParseError):
            return None
        return Member.from_dict(data) if isinstance(data, dict) else None

    def depart(self, review_id: str, member_id: str) -> None:
        if _MEMBER_FILE.match(f"{member_id}.json"):
            _remove(self._directory(review_id) / f"{member_id}.json")


def _remove(path: Path) -> None:
    """Presence is best effort: a file already gone, or a directory we may not write, is no error."""
    try:
        path.unlink(missing_ok=True)
    except OSError:
        pass
