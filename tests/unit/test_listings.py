"""One article carried by several feeds: stored once, listed under every feed and category."""

from __future__ import annotations

import sqlite3
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from newsreader.cache import MIGRATIONS, Cache, Cursor, MergeReason, Outcome
from newsreader.model import Article, ArticleSummary, Section
from tests.helpers.cache import article_count


def entry(source: str, guid: str, day: int, **changes: object) -> Article:
    article = Article(
        title=f"Harbour story of day {day}",
        source=source,
        guid=guid,
        url=f"https://news.example/harbour/{day}",
        published=datetime(2024, 3, day, tzinfo=UTC),
        categories=(source.split(":")[0].title(),),
        sections=(Section(None, (f"Ferries ran late on day {day}.",)),),
    )
    return replace(article, **changes)  # type: ignore[arg-type]


def ids(rows: list[ArticleSummary]) -> list[int]:
    return [row.id for row in rows]


def test_entries_of_one_feed_with_distinct_ids_are_distinct_articles(cache: Cache) -> None:
    twins = [entry("wire:a", f"g{n}", 1) for n in range(3)]  # same address, title and body
    outcomes = cache.store_articles(twins)
    assert [outcome for outcome, _ in outcomes] == [Outcome.NEW] * 3
    assert article_count(cache) == 3


def test_the_same_story_in_two_feeds_is_stored_once_and_listed_under_both(cache: Cache) -> None:
    [(_, story)] = cache.store_articles([entry("wire:a", "a1", 2)])
    other = entry("paper:b", "b-77", 2, sections=(Section(None, ("Ferries were late.",)),))
    assert cache.store_articles([other, entry("paper:b", "b-78", 3)])[0] == (
        Outcome.DUPLICATE,
        story,
    )
    assert article_count(cache) == 2
    assert ids(cache.list_articles(source="paper:b")) == [story + 1, story]
    assert ids(cache.list_articles(source="wire:a")) == [story]
    assert ids(cache.list_articles(("Paper",))) == [story + 1, story]
    assert ids(cache.list_articles(("Wire",))) == [story]
    assert len(cache.list_articles()) == 2  # once in All
    assert cache.source_counts() == {"wire:a": (1, 1), "paper:b": (2, 2)}
    tree = cache.category_tree()
    assert (tree.total_count, tree.unread_count) == (2, 2)
    assert tree.children["Paper"].total_count == 2 and tree.children["Wire"].total_count == 1
    assert cache.merged_counts() == {"paper:b": {MergeReason.SAME_ADDRESS_AND_TITLE: 1}}
    cache.set_read(story)
    assert cache.source_counts()["paper:b"] == (2, 1)
    assert ids(cache.list_articles(source="paper:b", unread_only=True)) == [story + 1]


def test_an_article_in_two_sub_categories_counts_once_above_them(cache: Cache) -> None:
    [(_, story)] = cache.store_articles([entry("a", "1", 4, categories=("World", "Europe"))])
    cache.store_articles([entry("b", "1", 4, categories=("World", "Asia"))])
    world = cache.category_tree().children["World"]
    assert (world.total_count, world.children["Asia"].total_count) == (1, 1)
    assert ids(cache.list_articles(("World",))) == [story]  # not twice


def test_mark_all_read_of_a_feed_reaches_what_it_carries(cache: Cache) -> None:
    [(_, story)] = cache.store_articles([entry("wire:a", "a1", 5)])
    cache.store_articles([entry("paper:b", "b1", 5)])
    assert cache.mark_all_read(source="paper:b") == 1
    stored = cache.get_article(story)
    assert stored is not None and stored.read


def test_a_listed_copy_that_changes_stays_or_becomes_its_own_article(cache: Cache) -> None:
    [(_, story)] = cache.store_articles([entry("wire:a", "a1", 6)])
    cache.store_articles([entry("paper:b", "b1", 6)])
    cache.set_starred(story)
    assert cache.store_articles([entry("paper:b", "b1", 6)]) == [(Outcome.UNCHANGED, story)]
    edited = entry("paper:b", "b1", 6, sections=(Section(None, ("A longer body now.",)),))
    assert cache.store_articles([edited]) == [(Outcome.UNCHANGED, story)]
    retitled = entry("paper:b", "b1", 6, title="Harbour reopens after the storm")
    [(outcome, own)] = cache.store_articles([retitled])
    assert outcome is Outcome.UPDATED and own != story
    copy = cache.get_article(own)
    assert copy is not None and copy.starred  # what the reader did stays with it
    assert cache.merged_counts() == {}
    assert ids(cache.list_articles(source="paper:b")) == [own]


def test_pruning_a_feed_keeps_what_another_feed_carries(cache: Cache) -> None:
    [(_, story)] = cache.store_articles([entry("wire:a", "a1", 7)])
    cache.store_articles([entry("paper:b", "b1", 7)])
    assert cache.prune("wire:a", older_than=None, keep_newest=0) == 1
    assert ids(cache.list_articles(source="wire:a")) == []
    assert ids(cache.list_articles(source="paper:b")) == [story]
    moved = cache.get_article(story)
    assert moved is not None and moved.article.source == "paper:b"
    assert cache.prune("paper:b", older_than=None, keep_newest=0) == 1
    assert article_count(cache) == 0
    # and the other way round: pruning the listing leaves the article to its feed
    [(_, again)] = cache.store_articles([entry("wire:a", "a2", 8)])
    cache.store_articles([entry("paper:b", "b2", 8)])
    assert cache.prune("paper:b", older_than=None, keep_newest=0) == 1
    assert ids(cache.list_articles(source="wire:a")) == [again]
    assert cache.merged_counts() == {}


