"""The cache's side of sync, on a real SQLite file: the outbox its triggers write, the
server's marks taken where nothing is pending, and a subscription in two labels."""

from __future__ import annotations

from newsreader.cache import AccountFeed, Cache, account_source, label_category
from newsreader.model import Article


def _store(
    cache: Cache, source: str, category: tuple[str, ...], count: int, start: int = 0
) -> list[int]:
    articles = [
        Article(
            title=f"Story {n}",
            source=source,
            guid=f"{source}-{n}",
            url=f"https://example.org/{source}/{n}",
            categories=category,
        )
        for n in range(start, start + count)
    ]
    return [article_id for _, article_id in cache.store_articles(articles)]


def _outbox(cache: Cache) -> list[tuple[str, str, int]]:
    return [(e.item_id, e.tag, e.value) for e in cache.outbox("home")]


def test_a_mark_of_an_account_article_queues_it_and_another_article_does_not(cache: Cache) -> None:
    synced = _store(cache, account_source("home", "feed/1"), ("home",), 2)
    local = _store(cache, "https://example.org/feed", ("Local",), 1)
    cache.record_account_items(
        "home", [("11", synced[0], "feed/1", 5), ("12", synced[1], "feed/1", 6)]
    )

    cache.set_read(synced[0])
    cache.set_starred(synced[1])
    cache.set_read(local[0])
    cache.set_read(synced[0])  # no change: nothing queued

    assert _outbox(cache) == [("11", "read", 1), ("12", "starred", 1)]
    cache.set_read(synced[0], False)
    assert cache.mark_read(synced, description="both") == 2
    cache.undo_marks()
    queued = _outbox(cache)
    assert queued[2] == ("11", "read", 0)
    assert set(queued[3:5]) == {("11", "read", 1), ("12", "read", 1)}
    assert set(queued[5:]) == {("11", "read", 0), ("12", "read", 0)}
    cache.outbox_sent([e.seq for e in cache.outbox("home")])
    assert cache.outbox("home") == [] and "home" not in cache.account_states()


def test_the_servers_marks_skip_items_with_a_pending_change_and_queue_nothing(cache: Cache) -> None:
    cache.save_account_feeds("home", [AccountFeed("feed/1", "One")])
    ids = _store(cache, account_source("home", "feed/1"), ("home",), 3)
    cache.record_account_items("home", [(str(n), i, "feed/1", n) for n, i in enumerate(ids)])
    cache.set_read(ids[0])  # pending: read

    read, starred = cache.apply_server_marks("home", unread={"0", "1"}, starred={"2"})

    assert (read, starred) == (1, 1)  # item 2 read; item 0 kept read (pending), item 1 unread
    marks = [cache.marks(i) for i in ids]
    assert [(m.read, m.starred) for m in marks if m] == [
        (True, False),
        (False, False),
        (True, True),
    ]
    assert _outbox(cache) == [("0", "read", 1)]


def test_a_subscription_in_two_labels_lists_and_counts_in_both(cache: Cache) -> None:
    feed = AccountFeed("feed/7", "Both", labels=("Tech", "Science"))
    cache.save_account_feeds("home", [feed])
    source = account_source("home", "feed/7")
    ids = _store(cache, source, label_category("home", "Tech"), 3)
    cache.file_account_feeds("home", [feed])
    cache.set_read(ids[0])

    home = cache.category_tree().children["home"]
    assert home.children["Tech"].total_count == 3 and home.children["Science"].total_count == 3
    assert home.total_count == 3 and home.unread_count == 2
    science = account_source("home", "feed/7", "Science")
    assert {s.id for s in cache.list_articles(source=science)} == set(ids)
    assert cache.source_counts()[science] == (3, 2)

    # New articles since are listed too; a label dropped takes its listing away.
    more = _store(cache, source, label_category("home", "Tech"), 1, start=3)
    cache.file_account_feeds("home", [feed])
    assert cache.category_tree().children["home"].children["Science"].total_count == 4
    assert set(more) <= {s.id for s in cache.list_articles(source=science)}
    refiled = cache.save_account_feeds("home", [AccountFeed("feed/7", "Both", labels=("Space",))])
    assert refiled == 1
    home = cache.category_tree().children["home"]
    assert set(home.children) == {"Space"} and home.children["Space"].total_count == 4
    assert cache.marks(ids[0]) is not None and cache.marks(ids[0]).read  # type: ignore[union-attr]
