"""Reads: pages of articles by keyset, lookups, the category tree and per-source counts."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from newsreader.cache.connection import CacheBase, reading
from newsreader.cache.matching import HIDDEN, VISIBLE, CompiledFilter, deadline
from newsreader.cache.rows import MergeReason
from newsreader.cache.stories import story_places
from newsreader.cache.values import (
    _UNREADABLE,
    _as_text,
    _datetime,
    _optional_text,
    _order_key,
    _shown,
    body_problem,
    join_category,
    read_body,
    split_category,
)
from newsreader.extract.dates import plausible_timestamp
from newsreader.model import (
    CATEGORY_SEPARATOR,
    MAX_CATEGORY_DEPTH,
    Article,
    ArticleSummary,
    CategoryNode,
    StoredArticle,
)


@dataclass(frozen=True, slots=True)
class Marks:
    """An article's reading state."""

    read: bool
    starred: bool


@dataclass(frozen=True, slots=True)
class Cursor:
    """Where a page of a list ended; pass it back for the next page."""

    sort_key: float
    id: int


_SUMMARY_COLUMNS = "id, title, source, category, published, read, starred, sort_key, added"


def _summary(row: tuple[Any, ...]) -> ArticleSummary:
    id_, title, source, category, published, read, starred, sort_key, added = row
    return ArticleSummary(
        id=int(id_),
        title=_as_text(title),
        source=_as_text(source),
        categories=split_category(_as_text(category)),
        published=_datetime(published),
        read=bool(read),
        starred=bool(starred),
        sort_key=_order_key(sort_key),
        added=_datetime(added),
    )


_ARTICLE_STATE = "articles a INDEXED BY articles_state"
"""Articles joined to their listings for counts: their state without reading their bodies."""
_VISIBLE_LISTING = VISIBLE.replace("id", "l.article_id", 1)
_CATEGORY_AND_BELOW = "(category = ? OR (category >= ? AND category < ?))"


def _category_bounds(category: Sequence[str]) -> list[object]:
    """Parameters of ``_CATEGORY_AND_BELOW``: every sub-category of "A" sorts
    between "A/" and "A0" ("0" follows "/")."""
    prefix = join_category(category)
    return [prefix, prefix + CATEGORY_SEPARATOR, prefix + "0"]


def _membership(
    category: Sequence[str], source: str | None, table: str = ""
) -> tuple[list[str], list[object]]:
    """WHERE conditions and parameters for a category (and below) and a source.

    ``table`` prefixes the columns (``"l."`` for listings).
    """
    conditions: list[str] = []
    params: list[object] = []
    if category:
        conditions.append(_CATEGORY_AND_BELOW.replace("category", f"{table}category"))
        params += _category_bounds(category)
    if source is not None:
        conditions.append(f"{table}source = ?")
        params.append(source)
    return conditions, params


def with_listings(category: Sequence[str], source: str | None) -> tuple[list[str], list[object]]:
    """WHERE conditions and parameters of the articles in a category (and below) or of a
    source, their listings there included."""
    if not category and source is None:
        return [], []
    own, own_params = _membership(category, source)
    listed, listed_params = _membership(category, source, "l.")
    condition = (
        f"({' AND '.join(own)} OR id IN "
        f"(SELECT l.article_id FROM listings l WHERE {' AND '.join(listed)}))"
    )
    return [condition], own_params + listed_params


def filtered(
    category: Sequence[str],
    source: str | None,
    unread_only: bool,
    starred_only: bool,
    matching: CompiledFilter | None,
    hidden: bool,
) -> tuple[list[str], list[object]]:
    """WHERE conditions and parameters of the articles of a category (and below) or a
    source, their listings there included, in a state, that a filter passes; the visible
    ones, or the killfile's hidden ones."""
    conditions, params = with_listings(category, source)
    conditions += _state(unread_only, starred_only)
    if matching is not None:
        conditions.append(f"({matching.sql})")
        params += matching.params
    conditions.append(HIDDEN if hidden else VISIBLE)
    return conditions, params


def _state(unread_only: bool, starred_only: bool, table: str = "") -> list[str]:
    """WHERE conditions for unread and starred articles."""
    return [f"{table}read = 0"] * unread_only + [f"{table}starred = 1"] * starred_only


def _where(conditions: Sequence[str]) -> str:
    return f"WHERE {' AND '.join(conditions)}" if conditions else ""


def summaries(db: sqlite3.Connection, ids: Sequence[int]) -> list[ArticleSummary]:
    """Summaries of these articles, in the order given, each with its story."""
    if not ids:
        return []
    placeholders = ", ".join("?" * len(ids))
    rows = db.execute(
        f"SELECT {_SUMMARY_COLUMNS} FROM articles WHERE id IN ({placeholders})", list(ids)
    ).fetchall()
    by_id = {row[0]: row for row in rows}
    return with_stories(db, [by_id[i] for i in ids if i in by_id])


