"""Sync accounts in the cache: their state, subscriptions, items and outbox.

An account's subscription is stored as a source of its own
(:func:`account_source`), filed under the account's node and its first label;
each further label is a source that lists the same articles (a listing with
the reason ``label``), so a feed in two labels counts and lists in both. Which
cached article each of the server's items is lives in ``account_items``;
``outbox`` holds the marks changed here and not yet sent, in the order made
(triggers write it in the same transaction as the change: see the schema).
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from newsreader.cache.connection import CacheBase, reading
from newsreader.cache.rows import MergeReason
from newsreader.cache.values import _as_text, _optional_text, join_category
from newsreader.model import parse_category_path

_SOURCE_PREFIX = "account:"
READING_LIST_STREAM = "user/-/state/com.google/reading-list"


def account_source(account: str, stream_id: str, label: str | None = None) -> str:
    """The source an account's subscription is stored under; with a label, the source
    that lists its articles under that further label."""
    base = f"{_SOURCE_PREFIX}{account}/{stream_id}"
    return base if label is None else f"{base}#{label}"


def is_account_source(source: str) -> bool:
    """Whether a source is an account's subscription (not a feed's URL or a file)."""
    return source.startswith(_SOURCE_PREFIX)


def label_category(account: str, label: str | None) -> tuple[str, ...]:
    """The category path of an account's label (the account's node without one)."""
    return (account, *parse_category_path(label)) if label else (account,)


@dataclass(frozen=True, slots=True)
class AccountFeed:
    """One subscription of an account, as the server listed it."""

    stream_id: str
    title: str
    url: str | None = None
    html_url: str | None = None
    labels: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class AccountState:
    """What the cache knows of an account's syncing."""

    name: str
    last_attempt: float | None = None
    last_success: float | None = None
    last_error: str | None = None
    newest_usec: int | None = None
    """The server's time (microseconds) of the newest item pulled: the next pull's start."""
    items: int = 0
    pending: int = 0
    """Changes in the outbox, not yet sent."""

    @property
    def failed(self) -> bool:
        """Whether the latest sync failed."""
        return self.last_error is not None


@dataclass(frozen=True, slots=True)
class OutboxEntry:
    """A mark changed here: set (``value`` 1) or clear ``tag`` (read, starred) of an item."""

    seq: int
    item_id: str
    tag: str
    value: int


MARK_ALL = "mark-all"
"""An outbox entry's tag for "mark every item of a stream read up to a time": its
``item_id`` is the stream, its ``value`` the time (microseconds, the server's)."""


def _label_streams(db: sqlite3.Connection, account: str, label: str | None) -> set[str] | None:
    """The subscriptions of an account in a label; None for every one of them (no label,
    or a label none of them has)."""
    if label is None:
        return None
    streams = set()
    for stream_id, labels in db.execute(
        "SELECT stream_id, labels FROM account_feeds WHERE account = ?", (account,)
    ):
        if label in _json_list(labels):
            streams.add(str(stream_id))
    return streams or None


def label_of_stream(stream: str) -> str | None:
    """The label a mark-all's stream names (None: the reading list or a subscription)."""
    prefix = "user/-/label/"
    return stream[len(prefix) :] if stream.startswith(prefix) else None


