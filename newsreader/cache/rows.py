"""Articles as rows: prepared without a database, and told apart from other sources' copies."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TypeVar

from newsreader.cache.values import join_category
from newsreader.extract.dates import plausible_timestamp, timestamp_of
from newsreader.links import normalise_title, normalise_url
from newsreader.model import Article
from newsreader.story_sketch import Sketch, story_sketch


class MergeReason(StrEnum):
    """Why an entry of one source was taken for an article another source brought."""

    SAME_CONTENT = "same-content"
    """Title, body, address and author are all the same."""
    SAME_ADDRESS_AND_TITLE = "same-address-and-title"
    """The same normalised address and the same title."""
    LABEL = "label"
    """A sync account's subscription listed under a further label of the account."""


@dataclass(slots=True)
class _KnownArticles:
    """Articles a batch may meet again from another source, and who carries each."""

    by_hash: dict[object, list[int]] = field(default_factory=dict)
    by_address: dict[tuple[object, object], list[int]] = field(default_factory=dict)
    sources: dict[int, set[str]] = field(default_factory=dict)
    """Every source that carries the article: the one it is stored under and its listings."""
    sort_keys: dict[int, object] = field(default_factory=dict)

    def add(self, article_id: int, values: Mapping[str, object]) -> None:
        """Know an article (stored before, or new in this batch)."""
        if article_id in self.sources:
            return
        self.sources[article_id] = {str(values["source"])}
        self.sort_keys[article_id] = values["sort_key"]
        self.by_hash.setdefault(values["content_hash"], []).append(article_id)
        if values["url_norm"]:
            address = (values["url_norm"], values["title_norm"])
            self.by_address.setdefault(address, []).append(article_id)

    def same_article(self, values: Mapping[str, object]) -> tuple[int, MergeReason] | None:
        """The article an entry of another source is a copy of, and why; None if none.

        Never one its own source already carries: within a source, two entries
        are two articles, however alike.
        """
        source = str(values["source"])
        for article_id in self.by_hash.get(values["content_hash"], ()):
            if source not in self.sources[article_id]:
                return article_id, MergeReason.SAME_CONTENT
        if values["url_norm"]:
            address = (values["url_norm"], values["title_norm"])
            for article_id in self.by_address.get(address, ()):
                if source not in self.sources[article_id]:
                    return article_id, MergeReason.SAME_ADDRESS_AND_TITLE
        return None


@dataclass(frozen=True, slots=True)
class PreparedArticle:
    """An article turned into column values, ready to write.

    Made by :func:`prepare_article`, which needs no database, so that the CPU
    work of storing (JSON, hashes, search text) can run in another process.
    """

    values: dict[str, object]
    search_text: str
    previous_guids: tuple[str, ...] = ()
    """Ids the entry may be cached under from before (see ``Article.previous_guids``)."""
    sketch: Sketch | None = None
    """Its body's story sketch (:mod:`newsreader.story_sketch`), when it has text enough."""


def prepare_article(
    article: Article,
    fallback_time: float,
    boilerplate: frozenset[str] = frozenset(),
    text: str | None = None,
) -> PreparedArticle:
    """Column values for an article; ``fallback_time`` sorts it when it has no date.

    ``boilerplate``, the paragraphs its source repeats (:func:`repeated_paragraphs`),
    is left out of its story sketch; ``text`` is its :meth:`~Article.body_text`, when
    the caller has it already.

    This is where every date enters the cache: a publication date outside the
    believed range (:func:`newsreader.extract.dates.plausible_timestamp`) is
    stored as unknown, and a fallback time outside it (a file dated in the year
    9999) is replaced by now.
    """
    body = article.body_json()
    now = time.time()
    published = timestamp_of(article.published, now)
    if plausible_timestamp(fallback_time, now) is None:
        fallback_time = now
    values: dict[str, object] = {
        "source": article.source,
        "guid": article.guid,
        "url": article.url,
        "url_norm": _url_key(article),
        "title": article.title,
        "title_norm": normalise_title(article.title),
        "author": article.author,
        "published": published,
        "sort_key": published if published is not None else fallback_time,
        "category": join_category(article.categories),
        "body": body,
        "summary": article.summary,
        "content_hash": article.content_hash(body),
        "enclosures": len(article.enclosures),
    }
    if text is None:
        text = article.body_text()
    return PreparedArticle(values, text, article.previous_guids, story_sketch(text, boilerplate))


def prepare_articles(articles: Sequence[Article], fallback_time: float) -> list[PreparedArticle]:
    """:func:`prepare_article` for a batch, each source's repeated paragraphs known."""
    texts = [article.body_text() for article in articles]
    boilerplate = boilerplate_by_source(articles, texts)
    return [
        prepare_article(article, fallback_time, boilerplate[article.source], text)
        for article, text in zip(articles, texts, strict=True)
    ]


def boilerplate_by_source(
    articles: Sequence[Article], texts: Sequence[str]
) -> dict[str, frozenset[str]]:
    """Each source's :func:`repeated_paragraphs` in a batch (``texts``: the articles'
    :meth:`~Article.body_text`, in their order)."""
    by_source: dict[str, list[str]] = {}
    for article, text in zip(articles, texts, strict=True):
        by_source.setdefault(article.source, []).append(text)
    return {source: repeated_paragraphs(group) for source, group in by_source.items()}


BOILERPLATE_REPEATS = 3
"""A paragraph in this many of one source's articles is the source's, not a story's."""


def repeated_paragraphs(texts: Iterable[str]) -> frozenset[str]:
    """The paragraphs that several texts of one source's batch share: a feed's
    sign-off, its newsletter box, its copyright line. (Three copies of one story
    from three sources share theirs too: that is why it is counted by source.)"""
    seen: Counter[str] = Counter()
    for text in texts:
        seen.update({line.strip() for line in text.splitlines() if line.strip()})
    return frozenset(line for line, count in seen.items() if count >= BOILERPLATE_REPEATS)


_LISTING_COLUMNS = (
    "source, guid, article_id, category, sort_key, content_hash, url_norm, title_norm, reason"
)


def _listing(values: Mapping[str, object], article_id: int, sort_key: object) -> dict[str, object]:
    """The listing of an entry under a stored article (its reason is set by the caller)."""
    columns = ("source", "guid", "category", "content_hash", "url_norm", "title_norm")
    return {column: values[column] for column in columns} | {
        "article_id": article_id,
        "sort_key": sort_key,
    }


def _same_article(
    values: Mapping[str, object], content_hash: object, url_norm: object, title_norm: object
) -> bool:
    """Whether an entry is the article with this hash, address and title: the same text,
    or the same address and the same title."""
    return content_hash == values["content_hash"] or (
        url_norm is not None
        and url_norm == values["url_norm"]
        and title_norm == values["title_norm"]
    )


_MAX_VARIABLES = 500
_Value = TypeVar("_Value")


def _chunks(values: Sequence[_Value]) -> Iterator[Sequence[_Value]]:
    """Slices small enough for one statement's parameters."""
    for start in range(0, len(values), _MAX_VARIABLES):
        yield values[start : start + _MAX_VARIABLES]


def _key(row: PreparedArticle) -> tuple[object, object]:
    """What identifies a row: its source and its id in that source."""
    return row.values["source"], row.values["guid"]


def _url_key(article: Article) -> str | None:
    """The normalised address an article is known by: its url, else a URL-shaped guid."""
    if article.url:
        return normalise_url(article.url)
    if article.guid.startswith(("http://", "https://")):
        return normalise_url(article.guid)
    return None