def with_stories(db: sqlite3.Connection, rows: Sequence[tuple[Any, ...]]) -> list[ArticleSummary]:
    """Summaries of rows of ``_SUMMARY_COLUMNS``, each with its story and its copies."""
    places = story_places(db, [int(row[0]) for row in rows])
    return [
        replace(
            summary, story=place.story, sources=place.sources, unread_copies=place.unread_copies
        )
        for summary in map(_summary, rows)
        for place in (places[summary.id],)
    ]


class ArticleReads(CacheBase):
    """The Cache's reads: lists, lookups, counts and checks of the articles stored."""

    @reading
    def integrity_problems(self, limit: int = 20) -> list[str]:
        """What ``PRAGMA integrity_check`` finds wrong; empty when the file is sound."""
        try:
            rows = self._db.execute(f"PRAGMA integrity_check({int(limit)})").fetchall()
        except sqlite3.DatabaseError as error:
            return [str(error)]
        problems = [str(row[0]) for row in rows]
        return [] if problems == ["ok"] else problems

    @reading
    def content_problems(self) -> list[tuple[int, str]]:
        """Articles a reader cannot fully show: (id, why), by id.

        A body that is not valid JSON of the shape newsreader writes, and a
        publication or sort time that is not a believable time (see
        :func:`newsreader.extract.dates.plausible_timestamp`). Reading shows such
        an article with a placeholder text or without a date; this says which.
        """
        now = time.time()
        problems: list[tuple[int, str]] = []
        for article_id, body, published, sort_key in self._db.execute(
            "SELECT id, body, published, sort_key FROM articles ORDER BY id"
        ):
            reason = body_problem(body)
            if reason is not None:
                problems.append((int(article_id), f"its stored text is unreadable: {reason}"))
            if published is not None and plausible_timestamp(published, now) is None:
                problems.append((int(article_id), f"impossible date {_shown(published)}"))
            if plausible_timestamp(sort_key, now) is None:
                problems.append((int(article_id), f"impossible sort time {_shown(sort_key)}"))
        return problems

    @reading
    def summaries_of(self, article_ids: Sequence[int]) -> list[ArticleSummary]:
        """The list rows of these articles, in the order given (those still cached)."""
        return summaries(self._db, article_ids)

    @reading
    def marks(self, article_id: int) -> Marks | None:
        """An article's read and starred marks, without its body; None if there is none."""
        row = self._db.execute(
            "SELECT read, starred FROM articles WHERE id = ?", (article_id,)
        ).fetchone()
        return Marks(bool(row[0]), bool(row[1])) if row is not None else None

    @reading
    def get_article(self, article_id: int) -> StoredArticle | None:
        """One article with its body and state, or None."""
        row = self._db.execute(
            "SELECT id, source, guid, url, title, author, published, category, body, summary, "
            "read, starred, content_hash FROM articles WHERE id = ?",
            (article_id,),
        ).fetchone()
        if row is None:
            return None
        (id_, source, guid, url, title, author, published, category, body, summary, read,
         starred, content_hash) = row  # fmt: skip
        parts = read_body(body) or _UNREADABLE
        article = Article(
            enclosures=parts.enclosures,
            title=_as_text(title),
            source=_as_text(source),
            guid=_as_text(guid),
            url=_optional_text(url),
            published=_datetime(published),
            author=_optional_text(author),
            categories=split_category(_as_text(category)),
            sections=parts.sections,
            figures=parts.figures,
            links=parts.links,
            summary=_optional_text(summary),
            body_html=parts.html if not parts.sections else None,
        )
        return StoredArticle(int(id_), article, bool(read), bool(starred), _as_text(content_hash))

    @reading
    def body_problem(self, article_id: int) -> str | None:
        """Why an article's stored text cannot be read (it shows :data:`UNREADABLE_BODY`
        instead); None when it can, or there is no such article."""
        row = self._db.execute("SELECT body FROM articles WHERE id = ?", (article_id,)).fetchone()
        return None if row is None else body_problem(row[0])

    @reading
    def list_articles(
        self,
        category: Sequence[str] = (),
        *,
        unread_only: bool = False,
        starred_only: bool = False,
        source: str | None = None,
        limit: int = 50,
        after: Cursor | None = None,
        matching: CompiledFilter | None = None,
        hidden: bool = False,
    ) -> list[ArticleSummary]:
        """A page of articles, newest first, in a category and its sub-categories.

        A category or a source includes the articles it carries that another
        source brought first (its listings). Pass the last row's :class:`Cursor`
        as ``after`` for the next page. ``matching`` keeps the articles that pass
        a filter. The articles a killfile hides are left out; with ``hidden``,
        they alone are listed.
        """
        if matching is not None or hidden:
            return self._list_matching(
                category, source, unread_only, starred_only, limit, after, matching, hidden
            )
        conditions, params = _membership(category, source)
        conditions += _state(unread_only, starred_only)
        conditions.append(VISIBLE)
        if after is not None:
            conditions.append("(sort_key, id) < (?, ?)")
            params += [after.sort_key, after.id]
        if not category and source is None:
            rows = self._db.execute(
                f"SELECT {_SUMMARY_COLUMNS} FROM articles {_where(conditions)} "
                "ORDER BY sort_key DESC, id DESC LIMIT ?",
                (*params, limit),
            ).fetchall()
            return with_stories(self._db, rows)
        own = self._db.execute(
            f"SELECT sort_key, id FROM articles {_where(conditions)} "
            "ORDER BY sort_key DESC, id DESC LIMIT ?",
            (*params, limit),
        ).fetchall()
        listed_conditions, listed_params = _membership(category, source, "l.")
        state = _state(unread_only, starred_only, "a.")
        listed_conditions += state
        listed_conditions.append(_VISIBLE_LISTING)
        if after is not None:
            listed_conditions.append("(l.sort_key, l.article_id) < (?, ?)")
            listed_params += [after.sort_key, after.id]
        # A listing carries its article's sort key, so its index gives the order.
        join = "JOIN articles a ON a.id = l.article_id" if state else ""
        listed = self._db.execute(
            f"SELECT DISTINCT l.sort_key, l.article_id FROM listings l {join} "
            f"{_where(listed_conditions)} ORDER BY l.sort_key DESC, l.article_id DESC LIMIT ?",
            (*listed_params, limit),
        ).fetchall()
        # Each side is the newest `limit` of its own, so the newest `limit` of both is here.
        page = sorted(
            set(own) | set(listed), key=lambda row: (_order_key(row[0]), row[1]), reverse=True
        )[:limit]
        return summaries(self._db, [int(article_id) for _, article_id in page])

    def _list_matching(
        self,
        category: Sequence[str],
        source: str | None,
        unread_only: bool,
        starred_only: bool,
        limit: int,
        after: Cursor | None,
        matching: CompiledFilter | None,
        hidden: bool,
    ) -> list[ArticleSummary]:
        """A page of a filter's articles (or of the hidden ones), in a category or a source
        too: a walk of ``articles_facts`` in list order, which holds every column tested."""
        conditions, params = filtered(category, source, unread_only, starred_only, matching, hidden)
        if after is not None:
            conditions.append("(sort_key, id) < (?, ?)")
            params += [after.sort_key, after.id]
        with deadline(self._db):
            rows = self._db.execute(
                f"SELECT id FROM articles INDEXED BY articles_facts {_where(conditions)} "
                "ORDER BY sort_key DESC, id DESC LIMIT ?",
                (*params, limit),
            ).fetchall()
        return summaries(self._db, [int(row[0]) for row in rows])

    @reading
    def category_tree(self) -> CategoryNode:
        """The category tree; every node's counts include its descendants.

        An article listed under several categories counts once in each node
        that holds any of them. The tree is at most ``MAX_CATEGORY_DEPTH``
        levels deep, as paths are since they were bounded on the way in: a
        deeper path in an older cache counts in its ancestor at that depth,
        whose list (a range on the path) holds it too. Built without recursion.
        """
        counts: dict[tuple[str, ...], list[int]] = {}
        for category, total, unread in self._db.execute(
            f"SELECT category, COUNT(*), SUM(read = 0) FROM articles WHERE {VISIBLE} "
            "GROUP BY category"
        ):
            path = split_category(category)[:MAX_CATEGORY_DEPTH]
            for depth in range(len(path) + 1):
                count = counts.setdefault(path[:depth], [0, 0])
                count[0] += total
                count[1] += unread
        self._count_listings(counts)
        root = CategoryNode(name="", path=())
        root.total_count, root.unread_count = counts.get((), [0, 0])
        nodes: dict[tuple[str, ...], CategoryNode] = {(): root}
        for path in sorted(counts, key=lambda path: (len(path), path)):
            if not path or len(path) > MAX_CATEGORY_DEPTH:
                continue
            total, unread = counts[path]
            node = nodes[path] = CategoryNode(path[-1], path, total, unread)
            nodes[path[:-1]].children[path[-1]] = node
        return root

    def _count_listings(self, counts: dict[tuple[str, ...], list[int]]) -> None:
        """Add to the category counts the articles listed under other categories.

        An article counts once in each node that holds any of its categories:
        a listing adds it to the nodes its own category does not reach. Most
        articles have at most one listing, and those are counted by category
        pair in SQL; the few with several are counted one by one.
        """
        several = "SELECT article_id FROM listings GROUP BY article_id HAVING COUNT(*) > 1"
        pairs = self._db.execute(
            "SELECT a.category, l.category, COUNT(*), SUM(a.read = 0) FROM listings l "
            f"JOIN {_ARTICLE_STATE} ON a.id = l.article_id WHERE l.article_id NOT IN ({several}) "
            f"AND {_VISIBLE_LISTING} "
            "GROUP BY a.category, l.category"
        )
        for own_category, listed_category, total, unread in pairs:
            own = split_category(own_category)
            covered = {own[:depth] for depth in range(len(own) + 1)}
            path = split_category(listed_category)
            for node in (path[:depth] for depth in range(len(path) + 1)):
                if node not in covered:
                    count = counts.setdefault(node, [0, 0])
                    count[0] += total
                    count[1] += unread
        nodes_of: dict[int, set[tuple[str, ...]]] = {}
        for article_id, listed_category, own_category, read in self._db.execute(
            "SELECT l.article_id, l.category, a.category, a.read FROM listings l "
            f"JOIN {_ARTICLE_STATE} ON a.id = l.article_id WHERE l.article_id IN ({several}) "
            f"AND {_VISIBLE_LISTING}"
        ):
            own = split_category(own_category)
            nodes = nodes_of.setdefault(article_id, {own[:d] for d in range(len(own) + 1)})
            path = split_category(listed_category)
            for node in (path[:depth] for depth in range(len(path) + 1)):
                if node not in nodes:
                    nodes.add(node)
                    count = counts.setdefault(node, [0, 0])
                    count[0] += 1
                    count[1] += not read

    @reading
    def source_counts(self) -> dict[str, tuple[int, int]]:
        """Per source (feed URL or file): (articles, unread articles), listings included."""
        counts: dict[str, tuple[int, int]] = {}
        for source, total, unread in self._db.execute(
            f"SELECT source, COUNT(*), SUM(read = 0) FROM articles WHERE {VISIBLE} GROUP BY source "
            "UNION ALL SELECT l.source, COUNT(*), SUM(a.read = 0) FROM listings l "
            f"JOIN {_ARTICLE_STATE} ON a.id = l.article_id WHERE {_VISIBLE_LISTING} "
            "GROUP BY l.source"
        ):
            before = counts.get(source, (0, 0))
            counts[source] = (before[0] + int(total), before[1] + int(unread))
        return counts

    @reading
    def merged_counts(self) -> dict[str, dict[MergeReason, int]]:
        """Per source: how many of its entries are articles another source brought, and why."""
        counts: dict[str, dict[MergeReason, int]] = {}
        for source, reason, count in self._db.execute(
            "SELECT source, reason, COUNT(*) FROM listings GROUP BY source, reason"
        ):
            counts.setdefault(source, {})[MergeReason(reason)] = int(count)
        return counts

    @reading
    def special_counts(self) -> tuple[int, int, int]:
        """(all, unread, starred) article counts, for the tree's virtual nodes."""
        # Three index-only counts: one pass over the table would read every body.
        total, unread, starred = (
            self._db.execute(f"SELECT COUNT(*) FROM articles WHERE {condition}").fetchone()[0]
            for condition in (VISIBLE, f"read = 0 AND {VISIBLE}", f"starred = 1 AND {VISIBLE}")
        )
        return int(total), int(unread), int(starred)

    @reading
    def ids_by_title(self, normalised_title: str) -> Sequence[int]:
        """Articles with exactly this normalised title, newest first."""
        rows = self._db.execute(
            "SELECT id FROM articles WHERE title_norm = ? ORDER BY sort_key DESC, id DESC",
            (normalised_title,),
        ).fetchall()
        return [int(row[0]) for row in rows]

    @reading
    def ids_by_title_prefix(self, normalised_prefix: str) -> Sequence[int]:
        """Articles whose normalised title starts with the prefix, newest first."""
        rows = self._db.execute(
            "SELECT id FROM articles WHERE title_norm >= ? AND title_norm < ? "
            "ORDER BY sort_key DESC, id DESC LIMIT 20",
            (normalised_prefix, normalised_prefix + "\U0010ffff"),
        ).fetchall()
        return [int(row[0]) for row in rows]

    @reading
    def ids_by_url(self, normalised_url: str) -> Sequence[int]:
        """Articles whose normalised url (or URL-shaped guid) is this, newest first."""
        rows = self._db.execute(
            "SELECT id FROM articles WHERE url_norm = ? ORDER BY sort_key DESC, id DESC",
            (normalised_url,),
        ).fetchall()
        return [int(row[0]) for row in rows]
