"""Facilitation on every step: the timebox, the prompts, presenter view and the solo interview.

A mixin of :class:`screens.step.StepScreen` (which holds the key bindings,
since Textual reads bindings only from widget classes).  The rules it reuses
live in ``store/``; the widgets in ``tui/``.
"""

from __future__ import annotations

import copy

from textual.screen import Screen
from textual.widgets import Header, Input
from textual.widgets._header import HeaderTitle

from store import ops
from store.checks import field_errors
from store.errors import StoreError
from store.model import STEP_TITLES, Review
from store.prompts import INTERVIEW, ITEM_GROUPS, Question
from store.sanitize import quote
from tui.interview import InterviewPanel
from tui.prompts_panel import PromptsPanel

# Textual's Header keeps 8 columns for its icon and 10 for its clock space.
HEADER_SIDES = 18

FACILITATION_HELP = """
## Facilitation

| key | does |
|---|---|
| ctrl+t | show or hide the prompts (questions to ask) |
| ctrl+f | solo mode: the app interviews you, one question at a time |
| ctrl+l | presenter view for screen shares (hides facilitator panels) |
| F6 | pause or resume this step's timer |
| F7 | set this step's timebox (minutes) |
| F9 | let's move on: record this step as cut short and go on |
"""


class Facilitation:
    """Timebox, prompts, presenter view and interview for a step screen."""

    _lead_clock_heard: float | None = None  # when the facilitator announced the timer this step last followed

    def focus_interview(self, tries: int = 20) -> None:
        """In solo mode the interview has the focus, so answering is all there is to do.

        A panel mounted just now (ctrl+f) may not hold its answer box yet: try again after the next
        refresh, a few times (a panel with nothing left to ask never holds one: that spun forever).
        """
        for panel in self.query(InterviewPanel):
            answers = panel.query(Input)
            if answers:
                answers.first().focus()
            elif tries > 0:
                self.call_after_refresh(self.focus_interview, tries - 1)

    def tick_timer(self) -> None:
        """Show the time left in the header (the facilitator's, in a session); ring the bell once when it is up."""
        self.follow_lead_clock()
        ring = self.timebox.due_to_ring()
        self.show_header()
        if ring:
            self.app.bell()
            self.app.notify(
                f"The {self.timebox.seconds // 60} minutes for {STEP_TITLES[self.STEP]} are up. "
                "F9 moves on and records that the discussion was cut short.",
                title="Timebox",
                severity="warning",
                timeout=10,
            )

    def show_header(self) -> None:
        """The header line: review, step, time left, and whether everything typed is on disk.

        It changes only when one of them does (a second, or saved/saving), so
        typing does not redraw it per key.  Once the timebox is up it says OVER
        TIME for as long as the step goes on, and the title is cut short to fit,
        never the timer.
        """
        read_only = "READ-ONLY (nothing typed is saved)  " if self.app.store.read_only else ""
        over = "OVER TIME " if self.timebox.rang else ""
        sub_title = (f"{read_only}{self.review.id}  {STEP_TITLES[self.STEP]}  {over}{self.timebox.label()}  "
                     f"{'' if read_only else self.app.save_state()}").rstrip()
        self.set_header(self.fitted_title(sub_title), sub_title)

    def show_title(self) -> None:
        """The review's title in the header, cut short so the timer beside it never is."""
        self.set_header(self.fitted_title(self.sub_title or ""), self.sub_title or "")

    def fitted_title(self, sub_title: str) -> str:
        title = self.review.title or "(untitled review)"
        room = self.app.size.width - HEADER_SIDES - len(" — ") - len(sub_title)
        if len(title) > room:
            title = title[: max(room - 1, 0)].rstrip() + "…" if room > 1 else ""
        return title

    def set_header(self, title: str, sub_title: str) -> None:
        """Show a new title or sub-title by redrawing the header's line alone.

        Setting ``Screen.title`` or ``sub_title`` repaints the whole screen
        (Textual's reactives): the clock's tick every second sent the terminal
        about 7 KB, a full frame, over SSH.  They are set quietly instead.
        """
        if (self.title, self.sub_title) == (title, sub_title):
            return
        self.set_reactive(Screen.title, title)
        self.set_reactive(Screen.sub_title, sub_title)
        for header in self.composed(Header):  # found once: a query walks the screen, per change another makes
            for line in header.query(HeaderTitle):
                line.update(header.format_title(), layout=False)

    def on_resize(self) -> None:
        self.show_title()

    def follow_lead_clock(self) -> None:
        """Where another terminal leads the session, this step's timer is theirs, as they last announced it."""
        clock = self.app.live.lead_clock(self.STEP)
        if clock is not None and clock["heard"] != self._lead_clock_heard:
            self._lead_clock_heard = clock["heard"]
            self.timebox.follow(clock)

    def timer_is_the_leads(self) -> bool:
        """Say so and refuse, where the facilitator's timer is shown: only they pause it or set it."""
        if self.app.live.lead_clock(self.STEP) is None:  # no other terminal leads, or not on this step
            return False
        leader = self.app.live.leader()
        self.app.notify(f"The timer is {leader.name}'s, the facilitator's: only they pause it or set it.",
                        timeout=4, markup=False)
        return True

    def action_pause_timer(self) -> None:
        if self.timer_is_the_leads():
            return
        self.timebox.toggle_pause()
        self.tick_timer()

    def action_set_timebox(self) -> None:
        from screens.dialogs import PromptDialog

        if self.timer_is_the_leads():
            return

        prompt = f"Minutes for {STEP_TITLES[self.STEP]} (1 to 240):"
        self.app.push_screen(PromptDialog(prompt, str(self.timebox.seconds // 60)), self.set_timebox)

    def set_timebox(self, answer: str | None) -> None:
        """Keep this step's timebox in the review, so it holds on resume too."""
        if answer is None:
            return
        if not answer.strip().isdigit() or not 1 <= int(answer) <= 240:
            self.app.notify(f"Timebox: {quote(answer)} is not a number of minutes from 1 to 240.", severity="error", markup=False)
            return
        minutes = int(answer)
        self.send(ops.Set("timeboxes", self.review.timeboxes | {self.STEP: minutes}))
        self.timebox.set_minutes(minutes)
        self.tick_timer()

    def action_move_on(self) -> None:
        """"Let's move on": record that this step's discussion was cut short, then move on."""
        errors = [p for p in self.problems if p.level == "error"]
        if errors:
            self.refuse(errors)
            return
        if self.STEP not in self.review.cut_short:
            self.send(ops.Set("cut_short", self.review.cut_short + [self.STEP]))
        self.app.notify(f"{STEP_TITLES[self.STEP]} recorded as cut short; the summary lists it.")
        self.action_next_step()

    def show_panels(self) -> None:
        """Prompts show unless hidden, in solo mode (the interview asks) or in presenter view."""
        self.set_class(self.app.presenter, "-presenter")
        self.query_one(PromptsPanel).display = (
            self.app.show_prompts and not self.app.solo and not self.app.presenter
        )

    def action_toggle_prompts(self) -> None:
        self.app.show_prompts = not self.app.show_prompts
        self.show_panels()

    def action_toggle_presenter(self) -> None:
        self.app.toggle_presenter()
        self.show_panels()
        self.refresh_checks()

    async def action_toggle_solo(self) -> None:
        """Switch the interview on or off for this and the following steps.

        Awaited, so ctrl+f pressed twice at once never mounts a panel while the last one is still leaving.
        """
        self.app.solo = not self.app.solo
        if self.app.solo:
            await self.query_one("#content").mount(InterviewPanel(self.STEP, id="interview"), before=0)
            self.call_after_refresh(self.focus_interview)
        else:
            await self.query(InterviewPanel).remove()
        self.show_panels()

    def interview_text(self, question: Question) -> str:
        """The question as asked; Five Whys quotes the answer before it."""
        return question.text

    def record_answer(self, question: Question, answer: str) -> str:
        """Put an interview answer where it belongs; returns why it was refused ("" when recorded)."""
        target = question.target
        if target.split(".", 1)[0] in ITEM_GROUPS:
            return self.record_item_answer(question, answer)
        if target in ops.REVIEW_FIELDS:
            value = self.to_stored(target, answer)
            refusal = self.answer_refusal([ops.Set(target, value)], target)
            if not refusal:
                self.set_field(target, value)
                self.show_review()
        elif target.startswith("list:"):
            name = target.removeprefix("list:")
            refusal = self.answer_refusal([ops.Add(name, {"text": answer})], name + ".{id}")
            if not refusal:
                self.add_item(name, {"text": answer})
        else:
            return ""
        if not refusal:
            self.app.flush_now()
        return refusal

    def record_item_answer(self, question: Question, answer: str) -> str:
        """One field of the item being built (an action, a question); the group's first field adds it."""
        group, name = question.target.split(".", 1)
        list_name = ITEM_GROUPS[group]
        value = self.interview_value(list_name, name, answer)
        first = next(q for q in INTERVIEW[self.STEP] if q.target.startswith(group + ".")) == question
        item_id = self.interview_items.get(list_name)
        if first:
            op, field = ops.Add(list_name, {name: value}), f"{list_name}.{{id}}.{name}"
        elif item_id is None or self.find_item(list_name, item_id) is None:
            return "Answer the first question of this item first (leave this one empty to go back to it)."
        else:
            op, field = ops.Edit(list_name, item_id, {name: value}), f"{list_name}.{item_id}.{name}"
        refusal = self.answer_refusal([op], field)
        if refusal:
            return refusal
        if first:
            self.interview_items[list_name] = self.add_item(list_name, {name: value})
        else:
            self.send(op)
        self.interview_item_started(list_name, self.interview_items[list_name])
        return ""

    def interview_value(self, list_name: str, name: str, answer: str):
        """What an item answer stores (the actions step turns "det" into "detect")."""
        return answer

    def interview_applies(self, question: Question) -> bool:
        """Whether to ask ``question`` of the item being built: its ``only`` statuses include the item's."""
        if not question.only:
            return True
        list_name = ITEM_GROUPS.get(question.target.split(".", 1)[0])
        item_id = self.interview_items.get(list_name) if list_name else None
        item = self.find_item(list_name, item_id) if item_id else None
        return item is None or item.get("status", "open") in question.only

    def interview_item_started(self, list_name: str, item_id: str | None) -> None:
        """Hook: show the item the interview is filling in."""

    def answer_refusal(self, operations: list, field: str) -> str:
        """Why an answer cannot be taken: the store's own rules and the step's check at ``field``.

        The operations are tried on a copy of the review; ``{id}`` in
        ``field`` stands for the item they add.  Nothing is written here.
        """
        doc = copy.deepcopy(self.doc)
        added = None
        try:
            for operation in operations:
                added = ops.apply(doc, operation) or added
        except StoreError as error:  # the field is where the answer goes: say only what is wrong
            return str(error).removeprefix(f"{getattr(error, 'field', '')}: ")
        errors = field_errors(Review.from_dict(doc), self.STEP, field.format(id=added))
        return f"{errors[0].message} {errors[0].hint}" if errors else ""

    def interview_now(self, question: Question) -> str:
        """What the field a question fills holds now (a default such as the review date), or ""."""
        if question.target in ops.REVIEW_FIELDS:
            value = self.shown_value(question.target)
            return value if isinstance(value, str) else ""
        return ""
