"""What tests ask of a Store that newsreader itself never does."""

from newsreader.store import Store


def article_count(store: Store) -> int:
    """How many articles the cache holds (listings not counted)."""
    return int(store._db.execute("SELECT COUNT(*) FROM articles").fetchone()[0])
