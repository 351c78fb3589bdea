"""Japanese (Shift_JIS) and Hebrew (windows-1255, ISO-8859-8) feeds read as written.

Each feed is made here, by encoding its Japanese or Hebrew text with the codec its
label names, and read from a file and over HTTP, under every label browsers know
for the encoding.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from newsreader.cache import Cache
from newsreader.config import load_config
from newsreader.extract import extract_file
from newsreader.extract.feed import parse_feed
from newsreader.extract.xmlencoding import Choice, as_utf8, choose_encoding
from newsreader.model import Article
from newsreader.reading import open_article
from newsreader.refresh import FeedStatus, refresh
from tests.helpers.config import write_config
from tests.loopback import LoopbackServer, static


@dataclass(frozen=True)
class Sample:
    """A feed's text, the codec its bytes are made with, and what it reads as."""

    codec: str
    title: str
    body: str
    read_title: str
    read_body: str


# The second byte of ソ, 表 and 能 is 0x5C, the byte of "\" (drawn as a yen sign by
# Japanese fonts): each must stay one character, and a lone 0x5C stay "\". The
# full-width yen sign (0x818F) and ¥ written as a reference are kept too.
JAPANESE = Sample(
    codec="cp932",
    title="ソフト表示の性能 \\500 ～①",
    body="東京は晴れ。価格は￥１，０００円、&amp;#165;300、C:\\予定表",
    read_title="ソフト表示の性能 \\500 ～①",
    read_body="東京は晴れ。価格は￥１，０００円、¥300、C:\\予定表",
)
# Letters with points (niqqud), maqaf and gershayim, the sheqel sign, and the bidi
# marks windows-1255 has at 0xFD and 0xFE: the marks are stripped, the rest stays.
HEBREW = Sample(
    codec="cp1255",
    title="\u200fשָׁלוֹם, עוֹלָם\u200e ₪5",
    body="ירושלים ותל־אביב: \u05f4חדשות\u05f4 \u200f(היום)\u200f",
    read_title="שָׁלוֹם, עוֹלָם ₪5",
    read_body="ירושלים ותל־אביב: \u05f4חדשות\u05f4 (היום)",
)
# ISO-8859-8 has the letters and the bidi marks, but no points.
HEBREW_LETTERS = Sample(
    codec="iso8859-8",
    title="\u200fשלום, עולם\u200e",
    body="ירושלים ותל אביב \u200f(היום)\u200f",
    read_title="שלום, עולם",
    read_body="ירושלים ותל אביב (היום)",
)

LABELS = {
    **dict.fromkeys(
        ["Shift_JIS", "shift-jis", "x-sjis", "MS932", "cp932", "windows-31j", "sjis"], JAPANESE
    ),
    **dict.fromkeys(["windows-1255", "cp1255", "x-cp1255"], HEBREW),
    **dict.fromkeys(["iso-8859-8", "ISO-8859-8-I", "iso-8859-8-e", "logical"], HEBREW_LETTERS),
}


LONG = 20  # times the body is repeated in the second item: a long CDATA body (lifted out)


def feed(sample: Sample, label: str | None) -> bytes:
    """An RSS feed of two items holding the sample, declared as ``label`` (or not at all).

    The first item's body is escaped HTML that feedparser decodes, the second's is
    CDATA long enough to be lifted out of feedparser's way.
    """
    declaration = f'<?xml version="1.0" encoding="{label}"?>\n' if label else ""
    document = (
        f'{declaration}<rss version="2.0"><channel><title>{sample.title}</title>'
        "<link>https://example.org/</link><item><guid>1</guid>"
        f"<title>{sample.title}</title><link>https://example.org/1</link>"
        f"<description>&lt;p&gt;{sample.body}&lt;/p&gt;</description></item>"
        f"<item><guid>2</guid><title>{sample.title}</title><link>https://example.org/2</link>"
        f"<description><![CDATA[<p>{' '.join([cdata(sample.body)] * LONG)}</p>]]>"
        "</description></item></channel></rss>"
    )
    return document.encode(sample.codec)


def cdata(body: str) -> str:
    """The body as written in CDATA, where nothing is escaped."""
    return body.replace("&amp;", "&")


def assert_reads_as(articles: list[Article], sample: Sample) -> None:
    """The feed's two items read as the sample's text."""
    assert [a.guid for a in articles] == ["1", "2"]
    assert [a.title for a in articles] == [sample.read_title] * 2
    assert [a.body_text() for a in articles] == [
        sample.read_body,
        " ".join([sample.read_body] * LONG),
    ]


