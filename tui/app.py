"""The app shell: which screen comes first, saving, signals, and other processes' changes.

``make_app`` builds the app for the command and for the tests alike.  The app
owns the :class:`~tui.saver.Saver`, so every way out (quit, SIGHUP from a
dropped SSH link, SIGTERM, SIGINT) writes pending edits first.
"""

from __future__ import annotations

import asyncio
import contextvars
import gc
import inspect
import os
import shlex
import signal
import sys
import threading
import time
from argparse import Namespace
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from textual import events
from textual.app import App, ScreenStackError
from textual.binding import Binding
import textual.screen as textual_screen
from textual.screen import Screen
from textual.theme import Theme
from textual.timer import Timer

from store import ops
from store.backend import Backend, Change, open_backend
from store.errors import StoreError
from store.model import Review
from store.sanitize import visible
from tui.commands import ReviewCommands
from tui import textual_fixes  # noqa: F401  (patches the pinned Textual where random keys crashed it)
from tui import partial_updates  # noqa: F401  (a screen update renders only the widgets under the change)
from tui.crash_log import write_crash_log
from tui.early_read import EarlyRead, versioned_list
from tui.line_input import LineInput
from tui.live import TYPING_SECONDS, LiveSession
from tui.saver import DELAY, Saver
from tui.type_ahead import KeyHandled, TypeAhead

MIN_WIDTH, MIN_HEIGHT = 60, 20

# High contrast for screen shares and projectors: pure black and white, strong accents.
PRESENTER_THEME = Theme(
    name="presenter",
    primary="#0087FF",
    secondary="#FFFF00",
    accent="#00FFFF",
    foreground="#FFFFFF",
    background="#000000",
    surface="#000000",
    panel="#3A3A3A",
    error="#FF5555",
    warning="#FFFF00",
    success="#55FF55",
    dark=True,
)
# A stat of one file: cheap enough to do ten times a second, so others' typing shows within 250 ms.
POLL_SECONDS = 0.1
# The list of reviews changes whenever anyone saves anywhere, and re-reading
# 5,000 reviews takes about 80 ms: not ten times a second.
ARCHIVE_POLL_SECONDS = 1.0
# While someone types here, another's change is taken in between two keys, at most once between the same
# two: from AFTER_KEY_SECONDS[0] after a key (its echo is out) to AFTER_KEY_SECONDS[1], or once typing
# pauses for TYPING_PAUSE_SECONDS.  A change that has waited CHANGE_WAITS_SECONDS for that is taken in at the
# next moment at least AFTER_KEY_SECONDS[0] after a key (taken in at once, one came 10 ms after a key typed at
# 250 ms a key and held up its frame); keys faster than that hold it off for at most twice as long.  With a
# poll's POLL_SECONDS to notice it and the other's write (about 30 ms), others' changes show within 250 ms
# while someone types here (at 0.15 s, a facilitator typing at a person's pace saw a card counted after
# 230-250 ms).  While one waits, the store is polled every WAITING_POLL_SECONDS, so it is taken in as that
# moment comes.
AFTER_KEY_SECONDS = (0.03, 0.15)
TYPING_PAUSE_SECONDS = 0.3
CHANGE_WAITS_SECONDS = 0.1
# A key arrived this recently may not have reached its field yet, whose change would have put a save off: a
# pause of DELAY ended by a key is no pause, and a write then (6 ms of a 300-event review, in the writer
# thread, holding the interpreter lock by turns) stretched that key's echo (tests/bench_terminal.py).
KEY_IN_HAND_SECONDS = 0.05
WAITING_POLL_SECONDS = 0.02
# At most this long, keys typed during a change of step wait for the new step to take them (a loaded
# machine can take seconds to mount a step; the new step normally hands them on at once).
KEYS_HELD_SECONDS = 10.0
# How often the interpreter lock changes threads (Python's default is 5 ms).  The writer and the reader
# (saves, and others' changes read off the loop) need it between their file operations while the loop
# draws the frame of the key that made the save: at 5 ms each step could wait a whole interval, and a
# participant's new card took 12-29 ms of wall time to write where the write itself takes 3 ms.
SWITCH_INTERVAL_SECONDS = 0.0005
# Textual draws a changed screen on a fixed grid of 1/60 s: a key typed within one period of another frame
# (another participant's change, just drawn) waited up to 16.7 ms for its echo, doubling the echo's p95 in a
# live session (tests/bench_terminal.py "+other").  A screen is still drawn only when something changed, and
# a key's own changes still go out in one frame (StepScreen.hold_frame); animations keep Textual's 60 a second.
FRAME_PERIOD_SECONDS = 0.004
textual_screen.UPDATE_PERIOD = FRAME_PERIOD_SECONDS  # read when a screen first schedules a frame
# The exit status when the app ended with edits it could not save (in a recovery file, or lost if none could be
# written): not 0, so a script notices; 1 is a crash, 2 bad usage, 128+N a signal.
UNSAVED_EXIT = 3


# What the footer shows for ctrl+n / ctrl+b (by their actions) in a browser tab, where ctrl+n never arrives.
BROWSER_STEP_KEYS = {"next_step": "^↓", "previous_step": "^↑", "step(1)": "^↓", "step(-1)": "^↑"}


