"""The local cache: articles and reading state in one SQLite file.

The schema is created and migrated on open (``PRAGMA user_version`` counts the
migrations applied); the file is in WAL mode so that readers never wait for a
writer. Articles are keyed by (source, guid): storing one again updates it in
place when its content changed and leaves read/starred state alone. Full-text
search is an FTS5 table without its own copy of the text (``content=''``); the
store removes an article's old terms itself when the article changes.
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

from newsreader.links import normalise_title, normalise_url
from newsreader.model import (
    Article,
    ArticleSummary,
    CategoryNode,
    FeedState,
    StoredArticle,
    body_from_json,
    enclosures_from_json,
    parts_to_json,
)

CATEGORY_SEPARATOR = "/"
BUSY_TIMEOUT_SECONDS = 30.0
CACHE_KIB = 32 * 1024
WAL_CHECKPOINT_PAGES = 8192
"""Checkpoint the WAL every 32 MiB rather than 4: a bulk write fsyncs the database less often."""
"""SQLite page cache per connection: enough to keep the indexes hot during an import."""


class StoreError(Exception):
    """The cache cannot be opened or used (corrupt, too new, unwritable)."""


class CacheDamaged(StoreError):
    """The cache file is not an SQLite database, or SQLite found it corrupt."""


class CacheTooNew(StoreError):
    """The cache was written by a newer newsreader, with a schema this one does not know."""


_DAMAGE_ERRORS = ("SQLITE_NOTADB", "SQLITE_CORRUPT")


class Outcome(StrEnum):
    """What storing one article did."""

    NEW = "new"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    DUPLICATE = "duplicate"
    """Another source brought the same article first: it is listed under this one too."""


class MergeReason(StrEnum):
    """Why an entry of one source was taken for an article another source brought."""

    SAME_CONTENT = "same-content"
    """Title, body, address and author are all the same."""
    SAME_ADDRESS_AND_TITLE = "same-address-and-title"
    """The same normalised address and the same title."""


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
class Cursor:
    """Where a page of a list ended; pass it back for the next page."""

    sort_key: float
    id: int


def _body_text(title: str, body_json: str) -> str:
    """The searchable body text, derived from the stored body (so it can be deleted)."""
    data = json.loads(body_json)
    sections, figures, links = body_from_json(data)
    return Article(
        title, "", "", sections=sections, figures=figures, links=links, body_html=data.get("html")
    ).body_text()


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


def _migrate_4(db: sqlite3.Connection) -> None:
    """Per-feed state: validators, body hash, last success and error, item count."""
    _run_script(
        db,
        """
        CREATE TABLE feeds (
            url TEXT PRIMARY KEY,
            title TEXT,
            etag TEXT,
            last_modified TEXT,
            body_hash TEXT,
            permanent_url TEXT,
            last_attempt REAL,
            last_success REAL,
            last_error TEXT,
            item_count INTEGER NOT NULL DEFAULT 0,
            retry_after REAL
        );
        CREATE INDEX articles_by_source ON articles (source, sort_key DESC)
        """,
    )


def _migrate_5(db: sqlite3.Connection) -> None:
    """Merge full-text segments less eagerly: writes cheaper, searches as fast."""
    db.execute("INSERT INTO articles_fts (articles_fts, rank) VALUES ('automerge', 8)")


def _migrate_6(db: sqlite3.Connection) -> None:
    """Per-feed unread counts from an index alone (the reader's tree, at start-up)."""
    db.execute("CREATE INDEX articles_by_source_read ON articles (source, read)")


def _migrate_7(db: sqlite3.Connection) -> None:
    """The other feeds and files that carry an article; addresses keep their fragment.

    An article is stored once, under the first source that brought it; every
    other source whose entry is the same article gets a listing, so that
    source's list and categories show it too. A listing keeps what telling the
    copies apart needs (the copy's own hash, address and title) and the
    article's sort key, so that a source's listings page by index as its
    articles do. Counting listings reads each one's article's ``read`` and
    ``category``: ``articles_state`` holds them beside the id, since in the
    table they lie after the body, and reading past a long body is most of the
    cost of such a count (a sixth of the time, measured on 66,000 listings).
    ``repeated_ids`` counts the entries a feed's last body dropped
    for repeating an earlier entry's id; ``category`` is the category its
    articles were last filed under (a feed moved in the config moves them).

    Every feed forgets its validators and last body hash, so that the next
    refresh parses each feed once more by the new rules (entries told apart by
    their anchors, encodings and HTML titles read right); its articles are
    updated in place and keep their read and starred marks.
    """
    _run_script(
        db,
        """
        CREATE TABLE listings (
            source TEXT NOT NULL,
            guid TEXT NOT NULL,
            article_id INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
            category TEXT NOT NULL DEFAULT '',
            sort_key REAL NOT NULL,
            content_hash TEXT NOT NULL,
            url_norm TEXT,
            title_norm TEXT NOT NULL,
            reason TEXT NOT NULL,
            PRIMARY KEY (source, guid)
        );
        CREATE INDEX listings_by_article ON listings (article_id);
        CREATE INDEX listings_by_source ON listings (source, sort_key DESC, article_id DESC);
        CREATE INDEX listings_by_category ON listings (category, sort_key DESC, article_id DESC);
        CREATE INDEX articles_state ON articles (id, read, category);
        ALTER TABLE feeds ADD COLUMN repeated_ids INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE feeds ADD COLUMN category TEXT;
        UPDATE feeds SET etag = NULL, last_modified = NULL, body_hash = NULL
        """,
    )
    rows = db.execute(
        "SELECT id, url, guid FROM articles WHERE instr(url, '#') OR "
        "(url IS NULL AND instr(guid, '#') AND guid LIKE 'http%')"
    ).fetchall()
    db.executemany(
        "UPDATE articles SET url_norm = ? WHERE id = ?",
        ((normalise_url(url or guid), article_id) for article_id, url, guid in rows),
    )


MIGRATIONS: tuple[Callable[[sqlite3.Connection], None], ...] = (
    _migrate_1,
    _migrate_2,
    _migrate_3,
    _migrate_4,
    _migrate_5,
    _migrate_6,
    _migrate_7,
)
SCHEMA_VERSION = len(MIGRATIONS)

_FEED_COLUMNS = (
    "url, title, etag, last_modified, body_hash, permanent_url, last_attempt, last_success, "
    "last_error, item_count, retry_after, repeated_ids, category"
)
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


_ARTICLE_STATE = "articles a INDEXED BY articles_state"
"""Articles joined to their listings for counts: their state without reading their bodies."""
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


def _state(unread_only: bool, starred_only: bool, table: str = "") -> list[str]:
    """WHERE conditions for unread and starred articles."""
    return [f"{table}read = 0"] * unread_only + [f"{table}starred = 1"] * starred_only


def _where(conditions: Sequence[str]) -> str:
    return f"WHERE {' AND '.join(conditions)}" if conditions else ""


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
        except OSError as error:
            raise StoreError(f"cannot create the cache folder {path.parent}: {error}") from error
        if not os.access(path.parent, os.W_OK | os.X_OK):
            # SQLite needs to create its -wal and -shm files next to the cache.
            raise StoreError(f"the cache folder {path.parent} is not writable")
        try:
            self._db = sqlite3.connect(
                path, timeout=BUSY_TIMEOUT_SECONDS, isolation_level=None, check_same_thread=True
            )
        except (OSError, sqlite3.Error) as error:
            raise StoreError(f"cannot open the cache {path}: {error}") from error
        try:
            self._db.execute("PRAGMA journal_mode = WAL")
            self._db.execute("PRAGMA synchronous = NORMAL")
            self._db.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
            self._db.execute(f"PRAGMA wal_autocheckpoint = {WAL_CHECKPOINT_PAGES}")
            self._db.execute("PRAGMA foreign_keys = ON")
            self._migrate()
        except StoreError:
            self._db.close()
            raise
        except sqlite3.DatabaseError as error:
            self._db.close()
            if is_damage(error):
                message = f"the cache {path} is damaged or not a cache: {error}"
                raise CacheDamaged(message) from error
            raise StoreError(f"cannot open the cache {path}: {error}") from error

    def _migrate(self) -> None:
        version = int(self._db.execute("PRAGMA user_version").fetchone()[0])
        if version > SCHEMA_VERSION:
            raise CacheTooNew(
                f"the cache {self.path} was written by a newer newsreader "
                f"(schema {version}, this version knows {SCHEMA_VERSION}); upgrade newsreader, "
                "or run `newsreader cache reset` to move it aside and start a new cache"
            )
        for number in range(version + 1, SCHEMA_VERSION + 1):
            with self.transaction():
                # Another process may have migrated while this one waited for the lock.
                if self.schema_version >= number:
                    continue
                MIGRATIONS[number - 1](self._db)
                self._db.execute(f"PRAGMA user_version = {number}")

    def close(self) -> None:
        """Close the connection."""
        self._db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def integrity_problems(self, limit: int = 20) -> list[str]:
        """What ``PRAGMA integrity_check`` finds wrong; empty when the file is sound."""
        try:
            rows = self._db.execute(f"PRAGMA integrity_check({int(limit)})").fetchall()
        except sqlite3.DatabaseError as error:
            return [str(error)]
        problems = [str(row[0]) for row in rows]
        return [] if problems == ["ok"] else problems

    def transaction(self) -> _Transaction:
        """A write transaction (``with store.transaction(): ...``), committed on success."""
        return _Transaction(self._db, self.path)

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
        return self.store_prepared(
            [prepare_article(article, fallback_time or now) for article in articles]
        )

    def store_prepared(self, rows: list[PreparedArticle]) -> list[tuple[Outcome, int]]:
        """Store articles already prepared with :func:`prepare_article`, in one transaction."""
        if not rows:
            return []
        with self.transaction():
            return self._store_rows(rows, time.time())

    def _store_rows(self, rows: list[PreparedArticle], now: float) -> list[tuple[Outcome, int]]:
        existing = self._existing(rows, "articles", "id")
        has_listings = self._db.execute("SELECT EXISTS (SELECT 1 FROM listings)").fetchone()[0]
        listed = self._existing(rows, "listings", "article_id") if has_listings else {}
        self._claim_previous_keys(rows, existing, listed)
        # Only an entry new to its source can be another source's article.
        known = self._known(
            [row for row in rows if _key(row) not in existing and _key(row) not in listed]
        )
        next_id = int(self._db.execute("SELECT COALESCE(MAX(id), 0) FROM articles").fetchone()[0])
        results: list[tuple[Outcome, int]] = []
        inserts: list[dict[str, object]] = []
        index_rows: list[tuple[int, str, str]] = []
        pending: dict[tuple[object, object], int] = {}
        new_listings: dict[tuple[object, object], dict[str, object]] = {}

        def insert(row: PreparedArticle, read: int = 0, starred: int = 0) -> int:
            nonlocal next_id
            next_id += 1
            key = _key(row)
            pending[key] = len(inserts)
            inserts.append(
                {**row.values, "id": next_id, "added": now, "updated": now}
                | {"read": read, "starred": starred}
            )
            index_rows.append((next_id, str(row.values["title"]), row.search_text))
            existing[key] = (next_id, str(row.values["content_hash"]), row.values["category"])
            known.add(next_id, row.values)
            return next_id

        for row in rows:
            values = row.values
            key = _key(row)
            content_hash = str(values["content_hash"])
            found = existing.get(key)
            if found is not None:
                article_id, old_hash, old_category = found
                if old_hash == content_hash:
                    if old_category == values["category"]:
                        results.append((Outcome.UNCHANGED, article_id))
                        continue
                    # Only its place changed: the category it is configured under.
                    if key in pending:
                        inserts[pending[key]]["category"] = values["category"]
                    else:
                        self._db.execute(
                            "UPDATE articles SET category = ? WHERE id = ?",
                            (values["category"], article_id),
                        )
                elif key in pending:
                    # The same entry twice in one batch: the later copy wins.
                    position = pending[key]
                    inserts[position] = {**inserts[position], **values}
                    index_rows[position] = (article_id, str(values["title"]), row.search_text)
                else:
                    self._update(article_id, row, now)
                existing[key] = (article_id, content_hash, values["category"])
                results.append((Outcome.UPDATED, article_id))
                continue
            listing = listed.get(key)
            if listing is not None:
                results.append(self._store_listed(row, listing, new_listings, known, insert))
                listed[key] = (listing[0], content_hash, values["category"])
                continue
            same = known.same_article(values)
            if same is not None:
                article_id, reason = same
                new_listings[key] = _listing(values, article_id, known.sort_keys[article_id])
                new_listings[key]["reason"] = reason.value
                listed[key] = (article_id, content_hash, values["category"])
                known.sources[article_id].add(str(values["source"]))
                results.append((Outcome.DUPLICATE, article_id))
                continue
            results.append((Outcome.NEW, insert(row)))
        if inserts:
            columns = list(inserts[0])
            self._db.executemany(
                f"INSERT INTO articles ({', '.join(columns)}) "
                f"VALUES ({', '.join(':' + c for c in columns)})",
                inserts,
            )
            self._db.executemany(
                "INSERT INTO articles_fts (rowid, title, body) VALUES (?, ?, ?)", index_rows
            )
        if new_listings:
            self._db.executemany(
                f"INSERT INTO listings ({_LISTING_COLUMNS}) "
                f"VALUES ({', '.join(':' + c for c in _LISTING_COLUMNS.split(', '))})",
                list(new_listings.values()),
            )
        return results

    def _store_listed(
        self,
        row: PreparedArticle,
        listing: tuple[int, str, object],
        new_listings: dict[tuple[object, object], dict[str, object]],
        known: _KnownArticles,
        insert: Callable[[PreparedArticle, int, int], int],
    ) -> tuple[Outcome, int]:
        """Store again an entry that is listed under another source's article."""
        values = row.values
        key = _key(row)
        article_id, old_hash, old_category = listing
        if old_hash == values["content_hash"] and old_category == values["category"]:
            return Outcome.UNCHANGED, article_id
        if key in new_listings:
            # Listed earlier in this batch: the later copy wins.
            new_listings[key] |= _listing(values, article_id, new_listings[key]["sort_key"])
            return Outcome.UNCHANGED, article_id
        if self._still_same(article_id, values):
            # The copy changed a little (or moved) and is still the same article.
            self._db.execute(
                "UPDATE listings SET content_hash = ?, category = ?, url_norm = ?, "
                "title_norm = ? WHERE source = ? AND guid = ?",
                (values["content_hash"], values["category"], values["url_norm"],
                 values["title_norm"], *key),
            )  # fmt: skip
            return Outcome.UNCHANGED, article_id
        # It has become an article of its own; it keeps what the reader did.
        self._db.execute("DELETE FROM listings WHERE source = ? AND guid = ?", key)
        known.sources.get(article_id, set()).discard(str(values["source"]))
        read, starred = self._db.execute(
            "SELECT read, starred FROM articles WHERE id = ?", (article_id,)
        ).fetchone()
        return Outcome.UPDATED, insert(row, read, starred)

    def _claim_previous_keys(
        self,
        rows: list[PreparedArticle],
        existing: dict[tuple[object, object], tuple[int, str, object]],
        listed: dict[tuple[object, object], tuple[int, str, object]],
    ) -> None:
        """Give a cached row stored under an entry's previous id the entry's id now.

        When the rule that makes an entry's id changes, the cached row (and its
        read and starred marks) must still be that entry's, not be stored again
        beside it. Each old row goes to the first entry that claims it.
        """
        batch = {_key(row) for row in rows}
        for row in rows:
            key = _key(row)
            if not row.previous_guids or key in existing or key in listed:
                continue
            # An id that an entry of this batch has now is that entry's, not an old one.
            previous = [guid for guid in row.previous_guids if (key[0], guid) not in batch]
            if not previous:
                continue
            for table, id_column, found in (
                ("articles", "id", existing),
                ("listings", "article_id", listed),
            ):
                old = self._db.execute(
                    f"SELECT guid, {id_column}, content_hash, category FROM {table} "
                    f"WHERE source = ? AND guid IN ({', '.join('?' * len(previous))}) LIMIT 1",
                    (key[0], *previous),
                ).fetchone()
                if old is not None:
                    old_guid, article_id, content_hash, category = old
                    self._db.execute(
                        f"UPDATE {table} SET guid = ? WHERE source = ? AND guid = ?",
                        (key[1], key[0], old_guid),
                    )
                    found[key] = (int(article_id), content_hash, category)
                    break

    def _existing(
        self, rows: list[PreparedArticle], table: str, id_column: str
    ) -> dict[tuple[object, object], tuple[int, str, object]]:
        """(source, guid) -> (article id, content hash, category) for the rows stored in
        ``table`` (``articles``, or ``listings`` for the copies other sources carry)."""
        found: dict[tuple[object, object], tuple[int, str, object]] = {}
        by_source: dict[object, list[object]] = {}
        for row in rows:
            by_source.setdefault(row.values["source"], []).append(row.values["guid"])
        for source, guids in by_source.items():
            for chunk in _chunks(guids):
                for guid, article_id, content_hash, category in self._db.execute(
                    f"SELECT guid, {id_column}, content_hash, category FROM {table} "
                    f"WHERE source = ? AND guid IN ({', '.join('?' * len(chunk))})",
                    (source, *chunk),
                ):
                    found[(source, guid)] = (int(article_id), content_hash, category)
        return found

    def _known(self, rows: list[PreparedArticle]) -> _KnownArticles:
        """The stored articles that rows of a batch could be copies of, and their sources."""
        known = _KnownArticles()
        hashes = [row.values["content_hash"] for row in rows]
        urls = [row.values["url_norm"] for row in rows if row.values["url_norm"]]
        for column, values in (("content_hash", hashes), ("url_norm", urls)):
            for chunk in _chunks(values):
                marks = ", ".join("?" * len(chunk))
                for article_id, *found in self._db.execute(
                    "SELECT id, source, content_hash, url_norm, title_norm, sort_key "
                    f"FROM articles WHERE {column} IN ({marks}) ORDER BY id",
                    chunk,
                ):
                    keys = ("source", "content_hash", "url_norm", "title_norm", "sort_key")
                    known.add(int(article_id), dict(zip(keys, found, strict=True)))
        for chunk in _chunks(list(known.sources)):
            marks = ", ".join("?" * len(chunk))
            for article_id, source in self._db.execute(
                f"SELECT article_id, source FROM listings WHERE article_id IN ({marks})", chunk
            ):
                known.sources[int(article_id)].add(str(source))
        return known

    def _still_same(self, article_id: int, values: dict[str, object]) -> bool:
        """Whether an entry is still a copy of the stored article it was listed under."""
        row = self._db.execute(
            "SELECT content_hash, url_norm, title_norm FROM articles WHERE id = ?", (article_id,)
        ).fetchone()
        return row is not None and _same_article(values, *row)

    def _update(self, article_id: int, row: PreparedArticle, now: float) -> None:
        """Replace a changed article's content, keeping its id and reading state."""
        old_title, old_body = self._db.execute(
            "SELECT title, body FROM articles WHERE id = ?", (article_id,)
        ).fetchone()
        self._db.execute(
            "INSERT INTO articles_fts (articles_fts, rowid, title, body) "
            "VALUES ('delete', ?, ?, ?)",
            (article_id, old_title, _body_text(old_title, old_body)),
        )
        values = {k: v for k, v in row.values.items() if k not in ("source", "guid")}
        assignments = ", ".join(f"{column} = :{column}" for column in values)
        self._db.execute(
            f"UPDATE articles SET {assignments}, updated = :now WHERE id = :id",
            {**values, "now": now, "id": article_id},
        )
        self._index(article_id, str(row.values["title"]), row.search_text)
        self._recheck_listings(article_id, row.values)

    def _recheck_listings(self, article_id: int, values: Mapping[str, object]) -> None:
        """After an article changed: the copies other sources list under it still are
        copies of it, or they become articles of their own again.

        A listing keeps no text of its own, so its source is made to send its
        entry again: the next refresh downloads and parses that feed (a file is
        read at every import anyway) and stores the entry as an article.
        """
        listings = self._db.execute(
            "SELECT source, guid, content_hash, url_norm, title_norm FROM listings "
            "WHERE article_id = ?",
            (article_id,),
        ).fetchall()
        for source, guid, content_hash, url_norm, title_norm in listings:
            if _same_article(values, content_hash, url_norm, title_norm):
                continue
            self._db.execute("DELETE FROM listings WHERE source = ? AND guid = ?", (source, guid))
            self._db.execute(
                "UPDATE feeds SET etag = NULL, last_modified = NULL, body_hash = NULL "
                "WHERE url = ?",
                (source,),
            )
        if listings:
            self._db.execute(
                "UPDATE listings SET sort_key = ? WHERE article_id = ?",
                (values["sort_key"], article_id),
            )

    def _index(self, article_id: int, title: str, body_text: str) -> None:
        self._db.execute(
            "INSERT INTO articles_fts (rowid, title, body) VALUES (?, ?, ?)",
            (article_id, title, body_text),
        )

    def set_read(self, article_id: int, read: bool = True) -> None:
        """Mark an article read or unread."""
        with self.transaction():
            self._db.execute("UPDATE articles SET read = ? WHERE id = ?", (int(read), article_id))

    def set_starred(self, article_id: int, starred: bool = True) -> None:
        """Star or unstar an article."""
        with self.transaction():
            self._db.execute(
                "UPDATE articles SET starred = ? WHERE id = ?", (int(starred), article_id)
            )

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
        data = json.loads(body)
        sections, figures, links = body_from_json(data)
        article = Article(
            enclosures=enclosures_from_json(data),
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
            body_html=data.get("html") if not sections else None,
        )
        return StoredArticle(int(id_), article, bool(read), bool(starred), content_hash)

    def replace_sections(self, article_id: int, converted: Article) -> None:
        """Keep sections made for an article (from its feed HTML, or its full page).

        The feed's HTML stays, and with it the content hash, so the next refresh
        sees the entry as unchanged; the search index moves to the new text.
        """
        row = self._db.execute(
            "SELECT title, body FROM articles WHERE id = ?", (article_id,)
        ).fetchone()
        if row is None:
            return
        title, old_body = row
        data = json.loads(old_body)
        data.update(parts_to_json(converted))
        new_body = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
        with self.transaction():
            self._db.execute(
                "INSERT INTO articles_fts (articles_fts, rowid, title, body) "
                "VALUES ('delete', ?, ?, ?)",
                (article_id, title, _body_text(title, old_body)),
            )
            self._db.execute("UPDATE articles SET body = ? WHERE id = ?", (new_body, article_id))
            self._index(article_id, title, _body_text(title, new_body))

    def list_articles(
        self,
        category: Sequence[str] = (),
        *,
        unread_only: bool = False,
        starred_only: bool = False,
        source: str | None = None,
        limit: int = 50,
        after: Cursor | None = None,
    ) -> list[ArticleSummary]:
        """A page of articles, newest first, in a category and its sub-categories.

        A category or a source includes the articles it carries that another
        source brought first (its listings). Pass the last row's :class:`Cursor`
        as ``after`` for the next page.
        """
        conditions, params = _membership(category, source)
        conditions += _state(unread_only, starred_only)
        if after is not None:
            conditions.append("(sort_key, id) < (?, ?)")
            params += [after.sort_key, after.id]
        if not category and source is None:
            rows = self._db.execute(
                f"SELECT {_SUMMARY_COLUMNS} FROM articles {_where(conditions)} "
                "ORDER BY sort_key DESC, id DESC LIMIT ?",
                (*params, limit),
            ).fetchall()
            return [_summary(row) for row in rows]
        own = self._db.execute(
            f"SELECT sort_key, id FROM articles {_where(conditions)} "
            "ORDER BY sort_key DESC, id DESC LIMIT ?",
            (*params, limit),
        ).fetchall()
        listed_conditions, listed_params = _membership(category, source, "l.")
        state = _state(unread_only, starred_only, "a.")
        listed_conditions += state
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
        page = sorted(set(own) | set(listed), reverse=True)[:limit]
        return self._summaries([int(article_id) for _, article_id in page])

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
        """The category tree; every node's counts include its descendants.

        An article listed under several categories counts once in each node
        that holds any of them. The tree is at most ``MAX_CATEGORY_DEPTH``
        levels deep, as paths are since they were bounded on the way in: a
        deeper path in an older cache counts in its ancestor at that depth,
        whose list (a range on the path) holds it too. Built without recursion.
        """
        from newsreader.extract import MAX_CATEGORY_DEPTH

        counts: dict[tuple[str, ...], list[int]] = {}
        for category, total, unread in self._db.execute(
            "SELECT category, COUNT(*), SUM(read = 0) FROM articles GROUP BY category"
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
            f"JOIN {_ARTICLE_STATE} ON a.id = l.article_id WHERE l.article_id IN ({several})"
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

    # Feeds

    def feed_state(self, url: str) -> FeedState:
        """What is known about a feed (an empty state for a feed never refreshed)."""
        row = self._db.execute(
            f"SELECT {_FEED_COLUMNS} FROM feeds WHERE url = ?", (url,)
        ).fetchone()
        return FeedState(*row) if row else FeedState(url)

    def feed_states(self) -> dict[str, FeedState]:
        """Every feed's state, by URL."""
        rows = self._db.execute(f"SELECT {_FEED_COLUMNS} FROM feeds").fetchall()
        return {row[0]: FeedState(*row) for row in rows}

    def file_feed(self, url: str, category: Sequence[str]) -> None:
        """File a feed's articles (and its listings) under its category, as the config now
        says, and remember it there (a feed moved in the config takes its articles along)."""
        stored = join_category(category)
        with self.transaction():
            for table in ("articles", "listings"):
                self._db.execute(
                    f"UPDATE {table} SET category = ? WHERE source = ? AND category <> ?",
                    (stored, url, stored),
                )
            self._db.execute(
                "INSERT INTO feeds (url, category) VALUES (?, ?) "
                "ON CONFLICT (url) DO UPDATE SET category = excluded.category",
                (url, stored),
            )

    def save_feed_state(self, state: FeedState) -> None:
        """Store a feed's state, replacing what was there."""
        columns = _FEED_COLUMNS.split(", ")
        with self.transaction():
            self._db.execute(
                f"INSERT OR REPLACE INTO feeds ({_FEED_COLUMNS}) "
                f"VALUES ({', '.join('?' * len(columns))})",
                tuple(getattr(state, column) for column in columns),
            )

    def prune(self, source: str, *, older_than: float | None, keep_newest: int | None) -> int:
        """Remove a source's old articles; starred articles are never removed.

        An article another source also carries stays for that source: only this
        source's listing of it goes (and if it was stored under this source, it
        moves to one of the others).

        Args:
            source: The feed URL (or file) whose articles to prune.
            older_than: Remove articles sorted before this time (epoch seconds).
            keep_newest: Keep at most this many of the source's newest articles.

        Returns:
            How many articles left the source.
        """
        carried = self._db.execute(
            "SELECT sort_key, id, starred, 1 FROM articles WHERE source = ? "
            "UNION ALL SELECT a.sort_key, a.id, a.starred, 0 FROM listings l "
            "JOIN articles a ON a.id = l.article_id WHERE l.source = ? "
            "ORDER BY 1 DESC, 2 DESC",
            (source, source),
        ).fetchall()
        doomed = [
            (int(article_id), bool(own))
            for position, (sort_key, article_id, starred, own) in enumerate(carried)
            if not starred
            and (
                (older_than is not None and sort_key < older_than)
                or (keep_newest is not None and position >= keep_newest)
            )
        ]
        if not doomed:
            return 0
        with self.transaction():
            for article_id, own in doomed:
                if not own:
                    self._db.execute(
                        "DELETE FROM listings WHERE source = ? AND article_id = ?",
                        (source, article_id),
                    )
                elif not self._move_to_a_listing(article_id):
                    self._delete(article_id)
        return len(doomed)

    def _move_to_a_listing(self, article_id: int) -> bool:
        """Store an article under another source that carries it; False if there is none."""
        other = self._db.execute(
            "SELECT source, guid, category FROM listings WHERE article_id = ? "
            "ORDER BY rowid LIMIT 1",
            (article_id,),
        ).fetchone()
        if other is None:
            return False
        source, guid, category = other
        self._db.execute("DELETE FROM listings WHERE source = ? AND guid = ?", (source, guid))
        self._db.execute(
            "UPDATE articles SET source = ?, guid = ?, category = ? WHERE id = ?",
            (source, guid, category, article_id),
        )
        return True

    def _delete(self, article_id: int) -> None:
        """Delete an article and its search terms (its listings go with it)."""
        title, body = self._db.execute(
            "SELECT title, body FROM articles WHERE id = ?", (article_id,)
        ).fetchone()
        self._db.execute(
            "INSERT INTO articles_fts (articles_fts, rowid, title, body) "
            "VALUES ('delete', ?, ?, ?)",
            (article_id, title, _body_text(title, body)),
        )
        self._db.execute("DELETE FROM articles WHERE id = ?", (article_id,))

    def source_counts(self) -> dict[str, tuple[int, int]]:
        """Per source (feed URL or file): (articles, unread articles), listings included."""
        counts: dict[str, tuple[int, int]] = {}
        for source, total, unread in self._db.execute(
            "SELECT source, COUNT(*), SUM(read = 0) FROM articles GROUP BY source "
            "UNION ALL SELECT l.source, COUNT(*), SUM(a.read = 0) FROM listings l "
            f"JOIN {_ARTICLE_STATE} ON a.id = l.article_id GROUP BY l.source"
        ):
            before = counts.get(source, (0, 0))
            counts[source] = (before[0] + int(total), before[1] + int(unread))
        return counts

    def merged_counts(self) -> dict[str, dict[MergeReason, int]]:
        """Per source: how many of its entries are articles another source brought, and why."""
        counts: dict[str, dict[MergeReason, int]] = {}
        for source, reason, count in self._db.execute(
            "SELECT source, reason, COUNT(*) FROM listings GROUP BY source, reason"
        ):
            counts.setdefault(source, {})[MergeReason(reason)] = int(count)
        return counts

    def special_counts(self) -> tuple[int, int, int]:
        """(all, unread, starred) article counts, for the tree's virtual nodes."""
        # Three index-only counts: one pass over the table would read every body.
        total = self._db.execute("SELECT COUNT(*) FROM articles").fetchone()[0]
        unread = self._db.execute("SELECT COUNT(*) FROM articles WHERE read = 0").fetchone()[0]
        starred = self._db.execute("SELECT COUNT(*) FROM articles WHERE starred = 1").fetchone()[0]
        return int(total), int(unread), int(starred)

    def mark_all_read(
        self, category: Sequence[str] = (), *, source: str | None = None, starred_only: bool = False
    ) -> int:
        """Mark every article of a category (and below), a source, or all, read."""
        conditions = _state(True, starred_only)
        params: list[object] = []
        if category or source is not None:
            own, own_params = _membership(category, source)
            listed, listed_params = _membership(category, source, "l.")
            conditions.append(
                f"({' AND '.join(own)} OR id IN "
                f"(SELECT l.article_id FROM listings l WHERE {' AND '.join(listed)}))"
            )
            params = own_params + listed_params
        with self.transaction():
            cursor = self._db.execute(f"UPDATE articles SET read = 1 {_where(conditions)}", params)
        return cursor.rowcount

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


def prepare_article(article: Article, fallback_time: float) -> PreparedArticle:
    """Column values for an article; ``fallback_time`` sorts it when it has no date."""
    body = article.body_json()
    published = article.published.timestamp() if article.published else None
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
    }
    return PreparedArticle(values, article.body_text(), article.previous_guids)


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


def _chunks(values: list[object]) -> Iterator[list[object]]:
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


def is_damage(error: BaseException) -> bool:
    """True when an SQLite error says the file is corrupt or not a database."""
    name = getattr(error, "sqlite_errorname", "") or ""
    return name.startswith(_DAMAGE_ERRORS)


def move_aside(path: Path, label: str) -> Path:
    """Rename the cache (and its -wal and -shm files) to ``<name>.<label>-<timestamp>``.

    Nothing is deleted: the user can inspect or restore the old file.
    """
    stamp = datetime.now().strftime("%Y%m%dT%H%M%S")
    target = path.with_name(f"{path.name}.{label}-{stamp}")
    counter = 1
    while target.exists():
        counter += 1
        target = path.with_name(f"{path.name}.{label}-{stamp}-{counter}")
    for suffix in ("-wal", "-shm"):
        companion = path.with_name(path.name + suffix)
        if companion.exists():
            companion.rename(target.with_name(target.name + suffix))
    path.rename(target)
    return target


def open_cache(path: Path) -> tuple[Store, Path | None]:
    """Open the cache; a damaged one is moved aside and a new one started.

    Returns the store and, when the old file was moved aside, where it went.
    A cache from a newer version is never moved without the user asking
    (:class:`CacheTooNew` is raised).
    """
    try:
        return Store(path), None
    except CacheDamaged as damage:
        try:
            moved = move_aside(path, "damaged")
        except OSError as error:
            raise StoreError(f"{damage}; it could not be moved aside: {error}") from error
        return Store(path), moved


def write_error(path: Path, error: sqlite3.Error) -> StoreError:
    """A StoreError that says in plain words why a write to the cache failed."""
    name = getattr(error, "sqlite_errorname", "") or ""
    if name.startswith("SQLITE_FULL"):
        reason = "the disk is full"
    elif name.startswith("SQLITE_IOERR"):
        reason = f"the disk refused the write, full or over a size limit ({error})"
    elif name.startswith("SQLITE_READONLY"):
        reason = "the file or its folder is read-only"
    elif name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")):
        reason = f"another newsreader kept it busy for over {BUSY_TIMEOUT_SECONDS:g} s"
    elif is_damage(error):
        return CacheDamaged(
            f"the cache {path} is damaged ({error}); run `newsreader cache reset` "
            "to move it aside and start a new cache"
        )
    else:
        reason = str(error)
    return StoreError(f"cannot write to the cache {path}: {reason}; nothing was half-written")


class _Transaction:
    """BEGIN IMMEDIATE ... COMMIT, rolled back on error."""

    def __init__(self, db: sqlite3.Connection, path: Path) -> None:
        self._db = db
        self._path = path

    def __enter__(self) -> None:
        try:
            self._db.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as error:
            raise write_error(self._path, error) from error

    def __exit__(
        self, exc_type: type[BaseException] | None, error: BaseException | None, *_: object
    ) -> None:
        if exc_type is None:
            try:
                self._db.execute("COMMIT")
            except sqlite3.Error as commit_error:
                self._rollback()
                raise write_error(self._path, commit_error) from commit_error
            return
        self._rollback()
        if isinstance(error, sqlite3.Error):
            raise write_error(self._path, error) from error

    def _rollback(self) -> None:
        # After some errors SQLite has already rolled back, and ROLLBACK then fails.
        with contextlib.suppress(sqlite3.Error):
            self._db.execute("ROLLBACK")
