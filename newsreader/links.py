"""Links between articles: normalising URLs and titles, and resolving a link.

Resolution happens when a link is read, not when it is stored, so an article
imported later still resolves. The lookup is handed in (the cache provides one),
which keeps this module free of any storage.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import accumulate
from typing import Protocol
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit, urlunsplit

from newsreader.model import Article, ArticleSummary, Enclosure, Link, LinkKind
from newsreader.sanitize import clean_text
from newsreader.textnorm import fold

_TRACKING_PREFIXES = ("utm_", "mc_")
_TRACKING_KEYS = frozenset({"fbclid", "gclid", "ref", "cmpid", "ocid"})
_TRACKING_FRAGMENTS = ("utm_", "xtor=", "ixzz")


def normalise_url(url: str) -> str:
    """Normalise a URL so that two spellings of one address compare equal.

    Scheme and host are lower-cased, default ports, tracking parameters and a
    trailing slash dropped; ``http`` and ``https`` are one. The fragment stays:
    a blog that posts every item of a day on one page tells them apart by it
    (``2024/05/01.html#a1``, ``#a2``). Only a fragment that carries tracking
    (``#xtor=RSS-1``) is dropped.
    """
    url = url.strip()
    try:
        parts = urlsplit(url)
    except ValueError:
        return url
    scheme = parts.scheme.lower()
    if scheme == "http":
        scheme = "https"
    host = (parts.hostname or "").lower()
    if host.startswith("www."):
        host = host[4:]
    try:
        port = parts.port
    except ValueError:
        port = None
    if port and port not in (80, 443):
        host = f"{host}:{port}"
    query = (
        ""
        if not parts.query
        else urlencode(
            sorted(
                (key, value)
                for key, value in parse_qsl(parts.query, keep_blank_values=True)
                if not key.lower().startswith(_TRACKING_PREFIXES)
                and key.lower() not in _TRACKING_KEYS
            )
        )
    )
    path = parts.path.rstrip("/") or ""
    fragment = "" if parts.fragment.startswith(_TRACKING_FRAGMENTS) else parts.fragment
    return urlunsplit((scheme, host, path, query, fragment))


def without_fragment(url: str) -> str:
    """The address of the page a (normalised) URL points into."""
    return url.partition("#")[0]


def normalise_title(title: str) -> str:
    """Fold a title for matching (case, whitespace, quotes, apostrophes, dashes)."""
    return fold(title)


class ArticleLookup(Protocol):
    """What resolving needs from the cache: article ids, newest first."""

    def ids_by_title(self, normalised_title: str) -> Sequence[int]:
        """Articles whose normalised title is exactly this."""
        ...

    def ids_by_title_prefix(self, normalised_prefix: str) -> Sequence[int]:
        """Articles whose normalised title starts with this (for shortened link text)."""
        ...

    def ids_by_url(self, normalised_url: str) -> Sequence[int]:
        """Articles whose normalised url or guid is this."""
        ...


MIN_PREFIX_CHARS = 20


def resolve(link: Link, lookup: ArticleLookup) -> list[int]:
    """Return the cached articles a link points to, best (newest) first.

    A URL resolves by the article's url or guid (a URL with a fragment, failing
    that, by the page without it); a title (a read-also link's
    text) by its normalised title, then by title prefix when the link text was
    shortened. An empty list means the target is not in the cache.
    """
    if link.url:
        address = normalise_url(link.url)
        found = list(lookup.ids_by_url(address))
        if not found and "#" in address:
            # A link into a section of a cached page opens that page.
            found = list(lookup.ids_by_url(without_fragment(address)))
        if found:
            return found
    title = normalise_title(link.text)
    if not title:
        return []
    found = list(lookup.ids_by_title(title))
    if not found and len(title) >= MIN_PREFIX_CHARS:
        found = list(lookup.ids_by_title_prefix(title))
    return found


def article_links(article: Article) -> list[Link]:
    """Every link a reader can follow in an article, in the order they are numbered:
    the body's links (self-links left out, see :func:`is_self_link`), then its
    enclosures."""
    return [*body_links(article), *(enclosure_link(e) for e in article.enclosures)]


RELATED_HEADING = "Related in your cache"


def related_links(related: Sequence[ArticleSummary]) -> list[Link]:
    """Related articles as links the reader numbers after the article's own (see
    :func:`article_links`), each with its one target: ``[[id]]`` in the same order."""
    return [Link(LinkKind.RELATED, summary.title, None) for summary in related]


def body_links(article: Article) -> list[Link]:
    """The body's links a reader can follow: all but those back into the article."""
    own = own_addresses(article)
    return [link for link in article.links if not is_self_link(link, own)]


