"""A feed's encoding is decided by the XML rules, the same from a file and over HTTP."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from newsreader.cache import Cache
from newsreader.config import Config, load_config
from newsreader.extract.feed import MAX_SUMMARY_CHARS, NotAFeed, ParsedFeed, parse_feed
from newsreader.extract.xmlencoding import (
    Choice,
    as_utf8,
    choose_encoding,
    declared_encoding,
    http_charset,
)
from newsreader.refresh import FeedStatus, refresh
from tests.helpers.cache import article_count
from tests.helpers.config import write_config
from tests.helpers.paths import corpus_feeds
from tests.loopback import LoopbackServer, static

XML_TYPES = (
    "text/xml",
    "application/xml",
    "application/rss+xml",
    "application/atom+xml",
    "application/x-rss+xml",
)


def declared(encoding: str) -> bytes:
    return f'<?xml version="1.0" encoding="{encoding}"?><rss/>'.encode()


# The decision: BOM, then the HTTP charset, then the declaration, then UTF-8.


@pytest.mark.parametrize(
    ("data", "content_type", "expected"),
    [
        # A byte order mark beats everything else.
        (codecs.BOM_UTF8 + declared("iso-8859-1"), "text/xml; charset=koi8-r", Choice("utf-8", 3)),
        (codecs.BOM_UTF16_LE + "<rss/>".encode("utf-16-le"), None, Choice("utf-16-le", 2)),
        (codecs.BOM_UTF16_BE + "<rss/>".encode("utf-16-be"), None, Choice("utf-16-be", 2)),
        (codecs.BOM_UTF32_LE + "<rss/>".encode("utf-32-le"), None, Choice("utf-32-le", 4)),
        (codecs.BOM_UTF32_BE + "<rss/>".encode("utf-32-be"), None, Choice("utf-32-be", 4)),
        # Without one, the zeros of UTF-16/32 show which it is.
        ("<?xml version='1.0'?><rss/>".encode("utf-16-le"), None, Choice("utf-16-le")),
        ("<rss/>".encode("utf-16-be"), "text/xml; charset=utf-8", Choice("utf-16-be")),
        ("<rss/>".encode("utf-32-le"), None, Choice("utf-32-le")),
        ("<rss/>".encode("utf-32-be"), None, Choice("utf-32-be")),
        # The server's charset beats the declaration, whatever the media type.
        (declared("utf-8"), "application/rss+xml; charset=ISO-8859-1", Choice("iso8859-1")),
        (declared("iso-8859-1"), 'text/xml; Charset="windows-1252"', Choice("cp1252")),
        (declared("iso-8859-1"), "text/html;charset=utf-8", Choice("utf-8")),
        # No charset: the declaration, for every media type (text/* is not US-ASCII).
        (declared("windows-1252"), "text/xml", Choice("cp1252")),
        (declared("ISO-8859-1"), "application/x-rss+xml", Choice("iso8859-1")),
        (declared("ISO-8859-1"), None, Choice("iso8859-1")),
        (b"\n\n" + declared("koi8-r"), "application/xml; charset=", Choice("koi8-r")),
        # Neither: UTF-8.
        (b"<rss/>", "text/xml", Choice("utf-8")),
        (b'<?xml version="1.0"?><rss/>', "application/octet-stream", Choice("utf-8")),
        # A label nobody knows, or that names no text encoding, is passed over.
        (declared("iso-8859-1"), "text/xml; charset=x-unheard-of", Choice("iso8859-1")),
        (declared("base64"), None, Choice("utf-8")),
        (declared("utf-7"), None, Choice("utf-8")),
        (declared("iso\x008859-1"), None, Choice("utf-8")),  # a NUL in the label
        # ASCII bytes are not UTF-16 or UTF-32, whatever they are labelled.
        (declared("UTF-16"), None, Choice("utf-8")),
        (declared("utf-32"), "text/xml", Choice("utf-8")),
        (declared("iso-8859-1"), "text/xml; charset=utf-16", Choice("iso8859-1")),
        # Labels read as the superset documents so labelled are written in.
        (declared("gb2312"), None, Choice("gb18030")),
        (declared("euc-kr"), None, Choice("cp949")),
        (b"<rss/>", "text/xml; charset=Shift_JIS", Choice("cp932")),
    ],
)
def test_choose_encoding(data: bytes, content_type: str | None, expected: Choice) -> None:
    assert choose_encoding(data, content_type) == expected


@pytest.mark.parametrize(
    ("content_type", "charset"),
    [
        (None, None),
        ("text/xml", None),
        ("text/xml; charset=UTF-8", "UTF-8"),
        ("application/rss+xml;charset='iso-8859-1' ", "iso-8859-1"),
        ('text/xml; format=flowed; CHARSET = "koi8-r"', "koi8-r"),
        ("text/xml; charset=", None),
    ],
)
def test_http_charset(content_type: str | None, charset: str | None) -> None:
    assert http_charset(content_type) == charset


def test_declared_encoding() -> None:
    assert declared_encoding(b"<?xml version='1.0' encoding='Windows-1252' ?><rss/>") == (
        "Windows-1252"
    )
    assert declared_encoding(b'<?xml version="1.0"?><rss encoding="koi8-r"/>') is None
    assert declared_encoding(b'<rss><?xml encoding="koi8-r"?></rss>') is None


# The document as UTF-8.

TEXT = "Zoë’s “naïve” café costs 5 €"


def test_utf8_documents_are_kept_as_they_are() -> None:
    data = f'<?xml version="1.0" encoding="UTF-8"?><rss><title>{TEXT}</title></rss>'.encode()
    settled = as_utf8(data, "text/xml")
    assert settled.encoding == "utf-8" and settled.document is data


@pytest.mark.parametrize("encoding", ["cp1252", "utf-16", "utf-16-be", "utf-32"])
def test_other_encodings_become_utf8_with_the_declaration_rewritten(encoding: str) -> None:
    data = f"<?xml version='1.0' encoding='{encoding}' standalone='yes'?><t>{TEXT}</t>"
    settled = as_utf8(data.encode(encoding))
    assert settled.document.decode("utf-8") == data.replace(encoding, "utf-8")


def test_the_server_charset_overrides_a_wrong_declaration() -> None:
    data = f'<?xml version="1.0" encoding="iso-8859-1"?><t>{TEXT}</t>'.encode()
    settled = as_utf8(data, "application/xml; charset=utf-8")
    assert settled.encoding == "utf-8"
    assert settled.document == data.replace(b"iso-8859-1", b"utf-8")
    # Without the charset, the declaration is believed: the bytes are read as Latin-1.
    assert as_utf8(data).encoding == "iso8859-1"


@pytest.mark.parametrize(
    ("data", "content_type", "encoding", "text"),
    [
        # Not UTF-8 as declared: Windows-1252.
        (
            '<?xml version="1.0" encoding="utf-8"?><t>“x”</t>'.encode("cp1252"),
            None,
            "cp1252",
            "“x”",
        ),
        # Not ASCII as the server says: UTF-8, then Windows-1252.
        ("<t>“x”</t>".encode(), "text/xml; charset=us-ascii", "utf-8", "“x”"),
        ("<t>“x”</t>".encode("cp1252"), "text/xml; charset=us-ascii", "cp1252", "“x”"),
        # Bytes Windows-1252 leaves undefined are replaced, not fatal.
        (b"<t>\x81\x93x\x94</t>", None, "cp1252", "\ufffd“x”"),
        # Neither in its own encoding nor UTF-8, and not Western: its own, a byte replaced.
        (
            declared("Shift_JIS") + "<t>東京".encode("cp932") + b"\x85\x40</t>",
            None,
            "cp932",
            "東京\ufffd@",
        ),
        (
            declared("windows-1255") + "<t>שלום".encode("cp1255") + b"\xff</t>",
            None,
            "cp1255",
            "שלום\ufffd",
        ),
        (
            "<t>Привет</t>".encode("cp1251") + b"\x98",
            "text/xml; charset=windows-1251",
            "cp1251",
            "Привет</t>\ufffd",
        ),
        # After a byte order mark there is nothing else to try.
        (codecs.BOM_UTF8 + "<t>é".encode() + b"\xff</t>", None, "utf-8", "é\ufffd"),
    ],
)
def test_a_document_that_does_not_decode_falls_back(
    data: bytes, content_type: str | None, encoding: str, text: str
) -> None:
    settled = as_utf8(data, content_type)
    assert settled.encoding == encoding
    assert text in settled.document.decode("utf-8")


# Whole feeds: a file and a download with any XML media type give the same text.


def parse_file(path: Path, url: str) -> ParsedFeed | None:
    try:
        return parse_feed(path.read_bytes(), source=url, base_url=url, convert_html=False)
    except NotAFeed:
        return None


def stored(cache: Cache, source: str) -> dict[str, tuple[object, ...]]:
    """Every stored article of one feed: guid -> what a reader sees of it."""
    articles: dict[str, tuple[object, ...]] = {}
    for row in cache.list_articles(source=source, limit=10_000):
        found = cache.get_article(row.id)
        assert found is not None
        a = found.article
        articles[a.guid] = (a.title, a.body_html, a.summary, a.author)
    return articles


def refreshed(tmp_path: Path, name: str, server: LoopbackServer, paths: list[str]) -> Cache:
    config: Config = load_config(
        write_config(tmp_path / f"{name}.toml", [server.url(path) for path in paths])
    )
    cache = Cache(tmp_path / f"{name}.sqlite3")
    report = refresh(config, cache, parse_workers=0)
    assert [r.url for r in report.feeds if r.status is not FeedStatus.UPDATED] == []
    return cache


@pytest.mark.parametrize("content_type", XML_TYPES)
def test_every_corpus_feed_served_without_charset_reads_as_its_file(
    tmp_path: Path, server: LoopbackServer, content_type: str
) -> None:
    feeds = corpus_feeds()
    if not feeds:
        pytest.skip("shared corpus not available")
    for path in feeds:
        server.routes[f"/{path.name}"] = static(path.read_bytes(), content_type)
    with (
        refreshed(tmp_path, "served", server, [p.name for p in feeds]) as served,
        Cache(tmp_path / "files.sqlite3") as files,
    ):
        for path in feeds:
            url = server.url(path.name)
            parsed = parse_file(path, url)
            if parsed is None:
                continue
            files.store_articles(parsed.articles)
            assert stored(served, url) == stored(files, url), path.name
            assert served.feed_state(url).title == parsed.title, path.name
        assert article_count(served) == article_count(files) > 300


def test_macworld_over_http_is_not_mojibake(tmp_path: Path, server: LoopbackServer) -> None:
    """No XML declaration and no charset: UTF-8, not the Latin-1 of RFC 3023's fallback."""
    path = next((p for p in corpus_feeds() if p.name == "netnewswire-macworld.rss"), None)
    if path is None:
        pytest.skip("shared corpus not available")
    assert not path.read_bytes().lstrip().startswith(b"<?xml")
    server.routes["/macworld.rss"] = static(path.read_bytes(), "application/x-rss+xml")
    with refreshed(tmp_path, "macworld", server, ["macworld.rss"]) as cache:
        articles = stored(cache, server.url("macworld.rss"))
    texts = [f"{title} {body} {summary}" for title, body, summary, _ in articles.values()]
    items = path.read_bytes().split(b"<item>")[1:]
    assert len(articles) == len(items) == 30
    assert sum("’" in text for text in texts) == sum("’".encode() in item for item in items) > 0
    assert any("Apple’s" in text for text in texts)
    assert not any("â€" in text or "Ã" in text for text in texts)


