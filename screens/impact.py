"""Impact: who and what was affected, and for how long."""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.widgets import TextArea

from screens.step import StepScreen
from store.model import IMPACT_CATEGORY_TITLES
from tui.choice_select import ChoiceSelect
from tui.fields import Field
from tui.line_input import LineInput, TextBox


def read_categories(text: str) -> list[str]:
    """The impact categories named in ``text`` (comma separated; "errors" or "full" will do); unclear words are left out."""
    found = []
    for word in _words(text):
        matches = _matches(word)
        if len(matches) == 1 and matches[0] not in found:
            found.append(matches[0])
    return found


def unclear_categories(text: str) -> list[str]:
    """The words of ``text`` that name no impact category, or more than one (said to the user, never dropped in silence)."""
    return [word for word in _words(text) if len(_matches(word)) != 1]


def _words(text: str) -> list[str]:
    return [word for word in (part.strip().lower().replace("_", " ") for part in text.split(",")) if word]


def _matches(word: str) -> list[str]:
    return [name for name, title in IMPACT_CATEGORY_TITLES.items()
            if title == word or title.startswith(word) or title.endswith(word)]


# How a near-miss question may be answered.
YES_NO = {"y": "yes", "yes": "yes", "n": "no", "no": "no"}


class ImpactScreen(StepScreen):
    """One free text, with numbers in it: users, minutes, money, requests."""

    STEP = "impact"
    INTRO = "Who and what was affected, and for how long? Use numbers where you have them."
    HELP_TEXT = """
# Impact

**What it is for:** an honest, specific account of what the incident or
project problem cost the people it affected. Clients value this being
acknowledged plainly.

Below it: the **trigger** (what set it off) and the **detection** (how we
found out: an alert, a customer, luck), as the Google SRE template asks, and
**what we did not know then**: where our picture of the system was wrong.

**Impact categories** (several may apply: full outage, partial outage,
degraded, increased errors, increased latency, non-production, security) and
**near miss** (nothing reached users) are counted in the statistics; a near
miss is worth a review but never counts as an outage.

"""

    def compose_step(self) -> ComposeResult:
        yield Field("Impact", TextBox(id="impact", soft_wrap=True, show_line_numbers=False), "impact")
        yield Field(
            "Impact categories, comma separated; several may apply (F1 lists them)",
            LineInput(placeholder="full outage, partial outage, degraded, errors, latency, non-production, security",
                      id="impact_categories"),
            "impact_categories",
        )
        yield Field(
            "Near miss (nothing reached users; not counted as an outage)",
            ChoiceSelect([("No", "no"), ("Yes", "yes")], allow_blank=False, id="near_miss", what="Near miss"),
            "near_miss",
        )
        yield Field("Trigger (what set it off)", LineInput(placeholder="e.g. A config push to every host", id="trigger"), "trigger")
        yield Field("Detection (how we found out)", LineInput(placeholder="e.g. The error-rate alert paged on-call", id="detection"), "detection")
        yield Field(
            "What we did not know then",
            LineInput(placeholder="e.g. That retries from clients doubled the load", id="unknowns"),
            "unknowns",
        )

    def start_step(self) -> None:
        self.query_one("#impact", TextArea).focus()

    def shown_value(self, field: str) -> Any:
        if field == "impact_categories":
            return ", ".join(IMPACT_CATEGORY_TITLES[name] for name in self.review.impact_categories)
        if field == "near_miss":
            return "yes" if self.review.near_miss else "no"
        return super().shown_value(field)

    def say_unclear_categories(self, text: str) -> None:
        """A word that names no category (or two) is said on the refusal line until it is fixed, never dropped."""
        unclear = unclear_categories(text)
        if unclear:
            words = ", ".join(repr(word) for word in unclear)
            choices = ", ".join(IMPACT_CATEGORY_TITLES.values())
            self.show_refusal(f"Impact categories: {words} is not one category, so it is not kept (one of: {choices}).")
            self._categories_note = True
        elif getattr(self, "_categories_note", False):
            self._categories_note = False
            self.show_refusal(self.refusal_text([p for p in self.problems if p.level == "error"]) if self.refused else "")

    def record_answer(self, question, answer: str) -> str:
        """Interview answers for the categories and the near miss are refused as the form would not keep them."""
        if question.target == "impact_categories" and unclear_categories(answer):
            words = ", ".join(repr(word) for word in unclear_categories(answer))
            return f"{words} is not one impact category (one of: {', '.join(IMPACT_CATEGORY_TITLES.values())})."
        if question.target == "near_miss":
            if answer.lower() not in YES_NO:
                return f"{answer!r} is neither yes nor no."
            answer = YES_NO[answer.lower()]
        return super().record_answer(question, answer)

    def to_stored(self, field: str, value: Any) -> Any:
        if field == "impact_categories":
            self.say_unclear_categories(value)
            return read_categories(value)
        if field == "near_miss":
            return value == "yes"
        return super().to_stored(field, value)
