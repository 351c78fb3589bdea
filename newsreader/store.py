"""The local cache: articles and reading state in one SQLite file.

The schema is created and migrated on open (``PRAGMA user_version`` counts the
migrations applied); the file is in WAL mode so that readers never wait for a
writer. Articles are keyed by (source, guid): storing one again updates it in
place when its content changed and leaves read/starred state alone. Full-text
search is an FTS5 table without its own copy of the text (``content=''``); the
store removes an article's old terms itself when the article changes.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

from newsreader.links import normalise_title, normalise_url
from newsreader.model import (
    Article,
    ArticleSummary,
    CategoryNode,
    StoredArticle,
    body_from_json,
)

CATEGORY_SEPARATOR = "/"
BUSY_TIMEOUT_SECONDS = 30.0
CACHE_KIB = 32 * 1024
"""SQLite page cache per connection: enough to keep the indexes hot during an import."""


class StoreError(Exception):
    """The cache cannot be opened or used (corrupt, too new, unwritable)."""


class Outcome(StrEnum):
    """What storing one article did."""

    NEW = "new"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    DUPLICATE = "duplicate"


@dataclass(frozen=True, slots=True)
class Cursor:
    """Where a page of a list ended; pass it back for the next page."""

    sort_key: float
    id: int


def _body_text(title: str, body_json: str) -> str:
    """The searchable body text, derived from the stored body (so it can be deleted)."""
    sections, figures, links = body_from_json(json.loads(body_json))
    return Article(title, "", "", sections=sections, figures=figures, links=links).body_text()


def _run_script(db: sqlite3.Connection, script: str) -> None:
    """Run ;-separated DDL inside the caller's transaction (executescript would commit)."""
    for statement in script.split(";"):
        if statement.strip():
            db.execute(statement)


def _migrate_1(db: sqlite3.Connection) -> None:
    _run_script(
        db,
        """
        CREATE TABLE articles (
            id INTEGER PRIMARY KEY,
            source TEXT NOT NULL,
            guid TEXT NOT NULL,
            url TEXT,
            url_norm TEXT,
            title TEXT NOT NULL,
            title_norm TEXT NOT NULL,
            author TEXT,
            published REAL,
            sort_key REAL NOT NULL,
            category TEXT NOT NULL DEFAULT '',
            body TEXT NOT NULL,
            summary TEXT,
            content_hash TEXT NOT NULL,
            read INTEGER NOT NULL DEFAULT 0,
            starred INTEGER NOT NULL DEFAULT 0,
            added REAL NOT NULL,
            updated REAL NOT NULL,
            UNIQUE (source, guid)
        );
        CREATE INDEX articles_by_time ON articles (sort_key DESC, id DESC);
        CREATE INDEX articles_by_category ON articles (category, sort_key DESC, id DESC);
        CREATE INDEX articles_by_title ON articles (title_norm);
        CREATE INDEX articles_by_url ON articles (url_norm);
        CREATE INDEX articles_by_hash ON articles (content_hash);
        """,
    )


def _migrate_2(db: sqlite3.Connection) -> None:
    """Full-text search over title and body, filled from the articles already stored."""
    db.execute(
        "CREATE VIRTUAL TABLE articles_fts USING fts5(title, body, content='', "
        "detail='column', tokenize='porter unicode61 remove_diacritics 2')"
    )
    rows = db.execute("SELECT id, title, body FROM articles").fetchall()
    db.executemany(
        "INSERT INTO articles_fts (rowid, title, body) VALUES (?, ?, ?)",
        ((row[0], row[1], _body_text(row[1], row[2])) for row in rows),
    )


def _migrate_3(db: sqlite3.Connection) -> None:
    """Counts per category for the tree; starred articles for the Starred view."""
    _run_script(
        db,
        """
        CREATE INDEX articles_by_category_read ON articles (category, read);
        CREATE INDEX articles_starred ON articles (starred) WHERE starred = 1;
        """,
    )


MIGRATIONS: tuple[Callable[[sqlite3.Connection], None], ...] = (
    _migrate_1,
    _migrate_2,
    _migrate_3,
)
SCHEMA_VERSION = len(MIGRATIONS)

_SUMMARY_COLUMNS = "id, title, source, category, published, read, starred, sort_key"