def queue_mark_all(
    db: sqlite3.Connection,
    category: Sequence[str],
    source: str | None,
    changed: Sequence[int],
    before: int,
) -> None:
    """In the transaction of a mark-all-read of a node: when the node is exactly an
    account's stream (its node, one of its labels, a subscription), send the server one
    ``mark-all-as-read`` of that stream up to the newest item the user saw, instead of
    one mark per item.

    ``before`` is the outbox's last entry before the marks. The entries the triggers
    wrote for the items of that stream are taken back; those of other items (a
    sub-label's, which the server keeps apart) stay and go one by one.
    """
    if not changed:
        return
    streams: set[str] | None
    if source is not None and is_account_source(source):
        account, _, rest = source[len(_SOURCE_PREFIX) :].partition("/")
        stream = rest.split("#", 1)[0]
        streams = {stream}
    elif category and source is None:
        account = category[0]
        feeds = db.execute(
            "SELECT stream_id, labels FROM account_feeds WHERE account = ?", (account,)
        ).fetchall()
        if not feeds:
            return
        if len(category) == 1:
            stream, streams = READING_LIST_STREAM, {str(row[0]) for row in feeds}
        else:
            # The server's own label whose node this is, never one rebuilt from the path.
            labels = {
                name
                for _, written in feeds
                for name in _json_list(written)
                if label_category(account, name) == tuple(category)
            }
            if len(labels) != 1:
                return
            (label,) = labels
            stream, streams = f"user/-/label/{label}", _label_streams(db, account, label)
            if not streams:
                return
    else:
        return
    covered = json.dumps(sorted(streams))
    marks = ", ".join("?" * len(changed))
    (newest,) = db.execute(
        f"SELECT MAX(usec) FROM account_items WHERE account = ? AND article_id IN ({marks}) "
        "AND stream_id IN (SELECT value FROM json_each(?))",
        (account, *changed, covered),
    ).fetchone()
    if newest is None:
        return
    db.execute(
        "DELETE FROM outbox WHERE seq > ? AND account = ? AND tag = 'read' AND value = 1 "
        "AND item_id IN (SELECT item_id FROM account_items WHERE account = ? "
        "AND stream_id IN (SELECT value FROM json_each(?)))",
        (before, account, account, covered),
    )
    db.execute(
        "INSERT INTO outbox (account, item_id, tag, value, made_at) "
        "VALUES (?, ?, ?, ?, (julianday('now') - 2440587.5) * 86400.0)",
        (account, stream, MARK_ALL, int(newest)),
    )


def _json_list(written: object) -> list[str]:
    """The label names of an ``account_feeds`` row (none when its JSON is broken)."""
    try:
        names = json.loads(str(written))
    except (TypeError, ValueError):
        return []
    return [name for name in names if isinstance(name, str)] if isinstance(names, list) else []


def _time(value: object) -> float | None:
    return float(value) if isinstance(value, (int, float)) else None


