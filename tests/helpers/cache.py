"""What tests ask of a Cache that newsreader itself never does."""

from newsreader.cache import Cache


def article_count(cache: Cache) -> int:
    """How many articles the cache holds (listings not counted)."""
    return int(cache._db.execute("SELECT COUNT(*) FROM articles").fetchone()[0])
