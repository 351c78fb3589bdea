"""Normalising and resolving links against a real cache."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from newsreader.cache import Cache
from newsreader.links import normalise_title, normalise_url, resolve
from newsreader.model import Article, Link, LinkKind, Section


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Wang Yi's Meeting", "wang yi’s meeting"),
        ("Sign of Ties – Talks", "Sign of Ties - Talks"),
        ("Sign of Ties—Talks", "sign of ties - talks"),
        ("  Many   spaces here ", "many spaces here"),
        ("“Quoted” title.", '"quoted" title'),
    ],
)
def test_titles_that_fold_together(a: str, b: str) -> None:
    assert normalise_title(a) == normalise_title(b)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("HTTP://WWW.Example.org/a/", "https://example.org/a"),
        ("https://example.org/a?utm_source=x&b=2&a=1#xtor=RSS-1", "https://example.org/a?a=1&b=2"),
        ("https://example.org/day.html#a1", "http://www.example.org/day.html#a1"),
        ("https://example.org:443/a", "https://example.org/a"),
    ],
)
def test_urls_that_normalise_together(a: str, b: str) -> None:
    assert normalise_url(a) == normalise_url(b)


def test_a_fragment_is_part_of_an_address() -> None:
    # One page per day, one post per anchor: each anchor is its own article.
    assert normalise_url("https://example.org/day.html#a1") != normalise_url(
        "https://example.org/day.html#a2"
    )
    assert normalise_url("https://example.org/a#") == normalise_url("https://example.org/a")


def article(title: str, day: int, url: str | None = None) -> Article:
    return Article(
        title=title,
        source="test",
        guid=f"{title}-{day}",
        url=url,
        published=datetime(2024, 1, day, tzinfo=UTC),
        sections=(Section(None, (f"{title} body {day}",)),),
    )


def test_title_link_resolves_loosely_and_newest_first(cache: Cache) -> None:
    [(_, older), (_, newer), _] = cache.store_articles(
        [
            article("Russian Offensive in Ukraine Prompts Logistics Race", 1),
            article("Russian Offensive in Ukraine Prompts Logistics Race", 9),
            article("Unrelated", 5),
        ]
    )
    link = Link(LinkKind.READ_ALSO, "russian offensive in ukraine prompts logistics race")
    assert resolve(link, cache) == [newer, older]


def test_resolution_happens_at_read_time(cache: Cache) -> None:
    link = Link(LinkKind.READ_ALSO, "A Story Imported Later")
    assert resolve(link, cache) == []
    [(_, later)] = cache.store_articles([article("A Story Imported Later", 3)])
    assert resolve(link, cache) == [later]


def test_shortened_link_text_resolves_by_prefix(cache: Cache) -> None:
    [(_, target)] = cache.store_articles([article("Tram Line Extension Opens to the Suburbs", 2)])
    assert resolve(Link(LinkKind.READ_ALSO, "Tram Line Extension Opens"), cache) == [target]
    assert resolve(Link(LinkKind.READ_ALSO, "Tram"), cache) == []  # too short to guess


def test_url_link_resolves_by_url(cache: Cache) -> None:
    [(_, target)] = cache.store_articles([article("By Address", 4, url="https://ex.org/a")])
    assert resolve(Link(LinkKind.INLINE, "here", "http://www.ex.org/a/"), cache) == [target]


def test_a_link_into_a_section_opens_the_page_unless_the_anchor_is_an_article(
    cache: Cache,
) -> None:
    [(_, page), (_, post)] = cache.store_articles(
        [
            article("The Page", 4, url="https://ex.org/page"),
            article("One Post", 5, url="https://ex.org/day.html#a2"),
        ]
    )
    assert resolve(Link(LinkKind.INLINE, "here", "https://ex.org/page#comments"), cache) == [page]
    assert resolve(Link(LinkKind.INLINE, "post", "https://ex.org/day.html#a2"), cache) == [post]
    assert resolve(Link(LinkKind.INLINE, "other", "https://ex.org/day.html#a3"), cache) == []
