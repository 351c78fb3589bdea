"""Marking many articles read, and undoing it: the marks each such act made, kept in the cache.

Each act records the ids it changed from unread to read, in the transaction
that changes them, so an undo sets exactly those unread again, after a restart
too. The history keeps the latest :data:`UNDO_HISTORY` acts; an article pruned
since is left out of its act (its rows go with it).
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Sequence
from dataclasses import dataclass

from newsreader.cache.accounts import queue_mark_all
from newsreader.cache.connection import CacheBase, reading
from newsreader.cache.matching import VISIBLE, CompiledFilter, deadline
from newsreader.cache.reads import _where, filtered

UNDO_HISTORY = 20
"""How many acts of marking read can be undone, latest first; older ones are forgotten."""


@dataclass(frozen=True, slots=True)
class UndoneMarks:
    """What an undo did."""

    description: str
    """Where the articles were marked read (``in "All"``, ``with newsreader read``)."""
    made_at: float
    """When they were marked read (epoch seconds)."""
    restored: int
    """How many are unread again (those still in the cache)."""


def record_marks(db: sqlite3.Connection, article_ids: Sequence[int], description: str) -> None:
    """Remember an act of marking these articles read, in the caller's transaction,
    and forget the acts beyond :data:`UNDO_HISTORY`."""
    cursor = db.execute(
        "INSERT INTO undo_actions (made_at, description) VALUES (?, ?)",
        (time.time(), description),
    )
    action_id = cursor.lastrowid
    db.executemany(
        "INSERT OR IGNORE INTO undo_articles (action_id, article_id) VALUES (?, ?)",
        ((action_id, article_id) for article_id in article_ids),
    )
    db.execute(
        "DELETE FROM undo_actions WHERE id NOT IN "
        "(SELECT id FROM undo_actions ORDER BY id DESC LIMIT ?)",
        (UNDO_HISTORY,),
    )


class MarkUndo(CacheBase):
    """The Cache's marking of many articles read, each act undoable."""

    @reading
    def count_unread(
        self,
        category: Sequence[str] = (),
        *,
        source: str | None = None,
        starred_only: bool = False,
        matching: CompiledFilter | None = None,
        hidden: bool = False,
        whole_stories: bool = False,
    ) -> int:
        """How many unread articles :meth:`mark_all_read` would mark with these arguments."""
        conditions, params = self._matching(category, source, starred_only, matching, hidden)
        if whole_stories and not hidden:
            copies, copy_params = self._unread_copies(category, source, starred_only, matching)
            conditions = [f"(({' AND '.join(conditions) or '1'}) OR {copies})"]
            params = [*params, *copy_params]
        with deadline(self._db):
            row = self._db.execute(
                f"SELECT count(*) FROM articles {_where(conditions)}", params
            ).fetchone()
        return int(row[0])

    def mark_all_read(
        self,
        category: Sequence[str] = (),
        *,
        source: str | None = None,
        starred_only: bool = False,
        matching: CompiledFilter | None = None,
        hidden: bool = False,
        description: str = "",
        whole_stories: bool = False,
    ) -> int:
        """Mark every unread article of a category (and below), a source, or all, read;
        those a filter passes (``matching``); the killfile's hidden ones (``hidden``),
        which are otherwise left alone. With ``whole_stories`` (the reader's
        ``read_whole_story``) the other visible copies of their stories too, as
        opening a story's row marks them.

        With a ``description`` the act is recorded, to be undone by :meth:`undo_marks`.

        Returns:
            How many articles changed from unread to read.
        """
        conditions, params = self._matching(category, source, starred_only, matching, hidden)
        with self.transaction(), deadline(self._db):
            (before,) = self._db.execute("SELECT COALESCE(MAX(seq), 0) FROM outbox").fetchone()
            changed = [
                int(row[0])
                for row in self._db.execute(
                    f"UPDATE articles SET read = 1 {_where(conditions)} RETURNING id", params
                ).fetchall()
            ]
            copies_changed: list[int] = []
            if whole_stories and not hidden:
                copies, copy_params = self._unread_copies(category, source, starred_only, matching)
                copies_changed = [
                    int(row[0])
                    for row in self._db.execute(
                        f"UPDATE articles SET read = 1 WHERE {copies} RETURNING id", copy_params
                    ).fetchall()
                ]  # other sources' copies: the server hears of them one by one
            if description and (changed or copies_changed):
                record_marks(self._db, changed + copies_changed, description)
            (hiding,) = self._db.execute("SELECT EXISTS (SELECT 1 FROM hidden)").fetchone()
            if matching is None and not hidden and not hiding:
                # A filter's articles are no server label's, and a label's mark-all would
                # take the hidden ones the reader left alone: those go item by item.
                queue_mark_all(self._db, category, source, changed, before)
        return len(changed) + len(copies_changed)

    def mark_read(self, article_ids: Sequence[int], *, description: str = "") -> int:
        """Mark these articles read; with a ``description``, an act of more than one
        article is recorded, to be undone by :meth:`undo_marks`.

        Returns:
            How many changed from unread to read (one already read, or not in the
            cache, is not counted).
        """
        changed: list[int] = []
        with self.transaction():
            for article_id in dict.fromkeys(article_ids):
                row = self._db.execute(
                    "UPDATE articles SET read = 1 WHERE id = ? AND read = 0 RETURNING id",
                    (article_id,),
                ).fetchone()
                if row is not None:
                    changed.append(int(row[0]))
            if description and len(changed) > 1:
                record_marks(self._db, changed, description)
        return len(changed)

    def undo_marks(self) -> UndoneMarks | None:
        """Set the articles of the latest recorded act unread again, and forget the act.

        Returns:
            What was undone, or None when there is nothing to undo.
        """
        with self.transaction():
            latest = self._db.execute(
                "SELECT id, made_at, description FROM undo_actions ORDER BY id DESC LIMIT 1"
            ).fetchone()
            if latest is None:
                return None
            action_id, made_at, description = latest
            cursor = self._db.execute(
                "UPDATE articles SET read = 0 WHERE id IN "
                "(SELECT article_id FROM undo_articles WHERE action_id = ?)",
                (action_id,),
            )
            self._db.execute("DELETE FROM undo_actions WHERE id = ?", (action_id,))
        return UndoneMarks(str(description), float(made_at), cursor.rowcount)

    @staticmethod
    def _unread_copies(
        category: Sequence[str],
        source: str | None,
        starred_only: bool,
        matching: CompiledFilter | None,
    ) -> tuple[str, list[object]]:
        """A condition on articles: unread, visible, and of the story of an article
        (read or not) of a category, a source, or all, that a filter passes."""
        conditions, params = filtered(category, source, False, starred_only, matching, False)
        return (
            f"read = 0 AND {VISIBLE} AND id IN (SELECT s2.article_id FROM stories s2 "
            "WHERE s2.story IN (SELECT s1.story FROM stories s1 WHERE s1.article_id IN "
            f"(SELECT id FROM articles {_where(conditions)})))",
            params,
        )

    @staticmethod
    def _matching(
        category: Sequence[str],
        source: str | None,
        starred_only: bool,
        matching: CompiledFilter | None,
        hidden: bool,
    ) -> tuple[list[str], list[object]]:
        """WHERE conditions and parameters of the unread articles of a category
        (and below, with its listings), a source (with its listings), or all; of
        those, the ones a filter passes; the visible ones, or the hidden."""
        return filtered(category, source, True, starred_only, matching, hidden)