class PostmortemApp(App[int], inherit_bindings=False):  # Textual's ctrl+q would come first: listed last here
    """A guided, blameless post-mortem over a shared review file."""

    CSS_PATH = "app.tcss"
    TITLE = "postmortem"
    COMMANDS = App.COMMANDS | {ReviewCommands}
    ENABLE_COMMAND_PALETTE = True
    # The keys of every step that a facilitator uses in the meeting.  They are bound here, not on the
    # step screen, so the footer lists them after each step's own keys (F5 new chain, F4 export ...):
    # at 80 columns the footer cannot hold every key, and what it drops is on its right.
    TIMER = Binding.Group("Timer")
    BINDINGS = [
        Binding("f6", "on_step('pause_timer')", "Pause", id="pause-timer", priority=True, group=TIMER),
        Binding("f7", "on_step('set_timebox')", "Timebox", id="set-timebox", priority=True, group=TIMER),
        Binding("f9", "on_step('move_on')", "Move on", id="move-on", priority=True, group=TIMER),
        Binding("ctrl+l", "on_step('toggle_presenter')", "Present", id="presenter", priority=True),
        Binding("ctrl+o", "on_step('home')", "Reviews", id="home", priority=True),
        Binding("ctrl+f", "on_step('toggle_solo')", "Solo", id="solo", priority=True),
        Binding("ctrl+q", "quit", "Quit", id="quit", priority=True),
        # ctrl+n / ctrl+b, as a browser lets a page have them (it keeps ctrl+n for a new window); a terminal too
        Binding("ctrl+down", "step_key(1)", "Next", id="next-step-key", priority=True, show=False),
        Binding("ctrl+up", "step_key(-1)", "Back", id="previous-step-key", priority=True, show=False),
        Binding("ctrl+c", "help_quit", show=False, system=True),
    ]

    def __init__(
        self,
        store: Backend,
        start: str = "home",
        review_id: str | None = None,
        kind: str = "incident",
        title: str = "",
        solo: bool = False,
        name: str | None = None,
        observe: bool = False,
        ask_name: bool | None = None,
    ) -> None:
        super().__init__()
        # A browser tab (textual-serve) runs as the server's user: its participant is asked for a name.
        self.ask_name = ask_name
        self.store = store
        self.live = LiveSession(store, name, observe, deliver=self._deliver)
        self.saver = Saver(store, on_error=self.saving_problem, on_written=self.show_written,
                           deliver=self._deliver, on_sending=self._sending, on_settled=self.show_save_state)
        self.recovery_path: Path | None = None  # where unsaved edits went at exit, if any
        self.crash_log: Path | None = None  # where an unexpected error was written, if one ended the app
        self.freezes_long_lived = False  # run_app: what the first step's screen holds is kept from the collector
        self.start = start
        self.start_review_id = review_id
        self.new_kind = kind
        self.new_title = title
        self.solo = solo
        self.show_prompts = True
        self.presenter = False
        self.clock = time.monotonic  # tests replace it to drive timers without sleeping
        self._theme_before_presenter = self.theme
        self._seen_version = None
        self._started = False
        self._loop: asyncio.AbstractEventLoop | None = None
        self._notice_context: contextvars.Context | None = None
        self._last_shown: tuple[str, str] | None = None
        self._list_read_at = float("-inf")
        self._waiting_since: float | None = None  # since when another's change waits to be taken in (_between_keys)
        self._took_in_after: float = float("-inf")  # the key after which a change was last taken in while typing
        self._key_at = float("-inf")  # when the last key arrived (its field may not have queued its change yet)
        self._poll_soon: Timer | None = None  # polls again shortly while another's change waits
        self.just_created: str | None = None  # a review made here and not yet started
        self.creating = False  # a new review is being stored (off the event loop)
        self.opening: str | None = None  # the review being read to be opened (off the event loop)
        self._rereading = False  # the review on screen is being read again (another process changed it)
        self._held_keys: list[events.Key] | None = None  # keys typed while a step screen replaces another
        self._held_repeat: str | None = None  # a key that, held first, only asked again (see hold_keys)
        self._keys_timer: Timer | None = None
        self.type_ahead = TypeAhead(self.take_key, self.set_interval)  # keys typed behind one that moves the focus
        self.first_list: EarlyRead | None = None  # the list of reviews, read as the app started (run_app)
        self._list_reading = False  # the list of reviews is being read (off the event loop)

    def get_driver_class(self):
        """Textual's terminal driver, with pastes cleaned before they are parsed (see tui.driver)."""
        driver = super().get_driver_class()
        if driver.__name__ == "LinuxDriver":
            from tui.driver import TerminalDriver

            return TerminalDriver
        return driver

    def today(self) -> date:
        """The day due dates and follow-ups are worked out for (tests fix it)."""
        return date.today()

    def on_mount(self) -> None:
        """Install the signal handlers, start polling, and show the first screen."""
        self.register_theme(PRESENTER_THEME)
        self._loop = asyncio.get_running_loop()
        self._notice_context = contextvars.copy_context()
        self._install_signal_handlers()
        self.set_interval(POLL_SECONDS, self.poll_store)
        self.set_interval(0.1, self.flush_if_idle)
        self.set_interval(1.0, self.live_beat)
        self.set_interval(POLL_SECONDS, self.live_listen)
        from screens.home import HomeScreen

        self.push_screen(HomeScreen())
        if self.asks_name():
            from screens.name_dialog import NameDialog

            self.push_screen(NameDialog(self.live.observing), self.named)
        else:
            self.open_first_screen()
        self._started = True
        self.call_after_refresh(self.check_size)

    def freeze_long_lived(self) -> None:
        """Once the first step is on screen, keep what lives as long as the app from the garbage collector.

        Textual's objects and the step's widgets (about 80,000) were walked by
        every full collection: one came every few cards typed and held a key
        for 15-28 ms, five to ten times a key's echo.  Frozen, they are not
        walked again.  Only for a real terminal (``run_app``): a test process
        runs hundreds of apps, and a frozen object is never freed.
        """
        if self.freezes_long_lived:
            self.freezes_long_lived = False
            gc.freeze()

    def asks_name(self) -> bool:
        """Whether to ask who is joining first: in a browser, unless ``--as`` named them."""
        if self.ask_name is not None:
            return self.ask_name
        return self.is_web and not self.live.named

    def named(self, name: str | None) -> None:
        """The name given on the first screen is this participant's name in every session."""
        if name:  # taken as given, like --as: not numbered apart from others of the same login
            self.live.me.name, self.live.named = name, True
        self.open_first_screen()

    def open_first_screen(self) -> None:
        """The screen the command asked for, over the list of reviews."""
        if self.start == "new":
            self.create_review(self.new_kind, self.new_title)
        elif self.start == "open" and self.start_review_id:
            self.open_review(self.start_review_id)
        elif self.start == "follow-up" and self.start_review_id:
            self.open_follow_up(self.start_review_id)

    # Reviews and steps ------------------------------------------------------

    def create_review(self, kind: str, title: str = "") -> None:
        """Create a review off the event loop, then open it at setup.

        Creating takes the archive's lock and writes two files durably, which
        under load (or on a slow disk) can take long: the list says it is
        creating meanwhile, and keys typed meanwhile are held for the new
        review's first field.  A second request while one is on its way is ignored.
        """
        from store.model import new_review
        from store.sanitize import clean

        if self.creating or self.opening:
            return
        doc = new_review(kind, clean(title)).to_dict()
        self.creating = True
        self.hold_keys()
        self._refresh_header()
        self.off_loop(lambda: self.store.create(doc), self._created, self._not_created)

    def _created(self, review: Review) -> None:
        self.creating = False
        self._refresh_header()
        self.just_created = review.id
        self.show_step(review, "setup", replace=False)

    def _not_created(self, error: Exception) -> None:
        """Nothing was created (a full disk, a read-only archive, a database restarting): say why; the list stays."""
        self.creating = False
        self.call_later(self.release_keys)  # async: the keys typed meanwhile go to the list again
        self._refresh_header()
        self.notify(f"No review was created: {_in_words(error)}. Nothing else changed.", title="Not created",
                    severity="error", markup=False, timeout=10)

    def _refresh_header(self) -> None:
        show = getattr(self.current_screen(), "show_creating", None)
        if show is not None and self.screen_can_redraw():
            show(self.creating)

    def off_loop(self, work: Callable[[], Any], done: Callable[[Any], None],
                 failed: Callable[[Exception], None]) -> None:
        """Run a store call that may wait on a lock or a disk in a thread; then ``done(result)`` or ``failed(error)``
        on the event loop.  Key handling never waits for it."""
        def run() -> None:
            try:
                result = work()
            except Exception as error:  # noqa: BLE001 - said on screen, never a traceback
                self._deliver(failed, error)
            else:
                self._deliver(done, result)

        threading.Thread(target=run, name="postmortem-store-call", daemon=True).start()

    def read_list(self, done: Callable[[list], None], failed: Callable[[Exception], None]) -> None:
        """Read the list of reviews off the event loop; then ``done(reviews)`` or ``failed(error)`` on it.

        The first time, the read that started with the app is used: already
        there, the list is shown in the same frame as the screen.  The
        archive's version read with it is the one the next poll compares with,
        so the list is not read a second time for nothing.
        """
        early, self.first_list = self.first_list, None
        if early is not None and early.done():
            try:
                result = early.result()
            except Exception as error:  # noqa: BLE001 - said on screen
                failed(error)
            else:
                self._list_arrived(result, done)
            return
        work = early.result if early is not None else lambda: versioned_list(self.store)
        self._list_reading = True
        self.off_loop(work, lambda result: self._list_arrived(result, done),
                      lambda error: self._list_failed(error, failed))

    def _list_arrived(self, result: tuple[object, list], done: Callable[[list], None]) -> None:
        version, reviews = result
        self._list_reading = False
        if self._started and getattr(self.current_screen(), "review", None) is None:
            self._seen_version = (None, version)
        done(reviews)

    def _list_failed(self, error: Exception, failed: Callable[[Exception], None]) -> None:
        self._list_reading = False
        failed(error)

    def read_review(self, review_id: str, done: Callable[[Review, int], None],
                    failed: Callable[[Exception], None], tries: int = 5) -> None:
        """Read a review off the event loop; then ``done(review, finished_before)`` or ``failed(error)`` on it.

        A batch of ours that the writer finished while the review was read may
        be missing from it, so it is read again (a few times at most; the
        batch's own notice brings the newer review anyway).  ``finished_before``
        (the saver's count when the read began) lets ``show_stored`` make sure.
        """
        def work() -> tuple[int, Review]:
            before = self.saver.finished(review_id)
            return before, self.store.get(review_id)

        def arrived(result: tuple[int, Review]) -> None:
            before, review = result
            if self.saver.finished(review_id) != before and tries > 1:
                self.read_review(review_id, done, failed, tries - 1)
            else:
                done(review, before)

        self.off_loop(work, arrived, failed)

    def open_review(self, review_id: str) -> None:
        """Open a saved review at the step where it stopped, read off the event loop.

        Reading can wait on a disk or a database server: the list says it is
        opening meanwhile, and keys typed meanwhile are held for the review's
        first field.  A second request while one is on its way is ignored.
        """
        def opened(review: Review) -> None:
            self.show_step(self.with_unsaved(review), review.step, replace=False)

        self._open(review_id, opened)

    def _open(self, review_id: str, show: Callable[[Review], None]) -> None:
        if self.opening or self.creating:
            return
        self.opening = review_id
        self.hold_keys(repeat="enter")
        self._refresh_header()

        def done(review: Review, _finished_before: int) -> None:
            self.opening = None
            self._refresh_header()
            show(review)

        self.read_review(review_id, done, lambda error: self._not_opened(review_id, error))

    def _not_opened(self, review_id: str, error: Exception) -> None:
        """The review could not be read (a server down, a damaged file): say why; the list stays, keys go to it."""
        self.opening = None
        self.call_later(self.release_keys)
        self._refresh_header()
        self.report_error(error, title=f"{review_id} not opened")

    def with_unsaved(self, review: Review) -> Review:
        """``review`` with this terminal's edits not saved yet (a database restarting), as a new screen shows it.

        A step screen's fields merge typing they hold themselves; one opened
        anew holds none, and would show (then save) the text without it.  Each
        text is shown as it was typed (no merge: a batch the database may have
        stored already would be merged in twice); the next stored review merges.
        """
        from screens.step import _without_base

        pending = self.saver.unstored_ops(review.id)
        if not pending:
            return review
        doc = review.to_dict()
        for op in pending:
            try:
                ops.apply(doc, _without_base(op))
            except StoreError:
                continue  # refused: the saver says so when it writes it
        return Review.from_dict(doc)

    def open_follow_up(self, review_id: str) -> None:
        """Hold the follow-up of a saved review: each action marked done, slipped or dropped (read off the loop)."""
        from screens.follow_up import FollowUpScreen

        def opened(review: Review) -> None:
            self.push_screen(FollowUpScreen(review))  # its on_mount hands on the keys held meanwhile

        self._open(review_id, opened)

    def reread(self, review_id: str, failed: Callable[[Exception], None]) -> None:
        """Another process changed the review on screen: read it off the event loop and show it (``show_stored``).

        One read at a time; a change seen meanwhile is read by a later poll.
        """
        if self._rereading:
            self._seen_version = None
            return
        self._rereading = True

        def done(review: Review, finished_before: int) -> None:
            self._rereading = False
            self.show_stored(Change(review), read_after=finished_before)

        def not_read(error: Exception) -> None:
            self._rereading = False
            self._seen_version = None  # read again at a later poll
            failed(error)

        self.read_review(review_id, done, not_read)

    def open_stats(self) -> None:
        """Show what the archive of reviews says across reviews."""
        from screens.stats import StatsScreen

        self.push_screen(StatsScreen())

    def show_step(self, review: Review, step: str, replace: bool = True) -> None:
        """Show one step of a review, replacing the current step screen.

        Keys typed meanwhile (a burst behind ctrl+n) are held, not sent into
        the screen on its way out, where they were lost; the new step hands
        them on once it has focused its field (``release_keys``).
        """
        from screens import step_screen

        self.hold_keys()
        screen = step_screen(step)(review)
        screen.sync.sent_ops(self.saver.sent_ops(review.id))  # shown here, and not stored yet: never typed anew
        if replace:
            self.switch_screen(screen)
        else:
            self.push_screen(screen)

    def hold_keys(self, repeat: str | None = None) -> None:
        """Hold the keys typed from now until the new screen takes them (``release_keys``).

        ``repeat``: the key that asked for what is on its way (Enter on the
        list opening a review); pressed again before anything else, it asked
        again, and is dropped rather than typed into the new screen's field.
        """
        if self._held_keys is None:
            self._held_keys = []
            self._held_repeat = repeat
            # Whatever happens to the new screen, at most this long; a timer of an earlier hold must not end this one.
            self._keys_timer = self.set_timer(KEYS_HELD_SECONDS, self.release_keys)

    async def release_keys(self) -> None:
        """Send the keys held during a change of step through the app again, in order, to where the focus is now.

        They are handled here and now, not posted again: keys typed later and
        already waiting in the app's queue would have gone first (on a loaded
        machine "Alert" arrived as "t Aler").  A held key that changes the step
        again (ctrl+n) starts a new hold, and the keys behind it join that one.
        """
        held, self._held_keys = self._held_keys or [], None
        while held and held[0].key == self._held_repeat:
            held.pop(0)
        if self._keys_timer is not None:
            self._keys_timer.stop()
            self._keys_timer = None
        for key in held:
            await self.on_event(key)

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.Key) and not self.screen_stack:
            return  # the app is closing: a key still on its way has nothing to go to (Textual would raise)
        if isinstance(event, events.Key) and not event.is_forwarded:
            self._key_at = time.monotonic()
            if self.type_ahead.holding:  # a key typed before it may still move the focus (tui.type_ahead)
                self.type_ahead.hold(event)
            else:
                await self.take_key(event)
            return
        await super().on_event(event)

    async def take_key(self, key: events.Key) -> None:
        """Handle a typed key now (bindings, then the focused widget), unless a change of step holds it."""
        if self._held_keys is not None:
            self._held_keys.append(events.Key(key.key, key.character))
            return
        await super().on_event(key)
        if key.is_forwarded:
            self.type_ahead.forwarded(key, self.focused or self.screen)

    async def on_key_handled(self, message: KeyHandled) -> None:
        """Every handler of a key that may move the focus has run: the keys typed behind it go on."""
        await self.type_ahead.arrived(message)

    # Saving -------------------------------------------------------------------

    def flush_if_idle(self) -> None:
        """Hand edits that waited long enough (a typing pause) to the writer; never waits for it."""
        if self.saver.has_pending and self.saver.idle_for() >= DELAY and self.saver.ready() \
                and self.key_for() >= KEY_IN_HAND_SECONDS:
            self.saver.flush()

    def key_for(self) -> float:
        """Seconds since the last key arrived, typed or not."""
        return time.monotonic() - self._key_at

    def flush_now(self) -> None:
        """Hand pending edits to the writer now, without waiting for a typing pause (Enter, Escape, an add)."""
        if self.saver.ready():
            self.saver.flush()

    def show_written(self, change: Change) -> None:
        """Show the stored review that a write of ours brought back (what was typed here, and others' changes)."""
        self.show_stored(change, ours=True)

    def show_stored(self, change: Change, ours: bool = False, read_after: int | None = None) -> None:
        """Show a stored review if it is the one on screen and newer than the one shown.

        Writes finish in order, but a review read because another process
        changed the file may be newer than the notices of our writes still on
        their way.  ``ours``: brought back by our own write (the typing pending here is in it).
        ``read_after``: read when the saver had finished that many batches; if
        one finished since, the review may lack it and is read again.
        """
        review = change.review
        if getattr(getattr(self.current_screen(), "review", None), "id", None) != review.id:
            return
        if self.saver.lacks_ours(review.id, read_after):
            if read_after is not None:
                self._seen_version = None  # what the read brought of others' changes: the next poll reads it again
            return  # lacks a batch of ours still being written or sent again: the review that brings it back shows
        if not ours and self.saver.answering(review.id):
            # Our batch's own review comes next, on its way to this loop: shown first, its text fields know that
            # the others' text in it was placed by our write (TextSync.show); the next poll reads the rest.
            self._seen_version = None
            return
        if not self.screen_can_redraw():
            self._seen_version = None  # a screen still opening: not shown, so the next poll reads it again
            return
        if self._last_shown and self._last_shown[0] == review.id and review.updated <= self._last_shown[1]:
            return  # already shown, or older than what is
        if not ours and self.saver.pending_ops(review.id) and not self._nothing_new_to_see(review) \
                and not self._leaves_typing_alone(review):
            # Typing not yet saved, and a change the screen shows in the same field or item: the writer merges the
            # two (three-way, as the store does) and the review it brings back shows.  Merged on screen instead,
            # while three people typed at the end of one field, one's next words went after another's
            # (test_live_processes).  A change elsewhere shows at once, over which the typing stays as it is.
            if self.saver.ready():
                self.saver.flush()
            return
        self._last_shown = (review.id, review.updated)
        if change.version is not None:
            self._seen_version = (review.id, change.version)
        self._tell_screen(review)

    def _leaves_typing_alone(self, review: Review) -> bool:
        """Whether ``review`` changed nothing that typing not yet saved here is in (see StepScreen)."""
        leaves = getattr(self.current_screen(), "leaves_typing_alone", None)
        return bool(leaves and leaves(review))

    def _nothing_new_to_see(self, review: Review) -> bool:
        """Whether the screen would take ``review`` in without redrawing anything (an unrevealed card of another)."""
        sees = getattr(self.current_screen(), "nothing_new_to_see", None)
        return bool(sees and sees(review))

    def _sending(self, review_id: str, ops: list) -> list | None:
        """Edits go to the writer: the screen's text fields remember what they sent, and say where typing ends."""
        screen = self.current_screen()
        sync = getattr(screen, "sync", None)
        if sync is not None and getattr(screen.review, "id", None) == review_id:
            sync.writer = self.live.me.id
            return sync.sent_ops(ops)
        return None

    def _deliver(self, callback, *args) -> None:
        """Run a writer-thread notice on the event loop (at once before the app runs or after it ended)."""
        loop = self._loop
        if loop is None or loop.is_closed():
            return
        try:  # in the app's context: Textual finds the active app there (timers, notices)
            loop.call_soon_threadsafe(callback, *args, context=self._notice_context)
        except RuntimeError:
            pass  # the loop closed as we asked

    def save_state(self) -> str:
        """Quietly, whether what was typed is on disk: saved, saving, or NOT SAVED and why."""
        if self.live.observing:
            return "watching"
        if self.saver.failure_reason:  # the notice said it in full; the header keeps saying it
            return f"NOT SAVED: {self.saver.failure_reason}"
        return "saving" if self.saver.has_pending or self._typing_on() else "saved"

    def _typing_on(self) -> bool:
        """Typing goes on (a key within the saver's pause): a write that landed between two keys is no "saved".

        In a live session others' changes make this terminal write between
        keys; saying "saved" then "saving" again redrew the header twice a key.
        """
        return self.saver.typed_for() < DELAY

    def show_save_state(self) -> None:
        """Put the save state in the screen's header, if it has one (the step screens)."""
        show = getattr(self.current_screen(), "show_header", None)
        if show is not None and self.screen_can_redraw():
            show()
            if not self.saver.has_pending and self._typing_on():  # "saved" once typing pauses
                self.set_timer(DELAY - self.saver.typed_for() + 0.01, self.show_save_state)

    def saving_problem(self, error: Exception | None) -> None:
        """Say in words why edits are not saved (and keep saying it), or that they are saved again."""
        self.show_save_state()
        if error is None:
            self.sub_title = ""
            self.notify("Saved again: everything typed is on disk.", title="Saved", timeout=4)
        elif isinstance(error, OSError):
            first = not self.sub_title
            self.sub_title = self.saver.failure
            if first:
                self.notify(self.saver.failure, title="Not saved", severity="error", markup=False, timeout=30)
        else:
            self.report_error(error)

    def watched_version(self) -> object:
        """The version of what the screen shows: its review's file, or the whole archive on the list."""
        review = getattr(self.current_screen(), "review", None) if self._started else None
        review_id = getattr(review, "id", None)
        return (review_id, self.store.polled_version(review_id))

    def poll_store(self) -> None:
        """Show changes that other processes made to what is on screen, as soon as a poll notices them.

        The changed review is read even while typing here is not saved yet
        (on a step screen, ``MERGES_UNSAVED``): a change this terminal cannot
        see (another participant's unrevealed card) is taken in at once without
        a redraw, so a facilitator's count of cards stays current; a change it
        shows is left to the writer, which merges it with the typing
        (``show_stored``).  While someone types here, a change waits for a
        moment between two keys (``_between_keys``).
        """
        try:
            version = self.watched_version()
        except (OSError, StoreError):
            return
        if version == self._seen_version:
            return
        now = time.monotonic()
        if version[0] is None:  # the list of every review: re-read it at most once a second
            if self._list_reading:
                return  # the version read with it is compared with the next poll's
            if now - self._list_read_at < ARCHIVE_POLL_SECONDS:
                return
            self._list_read_at = now
        elif not self._between_keys(now):
            self._poll_again_soon()
            return  # a key may come any moment: a poll just after the next one takes this change in
        reload = getattr(self.current_screen(), "reload_from_store", None)
        if reload is None or not self.screen_can_redraw():
            return  # a dialog on top, or a screen on its way: not seen yet, so a later poll reads it
        self._seen_version = version
        if version[0] is not None and self.saver.on_its_way(version[0]):
            return  # the review our batch brings back holds this change (the store applies it to the latest)
        if self.saver.has_pending and not getattr(self.current_screen(), "MERGES_UNSAVED", False):
            if self.saver.ready():  # (the follow-up) the writer merges ours with theirs, and the result is shown
                self.saver.flush()
            return
        try:
            reload()
        except OSError:
            self._seen_version = None  # the database is unreachable for now: a later poll reads again

    def _between_keys(self, now: float) -> bool:
        """Whether to take in another's change now: not typing, or just after a key, or it has waited long enough.

        Taking a change in (reading, redrawing, writing the typing it merges
        with) takes a few milliseconds; a key typed meanwhile waits for its
        echo.  Just after a key's echo the next key is furthest off.  Once
        between the same two keys is enough: ten participants writing at once
        would otherwise keep this terminal redrawing the whole time it types.
        """
        if self._waiting_since is None:
            self._waiting_since = now  # (from the first change not taken in: later ones do not put it off)
        typed = min(self.saver.typed_for(), self.key_for())  # (a key not at its field yet has queued nothing)
        last_key = now - typed
        after_key = AFTER_KEY_SECONDS[0] <= typed <= AFTER_KEY_SECONDS[1] and last_key > self._took_in_after + 0.001
        waited = now - self._waiting_since
        # Waited long enough: taken in now, unless a key's echo may still be on its way
        overdue = waited >= CHANGE_WAITS_SECONDS and (typed >= AFTER_KEY_SECONDS[0] or waited >= 2 * CHANGE_WAITS_SECONDS)
        if typed >= TYPING_PAUSE_SECONDS or after_key or overdue:
            self._waiting_since = None
            self._took_in_after = last_key
            return True
        return False

    def _poll_again_soon(self) -> None:
        """Poll the store again shortly: a change waits for a moment between keys, and should not miss it."""
        if self._poll_soon is None:
            self._poll_soon = self.set_timer(WAITING_POLL_SECONDS, self._poll_waiting)

    def _poll_waiting(self) -> None:
        self._poll_soon = None
        self.poll_store()

    def _tell_screen(self, review: Review) -> None:
        """The screen shows ``review``, and follows the facilitator."""
        if not self.screen_can_redraw():
            return
        stored = getattr(self.screen, "on_review_stored", None)
        if stored is not None:
            stored(review)
            self.follow_the_session()

    # The live session -----------------------------------------------------------

    def live_beat(self) -> None:
        """Once a second: say who this terminal is and where, and hear who else is in the review."""
        screen = self._step_screen()
        if screen is None:
            self.live.leave()  # on the list of reviews, or the statistics
            return
        timebox = getattr(screen, "timebox", None)  # None while the step screen is still mounting
        self.live.me.clock = timebox.record(screen.STEP) if timebox is not None and self.live.leads else {}
        self.live.beat(self.saver.typed_for() < TYPING_SECONDS, self.presence_changed)

    async def on_line_input_hand_on(self, message: LineInput.HandOn) -> None:
        """Enter's handlers have run (the focus moved on, or not): the keys typed behind it go where it is now."""
        await self.type_ahead.arrived(message)

    def on_exit_app(self) -> None:
        """A browser tab closed (textual-serve asks the app to quit): save what was typed, as ctrl+q does.

        In a terminal every way out saved already (ctrl+q, the signal handlers).
        """
        if self.is_web:
            self.save_before_leaving()

    def live_listen(self) -> None:
        """Ten times a second, where the store pushes presence (PostgreSQL): who is here, as soon as it changes."""
        if self.live.review_id is not None and self._step_screen() is not None:
            self.live.listen(self.saver.typed_for() < TYPING_SECONDS, self.presence_changed)

    def on_unmount(self) -> None:
        """However the app ends, write what still waits (bounded) and leave the session; ctrl+q and signals did already.

        A change handed to the writer while another was being written waits
        for the next idle tick, which an app on its way out never has.
        """
        if self.saver.has_pending:
            self.write_what_waits()
        self.live.close()

    def _step_screen(self) -> Screen | None:
        """The step screen on show, also under a dialog (help, a confirmation): its user is still here."""
        try:
            stack = self.screen_stack
        except ScreenStackError:
            return None
        for screen in reversed(stack):
            if getattr(screen, "review", None) is not None and hasattr(screen, "STEP"):
                return screen
            if not screen.is_modal:
                return None
        return None

    def presence_changed(self, members: list) -> None:
        """Who is here changed (or was read again): redraw the presence line, follow the facilitator."""
        screen = self.current_screen()
        show = getattr(screen, "show_presence", None)
        if show is not None and self.screen_can_redraw():
            changes = self.live.claim_ops(screen.review)
            if self.live.leads and (joined := self.live.new_participants(screen.review)):
                changes.append(ops.Set("session.participants", screen.review.session.participants + joined))
            if self.live.leads and (heard := self.live.heard_record(screen.review)) is not None:
                changes.append(ops.Set("session.spoke", heard))
            if changes:
                screen.send(*changes)
            show()
            self.follow_the_session()

    def follow_the_session(self) -> None:
        """Take this terminal to the facilitator's step, unless it browses, leads, or its user is typing.

        Someone in the middle of a sentence is not pulled away: the next beat, after their pause, moves them.
        """
        screen = self.current_screen()
        review = getattr(screen, "review", None)
        step = getattr(screen, "STEP", None)
        if review is None or step is None or not self.screen_can_redraw():
            return
        target = self.live.update(review, step)
        show = getattr(screen, "show_presence", None)
        if show is not None:
            show()
        if target is None or self.saver.typed_for() < TYPING_SECONDS:
            return
        self.flush_now()
        leader = self.live.leader()
        self.show_step(review, target)
        from store.model import STEP_TITLES

        self.notify(f"{leader.name if leader else 'The facilitator'} moved the session to {STEP_TITLES[target]}. "
                    "(To browse on your own, just move; ctrl+r brings you back.)", timeout=4)

    def current_screen(self) -> Screen | None:
        """The screen on top, or None while the app starts or closes (timers and the writer's notices still run)."""
        try:
            return self.screen
        except ScreenStackError:
            return None

    def screen_can_redraw(self) -> bool:
        """False while the app or its screen is being torn down (timers still fire then).

        Reads Textual's own teardown flags (private in the pinned version): the
        widgets of a closing screen disappear one by one, so no query is safe.
        """
        screen = self.current_screen()
        if screen is None:
            return False
        return not (self._closing or screen._closing or screen._pruning) and screen.is_mounted

    def delete_review(self, review_id: str, then: Callable[[], None] = lambda: None) -> None:
        """Delete a review off the event loop (it takes the review's lock); ``then`` runs on the loop either way."""
        def failed(error: Exception) -> None:
            self.notify(f"{review_id} was not deleted: {_in_words(error)}", title="Not deleted", severity="error",
                        markup=False, timeout=8)
            then()

        self.off_loop(lambda: self.store.delete(review_id), lambda _: then(), failed)

    def report_error(self, error: Exception, title: str = "Not saved") -> None:
        """Show a store error as a notice; the app keeps running."""
        self.notify(visible(str(error)), title=title, severity="error", markup=False, timeout=8)

    def toggle_presenter(self) -> None:
        """Presenter view: high contrast, facilitator-only panels hidden (screens read the flag)."""
        self.presenter = not self.presenter
        if self.presenter:
            self._theme_before_presenter = self.theme
            self.theme = PRESENTER_THEME.name
        else:
            self.theme = self._theme_before_presenter

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """A step's meeting key works (and shows) only on a step screen, never under a dialog."""
        if action == "on_step":
            return hasattr(self.screen, "STEP") and hasattr(self.screen, f"action_{parameters[0]}")
        return True

    async def action_on_step(self, name: str) -> None:
        """Run a step screen's action (F6, F7, F9, ctrl+l, ctrl+o, ctrl+f: see BINDINGS); awaited if async."""
        result = getattr(self.screen, f"action_{name}")()
        if inspect.isawaitable(result):
            await result

    def get_key_display(self, binding: Binding) -> str:
        """In a browser tab the footer shows ctrl+down / ctrl+up for the steps: a browser never hands on ctrl+n."""
        if self.is_web and binding.action in BROWSER_STEP_KEYS:
            return BROWSER_STEP_KEYS[binding.action]
        return super().get_key_display(binding)

    async def action_step_key(self, direction: int) -> None:
        """ctrl+down / ctrl+up do what ctrl+n / ctrl+b do on a step (and the follow-up's next/previous action).

        One binding for every step, in the app, because a browser never hands
        a page ctrl+n (a new window); anywhere else (the list, a dialog) they
        do nothing.
        """
        screen = self.screen
        if hasattr(screen, "action_next_step"):
            await self.run_action("next_step" if direction > 0 else "previous_step", screen)
        elif hasattr(screen, "action_step"):  # the follow-up's actions
            await self.run_action(f"step({direction})", screen)

    async def action_quit(self) -> None:
        """Save everything pending (what cannot be saved goes to a recovery file), then leave."""
        await self.let_typing_land()
        self.save_before_leaving()
        self.exit(0)

    async def let_typing_land(self, seconds: float = 0.5) -> None:
        """Wait (briefly) until the focused field has handled the keys typed before this one.

        ctrl+q is handled by the app as soon as it arrives, while the keys
        typed just before it still wait in the field's own queue.
        """
        widget = self.focused
        if widget is None:
            return
        landed = asyncio.Event()
        widget.call_later(landed.set)
        try:
            await asyncio.wait_for(landed.wait(), seconds)
        except asyncio.TimeoutError:
            pass

    def save_before_leaving(self) -> None:
        """Write what the focused field holds and everything pending (bounded wait); keep what fails."""
        save_typing = getattr(self.current_screen(), "save_focused_typing", None)
        if save_typing is not None:
            try:
                save_typing()
            except Exception:  # a screen being torn down may fail to redraw; the edit was queued first
                pass
        self.write_what_waits()
        self.live.close()

    def write_what_waits(self) -> None:
        """Write every pending edit (a bounded wait); what cannot be written goes to the recovery file, once."""
        self.saver.flush(wait=True)
        if self.saver.has_pending and self.recovery_path is None:
            self.recovery_path = self.saver.write_recovery(self.recovery_directories())

    def recovery_directories(self) -> list[Path]:
        """Where unsaved edits may go: beside the reviews, else the user's state dir, home, or /tmp."""
        import platformdirs

        root = getattr(self.store, "meta_dir", None)
        return [path for path in (root, Path(platformdirs.user_state_dir("postmortem", appauthor=False)),
                                  Path.home(), Path("/tmp")) if path is not None]

    # Signals --------------------------------------------------------------------

    def _install_signal_handlers(self) -> None:
        """Textual installs no SIGHUP handler: a dropped SSH link must not lose typing."""
        try:
            loop = asyncio.get_running_loop()
            for number in (signal.SIGHUP, signal.SIGTERM, signal.SIGINT):
                loop.add_signal_handler(number, self._save_and_leave, number)
        except (NotImplementedError, RuntimeError, ValueError):
            pass  # not the main thread (tests run the app in one): nothing to install

    async def terminal_gone(self) -> None:
        """The terminal went away without a SIGHUP (it was not the controlling terminal): leave as on a hang-up.

        The keys read just before are handled first, so what they typed is saved too.
        """
        await self.let_typing_land()
        self._save_and_leave(signal.SIGHUP)

    def _save_and_leave(self, number: int) -> None:
        """Write pending edits, then leave; after a hang-up, leave at once.

        With the terminal gone there is nothing to restore, and Textual's
        shutdown can block on it (a SIGCONT comes with the SIGHUP and restarts a
        writer on the dead terminal), so a hang-up ends the process right after
        the save.  Otherwise the app exits normally, with a backstop thread in
        case shutdown hangs.
        """
        try:
            self.save_before_leaving()
        finally:
            if number == signal.SIGHUP:
                os._exit(128 + number)
            backstop = threading.Timer(3.0, os._exit, args=(128 + number,))
            backstop.daemon = True
            backstop.start()
            self.exit(128 + number)

    def _handle_exception(self, error: Exception) -> None:
        """A crash must not lose typing nor pass for a clean exit: save, log the traceback, exit 1.

        (A private hook of the pinned Textual version; it is the one place every
        unhandled error passes through.)  The traceback goes to the log, not to
        the user's screen; ``run_app`` names the log.
        """
        try:
            self.save_before_leaving()
        except Exception:  # the crash report matters more than a second error
            pass
        if self.crash_log is None:
            self.crash_log = write_crash_log(error, self.recovery_directories())
        super()._handle_exception(error)  # sets the return code to 1 and shuts down
        if self.crash_log is not None:
            self._exit_renderables.clear()

    # Terminal size --------------------------------------------------------------

    def on_resize(self, event) -> None:
        self.check_size(event.size)

    def check_size(self, size=None) -> None:
        """Below 60x20, ask for a larger window rather than draw a broken layout."""
        if not self._started:
            return  # on_mount checks once the first screens are up
        from screens.dialogs import TooSmallScreen

        size = size or self.size
        small = size.width < MIN_WIDTH or size.height < MIN_HEIGHT
        showing = isinstance(self.screen, TooSmallScreen)
        if small and not showing:
            self.push_screen(TooSmallScreen())
        elif not small and showing:
            self.pop_screen()


