"""Feed documents (RSS 0.9x/1.0/2.0, Atom, JSON Feed) -> one :class:`Article` per entry.

A document is first decoded to UTF-8: :mod:`newsreader.extract.xmlencoding`
decides the encoding of a file and of a download by the same rules (the
response's charset counts, its media type does not). :mod:`newsreader.extract.fastfeed`
(lxml) then reads it when it is well-formed RSS 2.0, RSS 1.0 or Atom 1.0 with
nothing it does not follow, giving the entries in feedparser's shape; feedparser
reads everything else. JSON Feed is read by :mod:`newsreader.extract.jsonfeed`.
All three go through the same normalisation here.

feedparser is only ever given bytes (never a URL, so it does no I/O of its own),
and those bytes are UTF-8, so its own guessing never runs. Its HTML sanitizer is
off: entry HTML goes through :func:`newsreader.extract.htmlbody.html_to_body`,
which keeps text only.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from html.entities import name2codepoint
from typing import Any
from urllib.parse import urljoin
from xml.sax import SAXParseException

import feedparser

from newsreader.extract import jsonfeed
from newsreader.extract.cdata import lift_bodies
from newsreader.extract.dates import from_struct_time, install_date_handler, parse_date
from newsreader.extract.decode import BINARY_MAGIC
from newsreader.extract.enclosures import entry_enclosures
from newsreader.extract.htmlbody import convert_body
from newsreader.extract.localdates import local_date
from newsreader.extract.saxdriver import install as install_xml_driver
from newsreader.extract.shapes import FastFeed
from newsreader.extract.xmlencoding import as_utf8
from newsreader.links import normalise_url, without_fragment
from newsreader.model import Article
from newsreader.sanitize import clean_href, clean_line, has_unsafe_scheme, is_safe_url
from newsreader.textnorm import inline_text, strip_tags

MAX_SUMMARY_CHARS = 400


class NotAFeed(Exception):
    """The document is not a feed (or is too broken to give any entry)."""


@dataclass(frozen=True, slots=True)
class ParsedFeed:
    """A parsed feed: its own title and link, and its entries as articles.

    Attributes:
        repeated_ids: Entries left out because an earlier entry had the same id.
        fast: Whether :mod:`newsreader.extract.fastfeed` read the document (else feedparser).
    """

    title: str
    link: str | None
    articles: list[Article]
    repeated_ids: int = 0
    fast: bool = False


def parse_feed(
    data: bytes,
    *,
    source: str,
    categories: tuple[str, ...] = (),
    headers: Mapping[str, str] | None = None,
    base_url: str | None = None,
    convert_html: bool = True,
    fast: bool = True,
) -> ParsedFeed:
    """Parse feed bytes into articles.

    Args:
        data: The document as downloaded or read from disk.
        source: The feed URL or file path the articles are stored under.
        categories: Category path for every entry.
        headers: HTTP response headers (their ``Content-Type`` charset, if any, says
            what the document is encoded in).
        base_url: What relative links resolve against (the feed URL).
        convert_html: Turn entry HTML into sections now; when False it is kept as
            ``body_html`` for :func:`newsreader.reading.open_article` to convert
            when the article is first read (a refresh does not pay for it).
        fast: Try :mod:`newsreader.extract.fastfeed` first, and feedparser only for
            what it leaves (False: feedparser alone, which the tests compare it with).

    Raises:
        NotAFeed: nothing in the document is a feed entry or a feed title.
    """
    if not data.strip():
        raise NotAFeed("empty file")
    if data.startswith(BINARY_MAGIC):
        raise NotAFeed("binary file, not a feed")
    install_date_handler()
    # lxml loads only where feeds are parsed: a refresh's pool workers, not its writer.
    from newsreader.extract import fastfeed

    quick: FastFeed | None = None
    if jsonfeed.looks_like_json(data):
        try:
            quick = jsonfeed.parse(data)
        except jsonfeed.NotAJsonFeed as error:
            raise NotAFeed(str(error)) from None
        document = b""
    else:
        document = as_utf8(data, _content_type(headers)).document
        quick = fastfeed.parse(document) if fast else None
    if quick is not None:
        feed_info: Any = quick.feed
        plain: list[dict[str, Any]] = quick.entries
        version = quick.version
    else:
        feed_info, plain, version = _feedparser_entries(document)
    feed_link = _safe_link(feed_info.get("link"), base_url)
    base = feed_link or base_url
    # Atom and JSON Feed say what type each text is; RSS leaves it to a guess.
    atom = str(version).startswith(("atom", "json"))
    title_detail = feed_info.get("title_detail")
    feed_title = clean_line(_as_text(feed_info.get("title"), title_detail, atom)) or source
    for entry in plain:
        _settle_text(entry, atom)
    articles = [_entry_article(entry, source, categories, base, convert_html) for entry in plain]
    unique = _first_of_each_id(articles)
    return ParsedFeed(
        feed_title, feed_link, unique, len(articles) - len(unique), fast=quick is not None
    )


def entry_article(
    entry: dict[str, Any],
    *,
    source: str,
    categories: tuple[str, ...] = (),
    base: str | None = None,
    convert_html: bool = False,
) -> Article:
    """One entry in feedparser's shape (made from another protocol, such as a sync
    server's item) as an article, through the normalisation every feed's entries
    take. Texts without a declared type are judged as RSS's are; dates are given as
    ``published_parsed`` and ``updated_parsed`` (UTC ``struct_time``)."""
    _settle_text(entry, atom=False)
    return _entry_article(entry, source, categories, base, convert_html)


def _feedparser_entries(document: bytes) -> tuple[Any, list[dict[str, Any]], str]:
    """feedparser's reading of a UTF-8 document: its feed, its entries (as plain dicts:
    FeedParserDict's key aliasing makes every lookup cost a microsecond) and its version.

    Raises:
        NotAFeed: nothing in the document is a feed entry or a feed title.
    """
    install_xml_driver()
    lifted_document, lifted = lift_bodies(document)
    parsed = feedparser.parse(
        io.BytesIO(lifted_document),
        response_headers=_SETTLED_HEADERS,
        sanitize_html=False,
        resolve_relative_uris=False,
    )
    entries: list[Any] = parsed.get("entries", [])
    version = parsed.get("version", "")
    if not entries and not version:
        raise NotAFeed(_not_a_feed_reason(parsed.get("bozo_exception")))
    plain = [dict(entry) for entry in entries]
    if lifted:
        for entry in plain:
            lifted.restore_entry(entry, "utf-8")
    return parsed.get("feed", {}), plain, str(version)


# What feedparser is told of every document: that it is UTF-8, which it now is.
_SETTLED_HEADERS = {"content-type": "application/xml; charset=utf-8"}


def _content_type(headers: Mapping[str, str] | None) -> str | None:
    """The Content-Type header, whatever the case of its name."""
    for name, value in (headers or {}).items():
        if name.lower() == "content-type":
            return value
    return None


_HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
# What makes feedparser take an RSS text for HTML: a closing tag or a reference.
_HTMLISH = re.compile(
    r"</[A-Za-z][^\s/>]*\s*>|&(?:#[0-9]+|#[xX][0-9a-fA-F]+|([A-Za-z][A-Za-z0-9]*));"
)


def _settle_text(entry: dict[str, Any], atom: bool) -> None:
    """Make an entry's title and author plain text, and settle what its summary is.

    feedparser hands a value declared as HTML (Atom ``type="html"`` or ``"xhtml"``,
    an RSS text it took for HTML) over as HTML, since its sanitizer is off: such a
    value loses its tags and its entities here, once. Plain text stays as written.
    """
    if entry.get("title"):
        entry["title"] = _as_text(entry["title"], entry.get("title_detail"), atom)
    detail = entry.get("author_detail")
    if detail and detail.get("name"):
        entry["author_detail"] = {**detail, "name": _as_text(detail["name"], None, atom)}
    if entry.get("author"):
        entry["author"] = _as_text(entry["author"], None, atom)
    summary = entry.get("summary")
    if isinstance(summary, str):
        # A summary feedparser copied from the content has the content's type.
        declared = entry.get("summary_detail") or next(iter(entry.get("content") or []), None)
        kind = "text/html" if _is_html(summary, declared, atom) else "text/plain"
        entry["summary_detail"] = {**(entry.get("summary_detail") or {}), "type": kind}


def _as_text(value: object, detail: Any, atom: bool) -> str:
    text = str(value or "")
    return inline_text(text) if _is_html(text, detail, atom) else text


def _is_html(text: str, detail: Any, atom: bool) -> bool:
    """Whether a feed value is HTML: by its declared type, else by a guess.

    Atom declares every text's type (a person's name is text). RSS declares none:
    a closing tag or an HTML reference makes a text HTML, which is feedparser's
    guess for titles, made again here for names (feedparser types none), for
    titles it keeps as text because a tag is not one it accepts (``</script>``),
    and for bodies it never saw (``cdata`` lifted them out).
    """
    if detail and detail.get("type") in _HTML_TYPES:
        return True
    if atom or ("<" not in text and "&" not in text):
        return False
    # A name that is no HTML entity ("&nbsp2;") does not make the text HTML.
    return any(m.group(1) is None or m.group(1) in name2codepoint for m in _HTMLISH.finditer(text))


def _summary_text(entry: Any) -> str | None:
    summary = str(entry.get("summary", "") or "")
    if (entry.get("summary_detail") or {}).get("type") != "text/plain":
        summary = strip_tags(summary)
    return clean_line(summary)[:MAX_SUMMARY_CHARS] or None


def _short_hash(text: str) -> str:
    return hashlib.blake2b(text.encode(), digest_size=8).hexdigest()


def _first_of_each_id(articles: list[Article]) -> list[Article]:
    """Drop entries that repeat an earlier entry's id: feeds list newest first."""
    seen: set[str] = set()
    unique = []
    for article in articles:
        if article.guid not in seen:
            seen.add(article.guid)
            unique.append(article)
    return unique


