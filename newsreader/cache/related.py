"""Related articles: the cached articles most like one, found through the search index.

An article's most distinctive words (frequent in it, rare in the cache: tf-idf
over the index's own stemmed terms, a title word counting three times) are
looked up one by one in the index. The articles holding them are ranked by the
summed weight of the words they share (the word's weight in the article times
its rarity), a word in their title counting twice, over the square root of
their length: FTS5's ``bm25`` needs the positions that ``detail='column'`` does
not keep. The article itself, its copies (the same text, address or title, or
nearly all its words) and the killfile's hidden articles are left out. Nothing
is stored: it is worked out when an article is opened.
"""

from __future__ import annotations

import math
import sqlite3
import threading

from newsreader.cache.connection import CacheBase, reading
from newsreader.cache.matching import VISIBLE
from newsreader.cache.reads import summaries
from newsreader.cache.search import WORD_TOKENIZER, _body_text
from newsreader.cache.stories import story_of
from newsreader.model import ArticleSummary

RELATED_LIMIT = 5
CANDIDATE_TERMS = 30
"""The article's most frequent words whose rarity is looked up (a lookup costs in
proportion to how many articles hold the word)."""
QUERY_TERMS = 20
"""Of those, the most distinctive, which the related articles are found by."""
TITLE_WEIGHT = 3
TITLE_BONUS = 1.0
"""A shared word in the other article's title counts this much more."""
RANKED = 50
"""The best matches by shared words, ranked again with their length."""
MAX_TEXT_CHARS = 20_000
"""Of a long article, the words of its beginning are read."""
COPY_OVERLAP = 0.8
"""Two articles sharing this share of their words are one story, not related ones."""
MAX_SHARE = 0.05
"""A word held by more than this share of the cache (and more than :data:`MIN_HELD`
articles) says nothing of a topic."""
MIN_HELD = 8
"""However small the cache, a word held by this many articles may still tell."""

# Words that say nothing of a topic, as the porter stemmer leaves them; rarity takes
# care of the others in a cache of any size.
_STOPWORD_TEXT = (
    "a about abov after again against all also am an and ani ar as at be becaus been befor "
    "being below between both but by can could did do doe down dure each few for from "
    "further had ha have he her here hi him himself how i if in into is it itself just me "
    "more most my no nor not now of off on onc onli or other our out over own read said same "
    "say she should so some such than that the their them then there these thei thi those "
    "through to too under until up veri wa we were what when where which while who whom why "
    "will with would you your year new two first last like get got make made"
)
STOPWORDS = frozenset(_STOPWORD_TEXT.split())

_scratch = threading.local()


def _terms(title: str, body: str) -> dict[str, int]:
    """A text's stemmed terms as the index cuts and stems them, each with its count (a title
    word counts :data:`TITLE_WEIGHT` times): an in-memory index with the same tokenizer."""
    db: sqlite3.Connection | None = getattr(_scratch, "db", None)
    if db is None:
        db = _scratch.db = sqlite3.connect(":memory:", isolation_level=None)
        tokenizer = f"porter {WORD_TOKENIZER}"
        db.execute(f"CREATE VIRTUAL TABLE texts USING fts5(title, body, tokenize='{tokenizer}')")
        db.execute("CREATE VIRTUAL TABLE words USING fts5vocab(texts, col)")
    db.execute("DELETE FROM texts")
    db.execute("INSERT INTO texts (rowid, title, body) VALUES (1, ?, ?)", (title, body))
    counts: dict[str, int] = {}
    for term, column, count in db.execute("SELECT term, col, cnt FROM words"):
        weight = TITLE_WEIGHT if column == "title" else 1
        counts[str(term)] = counts.get(str(term), 0) + int(count) * weight
    return counts


def _article_terms(title: object, body_json: object) -> dict[str, int]:
    text = str(title)
    return _terms(text, _body_text(text, body_json)[:MAX_TEXT_CHARS])


def _telling(term: str) -> bool:
    return len(term) >= 3 and not term.isdigit() and term not in STOPWORDS


def _quoted(term: str) -> str:
    return '"' + term.replace('"', '""') + '"'


