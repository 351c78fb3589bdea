"""The shapes every layer shares: articles and their parts, as frozen dataclasses.

Nothing here does I/O. Every source (plain text, Markdown, HTML, feeds) produces
an :class:`Article`; the cache keeps it and hands back :class:`StoredArticle`.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from newsreader.sanitize import clean_line
from newsreader.textnorm import strip_tags

MAX_CATEGORY_DEPTH = 32
"""Levels of a category path that are kept: the first ones, the root's before the article's."""
MAX_CATEGORY_CHARS = 200
"""Characters kept of each level's name."""


def bound_categories(path: Sequence[str]) -> tuple[str, ...]:
    """A category path within :data:`MAX_CATEGORY_DEPTH` levels of :data:`MAX_CATEGORY_CHARS`.

    The first levels are kept, so a configured root is never pushed out by an
    article's own path; what lies deeper is dropped and long names are cut.
    """
    return tuple(part[:MAX_CATEGORY_CHARS] for part in path[:MAX_CATEGORY_DEPTH])


CATEGORY_SEPARATOR = "/"
"""What separates the levels of a category path written as one string (``World/Europe``)."""


def parse_category_path(value: str | Sequence[str]) -> tuple[str, ...]:
    """A category path as written: ``"World/Europe"`` -> ``("World", "Europe")``.

    The one reading of a written path (the config, ``--category``, OPML, front
    matter). A string is split at :data:`CATEGORY_SEPARATOR`; a sequence (a
    front matter list) gives its levels as they are. Each level is cleaned to one
    line (:func:`~newsreader.sanitize.clean_line`: no control characters, spaces
    collapsed and trimmed), empty levels are dropped, and the path is bounded
    (:func:`bound_categories`).
    """
    levels = value.split(CATEGORY_SEPARATOR) if isinstance(value, str) else value
    cleaned = (clean_line(level) for level in levels)
    return bound_categories(tuple(level for level in cleaned if level))


class LinkKind(StrEnum):
    """What a link is for.

    Attributes:
        READ_ALSO: A related-article line ("Read Also:", "Related:", "See also:" ...).
        INLINE: A link inside the body text.
        ENCLOSURE: A file attached to the entry (never stored as a link: made from
            its enclosures).
        RELATED: Another cached article like this one (never stored: found when the
            article is opened).
    """

    READ_ALSO = "read-also"
    INLINE = "inline"
    ENCLOSURE = "enclosure"
    RELATED = "related"


@dataclass(frozen=True, slots=True)
class Section:
    """A run of paragraphs under an optional heading.

    Attributes:
        heading: The section heading, or None for the lead before any heading.
        paragraphs: The paragraphs, in order.
    """

    heading: str | None
    paragraphs: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Figure:
    """An image caption, its credit line and, when the source gave one, the image's address.

    Attributes:
        caption: What the picture shows.
        credit: Who it is from ("Source: Web", "Photo: AP"), or None.
        section: Index of the section the figure appeared in.
        image: The picture's address (absolute http(s)), or None.
    """

    caption: str
    credit: str | None = None
    section: int = 0
    image: str | None = None


@dataclass(frozen=True, slots=True)
class Link:
    """A link in an article.

    Attributes:
        kind: What the link is for.
        text: The visible text; for a read-also link, usually a title.
        url: Where it points, or None when the link is only a title.
    """

    kind: LinkKind
    text: str
    url: str | None = None


@dataclass(frozen=True, slots=True)
class Enclosure:
    """A file attached to a feed entry: a podcast episode, an image, a video.

    Attributes:
        url: Where the file is (an absolute http(s) address).
        type: Its media type as the feed gave it (``audio/mpeg``), if it did.
        length: Its size in bytes, if known.
        duration: How long it plays, in seconds, if known.
    """

    url: str
    type: str | None = None
    length: int | None = None
    duration: int | None = None


@dataclass(frozen=True, slots=True)
class Article:
    """One article, whatever it came from.

    Attributes:
        title: The headline.
        source: Where it came from: a file path, or a feed URL.
        guid: Identity of the article within its source (a feed entry id, a file path).
        url: The article's own web address, if known.
        published: When it was published, if known (timezone-aware).
        author: The byline, if known.
        categories: Category path, outermost first (`("Updates", "Politics")`).
        sections: The body, as sections.
        figures: Image captions with their credits.
        links: Related and inline links.
        summary: A short plain-text summary, if the source gave one.
        enclosures: Files attached to the entry (podcast audio, images, video).
        previous_guids: Ids an earlier newsreader stored this entry under (when the
            rule that makes an id changed), so the cached row is found and kept.
        body_html: The body as the feed sent it, when it has not been converted to
            sections yet (a refresh leaves that until the article is opened).
    """

    title: str
    source: str
    guid: str
    url: str | None = None
    published: datetime | None = None
    author: str | None = None
    categories: tuple[str, ...] = ()
    sections: tuple[Section, ...] = ()
    figures: tuple[Figure, ...] = ()
    links: tuple[Link, ...] = ()
    summary: str | None = None
    body_html: str | None = None
    enclosures: tuple[Enclosure, ...] = ()
    previous_guids: tuple[str, ...] = ()

    @property
    def paragraphs(self) -> list[str]:
        """Every paragraph of the body, in order."""
        return [p for section in self.sections for p in section.paragraphs]

    def body_text(self) -> str:
        """The body as plain text: headings, paragraphs and captions, for search."""
        if self.body_html is not None and not self.sections:
            return strip_tags(self.body_html)
        parts: list[str] = []
        for section in self.sections:
            if section.heading:
                parts.append(section.heading)
            parts.extend(section.paragraphs)
        parts.extend(figure.caption for figure in self.figures)
        return "\n".join(parts)

    def body_json(self) -> str:
        """The body (sections, figures, links) as compact JSON, as the cache keeps it."""
        return json.dumps(body_to_json(self), ensure_ascii=False, separators=(",", ":"))

    def content_hash(self, body_json: str | None = None) -> str:
        """A hash of what a reader sees: title, body, figures, links, url and author.

        Two imports of the same text give the same hash whatever their line ends,
        encoding or file name, which is what duplicate detection needs.

        Args:
            body_json: :meth:`body_json`, when the caller has it already.
        """
        payload = "\x00".join(
            [self.title, body_json or self.body_json(), self.url or "", self.author or ""]
        )
        return hashlib.blake2b(payload.encode("utf-8"), digest_size=16).hexdigest()


