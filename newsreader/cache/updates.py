"""Changes to stored articles: read and starred marks, converted sections, pruning.

Marking many articles read at once, undoably, is :mod:`newsreader.cache.undo`'s.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from newsreader.cache.connection import CacheBase, reading
from newsreader.cache.search import _body_text, forget_terms, index_terms
from newsreader.cache.values import _order_key, read_body
from newsreader.model import Article, parts_to_json


class ArticleUpdates(CacheBase):
    """The Cache's changes to articles already stored."""

    def set_read(self, article_id: int, read: bool = True) -> None:
        """Mark an article read or unread."""
        with self.transaction():
            self._db.execute("UPDATE articles SET read = ? WHERE id = ?", (int(read), article_id))

    def set_read_many(self, article_ids: Sequence[int], read: bool = True) -> None:
        """Mark several articles read or unread, in one transaction."""
        with self.transaction():
            self._db.executemany(
                "UPDATE articles SET read = ? WHERE id = ?", [(int(read), i) for i in article_ids]
            )

    def set_starred(self, article_id: int, starred: bool = True) -> None:
        """Star or unstar an article."""
        with self.transaction():
            self._db.execute(
                "UPDATE articles SET starred = ? WHERE id = ?", (int(starred), article_id)
            )

    @reading
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
            forget_terms(self._db, article_id, title, old_body)
            self._db.execute("UPDATE articles SET body = ? WHERE id = ?", (new_body, article_id))
            index_terms(self._db, [(article_id, title, _body_text(title, new_body))])

    @reading
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
        forget_terms(self._db, article_id, title, body)
        self._db.execute("DELETE FROM articles WHERE id = ?", (article_id,))
