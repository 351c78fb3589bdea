"""Titles, feed titles, author names and summaries are text: HTML decoded once, as declared."""

from __future__ import annotations

import html
import io
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import feedparser
import pytest

from newsreader.extract.feed import MAX_SUMMARY_CHARS, parse_feed
from newsreader.extract.saxdriver import install
from newsreader.model import Article
from newsreader.sanitize import clean_line
from newsreader.textnorm import inline_text
from tests.helpers.paths import CORPUS, corpus_feeds

ATOM = "http://www.w3.org/2005/Atom"
ATOM_NS = f"{{{ATOM}}}"


def atom(entry: str, feed_title: str = "<title>Feed</title>") -> bytes:
    return (
        '<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
        f"{feed_title}<id>urn:feed</id><entry><id>urn:1</id>{entry}</entry></feed>"
    ).encode()


def rss(item: str, channel_title: str = "<title>Feed</title>") -> bytes:
    return (
        '<?xml version="1.0"?><rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"'
        ' xmlns:atom="http://www.w3.org/2005/Atom">'
        f"<channel>{channel_title}<item><guid>g1</guid>{item}</item></channel></rss>"
    ).encode()


def only(data: bytes) -> Article:
    [article] = parse_feed(data, source="s", convert_html=False).articles
    return article


def feedparser_title_type(data: bytes) -> str:
    install()
    parsed = feedparser.parse(io.BytesIO(data), sanitize_html=False, resolve_relative_uris=False)
    return str(parsed.entries[0].title_detail.type)


@pytest.mark.parametrize(
    ("element", "title"),
    [
        # type="html": the element's text is HTML, decoded once.
        ('<title type="html">AT&amp;amp;T</title>', "AT&T"),
        ('<title type="html">AT&amp;amp;amp;T</title>', "AT&amp;T"),
        ('<title type="html">Q&amp;A: &lt;em&gt;why&lt;/em&gt; now</title>', "Q&A: why now"),
        ('<title type="html"><![CDATA[Fish &amp; <b>chips</b>]]></title>', "Fish & chips"),
        ('<title type="html">Rs.&lt;span class="sym"&gt;250&lt;/span&gt;</title>', "Rs.250"),
        ('<title type="html">safe&lt;script&gt;go()&lt;/script&gt; words</title>', "safe words"),
        ('<title type="html">two&lt;br&gt;lines</title>', "two lines"),
        ('<title type="html">1 &amp;lt; 2 and 3 &lt; 4</title>', "1 < 2 and 3 < 4"),
        # type="xhtml": markup in the document, text kept.
        (
            '<title type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml">'
            "AT&amp;T <b>rises</b> 1 &lt; 2</div></title>",
            "AT&T rises 1 < 2",
        ),
        # type="text" (and no type): the text as written, entities and all.
        ('<title type="text">AT&amp;amp;T</title>', "AT&amp;T"),
        ("<title>Use &lt;div&gt; &amp; &lt;b&gt;bold&lt;/b&gt;</title>", "Use <div> & <b>bold</b>"),
        ("<title>1 &lt; 2</title>", "1 < 2"),
    ],
)
def test_atom_titles_follow_their_type(element: str, title: str) -> None:
    assert only(atom(element)).title == title


@pytest.mark.parametrize(
    ("element", "feedparser_type", "title"),
    [
        # RSS declares no type; feedparser takes a text for HTML when it has a closing
        # tag or an entity, and the title is then decoded once.
        ("<title>AT&amp;T</title>", "text/plain", "AT&T"),
        ("<title>Tom &amp;amp; Jerry</title>", "text/html", "Tom & Jerry"),
        ("<title>&lt;b&gt;Bold&lt;/b&gt; move</title>", "text/html", "Bold move"),
        ("<title><![CDATA[Q&A: <em>why</em>]]></title>", "text/html", "Q&A: why"),
        (
            "<title>Rent &#x0024;1725 525ft&lt;sup&gt;2&lt;/sup&gt;</title>",
            "text/html",
            "Rent $1725 525ft2",
        ),
        (
            "<title>Price: &lt;span class='webrupee'&gt;Rs.&lt;/span&gt;250</title>",
            "text/html",
            "Price: Rs.250",
        ),
        # feedparser leaves these as text (a script is no tag it accepts in HTML);
        # a closing tag still makes them HTML, and scripts go with their content.
        (
            "<title>safe&lt;script type='text/javascript'&gt;location.href='x';&lt;/script&gt;"
            " description</title>",
            "text/plain",
            "safe description",
        ),
        # No closing tag, no entity: text, whatever it looks like.
        ("<title>Use &lt;div&gt; for blocks</title>", "text/plain", "Use <div> for blocks"),
        ("<title>1 &lt; 2 &amp; 3 &gt; 2</title>", "text/plain", "1 < 2 & 3 > 2"),
        ("<title>AT&amp;T &amp;nbsp2;</title>", "text/plain", "AT&T &nbsp2;"),
    ],
)
def test_rss_titles_are_decoded_once_when_html(
    element: str, feedparser_type: str, title: str
) -> None:
    data = rss(element)
    assert feedparser_title_type(data) == feedparser_type
    assert only(data).title == title


