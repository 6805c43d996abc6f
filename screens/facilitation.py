"""Facilitation on every step: the timebox, the prompts, presenter view and the solo interview.

A mixin of :class:`screens.step.StepScreen` (which holds the key bindings,
since Textual reads bindings only from widget classes).  The rules it reuses
live in ``store/``; the widgets in ``tui/``.
"""

from __future__ import annotations

from textual.widgets import Input

from store import ops
from store.sanitize import quote
from store.model import STEP_TITLES
from store.prompts import Question
from tui.interview import InterviewPanel
from tui.prompts_panel import PromptsPanel

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

    def focus_interview(self) -> None:
        """In solo mode the interview has the focus, so answering is all there is to do."""
        for panel in self.query(InterviewPanel):
            panel.query_one(Input).focus()

    def tick_timer(self) -> None:
        """Show the time left in the header; ring the bell once when it is up."""
        self.show_header()
        if self.timebox.due_to_ring():
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
        typing does not redraw it per key.
        """
        read_only = "READ-ONLY (nothing typed is saved)  " if self.app.store.read_only else ""
        self.sub_title = (f"{read_only}{self.review.id}  {STEP_TITLES[self.STEP]}  {self.timebox.label()}  "
                          f"{'' if read_only else self.app.save_state()}").rstrip()

    def action_pause_timer(self) -> None:
        self.timebox.toggle_pause()
        self.tick_timer()

    def action_set_timebox(self) -> None:
        from screens.dialogs import PromptDialog

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

    def record_answer(self, question: Question, answer: str) -> bool:
        """Put an interview answer where it belongs; False if it was refused (ask again)."""
        if question.target in ops.REVIEW_FIELDS:
            if not self.set_field(question.target, self.to_stored(question.target, answer)):
                return False
            self.show_review()
        elif question.target.startswith("list:"):
            self.add_item(question.target.removeprefix("list:"), {"text": answer})
        self.app.flush_now()
        return True
