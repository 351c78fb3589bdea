"""Filters as SQL: a parsed filter compiled to a WHERE clause with parameters, over ``articles``.

Nothing of the filter's text is ever put in the SQL: every value is a
parameter, and the SQL is made of fixed pieces chosen by the tree's shape. Each
test reads as :mod:`newsreader.filters.evaluate` reads it (a property test
holds the two to one answer):

- ``title``, ``author``, ``url``: ``=`` is SQLite's ``COLLATE NOCASE``
  (ASCII letters in any case); ``=~`` an ASCII word or phrase is ``LIKE``,
  any other pattern the ``nr_regexp`` function (the ``regex`` module, bounded);
- ``feed`` and ``category`` are decided in Python, before the query, against
  the feeds' names and the categories the cache holds, and become a list of
  sources or categories (one JSON parameter): a listing under one counts;
- ``content`` is the search index (its words, the last a prefix);
- ``age``, ``published``, flags: columns of ``articles_facts``.

Every test yields 0 or 1, never NULL, so ``not`` is the plain complement.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Iterable, Mapping, Sequence

from newsreader.cache.connection import CacheBase, reading
from newsreader.cache.matching import VISIBLE, CompiledFilter, check_deadline, deadline
from newsreader.cache.search import parse_search
from newsreader.cache.values import join_category, split_category
from newsreader.filters.evaluate import age_bound, category_holds, text_holds
from newsreader.filters.patterns import regex_search
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

_COLUMN_OF = {Field.TITLE: "title", Field.AUTHOR: "author", Field.URL: "url"}
_FLAG_SQL = {
    FlagName.UNREAD: "read = 0",
    FlagName.READ: "read = 1",
    FlagName.STARRED: "starred = 1",
    FlagName.HAS_ENCLOSURE: "enclosures > 0",
}


def _regexp(pattern: str, text: str | None) -> int:
    check_deadline()
    return int(regex_search(pattern, text))


def register_functions(db: sqlite3.Connection) -> None:
    """The SQL functions compiled filters call, on one connection."""
    db.create_function("nr_regexp", 2, _regexp, deterministic=True)


def _like(literal: str) -> str:
    escaped = literal.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


class _Compiler:
    def __init__(
        self,
        feeds: Mapping[str, Sequence[str]],
        categories: Sequence[tuple[str, ...]],
        now: float,
    ) -> None:
        self._feeds = feeds
        self._categories = categories
        self._now = now
        self.params: list[object] = []

    def node(self, node: Node) -> str:
        # Nesting is bounded by the parser (MAX_DEPTH), so recursing here is bounded too.
        if isinstance(node, All):
            return "(" + " AND ".join(self.node(part) for part in node.parts) + ")"
        if isinstance(node, Any):
            return "(" + " OR ".join(self.node(part) for part in node.parts) + ")"
        if isinstance(node, Not):
            return f"(NOT {self.node(node.inner)})"
        if isinstance(node, Flag):
            return f"({_FLAG_SQL[node.name]})"
        if isinstance(node, AgeTest):
            operator, bound = age_bound(node, self._now)
            self.params.append(bound)
            return f"(sort_key {operator} ?)"
        if isinstance(node, DateTest):
            return self._date(node)
        if isinstance(node, WordsTest):
            return self._words(node)
        return self._text(node)

    def _date(self, test: DateTest) -> str:
        bounds = {
            "=": ("published >= ? AND published < ?", (test.start, test.end)),
            "!=": ("published >= ? AND published < ?", (test.start, test.end)),
            "<": ("published < ?", (test.start,)),
            "<=": ("published < ?", (test.end,)),
            ">": ("published >= ?", (test.end,)),
            ">=": ("published >= ?", (test.start,)),
        }
        condition, params = bounds[test.operator]
        self.params.extend(params)
        holds = f"COALESCE({condition}, 0)"
        return f"(NOT {holds})" if test.operator == "!=" else f"({holds})"

    def _words(self, test: WordsTest) -> str:
        query = parse_search(test.words).match
        if not query:
            holds = "0"
        else:
            self.params.append(query)
            holds = "id IN (SELECT rowid FROM articles_fts WHERE articles_fts MATCH ?)"
        return f"(NOT {holds})" if test.negated else f"({holds})"

    def _text(self, test: TextTest) -> str:
        if test.field is Field.FEED:
            sources = [
                source
                for source, names in self._feeds.items()
                if any(text_holds(test, name) for name in names)
            ]
            holds = self._member("source", sources)
        elif test.field is Field.CATEGORY:
            chosen = [
                join_category(path) for path in self._categories if category_holds(test, path)
            ]
            holds = self._member("category", chosen)
        else:
            column = _COLUMN_OF[test.field]
            if test.pattern is None:
                self.params.append(test.value)
                holds = f"COALESCE({column} = ? COLLATE NOCASE, 0)"
            elif test.pattern.literal is not None:
                self.params.append(_like(test.pattern.literal))
                holds = f"COALESCE({column} LIKE ? ESCAPE '\\', 0)"
            elif test.pattern.required is not None:
                self.params += [_like(test.pattern.required), test.pattern.text]
                holds = f"(COALESCE({column} LIKE ? ESCAPE '\\', 0) AND nr_regexp(?, {column}))"
            else:
                self.params.append(test.pattern.text)
                holds = f"nr_regexp(?, {column})"
        return f"(NOT {holds})" if test.negated else f"({holds})"

    def _member(self, column: str, values: Sequence[str]) -> str:
        """An article whose own ``column`` is one of the values, or listed under one."""
        if not values:
            return "0"
        encoded = json.dumps(list(values))
        self.params.extend([encoded, encoded])
        return (
            f"({column} IN (SELECT value FROM json_each(?)) OR id IN "
            f"(SELECT article_id FROM listings WHERE {column} IN (SELECT value FROM json_each(?))))"
        )


def compile_filter(
    article_filter: Filter,
    *,
    feeds: Mapping[str, Sequence[str]],
    categories: Iterable[tuple[str, ...]],
    now: float | None = None,
) -> CompiledFilter:
    """A filter as SQL.

    Args:
        feeds: Each source's names (its name in the tree, its title, its address):
            what ``feed`` tests.
        categories: The category paths articles and listings are filed under.
        now: The time ``age`` counts from (default: now).
    """
    compiler = _Compiler(feeds, list(categories), time.time() if now is None else now)
    sql = compiler.node(article_filter.root)
    return CompiledFilter(sql, tuple(compiler.params), article_filter.text)


class FilterReads(CacheBase):
    """The Cache's side of filters: what ``feed`` and ``category`` are matched against."""

    @reading
    def known_categories(self) -> list[tuple[str, ...]]:
        """Every category path an article or a listing is filed under."""
        rows = self._db.execute(
            "SELECT DISTINCT category FROM articles UNION SELECT DISTINCT category FROM listings"
        ).fetchall()
        return [split_category(str(row[0])) for row in rows]

    def compile_filter(
        self,
        article_filter: Filter,
        feeds: Mapping[str, Sequence[str]],
        now: float | None = None,
    ) -> CompiledFilter:
        """:func:`compile_filter` against this cache's categories."""
        categories = self.known_categories() if Field.CATEGORY in article_filter.uses else ()
        return compile_filter(article_filter, feeds=feeds, categories=categories, now=now)

    @reading
    def filtered_counts(self, matching: CompiledFilter) -> tuple[int, int]:
        """(articles, unread articles) that pass a filter, hidden ones left out."""
        with deadline(self._db):
            total, unread = self._db.execute(
                "SELECT COUNT(*), COALESCE(SUM(read = 0), 0) FROM articles "
                f"INDEXED BY articles_facts WHERE ({matching.sql}) AND {VISIBLE}",
                matching.params,
            ).fetchone()
        return int(total), int(unread)

    @reading
    def hidden_fingerprint(self) -> str | None:
        """What :meth:`set_hidden` was last given as its rules' fingerprint."""
        row = self._db.execute("SELECT value FROM filter_state WHERE key = 'hidden'").fetchone()
        return str(row[0]) if row is not None else None

    def set_hidden(
        self, rules: Sequence[tuple[int, CompiledFilter]], fingerprint: str
    ) -> dict[int, int]:
        """Hide exactly the articles these rules pass (the first rule that passes one
        takes it), in one transaction; remember the rules' fingerprint.

        Returns:
            How many articles each rule hides, by its number.
        """
        taken: dict[int, int] = {}
        with self.transaction(), deadline(self._db):
            self._db.execute("DELETE FROM hidden")
            for number, rule in rules:
                cursor = self._db.execute(
                    "INSERT OR IGNORE INTO hidden (article_id, rule) "
                    f"SELECT id, ? FROM articles INDEXED BY articles_facts WHERE ({rule.sql})",
                    (number, *rule.params),
                )
                taken[number] = cursor.rowcount
            self._db.execute(
                "INSERT OR REPLACE INTO filter_state (key, value) VALUES ('hidden', ?)",
                (fingerprint,),
            )
        return taken

    @reading
    def hidden_counts(self) -> tuple[int, int]:
        """(articles, unread articles) the killfile hides."""
        total, unread = self._db.execute(
            "SELECT COUNT(*), COALESCE(SUM(a.read = 0), 0) FROM hidden h "
            "JOIN articles a ON a.id = h.article_id"
        ).fetchone()
        return int(total), int(unread)