# Small documents of our own, in the encodings real feeds use.

SAMPLES = {
    # (the item title, the body text, the feed title, the author)
    "utf-8": (
        "Zoë’s “naïve” café — 5 €",
        "Crème brûlée, ½ price, 日本",
        "Notes & Ünïcode",
        "Jürgen Þór",
    ),
    "windows-1252": (
        "Zoë’s “naïve” café — 5 €",
        "Crème brûlée… ½ price • ‰",
        "Notes & Wëst",
        "Jürgen Øst",
    ),
    "iso-8859-1": (
        "Zoë's «naïve» café, 5 °C",
        "Crème brûlée, ½ price, ¿sí?",
        "Notes & Süd",
        "Ñuño Ærø",
    ),
}
CASES = [(encoding, declare) for encoding in SAMPLES for declare in (True, False)]


LONG = 12  # times the body text is repeated in the second item: a body lifted out as CDATA


def sample_feed(encoding: str, declare: bool, key: str) -> bytes:
    """Two items: a short escaped body (feedparser decodes it) and a long CDATA one (lifted)."""
    title, body, feed_title, author = SAMPLES[encoding]
    declaration = f'<?xml version="1.0" encoding="{encoding}"?>\n' if declare else ""
    document = (
        f'{declaration}<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/">'
        f"<channel><title>{feed_title.replace('&', '&amp;')}</title>"
        f"<link>https://example.org/</link><item><guid>{key}-1</guid><title>{title}</title>"
        f"<link>https://example.org/{key}/1</link><dc:creator>{author}</dc:creator>"
        f"<description>&lt;p&gt;{body}&lt;/p&gt;</description></item>"
        f"<item><guid>{key}-2</guid><title>{title} (2)</title>"
        f"<link>https://example.org/{key}/2</link><dc:creator>{author}</dc:creator>"
        f"<description><![CDATA[<p>{' '.join([body] * LONG)}</p>]]></description></item>"
        "</channel></rss>"
    )
    return document.encode(encoding)