def test_pages_of_a_feed_interleave_its_own_and_its_listed_articles(cache: Cache) -> None:
    cache.store_articles([entry("wire:a", f"a{day}", day) for day in range(1, 21, 2)])
    cache.store_articles([entry("paper:b", f"b{day}", day) for day in range(1, 21)])
    seen: list[int] = []
    after: Cursor | None = None
    for _ in range(10):
        page = cache.list_articles(source="paper:b", limit=3, after=after)
        if not page:
            break
        seen += ids(page)
        after = Cursor(page[-1].sort_key, page[-1].id)
    days = [cache.get_article(i).article.published.day for i in seen]  # type: ignore[union-attr]
    assert days == list(range(20, 0, -1))


def cache_at_schema_6(path: Path) -> sqlite3.Connection:
    """A cache as the version before listings made it, open for filling."""
    db = sqlite3.connect(path, isolation_level=None)
    for migrate in MIGRATIONS[:6]:
        migrate(db)
    db.execute("PRAGMA user_version = 6")
    return db


def test_migration_keeps_fragments_in_stored_addresses(tmp_path: Path) -> None:
    path = tmp_path / "v6.sqlite3"
    db = cache_at_schema_6(path)
    for number, fragment in ((1, "#a1"), (2, "#a2")):
        db.execute(
            "INSERT INTO articles (source, guid, url, url_norm, title, title_norm, sort_key, body,"
            " content_hash, added, updated) VALUES ('day', ?, ?, 'https://day.example/1.html',"
            " 'Post', 'post', 1, '{}', ?, 1, 1)",
            (f"g{number}", f"http://day.example/1.html{fragment}", f"h{number}"),
        )
    db.close()
    with Cache(path) as cache:
        assert len(cache.ids_by_url("https://day.example/1.html#a2")) == 1


def test_migration_has_every_feed_parsed_once_more(tmp_path: Path) -> None:
    path = tmp_path / "v6.sqlite3"
    db = cache_at_schema_6(path)
    db.execute(
        "INSERT INTO feeds (url, title, etag, last_modified, body_hash, last_success) "
        "VALUES ('https://f.example/rss', 'F', '\"e1\"', 'Tue, 02 Apr 2024 10:00:00 GMT', 'h', 5)"
    )
    db.close()
    with Cache(path) as cache:
        state = cache.feed_state("https://f.example/rss")
    assert (state.etag, state.last_modified, state.body_hash) == (None, None, None)
    assert (state.title, state.last_success) == ("F", 5)


def test_a_copy_that_is_no_longer_the_same_article_is_parsed_again(cache: Cache) -> None:
    from newsreader.model import FeedState

    [(_, story)] = cache.store_articles([entry("wire:a", "a1", 9)])
    cache.store_articles([entry("paper:b", "b1", 9)])
    cache.save_feed_state(FeedState("paper:b", etag='"e"', last_modified="x", body_hash="h"))
    # The wire rewrites its entry into another story altogether.
    rewritten = entry("wire:a", "a1", 9, title="Tram strike ends", url="https://news.example/tram")
    assert cache.store_articles([rewritten]) == [(Outcome.UPDATED, story)]
    assert cache.merged_counts() == {}
    state = cache.feed_state("paper:b")
    assert (state.etag, state.last_modified, state.body_hash) == (None, None, None)
    # So the paper's next refresh parses it, and its entry is an article of its own.
    [(outcome, own)] = cache.store_articles([entry("paper:b", "b1", 9)])
    assert outcome is Outcome.NEW and own != story
    assert [row.title for row in cache.list_articles(source="paper:b")] == [
        "Harbour story of day 9"
    ]


def test_a_feed_moved_in_the_config_takes_its_articles_and_listings_along(cache: Cache) -> None:
    [(_, story)] = cache.store_articles([entry("wire:a", "a1", 10)])
    cache.store_articles([entry("paper:b", "b1", 10), entry("paper:b", "b2", 11)])
    cache.file_feed("paper:b", ("News", "Paper"))
    assert ids(cache.list_articles(("News",))) == [story + 1, story]
    assert ids(cache.list_articles(("Paper",))) == []
    assert cache.feed_state("paper:b").category == "News/Paper"
    assert cache.category_tree().children["News"].total_count == 2


def test_storing_an_unchanged_article_under_a_new_category_moves_it(cache: Cache) -> None:
    [(_, story)] = cache.store_articles([entry("file.txt", "file.txt", 12)])
    moved = entry("file.txt", "file.txt", 12, categories=("Archive", "File"))
    assert cache.store_articles([moved]) == [(Outcome.UPDATED, story)]
    assert ids(cache.list_articles(("Archive",))) == [story]


def test_the_same_file_twice_in_one_batch_ends_in_the_later_category(cache: Cache) -> None:
    first = entry("file.txt", "file.txt", 13, categories=("Inbox",))
    later = entry("file.txt", "file.txt", 13, categories=("Archive",))
    [(_, story), _] = cache.store_articles([first, later])
    assert ids(cache.list_articles(("Archive",))) == [story]
