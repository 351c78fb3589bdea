"""Enclosures (podcast episodes, pictures) and the article's own address, from feed to screen."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from newsreader.cache import Cache
from newsreader.extract.enclosures import seconds
from newsreader.extract.feed import parse_feed
from newsreader.links import enclosure_text
from newsreader.model import Enclosure
from tests.helpers.browser import graphical_browser
from tests.helpers.cli import CliRunner
from tests.helpers.paths import CORPUS

PODCAST = b"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd"
     xmlns:media="http://search.yahoo.com/mrss/">
<channel><title>Harbour Radio</title><link>https://radio.example/</link>
<item><guid>ep-12</guid><title>Episode 12: The Night Ferry</title>
<link>https://radio.example/episodes/12</link>
<description>We ride the night ferry from end to end.</description>
<enclosure url="https://cdn.radio.example/ep12.mp3" length="48213000" type="audio/mpeg"/>
<itunes:duration>52:36</itunes:duration></item>
<item><guid>pic-1</guid><title>Harbour at Dawn</title>
<link>https://radio.example/pictures/1</link>
<description>The harbour at dawn.</description>
<media:content url="https://img.radio.example/dawn.jpg?w=140" width="140"/>
<media:content url="https://img.radio.example/dawn.jpg?w=1200" width="1200" type="image/jpeg"/>
<enclosure url="javascript:alert(1)" type="audio/mpeg" length="1"/></item>
</channel></rss>"""


@pytest.mark.parametrize(
    ("written", "expected"),
    [("3156", 3156), ("52:36", 3156), ("0:52:36", 3156), ("1:02:03", 3723), ("74.5", 74),
     ("", None), ("soon", None), ("0", None), ("99:99:99:99", None)],
)  # fmt: skip
def test_durations_as_feeds_write_them(written: str, expected: int | None) -> None:
    assert seconds(written) == expected


def test_an_odd_size_or_duration_is_unknown_and_fails_nothing() -> None:
    odd = PODCAST.replace(b'length="48213000"', 'length="²"'.encode()).replace(
        b"52:36", "5²:36".encode()
    )
    episode = parse_feed(odd, source="radio").articles[0]
    assert episode.enclosures == (Enclosure("https://cdn.radio.example/ep12.mp3", "audio/mpeg"),)


def test_an_enclosure_is_described_by_name_type_size_and_duration() -> None:
    episode = Enclosure("https://cdn.example/show/ep%2012.mp3", "audio/mpeg", 48_213_000, 3723)
    assert enclosure_text(episode) == "ep 12.mp3 · audio/mpeg · 48.2 MB · 1:02:03"
    assert enclosure_text(Enclosure("https://cdn.example/")) == "cdn.example"


def test_enclosures_of_rss_and_media_rss_entries() -> None:
    episode, picture = parse_feed(PODCAST, source="radio").articles
    assert episode.enclosures == (
        Enclosure("https://cdn.radio.example/ep12.mp3", "audio/mpeg", 48_213_000, 3156),
    )
    # One picture at two widths is one enclosure, the wider; a javascript: one is none.
    assert picture.enclosures == (
        Enclosure("https://img.radio.example/dawn.jpg?w=1200", "image/jpeg", None, None),
    )


def test_an_article_without_enclosures_keeps_its_stored_hash() -> None:
    [_, picture] = parse_feed(PODCAST, source="radio").articles
    assert "enclosures" in picture.body_json()
    text_only = parse_feed(
        PODCAST.replace(b"<enclosure", b"<x").replace(b"<media:", b"<y:"), source="r"
    )
    assert all("enclosures" not in article.body_json() for article in text_only.articles)


def test_enclosures_survive_the_cache(cache: Cache) -> None:
    episode = parse_feed(PODCAST, source="radio").articles[0]
    [(_, article_id)] = cache.store_articles([episode])
    stored = cache.get_article(article_id)
    assert stored is not None and stored.article.enclosures == episode.enclosures


