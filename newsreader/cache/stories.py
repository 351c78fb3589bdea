"""Stories: the articles that tell one story, from several sources, as one group.

Exact copies are one article already (a listing of each other source); near
copies (an edited headline, trimmed or reordered paragraphs, other
boilerplate) are articles of their own that share a ``story``: the id of the
group's first article. Each article with enough text keeps its sketch
(:mod:`newsreader.story_sketch`) in ``stories`` and its smallest hashes in
``story_marks``; a new article looks its marks up there, checks the few
articles that share them, and joins the best one's story that tells the same
story from another source. Two entries of one source are never one story.
"""

from __future__ import annotations

import json
import sqlite3
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from functools import cache

from newsreader.cache.connection import CacheBase, reading
from newsreader.cache.matching import VISIBLE
from newsreader.cache.rows import _chunks
from newsreader.model import ArticleSummary
from newsreader.story_sketch import Sketch, story_share

CANDIDATES = 8
"""Articles whose sketches a new article is compared with: those sharing most marks."""
_POSTINGS = 64
"""Articles read for one mark: a mark that many articles share is boilerplate's."""


@dataclass(frozen=True, slots=True)
class StoryPlace:
    """An article's story, how many copies (articles and listings) the story has, and
    which of its other articles are unread."""

    story: int
    sources: int
    unread_copies: frozenset[int] = frozenset()


def group_stories(
    db: sqlite3.Connection, articles: Iterable[tuple[int, str, Sketch | None]]
) -> None:
    """Give each new (or changed) article (id, source, sketch) its story, in order.

    An article stored earlier in the same batch is found like any other, so
    a folder of copies imported at once is grouped too. An article without a
    sketch (too little text) is a story of its own.
    """
    articles = list(articles)
    # A changed article is grouped again; the trigger takes its old marks.
    for chunk in _chunks([article_id for article_id, _, _ in articles]):
        db.execute(f"DELETE FROM stories WHERE article_id IN ({_marks(chunk)})", chunk)
    for article_id, source, sketch in articles:
        if sketch is None:
            continue
        story = _matching_story(db, article_id, source, sketch)
        db.execute(
            "INSERT INTO stories (article_id, story, size, sketch, marks) VALUES (?, ?, ?, ?, ?)",
            (article_id, story, sketch.size, sketch.to_bytes(), json.dumps(sketch.marks)),
        )
        db.executemany(
            "INSERT OR IGNORE INTO story_marks (mark, article_id) VALUES (?, ?)",
            [(mark, article_id) for mark in sketch.marks],
        )


def _matching_story(db: sqlite3.Connection, article_id: int, source: str, sketch: Sketch) -> int:
    marks = sketch.marks
    shared = Counter(
        int(other)
        for (other,) in db.execute(
            _postings_query(len(marks)), [value for mark in marks for value in (mark, _POSTINGS)]
        )
        if other != article_id
    )
    if not shared:
        return article_id
    candidates = [other for other, _ in shared.most_common(CANDIDATES)]
    rows = db.execute(
        "SELECT s.article_id, s.story, s.size, s.sketch FROM stories s "
        f"WHERE s.article_id IN ({', '.join('?' * len(candidates))})",
        candidates,
    ).fetchall()
    best: tuple[float, int] | None = None
    for _other, story, size, data in rows:
        share = story_share(sketch, Sketch.from_bytes(int(size), bytes(data)))
        if share is None:
            continue
        if (best is None or share > best[0]) and not _told_by(db, int(story), source):
            best = (share, int(story))
    return article_id if best is None else best[1]


@cache
def _postings_query(marks: int) -> str:
    """The articles holding each of ``marks`` marks, at most ``_POSTINGS`` a mark: one query."""
    one = (
        "SELECT article_id FROM (SELECT article_id FROM story_marks WHERE mark = ? "
        "ORDER BY article_id DESC LIMIT ?)"
    )
    return " UNION ALL ".join([one] * marks)


def _told_by(db: sqlite3.Connection, story: int, source: str) -> bool:
    """Whether a story has an article of this source already (or listed under it)."""
    row = db.execute(
        "SELECT 1 FROM stories s JOIN articles a ON a.id = s.article_id "
        "WHERE s.story = ? AND (a.source = ? OR EXISTS (SELECT 1 FROM listings l "
        "WHERE l.article_id = a.id AND l.source = ?)) LIMIT 1",
        (story, source, source),
    ).fetchone()
    return row is not None


