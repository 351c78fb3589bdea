"""The local cache: articles and reading state in one SQLite file.

The schema is created and migrated on open (``PRAGMA user_version`` counts the
migrations applied); the file is in WAL mode so that readers never wait for a
writer. Articles are keyed by (source, guid): storing one again updates it in
place when its content changed and leaves read/starred state alone. Full-text
search is an FTS5 table without its own copy of the text (``content=''``); the
store removes an article's old terms itself when the article changes.

One :class:`Store` does it all, composed of one mixin a job (see ARCHITECTURE.md);
this module names what the rest of newsreader uses.
"""

from newsreader.model import CATEGORY_SEPARATOR
from newsreader.store.cache import (
    LOCK_POLL_SECONDS,
    LOCK_SUFFIX,
    RESET_WAIT_SECONDS,
    CacheLock,
    Store,
    move_aside,
    open_cache,
    reset_cache,
)
from newsreader.store.connection import (
    BUSY_TIMEOUT_SECONDS,
    CACHE_KIB,
    WAL_CHECKPOINT_PAGES,
    CacheDamaged,
    CacheInUse,
    CacheTooNew,
    SearchError,
    StoreError,
    is_damage,
    read_error,
    write_error,
)
from newsreader.store.feeds import LATEST_FEED_TIME, retry_time
from newsreader.store.reads import Cursor
from newsreader.store.rows import MergeReason, PreparedArticle, prepare_article
from newsreader.store.schema import MIGRATIONS, SCHEMA_VERSION
from newsreader.store.search import (
    MAX_SEARCH_CHARS,
    MAX_SEARCH_TERMS,
    WORD_TOKENIZER,
    SearchQuery,
    fts_query,
    parse_search,
)
from newsreader.store.values import (
    UNREADABLE_BODY,
    StoredBody,
    body_problem,
    join_category,
    read_body,
    split_category,
)
from newsreader.store.writes import Outcome

__all__ = [
    "BUSY_TIMEOUT_SECONDS",
    "CACHE_KIB",
    "CATEGORY_SEPARATOR",
    "LATEST_FEED_TIME",
    "LOCK_POLL_SECONDS",
    "LOCK_SUFFIX",
    "MAX_SEARCH_CHARS",
    "MAX_SEARCH_TERMS",
    "MIGRATIONS",
    "RESET_WAIT_SECONDS",
    "SCHEMA_VERSION",
    "UNREADABLE_BODY",
    "WAL_CHECKPOINT_PAGES",
    "WORD_TOKENIZER",
    "CacheDamaged",
    "CacheInUse",
    "CacheLock",
    "CacheTooNew",
    "Cursor",
    "MergeReason",
    "Outcome",
    "PreparedArticle",
    "SearchError",
    "SearchQuery",
    "Store",
    "StoreError",
    "StoredBody",
    "body_problem",
    "fts_query",
    "is_damage",
    "join_category",
    "move_aside",
    "open_cache",
    "parse_search",
    "prepare_article",
    "read_body",
    "read_error",
    "reset_cache",
    "retry_time",
    "split_category",
    "write_error",
]
