"""Regressions found by trying the app as a user: each once lost or misplaced typed text."""

from __future__ import annotations

import pytest

from store.db import ReviewStore
from tui_helpers import read_file, saved
from tui.app import make_app


def stored(path, number=1) -> dict:
    return read_file(path)["reviews"][str(number)]


def review_at(path, step: str, **fields) -> str:
    return ReviewStore(path).create({"title": "x", "step": step, "ground_rules_confirmed": True, **fields}).id


async def test_reopening_five_whys_keeps_every_answer(tmp_path):
    path = tmp_path / "r.json"
    review_id = review_at(path, "five_whys", five_whys={"problem": "p", "chains": [{"whys": ["a", "b"]}]})
    for _ in range(2):
        async with make_app(path, start="open", review_id=review_id).run_test(size=(80, 24)) as pilot:
            await pilot.pause(0.6)
            answers = [answer.value for answer in pilot.app.screen.query_one("#whys").query("Input")]
            assert answers == ["a", "b", ""]
    assert stored(path)["five_whys"]["chains"][0]["whys"] == ["a", "b"]


def burst(pilot, keys: str) -> None:
    """Keys that arrive at once, as a paste or a fast typist over tmux sends them (``⏎`` is Enter, \x0e ctrl+n, \t Tab)."""
    from textual import events

    for character in keys:
        key = {"⏎": "enter", " ": "space", "\x0e": "ctrl+n", "\t": "tab"}.get(character, character)
        pilot.app.post_message(events.Key(key, character if len(key) == 1 or key == "space" else None))


async def until_shown(pilot, condition, seconds: float = 10.0) -> None:
    """Let the app take a burst in (a loaded machine takes a while), until ``condition()`` holds."""
    for _ in range(int(seconds / 0.1)):
        if condition():
            return
        await pilot.pause(0.1)
    assert condition()


async def test_whys_typed_in_one_burst_each_land_in_their_own_answer(tmp_path):
    path = tmp_path / "r.json"
    review_id = review_at(path, "five_whys", five_whys={"problem": "p", "chains": []})
    async with make_app(path, start="open", review_id=review_id).run_test(size=(80, 24)) as pilot:
        await pilot.press("tab", "tab")
        burst(pilot, "disk full⏎no alert⏎no owner")
        await until_shown(pilot, lambda: pilot.app.screen.chain is not None
                          and pilot.app.screen.chain.whys == ["disk full", "no alert", "no owner"])
        await saved(pilot)
    assert stored(path)["five_whys"]["chains"][0]["whys"] == ["disk full", "no alert", "no owner"]


async def test_items_typed_in_one_burst_each_become_their_own_item(tmp_path):
    path = tmp_path / "r.json"
    review_id = review_at(path, "went_well", went_well=[])
    async with make_app(path, start="open", review_id=review_id).run_test(size=(80, 24)) as pilot:
        await pilot.pause(0.3)
        burst(pilot, "Paged fast⏎Rollback worked")
        await until_shown(pilot, lambda: "Rollback worked" in [item.text for item in pilot.app.screen.review.went_well])
        await saved(pilot)
    assert [item["text"] for item in stored(path)["went_well"]] == ["Paged fast", "Rollback worked"]


async def test_each_why_typed_with_enter_lands_in_its_own_answer(tmp_path):
    path = tmp_path / "r.json"
    review_id = review_at(path, "five_whys", five_whys={"problem": "p", "chains": []})
    async with make_app(path, start="open", review_id=review_id).run_test(size=(80, 24)) as pilot:
        await pilot.press("tab", "tab")
        await pilot.press("a", "enter", "b", "enter", "c", "enter", "d")
        await pilot.pause(0.5)
    assert stored(path)["five_whys"]["chains"][0]["whys"] == ["a", "b", "c", "d"]


async def test_the_first_character_of_a_new_item_is_kept(tmp_path):
    path = tmp_path / "r.json"
    review_id = review_at(path, "went_well")
    async with make_app(path, start="open", review_id=review_id).run_test(size=(80, 24)) as pilot:
        await pilot.press(*"Fast", "enter", *"Calm")
        await pilot.pause(0.5)
    assert [item["text"] for item in stored(path)["went_well"]] == ["Fast", "Calm"]