def expected_texts(encoding: str) -> set[tuple[str | None, ...]]:
    """(feed title, title, body HTML, summary, author) of each sample item."""
    title, body, feed_title, author = SAMPLES[encoding]
    long = " ".join([body] * LONG)
    return {
        (feed_title, title, f"<p>{body}</p>", body, author),
        (feed_title, f"{title} (2)", f"<p>{long}</p>", long[:MAX_SUMMARY_CHARS], author),
    }


@pytest.mark.parametrize(("encoding", "declare"), CASES, ids=[f"{e}-{d}" for e, d in CASES])
def test_small_feeds_read_right_with_and_without_a_charset(
    tmp_path: Path, server: LoopbackServer, encoding: str, declare: bool
) -> None:
    expected = expected_texts(encoding)
    variants = {}
    for content_type in XML_TYPES:
        for charset in ("", f"; charset={encoding}"):
            key = f"{content_type.replace('/', '-')}{charset and '-charset'}"
            data = sample_feed(encoding, declare, key)
            server.routes[f"/{key}.xml"] = static(data, content_type + charset)
            variants[key] = data
    for data in variants.values():
        parsed = parse_feed(data, source="file", convert_html=False)
        from_file = {
            (parsed.title, a.title, a.body_html, a.summary, a.author) for a in parsed.articles
        }
        assert from_file == expected
    with refreshed(tmp_path, "small", server, [f"{key}.xml" for key in variants]) as cache:
        wrong = {}
        for key in variants:
            url = server.url(f"{key}.xml")
            feed_title = cache.feed_state(url).title
            texts = {(feed_title, *article) for article in stored(cache, url).values()}
            if texts != expected:
                wrong[key] = texts - expected
    assert wrong == {}