def _summary(row: tuple[Any, ...]) -> ArticleSummary:
    id_, title, source, category, published, read, starred, sort_key = row
    return ArticleSummary(
        id=int(id_),
        title=str(title),
        source=str(source),
        categories=split_category(str(category)),
        published=_datetime(published),
        read=bool(read),
        starred=bool(starred),
        sort_key=float(sort_key),
    )


def _datetime(timestamp: object) -> datetime | None:
    if timestamp is None:
        return None
    return datetime.fromtimestamp(float(timestamp), tz=UTC)  # type: ignore[arg-type]


def join_category(path: Sequence[str]) -> str:
    """Store a category path as one string (``Updates/Politics``)."""
    return CATEGORY_SEPARATOR.join(part.replace(CATEGORY_SEPARATOR, "-") for part in path)


def split_category(value: str) -> tuple[str, ...]:
    """The inverse of :func:`join_category`."""
    return tuple(value.split(CATEGORY_SEPARATOR)) if value else ()


def fts_query(text: str) -> str:
    """Turn what a user typed into a safe FTS5 query: every word must match.

    Words are quoted, so FTS5 operators and punctuation typed by the user are
    searched for as text, never interpreted; the last word matches as a prefix.
    """
    words = [word.replace('"', '""') for word in text.split()]
    if not words:
        return ""
    quoted = [f'"{word}"' for word in words]
    quoted[-1] += "*"
    return " ".join(quoted)


