"""Feed state: validators, last success and error, Retry-After; where its articles are filed."""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

from newsreader.cache.connection import CacheBase, reading
from newsreader.cache.values import _as_text, _optional_text, join_category
from newsreader.extract.dates import EARLIEST_DATE, finite_seconds
from newsreader.model import FeedState

_FEED_COLUMNS = (
    "url, title, etag, last_modified, body_hash, permanent_url, last_attempt, last_success, "
    "last_error, item_count, retry_after, repeated_ids, category"
)
LATEST_FEED_TIME = 32_503_680_000.0
"""The year 3000: a feed's stored time (last attempt, success, Retry-After) beyond it, or
before 1970, or not a number, is read as none, so that it always converts to a date."""


def _feed_time(value: object) -> float | None:
    seconds = finite_seconds(value)
    return seconds if seconds is not None and EARLIEST_DATE <= seconds <= LATEST_FEED_TIME else None


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


class FeedStates(CacheBase):
    """The Cache's feed state, and the place of each feed's articles."""

    @reading
    def feed_state(self, url: str) -> FeedState:
        """What is known about a feed (an empty state for a feed never refreshed)."""
        row = self._db.execute(
            f"SELECT {_FEED_COLUMNS} FROM feeds WHERE url = ?", (url,)
        ).fetchone()
        return _feed_state(row) if row else FeedState(url)

    @reading
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
