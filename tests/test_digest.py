"""The file backend's index holds digests, not whole reviews, and the list, search and statistics are unchanged by it.

A digest (store.digest) must give exactly what the whole review gives to the
home list's summary, to statistics and to word search; the index must hold
only digests and search words (it held every whole review: 63 MB at 5,000),
and an index of the older format is rebuilt from the files.
"""

from __future__ import annotations

import random
import sys
from datetime import date
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from store import ops  # noqa: E402
from store.archive import TextIndex, parse_query, review_text, search  # noqa: E402
from store.db import ReviewStore  # noqa: E402
from store.digest import digest, search_words  # noqa: E402
from store.model import Review, ReviewSummary, new_review  # noqa: E402
from store.stats import archive_stats  # noqa: E402
from store.storage import dump, parse  # noqa: E402
from tests.bench_store import make_review, sentence  # noqa: E402

TODAY = date(2026, 12, 10)


def varied_review(number: int, rng: random.Random) -> dict:
    """A realistic review with what the summary and statistics look at made to vary."""
    doc = make_review(number, rng)
    for action in doc["actions"]:
        action["status"] = rng.choice(["open", "done", "slipped", "dropped", "not_doing"])
        action["due"] = rng.choice(["2026-12-01", "2026-12-31", "", "next week"])
    if number % 3 == 0:
        doc["actions"].append("A plain-text action, as import allows")
        del doc["actions"][0]["status"]
    for event in doc["timeline"]:
        if rng.random() < 0.2:
            event["marker"] = rng.choice(["started", "detected", "mitigated", "resolved", None])
    doc["five_whys"]["chains"][0]["whys"][-1] = "" if number % 2 else doc["five_whys"]["chains"][0]["whys"][-1]
    doc["timezone"] = rng.choice(["UTC", "Europe/Berlin", "America/New_York"])
    doc["near_miss"] = number % 5 == 0
    doc["impact_categories"] = rng.sample(["customers", "revenue", "data", "security"], k=number % 3)
    doc["review_status"] = rng.choice(["draft", "in_review", "reviewed", "closed"])
    doc["tags"] = rng.sample(["db", "network", "deploy"], k=number % 3)
    doc["follow_up"] = {"due": rng.choice(["2026-12-09", "2026-12-10", "2027-01-30"]),
                        "held": rng.choice([None, "2026-12-01"]), "notes": sentence(rng, 20)}
    return doc


@pytest.fixture(scope="module")
def docs() -> list[dict]:
    rng = random.Random(9)
    return [varied_review(number, rng) for number in range(1, 61)]


def test_a_digest_gives_the_same_summary_and_statistics_as_the_whole_review(docs: list[dict]) -> None:
    assert [ReviewSummary.from_dict(digest(doc)) for doc in docs] == [ReviewSummary.from_dict(doc) for doc in docs]
    whole = archive_stats([Review.from_dict(doc) for doc in docs], TODAY)
    light = archive_stats([Review.from_dict(digest(doc)) for doc in docs], TODAY)
    assert light == whole
    assert whole.root_causes and whole.overall.to_dict() != archive_stats([], TODAY).overall.to_dict()


def test_search_words_find_what_the_whole_text_finds(docs: list[dict]) -> None:
    summaries = [ReviewSummary.from_dict(doc) for doc in docs]
    whole = {doc["id"]: review_text(doc) for doc in docs}
    words = {doc["id"]: search_words(doc) for doc in docs}
    for text in ("deploy", "ROLLB", "lat", "queue worker", "e.", "pm-1", "tag:db cache", "nothing-like-this", "y d"):
        query, _ = parse_query(text)
        assert search(summaries, query, TODAY, words) == search(summaries, query, TODAY, whole), text
    assert len(words["pm-1"]) < len(whole["pm-1"]) / 3


def test_the_index_holds_digests_and_the_list_search_and_stats_read_them(tmp_path: Path, docs: list[dict]) -> None:
    store = ReviewStore(tmp_path / "data")
    created = list(store.create_many(docs[:20]))
    store.apply(created[3].id, ops.Set("impact", "Checkout down for forty minutes"))
    reader = ReviewStore(tmp_path / "data")
    assert [s.id for s in reader.list_summaries()] == [created[3].id] + [r.id for r in reversed(created) if r != created[3]]
    index = tmp_path / "data" / "reviews" / ".archive" / "index.json"
    entry = parse(index.read_bytes())["entries"][f"{created[3].id}.json"]
    assert "impact" not in entry[1] and "forty" not in str(entry)
    reviews_bytes = sum(path.stat().st_size for path in (tmp_path / "data" / "reviews").glob("pm-*.json"))
    assert index.stat().st_size < reviews_bytes / 4
    words = tmp_path / "data" / "reviews" / ".archive" / "words.json"
    assert not words.exists()  # written by the first word search, not by listing
    assert [review.id for review in reader.reviews_for_stats()] == [review.id for review in reader.list_reviews()]
    assert archive_stats(reader.reviews_for_stats(), TODAY) == archive_stats(reader.list_reviews(), TODAY)
    assert ReviewStore(tmp_path / "data").search_texts()[created[3].id].count("forty") == 1
    assert "forty" in parse(words.read_bytes())["entries"][f"{created[3].id}.json"][1]
    # a change in another process's store is seen by the next search
    store.apply(created[5].id, ops.Set("impact", "Replication lagged behind"))
    query, _ = parse_query("replication")
    assert [s.id for s in search(reader.list_summaries(), query, TODAY, reader.search_texts())] == [created[5].id]


def test_an_index_of_the_older_format_is_rebuilt_from_the_files(tmp_path: Path) -> None:
    store = ReviewStore(tmp_path / "data")
    review = store.create(new_review("incident", "From the file").to_dict())
    store.list_summaries()
    index_file = tmp_path / "data" / "reviews" / ".archive" / "index.json"
    entry = parse(index_file.read_bytes())["entries"][f"{review.id}.json"]
    stale = review.to_dict() | {"title": "From an old index"}
    index_file.write_bytes(dump({"layout": 2, "entries": {f"{review.id}.json": [entry[0], stale]}}))  # whole reviews
    reader = ReviewStore(tmp_path / "data")
    assert [s.title for s in reader.list_summaries()] == ["From the file"]
    assert reader.search_texts(TextIndex())[review.id].startswith(review.id)
    assert parse(index_file.read_bytes())["format"] == 3