class AccountStates(CacheBase):
    """The Cache's sync accounts."""

    @reading
    def account_states(self) -> dict[str, AccountState]:
        """Every account the cache has synced (or tried to), by name."""
        items = dict(
            self._db.execute("SELECT account, COUNT(*) FROM account_items GROUP BY account")
        )
        pending = dict(self._db.execute("SELECT account, COUNT(*) FROM outbox GROUP BY account"))
        states: dict[str, AccountState] = {}
        for name, attempt, success, error, newest in self._db.execute(
            "SELECT name, last_attempt, last_success, last_error, newest_usec FROM accounts"
        ):
            states[name] = AccountState(
                name=_as_text(name),
                last_attempt=_time(attempt),
                last_success=_time(success),
                last_error=_optional_text(error),
                newest_usec=int(newest) if isinstance(newest, int) else None,
                items=int(items.get(name, 0)),
                pending=int(pending.get(name, 0)),
            )
        for name in set(pending) - set(states):
            states[name] = AccountState(_as_text(name), pending=int(pending[name]))
        return states

    def save_account_result(
        self, name: str, *, error: str | None, newest_usec: int | None = None
    ) -> None:
        """Record a sync's end: its error (None: it succeeded) and how far it pulled."""
        now = time.time()
        with self.transaction():
            self._db.execute(
                "INSERT INTO accounts (name, last_attempt, last_success, last_error, newest_usec) "
                "VALUES (?1, ?2, CASE WHEN ?3 IS NULL THEN ?2 END, ?3, ?4) "
                "ON CONFLICT (name) DO UPDATE SET last_attempt = ?2, "
                "last_success = CASE WHEN ?3 IS NULL THEN ?2 ELSE last_success END, "
                "last_error = ?3, newest_usec = COALESCE(?4, newest_usec)",
                (name, now, error, newest_usec),
            )

    @reading
    def account_feeds(self) -> dict[str, list[AccountFeed]]:
        """Every account's subscriptions as last synced, by account, in title order."""
        feeds: dict[str, list[AccountFeed]] = {}
        for account, stream_id, title, url, html_url, labels in self._db.execute(
            "SELECT account, stream_id, title, url, html_url, labels FROM account_feeds "
            "ORDER BY account, title COLLATE NOCASE, stream_id"
        ):
            feeds.setdefault(_as_text(account), []).append(
                AccountFeed(
                    _as_text(stream_id),
                    _as_text(title),
                    _optional_text(url),
                    _optional_text(html_url),
                    tuple(_json_list(labels)),
                )
            )
        return feeds

    def save_account_feeds(self, account: str, feeds: Sequence[AccountFeed]) -> int:
        """Keep an account's subscriptions as the server listed them now.

        A subscription whose labels changed has its articles filed again under
        its first label, and listed under the others; one no longer listed keeps
        its articles (reading offline loses nothing) and leaves the tree.

        Returns:
            How many subscriptions were filed again.
        """
        with self.transaction():
            before = {
                stream_id: labels
                for stream_id, labels in self._db.execute(
                    "SELECT stream_id, labels FROM account_feeds WHERE account = ?", (account,)
                )
            }
            self._db.execute("DELETE FROM account_feeds WHERE account = ?", (account,))
            self._db.executemany(
                "INSERT OR REPLACE INTO account_feeds "
                "(account, stream_id, title, url, html_url, labels) VALUES (?, ?, ?, ?, ?, ?)",
                [
                    (account, f.stream_id, f.title, f.url, f.html_url, json.dumps(list(f.labels)))
                    for f in feeds
                ],
            )
            refiled = 0
            for feed in feeds:
                labels = json.dumps(list(feed.labels))
                if feed.stream_id in before and before[feed.stream_id] != labels:
                    self._file_feed(account, feed, again=True)
                    refiled += 1
        return refiled

    def file_account_feeds(self, account: str, feeds: Iterable[AccountFeed]) -> None:
        """List the articles of subscriptions with several labels under each further
        label (the articles stored since are listed too)."""
        with self.transaction():
            for feed in feeds:
                if len(feed.labels) > 1:
                    self._file_feed(account, feed, again=False)

    def _file_feed(self, account: str, feed: AccountFeed, *, again: bool) -> None:
        source = account_source(account, feed.stream_id)
        first = feed.labels[0] if feed.labels else None
        if again:
            self._db.execute(
                "UPDATE articles SET category = ? WHERE source = ?",
                (join_category(label_category(account, first)), source),
            )
            self._db.execute(
                "UPDATE listings SET category = ? WHERE source = ?",
                (join_category(label_category(account, first)), source),
            )
            self._db.execute(
                "DELETE FROM listings WHERE source >= ? AND source < ?",
                (source + "#", source + "$"),
            )
        for label in feed.labels[1:]:
            listed = account_source(account, feed.stream_id, label)
            category = join_category(label_category(account, label))
            for table, id_column in (("articles", "id"), ("listings", "article_id")):
                self._db.execute(
                    "INSERT OR IGNORE INTO listings (source, guid, article_id, category, sort_key, "
                    "content_hash, url_norm, title_norm, reason) "
                    f"SELECT ?, guid, {id_column}, ?, sort_key, content_hash, url_norm, "
                    f"title_norm, ? FROM {table} WHERE source = ?",
                    (listed, category, MergeReason.LABEL.value, source),
                )

    def record_account_items(
        self, account: str, items: Iterable[tuple[str, int, str | None, int]]
    ) -> None:
        """Remember which cached article each item is: (item id, article id, the
        subscription it came from, its server time)."""
        with self.transaction():
            self._db.executemany(
                "INSERT INTO account_items (account, item_id, article_id, stream_id, usec) "
                "VALUES (?, ?, ?, ?, ?) ON CONFLICT (account, item_id) DO UPDATE SET "
                "article_id = excluded.article_id, stream_id = excluded.stream_id, "
                "usec = excluded.usec",
                [(account, *item) for item in items],
            )

    @reading
    def unknown_account_items(self, account: str, item_ids: Sequence[str]) -> list[str]:
        """Those of these items the cache does not hold, in the order given."""
        known: set[str] = set()
        for start in range(0, len(item_ids), 500):
            chunk = list(item_ids[start : start + 500])
            known.update(
                row[0]
                for row in self._db.execute(
                    "SELECT item_id FROM account_items WHERE account = ? AND item_id IN "
                    f"({', '.join('?' * len(chunk))})",
                    (account, *chunk),
                )
            )
        return [item for item in dict.fromkeys(item_ids) if item not in known]

    def apply_server_marks(
        self,
        account: str,
        *,
        unread: Iterable[str] | None = None,
        starred: Iterable[str] | None = None,
        only: Mapping[str, tuple[bool, bool]] | None = None,
    ) -> tuple[int, int]:
        """Take the server's read and starred state, except where a change made here
        is still in the outbox (it wins until the server has it).

        Either the whole state: every item of the account's subscriptions is read
        unless in ``unread``, and starred if in ``starred`` (each None: leave that
        mark; an item of a feed no longer subscribed keeps its marks, since the
        server no longer tells them); or, with ``only``, the state of these items
        (item id -> read, starred).

        Returns:
            How many articles changed their read mark, and their starred mark.
        """
        with self.transaction():
            (before,) = self._db.execute("SELECT COALESCE(MAX(seq), 0) FROM outbox").fetchone()
            self._db.execute(
                "CREATE TEMP TABLE IF NOT EXISTS sync_state "
                "(item_id TEXT PRIMARY KEY, read INTEGER, starred INTEGER) WITHOUT ROWID"
            )
            self._db.execute("DELETE FROM temp.sync_state")
            changed = [0, 0]
            if only is not None:
                self._db.executemany(
                    "INSERT OR REPLACE INTO temp.sync_state VALUES (?, ?, ?)",
                    [(item, int(read), int(star)) for item, (read, star) in only.items()],
                )
                for index, mark in enumerate(("read", "starred")):
                    changed[index] = self._take_marks(account, mark, f"s.{mark}", join=True)
            for index, (mark, given, wanted) in enumerate(
                (("read", unread, "0"), ("starred", starred, "1"))
            ):
                if given is None:
                    continue
                self._db.execute("DELETE FROM temp.sync_state")
                self._db.executemany(
                    "INSERT OR IGNORE INTO temp.sync_state (item_id) VALUES (?)",
                    [(item,) for item in given],
                )
                listed = "(ai.item_id IN (SELECT item_id FROM temp.sync_state))"
                value = f"CASE WHEN {listed} THEN {wanted} ELSE {1 - int(wanted)} END"
                changed[index] = self._take_marks(account, mark, value, join=False)
            # The triggers queued these changes as if made here: they came from the server.
            self._db.execute("DELETE FROM outbox WHERE seq > ?", (before,))
            self._db.execute("DELETE FROM temp.sync_state")
        return changed[0], changed[1]

    def _take_marks(self, account: str, mark: str, value: str, *, join: bool) -> int:
        """Set ``mark`` of the account's articles to ``value`` (an SQL expression over
        ``ai``, the item, and with ``join`` ``s``, its row of ``sync_state``), but where
        the outbox holds a change of that mark for one of the article's items.

        An article several items are (one story in two subscriptions) is unread if
        any of them is, starred if any is.
        """
        source = (
            "account_items ai JOIN temp.sync_state s ON s.item_id = ai.item_id"
            if join
            else "account_items ai JOIN account_feeds f "
            "ON f.account = ai.account AND f.stream_id = ai.stream_id"
        )
        pending = (
            "EXISTS (SELECT 1 FROM outbox o WHERE o.account = ai.account "
            "AND o.item_id = ai.item_id AND o.tag = ?)"
        )
        if mark == "read":
            # A mark-all-read not yet sent covers every item up to its time.
            pending += (
                " OR ai.usec <= COALESCE((SELECT MAX(value) FROM outbox "
                f"WHERE account = ai.account AND tag = '{MARK_ALL}'), -1)"
            )
        combine = "MIN" if mark == "read" else "MAX"
        rows = self._db.execute(
            f"SELECT ai.article_id, {combine}({value}) AS wanted, MAX({pending}) AS held, "
            f"MAX(a.{mark}) AS now FROM {source} JOIN articles a ON a.id = ai.article_id "
            "WHERE ai.account = ? GROUP BY ai.article_id HAVING held = 0 AND now != wanted",
            (mark, account),
        ).fetchall()
        self._db.executemany(
            f"UPDATE articles SET {mark} = ? WHERE id = ?",
            [(wanted, article_id) for article_id, wanted, _, _ in rows],
        )
        return len(rows)

    def queue_marks(self, account: str, marks: Iterable[tuple[str, str, int]]) -> None:
        """Queue changes the server has yet to learn: (item id, mark, value)."""
        with self.transaction():
            self._db.executemany(
                "INSERT INTO outbox (account, item_id, tag, value, made_at) VALUES (?, ?, ?, ?, ?)",
                [(account, item, tag, value, time.time()) for item, tag, value in marks],
            )

    @reading
    def mapped_articles(self, account: str, article_ids: Sequence[int]) -> set[int]:
        """Those of these articles that are already items of the account."""
        found: set[int] = set()
        ids = list(dict.fromkeys(article_ids))
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            found.update(
                int(row[0])
                for row in self._db.execute(
                    "SELECT DISTINCT article_id FROM account_items WHERE account = ? AND "
                    f"article_id IN ({', '.join('?' * len(chunk))})",
                    (account, *chunk),
                )
            )
        return found

    @reading
    def read_items_up_to(self, account: str, label: str | None, usec: int) -> list[str]:
        """The account's items read here up to a server time, of the subscriptions in a
        label (None: all; a label no subscription has any more: all as well), for a
        mark-all-read the server refused, sent item by item instead."""
        streams = _label_streams(self._db, account, label)
        covered = "" if streams is None else "AND ai.stream_id IN (SELECT value FROM json_each(?))"
        params: list[object] = [account, usec]
        if streams is not None:
            params.append(json.dumps(sorted(streams)))
        return [
            _as_text(item)
            for (item,) in self._db.execute(
                "SELECT ai.item_id FROM account_items ai JOIN articles a ON a.id = ai.article_id "
                f"WHERE ai.account = ? AND a.read = 1 AND ai.usec <= ? {covered}",
                params,
            )
        ]

    @reading
    def outbox(self, account: str, limit: int = 1000) -> list[OutboxEntry]:
        """The account's oldest changes not yet sent, in the order they were made."""
        return [
            OutboxEntry(int(seq), _as_text(item_id), _as_text(tag), int(value))
            for seq, item_id, tag, value in self._db.execute(
                "SELECT seq, item_id, tag, value FROM outbox WHERE account = ? "
                "ORDER BY seq LIMIT ?",
                (account, limit),
            )
        ]

    def outbox_sent(self, seqs: Sequence[int]) -> None:
        """Forget changes the server has taken."""
        with self.transaction():
            self._db.executemany("DELETE FROM outbox WHERE seq = ?", [(seq,) for seq in seqs])

    @reading
    def marked_account_items(self, account: str, mark: str) -> set[str]:
        """The items of the account whose articles are starred here (``mark``
        "starred"), or unread here ("unread")."""
        condition = {"starred": "a.starred = 1", "unread": "a.read = 0"}[mark]
        return {
            _as_text(item)
            for (item,) in self._db.execute(
                "SELECT ai.item_id FROM account_items ai JOIN articles a ON a.id = ai.article_id "
                f"WHERE ai.account = ? AND {condition}",
                (account,),
            )
        }

    @reading
    def accounts_of(self, article_ids: Sequence[int]) -> dict[int, str]:
        """The account each of these articles came from (one only if several)."""
        found: dict[int, str] = {}
        ids = list(dict.fromkeys(article_ids))
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            for article_id, account in self._db.execute(
                "SELECT article_id, MIN(account) FROM account_items WHERE article_id IN "
                f"({', '.join('?' * len(chunk))}) GROUP BY article_id",
                chunk,
            ):
                found[int(article_id)] = _as_text(account)
        return found

    @reading
    def account_feed_title(self, source: str) -> str | None:
        """The title of the account subscription a source stands for, if it is one."""
        for account, feeds in self.account_feeds().items():
            for feed in feeds:
                base = account_source(account, feed.stream_id)
                if source == base or source.startswith(base + "#"):
                    return feed.title
        return None

    @reading
    def account_item_ids(self, article_id: int) -> list[tuple[str, str]]:
        """The (account, item id) pairs that are this article."""
        return [
            (_as_text(account), _as_text(item))
            for account, item in self._db.execute(
                "SELECT account, item_id FROM account_items WHERE article_id = ?", (article_id,)
            )
        ]
