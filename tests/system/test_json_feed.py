"""JSON Feed 1.0 and 1.1: files on disk, feeds over HTTP, discovery in ``add``, bad JSON."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from newsreader.cache import Cache
from newsreader.config import load_config
from newsreader.extract import ExtractError, extract_file
from newsreader.extract.feed import NotAFeed, parse_feed
from newsreader.model import Enclosure
from newsreader.refresh import FeedStatus, refresh
from tests.helpers.cache import article_count
from tests.helpers.cli import CliRunner
from tests.helpers.config import write_config
from tests.loopback import LoopbackServer, static

BODY = "<p>The bridge reopened on Monday.</p><h2>Traffic</h2><p>Buses return on Tuesday.</p>"


def json_feed(version: str = "1.1", **item: Any) -> bytes:
    entry: dict[str, Any] = {
        "id": "https://news.example/bridge",
        "url": "https://news.example/bridge",
        "title": "Bridge Reopens",
        "content_html": BODY,
        "summary": "The bridge is open again.",
        "date_published": "2026-11-30T08:00:00+01:00",
        "date_modified": "2026-11-30T10:00:00Z",
        "tags": ["Local", "Transport"],
        "attachments": [
            {
                "url": "https://news.example/bridge.mp3",
                "mime_type": "audio/mpeg",
                "size_in_bytes": 123456,
                "duration_in_seconds": 312,
            }
        ],
    }
    if version == "1":
        entry["author"] = {"name": "Jane Doe"}
    else:
        entry["authors"] = [{"name": "Jane Doe"}, {"name": "John Roe"}]
    entry.update(item)
    document = {
        "version": f"https://jsonfeed.org/version/{version}",
        "title": "City News",
        "home_page_url": "https://news.example/",
        "feed_url": "https://news.example/feed.json",
        "items": [entry],
    }
    return json.dumps(document).encode()


@pytest.mark.parametrize("version", ["1", "1.1"])
def test_a_json_feed_gives_its_articles_whole(version: str) -> None:
    parsed = parse_feed(json_feed(version), source="https://news.example/feed.json")
    assert (parsed.title, parsed.link) == ("City News", "https://news.example/")
    [article] = parsed.articles
    assert article.title == "Bridge Reopens"
    assert article.url == "https://news.example/bridge"
    assert article.guid == "https://news.example/bridge"
    assert article.published == datetime(2026, 11, 30, 7, 0, tzinfo=UTC)
    assert article.author == ("Jane Doe" if version == "1" else "Jane Doe, John Roe")
    assert article.summary == "The bridge is open again."
    assert [s.heading for s in article.sections] == [None, "Traffic"]
    assert article.paragraphs == ["The bridge reopened on Monday.", "Buses return on Tuesday."]
    assert article.enclosures == (
        Enclosure("https://news.example/bridge.mp3", "audio/mpeg", 123456, 312),
    )


def test_content_text_is_plain_text_and_dates_fall_back_to_modified() -> None:
    text = "First <b>not bold</b> paragraph.\n\nSecond paragraph."
    data = json_feed(content_html=None, content_text=text, summary=None, date_published=None)
    [article] = parse_feed(data, source="feed.json").articles
    assert article.paragraphs == ["First <b>not bold</b> paragraph.", "Second paragraph."]
    assert article.summary == "First <b>not bold</b> paragraph. Second paragraph."
    assert article.published == datetime(2026, 11, 30, 10, 0, tzinfo=UTC)


def test_an_item_without_title_or_id_is_named_by_its_text_and_known_by_its_address() -> None:
    data = json_feed(title=None, id=None, summary="A short note about the bridge.")
    [article] = parse_feed(data, source="feed.json").articles
    assert article.title == "A short note about the bridge."
    assert article.guid.startswith("https://news.example/bridge ")


def test_numeric_ids_count_and_values_of_the_wrong_type_are_ignored() -> None:
    data = json_feed(
        id=42,
        title=["not", "a", "string"],
        url={"no": "thing"},
        external_url="https://elsewhere.example/story",
        authors="Jane",
        attachments=[{"url": "https://news.example/a.ogg", "size_in_bytes": "big"}, "junk"],
        tags="Local",
    )
    [article] = parse_feed(data, source="feed.json").articles
    assert article.guid == "42"
    assert article.url == "https://elsewhere.example/story"
    assert article.author is None
    assert article.enclosures == (Enclosure("https://news.example/a.ogg", None, None, None),)


def test_references_in_plain_text_fields_are_read_as_characters() -> None:
    data = json_feed(title="Blog &#8211; News &amp; Views", summary="AT&T; Q&A &bogus;")
    [article] = parse_feed(data, source="feed.json").articles
    assert article.title == "Blog – News & Views"
    assert article.summary == "AT&T; Q&A &bogus;"


def test_markup_and_escapes_in_a_title_reach_no_one() -> None:
    data = json_feed(title="[bold]Bridge[/bold] \x1b[31mred\x1b[0m <b>x</b>")
    [article] = parse_feed(data, source="feed.json").articles
    assert "\x1b" not in article.title
    assert article.title.startswith("[bold]Bridge[/bold]")  # shown as text, never as markup


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"{", "JSON error"),
        (b"[1, 2]", "not an object"),
        (b'{"version": "https://jsonfeed.org/version/1.1"}', "not a JSON Feed"),
        (b'{"items": []}', "not a JSON Feed"),
        (b"{" + b'"a":' * 0 + b'"items": ' + b"[" * 100_000 + b"]" * 100_000 + b"}", "too deep"),
        (b'{"version": ' + b"1" * 100_000 + b"}", "JSON error"),
    ],
    ids=["truncated", "array", "no-items", "no-version", "deep", "long-number"],
)
def test_bad_json_is_not_a_feed_with_the_reason(data: bytes, reason: str) -> None:
    with pytest.raises(NotAFeed, match=reason):
        parse_feed(data, source="feed.json")


def test_invalid_utf8_and_nan_lose_nothing_else() -> None:
    data = json_feed(
        title="Caf\u00e9 \udcff",
        attachments=[{"url": "https://n.example/a", "duration_in_seconds": 1e400}],
    )
    data = data.replace(b"\\udcff", b"\xff").replace(b"1e400", b"NaN")
    [article] = parse_feed(data, source="feed.json").articles
    assert article.title.startswith("Café")
    assert article.enclosures == (Enclosure("https://n.example/a", None, None, None),)


def test_the_corpus_json_feeds_read(corpus: Path) -> None:
    files = sorted((corpus / "feeds").glob("*.json"))
    assert files
    for path in files:
        articles = extract_file(path)
        assert articles, path.name
        assert all(a.title and a.title != "Untitled" for a in articles[:2]), path.name
        assert any(a.published for a in articles), path.name


def test_a_json_file_that_is_no_feed_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "package.json"
    path.write_text('{"name": "x", "version": "1.0.0"}')
    with pytest.raises(ExtractError, match="not a JSON Feed"):
        extract_file(path)


@pytest.mark.parametrize("media_type", ["application/feed+json", "application/json", "text/plain"])
def test_a_json_feed_refreshes_over_http(
    tmp_path: Path, server: LoopbackServer, cache: Cache, media_type: str
) -> None:
    server.routes["/feed.json"] = static(json_feed(), media_type)
    config = load_config(write_config(tmp_path / "feeds.toml", [server.url("/feed.json")]))
    report = refresh(config, cache, parse_workers=0)
    assert [f.status for f in report.feeds] == [FeedStatus.UPDATED], report.feeds
    assert article_count(cache) == 1
    [request] = server.requests_to("/feed.json")
    assert "application/feed+json" in request.headers.get("accept", "")


def test_add_discovers_a_json_feed_and_import_reads_a_json_file(
    cli: CliRunner, tmp_path: Path, server: LoopbackServer
) -> None:
    server.routes["/feed.json"] = static(json_feed(), "application/feed+json")
    page = (
        '<html><head><link rel="alternate" type="application/feed+json" '
        'title="JSON" href="/feed.json"></head><body>News</body></html>'
    )
    server.routes["/"] = static(page.encode(), "text/html")
    config = tmp_path / "feeds.toml"
    config.write_text("")
    added = cli("add", server.url("/"))
    assert added.code == 0, added.err
    assert server.url("feed.json") in config.read_text()
    file = tmp_path / "city.json"
    file.write_bytes(json_feed())
    imported = cli("import", str(file))
    assert imported.code == 0, imported.err
    listed = cli("list", "--json")
    assert "Bridge Reopens" in listed.out


def test_a_folder_import_takes_json_feeds_and_passes_over_other_json(
    cli: CliRunner, tmp_path: Path
) -> None:
    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "city.json").write_bytes(json_feed())
    (folder / "package.json").write_text('{"name": "x", "version": "1.0.0"}')
    (folder / "linked.json").symlink_to(folder / "package.json")
    imported = cli("import", str(folder))
    assert imported.code == 0, imported.err
    assert imported.out.strip() == "1 new, 0 updated, 0 unchanged, 0 duplicate, 0 failed"
