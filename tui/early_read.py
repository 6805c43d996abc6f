"""The list of reviews read before the app's modules load, so it is there for the first frame.

Read after the first frame instead, the list would come a frame later,
after a "Reading the archive…" that nobody needs to see.  From local files
the read is made at once, before the imports: run in a thread beside them it
took four times as long and delayed them too (each file's stat hands the
interpreter's lock back and forth).  From a database server, which may be
slow or down, it runs in a thread, and the list waits for it off the event
loop.  No Textual here: the command starts the read before it imports the app.
"""

from __future__ import annotations

import threading
from typing import Any, Callable


def versioned_list(store) -> tuple[object, list]:
    """The archive's version, then its list: a change made after the version was read is noticed at the next poll."""
    version = store.polled_version(None)
    return version, store.list_summaries()


class EarlyRead:
    """One call, made now (or begun now in a thread); its result or its error is taken when the screen needs it."""

    def __init__(self, work: Callable[[], Any], in_thread: bool) -> None:
        self._result: Any = None
        self._error: Exception | None = None
        self._thread: threading.Thread | None = None
        if in_thread:
            self._thread = threading.Thread(target=self._run, args=(work,), name="postmortem-early-read", daemon=True)
            self._thread.start()
        else:
            self._run(work)

    def _run(self, work: Callable[[], Any]) -> None:
        try:
            self._result = work()
        except Exception as error:  # noqa: BLE001 - handed to the screen, which says it in words
            self._error = error

    def done(self) -> bool:
        """Whether the result is there (``result`` then returns without waiting)."""
        return self._thread is None or not self._thread.is_alive()

    def result(self) -> Any:
        """The call's result, waiting for it if need be; its error is raised here."""
        if self._thread is not None:
            self._thread.join()
        if self._error is not None:
            raise self._error
        return self._result
