"""Which entries are the same article: within a feed never by likeness, across feeds by address."""

from __future__ import annotations

import asyncio
import json
from dataclasses import replace
from pathlib import Path

import pytest

from newsreader.cache import Cache, Outcome
from newsreader.extract.feed import parse_feed
from newsreader.importer import import_paths
from newsreader.model import Article
from tests.helpers.cache import article_count
from tests.helpers.cli import CliRunner
from tests.helpers.config import write_config
from tests.helpers.paths import CORPUS
from tests.helpers.reader import tree_counted
from tests.loopback import LoopbackServer, static


def rss_items(title: str, items: list[str]) -> bytes:
    """An RSS 2.0 document around ready-made ``<item>`` elements."""
    return (
        f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>{title}'
        f"</title><link>https://example.org/</link>{''.join(items)}</channel></rss>"
    ).encode()


def item(title: str, link: str, guid: str | None = None, body: str = "A short post.") -> str:
    guid_element = f"<guid isPermaLink='false'>{guid}</guid>" if guid else ""
    return (
        f"<item>{guid_element}<title>{title}</title><link>{link}</link>"
        f"<description>{body}</description></item>"
    )


def corpus_feed(name: str) -> Path:
    path = CORPUS / "feeds" / name
    if not path.exists():
        pytest.skip("shared corpus not available")
    return path


def test_posts_on_one_page_told_apart_by_their_anchors(cache: Cache) -> None:
    # 50 entries, 48 distinct ids, all linking to the day's page with an anchor each.
    path = corpus_feed("netnewswire-scriptingNews.rss")
    report = import_paths(cache, [path])
    assert (report.new, report.duplicate, report.failures) == (48, 0, [])
    assert parse_feed(path.read_bytes(), source="s").repeated_ids == 2


def test_a_sponsor_post_sharing_a_link_with_a_linked_post_is_kept(cache: Cache) -> None:
    path = corpus_feed("netnewswire-DaringFireball.atom")
    assert import_paths(cache, [path]).new == 48
    titles = {row.title for row in cache.list_articles(limit=100)}
    assert {
        "Mnml – A Mac Client for Medium",
        "[Sponsor] MNML: A macOS Writing App for Medium.com",
    } <= titles


def test_entries_without_ids_sharing_a_link_are_kept_and_stable(cache: Cache) -> None:
    feed = rss_items(
        "Day Page",
        [item(f"Note {n}", "https://example.org/today.html", body=f"Note {n}.") for n in range(4)]
        + [item("Elsewhere", "https://example.org/other.html")],
    )
    articles = parse_feed(feed, source="day").articles
    assert len({a.guid for a in articles}) == 5
    cache.store_articles(articles)
    again = cache.store_articles(parse_feed(feed, source="day").articles)
    assert {outcome.value for outcome, _ in again} == {"unchanged"}
    assert article_count(cache) == 5


def test_an_entry_without_an_id_keeps_its_id_as_the_feed_around_it_changes(
    cache: Cache,
) -> None:
    # A podcast without ids whose every episode links to its home page, as it grows.
    def snapshot(*episodes: int) -> list[Article]:
        entries = [item(f"Ep {n}", "https://pod.example/", body=f"Episode {n}.") for n in episodes]
        return parse_feed(rss_items("Pod", entries), source="pod").articles

    [(_, first)] = cache.store_articles(snapshot(1))
    cache.set_starred(first)
    for episodes in ((2, 1), (3, 2), (3,)):
        cache.store_articles(snapshot(*episodes))
    rows = {row.title: row for row in cache.list_articles(limit=10)}
    assert sorted(rows) == ["Ep 1", "Ep 2", "Ep 3"]
    assert rows["Ep 1"].id == first and rows["Ep 1"].starred


def test_a_cache_from_before_keeps_its_rows_for_entries_without_ids(tmp_path: Path) -> None:
    """Such entries were known by their address without its fragment; the cached row,
    with its marks, becomes the first entry that had it, not a stale twin."""
    feed = rss_items(
        "Day",
        [item("Post one", "https://example.com/day.html#a1"),
         item("Post two", "https://example.com/day.html#a2")],
    )  # fmt: skip
    with Cache(tmp_path / "cache.sqlite3") as cache:
        [old] = cache.store_articles(
            [
                replace(
                    parse_feed(feed, source="day").articles[0], guid="https://example.com/day.html"
                )
            ]
        )
        cache.set_read(old[1])
        cache.set_starred(old[1])
        outcomes = cache.store_articles(parse_feed(feed, source="day").articles)
        assert [outcome for outcome, _ in outcomes] == [Outcome.UNCHANGED, Outcome.NEW]
        assert outcomes[0][1] == old[1]
        kept = cache.get_article(old[1])
        assert kept is not None and kept.starred and kept.read
        assert kept.article.guid == parse_feed(feed, source="day").articles[0].guid
        assert article_count(cache) == 2