@pytest.mark.parametrize(
    ("data", "title"),
    [
        (
            atom(
                "<title>x</title>",
                '<title type="html">News &amp;amp; &lt;i&gt;Views&lt;/i&gt;</title>',
            ),
            "News & Views",
        ),
        (
            atom("<title>x</title>", '<title type="text">News &amp;amp; Views</title>'),
            "News &amp; Views",
        ),
        (rss("<title>x</title>", "<title>Bits &amp;amp; Bytes</title>"), "Bits & Bytes"),
        (rss("<title>x</title>", "<title>Bits &amp; Bytes</title>"), "Bits & Bytes"),
    ],
)
def test_the_feed_title_is_text(data: bytes, title: str) -> None:
    assert parse_feed(data, source="s").title == title


@pytest.mark.parametrize(
    ("data", "author"),
    [
        # An Atom name is text.
        (atom("<title>t</title><author><name>A &amp;amp; B</name></author>"), "A &amp; B"),
        (atom("<title>t</title><author><name>Zoë &lt;z&gt;</name></author>"), "Zoë <z>"),
        # RSS: what would make a title HTML makes a name HTML.
        (rss("<title>t</title><dc:creator>Smith &amp;amp; Jones</dc:creator>"), "Smith & Jones"),
        (rss("<title>t</title><dc:creator>&lt;b&gt;Ann&lt;/b&gt; Lee</dc:creator>"), "Ann Lee"),
        (rss("<title>t</title><dc:creator>Smith &amp; Jones</dc:creator>"), "Smith & Jones"),
        (rss("<title>t</title><author>ann@example.org (Ann Lee)</author>"), "Ann Lee"),
    ],
)
def test_author_names_are_text(data: bytes, author: str) -> None:
    assert only(data).author == author


SENTENCE = "A long paragraph with <b>markup</b> &amp; an entity in it."
BODY = "<p>" + " ".join([SENTENCE] * 8) + "</p>"
BODY_TEXT = " ".join(["A long paragraph with markup & an entity in it."] * 8)


@pytest.mark.parametrize(
    ("data", "summary"),
    [
        # HTML: tags dropped, entities decoded once.
        (
            rss("<description>Fish &amp;amp; chips &amp;amp;amp; peas</description>"),
            "Fish & chips &amp; peas",
        ),
        (rss("<description>&lt;p&gt;1 &amp;lt; 2&lt;/p&gt;</description>"), "1 < 2"),
        (atom('<summary type="html">x &amp;lt; y &lt;b&gt;bold&lt;/b&gt;</summary>'), "x < y bold"),
        # Text: as written.
        (atom('<summary type="text">x &amp;lt; y &lt;b&gt;</summary>'), "x &lt; y <b>"),
        (atom("<summary>A&amp;nbsp;B</summary>"), "A&nbsp;B"),
        # A summary feedparser copies from the content has the content's type.
        (atom('<content type="text">plain &amp;amp; &lt;i&gt;</content>'), "plain &amp; <i>"),
        (
            atom(
                '<content type="html">&lt;p&gt;rich &amp;amp; &lt;i&gt;x&lt;/i&gt;&lt;/p&gt;</content>'
            ),
            "rich & x",
        ),
        # A long RSS body lifted out of feedparser's way is still taken for HTML.
        (rss(f"<atom:summary><![CDATA[{BODY}]]></atom:summary>"), BODY_TEXT[:MAX_SUMMARY_CHARS]),
    ],
)
def test_summaries_are_decoded_once(data: bytes, summary: str) -> None:
    assert only(data).summary == summary