class RelatedReads(CacheBase):
    """The Cache's related articles."""

    @reading
    def related(self, article_id: int, limit: int = RELATED_LIMIT) -> list[ArticleSummary]:
        """The cached articles most like this one, best first (at most ``limit``)."""
        row = self._db.execute(
            "SELECT title, body, content_hash, title_norm, url_norm FROM articles WHERE id = ?",
            (article_id,),
        ).fetchone()
        if row is None:
            return []
        terms = _article_terms(row[0], row[1])
        story = story_of(self._db, article_id)
        chosen: list[int] = []
        for candidate in self._ranked(article_id, self._distinctive(terms)):
            if story_of(self._db, candidate) == story:
                continue  # another outlet's copy of this story, not a related one
            other = self._db.execute(
                "SELECT title, body, content_hash, title_norm, url_norm FROM articles "
                f"WHERE id = ? AND {VISIBLE}",
                (candidate,),
            ).fetchone()
            if other is None or _copies(row, other, terms):
                continue
            chosen.append(candidate)
            if len(chosen) == limit:
                break
        return summaries(self._db, chosen)

    def _distinctive(self, terms: dict[str, int]) -> list[tuple[float, str]]:
        """The article's most distinctive words, each with its weight in the query."""
        (total,) = self._db.execute("SELECT COUNT(*) FROM articles").fetchone()
        most = max(MIN_HELD, int(total * MAX_SHARE))
        frequent = sorted((t for t in terms if _telling(t)), key=lambda t: (-terms[t], t))
        scored: list[tuple[float, float, str]] = []
        for term in frequent[:CANDIDATE_TERMS]:
            # Counted no further than the most that may tell: a common word costs little.
            (documents,) = self._db.execute(
                "SELECT COUNT(*) FROM (SELECT rowid FROM articles_fts "
                "WHERE articles_fts MATCH ? LIMIT ?)",
                (_quoted(term), most + 1),
            ).fetchone()
            if documents < 2 or documents > most:
                continue  # in this article alone, or in too many to tell
            rarity = math.log((total + 1) / documents)
            weight = (1 + math.log(terms[term])) * rarity
            scored.append((weight, weight * rarity, term))
        return [(score, term) for _, score, term in sorted(scored, reverse=True)[:QUERY_TERMS]]

    def _ranked(self, article_id: int, weighted: list[tuple[float, str]]) -> list[int]:
        """Other visible articles by the words they share with these, best first."""
        if not weighted:
            return []
        parts, params = [], []
        select = "SELECT rowid, ? AS weight FROM articles_fts WHERE articles_fts MATCH ?"
        for weight, term in weighted:
            parts += [select, select]
            params += [weight, _quoted(term), weight * TITLE_BONUS, f"{{title}} : {_quoted(term)}"]
        scored = self._db.execute(
            f"SELECT rowid, SUM(weight) AS score FROM ({' UNION ALL '.join(parts)}) "
            "WHERE rowid != ? AND rowid NOT IN (SELECT article_id FROM hidden) "
            "GROUP BY rowid ORDER BY score DESC, rowid DESC LIMIT ?",
            (*params, article_id, RANKED),
        ).fetchall()
        if not scored:
            return []
        # A long article shares more words by its length alone; its stored text's size
        # stands for its length, as near as a ranking needs.
        placeholders = ", ".join("?" * len(scored))
        sizes = dict(
            self._db.execute(
                f"SELECT id, length(body) FROM articles WHERE id IN ({placeholders})",
                [rowid for rowid, _ in scored],
            ).fetchall()
        )
        ranked = sorted(
            scored, key=lambda row: (-row[1] / math.sqrt(max(1, sizes.get(row[0], 1))), -row[0])
        )
        return [int(rowid) for rowid, _ in ranked]


def _copies(own: tuple[object, ...], other: tuple[object, ...], terms: dict[str, int]) -> bool:
    """Whether two rows (title, body, content hash, folded title, folded address) are one
    story: the same text, title or address, or nearly all the same words."""
    if other[2] == own[2] or other[3] == own[3] or (own[4] is not None and other[4] == own[4]):
        return True
    words, theirs = set(terms), set(_article_terms(other[0], other[1]))
    return len(words & theirs) >= COPY_OVERLAP * max(1, min(len(words), len(theirs)))