@dataclass(frozen=True, slots=True)
class StoredArticle:
    """An article as the cache holds it, with its id and reading state."""

    id: int
    article: Article
    read: bool
    starred: bool
    content_hash: str


@dataclass(frozen=True, slots=True)
class ArticleSummary:
    """One row of an article list: what a list needs, without the body."""

    id: int
    title: str
    source: str
    categories: tuple[str, ...]
    published: datetime | None
    read: bool
    starred: bool
    sort_key: float
    added: datetime | None = None
    """When the cache first stored it (the list shows it when there is no ``published``)."""
    story: int = 0
    """Its story's id (see ``cache/stories``): its own id when no other article tells it;
    0 when it was not read with its story."""
    sources: int = 1
    """How many copies its story has: articles and the other sources listing them."""
    unread_copies: frozenset[int] = frozenset()
    """The other articles of its story still unread (a copy that came after the story
    was read): its row is unread while there are any."""

    @property
    def story_unread(self) -> bool:
        """Whether the row is unread: the article, or another copy of its story."""
        return not self.read or bool(self.unread_copies)


@dataclass(frozen=True, slots=True)
class FeedState:
    """What the cache knows about one feed from its last refreshes.

    Attributes:
        url: The feed's address as configured.
        title: The feed's own title, from its last successful download.
        etag: The ETag header exactly as last received.
        last_modified: The Last-Modified header exactly as last received.
        body_hash: Hash of the last body parsed (to skip parsing an unchanged body).
        permanent_url: Where a permanent redirect said the feed now lives.
        last_attempt: When it was last tried (epoch seconds).
        last_success: When it last succeeded.
        last_error: Why the last attempt failed, or None if it succeeded.
        item_count: How many entries its last parsed body had.
        retry_after: Not to be fetched before this time (the server's Retry-After).
        repeated_ids: Entries of its last parsed body that repeated an earlier entry's id
            (the first was kept).
        category: The category its articles are filed under in the cache (the
            stored form), as of the last refresh.
    """

    url: str
    title: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    body_hash: str | None = None
    permanent_url: str | None = None
    last_attempt: float | None = None
    last_success: float | None = None
    last_error: str | None = None
    item_count: int = 0
    retry_after: float | None = None
    repeated_ids: int = 0
    category: str | None = None

    @property
    def failed(self) -> bool:
        """Whether the last attempt failed."""
        return self.last_error is not None


@dataclass(slots=True)
class CategoryNode:
    """A node of the category tree, with counts that include its descendants."""

    name: str
    path: tuple[str, ...]
    total_count: int = 0
    unread_count: int = 0
    children: dict[str, CategoryNode] = field(default_factory=dict)


def body_to_json(article: Article) -> dict[str, Any]:
    """The body parts of an article as JSON-ready data."""
    if article.body_html is not None:
        return {"html": article.body_html, **parts_to_json(article)}
    return parts_to_json(article)


def parts_to_json(article: Article) -> dict[str, Any]:
    """Sections, figures, links and enclosures as JSON-ready data (without unconverted HTML).

    ``enclosures`` is written only when there are some, and a figure's ``image`` only
    when it has one, so that the content hash of an article without them is what it
    was before they were kept.
    """
    parts = {
        "sections": [
            {"heading": section.heading, "paragraphs": list(section.paragraphs)}
            for section in article.sections
        ],
        "figures": [_figure_to_json(figure) for figure in article.figures],
        "links": [
            {"kind": link.kind.value, "text": link.text, "url": link.url} for link in article.links
        ],
    }
    if article.enclosures:
        parts["enclosures"] = [
            {"url": e.url, "type": e.type, "length": e.length, "duration": e.duration}
            for e in article.enclosures
        ]
    return parts


def _figure_to_json(figure: Figure) -> dict[str, Any]:
    data: dict[str, Any] = {
        "caption": figure.caption,
        "credit": figure.credit,
        "section": figure.section,
    }
    if figure.image is not None:
        data["image"] = figure.image
    return data


def body_from_json(
    data: dict[str, Any],
) -> tuple[tuple[Section, ...], tuple[Figure, ...], tuple[Link, ...]]:
    """The sections, figures and links of a stored body (see :func:`body_to_json`)."""
    sections = tuple(
        Section(item["heading"], tuple(item["paragraphs"])) for item in data.get("sections", [])
    )
    figures = tuple(
        Figure(item["caption"], item.get("credit"), item.get("section", 0), item.get("image"))
        for item in data.get("figures", [])
    )
    links = tuple(
        Link(LinkKind(item["kind"]), item["text"], item.get("url"))
        for item in data.get("links", [])
    )
    return sections, figures, links


def enclosures_from_json(data: dict[str, Any]) -> tuple[Enclosure, ...]:
    """The enclosures of a stored body (see :func:`parts_to_json`)."""
    return tuple(
        Enclosure(item["url"], item.get("type"), item.get("length"), item.get("duration"))
        for item in data.get("enclosures", [])
    )
