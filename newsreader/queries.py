"""Query feeds and the killfile: the config's filters put to work on a cache.

- :class:`FilterContext` compiles filters against what ``feed`` means here
  (every feed's and subscription's names and address) and the cache's categories;
- :func:`apply_hide_rules` files the articles the ``hide`` rules take under the
  tree's Hidden node (again when the rules change, and after each refresh);
- :class:`Killfile` sifts a refresh's new entries through the ``skip`` rules
  before they are stored, counting what each rule took.
"""

from __future__ import annotations

import hashlib
import sqlite3
import threading
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from newsreader.cache import Cache, PreparedArticle, split_category
from newsreader.cache.matching import CompiledFilter
from newsreader.cache.search import WORD_TOKENIZER, fts_query
from newsreader.config import FeedConfig, IgnoreMode, IgnoreRule
from newsreader.filters import Filter
from newsreader.filters.evaluate import ArticleFacts, passes
from newsreader.model import FeedState


def feed_names(
    feeds: Iterable[FeedConfig], states: Mapping[str, FeedState]
) -> dict[str, tuple[str, ...]]:
    """What ``feed = "X"`` may name a source by: its name in the tree, its configured
    name, its own title, its address."""
    names: dict[str, tuple[str, ...]] = {}
    for feed in feeds:
        state = states.get(feed.url)
        given = (feed.display_name(state), feed.name, state.title if state else None, feed.url)
        names[feed.url] = tuple(dict.fromkeys(name for name in given if name))
    return names


def combine(parts: Sequence[CompiledFilter]) -> CompiledFilter | None:
    """Filters that must all pass, as one (None for none)."""
    if not parts:
        return None
    if len(parts) == 1:
        return parts[0]
    sql = " AND ".join(f"({part.sql})" for part in parts)
    params = tuple(param for part in parts for param in part.params)
    return CompiledFilter(sql, params, " and ".join(f"({part.text})" for part in parts))


@dataclass(frozen=True, slots=True)
class FilterContext:
    """What compiling a filter needs beside the cache: each source's names."""

    names: Mapping[str, Sequence[str]] = field(default_factory=dict)

    @classmethod
    def of(cls, feeds: Iterable[FeedConfig], states: Mapping[str, FeedState]) -> FilterContext:
        return cls(feed_names(feeds, states))

    def compile(
        self, cache: Cache, filters: Sequence[Filter], now: float | None = None
    ) -> CompiledFilter | None:
        """Filters that must all pass, compiled against this cache (None for none).

        Raises:
            CacheError: the cache's categories could not be read.
        """
        return combine([cache.compile_filter(each, self.names, now) for each in filters])


def hide_rules(rules: Sequence[IgnoreRule]) -> list[tuple[int, IgnoreRule]]:
    """The ``hide`` rules, each with its position in the killfile."""
    return [(index, rule) for index, rule in enumerate(rules) if rule.mode is IgnoreMode.HIDE]


def apply_hide_rules(
    cache: Cache, rules: Sequence[IgnoreRule], context: FilterContext, *, always: bool = True
) -> dict[int, int] | None:
    """File under Hidden the articles the ``hide`` rules take, in one transaction.

    With ``always`` false, nothing is done when the rules (as compiled, ``age``
    aside) are those applied last: a reader's start or a ``list`` costs one
    read, and a refresh (which passes ``always``) applies them again, so that
    an ``age`` rule takes the articles that have grown old.

    Returns:
        How many articles each rule took, by its position; None when nothing
        was done.

    Raises:
        CacheError: a read or the write failed.
    """
    chosen = hide_rules(rules)
    compiled = [(index, context.compile(cache, [rule.filter], now=0.0)) for index, rule in chosen]
    shapes = [(index, each.sql, each.params) for index, each in compiled if each]
    fingerprint = hashlib.blake2b(repr(shapes).encode(), digest_size=16).hexdigest()
    if not always and cache.hidden_fingerprint() == fingerprint:
        return None
    now = time.time()
    current = [(index, context.compile(cache, [rule.filter], now)) for index, rule in chosen]
    return cache.set_hidden([(index, each) for index, each in current if each], fingerprint)


SIFT_SECONDS = 2.0
"""The longest one feed's new entries are tested against the skip rules; the entries
not tested by then are kept (and a search that times out does not match)."""


@dataclass(slots=True)
class Killfile:
    """The ``skip`` rules, applied to entries before they are stored."""

    rules: Sequence[IgnoreRule]
    context: FilterContext
    taken: dict[int, int] = field(default_factory=dict)
    """How many entries each rule took, by its position in the killfile."""

    @property
    def skips(self) -> list[tuple[int, IgnoreRule]]:
        return [(i, rule) for i, rule in enumerate(self.rules) if rule.mode is IgnoreMode.SKIP]

    def sift(
        self, rows: Sequence[PreparedArticle], now: float | None = None, names: Sequence[str] = ()
    ) -> tuple[list[PreparedArticle], dict[int, int]]:
        """The rows no ``skip`` rule takes, and how many each rule took (count them with
        :meth:`count`: this may run on another thread). ``names`` are more names of the
        rows' feed (its own title, known once it is parsed)."""
        skips = self.skips
        if not skips:
            return list(rows), {}
        now = time.time() if now is None else now
        started = time.monotonic()
        kept: list[PreparedArticle] = []
        taken: dict[int, int] = {}
        for position, row in enumerate(rows):
            if time.monotonic() - started > SIFT_SECONDS:
                kept.extend(rows[position:])
                break
            facts = self._facts(row, names)
            rule = next((index for index, rule in skips if passes(rule.filter, facts, now)), None)
            if rule is None:
                kept.append(row)
            else:
                taken[rule] = taken.get(rule, 0) + 1
        return kept, taken

    def count(self, taken: Mapping[int, int]) -> None:
        """Add what a :meth:`sift` took to :attr:`taken`."""
        for rule, count in taken.items():
            self.taken[rule] = self.taken.get(rule, 0) + count

    def _facts(self, row: PreparedArticle, names: Sequence[str]) -> ArticleFacts:
        values = row.values
        source = str(values["source"])
        title = str(values["title"])
        published = values.get("published")
        return ArticleFacts(
            title=title,
            author=_text(values.get("author")),
            url=_text(values.get("url")),
            feeds=(*self.context.names.get(source, ()), *names),
            categories=(split_category(str(values.get("category") or "")),),
            sort_time=float(values["sort_key"]),  # type: ignore[arg-type]
            published=float(published) if isinstance(published, int | float) else None,
            enclosures=int(values.get("enclosures") or 0),  # type: ignore[call-overload]
            has_words=lambda words: has_words(title, row.search_text, words),
        )


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None


_word_tests = threading.local()


def has_words(title: str, body: str, words: str) -> bool:
    """Whether every word of ``words`` is in the title or body as the search index finds
    them: an in-memory index with the same tokenizer answers, so that a ``skip`` rule's
    ``content`` and a query feed's read one text alike."""
    query = fts_query(words)
    if not query:
        return False
    db: sqlite3.Connection | None = getattr(_word_tests, "db", None)
    if db is None:
        db = _word_tests.db = sqlite3.connect(":memory:", isolation_level=None)
        db.execute(
            "CREATE VIRTUAL TABLE texts USING fts5(title, body, detail='column', "
            f"tokenize='porter {WORD_TOKENIZER}')"
        )
    db.execute("DELETE FROM texts")
    db.execute("INSERT INTO texts (rowid, title, body) VALUES (1, ?, ?)", (title, body))
    return db.execute("SELECT 1 FROM texts WHERE texts MATCH ?", (query,)).fetchone() is not None