def make_app(db: Path | str, start: str = "home", **options) -> PostmortemApp:
    """The app over the archive ``db`` (a data directory or a postgresql:// URL); for the command and the tests."""
    return PostmortemApp(open_backend(db), start=start, **options)


def _in_words(error: Exception) -> str:
    """An error as a notice says it: an OSError's reason and path, else its message."""
    if isinstance(error, OSError) and not isinstance(error, StoreError) and error.strerror:
        return visible(error.strerror + (f", {error.filename}" if error.filename else ""))
    return visible(str(error))


def recover_command(location: str, recovery_path: Path) -> str:
    """The command that applies a recovery file to the archive it came from (no password shown)."""
    from store.backend import without_password

    return f"postmortem --db {shlex.quote(without_password(location))} recover {shlex.quote(str(recovery_path))}"


def run_app(store: Backend, args: Namespace, first_list: EarlyRead | None = None) -> int:
    """Run the app for the parsed command line; returns the exit code.

    ``first_list`` is the list of reviews, already being read (``tui.early_read``).
    """
    app = PostmortemApp(
        store,
        start=args.command or "home",
        review_id=getattr(args, "id", None),
        kind=getattr(args, "kind", "incident"),
        title=getattr(args, "title", ""),
        solo=getattr(args, "solo", False),
        name=getattr(args, "name", None),
        observe=getattr(args, "observe", False),
    )
    app.first_list = first_list
    app.freezes_long_lived = True
    # What was read before the app runs (the list of reviews, for a large
    # archive thousands of objects) lives as long as the app: freezing it keeps
    # the garbage collector from walking it again and again while Textual starts.
    gc.freeze()
    sys.setswitchinterval(SWITCH_INTERVAL_SECONDS)
    result = app.run()
    if app.crash_log is not None:
        print(visible(f"postmortem: an unexpected error ended the app ({type(app._exception).__name__}); "
                      f"what was typed was saved first; the details are in {app.crash_log}"), file=sys.stderr)
    if app.recovery_path is not None:
        print(visible(f"postmortem: some edits could not be saved ({app.saver.failure or 'see above'}); "
                      f"they are in {app.recovery_path}; once the cause is fixed, apply them with: "
                      f"{recover_command(app.store.location, app.recovery_path)}"), file=sys.stderr)
    elif app.saver.has_pending:
        print(visible(f"postmortem: some edits could not be saved ({app.saver.failure}) and no recovery file "
                      "could be written"), file=sys.stderr)
    code = app.return_code or (result if isinstance(result, int) else 0)
    if code == 0 and (app.recovery_path is not None or app.saver.has_pending):
        return UNSAVED_EXIT  # scripts must notice that edits are not in the archive
    return code