def _not_a_feed_reason(error: object) -> str:
    if isinstance(error, SAXParseException):
        return f"not a feed (XML error at line {error.getLineNumber()}: {error.getMessage()})"
    return f"not a feed ({error})" if error else "not a feed"


def _safe_link(href: object, base: str | None) -> str | None:
    if not isinstance(href, str) or has_unsafe_scheme(href):
        return None
    href = clean_href(href)
    if not href:
        return None
    absolute = href.startswith(("http://", "https://"))
    url = urljoin(base, href) if base and not absolute else href
    return url if is_safe_url(url) else None


def _entry_html(entry: Any) -> str:
    for content in entry.get("content", []) or []:
        value = content.get("value")
        if value:
            return str(value)
    return str(entry.get("summary", "") or entry.get("description", "") or "")


def _entry_date(entry: Any) -> datetime | None:
    """When an entry was published, else last updated, if known.

    A date in another language's words is read by :func:`parse_date` alone: when
    it cannot be told for sure, feedparser's own handlers (tried after ours) may
    still make a date of it, and a wrong one (a weekday that contradicts it, an
    unknown zone taken as UTC) is worse than none.
    """
    for key in ("published", "updated"):
        written = entry.get(key)
        if isinstance(written, str) and local_date(written) is not None:
            parsed = parse_date(written)
            with contextlib.suppress(OverflowError):  # 9999-12-31 at -14:00 is in no UTC year
                if parsed is not None:
                    return parsed.astimezone(UTC)  # as feedparser's are
        elif entry.get(f"{key}_parsed"):
            return from_struct_time(entry[f"{key}_parsed"])
    return None


