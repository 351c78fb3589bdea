"""The SQLite cache on real files: idempotence, state, duplicates, migration, search."""

from __future__ import annotations

import sqlite3
import threading
import time
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

from newsreader.cache import (
    MIGRATIONS,
    SCHEMA_VERSION,
    Cache,
    CacheError,
    Cursor,
    Marks,
    Outcome,
)
from newsreader.model import Article, Link, LinkKind, Section
from tests.helpers.cache import article_count


def make_article(number: int, **changes: object) -> Article:
    article = Article(
        title=f"Story number {number}",
        source="feed:test",
        guid=f"guid-{number}",
        url=f"https://example.org/story/{number}",
        published=datetime(2024, 1, 1 + number % 28, tzinfo=UTC),
        categories=("World", "Europe") if number % 2 else ("Tech",),
        sections=(Section(None, (f"Body of story {number} about harbours and ferries.",)),),
    )
    return replace(article, **changes)  # type: ignore[arg-type]


def test_schema_is_created_at_the_latest_version_in_wal_mode(tmp_path: Path) -> None:
    with Cache(tmp_path / "c.sqlite3") as cache:
        assert cache.schema_version == SCHEMA_VERSION
    db = sqlite3.connect(tmp_path / "c.sqlite3")
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_storing_again_changes_nothing(cache: Cache) -> None:
    first = cache.store_articles([make_article(1), make_article(2)])
    again = cache.store_articles([make_article(1), make_article(2)])
    assert [o for o, _ in first] == [Outcome.NEW, Outcome.NEW]
    assert [o for o, _ in again] == [Outcome.UNCHANGED, Outcome.UNCHANGED]
    assert [i for _, i in first] == [i for _, i in again]
    assert article_count(cache) == 2


def test_marks_are_read_without_the_body(cache: Cache) -> None:
    [(_, article_id)] = cache.store_articles([make_article(1)])
    assert cache.marks(article_id) == Marks(read=False, starred=False)
    cache.set_starred(article_id)
    assert cache.marks(article_id) == Marks(read=False, starred=True)
    cache._db.execute("UPDATE articles SET body = 'not json' WHERE id = ?", (article_id,))
    cache.set_read(article_id)
    assert cache.marks(article_id) == Marks(read=True, starred=True)  # a bad body is no matter
    assert cache.marks(article_id + 1) is None


def test_changed_article_is_updated_in_place_keeping_state(cache: Cache) -> None:
    [(_, article_id)] = cache.store_articles([make_article(1)])
    cache.set_read(article_id)
    cache.set_starred(article_id)
    changed = make_article(1, sections=(Section("New", ("Rewritten body about trams.",)),))
    assert cache.store_articles([changed]) == [(Outcome.UPDATED, article_id)]
    stored = cache.get_article(article_id)
    assert stored is not None
    assert stored.read and stored.starred
    assert stored.article.sections[0].heading == "New"
    assert [s.id for s in cache.search("trams")] == [article_id]
    assert cache.search("harbours") == []  # the old text left the index


def test_duplicates_by_content_hash_and_by_address_and_title(cache: Cache) -> None:
    [(_, original)] = cache.store_articles([make_article(1)])
    moved = make_article(1, source="elsewhere.txt", guid="elsewhere.txt")
    reworded = make_article(1, source="other-feed", guid="x", sections=())
    same_url_only = make_article(1, source="third-feed", guid="y", title="Another Title")
    assert cache.store_articles([moved, reworded, same_url_only]) == [
        (Outcome.DUPLICATE, original),
        (Outcome.DUPLICATE, original),
        (Outcome.NEW, original + 1),  # one address, two titles: two articles
    ]
    assert article_count(cache) == 2


def test_migration_from_the_first_schema_keeps_articles_and_makes_them_searchable(
    tmp_path: Path,
) -> None:
    path = tmp_path / "old.sqlite3"
    db = sqlite3.connect(path, isolation_level=None)
    MIGRATIONS[0](db)
    db.execute("PRAGMA user_version = 1")
    db.execute(
        "INSERT INTO articles (source, guid, title, title_norm, sort_key, body, content_hash,"
        " read, starred, added, updated) VALUES ('s', 'g', 'Old Story', 'old story', 1, ?, 'h',"
        " 1, 1, 1, 1)",
        ('{"sections":[{"heading":null,"paragraphs":["Lighthouse keepers remember."]}]}',),
    )
    db.close()
    with Cache(path) as cache:
        assert cache.schema_version == SCHEMA_VERSION
        [hit] = cache.search("lighthouse")
        assert hit.title == "Old Story" and hit.read and hit.starred


def test_newer_schema_is_refused_with_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "new.sqlite3"
    sqlite3.connect(path).execute(f"PRAGMA user_version = {SCHEMA_VERSION + 5}")
    with pytest.raises(CacheError, match="newer newsreader"):
        Cache(path)


