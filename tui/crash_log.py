"""What happens to an error nobody expected: it is written to a log the user can send.

The app saves what was typed, writes the traceback to a log file, says where
in one line and exits non-zero; the user's screen never shows a traceback.
"""

from __future__ import annotations

import os
import traceback
from datetime import datetime
from pathlib import Path


def write_crash_log(error: BaseException, directories: list[Path]) -> Path | None:
    """The traceback of ``error`` in a new file in the first directory that takes it; its path, or None."""
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    from store.backend import without_password

    text = without_password("".join(traceback.format_exception(error)))  # a message may quote a database URL
    for directory in directories:
        path = Path(directory) / f"postmortem-crash-{stamp}-{os.getpid()}.log"
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(text)
            return path
        except OSError:
            continue
    return None