def story_places(db: sqlite3.Connection, ids: Sequence[int]) -> dict[int, StoryPlace]:
    """Each article's story and its number of copies (its articles the killfile leaves,
    each under every source that carries it); an article of no group is its own."""
    if not ids:
        return {}
    story_of = {int(i): int(i) for i in ids}
    for chunk in _chunks(list(story_of)):
        for article_id, story in db.execute(
            f"SELECT article_id, story FROM stories WHERE article_id IN ({_marks(chunk)})", chunk
        ):
            story_of[int(article_id)] = int(story)
    stories = sorted(set(story_of.values()))
    members: dict[int, set[int]] = {story: set() for story in stories}
    for chunk in _chunks(stories):
        for article_id, story in db.execute(
            f"SELECT s.article_id, s.story FROM stories s WHERE s.story IN ({_marks(chunk)}) "
            f"AND s.{VISIBLE.replace('id', 'article_id', 1)}",
            chunk,
        ):
            members[int(story)].add(int(article_id))
    for article_id, story in story_of.items():
        members[story].add(article_id)
    story_of_member = {m: story for story, group in members.items() for m in group}
    carried: dict[int, set[str]] = {story: set() for story in stories}
    unread: dict[int, set[int]] = {story: set() for story in stories}
    for chunk in _chunks(sorted(story_of_member)):
        for query in (
            f"SELECT id, source, read FROM articles WHERE id IN ({_marks(chunk)})",
            f"SELECT article_id, source, 1 FROM listings WHERE article_id IN ({_marks(chunk)})",
        ):
            for article_id, source, read in db.execute(query, chunk):
                story = story_of_member[int(article_id)]
                carried[story].add(str(source))
                if not read:
                    unread[story].add(int(article_id))
    sources = {story: max(1, len(found)) for story, found in carried.items()}
    return {
        article_id: StoryPlace(story, sources[story], frozenset(unread[story] - {article_id}))
        for article_id, story in story_of.items()
    }


def _marks(values: Sequence[int]) -> str:
    return ", ".join("?" * len(values))


def story_of(db: sqlite3.Connection, article_id: int) -> int:
    """An article's story: its own id when no other article tells it."""
    row = db.execute("SELECT story FROM stories WHERE article_id = ?", (article_id,)).fetchone()
    return article_id if row is None else int(row[0])


class StoryReads(CacheBase):
    """The Cache's reads of stories: a story's copies, the article first."""

    @reading
    def story_of(self, article_id: int) -> int:
        """An article's story: its own id when no other article tells it."""
        return story_of(self._db, article_id)

    @reading
    def story_members(self, article_id: int) -> list[tuple[int, str]]:
        """Every copy of an article's story as (article id, source): the article first,
        then the others newest first; a listing is its article under another source.
        Articles the killfile hides are left out, the article itself never."""
        story = story_of(self._db, article_id)
        ids = [
            int(i)
            for (i,) in self._db.execute(
                "SELECT a.id FROM articles a JOIN stories s ON s.article_id = a.id "
                f"WHERE s.story = ? AND (a.id = ? OR a.{VISIBLE}) "
                "ORDER BY a.id = ? DESC, a.sort_key DESC, a.id DESC",
                (story, article_id, article_id),
            )
        ]
        if article_id not in ids:
            ids.insert(0, article_id)
        copies: list[tuple[int, str]] = []
        for member in ids:
            for (source,) in self._db.execute(
                "SELECT source FROM articles WHERE id = ? UNION ALL "
                "SELECT source FROM listings WHERE article_id = ?",
                (member, member),
            ):
                copies.append((member, str(source)))
        return copies

    @reading
    def story_copies(self, article_id: int) -> list[ArticleSummary]:
        """The other copies of an article's story, as list rows: each under its own
        source (a listing as its article under the listing's source)."""
        from newsreader.cache.reads import summaries  # reads imports this module

        members = self.story_members(article_id)
        own_source = members[0][1] if members else ""
        by_id = {s.id: s for s in summaries(self._db, sorted({i for i, _ in members}))}
        copies = []
        seen = {own_source}
        for member, source in members:
            if source in seen or member not in by_id:
                continue  # one row a source, as the story's count has it
            seen.add(source)
            copies.append(replace(by_id[member], source=source))
        return copies

    @reading
    def story_article_ids(self, article_id: int) -> list[int]:
        """The ids of the articles that tell an article's story, itself included."""
        return sorted({member for member, _ in self.story_members(article_id)})