class Store:
    """The SQLite cache. One instance per thread; close it when done."""

    def __init__(self, path: Path) -> None:
        """Open (creating and migrating as needed) the cache at ``path``.

        Raises:
            StoreError: the file is not a usable cache.
        """
        self.path = path
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(
                path, timeout=BUSY_TIMEOUT_SECONDS, isolation_level=None, check_same_thread=True
            )
        except (OSError, sqlite3.Error) as error:
            raise StoreError(f"cannot open the cache {path}: {error}") from error
        try:
            self._db.execute("PRAGMA journal_mode = WAL")
            self._db.execute("PRAGMA synchronous = NORMAL")
            self._db.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
            self._db.execute("PRAGMA foreign_keys = ON")
            self._migrate()
        except sqlite3.DatabaseError as error:
            self._db.close()
            raise StoreError(f"the cache {path} is damaged or not a cache: {error}") from error

    def _migrate(self) -> None:
        version = int(self._db.execute("PRAGMA user_version").fetchone()[0])
        if version > SCHEMA_VERSION:
            self._db.close()
            raise StoreError(
                f"the cache {self.path} was written by a newer newsreader "
                f"(schema {version}, this version knows {SCHEMA_VERSION})"
            )
        for number in range(version + 1, SCHEMA_VERSION + 1):
            with self.transaction():
                MIGRATIONS[number - 1](self._db)
                self._db.execute(f"PRAGMA user_version = {number}")

    def close(self) -> None:
        """Close the connection."""
        self._db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def transaction(self) -> _Transaction:
        """A write transaction (``with store.transaction(): ...``), committed on success."""
        return _Transaction(self._db)

    @property
    def schema_version(self) -> int:
        """The schema version of the open file."""
        return int(self._db.execute("PRAGMA user_version").fetchone()[0])

    # Writing

    def store_articles(
        self, articles: Iterable[Article], *, fallback_time: float | None = None
    ) -> list[tuple[Outcome, int]]:
        """Store articles in one transaction; returns (outcome, id) for each.

        Args:
            articles: What to store.
            fallback_time: Sort time for articles without a publication date
                (a file's modification time); defaults to now.
        """
        now = time.time()
        return self.store_dated((article, fallback_time or now) for article in articles)

    def store_dated(self, items: Iterable[tuple[Article, float]]) -> list[tuple[Outcome, int]]:
        """Like :meth:`store_articles`, with a fallback sort time for each article."""
        now = time.time()
        with self.transaction():
            return [self._store_one(article, now, fallback) for article, fallback in items]

    def _store_one(self, article: Article, now: float, fallback_time: float) -> tuple[Outcome, int]:
        body = article.body_json()
        content_hash = article.content_hash(body)
        existing = self._db.execute(
            "SELECT id, content_hash, title, body FROM articles WHERE source = ? AND guid = ?",
            (article.source, article.guid),
        ).fetchone()
        url_norm = _url_key(article)
        published = article.published.timestamp() if article.published else None
        sort_key = published if published is not None else fallback_time
        values = {
            "url": article.url,
            "url_norm": url_norm,
            "title": article.title,
            "title_norm": normalise_title(article.title),
            "author": article.author,
            "published": published,
            "sort_key": sort_key,
            "category": join_category(article.categories),
            "body": body,
            "summary": article.summary,
            "content_hash": content_hash,
        }
        if existing is not None:
            article_id, old_hash, old_title, old_body = existing
            if old_hash == content_hash:
                return Outcome.UNCHANGED, int(article_id)
            self._db.execute(
                "INSERT INTO articles_fts (articles_fts, rowid, title, body) "
                "VALUES ('delete', ?, ?, ?)",
                (article_id, old_title, _body_text(old_title, old_body)),
            )
            assignments = ", ".join(f"{column} = :{column}" for column in values)
            self._db.execute(
                f"UPDATE articles SET {assignments}, updated = :now WHERE id = :id",
                {**values, "now": now, "id": article_id},
            )
            self._index(int(article_id), article.title, article.body_text())
            return Outcome.UPDATED, int(article_id)
        duplicate = self._db.execute(
            "SELECT id FROM articles WHERE content_hash = ? "
            "UNION ALL SELECT id FROM articles WHERE url_norm = ? LIMIT 1",
            (content_hash, url_norm),
        ).fetchone()
        if duplicate is not None:
            return Outcome.DUPLICATE, int(duplicate[0])
        columns = ["source", "guid", *values, "added", "updated"]
        cursor = self._db.execute(
            f"INSERT INTO articles ({', '.join(columns)}) "
            f"VALUES ({', '.join(':' + c for c in columns)})",
            {
                **values,
                "source": article.source,
                "guid": article.guid,
                "added": now,
                "updated": now,
            },
        )
        article_id = int(cursor.lastrowid or 0)
        self._index(article_id, article.title, article.body_text())
        return Outcome.NEW, article_id

    def _index(self, article_id: int, title: str, body_text: str) -> None:
        self._db.execute(
            "INSERT INTO articles_fts (rowid, title, body) VALUES (?, ?, ?)",
            (article_id, title, body_text),
        )

    def set_read(self, article_id: int, read: bool = True) -> None:
        """Mark an article read or unread."""
        self._db.execute("UPDATE articles SET read = ? WHERE id = ?", (int(read), article_id))

    def set_starred(self, article_id: int, starred: bool = True) -> None:
        """Star or unstar an article."""
        self._db.execute("UPDATE articles SET starred = ? WHERE id = ?", (int(starred), article_id))

    # Reading

    def article_count(self) -> int:
        """How many articles the cache holds."""
        return int(self._db.execute("SELECT COUNT(*) FROM articles").fetchone()[0])

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
        sections, figures, links = body_from_json(json.loads(body))
        article = Article(
            title=title,
            source=source,
            guid=guid,
            url=url,
            published=_datetime(published),
            author=author,
            categories=split_category(category),
            sections=sections,
            figures=figures,
            links=links,
            summary=summary,
        )
        return StoredArticle(int(id_), article, bool(read), bool(starred), content_hash)

    def list_articles(
        self,
        category: Sequence[str] = (),
        *,
        unread_only: bool = False,
        starred_only: bool = False,
        limit: int = 50,
        after: Cursor | None = None,
    ) -> list[ArticleSummary]:
        """A page of articles, newest first, in a category and its sub-categories.

        Pass the last row's :class:`Cursor` as ``after`` for the next page.
        """
        conditions: list[str] = []
        params: list[object] = []
        if category:
            prefix = join_category(category)
            conditions.append("(category = ? OR (category >= ? AND category < ?))")
            # Every sub-category sorts between "A/" and "A0" ("0" follows "/").
            params += [prefix, prefix + CATEGORY_SEPARATOR, prefix + "0"]
        if unread_only:
            conditions.append("read = 0")
        if starred_only:
            conditions.append("starred = 1")
        if after is not None:
            conditions.append("(sort_key, id) < (?, ?)")
            params += [after.sort_key, after.id]
        where = f"WHERE {' AND '.join(conditions)}" if conditions else ""
        rows = self._db.execute(
            f"SELECT {_SUMMARY_COLUMNS} FROM articles {where} "
            "ORDER BY sort_key DESC, id DESC LIMIT ?",
            (*params, limit),
        ).fetchall()
        return [_summary(row) for row in rows]

    def search(self, text: str, *, limit: int = 50, offset: int = 0) -> list[ArticleSummary]:
        """Articles matching every word of ``text``: title matches first, then the rest.

        Within each group the most recently stored come first. Ranking every match
        by relevance (bm25) would cost time in proportion to the number of matches,
        which on a large cache is most of it; this costs only the page asked for.
        """
        query = fts_query(text)
        if not query:
            return []
        title_query = f"{{title}} : ({query})"
        tiers = (title_query, f"({query}) NOT ({title_query})")
        ids: list[int] = []
        skip = offset
        try:
            for tier in tiers:
                wanted = skip + limit - len(ids)
                rows = self._db.execute(
                    "SELECT rowid FROM articles_fts WHERE articles_fts MATCH ? "
                    "ORDER BY rowid DESC LIMIT ?",
                    (tier, wanted),
                ).fetchall()
                found = [int(row[0]) for row in rows]
                ids.extend(found[skip:])
                skip = max(0, skip - len(found))
                if len(ids) >= limit:
                    break
        except sqlite3.OperationalError:
            return []
        return self._summaries(ids[:limit])

    def _summaries(self, ids: Sequence[int]) -> list[ArticleSummary]:
        """Summaries of these articles, in the order given."""
        if not ids:
            return []
        placeholders = ", ".join("?" * len(ids))
        rows = self._db.execute(
            f"SELECT {_SUMMARY_COLUMNS} FROM articles WHERE id IN ({placeholders})", list(ids)
        ).fetchall()
        by_id = {row[0]: _summary(row) for row in rows}
        return [by_id[i] for i in ids if i in by_id]

    def category_tree(self) -> CategoryNode:
        """The category tree; every node's counts include its descendants."""
        root = CategoryNode(name="", path=())
        rows = self._db.execute(
            "SELECT category, COUNT(*), SUM(read = 0) FROM articles GROUP BY category"
        ).fetchall()
        for category, total, unread in rows:
            node = root
            root.total_count += total
            root.unread_count += unread
            for part in split_category(category):
                child = node.children.get(part)
                if child is None:
                    child = CategoryNode(name=part, path=(*node.path, part))
                    node.children[part] = child
                child.total_count += total
                child.unread_count += unread
                node = child
        return root

    # The lookup that links.resolve needs

    def ids_by_title(self, normalised_title: str) -> Sequence[int]:
        """Articles with exactly this normalised title, newest first."""
        rows = self._db.execute(
            "SELECT id FROM articles WHERE title_norm = ? ORDER BY sort_key DESC, id DESC",
            (normalised_title,),
        ).fetchall()
        return [int(row[0]) for row in rows]

    def ids_by_title_prefix(self, normalised_prefix: str) -> Sequence[int]:
        """Articles whose normalised title starts with the prefix, newest first."""
        rows = self._db.execute(
            "SELECT id FROM articles WHERE title_norm >= ? AND title_norm < ? "
            "ORDER BY sort_key DESC, id DESC LIMIT 20",
            (normalised_prefix, normalised_prefix + "\U0010ffff"),
        ).fetchall()
        return [int(row[0]) for row in rows]

    def ids_by_url(self, normalised_url: str) -> Sequence[int]:
        """Articles whose normalised url (or URL-shaped guid) is this, newest first."""
        rows = self._db.execute(
            "SELECT id FROM articles WHERE url_norm = ? ORDER BY sort_key DESC, id DESC",
            (normalised_url,),
        ).fetchall()
        return [int(row[0]) for row in rows]


def _url_key(article: Article) -> str | None:
    """The normalised address an article is known by: its url, else a URL-shaped guid."""
    if article.url:
        return normalise_url(article.url)
    if article.guid.startswith(("http://", "https://")):
        return normalise_url(article.guid)
    return None


class _Transaction:
    """BEGIN IMMEDIATE ... COMMIT, rolled back on error."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self._db = db

    def __enter__(self) -> None:
        self._db.execute("BEGIN IMMEDIATE")

    def __exit__(self, exc_type: type[BaseException] | None, *_: object) -> None:
        if exc_type is None:
            self._db.execute("COMMIT")
        else:
            self._db.execute("ROLLBACK")
