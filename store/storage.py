"""A TinyDB storage that never leaves a half-written file, and does not re-parse what it wrote.

Stock ``JSONStorage`` rewrites the file in place: a kill mid-write leaves
invalid JSON, and every change parses and serialises the whole file with the
standard library.  This storage:

* writes a temp file beside the data file, fsyncs it, keeps the previous file
  as ``<name>.bak`` (a hard link: files are only ever replaced, never changed in
  place, so a link is a free snapshot), ``os.replace``-s the temp file over the
  data file and fsyncs the directory;
* gives new files mode 0600 and lets an existing file keep its mode and group;
* parses and serialises with orjson, and reuses the parsed data when the bytes
  on disk are exactly the bytes it last read or wrote (a comparison on the real
  bytes, so it is correct even when other processes write the file);
* inside :meth:`DurableJSONStorage.transaction` (the caller holds the file
  lock) serves one snapshot to every read and writes once at the end, so a
  change that touches two tables is one durable write.

It knows nothing about reviews: what a valid document is, and migrations, are
the ``decode`` hook's business (see :mod:`store.db`).
"""

from __future__ import annotations

import errno
import gc
import os
import secrets
import shutil
import stat
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import orjson
from tinydb.storages import Storage

FILE_MODE = 0o600
DIR_MODE = 0o700

Data = dict[str, dict[str, Any]]


class ParseError(ValueError):
    """The file's bytes are not JSON; ``detail`` says where."""


def temp_prefix(path: Path) -> str:
    """The name prefix of this data file's temp files, so leftovers can be found and removed."""
    return f".{path.name}.tmp-"


def temp_path(path: Path) -> Path:
    """A fresh, unguessable temp file name in the data file's directory (same filesystem)."""
    return path.with_name(temp_prefix(path) + secrets.token_hex(8))


def remove_leftover_temp_files(path: Path) -> list[Path]:
    """Delete temp files a killed writer left behind; call only while holding the file lock."""
    removed = []
    for leftover in path.parent.glob(f"{temp_prefix(path)}*"):
        try:
            leftover.unlink()
            removed.append(leftover)
        except FileNotFoundError:
            pass
    return removed


def make_private_dir(directory: Path) -> None:
    """Create ``directory`` and any missing parents with mode 0700; leave existing ones alone."""
    missing = []
    while not directory.exists():
        missing.append(directory)
        if directory.parent == directory:
            break
        directory = directory.parent
    for new in reversed(missing):
        try:
            new.mkdir(mode=DIR_MODE)
        except FileExistsError:
            continue
        os.chmod(new, DIR_MODE)  # mkdir's mode is filtered by the umask


def is_read_only(path: Path) -> bool:
    """True when ``path`` (a file or a directory) must not be written: it has no write permission for its owner,
    or none for us.

    By its mode too, since root may write anything: a file someone made
    read-only is still not to be written.
    """
    try:
        info = os.stat(path)
    except FileNotFoundError:
        return False
    return not info.st_mode & stat.S_IWUSR or not os.access(path, os.W_OK)


def refuse_read_only(path: Path) -> None:
    """PermissionError naming ``path`` (or its directory) when it is read-only; nothing is written then."""
    for target in (path, path.parent):
        if is_read_only(target):
            raise PermissionError(errno.EACCES, "read-only, so nothing was changed", str(target))


def fsync_dir(directory: Path) -> None:
    """Make a rename in ``directory`` durable (it lives in the directory, not the file)."""
    fd = os.open(directory, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _copy_owner(fd: int, like: Path) -> None:
    """Give the temp file the mode and group of the file it will replace, if there is one."""
    try:
        current = os.stat(like)
    except FileNotFoundError:
        return
    os.fchmod(fd, stat.S_IMODE(current.st_mode))
    try:
        os.fchown(fd, -1, current.st_gid)
    except PermissionError:
        pass  # not a member of that group: the file keeps our primary group


def _snapshot(path: Path, backup: Path) -> None:
    """Make ``backup`` the current ``path`` (a hard link; a copy where links are not supported, or across disks).

    An empty file holds nothing worth keeping and would not be a good backup.
    """
    try:
        current = os.stat(path)
        if current.st_size == 0:
            return
        if os.path.samestat(current, os.stat(backup)):
            return  # already the backup (rename() between two links of one file would do nothing)
    except FileNotFoundError:
        if not path.exists():
            return
    link = temp_path(backup)
    try:
        try:
            os.link(path, link)
        except OSError:
            shutil.copy2(path, link)
        os.replace(link, backup)
    except OSError as error:  # name the backup, not a temp file the user never sees (say .bak is a directory)
        link.unlink(missing_ok=True)
        raise OSError(error.errno, f"cannot keep the last good version as {backup}: {error.strerror}",
                      str(backup)) from None


def write_durably(path: Path, raw: bytes, backup: Path | None = None) -> None:
    """Replace ``path`` with ``raw`` so that a crash leaves either the old or the new file, whole.

    With ``backup``, the file being replaced is kept there first; the very first
    write (nothing to keep yet) leaves a copy of itself there, so a file that is
    damaged later always has a good backup to offer.  A ``path`` that is a
    symbolic link is written through: its target is replaced, in its own
    directory, and the link stays.
    """
    path = link_target(path)
    refuse_read_only(path)
    temp = temp_path(path)
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0), FILE_MODE)
    try:
        with os.fdopen(fd, "wb") as handle:
            _copy_owner(handle.fileno(), path)
            handle.write(raw)
            handle.flush()
            os.fsync(handle.fileno())
        if backup is not None:
            _snapshot(path, backup)
        os.replace(temp, path)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    try:
        fsync_dir(path.parent)
    except OSError as error:  # the new file is in place, perhaps not durably: the change may be stored
        from store.errors import MaybeStored

        raise MaybeStored(error.errno, error.strerror or str(error), str(path)) from error
    if backup is not None and not backup.exists():
        write_durably(backup, raw)  # a copy, not a link: damage to the file in place must spare it