@pytest.mark.parametrize(
    ("markup", "text"),
    [
        ("AT&amp;amp;T", "AT&amp;T"),
        ("a <b>bold</b>face", "a boldface"),
        ("525ft<sup>2</sup>", "525ft2"),
        ("<span class='webrupee'>Rs.</span>500", "Rs.500"),
        ("one<br>two</p><p>three", "one two  three"),
        ("safe<script>x = '<b>';</script> text<style>p {}</style>", "safe  text "),
        ("<!-- note -->Hi<?php x ?>", "Hi"),
        ("1 < 2 and 3 > 2", "1 < 2 and 3 > 2"),
        ("unclosed <b", "unclosed <b"),
        ("&lt;b&gt;", "<b>"),
    ],
)
def test_inline_text(markup: str, text: str) -> None:
    assert inline_text(markup) == text


# The corpus: what its documents say their titles are.


def corpus_feed(name: str) -> Path:
    path = CORPUS / "feeds" / name
    if not path.is_file():
        pytest.skip("shared corpus not available")
    return path


def atom_corpus_feeds() -> list[Path]:
    return [p for p in corpus_feeds() if f'xmlns="{ATOM}"'.encode() in p.read_bytes()]


def document_text(element: ET.Element) -> str:
    """An Atom text construct's text, read from the document by its type."""
    kind = element.get("type", "text")
    if kind == "xhtml":
        return "".join(element.itertext())
    text = element.text or ""
    return html.unescape(re.sub(r"<[^>]*>", "", text)) if kind == "html" else text


@pytest.mark.parametrize("path", atom_corpus_feeds(), ids=lambda p: p.name)
def test_atom_corpus_titles_are_the_documents_text(path: Path) -> None:
    root = ET.fromstring(path.read_bytes())
    parsed = parse_feed(path.read_bytes(), source="s", convert_html=False)
    expected: list[str | None] = []
    seen: set[str | None] = set()
    for entry in root.iter(f"{ATOM_NS}entry"):  # the first entry of each id, as parse_feed keeps
        entry_id, element = entry.findtext(f"{ATOM_NS}id"), entry.find(f"{ATOM_NS}title")
        if entry_id not in seen:
            seen.add(entry_id)
            expected.append(clean_line(document_text(element)) if element is not None else None)
    assert expected
    for article, title in zip(parsed.articles, expected, strict=True):
        assert article.title == title or not title
    feed_title = root.find(f"{ATOM_NS}title")
    if feed_title is not None and clean_line(document_text(feed_title)):
        assert parsed.title == clean_line(document_text(feed_title))


def test_craigslist_titles_lose_their_markup_and_references() -> None:
    """RSS 1.0 titles written as HTML in CDATA: ``&#x0024;1725 525ft<sup>2</sup>``."""
    data = corpus_feed("rss-parser-craigslist.rss").read_bytes()
    raw = re.findall(rb"<item\b.*?<title><!\[CDATA\[(.*?)\]\]></title>", data, re.DOTALL)
    assert len(raw) == 25 and sum(b"<sup>2</sup>" in t for t in raw) > 10
    assert all(b"&#x0024;" in t for t in raw[:2])
    expected = [
        clean_line(t.decode().replace("<sup>", "").replace("</sup>", "").replace("&#x0024;", "$"))
        for t in raw
    ]
    titles = [a.title for a in parse_feed(data, source="s", convert_html=False).articles]
    assert titles == expected
    assert "Arch St Apts (redwood city) $1725 525ft2" in titles


def test_plain_rss_titles_stay_as_written() -> None:
    data = corpus_feed("newsboat-rss091_1.xml").read_bytes()
    assert b"<title>1 &lt; 2</title>" in data
    assert [a.title for a in parse_feed(data, source="s").articles] == ["1 < 2"]


@pytest.mark.parametrize("path", corpus_feeds(), ids=lambda p: p.name)
def test_no_corpus_title_or_name_keeps_html(path: Path) -> None:
    parsed = parse_feed(path.read_bytes(), source="s", convert_html=False)
    texts = [parsed.title] + [t for a in parsed.articles for t in (a.title, a.author or "")]
    leftovers = [t for t in texts if re.search(r"&(#x?[0-9a-fA-F]+|amp|lt|gt|quot);|</\w+>", t)]
    assert leftovers == []