def own_addresses(article: Article) -> frozenset[str]:
    """The article's own addresses, normalised and without fragment: its url, and its
    guid when that is a web address (feeds often give the page as the id)."""
    addresses = [article.url or ""]
    if article.guid.startswith(("http://", "https://")):
        addresses.append(article.guid)
    return frozenset(without_fragment(normalise_url(a)) for a in addresses if a)


def is_self_link(link: Link, own: frozenset[str]) -> bool:
    """Whether a link points back at the article it is in (``own``: its
    :func:`own_addresses`): a ``#fragment`` of the same page (a footnote and its
    ``↩`` back-reference), or the article's own address with or without a fragment.

    Following one would only reload the article, so it is neither listed, numbered
    nor marked. A title-only link (no address) is never a self-link.
    """
    if not link.url:
        return False
    if link.url.startswith("#"):
        return True
    return without_fragment(normalise_url(link.url)) in own


@dataclass(frozen=True, slots=True)
class Anchor:
    """Where a numbered link's text sits in the body.

    Attributes:
        paragraph: The paragraph's index among all the article's paragraphs
            (:attr:`Article.paragraphs`).
        start: Where its text starts in the paragraph as cleaned for drawing
            (:func:`~newsreader.sanitize.clean_text`).
        end: Where its text ends (exclusive).
        number: The link's number (from 1, as :func:`article_links` numbers them).
    """

    paragraph: int
    start: int
    end: int
    number: int


ANCHOR_SEARCH_CHARS = 100_000
"""How far past the previous link's text the next link's is looked for: a link
whose text is not in the body costs one search this long, not one of the rest of a
long article."""


def link_anchors(paragraphs: Sequence[str], links: Sequence[Link]) -> list[Anchor]:
    """Where each inline link of ``links`` (numbered from 1) sits in ``paragraphs``
    (cleaned as drawn), in reading order.

    The extractors keep a link's text, not its place, and links come in the order
    their text appears: each is found as a whole word or phrase at its first
    occurrence after the previous link's (within :data:`ANCHOR_SEARCH_CHARS`). A
    link whose text is not found (a link in a caption, text the extractor changed)
    has no anchor and keeps its number; the next is looked for from the same point.
    """
    # One string, paragraphs apart by a line break no link text holds, searched
    # once per link rather than paragraph by paragraph.
    body = "\n".join(paragraphs)
    starts = list(accumulate((len(p) + 1 for p in paragraphs[:-1]), initial=0))
    anchors: list[Anchor] = []
    offset = 0
    for number, link in enumerate(links, start=1):
        text = link.text.strip()
        if link.kind is not LinkKind.INLINE or not text or "\n" in text:
            continue
        found = _find_words(body, text, offset, offset + ANCHOR_SEARCH_CHARS)
        if found >= 0:
            index = bisect_right(starts, found) - 1
            start = starts[index]
            anchors.append(Anchor(index, found - start, found + len(text) - start, number))
            offset = found + len(text)
    return anchors


def drawn_paragraphs(article: Article) -> list[str]:
    """The article's paragraphs as every renderer draws them (cleaned again)."""
    return [clean_text(paragraph) for paragraph in article.paragraphs]


def enclosure_link(enclosure: Enclosure) -> Link:
    """An enclosure as a numbered link: its file name, type, size and duration as text."""
    return Link(LinkKind.ENCLOSURE, enclosure_text(enclosure), enclosure.url)


def enclosure_text(enclosure: Enclosure) -> str:
    """``episode.mp3 · audio/mpeg · 48.2 MB · 52:36``: what a reader needs to decide."""
    parts = urlsplit(enclosure.url)
    name = unquote(parts.path.rstrip("/").rpartition("/")[2]) or parts.netloc
    details = [name]
    if enclosure.type:
        details.append(enclosure.type)
    if enclosure.length:
        details.append(_size(enclosure.length))
    if enclosure.duration:
        details.append(_clock(enclosure.duration))
    return " · ".join(details)


def _size(length: int) -> str:
    for unit, scale in (("GB", 10**9), ("MB", 10**6), ("KB", 10**3)):
        if length >= scale:
            return f"{length / scale:.1f} {unit}"
    return f"{length} bytes"


def _clock(seconds: int) -> str:
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def _find_words(body: str, text: str, start: int, end: int) -> int:
    """Where ``text`` first occurs in ``body[start:end]`` as a whole word or phrase
    (``Mac`` is not found in ``Machine``), else -1."""
    check_before, check_after = _is_word(text[0]), _is_word(text[-1])
    found = body.find(text, start, end)
    while found >= 0:
        after = found + len(text)
        if not (check_before and found > 0 and _is_word(body[found - 1])) and not (
            check_after and after < len(body) and _is_word(body[after])
        ):
            return found
        found = body.find(text, found + 1, end)
    return -1


def _is_word(character: str) -> bool:
    """Whether a character is part of a word, as a regular expression's ``\\w`` says."""
    return character.isalnum() or character == "_"