def _entry_article(
    entry: Any, source: str, categories: tuple[str, ...], base: str | None, convert_html: bool
) -> Article:
    url = _safe_link(entry.get("link"), base)
    html = _entry_html(entry)
    summary = _summary_text(entry)
    title = clean_line(entry.get("title", "")) or (summary or "")[:80] or "Untitled"
    raw_id = entry.get("id") or entry.get("guid")
    guid = clean_line(str(raw_id)) if raw_id else ""
    previous_guids: tuple[str, ...] = ()
    if not guid and url:
        # Its address and its title: posts on one page share an address (and a
        # fragment, at best), and a key must not depend on the other entries.
        address = normalise_url(url)
        guid = f"{address} {_short_hash(title)}"
        # Before, such an entry was known by its address alone, without its fragment.
        previous_guids = tuple(dict.fromkeys((address, without_fragment(address))))
    if not guid:
        guid = hashlib.blake2b(f"{title}\n{html}".encode(), digest_size=16).hexdigest()
    published = _entry_date(entry)
    detail = entry.get("author_detail") or {}
    author = clean_line(str(detail.get("name") or entry.get("author", "") or "")) or None
    article = Article(
        title=title,
        source=source,
        guid=guid,
        url=url,
        published=published,
        author=author,
        categories=categories,
        summary=summary,
        body_html=html,
        enclosures=entry_enclosures(entry, base, _safe_link),
        previous_guids=previous_guids,
    )
    return convert_body(article, base) if convert_html else article
