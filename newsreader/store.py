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
import math
import os
import re
import sqlite3
import threading
import time
import weakref
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

try:
    import fcntl
except ImportError:  # not on Windows: there the cache is not locked
    fcntl = None  # type: ignore[assignment]

from newsreader.extract.dates import EARLIEST_DATE, plausible_timestamp, timestamp_of
from newsreader.links import normalise_title, normalise_url
from newsreader.model import (
    CATEGORY_SEPARATOR,
    MAX_CATEGORY_DEPTH,
    Article,
    ArticleSummary,
    CategoryNode,
    Enclosure,
    FeedState,
    Figure,
    Link,
    LinkKind,
    Section,
    StoredArticle,
    body_from_json,
    enclosures_from_json,
    parts_to_json,
)

BUSY_TIMEOUT_SECONDS = 30.0
CACHE_KIB = 32 * 1024
WAL_CHECKPOINT_PAGES = 8192
"""Checkpoint the WAL every 32 MiB rather than 4: a bulk write fsyncs the database less often."""
"""SQLite page cache per connection: enough to keep the indexes hot during an import."""


class StoreError(Exception):
    """The cache cannot be opened or used (corrupt, too new, unwritable)."""


class SearchError(StoreError):
    """The search index could not answer a search."""


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


UNREADABLE_BODY = "This article's stored text is unreadable."
"""What an article whose stored body is not a body shows instead (see :func:`read_body`)."""


@dataclass(frozen=True, slots=True)
class StoredBody:
    """The parts of a stored body, read and checked."""

    sections: tuple[Section, ...]
    figures: tuple[Figure, ...]
    links: tuple[Link, ...]
    enclosures: tuple[Enclosure, ...]
    html: str | None


_UNREADABLE = StoredBody((Section(None, (UNREADABLE_BODY,)),), (), (), (), None)


class _BadBody(Exception):
    """A stored body that is not of the shape :func:`newsreader.model.body_to_json` writes."""


def _list_of_objects(data: Mapping[str, Any], key: str) -> list[Mapping[str, Any]]:
    value = data.get(key, [])
    if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
        raise _BadBody(f"its {key} are not a list of objects")
    return value


def _text(value: object, optional: bool = False) -> bool:
    return isinstance(value, str) or (optional and value is None)


def _whole(value: object) -> bool:
    """An optional whole number, as enclosure lengths and durations are stored."""
    return value is None or (isinstance(value, int) and not isinstance(value, bool))


_LINK_KINDS = frozenset(kind.value for kind in LinkKind)
_JSON_KINDS = {list: "list", str: "string", int: "number", float: "number", bool: "boolean",
               type(None): "null"}  # fmt: skip


def _check_body(data: object) -> Mapping[str, Any]:
    """The stored body if every part has the shape it is written in; else :class:`_BadBody`."""
    if not isinstance(data, dict):
        raise _BadBody(f"it is a JSON {_JSON_KINDS.get(type(data), 'value')}, not an object")
    if not _text(data.get("html"), optional=True):
        raise _BadBody("its html is not text")
    for section in _list_of_objects(data, "sections"):
        paragraphs = section.get("paragraphs")
        if (
            "heading" not in section
            or not _text(section["heading"], optional=True)
            or not isinstance(paragraphs, list)
            or not all(isinstance(paragraph, str) for paragraph in paragraphs)
        ):
            raise _BadBody("a section is not a heading and a list of paragraphs")
    for figure in _list_of_objects(data, "figures"):
        section_index = figure.get("section", 0)
        if (
            not _text(figure.get("caption"))
            or not _text(figure.get("credit"), optional=True)
            or not isinstance(section_index, int)
            or isinstance(section_index, bool)
        ):
            raise _BadBody("a figure is not a caption, a credit and a section")
    for link in _list_of_objects(data, "links"):
        if (
            link.get("kind") not in _LINK_KINDS
            or not _text(link.get("text"))
            or not _text(link.get("url"), optional=True)
        ):
            raise _BadBody("a link is not a kind, a text and an address")
    for enclosure in _list_of_objects(data, "enclosures"):
        if (
            not _text(enclosure.get("url"))
            or not _text(enclosure.get("type"), optional=True)
            or not _whole(enclosure.get("length"))
            or not _whole(enclosure.get("duration"))
        ):
            raise _BadBody("an enclosure is not an address, a type, a length and a duration")
    return data