@pytest.mark.parametrize(
    ("name", "durations"),
    [
        ("netnewswire-theomnishow.rss", {1729, 1772, 1727, 1578}),
        ("feed-rs-rss_2.0_bbc.xml", {3156}),
    ],
)
def test_podcasts_of_the_corpus_keep_their_episodes(name: str, durations: set[int]) -> None:
    path = CORPUS / "feeds" / name
    if not path.exists():
        pytest.skip("shared corpus not available")
    articles = parse_feed(path.read_bytes(), source=name).articles
    enclosures = [e for article in articles for e in article.enclosures]
    assert enclosures and all(e.type == "audio/mpeg" and e.length for e in enclosures)
    assert {e.duration for e in enclosures if e.duration} == durations


def test_show_gives_the_address_and_the_enclosures(cli: CliRunner, tmp_path: Path) -> None:
    feed = tmp_path / "radio.xml"
    feed.write_bytes(PODCAST)
    assert cli("import", str(feed)).code == 0
    rows = [json.loads(line) for line in cli("list", "--json").out.splitlines()]
    episode = next(row for row in rows if row["title"].startswith("Episode 12"))
    shown = cli("show", str(episode["id"])).out.splitlines()
    assert shown[2] == "Link: https://radio.example/episodes/12"
    assert (
        "[1] ep12.mp3 · audio/mpeg · 48.2 MB · 52:36  attached  https://cdn.radio.example/ep12.mp3"
        in shown
    )
    data = json.loads(cli("show", str(episode["id"]), "--json").out)
    assert data["links"] == []
    assert data["enclosures"] == [
        {"url": "https://cdn.radio.example/ep12.mp3", "type": "audio/mpeg",
         "length": 48213000, "duration": 3156}
    ]  # fmt: skip


async def test_the_reader_shows_the_address_and_opens_an_enclosure_elsewhere(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from textual.widgets import Static

    from newsreader.config import load_config
    from newsreader.importer import import_paths
    from newsreader.paths import Locations
    from newsreader.ui.app import NewsReaderApp
    from newsreader.ui.widgets.article_list import ArticleList
    from newsreader.ui.widgets.article_view import ArticleView, LinkLine

    opened: list[str] = []
    browser_found = True

    def record(url: str) -> bool:  # no browser runs here: record what would open
        opened.append(url)
        return browser_found

    graphical_browser(monkeypatch, record)
    feed = tmp_path / "radio.xml"
    feed.write_bytes(PODCAST)
    config = tmp_path / "feeds.toml"
    config.write_text("")
    locations = Locations(config, tmp_path / "data", config_given=True)
    with Cache(locations.cache_file) as cache:
        import_paths(cache, [feed], workers=0)
    app = NewsReaderApp(locations, load_config(config), offline=True, refresh_on_start=False)
    async with app.run_test(size=(120, 40)) as pilot:
        article_list = app.query_one(ArticleList)
        row = [s.title for s in article_list.summaries].index("Episode 12: The Night Ferry")
        article_list.move_cursor(row=row)
        await pilot.press("enter")
        await pilot.pause()
        view = app.query_one(ArticleView)
        meta = [str(widget.render()) for widget in view.query(".meta").results(Static)]
        assert meta[1] == "Link: https://radio.example/episodes/12"
        [line] = view.query(LinkLine).results(LinkLine)
        assert "ep12.mp3 · audio/mpeg · 48.2 MB · 52:36" in str(line.render())
        # The link cursor walks the meta block first: the address, then the enclosure.
        await pilot.press("]", "enter")
        await pilot.pause()
        assert opened == ["https://radio.example/episodes/12"]
        await pilot.press("]", "enter")
        await pilot.pause()
        assert opened[1:] == ["https://cdn.radio.example/ep12.mp3"]
        assert view.article is not None and view.article.article.title.startswith("Episode 12")
        browser_found = False
        await pilot.press("o")
        await pilot.pause()
        assert any("No browser here" in n.message for n in app._notifications)