def test_the_same_story_in_two_feeds_is_one_article_listed_under_both(
    cli: CliRunner, tmp_path: Path, server: LoopbackServer
) -> None:
    story = "https://news.example/2024/harbour-reopens"
    server.routes["/wire.xml"] = static(
        rss_items("Wire", [item("Harbour Reopens", story, "w-1", "Ferries run again.")])
    )
    server.routes["/paper.xml"] = static(
        rss_items(
            "Paper",
            [
                item("Harbour Reopens", story + "?utm_source=rss", "p-9", "Ferries run again!"),
                item("Tram Strike Ends", "https://paper.example/tram", "p-10"),
                item("Tram Strike Ends", "https://paper.example/tram", "p-10"),
            ],
        )
    )
    # The wire first, so that it is the one that brings the story (feeds refreshed
    # together are stored in the order they arrive).
    write_config(tmp_path / "feeds.toml", [server.url("wire.xml")])
    cli("refresh")
    write_config(tmp_path / "feeds.toml", [server.url("wire.xml"), server.url("paper.xml")])
    summary = json.loads(cli("refresh", "--json").out)
    assert [(f["name"], f["new"], f["merged"]) for f in summary["feeds"]] == [
        ("Wire", 0, 0),
        ("Paper", 1, 1),
    ]
    rows = [json.loads(line) for line in cli("feeds", "--json").out.splitlines()]
    assert [(r["articles"], r["repeated_ids"], r["merged"]) for r in rows] == [
        (1, 0, {}),
        (2, 1, {"same-address-and-title": 1}),
    ]
    lines = cli("feeds").out.splitlines()
    assert lines[0].split()[:2] == ["ok", "1"] and lines[1].split()[:2] == ["ok", "2"]
    assert lines[2].strip() == (
        "1 entry repeated an earlier entry's id (left out); 1 entry is an article another feed "
        "brought first (the same address and title), listed here too"
    )
    listed = [json.loads(line) for line in cli("list", "--json").out.splitlines()]
    assert sorted(r["title"] for r in listed) == ["Harbour Reopens", "Tram Strike Ends"]


async def test_in_the_reader_each_feed_lists_the_story_it_carried(
    tmp_path: Path, server: LoopbackServer
) -> None:
    from newsreader.config import load_config
    from newsreader.paths import Locations
    from newsreader.refresh import refresh
    from newsreader.ui.app import NewsReaderApp
    from newsreader.ui.widgets.article_list import ArticleList
    from newsreader.ui.widgets.category_tree import CategoryTree

    story = "https://news.example/2024/harbour-reopens"
    server.routes["/wire.xml"] = static(rss_items("Wire", [item("Harbour Reopens", story, "w")]))
    server.routes["/paper.xml"] = static(
        rss_items("Paper", [item("Harbour Reopens", story, "p", "Ferries again.")])
    )
    config = write_config(tmp_path / "feeds.toml", [server.url("wire.xml")])
    locations = Locations(config, tmp_path / "data", config_given=True)

    def refresh_twice() -> int:  # the wire first, then both (in a thread: it runs its own loop)
        with Cache(locations.cache_file) as cache:
            refresh(load_config(config), cache, parse_workers=0)
            write_config(config, [server.url("wire.xml"), server.url("paper.xml")])
            refresh(load_config(config), cache, parse_workers=0)
            return article_count(cache)

    assert await asyncio.to_thread(refresh_twice) == 1
    app = NewsReaderApp(locations, load_config(config), refresh_on_start=False)
    async with app.run_test(size=(140, 40)) as pilot:
        await tree_counted(app, pilot)
        tree = app.query_one(CategoryTree)
        labels = {str(node.label): node for node in tree._all_nodes()}
        assert "Wire (1)" in labels and "Paper (1)" in labels
        tree.select_node(labels["Paper (1)"])
        await pilot.pause()
        assert [s.title for s in app.query_one(ArticleList).summaries] == ["Harbour Reopens"]
        await pilot.press("enter")  # open it from Paper's list: read in both feeds
        await pilot.pause()
        app.main_screen.reload_tree()
        after = {str(node.label) for node in tree._all_nodes()}
        assert {"Wire", "Paper"} <= after  # no unread count left on either
