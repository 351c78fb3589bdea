"""Where the tests' data lives: fixture files, the hostile corpus, the shared corpus."""

from __future__ import annotations

from pathlib import Path

TESTS = Path(__file__).parent.parent
ROOT = TESTS.parent
"""The repository's top level."""
HOSTILE = TESTS / "hostile"
FIXTURES = TESTS / "fixtures"
ARTICLES = FIXTURES / "articles"
BAD = FIXTURES / "bad"
CORPUS = TESTS.parent.parent / "shared" / "corpus"
SEED = CORPUS / "seed" / "china-russia-wang-yi-putin.txt"


def corpus_feeds() -> list[Path]:
    """The corpus's feed files in the formats newsreader reads (none without the corpus)."""
    from newsreader.extract import FEED_SUFFIXES

    if not CORPUS.is_dir():
        return []
    return sorted(p for p in (CORPUS / "feeds").iterdir() if p.suffix.lower() in FEED_SUFFIXES)