def _load_body(raw: object) -> StoredBody:
    if not isinstance(raw, str):
        raise _BadBody(f"it is stored as {type(raw).__name__}, not text")
    try:
        data = _check_body(json.loads(raw))
    except (ValueError, RecursionError) as error:
        raise _BadBody("it is not valid JSON") from error
    sections, figures, links = body_from_json(dict(data))
    html = data.get("html")
    return StoredBody(sections, figures, links, enclosures_from_json(dict(data)), html)


def read_body(raw: object) -> StoredBody | None:
    """A stored body's parts; None when it is not valid JSON of the expected shape.

    Never raises: a body written by an older or broken version, or by hand, is
    that article's problem, never the whole cache's.
    """
    try:
        return _load_body(raw)
    except _BadBody:
        return None


def body_problem(raw: object) -> str | None:
    """Why a stored body cannot be read, in words; None when it can."""
    try:
        _load_body(raw)
    except _BadBody as error:
        return str(error)
    return None


def _shown(value: object, limit: int = 40) -> str:
    """A stored value as it may be quoted in a message: its repr, cut short."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _body_text(title: str, body_json: object) -> str:
    """The searchable body text, derived from the stored body (so it can be deleted).

    A body that cannot be read has none: its article is indexed by its title
    alone, and the same empty text is what deleting its terms later removes.
    """
    body = read_body(body_json)
    if body is None:
        return ""
    article = Article(
        "", "", "", sections=body.sections, figures=body.figures, links=body.links,
        body_html=body.html,
    )  # fmt: skip
    return article.body_text()


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
        title=_as_text(title),
        source=_as_text(source),
        categories=split_category(_as_text(category)),
        published=_datetime(published),
        read=bool(read),
        starred=bool(starred),
        sort_key=_order_key(sort_key),
    )


def _datetime(timestamp: object) -> datetime | None:
    """A stored publication time as a datetime; None for none, and for any value that is
    not a believable time (text, NaN, infinities, huge or negative numbers): never raises."""
    seconds = plausible_timestamp(timestamp)
    if seconds is None:
        return None
    try:
        return datetime.fromtimestamp(seconds, tz=UTC)
    except (OverflowError, ValueError, OSError):
        return None


def _order_key(value: object) -> float:
    """A stored sort key as a number to page and merge by, whatever was stored.

    SQLite orders text and blobs after every number, so a sort key that is not
    a finite number counts as infinitely new: the same order as the index's.
    """
    if isinstance(value, int | float) and not isinstance(value, bool):
        try:
            number = float(value)
        except OverflowError:
            return math.inf if value > 0 else -math.inf
        if not math.isnan(number):
            return number
    return math.inf


def _as_text(value: object) -> str:
    """A stored text column as text, whatever was stored in it."""
    if isinstance(value, str):
        return value
    if value is None:
        return ""
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return str(value)


def _optional_text(value: object) -> str | None:
    return None if value is None else _as_text(value)


LATEST_FEED_TIME = 32_503_680_000.0
"""The year 3000: a feed's stored time (last attempt, success, Retry-After) beyond it, or
before 1970, or not a number, is read as none, so that it always converts to a date."""


def _feed_time(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    try:
        seconds = float(value)
    except OverflowError:
        return None
    return seconds if EARLIEST_DATE <= seconds <= LATEST_FEED_TIME else None


def _count(value: object) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def _feed_state(row: Sequence[Any]) -> FeedState:
    """A feed's stored state, each column read as its type (a hand-edited or damaged row
    gives none rather than a value that breaks a refresh or a listing)."""
    (url, title, etag, last_modified, body_hash, permanent_url, last_attempt, last_success,
     last_error, item_count, retry_after, repeated_ids, category) = row  # fmt: skip
    return FeedState(
        url=_as_text(url),
        title=_optional_text(title),
        etag=_optional_text(etag),
        last_modified=_optional_text(last_modified),
        body_hash=_optional_text(body_hash),
        permanent_url=_optional_text(permanent_url),
        last_attempt=_feed_time(last_attempt),
        last_success=_feed_time(last_success),
        last_error=_optional_text(last_error),
        item_count=_count(item_count),
        retry_after=_feed_time(retry_after),
        repeated_ids=_count(repeated_ids),
        category=_optional_text(category),
    )


def retry_time(state: FeedState, max_wait: float) -> float | None:
    """When a feed may be fetched again after a server's Retry-After, or None.

    The wait is bounded by ``max_wait`` seconds from the attempt that was told
    to wait, so a deferral stored before the bound (or under a larger one) is
    cut to it too.
    """
    if state.retry_after is None:
        return None
    asked_at = state.last_attempt if state.last_attempt is not None else time.time()
    return min(state.retry_after, asked_at + max(0.0, max_wait))


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


WORD_TOKENIZER = "unicode61 remove_diacritics 2"
"""How the search index cuts text into words (under ``porter``, which only stems them):
runs of letters, digits and private-use characters of Unicode 6.1, case and diacritics
folded. Queries are cut by this very tokenizer, so that they hold the index's words."""
MAX_SEARCH_TERMS = 32
"""Words of a search looked up; the rest are left out, and the user is told. Each is one
more index lookup intersected with the others: a 20,000-word search of 20,000 articles
took 100 s and 2.5 GB, cut to 32 words 42 ms."""
MAX_SEARCH_CHARS = 1_000
"""Characters of a search read, so that cutting a huge one into words costs little."""


