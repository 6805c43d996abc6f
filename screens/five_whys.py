"""Five Whys: the problem, then chains of whys down to root causes in systems and processes."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from screens.dot_vote import VOTE_HELP, VotingStepScreen
from screens.silent_writing import SilentWritingScreen, silent_help
from store import ops
from store.model import FACTOR_KINDS, Chain, Factor
from tui.fields import Field, SizedByLayout
from tui.choice_select import find_choice
from tui.item_editor import FieldSpec, ItemEditor, silent_mark, vote_mark
from tui.text import show_text
from tui.text_sync import replace_text
from tui.line_input import LineInput, WrappedLineInput


class Whys(SizedByLayout, Vertical):
    """The answers of the chain being answered (see ``SizedByLayout``)."""


class ChainRows(OptionList):
    """The chains; Enter picks one, Delete or F8 removes it (after a confirmation), + and - vote."""

    BINDINGS = [
        Binding("delete,f8", "delete_chain", "Delete chain", id="delete-chain"),
        Binding("plus,equals_sign", "vote(1)", "Vote", id="vote", show=False),
        Binding("minus", "vote(-1)", "Unvote", id="unvote", show=False),
    ]

    def action_delete_chain(self) -> None:
        self.screen.delete_highlighted_chain()

    def action_vote(self, change: int) -> None:
        """+ or - on a chain: a dot vote for its root cause, while a vote is open."""
        if self.highlighted is None or self.get_option_at_index(self.highlighted).disabled:
            self.app.notify("No chain to vote for yet.", timeout=3)
            return
        self.screen.vote_on("five_whys.chains", self.get_option_at_index(self.highlighted).id, change)

    def on_focus(self) -> None:
        """Arriving in the list highlights the chain being answered, so Up and Down start from it."""
        chain_id = self.screen.chain_id
        ids = [option.id for option in self.options]
        if chain_id in ids:
            self.highlighted = ids.index(chain_id)
        elif self.highlighted is None and self.option_count and not self.get_option_at_index(0).disabled:
            self.highlighted = 0


class FiveWhysScreen(SilentWritingScreen, VotingStepScreen):
    """Each new "why?" quotes the answer before it; a chain's last answer is its root cause."""

    STEP = "five_whys"
    INTRO = "The symptom, then why, why, why: down to a condition in a system or process."
    HELP_TEXT = """
# Five Whys

**What it is for:** getting from the symptom ("the website went down") to the
root cause, the condition in a system or process that let it happen ("our
load-testing procedure does not require production-sized data"). Stopping at
the symptom gives superficial fixes.

Each "why?" quotes the previous answer. Enter moves to the next why. A chain
needs at least 3 answers, ideally 5. A root cause must not name a person or
stop at "human error": describe the condition that let it happen. There can be
more than one chain: **F5** starts a new one; in the list of chains, **Enter**
picks one and **Delete** or **F8** removes it.

**Contributing factors**, below the chains: a single chain of whys finds one
cause; most incidents have several. List each condition that played a part:
the **trigger** (what set it off), **contributing** factors (what made it
possible or worse) and **mitigating** factors (what limited it). For each, say
**how it made sense at the time**: why what was done looked right with what
people knew then. The same rules apply: a condition, not a person, and never
"human error". Actions may address a factor ("factor 2").

""" + VOTE_HELP.replace("on one item", "on one root cause").replace("highlighted item", "highlighted chain") \
        + silent_help("factors")

    HAS_LISTS = True
    CARDS = "factors"  # what silent writing (F3) is about here: the contributing factors
    BINDINGS = [Binding("f5", "new_chain", "New chain", id="new-chain")]

    def __init__(self, review) -> None:
        super().__init__(review)
        self.chain_id: str | None = review.five_whys.chains[0].id if review.five_whys.chains else None
        self._whys_chain: str | None = None  # the chain whose answers the inputs show

    def compose_step(self) -> ComposeResult:
        yield Field("Problem (the symptom)", LineInput(placeholder="e.g. Checkout returned HTTP 500 for 22 minutes", id="problem"), "five_whys.problem")
        yield from self.compose_session_line()
        rows = ChainRows(id="chains")
        rows.border_title = "Chains (F5 new chain)"
        yield rows
        yield Whys(id="whys")
        yield Static("", id="root-cause")
        kinds = [(kind.capitalize(), kind) for kind in FACTOR_KINDS]
        yield ItemEditor(
            "factors",
            "Contributing factors (trigger, contributing, mitigating)",
            [
                FieldSpec("kind", "Kind", "Kind", choices=kinds, row=0, width="20", to_store=lambda kind: kind or "contributing"),
                FieldSpec("text", "The condition", "e.g. Retries doubled the load on the database", row=0),
                FieldSpec("rationale", "How it made sense at the time (Enter: next factor)",
                          "e.g. Retries had always helped before", row=1),
            ],
            describe=self.describe_factor,
            noun="factor",
            id="factors",
        )

    @staticmethod
    def describe_factor(factor: Factor, number: int | None) -> str:
        """"3. [trigger] ...": a factor not revealed yet has no number, since the reveal decides it ("-.")."""
        return f"{number or '-'}. [{factor.kind}] {factor.text}{silent_mark(factor)}"

    def reveal_label(self, list_name: str, card) -> str:
        return f"[{card.kind}] {card.text}"

    def start_step(self) -> None:
        self.query_one("#problem", Input).focus()

    @property
    def chain(self) -> Chain | None:
        """The chain being answered, or None before the first answer."""
        return next((c for c in self.review.five_whys.chains if c.id == self.chain_id), None)

    # Showing ------------------------------------------------------------------

    def show_review(self) -> None:
        super().show_review()
        if self.chain is None and self.review.five_whys.chains and self.chain_id is not None:
            self.chain_id = self.review.five_whys.chains[0].id
        self.show_chains()
        self.show_whys()

    def show_chains(self) -> None:
        """The chains with their root causes, ranked by votes once a vote closed; the highlight stays put."""
        rows = self.query_one("#chains", ChainRows)
        chains = self.review.five_whys.chains
        numbers = {chain.id: number for number, chain in enumerate(chains, start=1)}  # as actions refer to them
        shown = [(f"{'* ' if chain.id == self.chain_id else '  '}Chain {numbers[chain.id]}: "
                  f"{chain.root_cause or '(no answer yet)'}{vote_mark(chain)}", chain.id)
                 for chain in self.as_voter_sees(chains)]
        if shown == getattr(rows, "_shown_rows", None):
            return  # the same rows: rebuilding them redrew the list on every change anyone saved
        rows._shown_rows = shown
        highlighted = rows.get_option_at_index(rows.highlighted).id if rows.highlighted is not None else None
        rows.clear_options()
        for text, chain_id in shown:
            rows.add_option(Option(Content(text), id=chain_id))
        if not chains:
            rows.add_option(Option(Content("No chain yet: answer the first why below."), disabled=True))
        elif highlighted is not None:
            ids = [option.id for option in rows.options]
            rows.highlighted = ids.index(highlighted) if highlighted in ids else None

    def show_whys(self) -> list:
        """One input per answer plus a blank one for the next why; typed inputs are left alone.

        Returns the mounts of new inputs under way (await them to focus one).
        """
        whys = list(self.chain.whys) if self.chain else []
        box = self.query_one("#whys", Vertical)
        inputs = list(box.query(Input))
        typed = max((index + 1 for index, answer in enumerate(inputs) if answer.value.strip()), default=0)
        wanted = max(len(whys), typed if self._whys_chain == self.chain_id else 0) + 1  # answers not stored yet stay
        same_chain = self._whys_chain == self.chain_id
        merging = same_chain and self.showing_stored and self.chain is not None
        if merging and self.stored_item("five_whys.chains", self.chain_id) is None:
            return []  # added here and not stored yet: the answers on screen are the latest
        before = list(getattr(self.stored_item("five_whys.chains", self.chain_id, previous=True), "whys", None) or [])
        merged = list(whys)
        mounts = []
        for index in range(wanted):
            stored = whys[index] if index < len(whys) else ""
            if index < len(inputs):
                answer = inputs[index]
                if merging:
                    key = f"five_whys.chains.{self.chain_id}.whys.{index}"
                    text = self.sync.show(answer, key, before[index] if index < len(before) else "", stored)
                    if index < len(merged):
                        merged[index] = text
                    elif text:
                        merged.append(text)
                elif not (answer.has_focus and same_chain):
                    replace_text(answer, stored, keep_cursor=False)
            else:
                answer = WrappedLineInput(whys[index] if index < len(whys) else "", placeholder="Because ...", classes="why")
                answer.why_index = index
                mounts.append(box.mount(Field(self.why_label(index, whys), answer,
                                              f"five_whys.chains.{self.chain_id}.whys.{index}")))
        for extra in list(box.query(Field))[wanted:]:
            if not (extra.widget.has_focus and same_chain):  # typed in now: kept until the merge settles
                extra.remove()
        for index, field in enumerate(box.query(Field)):
            field.set_class(index < len(whys), "-answered")
            field.set_label(self.why_label(index, whys))
            field.field = f"five_whys.chains.{self.chain_id}.whys.{index}"
        self._whys_chain = self.chain_id
        if merging and merged != whys:  # typing not yet saved, merged over the new answers: save it
            self.edit_item("five_whys.chains", self.chain_id, {"whys": merged}, bases={"whys": whys}, rebase=True)
        root = self.chain.root_cause if self.chain else ""
        show_text(self.query_one("#root-cause", Static),
                  f"Root cause: {root}" if root else "Root cause: (the last answer of the chain)")
        return mounts

    def why_label(self, index: int, whys: list[str]) -> str:
        """The "why?" prompt; the next one to answer quotes the answer before it (or the problem).

        An answered why sits on one line after the answer it asks about, so it needs no quote.
        """
        if index < len(whys):
            return f"Why {index + 1}?"
        before = whys[index - 1] if index > 0 and index - 1 < len(whys) else self.review.five_whys.problem
        quoted = before.strip() or "(the problem above)"
        return f"Why {index + 1}? Why: {quoted}"

    # Typing -------------------------------------------------------------------

    @on(Input.Changed, ".why")
    def save_why(self, event: Input.Changed) -> None:
        """Save one answer; the first answer of a new chain adds the chain."""
        event.stop()
        index = event.input.why_index
        typed = event.input.value  # not event.value: a merge may have changed the field since
        whys = list(self.chain.whys) if self.chain else []
        if index < len(whys) and whys[index] == typed:
            return
        while len(whys) <= index:
            whys.append("")
        whys[index] = typed
        while whys and not whys[-1].strip() and len(whys) > index + 1:
            whys.pop()
        if self.chain is None:
            if not typed.strip():
                return
            self.chain_id = self.add_item("five_whys.chains", {"whys": whys})
            self.show_chains()
            self.show_whys()
            return
        self.edit_item("five_whys.chains", self.chain_id, {"whys": whys}, typing=True)
        if index == len(self.chain.whys) - 1:
            self.show_whys()

    def save_focused_other(self, typed) -> None:
        if typed.input.has_class("why"):
            self.save_why(typed)

    @on(Input.Submitted, ".why")
    async def next_why(self, event: Input.Submitted) -> None:
        """Enter: on to the next why (mounted first if it is new, so the keys typed behind Enter land there)."""
        event.stop()
        self.app.flush_now()
        inputs = list(self.query_one("#whys").query(Input))
        index = inputs.index(event.input)
        if index + 1 >= len(inputs) and event.value.strip():
            for mounted in self.show_whys():
                await mounted
            inputs = list(self.query_one("#whys").query(Input))
        if index + 1 < len(inputs):
            inputs[index + 1].focus()

    @on(OptionList.OptionSelected, "#chains")
    def pick_chain(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.app.flush_now()
        self.chain_id = event.option.id
        self.show_chains()
        self.show_whys()
        self.query_one("#whys").query(Input).first().focus()

    def action_new_chain(self) -> None:
        """Start another chain: the next answer typed begins it."""
        self.app.flush_now()
        self.chain_id = None
        self.show_chains()
        self.show_whys()
        self.query_one("#whys").query(Input).first().focus()

    def interview_text(self, question) -> str:
        """The next "why?" quotes the answer before it."""
        if question.target != "why":
            return question.text
        whys = self.chain.whys if self.chain else []
        return self.why_label(len(whys), list(whys))

    def interview_value(self, list_name: str, name: str, answer: str):
        """A factor's kind may be answered with its first letters ("contrib", "t")."""
        if name != "kind":
            return answer
        index = find_choice([kind.capitalize() for kind in FACTOR_KINDS], answer.strip())
        return FACTOR_KINDS[index] if index is not None else answer.strip()

    def interview_item_started(self, list_name: str, item_id: str | None) -> None:
        """The factor form shows the factor being answered."""
        self.query_one("#factors", ItemEditor).editing_id = item_id

    def record_answer(self, question, answer: str) -> str:
        """A "why" answer extends the current chain (or starts the first); refused as the form's check would."""
        if question.target != "why":
            return super().record_answer(question, answer)
        whys = list(self.chain.whys) if self.chain else []
        field = f"five_whys.chains.{self.chain_id or '{id}'}.whys.{len(whys)}"
        if self.chain is None:
            operation = ops.Add("five_whys.chains", {"whys": [answer]})
        else:
            operation = ops.Edit("five_whys.chains", self.chain_id, {"whys": whys + [answer]})
        refusal = self.answer_refusal([operation], field)
        if refusal:
            return refusal
        if self.chain is None:
            self.chain_id = self.add_item("five_whys.chains", {"whys": [answer]})
        else:
            self.send(operation)
        self.show_chains()
        self.show_whys()
        return ""

    def palette_commands(self):
        return super().palette_commands() + [
            ("New chain of whys (F5)", self.action_new_chain, "another chain root cause"),
            ("Delete the highlighted chain (Delete or F8, in the list)", self.delete_highlighted_chain, "remove, asks first"),
        ]

    def delete_highlighted_chain(self) -> None:
        from screens.dialogs import ConfirmDialog

        rows = self.query_one("#chains", ChainRows)
        if rows.highlighted is None or not self.review.five_whys.chains:
            return
        chain_id = rows.get_option_at_index(rows.highlighted).id

        def remove(confirmed: bool | None) -> None:
            if confirmed:
                if chain_id == self.chain_id:
                    self.chain_id = None
                self.remove_item("five_whys.chains", chain_id)

        self.app.push_screen(ConfirmDialog(f"Delete chain {rows.highlighted + 1} and all its answers?"), remove)

    def focus_item_field(self, field: str) -> None:
        """Focus a why (``five_whys.chains.<id>.whys.<n>``) or the chain list, or a factor's field."""
        if field.startswith("factors"):
            super().focus_item_field(field)
            return
        parts = field.split(".")
        if len(parts) >= 3 and parts[2] != self.chain_id:
            self.chain_id = parts[2]
            self.show_chains()
            self.show_whys()
        inputs = list(self.query_one("#whys").query(Input))
        index = int(parts[4]) if len(parts) >= 5 and parts[4].isdigit() else len(self.chain.whys if self.chain else [])
        if inputs:
            inputs[min(index, len(inputs) - 1)].focus()