@pytest.mark.parametrize("label", LABELS)
def test_every_label_names_its_encoding(label: str) -> None:
    sample = LABELS[label]
    data = feed(sample, label)
    assert choose_encoding(data) == Choice(sample.codec)
    assert choose_encoding(b"<rss/>", f"text/xml; charset={label}") == Choice(sample.codec)
    settled = as_utf8(data)
    assert settled.document.startswith(b'<?xml version="1.0" encoding="utf-8"?>')


@pytest.mark.parametrize("label", LABELS)
@pytest.mark.parametrize("suffix", [".xml", ".rss"])
def test_a_feed_file_reads_as_written(tmp_path: Path, label: str, suffix: str) -> None:
    sample = LABELS[label]
    path = tmp_path / f"feed{suffix}"
    path.write_bytes(feed(sample, label))
    assert_reads_as(extract_file(path), sample)


@pytest.mark.parametrize(
    "sample", [JAPANESE, HEBREW, HEBREW_LETTERS], ids=["shift_jis", "windows-1255", "iso-8859-8"]
)
def test_the_feed_title_reads_as_written(sample: Sample) -> None:
    label = next(label for label, of in LABELS.items() if of is sample)
    assert parse_feed(feed(sample, label), source="feed").title == sample.read_title


def refreshed(tmp_path: Path, server: LoopbackServer, path: str) -> Cache:
    """A cache refreshed from one feed on the server."""
    config = load_config(write_config(tmp_path / "feeds.toml", [server.url(path)]))
    cache = Cache(tmp_path / "cache.sqlite3")
    report = refresh(config, cache, parse_workers=0)
    assert [r.url for r in report.feeds if r.status is not FeedStatus.UPDATED] == []
    return cache


def stored_articles(cache: Cache, source: str) -> list[Article]:
    """A feed's articles in the order of its items, opened as the reader opens them."""
    articles = []
    for row in cache.list_articles(source=source, limit=10):
        found = open_article(cache, row.id)
        assert found is not None
        articles.append(found.article)
    return sorted(articles, key=lambda article: article.guid)


# Over HTTP, the charset of the Content-Type beats the declaration: the bytes are in
# the charset's encoding, declared (if at all) as something else or the same.
SERVED = [
    ("Shift_JIS", "Shift_JIS", JAPANESE),
    ("x-sjis", None, JAPANESE),
    ("windows-31j", "utf-8", JAPANESE),
    ("shift_jis", "windows-1255", JAPANESE),
    ("windows-1255", "windows-1255", HEBREW),
    ("cp1255", None, HEBREW),
    ("windows-1255", "Shift_JIS", HEBREW),
    ("x-cp1255", "iso-8859-1", HEBREW),
    ("iso-8859-8-i", "Shift_JIS", HEBREW_LETTERS),
    ("ISO-8859-8", "utf-8", HEBREW_LETTERS),
]


@pytest.mark.parametrize(("charset", "declared", "sample"), SERVED)
def test_a_downloaded_feed_reads_in_its_charset(
    tmp_path: Path, server: LoopbackServer, charset: str, declared: str | None, sample: Sample
) -> None:
    server.routes["/feed"] = static(
        feed(sample, declared), f"application/rss+xml; charset={charset}"
    )
    with refreshed(tmp_path, server, "feed") as cache:
        url = server.url("feed")
        assert_reads_as(stored_articles(cache, url), sample)
        assert cache.feed_state(url).title == sample.read_title


@pytest.mark.parametrize("label", ["x-sjis", "windows-1255", "ISO-8859-8-I"])
def test_without_a_charset_a_download_follows_its_declaration(
    tmp_path: Path, server: LoopbackServer, label: str
) -> None:
    sample = LABELS[label]
    server.routes["/feed"] = static(feed(sample, label), "text/xml")
    with refreshed(tmp_path, server, "feed") as cache:
        assert_reads_as(stored_articles(cache, server.url("feed")), sample)


@pytest.mark.parametrize(
    ("label", "stray"), [("Shift_JIS", b"\x85\x40"), ("windows-1255", b"\xff")]
)
def test_a_byte_the_encoding_cannot_read_spoils_only_itself(label: str, stray: bytes) -> None:
    sample = LABELS[label]
    data = feed(sample, label).replace(b"&lt;/p&gt;", stray + b"&lt;/p&gt;", 1)
    first, second = parse_feed(data, source="feed").articles
    assert first.title == second.title == sample.read_title
    assert first.body_text().startswith(sample.read_body)
    assert second.body_text() == " ".join([sample.read_body] * LONG)