@dataclass(frozen=True, slots=True)
class SearchQuery:
    """What a search looks up: the index's words of what the user typed."""

    terms: tuple[str, ...]
    """The words to match, every one (the last as a prefix), as the index folds them."""
    cut: bool = False
    """Whether words were left out past :data:`MAX_SEARCH_TERMS` or :data:`MAX_SEARCH_CHARS`."""

    @property
    def match(self) -> str:
        """The FTS5 query: each word quoted, so that nothing the user typed is syntax."""
        quoted = [f'"{term.replace(chr(34), chr(34) * 2)}"' for term in self.terms]
        if quoted:
            quoted[-1] += "*"
        return " ".join(quoted)


_tokenizers = threading.local()
_PARTIAL_WORD = re.compile(r"\S+\Z")


def _index_words(text: str) -> list[str]:
    """``text`` cut into words exactly as the search index cuts it (see :data:`WORD_TOKENIZER`).

    An in-memory FTS5 table with the index's tokenizer holds the text, and its
    vocabulary lists the words in order: no second implementation of Unicode
    6.1's letters and separators to drift from SQLite's.
    """
    db: sqlite3.Connection | None = getattr(_tokenizers, "db", None)
    if db is None:
        db = sqlite3.connect(":memory:", isolation_level=None)
        db.execute(f"CREATE VIRTUAL TABLE words USING fts5(text, tokenize='{WORD_TOKENIZER}')")
        db.execute("CREATE VIRTUAL TABLE tokens USING fts5vocab(words, instance)")
        _tokenizers.db = db
    db.execute("DELETE FROM words")
    db.execute("INSERT INTO words (rowid, text) VALUES (1, ?)", (text,))
    return [str(row[0]) for row in db.execute("SELECT term FROM tokens ORDER BY offset")]


def parse_search(text: str) -> SearchQuery:
    """What a user typed as the words to search for, bounded (see :class:`SearchQuery`).

    ``COVID-19`` is the words ``covid`` and ``19``, ``U.S.`` is ``u`` and ``s``,
    ``Café`` is ``cafe``: whatever the index made of the same text. A word typed
    twice is looked up once; the last word typed stays last (it matches as a
    prefix, for a word still being typed).
    """
    cut = len(text) > MAX_SEARCH_CHARS
    if cut:
        head = text[:MAX_SEARCH_CHARS]
        # Not the start of a word cut in two (unless it is the only word).
        text = head if text[MAX_SEARCH_CHARS].isspace() else _PARTIAL_WORD.sub("", head) or head
    words = _index_words(text)
    if not words:
        return SearchQuery((), cut)
    last = words[-1]
    terms = [word for word in dict.fromkeys(words[:-1]) if word != last] + [last]
    if len(terms) > MAX_SEARCH_TERMS:
        terms, cut = terms[:MAX_SEARCH_TERMS], True
    return SearchQuery(tuple(terms), cut)