async def test_export_asks_before_replacing_a_file_that_exists(tmp_path):
    path = tmp_path / "r.json"
    target = tmp_path / "summary.md"
    target.write_text("keep me")
    review_id = review_at(path, "summary")
    async with make_app(path, start="open", review_id=review_id).run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("f4")
        await pilot.pause()
        pilot.app.screen.query_one("#path").value = str(target)
        await pilot.press("enter")
        await pilot.pause()
        assert type(pilot.app.screen).__name__ == "ConfirmDialog"
        await pilot.press("enter")  # Cancel has the focus
        await pilot.pause()
        assert target.read_text() == "keep me"
        await pilot.press("f4")
        await pilot.pause()
        pilot.app.screen.query_one("#path").value = str(target)
        await pilot.press("enter", "tab", "enter")  # Tab to Replace
        await pilot.pause()
    assert target.read_text().startswith("# ")


async def test_choosing_a_problem_in_the_check_panel_focuses_its_field(tmp_path):
    path = tmp_path / "r.json"
    review_id = review_at(path, "setup", owner="", severity="")
    async with make_app(path, start="open", review_id=review_id).run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        panel = pilot.app.screen.query_one("#checks")
        panel.focus()
        await pilot.pause()
        messages = [problem.message for problem in panel.problems]
        panel.highlighted = next(i for i, m in enumerate(messages) if "owner" in m)
        await pilot.press("enter")
        await pilot.pause()
        assert pilot.app.focused.id == "owner"


async def test_a_change_made_in_another_window_appears_within_a_second(tmp_path):
    from store import ops

    path = tmp_path / "r.json"
    review_id = review_at(path, "went_well")
    async with make_app(path, start="open", review_id=review_id).run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        ReviewStore(path).apply(review_id, ops.Add("went_well", "Added elsewhere"))
        await pilot.pause(1.0)
        rows = pilot.app.screen.query_one("#went-well .item-rows")
        assert "Added elsewhere" in str(rows.get_option_at_index(0).prompt)


async def test_a_long_why_is_shown_whole_wrapped_and_edited_on_one_line(tmp_path):
    """The room reads the chain: an answer longer than the screen wraps, unless it is being typed in."""
    from tui_helpers import screen_text

    long_why = "The checkout service returned HTTP 500 for every request that touched the payment provider"
    path = tmp_path / "r.json"
    review_id = review_at(path, "five_whys", five_whys={"problem": "p", "chains": [{"whys": [long_why, "b"]}]})
    async with make_app(path, start="open", review_id=review_id).run_test(size=(80, 24)) as pilot:
        await pilot.press("ctrl+t")  # the prompts make room
        await pilot.pause(0.3)
        assert "touched the payment provider" in screen_text(pilot)  # the end of the answer, on its second line
        first = pilot.app.screen.query_one("#whys").query("Input").first()
        first.focus()
        await pilot.pause(0.3)
        assert first.size.height == 1 and "touched the payment provider" not in screen_text(pilot)
        await pilot.press("end", "space", "x")
        await pilot.pause(0.5)
    assert stored(path)["five_whys"]["chains"][0]["whys"][0] == long_why + " x"


async def test_keys_held_during_a_change_of_step_keep_their_order_with_the_keys_typed_after_them(tmp_path):
    """The held keys are handed on while later keys already wait in the app's queue: "Alert", never "rtAle"."""
    from tui_helpers import complete_review, new_app, seed, wait_for_screen

    path = tmp_path / "r.json"
    review_id = seed(path, complete_review("went_well") | {"step": "five_whys"})
    async with new_app(path, start="open", review_id=review_id).run_test(size=(80, 24)) as pilot:
        await wait_for_screen(pilot, "FiveWhysScreen")
        await pilot.pause(0.3)
        field = pilot.app.screen.query_one("#problem")
        field.value = ""
        await pilot.pause(0.3)
        app = pilot.app
        app.hold_keys()  # as while a step screen replaces another
        burst(pilot, "Ale")
        await until_shown(pilot, lambda: len(app._held_keys or ()) == 3)
        app.call_later(app.release_keys)  # the new step asked for its focus ...
        burst(pilot, "rt")  # ... while the keys typed after the held ones already wait behind it
        await until_shown(pilot, lambda: len(field.value) == 5)
        assert field.value == "Alert"
        assert app._held_keys is None


