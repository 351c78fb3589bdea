"""The schema: migrations in order, ``PRAGMA user_version`` the number applied."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

from newsreader.cache.connection import CacheBase, CacheTooNew, user_version
from newsreader.cache.search import _body_text
from newsreader.links import normalise_url


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


def _migrate_8(db: sqlite3.Connection) -> None:
    """Acts of marking many articles read, each with the ids it changed, to undo them.

    An article's rows go with it when it is pruned, so an undo skips it.
    """
    _run_script(
        db,
        """
        CREATE TABLE undo_actions (
            id INTEGER PRIMARY KEY,
            made_at REAL NOT NULL,
            description TEXT NOT NULL
        );
        CREATE TABLE undo_articles (
            action_id INTEGER NOT NULL REFERENCES undo_actions (id) ON DELETE CASCADE,
            article_id INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
            PRIMARY KEY (action_id, article_id)
        ) WITHOUT ROWID;
        CREATE INDEX undo_articles_by_article ON undo_articles (article_id)
        """,
    )


def _migrate_9(db: sqlite3.Connection) -> None:
    """Sync accounts: each account's state, its subscriptions, which cached article each
    of its items is, and the outbox of read and starred changes not yet sent.

    The outbox is written by triggers, so every way an article's mark changes (one
    article, mark all read, undo) queues the change in the same transaction as the
    change itself; a sync applying the server's state takes its own rows back out.
    """
    _run_script(
        db,
        """
        CREATE TABLE accounts (
            name TEXT PRIMARY KEY,
            last_attempt REAL,
            last_success REAL,
            last_error TEXT,
            newest_usec INTEGER
        );
        CREATE TABLE account_feeds (
            account TEXT NOT NULL,
            stream_id TEXT NOT NULL,
            title TEXT NOT NULL,
            url TEXT,
            html_url TEXT,
            labels TEXT NOT NULL DEFAULT '[]',
            PRIMARY KEY (account, stream_id)
        );
        CREATE TABLE account_items (
            account TEXT NOT NULL,
            item_id TEXT NOT NULL,
            article_id INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
            stream_id TEXT,
            usec INTEGER NOT NULL DEFAULT 0,
            PRIMARY KEY (account, item_id)
        ) WITHOUT ROWID;
        CREATE INDEX account_items_by_article ON account_items (article_id);
        CREATE TABLE outbox (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            account TEXT NOT NULL,
            item_id TEXT NOT NULL,
            tag TEXT NOT NULL,
            value INTEGER NOT NULL,
            made_at REAL NOT NULL
        );
        CREATE INDEX outbox_by_item ON outbox (account, item_id, tag)
        """,
    )
    for mark in ("read", "starred"):
        db.execute(
            f"CREATE TRIGGER outbox_{mark} AFTER UPDATE OF {mark} ON articles "
            f"WHEN old.{mark} IS NOT new.{mark} BEGIN "
            "INSERT INTO outbox (account, item_id, tag, value, made_at) "
            f"SELECT account, item_id, '{mark}', new.{mark}, "
            "(julianday('now') - 2440587.5) * 86400.0 "
            "FROM account_items WHERE article_id = new.id; END"
        )


def _migrate_10(db: sqlite3.Connection) -> None:
    """Filters: what they test, beside each article's place in time; the killfile's hidden.

    ``articles_facts`` holds, in list order, every column a filter tests but
    the address (and the body, which the search index answers for), so that a
    query feed's count or page reads the index and never a row: a row is most
    of a page of body text, and a scan of 100,000 of them took 70 ms against
    16 ms for an index. ``enclosures`` counts an article's attached files
    (``has:enclosure``). ``hidden`` lists the articles a ``hide`` rule of the
    killfile took, by rule; ``filter_state`` remembers which rules those were.
    """
    _run_script(
        db,
        """
        ALTER TABLE articles ADD COLUMN enclosures INTEGER NOT NULL DEFAULT 0;
        UPDATE articles SET enclosures = json_array_length(body, '$.enclosures')
            WHERE json_valid(body) AND json_type(body, '$.enclosures') = 'array';
        CREATE INDEX articles_facts ON articles (
            sort_key DESC, id DESC, read, starred, enclosures, source, category, published,
            title, author
        );
        CREATE TABLE hidden (
            article_id INTEGER PRIMARY KEY REFERENCES articles (id) ON DELETE CASCADE,
            rule INTEGER NOT NULL
        );
        CREATE TABLE filter_state (key TEXT PRIMARY KEY, value TEXT NOT NULL);
        """,
    )


def _migrate_11(db: sqlite3.Connection) -> None:
    """Stories: each article's sketch and story, and the marks that find its copies.

    ``stories`` holds an article's shingle count, its sketch (4 bytes a hash)
    and the id of its story; ``story_marks`` indexes the sketch's smallest
    hashes. An article deleted takes its row and its marks along (the marks
    through the trigger, which reads them from the row: ``story_marks`` has no
    index by article to cascade through). Articles stored before this
    version have no sketch: each is a story of its own.
    """
    _run_script(
        db,
        """
        CREATE TABLE stories (
            article_id INTEGER PRIMARY KEY REFERENCES articles (id) ON DELETE CASCADE,
            story INTEGER NOT NULL,
            size INTEGER NOT NULL,
            sketch BLOB NOT NULL,
            marks TEXT NOT NULL
        );
        CREATE INDEX stories_by_story ON stories (story);
        CREATE TABLE story_marks (
            mark INTEGER NOT NULL,
            article_id INTEGER NOT NULL,
            PRIMARY KEY (mark, article_id)
        ) WITHOUT ROWID;
        """,
    )
    db.execute(
        "CREATE TRIGGER stories_forget_marks AFTER DELETE ON stories BEGIN "
        "DELETE FROM story_marks WHERE article_id = old.article_id "
        "AND mark IN (SELECT value FROM json_each(old.marks)); END"
    )
    # A story's id is its first article's: when that one goes (pruned, or grouped
    # anew after its text changed), the story takes the id of another of its
    # articles, so that no article stored later with a reused id joins it.
    db.execute(
        "CREATE TRIGGER stories_keep_their_id AFTER DELETE ON stories "
        "WHEN old.story = old.article_id BEGIN "
        "UPDATE stories SET story = (SELECT MIN(article_id) FROM stories "
        "WHERE story = old.article_id) WHERE story = old.article_id; END"
    )


def _migrate_12(db: sqlite3.Connection) -> None:
    """Stories: sketches hash their shingles another way (and read a text's opening).

    The sketches stored before cannot be compared with new ones, so their marks
    go: the stories grouped so far stay grouped, and a new copy of one of
    them is grouped again once that article is stored anew.
    """
    db.execute("UPDATE stories SET marks = '[]'")
    db.execute("DELETE FROM story_marks")


MIGRATIONS: tuple[Callable[[sqlite3.Connection], None], ...] = (
    _migrate_1,
    _migrate_2,
    _migrate_3,
    _migrate_4,
    _migrate_5,
    _migrate_6,
    _migrate_7,
    _migrate_8,
    _migrate_9,
    _migrate_10,
    _migrate_11,
    _migrate_12,
)
SCHEMA_VERSION = len(MIGRATIONS)


def migrate(cache: CacheBase) -> None:
    """Bring the open cache's schema up to :data:`SCHEMA_VERSION`, a transaction a migration.

    Raises:
        CacheTooNew: a newer newsreader wrote the file.
    """
    db = cache._db
    version = user_version(db)
    if version > SCHEMA_VERSION:
        raise CacheTooNew(
            f"the cache {cache.path} was written by a newer newsreader "
            f"(schema {version}, this version knows {SCHEMA_VERSION}); upgrade newsreader, "
            "or run `newsreader cache reset` to move it aside and start a new cache"
        )
    for number in range(version + 1, SCHEMA_VERSION + 1):
        with cache.transaction():
            # Another process may have migrated while this one waited for the lock.
            if user_version(db) >= number:
                continue
            MIGRATIONS[number - 1](db)
            db.execute(f"PRAGMA user_version = {number}")
