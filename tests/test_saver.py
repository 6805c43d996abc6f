"""The saver: typed edits go to a writer thread one batch per review at a time, and errors lose nothing.

One batch at a time matters: a field merges what comes back from the store
with what was typed since, and that needs each stored review to answer the
text that was sent.  With two batches of one field out at once, the older
answer would step the field back (seen with 8 writers on one review).
"""

from __future__ import annotations

import errno
import threading

from store.backend import Change
from store.errors import MaybeStored, Unreachable
from store.model import Review
from store.ops import Set
from tui.saver import Saver


class RecordingStore:
    """Applies nothing; records each batch, and can be made to fail or to hold a write."""

    def __init__(self) -> None:
        self.batches: list[list] = []
        self.fail: OSError | None = None
        self.release = threading.Event()
        self.release.set()

    def apply(self, review_id, *ops, token=None):
        self.release.wait(5)
        if self.fail:
            raise self.fail
        self.batches.append(list(ops))
        return Change(Review(id=review_id, title=ops[-1].value))


def saver_with(store) -> tuple[Saver, list]:
    """A saver whose notices wait in a list until the test runs them, as the event loop would."""
    notices: list = []
    saver = Saver(store, on_error=lambda error: None, deliver=lambda fn, *args: notices.append((fn, args)))
    return saver, notices


def wait_for_batches(store: RecordingStore, count: int) -> None:
    for _ in range(500):
        if len(store.batches) >= count:
            return
        threading.Event().wait(0.01)
    raise AssertionError(f"the writer wrote {len(store.batches)} batches, not {count}")


def run(notices: list) -> None:
    while notices:
        fn, args = notices.pop(0)
        fn(*args)


def test_a_second_typing_pause_waits_until_the_first_batch_has_come_back():
    store = RecordingStore()
    saver, notices = saver_with(store)
    saver.queue("pm-1", ("set", "title"), Set("title", "Check", base=""))
    saver.flush()
    wait_for_batches(store, 1)
    saver.queue("pm-1", ("set", "title"), Set("title", "Checkout", base="Check"))
    saver.flush()  # the first batch's notice was not handled yet: this one waits
    assert [edit["value"] for edit in saver.unsaved()] == ["Checkout"]  # still held here, not sent
    run(notices)  # the first stored review was shown: the next batch may go
    saver.flush(wait=True)
    assert [[op.value for op in batch] for batch in store.batches] == [["Check"], ["Checkout"]]
    assert store.batches[1][0].base == "Check"


def test_a_failed_batch_comes_back_under_what_was_typed_since_with_its_own_base():
    store = RecordingStore()
    store.fail = OSError(errno.ENOSPC, "No space left on device", "/data/reviews/pm-1.json")
    saver, notices = saver_with(store)
    saver.queue("pm-1", ("set", "impact"), Set("impact", "EU down", base=""))
    saver.flush(wait=True)
    assert saver.failure == "Not saved: No space left on device, /data/reviews/pm-1.json. Retrying; nothing typed is lost."
    saver.queue("pm-1", ("set", "impact"), Set("impact", "EU down 40 min", base="EU down"))
    run(notices)
    store.fail = None
    saver.flush(wait=True)
    assert [(op.value, op.base) for op in store.batches[0]] == [("EU down 40 min", "")]
    assert saver.unsaved() == []


def test_held_batches_that_fail_again_keep_their_order():
    store = TokenStore()
    store.fail = MaybeStored(errno.EIO, "Input/output error", "/data/reviews/pm-1.json")  # perhaps stored: held
    saver, notices = saver_with(store)
    for text in ("one", "one two"):
        saver.queue("pm-1", ("set", "impact"), Set("impact", text, base=""))
        saver.flush(wait=True)  # each fails, and is held
    run(notices)
    saver.flush()  # the first held batch goes alone, and fails again
    for _ in range(200):
        if not saver.writing and notices:
            break
        threading.Event().wait(0.01)
    run(notices)
    assert [edit["value"] for edit in saver.unsaved()] == ["one", "one two"]


def test_what_never_got_saved_is_listed_for_the_recovery_file(tmp_path):
    store = RecordingStore()
    store.fail = OSError(errno.EROFS, "Read-only file system", "/data/reviews/pm-1.json")
    saver, notices = saver_with(store)
    saver.queue("pm-1", ("set", "impact"), Set("impact", "typed", base=""))
    saver.flush(wait=True)
    path = saver.write_recovery([tmp_path / "missing-dir", tmp_path])
    assert path is not None and path.parent == tmp_path
    assert '"value": "typed"' in path.read_text()


class TokenStore(RecordingStore):
    """Records each batch with its token; a batch may be stored and then reported lost, as a database can."""

    def __init__(self) -> None:
        super().__init__()
        self.tokens: list[str] = []
        self.lose_reply = False

    def apply(self, review_id, *ops, token=None):
        if self.fail:
            raise self.fail
        self.batches.append(list(ops))
        self.tokens.append(token)
        if self.lose_reply:
            raise Unreachable("postgresql://team@db/reviews", "server closed the connection unexpectedly")
        return Change(Review(id=review_id, title=str(ops[-1].value)))


def test_a_batch_the_database_may_have_stored_goes_again_whole_and_first_under_its_token(tmp_path):
    store = TokenStore()
    store.lose_reply = True
    saver, notices = saver_with(store)
    saver.queue("pm-1", ("set", "impact"), Set("impact", "EU down", base=""))
    saver.flush(wait=True)
    assert saver.failure.startswith("Not saved: database unreachable, reconnecting, postgresql://team@db/reviews.")
    run(notices)
    saver.queue("pm-1", ("set", "impact"), Set("impact", "EU down 40 min", base="EU down"))  # typed since
    assert [op.value for op in saver.pending_ops("pm-1")] == ["EU down", "EU down 40 min"]  # shown by a new screen
    path = saver.write_recovery([tmp_path])  # were the app to end now, both are kept
    assert '"value": "EU down"' in path.read_text() and '"value": "EU down 40 min"' in path.read_text()
    store.lose_reply = False
    saver.flush()  # the held batch alone: one batch of a review out at a time
    wait_for_batches(store, 2)
    assert [(op.value, op.base) for op in store.batches[1]] == [("EU down", "")]
    assert store.tokens[1] == store.tokens[0]  # the same change, so the database applies it once
    run(notices)  # its answer is in: what was typed since goes next, over the text it was typed over
    saver.flush()
    wait_for_batches(store, 3)
    assert [(op.value, op.base) for op in store.batches[2]] == [("EU down 40 min", "EU down")]
    assert store.tokens[2] != store.tokens[0]
    run(notices)
    assert not saver.has_pending and saver.unsaved() == []