def test_corrupt_file_is_refused_with_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "junk.sqlite3"
    path.write_bytes(b"this is not a database" * 100)
    with pytest.raises(CacheError, match="damaged or not a cache"):
        Cache(path)


def test_search_matches_words_and_prefixes_and_is_safe(cache: Cache) -> None:
    ids = [i for _, i in cache.store_articles([make_article(n) for n in range(1, 6)])]
    assert {s.id for s in cache.search("harbours ferries")} == set(ids)
    assert [s.id for s in cache.search("number 3")] == [ids[2]]
    assert {s.id for s in cache.search("harb")} == set(ids)
    for hostile in ['"', "AND OR NOT", "title:x", "(", "*", "NEAR(a b)"]:
        assert cache.search(hostile) == [], hostile  # searched as text, never as syntax
    assert cache.search("   ") == []


def test_list_pages_newest_first_within_a_category(cache: Cache) -> None:
    cache.store_articles([make_article(n) for n in range(1, 21)])
    europe = cache.list_articles(("World",), limit=4)
    assert all(row.categories == ("World", "Europe") for row in europe)
    keys = [(row.sort_key, row.id) for row in europe]
    assert keys == sorted(keys, reverse=True)
    last = europe[-1]
    following = cache.list_articles(("World",), limit=100, after=Cursor(last.sort_key, last.id))
    assert len(europe) + len(following) == 10
    assert not {r.id for r in europe} & {r.id for r in following}
    assert cache.list_articles(("Wor",)) == []  # a prefix of a name is not the category


def test_category_tree_counts_unread_including_descendants(cache: Cache) -> None:
    ids = [i for _, i in cache.store_articles([make_article(n) for n in range(1, 7)])]
    cache.set_read(ids[0])  # story 1: World/Europe
    tree = cache.category_tree()
    world = tree.children["World"]
    assert (world.total_count, world.unread_count) == (3, 2)
    assert (world.children["Europe"].total_count, world.children["Europe"].unread_count) == (3, 2)
    assert (tree.children["Tech"].total_count, tree.children["Tech"].unread_count) == (3, 3)
    assert (tree.total_count, tree.unread_count) == (6, 5)


def test_unread_and_starred_filters(cache: Cache) -> None:
    ids = [i for _, i in cache.store_articles([make_article(n) for n in range(1, 5)])]
    cache.set_read(ids[0])
    cache.set_starred(ids[1])
    assert ids[0] not in {r.id for r in cache.list_articles(unread_only=True)}
    assert [r.id for r in cache.list_articles(starred_only=True)] == [ids[1]]


def test_links_survive_the_round_trip(cache: Cache) -> None:
    links = (Link(LinkKind.READ_ALSO, "Other Story"), Link(LinkKind.INLINE, "x", "https://x.org/"))
    [(_, article_id)] = cache.store_articles([make_article(1, links=links)])
    stored = cache.get_article(article_id)
    assert stored is not None and stored.article.links == links


def test_search_matches_other_forms_of_a_word(cache: Cache) -> None:
    [(_, article_id)] = cache.store_articles([make_article(1)])  # "... harbours and ferries."
    assert [s.id for s in cache.search("ferry harbour")] == [article_id]


def test_the_same_entry_twice_in_one_batch_is_stored_once(cache: Cache) -> None:
    first = make_article(1)
    second = make_article(1, sections=(Section(None, ("A corrected body.",)),))
    results = cache.store_articles([first, second])
    assert [outcome for outcome, _ in results] == [Outcome.NEW, Outcome.UPDATED]
    assert results[0][1] == results[1][1]
    stored = cache.get_article(results[0][1])
    assert stored is not None and stored.article.paragraphs == ["A corrected body."]
    assert [s.id for s in cache.search("corrected")] == [results[0][1]]
    assert article_count(cache) == 1


def test_a_cache_created_by_two_processes_at_once_is_migrated_once(tmp_path: Path) -> None:
    path = tmp_path / "race.sqlite3"
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("PRAGMA journal_mode = WAL")
    other.execute("BEGIN IMMEDIATE")  # the other process is migrating
    outcome: dict[str, object] = {}

    def open_it() -> None:
        try:
            with Cache(path) as opened:
                outcome["version"] = opened.schema_version
        except CacheError as error:
            outcome["error"] = error

    thread = threading.Thread(target=open_it)
    thread.start()
    time.sleep(0.5)  # it has read version 0 and waits for the write lock
    for migrate in MIGRATIONS:
        migrate(other)
    other.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
    other.execute("COMMIT")
    other.close()
    thread.join(timeout=30)
    assert outcome == {"version": SCHEMA_VERSION}