def link_target(path: Path) -> Path:
    """``path``, or the file a symbolic link at ``path`` points to (which must exist: a dangling link is refused)."""
    if not os.path.islink(path):
        return path
    target = Path(os.path.realpath(path))
    if not target.exists():
        raise FileNotFoundError(errno.ENOENT, f"it is a link to {target}, which does not exist; nothing was "
                                "written (point the link at the review file, or remove it)", str(path))
    return target


def read_bytes(path: Path) -> bytes | None:
    """The file's bytes, or None when there is no file yet."""
    try:
        with open(path, "rb") as handle:
            return handle.read()
    except FileNotFoundError:
        return None


@contextmanager
def paused_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector while building many acyclic objects.

    Parsing 10 MB, or turning 1,000 documents into reviews, creates about a
    million containers; that sets off full collections costing as much as the
    work itself, and none of it holds a cycle to collect.
    """
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()


def parse(raw: bytes) -> Any:
    """Parse JSON bytes with orjson; ParseError (with a position) when they are not JSON."""
    try:
        with paused_gc():
            return orjson.loads(raw)
    except orjson.JSONDecodeError as error:
        raise ParseError(str(error)) from None


def dump(data: Any) -> bytes:
    """Serialise compactly with orjson (what every write puts on disk)."""
    return orjson.dumps(data)


class DurableJSONStorage(Storage):
    """TinyDB storage: atomic, durable, backed-up writes and parse-once reads of one JSON file.

    ``decode(raw)`` turns the bytes of a file that changed into the data to
    use (default: :func:`parse`); it may raise (not JSON, the wrong shape or
    schema), and then nothing is cached and nothing is written.
    """

    def __init__(
        self,
        path: str | Path,
        decode: Callable[[bytes], Data] | None = None,
        backup: Path | None = None,
    ) -> None:
        super().__init__()
        self.path = Path(path)
        self.backup = backup
        self._decode = decode or parse
        self._raw: bytes | None = None
        self._data: Data | None = None
        self._held = False
        self._pending = False

    def read(self) -> Data | None:
        """The current data: the held snapshot inside a transaction, else whatever is on disk now."""
        if self._held:
            return self._data
        return self.load()

    def load(self) -> Data | None:
        """Read the file; parse it only when its bytes differ from the ones we last saw."""
        raw = read_bytes(self.path)
        if not raw:
            self._raw, self._data = None, None  # no file yet (or an empty one): no tables
            return None
        if raw != self._raw:
            data = self._decode(raw)
            self._raw, self._data = raw, data
        return self._data

    def write(self, data: Data) -> None:
        """Save ``data``; inside a transaction, only once, when the transaction ends."""
        self._data = data
        if self._held:
            self._pending = True
            return
        self._flush()

    def _flush(self) -> None:
        raw = dump(self._data)
        write_durably(self.path, raw, self.backup)
        self._raw = raw

    def forget(self) -> None:
        """Drop the cached data (it may have been changed by a transaction that failed)."""
        self._raw, self._data = None, None

    @contextmanager
    def transaction(self) -> Iterator[Data | None]:
        """One snapshot for every read, one write at the end; the caller must hold the file lock.

        If the block raises, nothing is written and the cache is dropped, since
        the failed change may have modified the cached data in place.
        """
        data = self.load()
        self._held, self._pending = True, False
        try:
            yield data
            if self._pending:
                self._flush()
        except BaseException:
            self.forget()
            raise
        finally:
            self._held, self._pending = False, False

    def mark_changed(self) -> None:
        """Inside a transaction: write the held data at the end even if TinyDB did not (a migration)."""
        self._pending = True

    def close(self) -> None:
        """Nothing stays open between calls; drop the cache."""
        self.forget()
