"""Whether one article passes a filter, in Python: for an entry not stored yet (a killfile's
``skip`` rule at refresh), and the one reading of each test the SQL compiler shares.

The cache's SQL (:mod:`newsreader.cache.filters`) and this module give the same
answer for a stored article; a property test holds them to it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from newsreader.filters.patterns import ascii_lower
from newsreader.filters.syntax import (
    AgeTest,
    All,
    Any,
    DateTest,
    Field,
    Filter,
    Flag,
    FlagName,
    Node,
    Not,
    TextTest,
    WordsTest,
)


def text_holds(test: TextTest, value: str | None) -> bool:
    """Whether ``=`` or ``=~`` holds for one value (the test's negation aside)."""
    if value is None:
        return False
    if test.pattern is not None:
        return test.pattern.search(value)
    return ascii_lower(value) == ascii_lower(test.value)


def wanted_category(test: TextTest) -> tuple[str, ...]:
    """The path ``category = "A/B"`` names, its parts' ASCII letters lower-cased."""
    return tuple(ascii_lower(part.strip()) for part in test.value.split("/") if part.strip())


def category_holds(test: TextTest, path: Sequence[str]) -> bool:
    """Whether ``category =`` (the path or below) or ``category =~`` (the pattern in the
    path written ``A/B``) holds for one category path."""
    if test.pattern is not None:
        return test.pattern.search("/".join(path))
    wanted = wanted_category(test)
    return bool(wanted) and tuple(ascii_lower(part) for part in path[: len(wanted)]) == wanted


def date_holds(test: DateTest, published: float | None) -> bool:
    """Whether a publication time is on, before or after the test's day (or instant)."""
    if published is None:
        return test.operator == "!="
    inside = test.start <= published < test.end
    return {
        "=": inside,
        "!=": not inside,
        "<": published < test.start,
        "<=": published < test.end,
        ">": published >= test.end,
        ">=": published >= test.start,
    }[test.operator]


def age_bound(test: AgeTest, now: float) -> tuple[str, float]:
    """``age < 7d`` as a test of the sort time: (the operator on it, the time)."""
    flipped = {"<": ">", "<=": ">=", ">": "<", ">=": "<="}[test.operator]
    return flipped, now - test.seconds


def compare(left: float, operator: str, right: float) -> bool:
    return {
        "<": left < right,
        "<=": left <= right,
        ">": left > right,
        ">=": left >= right,
    }[operator]


@dataclass(frozen=True, slots=True)
class ArticleFacts:
    """What a filter can ask of an article."""

    title: str
    author: str | None
    url: str | None
    feeds: tuple[str, ...]
    """The names and addresses of the sources that carry it."""
    categories: tuple[tuple[str, ...], ...]
    sort_time: float
    """Its publication time, else when it was stored."""
    published: float | None
    read: bool = False
    starred: bool = False
    enclosures: int = 0
    has_words: Callable[[str], bool] = lambda words: False
    """Whether every word of a search is in its title or body (the search index's rule)."""


def passes(article_filter: Filter, facts: ArticleFacts, now: float) -> bool:
    """Whether the article passes the filter, ``now`` being the time ``age`` counts from."""
    return _holds(article_filter.root, facts, now)


def _holds(node: Node, facts: ArticleFacts, now: float) -> bool:
    # Nesting is bounded by the parser (MAX_DEPTH), so recursing here is bounded too.
    if isinstance(node, All):
        return all(_holds(part, facts, now) for part in node.parts)
    if isinstance(node, Any):
        return any(_holds(part, facts, now) for part in node.parts)
    if isinstance(node, Not):
        return not _holds(node.inner, facts, now)
    if isinstance(node, Flag):
        return {
            FlagName.UNREAD: not facts.read,
            FlagName.READ: facts.read,
            FlagName.STARRED: facts.starred,
            FlagName.HAS_ENCLOSURE: facts.enclosures > 0,
        }[node.name]
    if isinstance(node, AgeTest):
        operator, bound = age_bound(node, now)
        return compare(facts.sort_time, operator, bound)
    if isinstance(node, DateTest):
        return date_holds(node, facts.published)
    if isinstance(node, WordsTest):
        return facts.has_words(node.words) != node.negated
    return _text_holds(node, facts) != node.negated


def _text_holds(test: TextTest, facts: ArticleFacts) -> bool:
    if test.field is Field.FEED:
        return any(text_holds(test, name) for name in facts.feeds)
    if test.field is Field.CATEGORY:
        return any(category_holds(test, path) for path in facts.categories)
    value = {Field.TITLE: facts.title, Field.AUTHOR: facts.author, Field.URL: facts.url}
    return text_holds(test, value[test.field])
