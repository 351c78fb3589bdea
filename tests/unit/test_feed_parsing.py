"""Feed parsing: lifting CDATA bodies out of feedparser's way changes nothing."""

from __future__ import annotations

import io
from pathlib import Path

import feedparser
import pytest

from newsreader.extract.cdata import lift_bodies
from newsreader.extract.feed import parse_feed
from newsreader.extract.saxdriver import install
from tests.helpers.paths import ARTICLES, corpus_feeds

BODY = "<p>" + "A paragraph of the body, with <b>markup</b> &amp; entities. " * 10 + "</p>"


def feeds() -> list[Path]:
    """The XML feeds (feedparser reads no JSON Feed)."""
    return [ARTICLES / "world" / "wire.xml", *(p for p in corpus_feeds() if p.suffix != ".json")]


def plain_parse(data: bytes) -> list[dict[str, object]]:
    install()
    parsed = feedparser.parse(io.BytesIO(data), sanitize_html=False, resolve_relative_uris=False)
    entries, seen = [], set()
    for entry in parsed.entries:  # parse_feed keeps the first entry of each id
        entry_id = entry.get("id") or entry.get("guid") or id(entry)
        if entry_id not in seen:
            seen.add(entry_id)
            entries.append(entry)
    return [
        {
            "title": entry.get("title"),
            "summary": entry.get("summary"),
            "content": [c.get("value") for c in entry.get("content", [])],
        }
        for entry in entries
    ]


@pytest.mark.parametrize("path", feeds(), ids=lambda p: p.name)
def test_lifting_gives_the_same_entries_as_plain_feedparser(path: Path) -> None:
    data = path.read_bytes()
    articles = parse_feed(data, source="s", convert_html=False, fast=False).articles
    expected = plain_parse(data)
    assert len(articles) == len(expected)
    for article, entry in zip(articles, expected, strict=True):
        contents = entry["content"]
        assert isinstance(contents, list)
        html = contents[0] if contents and contents[0] else entry["summary"] or ""
        assert article.body_html == html


def test_large_cdata_bodies_are_lifted_and_restored() -> None:
    feed = (
        '<?xml version="1.0" encoding="windows-1252"?><rss version="2.0"><channel><title>T</title>'
        f"<item><title>One</title><description><![CDATA[{BODY}\x93quoted\x94]]></description>"
        "</item><item><title>Two</title><description><![CDATA[short]]></description></item>"
        "</channel></rss>"
    ).encode("latin-1")
    lifted_document, lifted = lift_bodies(feed)
    assert bool(lifted) and b"A paragraph" not in lifted_document
    first, second = parse_feed(feed, source="s", convert_html=False, fast=False).articles
    assert first.body_html == BODY + "\u201cquoted\u201d"
    assert second.body_html == "short"


def test_utf16_documents_are_left_alone() -> None:
    feed = (
        '<?xml version="1.0" encoding="utf-16"?><rss version="2.0"><channel><title>T</title>'
        f"<item><description><![CDATA[{BODY}]]></description></item></channel></rss>"
    )
    data = "\ufeff".encode("utf-16-le") + feed.encode("utf-16-le")
    document, lifted = lift_bodies(data)
    assert document == data and not lifted
    [article] = parse_feed(data, source="s", convert_html=False, fast=False).articles
    assert article.body_html == BODY
