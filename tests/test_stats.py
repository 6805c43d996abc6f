"""Statistics across reviews: exact answers on a generated archive, the command, and the screen."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date, datetime, timedelta

import pytest

from store.db import ReviewStore
from store.model import Review
from store.stats import (
    STOP_WORDS,
    archive_stats,
    median_seconds,
    review_quarter,
    root_cause_words,
    show_rate,
)
from tui.cli import main
from tui.cli_stats import stats_text
from tui_helpers import screen_text, wait_for_screen

TODAY = date(2026, 6, 30)
PAST, FUTURE = "2001-01-01", "2999-12-31"  # overdue, and not, whatever day the tests run


def timed_review(start: str, detect: int | None, resolve: int | None, **fields) -> dict:
    """A review whose started marker is at ``start`` (UTC), detected/resolved that many minutes later."""
    began = datetime.fromisoformat(start + "+00:00")
    timeline = [{"at": began.isoformat(), "text": "It starts", "marker": "started"}]
    if detect is not None:
        timeline.append({"at": (began + timedelta(minutes=detect)).isoformat(), "text": "Alert", "marker": "detected"})
    if resolve is not None:
        timeline.append({"at": (began + timedelta(minutes=resolve)).isoformat(), "text": "Fixed", "marker": "resolved"})
    return {"title": f"Review at {start}", "review_date": began.date().isoformat(), "timeline": timeline, **fields}


def action(status: str, due: str) -> dict:
    return {"what": "Something concrete", "owner": "Sam", "status": status, "due": due}


def chain(*whys: str) -> dict:
    return {"whys": list(whys)}


def archive() -> list[dict]:
    """Reviews with known answers: medians per quarter, actions, root causes."""
    return [
        # 2026-Q1: detect 5, 10, 30 min (median 10m); resolve 60, 65, 120 min (median 1h 05m).
        timed_review("2026-01-10T10:00:00", 5, 60, actions=[action("done", PAST), action("open", PAST)],
                     five_whys={"problem": "p", "chains": [chain("Slow", "The load test used a tenth of the data")]}),
        timed_review("2026-02-10T10:00:00", 10, 65, actions=[action("done", FUTURE), action("open", FUTURE)],
                     five_whys={"problem": "p", "chains": [
                         chain("Slow", "Load tests do not require production-sized data because nobody wrote the rule"),
                         chain(),
                     ]}),
        timed_review("2026-03-10T10:00:00", 30, 120, actions=[action("done", PAST), action("slipped", PAST)],
                     five_whys={"problem": "p", "chains": [chain("Root cause: no load test rule for the data size, load load")]}),
        # 2026-Q2: detect 4 and 7 min (median 5m 30s); only one resolved (90 min).
        timed_review("2026-04-10T10:00:00", 4, 90, actions=[action("slipped", ""), action("dropped", PAST)]),
        timed_review("2026-05-10T10:00:00", 7, None),
        # 2026-Q3: no markers at all, dated by the review date.
        {"title": "No timeline", "review_date": "2026-08-15", "kind": "project"},
        # 2025-Q4: one review, held in the next quarter (the started marker decides).
        {**timed_review("2025-11-02T09:00:00", 2, 20), "review_date": "2026-01-10"},
    ]


@pytest.fixture
def figures():
    return archive_stats([Review.from_dict(doc) for doc in archive()], TODAY)


# The numbers ------------------------------------------------------------------


def test_quarters_are_sorted_with_counts_and_exact_medians(figures):
    rows = [{k: v for k, v in q.to_dict().items() if not k.startswith("quartiles")} for q in figures.quarters]
    assert [row["quarter"] for row in rows] == ["2025-Q4", "2026-Q1", "2026-Q2", "2026-Q3"]
    assert rows[0] == {"quarter": "2025-Q4", "reviews": 1, "median_to_detect": 120, "timed_to_detect": 1,
                       "median_to_resolve": 1200, "timed_to_resolve": 1}
    assert rows[1] == {"quarter": "2026-Q1", "reviews": 3, "median_to_detect": 600, "timed_to_detect": 3,
                       "median_to_resolve": 3900, "timed_to_resolve": 3}
    assert rows[2] == {"quarter": "2026-Q2", "reviews": 2, "median_to_detect": 330, "timed_to_detect": 2,
                       "median_to_resolve": 5400, "timed_to_resolve": 1}
    assert rows[3] == {"quarter": "2026-Q3", "reviews": 1, "median_to_detect": None, "timed_to_detect": 0,
                       "median_to_resolve": None, "timed_to_resolve": 0}


def test_the_overall_medians_are_over_every_timed_review(figures):
    # detect minutes 2, 4, 5, 7, 10, 30 -> (5 + 7) / 2 = 6m; resolve 20, 60, 65, 90, 120 -> 65m.
    overall = {k: v for k, v in figures.overall.to_dict().items() if not k.startswith("quartiles")}
    assert overall == {"quarter": "all", "reviews": 7, "median_to_detect": 360, "timed_to_detect": 6,
                                         "median_to_resolve": 3900, "timed_to_resolve": 5}
    assert figures.reviews == 7 and figures.reviews_by_kind == {"incident": 6, "project": 1}


def test_the_spread_is_the_quartiles_never_a_mean(figures):
    # detect minutes 2, 4, 5, 7, 10, 30: quartiles at 4.25m and 9.25m (the mean, 9.67m, is not shown);
    # resolve 20, 60, 65, 90, 120: 60m and 90m.
    assert figures.overall.spread_to_detect == (255, 555)
    assert figures.overall.spread_to_resolve == (3600, 5400)
    assert figures.overall.to_dict()["quartiles_to_resolve"] == [3600, 5400]
    assert figures.quarters[0].spread_to_resolve == (1200, 1200)  # one review: its own time


def test_completion_leaves_dropped_actions_out_and_overdue_counts_open_and_slipped(figures):
    assert figures.actions_by_status == {"open": 2, "done": 3, "slipped": 2, "dropped": 1}
    assert figures.counted_for_completion == 7
    assert figures.completion_rate == pytest.approx(3 / 7)
    assert show_rate(figures.completion_rate) == "43%"
    # open due PAST, slipped due PAST; not: open due FUTURE, slipped without a date, done/dropped due PAST.
    assert figures.overdue == 2


def test_root_cause_words_count_once_per_root_cause_without_stop_words(figures):
    assert figures.root_causes == 3  # the empty chain has no root cause
    assert figures.top_words == [
        ("data", 3), ("load", 3), ("rule", 2), ("test", 2), ("nobody", 1),
        ("production-sized", 1), ("require", 1), ("size", 1), ("tenth", 1), ("tests", 1),
    ]
    assert {"because", "root", "cause", "the", "for"} <= STOP_WORDS


def test_the_json_form_says_how_completion_is_counted(figures):
    data = json.loads(json.dumps(figures.to_dict()))
    assert data["actions"] == {"total": 8, "by_status": {"open": 2, "done": 3, "slipped": 2, "dropped": 1},
                               "completion_rate": 3 / 7, "completion_counts": "done / (total - dropped)",
                               "overdue": 2}
    assert data["top_words"][0] == {"word": "data", "root_causes": 3}
    assert data["today"] == "2026-06-30" and len(data["quarters"]) == 4


def test_no_reviews_gives_zeros_and_no_rate():
    figures = archive_stats([], TODAY)
    assert figures.reviews == 0 and figures.quarters == [] and figures.top_words == []
    assert figures.completion_rate is None and show_rate(None) == "n/a"
    assert figures.overall.median_to_detect is None and figures.overdue == 0


def test_reviews_without_actions_or_markers_do_not_crash():
    figures = archive_stats([Review.from_dict({"title": "x", "review_date": "2026-11-21"})], TODAY)
    assert [q.quarter for q in figures.quarters] == ["2026-Q4"]
    assert figures.completion_rate is None and figures.actions == 0


def test_only_dropped_actions_give_no_rate():
    review = Review.from_dict({"actions": [action("dropped", PAST)]})
    assert archive_stats([review], TODAY).completion_rate is None


def test_a_review_with_no_date_and_no_marker_is_undated_and_listed_last():
    reviews = [Review.from_dict({"review_date": ""}), Review.from_dict(timed_review("2026-01-10T10:00:00", 1, 2))]
    assert [q.quarter for q in archive_stats(reviews, TODAY).quarters] == ["2026-Q1", "undated"]


def test_the_quarter_is_read_on_the_review_clock():
    doc = timed_review("2025-12-31T23:30:00", 1, 2, timezone="Europe/Berlin")  # 00:30 on 1 January in Berlin
    assert review_quarter(Review.from_dict(doc)) == "2026-Q1"
    assert review_quarter(Review.from_dict({**doc, "timezone": "UTC"})) == "2025-Q4"


def test_markers_out_of_order_are_left_out_of_the_median():
    review = Review.from_dict(timed_review("2026-01-10T10:00:00", -5, 30))
    quarter = archive_stats([review], TODAY).quarters[0]
    assert quarter.median_to_detect is None and quarter.timed_to_detect == 0
    assert quarter.median_to_resolve == 1800


def test_median_of_an_even_count_rounds_half_up():
    assert median_seconds([]) is None
    assert median_seconds([7]) == 7
    assert median_seconds([30, 10, 20]) == 20
    assert median_seconds([1, 2]) == 2 and median_seconds([1, 4]) == 3


def test_words_ignore_case_digits_and_single_letters():
    assert root_cause_words("The DB's cache was 3x too small, because a TTL was unset") == {"db's", "cache", "small", "ttl", "unset"}


def test_a_thousand_reviews_are_counted_in_one_pass():
    reviews = [Review.from_dict(doc) for doc in archive()] * 150  # 1,050 reviews
    figures = archive_stats(reviews, TODAY)
    assert figures.reviews == 1050 and figures.quarters[1].median_to_detect == 600


# The command ------------------------------------------------------------------


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def db(tmp_path):
    path = tmp_path / "reviews.json"
    store = ReviewStore(path)
    for doc in archive():
        store.create(doc)
    return path


def test_stats_prints_the_quarter_table_completion_overdue_and_words(db, capsys):
    code, out, err = run(capsys, "--db", str(db), "stats")
    assert code == 0 and err == ""
    lines = out.splitlines()
    assert lines[0] == "7 reviews: 6 incident, 1 project"
    assert "QUARTER  REVIEWS  MEDIAN TO DETECT  MEDIAN TO RESOLVE" in lines
    assert "2026-Q1        3  10m (n=3)         1h 05m (n=3)" in lines
    assert "2026-Q2        2  5m 30s (n=2)      1h 30m (n=1)" in lines
    assert "2026-Q3        1  - (n=0)           - (n=0)" in lines
    assert "all            7  6m (n=6)          1h 05m (n=5)" in lines
    assert "Actions: 8 (open 2, done 3, slipped 2, dropped 1)" in lines
    assert "Completion: 43% (3 done of 7; dropped actions are left out)" in lines
    assert "Overdue: 2 (open or slipped, due before today)" in lines
    assert "  data              3" in lines


def test_stats_json_prints_the_dict(db, capsys):
    code, out, _ = run(capsys, "--db", str(db), "stats", "--json")
    data = json.loads(out)
    assert code == 0
    assert data["quarters"][1]["median_to_resolve"] == 3900 and data["actions"]["overdue"] == 2
    assert data["today"] == date.today().isoformat()


def test_stats_with_no_reviews_says_so_and_exits_0(tmp_path, capsys):
    code, out, _ = run(capsys, "--db", str(tmp_path / "empty.json"), "stats")
    assert code == 0 and out == "No reviews yet. Start one with: postmortem new\n"
    code, out, _ = run(capsys, "--db", str(tmp_path / "empty.json"), "stats", "--json")
    assert code == 0 and json.loads(out)["reviews"] == 0


def test_stats_without_actions_says_na(tmp_path, capsys):
    path = tmp_path / "r.json"
    ReviewStore(path).create({"title": "x", "review_date": "2026-11-21"})
    code, out, _ = run(capsys, "--db", str(path), "stats")
    assert code == 0
    assert "Completion: n/a (no actions that are not dropped)" in out
    assert "Root-cause words: none yet (0 root causes)" in out


def test_the_stats_command_never_imports_textual(db):
    code = (
        "import sys\n"
        "from tui.cli import main\n"
        "main(['--db', sys.argv[1], 'stats'])\n"
        "assert not [name for name in sys.modules if name.split('.')[0] == 'textual'], 'textual was imported'\n"
    )
    result = subprocess.run([sys.executable, "-c", code, str(db)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


# The screen -------------------------------------------------------------------


async def open_stats(pilot) -> None:
    await wait_for_screen(pilot, "HomeScreen")
    pilot.app.open_stats()
    await wait_for_screen(pilot, "StatsScreen")
    await pilot.pause()


async def test_the_screen_shows_the_medians_and_completion_and_escape_goes_back(db):
    from tui.app import make_app

    async with make_app(db).run_test(size=(80, 24)) as pilot:
        await open_stats(pilot)
        text = screen_text(pilot)
        assert "7 reviews: 6 incident, 1 project" in text
        assert "10m (n=3)" in text and "1h 05m (n=3)" in text and "5m 30s (n=2)" in text
        body = pilot.app.screen.query_one("#stats-body")
        body.scroll_end(animate=False)
        await pilot.pause()
        text = screen_text(pilot)
        assert "Completion: 43% (3 done of 7; dropped actions are left out)" in text
        assert "Overdue: 2" in text and "data" in text
        await pilot.press("escape")
        await wait_for_screen(pilot, "HomeScreen")


async def test_the_chart_draws_a_bar_per_quarter_from_zero(db):
    from tui.app import make_app

    async with make_app(db).run_test(size=(80, 24)) as pilot:
        await open_stats(pilot)
        chart = str(pilot.app.screen.query_one("#chart").content).splitlines()
        assert chart[0] == "2025-Q4  " + "\u2588" * 7 + " 20m"  # 20 of 90 minutes -> 6.7 of 30 blocks
        assert chart[2] == "2026-Q2  " + "\u2588" * 30 + " 1h 30m"
        assert chart[3] == "2026-Q3  -"


async def test_page_down_scrolls_the_screen_at_60x20(db):
    from tui.app import make_app

    async with make_app(db).run_test(size=(60, 20)) as pilot:
        await open_stats(pilot)
        assert "Completion:" not in screen_text(pilot)
        await pilot.press("pagedown", "pagedown", "pagedown")
        await pilot.pause()
        assert "Completion: 43%" in screen_text(pilot)


async def test_f1_shows_help_and_escape_closes_it(db):
    from tui.app import make_app

    async with make_app(db).run_test(size=(80, 24)) as pilot:
        await open_stats(pilot)
        await pilot.press("f1")
        await wait_for_screen(pilot, "HelpDialog")
        assert "Help: Statistics" in screen_text(pilot)
        await pilot.press("escape")
        await wait_for_screen(pilot, "StatsScreen")


async def test_the_screen_with_no_reviews_says_so(tmp_path):
    from tui.app import make_app

    async with make_app(tmp_path / "r.json").run_test(size=(80, 24)) as pilot:
        await open_stats(pilot)
        text = screen_text(pilot)
        assert "No reviews yet." in text and "Quarter" not in text


async def test_the_screen_without_actions_says_na(tmp_path):
    from tui.app import make_app

    path = tmp_path / "r.json"
    ReviewStore(path).create({"title": "x", "review_date": "2026-11-21"})
    async with make_app(path).run_test(size=(80, 24)) as pilot:
        await open_stats(pilot)
        text = screen_text(pilot)
        assert "Completion: n/a" in text and "2026-Q4" in text



async def test_a_review_added_by_another_process_is_counted(db):
    from tui.app import make_app

    async with make_app(db).run_test(size=(80, 24)) as pilot:
        await open_stats(pilot)
        ReviewStore(db).create(timed_review("2026-09-01T10:00:00", 1, 2))
        for _ in range(20):  # the app polls the file twice a second
            if "8 reviews" in screen_text(pilot):
                break
            await pilot.pause(0.1)
        assert "8 reviews: 7 incident, 1 project" in screen_text(pilot)


def test_stats_of_one_kind_only(db, capsys):
    code, out, _ = run(capsys, "--db", str(db), "stats", "--kind", "project")
    assert code == 0 and out.startswith("1 review: 1 project")
    with pytest.raises(SystemExit) as refused:
        main(["--db", str(db), "stats", "--kind", "meeting"])
    assert refused.value.code == 2 and "argument --kind: invalid choice: 'meeting'" in capsys.readouterr().err


async def test_f4_shows_incidents_then_projects_then_all_again(db):
    from tui.app import make_app

    async with make_app(db).run_test(size=(80, 24)) as pilot:
        await open_stats(pilot)
        await pilot.press("f4")
        await pilot.pause()
        assert "6 reviews: 6 incident" in screen_text(pilot) and "Statistics: incidents" in screen_text(pilot)
        await pilot.press("f4")
        await pilot.pause()
        assert "1 review: 1 project" in screen_text(pilot)
        await pilot.press("f4")
        await pilot.pause()
        assert "7 reviews: 6 incident, 1 project" in screen_text(pilot)


def test_near_misses_are_counted_apart_and_impact_categories_are_counted():
    def review(minutes: int, **fields) -> Review:
        return Review.from_dict({"timezone": "UTC", "timeline": [
            {"at": "2026-02-01T10:00:00+00:00", "text": "a", "marker": "started"},
            {"at": f"2026-02-01T{10 + minutes // 60:02d}:{minutes % 60:02d}:00+00:00", "text": "b", "marker": "resolved"},
        ]} | fields)

    figures = archive_stats([
        review(20, impact_categories=["full_outage", "security"]),
        review(40, impact_categories=["full_outage"]),
        review(300, near_miss=True, impact_categories=["non_production"]),
    ], date(2026, 3, 1))
    assert figures.overall.median_to_resolve == 30 * 60 and figures.overall.timed_to_resolve == 2
    assert figures.near_misses == 1 and figures.reviews == 3
    assert figures.impact_categories == {"full_outage": 2, "non_production": 1, "security": 1}
    text = stats_text(figures)
    assert "Near misses: 1 (not outages: left out of the times)" in text
    assert "Impact: full outage 2, non-production 1, security 1 (reviews naming each; several may apply)" in text
    assert "Time to resolve, middle half: 25m to 35m (quartiles, n=2)" in text


def test_impact_categories_are_read_from_words_a_person_types():
    from screens.impact import read_categories

    assert read_categories("partial, errors, LATENCY, security") == [
        "partial_outage", "increased_errors", "increased_latency", "security"]
    assert read_categories("outage, full outage, full, non-prod, ") == ["full_outage", "non_production"]


async def test_impact_categories_and_near_miss_are_set_on_the_impact_step(tmp_path):
    from tui_helpers import stored, tab_to, type_text, widget_id

    from tui.app import make_app

    path = tmp_path / "r.json"
    review_id = ReviewStore(path).create({"title": "x", "step": "impact", "ground_rules_confirmed": True}).id
    async with make_app(path, start="open", review_id=review_id).run_test(size=(80, 24)) as pilot:
        await tab_to(pilot, widget_id("impact_categories"))
        await type_text(pilot, "degraded, latency")
        await pilot.press("tab")
        await type_text(pilot, "y")  # Yes
        await pilot.press("ctrl+o")
        await wait_for_screen(pilot, "HomeScreen")
    review = stored(path, review_id)
    assert (review["impact_categories"], review["near_miss"]) == (["degraded", "increased_latency"], True)