def fts_query(text: str) -> str:
    """Turn what a user typed into a safe FTS5 query: every word must match.

    Words are the index's own (see :func:`parse_search`) and quoted, so FTS5
    operators and punctuation typed by the user are never interpreted; the last
    word matches as a prefix.
    """
    return parse_search(text).match


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
        self._lock = CacheLock(path)
        if not self._lock.acquire(exclusive=False, wait=BUSY_TIMEOUT_SECONDS):
            raise CacheInUse(
                f"the cache {path} is being reset by another newsreader{_holders(self._lock)}"
            )
        try:
            self._db = sqlite3.connect(
                path, timeout=BUSY_TIMEOUT_SECONDS, isolation_level=None, check_same_thread=True
            )
        except (OSError, sqlite3.Error) as error:
            self._lock.release()
            raise StoreError(f"cannot open the cache {path}: {error}") from error
        try:
            self._open()
        except BaseException:
            self._lock.release()
            raise

    def _open(self) -> None:
        path = self.path
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
        """Close the connection (and let go of the cache: see :class:`CacheLock`)."""
        self._db.close()
        self._lock.release()

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

    def body_problem(self, article_id: int) -> str | None:
        """Why an article's stored text cannot be read (it shows :data:`UNREADABLE_BODY`
        instead); None when it can, or there is no such article."""
        row = self._db.execute("SELECT body FROM articles WHERE id = ?", (article_id,)).fetchone()
        return None if row is None else body_problem(row[0])

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
        if read_body(old_body) is None:
            return  # nothing to keep the sections beside; the article shows its placeholder
        data = dict(json.loads(old_body))
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
        page = sorted(
            set(own) | set(listed), key=lambda row: (_order_key(row[0]), row[1]), reverse=True
        )[:limit]
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
        except sqlite3.OperationalError as error:
            raise SearchError(f"the search index cannot answer this search ({error})") from error
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
        return _feed_state(row) if row else FeedState(url)

    def feed_states(self) -> dict[str, FeedState]:
        """Every feed's state, by URL."""
        rows = self._db.execute(f"SELECT {_FEED_COLUMNS} FROM feeds").fetchall()
        states = (_feed_state(row) for row in rows)
        return {state.url: state for state in states}

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

    def rename_source(self, old: str, new: str) -> int | None:
        """Move a source's articles, listings and feed state to a new name (a feed's new
        address), in one transaction.

        The feed state kept under the new name, if any, gives way to the old one's,
        which forgets its permanent address (the feed is now at it), and its title
        if that was the old name (a feed without a title is called by its address).

        Returns:
            How many articles and listings moved; None, with nothing changed, when
            the cache already holds articles or listings under the new name (the
            two would have to be merged entry by entry).
        """
        if old == new:
            return 0
        with self.transaction():
            (taken,) = self._db.execute(
                "SELECT EXISTS (SELECT 1 FROM articles WHERE source = ?) "
                "OR EXISTS (SELECT 1 FROM listings WHERE source = ?)",
                (new, new),
            ).fetchone()
            if taken:
                return None
            moved = 0
            for table in ("articles", "listings"):
                moved += self._db.execute(
                    f"UPDATE {table} SET source = ? WHERE source = ?", (new, old)
                ).rowcount
            if self._db.execute("SELECT 1 FROM feeds WHERE url = ?", (old,)).fetchone():
                self._db.execute("DELETE FROM feeds WHERE url = ?", (new,))
                self._db.execute(
                    "UPDATE feeds SET url = ?, permanent_url = NULL, "
                    "title = CASE WHEN title = ? THEN NULL ELSE title END WHERE url = ?",
                    (new, old, old),
                )
        return moved

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
                (older_than is not None and _order_key(sort_key) < older_than)
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
    """Column values for an article; ``fallback_time`` sorts it when it has no date.

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
    (:class:`CacheTooNew` is raised), nor one another newsreader has open.
    """
    try:
        return Store(path), None
    except CacheDamaged as damage:
        try:
            moved = reset_cache(path, "damaged")
        except CacheInUse as busy:
            raise StoreError(f"{damage}; it was not moved aside: {busy}") from busy
        except OSError as error:
            raise StoreError(f"{damage}; it could not be moved aside: {error}") from error
        return Store(path), moved


LOCK_SUFFIX = ".lock"
"""The lock file beside the cache: ``cache.sqlite3.lock``."""
RESET_WAIT_SECONDS = 3.0
"""How long moving the cache aside waits for other newsreaders to close it, then refuses."""
LOCK_POLL_SECONDS = 0.05


class CacheInUse(StoreError):
    """Another newsreader has the cache open, so it cannot be moved aside."""


