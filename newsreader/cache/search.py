"""Search: queries cut by the index's own tokenizer, FTS5 lookups, the index kept in step."""

from __future__ import annotations

import re
import sqlite3
import threading
from collections.abc import Iterable
from dataclasses import dataclass

from newsreader.cache.connection import CacheBase, SearchError, reading
from newsreader.cache.reads import summaries
from newsreader.cache.values import read_body
from newsreader.model import Article, ArticleSummary


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


def index_terms(db: sqlite3.Connection, rows: Iterable[tuple[int, str, str]]) -> None:
    """Add articles' terms to the index: (id, title, body text) for each."""
    db.executemany("INSERT INTO articles_fts (rowid, title, body) VALUES (?, ?, ?)", rows)


def forget_terms(db: sqlite3.Connection, article_id: int, title: str, body_json: object) -> None:
    """Delete an article's terms from the index, before it changes or goes.

    The index keeps no copy of the text (``content=''``), so it is told the very
    text it was given: the title, and the body text derived again from the
    stored body (see :func:`_body_text`).
    """
    db.execute(
        "INSERT INTO articles_fts (articles_fts, rowid, title, body) VALUES ('delete', ?, ?, ?)",
        (article_id, title, _body_text(title, body_json)),
    )


class ArticleSearch(CacheBase):
    """The Cache's full-text search."""

    @reading
    def search(self, text: str, *, limit: int = 50, offset: int = 0) -> list[ArticleSummary]:
        """Articles matching every word of ``text``: title matches first, then the rest
        (the killfile's hidden ones left out).

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
                    "AND rowid NOT IN (SELECT article_id FROM hidden) "
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
        return summaries(self._db, ids[:limit])
