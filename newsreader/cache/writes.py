"""Storing articles: a batch upserted in one transaction, copies of other sources' listed."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping
from enum import StrEnum

from newsreader.cache.connection import CacheBase
from newsreader.cache.rows import (
    _LISTING_COLUMNS,
    PreparedArticle,
    _chunks,
    _key,
    _KnownArticles,
    _listing,
    _same_article,
    prepare_articles,
)
from newsreader.cache.search import forget_terms, index_terms
from newsreader.cache.stories import group_stories
from newsreader.model import Article
from newsreader.story_sketch import Sketch


class Outcome(StrEnum):
    """What storing one article did."""

    NEW = "new"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    DUPLICATE = "duplicate"
    """Another source brought the same article first: it is listed under this one too."""


class ArticleWrites(CacheBase):
    """The Cache's upserts: new articles, changed ones, and listings."""

    def store_articles(
        self, articles: Iterable[Article], *, fallback_time: float | None = None
    ) -> list[tuple[Outcome, int]]:
        """Store articles in one transaction; returns (outcome, id) for each.

        Args:
            articles: What to store.
            fallback_time: Sort time for articles without a publication date
                (a file's modification time); defaults to now.
        """
        return self.store_prepared(prepare_articles(list(articles), fallback_time or time.time()))

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
        regroup: dict[int, tuple[str, Sketch | None]] = {}
        """Articles whose text is new or changed: their stories are found after the writes."""

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
            regroup[next_id] = (str(row.values["source"]), row.sketch)
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
                    regroup[article_id] = (str(values["source"]), row.sketch)
                else:
                    self._update(article_id, row, now)
                    regroup[article_id] = (str(values["source"]), row.sketch)
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
            index_terms(self._db, index_rows)
        if new_listings:
            self._db.executemany(
                f"INSERT INTO listings ({_LISTING_COLUMNS}) "
                f"VALUES ({', '.join(':' + c for c in _LISTING_COLUMNS.split(', '))})",
                list(new_listings.values()),
            )
        group_stories(self._db, [(article_id, *place) for article_id, place in regroup.items()])
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
        forget_terms(self._db, article_id, old_title, old_body)
        values = {k: v for k, v in row.values.items() if k not in ("source", "guid")}
        assignments = ", ".join(f"{column} = :{column}" for column in values)
        self._db.execute(
            f"UPDATE articles SET {assignments}, updated = :now WHERE id = :id",
            {**values, "now": now, "id": article_id},
        )
        index_terms(self._db, [(article_id, str(row.values["title"]), row.search_text)])
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