class CacheLock:
    """``flock`` on a file beside the cache: shared while a :class:`Store` is open,
    exclusive while the cache is moved aside.

    SQLite's own locks cannot say whether another process merely has the cache
    open: in WAL mode readers and an idle connection hold none that a writer
    waits for, so a reset could move the file under a running refresh, whose
    writes would then land in the file set aside. Every Store holds this lock
    shared from open to close (a reader's whole session, a refresh's whole run),
    and a reset takes it exclusively, so one never moves a cache another uses.
    The lock file is never moved or deleted, so every process locks the same
    file. A forked child (a parse worker) lets go of its copy: the lock is its
    parent's. Where ``flock`` is missing or refused (some network file
    systems), nothing is locked.
    """

    _held: weakref.WeakSet[CacheLock] = weakref.WeakSet()

    def __init__(self, cache: Path) -> None:
        self.path = cache.with_name(cache.name + LOCK_SUFFIX)
        self._fd: int | None = None

    def acquire(self, *, exclusive: bool, wait: float) -> bool:
        """Take the lock, waiting up to ``wait`` seconds; False if others kept it."""
        if fcntl is None:
            return True
        try:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError:
            try:
                fd = os.open(self.path, os.O_RDONLY)
            except OSError as error:
                raise StoreError(f"cannot open the lock file {self.path}: {error}") from error
        mode = (fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH) | fcntl.LOCK_NB
        deadline = time.monotonic() + wait
        while True:
            try:
                fcntl.flock(fd, mode)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    os.close(fd)
                    return False
                time.sleep(LOCK_POLL_SECONDS)
            except OSError:
                break  # this file system does not lock: go on without
        self._fd = fd
        CacheLock._held.add(self)
        return True

    def release(self) -> None:
        """Let go (closing the file; never LOCK_UN, which would unlock a forked copy too)."""
        if self._fd is not None:
            fd, self._fd = self._fd, None
            CacheLock._held.discard(self)
            os.close(fd)

    @classmethod
    def _forget_in_child(cls) -> None:
        for lock in list(cls._held):
            if lock._fd is not None:
                with contextlib.suppress(OSError):
                    os.close(lock._fd)
                lock._fd = None
        cls._held.clear()

    def holders(self) -> list[int]:
        """The other processes holding the lock, as far as the system tells (Linux's
        /proc/locks); empty when it does not."""
        try:
            info = self.path.stat()
            text = Path("/proc/locks").read_text(encoding="ascii", errors="replace")
        except OSError:
            return []
        device = f"{os.major(info.st_dev):02x}:{os.minor(info.st_dev):02x}"
        exact: list[int] = []
        same_inode: list[int] = []
        for line in text.splitlines():
            # "1: FLOCK  ADVISORY  READ 12345 08:01:123456 0 EOF"; a waiter's line has "->".
            fields = line.split()
            if len(fields) < 6 or fields[1] != "FLOCK" or not fields[4].isdigit():
                continue
            where, _, inode = fields[5].rpartition(":")
            pid = int(fields[4])
            if inode != str(info.st_ino) or pid in (0, os.getpid()):
                continue
            # An overlay file system reports the device of the layer below.
            found = exact if where == device else same_inode
            if pid not in found:
                found.append(pid)
        return exact or same_inode


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=CacheLock._forget_in_child)


def _holders(lock: CacheLock) -> str:
    """`` (pid 123)``, naming the processes holding a lock; empty when unknown."""
    pids = lock.holders()
    if not pids:
        return ""
    return f" ({'pid' if len(pids) == 1 else 'pids'} {', '.join(map(str, pids))})"


def reset_cache(path: Path, label: str = "reset", wait: float | None = None) -> Path:
    """Move the cache aside (see :func:`move_aside`) once no other newsreader has it open.

    Waits up to ``wait`` seconds (default :data:`RESET_WAIT_SECONDS`) for the
    others to close it.

    Raises:
        CacheInUse: another process kept it open; it names the process.
        OSError: the file could not be renamed.
    """
    lock = CacheLock(path)
    if not lock.acquire(exclusive=True, wait=RESET_WAIT_SECONDS if wait is None else wait):
        raise CacheInUse(
            f"the cache is in use by another newsreader{_holders(lock)}; close it, or let its "
            "refresh finish, and try again"
        )
    try:
        return move_aside(path, label)
    finally:
        lock.release()


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
