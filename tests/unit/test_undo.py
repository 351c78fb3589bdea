"""Marking many articles read and undoing it, on real cache files."""

from __future__ import annotations

import sqlite3
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

from newsreader.cache import UNDO_HISTORY, Cache, CacheError
from newsreader.model import Article, Section


def story(number: int, **changes: object) -> Article:
    article = Article(
        title=f"Ferry story {number}",
        source="feed:a" if number % 2 else "feed:b",
        guid=f"g{number}",
        url=f"https://news.example/{number}",
        published=datetime(2024, 5, 1 + number % 28, tzinfo=UTC),
        categories=("World", "Europe") if number % 2 else ("Tech",),
        sections=(Section(None, (f"Boats ran on day {number}.",)),),
    )
    return replace(article, **changes)  # type: ignore[arg-type]


def stored(cache: Cache, count: int) -> list[int]:
    return [article_id for _, article_id in cache.store_articles([story(n) for n in range(count)])]


def unread_ids(cache: Cache) -> set[int]:
    return {summary.id for summary in cache.list_articles(unread_only=True, limit=1000)}


def test_count_unread_is_what_mark_all_read_marks(cache: Cache) -> None:
    ids = stored(cache, 6)
    cache.set_read(ids[1])
    assert cache.count_unread() == 5
    assert cache.count_unread(("World",)) == 2  # 1, 3, 5; 1 is read
    assert cache.count_unread(source="feed:b") == 3
    cache.set_starred(ids[3])
    assert cache.count_unread(starred_only=True) == 1
    assert cache.mark_all_read(("World",), description='in "World"') == 2
    assert cache.count_unread(("World",)) == 0


def test_undo_sets_unread_exactly_the_articles_the_act_marked(cache: Cache) -> None:
    ids = stored(cache, 6)
    cache.set_read(ids[0])  # read before: stays read after the undo
    assert cache.mark_all_read(description='in "All"') == 5
    assert unread_ids(cache) == set()
    undone = cache.undo_marks()
    assert undone is not None
    assert (undone.description, undone.restored) == ('in "All"', 5)
    assert unread_ids(cache) == set(ids[1:])
    assert cache.undo_marks() is None


def test_a_mark_without_a_description_is_not_recorded(cache: Cache) -> None:
    stored(cache, 3)
    assert cache.mark_all_read() == 3
    assert cache.undo_marks() is None


def test_undo_goes_back_one_act_at_a_time_latest_first(cache: Cache) -> None:
    ids = stored(cache, 6)
    cache.mark_all_read(("World",), description='in "World"')
    cache.mark_all_read(description='in "All"')
    first = cache.undo_marks()
    assert first is not None and first.description == 'in "All"'
    assert unread_ids(cache) == {ids[0], ids[2], ids[4]}
    second = cache.undo_marks()
    assert second is not None and second.description == 'in "World"'
    assert unread_ids(cache) == set(ids)


def test_mark_read_of_ids_records_more_than_one_changed(cache: Cache) -> None:
    ids = stored(cache, 4)
    cache.set_read(ids[0])
    assert cache.mark_read([ids[0], ids[1], ids[1], 9999], description="one") == 1
    assert cache.undo_marks() is None  # one article: `unread ID` undoes it
    assert cache.mark_read(ids[2:], description="two") == 2
    undone = cache.undo_marks()
    assert undone is not None and (undone.description, undone.restored) == ("two", 2)
    assert unread_ids(cache) == set(ids[2:])


def test_the_history_is_bounded(cache: Cache) -> None:
    ids = stored(cache, 2)
    for number in range(UNDO_HISTORY + 5):
        cache.mark_read(ids, description=f"act {number}")
        cache.set_read(ids[0], False)
        cache.set_read(ids[1], False)
    rows = cache._db.execute("SELECT count(*) FROM undo_actions").fetchone()[0]
    marks = cache._db.execute("SELECT count(*) FROM undo_articles").fetchone()[0]
    assert (rows, marks) == (UNDO_HISTORY, 2 * UNDO_HISTORY)
    undone = cache.undo_marks()
    assert undone is not None and undone.description == f"act {UNDO_HISTORY + 4}"


def test_a_pruned_article_is_skipped(cache: Cache) -> None:
    ids = stored(cache, 6)
    cache.mark_all_read(description="all")
    assert cache.prune("feed:b", older_than=None, keep_newest=0) == 3
    undone = cache.undo_marks()
    assert undone is not None and undone.restored == 3
    assert unread_ids(cache) == {ids[1], ids[3], ids[5]}


def test_undo_survives_closing_the_cache(tmp_path: Path) -> None:
    path = tmp_path / "cache.sqlite3"
    with Cache(path) as cache:
        ids = stored(cache, 3)
        cache.mark_all_read(description="before")
    with Cache(path) as cache:
        undone = cache.undo_marks()
        assert undone is not None and undone.restored == 3
        assert unread_ids(cache) == set(ids)


def test_a_failed_mark_records_nothing(tmp_path: Path) -> None:
    path = tmp_path / "cache.sqlite3"
    with Cache(path) as cache:
        stored(cache, 3)
    # A trigger that fails the record makes the whole act fail: marks and record together.
    db = sqlite3.connect(path)
    db.execute(
        "CREATE TRIGGER refuse BEFORE INSERT ON undo_articles "
        "BEGIN SELECT RAISE(ABORT, 'refused'); END"
    )
    db.commit()
    db.close()
    with Cache(path) as cache:
        with pytest.raises(CacheError, match="refused"):
            cache.mark_all_read(description="refused")
        assert cache.count_unread() == 3
        assert cache.undo_marks() is None
