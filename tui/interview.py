"""The solo interview: one question at a time, each answer recorded in the step's fields.

Someone filling in a review alone answers here instead of hunting for fields.
The screen decides where an answer goes (``record_answer``); this widget only
asks, moves on, and repeats the questions that collect several answers.
"""

from __future__ import annotations

from textual import events, on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import Input, Static

from store.prompts import INTERVIEW, ITEM_GROUPS, Question
from tui.line_input import LineInput
from tui.text import show_note


class AnswerInput(LineInput):
    """The answer box: Enter takes the answer in key order, so words typed straight after go to the next one.

    Textual runs Input's Enter binding only once the key has bubbled up to the
    app; keys typed right behind it (a paste, a fast typist over tmux) were
    already in the box by then and went out with the answer before.
    """

    async def _on_key(self, event: events.Key) -> None:
        if event.key != "enter":
            return  # LineInput's and Input's own handlers take it
        event.stop()
        event.prevent_default()
        answer, self.value = self.value, ""
        self.post_message(self.Submitted(self, answer))


class InterviewPanel(Vertical):
    """Asks the step's interview questions in order; Enter records the answer."""

    DEFAULT_CSS = """
    InterviewPanel { height: auto; border: none; border-top: round $accent; padding: 0 1; }
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
        yield AnswerInput(placeholder="Your answer", id="answer", compact=True, select_on_focus=False)
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
        show_note(self.query_one("#answer-refusal", Static), f"! Not recorded: {text}" if text else "")

    @on(Input.Submitted, "#answer")
    def record(self, event: Input.Submitted) -> None:
        """Record a non-empty answer; an empty one ends a repeating question or skips."""
        event.stop()
        question = self.question
        answer = event.value.strip()
        if question is None:
            return
        refusal = self.screen.record_answer(question, answer) if answer else ""
        self.show_refusal(refusal)
        if refusal:  # asked again, with the answer there to correct (and anything typed since after it)
            event.input.value = answer + event.input.value
            event.input.cursor_position = len(answer)
            return
        if not answer or not question.repeat:
            self.move_on(answer)
        self.show_question()

    def move_on(self, answer: str) -> None:
        """To the next question, past those that do not apply to the item being built (a done action's due date)."""
        self.index = self.next_index(answer)
        while self.question is not None and not self.screen.interview_applies(self.question):
            self.index = self.next_index("skipped")  # the group goes on (its first question always applies)

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