async def test_keys_typed_in_one_burst_behind_ctrl_n_land_in_the_next_step(tmp_path):
    """ctrl+n then typing at once (a fast typist over tmux): the words go to the next step's field, none is lost."""
    from tui_helpers import complete_review, new_app, seed, wait_for_screen

    path = tmp_path / "r.json"
    review_id = seed(path, complete_review("went_well") | {"step": "impact"})
    async with new_app(path, start="open", review_id=review_id).run_test(size=(80, 24)) as pilot:
        await wait_for_screen(pilot, "ImpactScreen")
        await pilot.pause(0.3)
        burst(pilot, "\x0e; paged twice")  # ctrl+n, then the words
        await until_shown(pilot, lambda: pilot.app.screen.review.five_whys.problem.endswith("; paged twice"))
        await saved(pilot)
        assert type(pilot.app.screen).__name__ == "FiveWhysScreen"
    problem = ReviewStore(path).get(review_id).five_whys.problem
    assert problem.endswith("; paged twice")


async def test_words_typed_behind_tab_in_one_burst_go_to_the_field_tab_moved_to(tmp_path):
    """Tab then words at once (a slow link delivers them together): the words follow the focus, in Textual the
    keys behind a Tab went to the field it was leaving ("Al" in the time, "ert" in what happened)."""
    path = tmp_path / "r.json"
    review_id = review_at(path, "timeline", timeline=[])
    async with make_app(path, start="open", review_id=review_id).run_test(size=(80, 24)) as pilot:
        await pilot.pause(0.3)
        time_field = pilot.app.focused
        assert getattr(time_field, "item_field", None) == "at"
        burst(pilot, "\t\tAlert fired")
        await until_shown(pilot, lambda: [event.text for event in pilot.app.screen.review.timeline] == ["Alert fired"])
        assert time_field.value == ""
        assert getattr(pilot.app.focused, "item_field", None) == "text"
        await saved(pilot)
    assert [(event["at"], event["text"]) for event in stored(path)["timeline"]] == [("", "Alert fired")]


async def test_tabs_and_words_held_while_a_step_opens_go_where_the_tabs_lead(tmp_path):
    """Keys typed while a step is still opening (a loaded machine) are handed on in order: a Tab moves the focus
    before the words behind it are given to the focused field."""
    path = tmp_path / "r.json"
    review_id = review_at(path, "timeline", timeline=[])
    async with make_app(path, start="open", review_id=review_id).run_test(size=(80, 24)) as pilot:
        app = pilot.app
        # The step has opened and let go of what it held (on a loaded machine 0.3 s was not enough: the opening
        # step let go of the hold below, and the four keys never waited together).
        await until_shown(pilot, lambda: type(app.screen).__name__ == "TimelineScreen" and app.focused is not None)
        await pilot.pause(0.1)
        app.hold_keys()  # as while the step screen is on its way
        burst(pilot, "\t\tAl")
        await until_shown(pilot, lambda: len(app._held_keys or ()) == 4)
        app.call_later(app.release_keys)
        burst(pilot, "ert")
        await until_shown(pilot, lambda: [event.text for event in app.screen.review.timeline] == ["Alert"])
        await saved(pilot)
    assert [(event["at"], event["text"]) for event in stored(path)["timeline"]] == [("", "Alert")]


@pytest.mark.parametrize("step, screen_name, field", [
    ("impact", "ImpactScreen", "#impact"),  # a multi-line text box
    ("five_whys", "FiveWhysScreen", "#problem"),  # a one-line input
])
async def test_typing_into_a_field_of_a_reopened_review_goes_on_after_its_text(tmp_path, step, screen_name, field):
    from tui_helpers import complete_review, new_app, seed, stored, type_text, wait_for_screen

    path = tmp_path / "r.json"
    review_id = seed(path, complete_review(step) | {"step": step})
    before = stored(path, review_id)["impact" if step == "impact" else "five_whys"]
    before = before if isinstance(before, str) else before["problem"]
    async with new_app(path, start="open", review_id=review_id).run_test(size=(80, 24)) as pilot:
        await wait_for_screen(pilot, screen_name)
        pilot.app.screen.query_one(field).focus()
        await type_text(pilot, " More.")
        widget = pilot.app.screen.query_one(field)
        assert (widget.text if hasattr(widget, "text") else widget.value) == before + " More."
