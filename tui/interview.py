"""The solo interview: one question at a time, each answer recorded in the step's fields.

Someone filling in a review alone answers here instead of hunting for fields.
The screen decides where an answer goes (``record_answer``); this widget only
asks, moves on, and repeats the questions that collect several answers.
"""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import Input, Static

from store.prompts import INTERVIEW, ITEM_GROUPS, Question
from tui.text import show_text


class InterviewPanel(Vertical):
    """Asks the step's interview questions in order; Enter records the answer."""

    DEFAULT_CSS = """
    InterviewPanel { height: auto; border: round $accent; padding: 0 1; margin: 0 0 1 0; }
    InterviewPanel > #question { height: auto; text-style: bold; }
    InterviewPanel > #example { height: auto; color: $text-muted; }
    InterviewPanel > #answer-refusal { height: auto; color: $text-error; }
    InterviewPanel > #answer-refusal.-empty { display: none; }
    """

    def __init__(self, step: str, **kwargs) -> None:
        super().__init__(**kwargs)
        self.questions: tuple[Question, ...] = INTERVIEW.get(step, ())
        self.index = 0
        self.border_title = "Interview (solo): Enter records, empty Enter skips"

    def compose(self) -> ComposeResult:
        yield Static("", id="question")
        yield Static("", id="example")
        yield Input(placeholder="Your answer", id="answer")
        yield Static("", id="answer-refusal", classes="-empty")

    def on_mount(self) -> None:
        self.show_question()

    @property
    def question(self) -> Question | None:
        """The question being asked, or None when the step's interview is over."""
        return self.questions[self.index] if self.index < len(self.questions) else None

    def show_question(self) -> None:
        question = self.question
        if question is None:
            self.query_one("#question", Static).update(Content("That is all for this step. ctrl+n moves on when the check is clear."))
            self.query_one("#example", Static).update("")
            return
        text = self.screen.interview_text(question)
        self.query_one("#question", Static).update(Content(text))
        now = self.screen.interview_now(question)
        example = f"Now: {now} (empty Enter keeps it)" if now else ""
        example = example or (f"For example: {question.example}" if question.example else "")
        self.query_one("#example", Static).update(Content(example))

    def show_refusal(self, text: str) -> None:
        """Why the answer was refused, under it, until it is corrected or skipped."""
        line = self.query_one("#answer-refusal", Static)
        show_text(line, f"! Not recorded: {text}" if text else "")
        line.set_class(not text, "-empty")

    @on(Input.Submitted, "#answer")
    def record(self, event: Input.Submitted) -> None:
        """Record a non-empty answer; an empty one ends a repeating question or skips."""
        event.stop()
        question = self.question
        answer = event.value.strip()
        event.input.value = ""
        if question is None:
            return
        refusal = self.screen.record_answer(question, answer) if answer else ""
        self.show_refusal(refusal)
        if refusal:  # asked again, with the answer there to correct
            event.input.value = answer
            event.input.cursor_position = len(answer)
            return
        if not answer or not question.repeat:
            self.index = self.next_index(answer)
        self.show_question()

    def next_index(self, answer: str) -> int:
        """An item (an action, a question) is asked as a group: after its last field, the next item.

        An empty answer to the group's first question ends the group.
        """
        group = self.questions[self.index].target.split(".", 1)[0]
        if group not in ITEM_GROUPS:
            return self.index + 1
        members = [n for n, q in enumerate(self.questions) if q.target.split(".", 1)[0] == group]
        if self.index == members[0] and not answer:
            return members[-1] + 1
        return members[0] if self.index == members[-1] else self.index + 1
