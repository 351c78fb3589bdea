"""The local cache: articles and reading state in one SQLite file.

The schema is created and migrated on open (``PRAGMA user_version`` counts the
migrations applied); the file is in WAL mode so that readers never wait for a
writer. Articles are keyed by (source, guid): storing one again updates it in
place when its content changed and leaves read/starred state alone. Full-text
search is an FTS5 table without its own copy of the text (``content=''``); the
cache removes an article's old terms itself when the article changes.

One :class:`Cache` does it all, composed of one mixin a job (see ARCHITECTURE.md);
this module names what the rest of newsreader uses.
"""

from newsreader.cache.accounts import (
    MARK_ALL,
    AccountFeed,
    AccountState,
    OutboxEntry,
    account_source,
    is_account_source,
    label_category,
    label_of_stream,
)
from newsreader.cache.connection import (
    BUSY_TIMEOUT_SECONDS,
    CACHE_KIB,
    WAL_CHECKPOINT_PAGES,
    CacheDamaged,
    CacheError,
    CacheInUse,
    CacheTooNew,
    SearchError,
    is_damage,
    read_error,
    write_error,
)
from newsreader.cache.feeds import LATEST_FEED_TIME, retry_time
from newsreader.cache.lifecycle import (
    LOCK_POLL_SECONDS,
    LOCK_SUFFIX,
    RESET_WAIT_SECONDS,
    Cache,
    CacheLock,
    move_aside,
    open_cache,
    reset_cache,
)
from newsreader.cache.reads import Cursor, Marks
from newsreader.cache.rows import (
    MergeReason,
    PreparedArticle,
    boilerplate_by_source,
    prepare_article,
    prepare_articles,
)
from newsreader.cache.schema import MIGRATIONS, SCHEMA_VERSION
from newsreader.cache.search import (
    MAX_SEARCH_CHARS,
    MAX_SEARCH_TERMS,
    WORD_TOKENIZER,
    SearchQuery,
    fts_query,
    parse_search,
)
from newsreader.cache.undo import UNDO_HISTORY, UndoneMarks
from newsreader.cache.values import (
    UNREADABLE_BODY,
    StoredBody,
    body_problem,
    join_category,
    read_body,
    split_category,
)
from newsreader.cache.writes import Outcome
from newsreader.model import CATEGORY_SEPARATOR

__all__ = [
    "BUSY_TIMEOUT_SECONDS",
    "CACHE_KIB",
    "CATEGORY_SEPARATOR",
    "LATEST_FEED_TIME",
    "LOCK_POLL_SECONDS",
    "LOCK_SUFFIX",
    "MARK_ALL",
    "MAX_SEARCH_CHARS",
    "MAX_SEARCH_TERMS",
    "MIGRATIONS",
    "RESET_WAIT_SECONDS",
    "SCHEMA_VERSION",
    "UNDO_HISTORY",
    "UNREADABLE_BODY",
    "WAL_CHECKPOINT_PAGES",
    "WORD_TOKENIZER",
    "AccountFeed",
    "AccountState",
    "Cache",
    "CacheDamaged",
    "CacheError",
    "CacheInUse",
    "CacheLock",
    "CacheTooNew",
    "Cursor",
    "Marks",
    "MergeReason",
    "OutboxEntry",
    "Outcome",
    "PreparedArticle",
    "SearchError",
    "SearchQuery",
    "StoredBody",
    "UndoneMarks",
    "account_source",
    "body_problem",
    "boilerplate_by_source",
    "fts_query",
    "is_account_source",
    "is_damage",
    "join_category",
    "label_category",
    "label_of_stream",
    "move_aside",
    "open_cache",
    "parse_search",
    "prepare_article",
    "prepare_articles",
    "read_body",
    "read_error",
    "reset_cache",
    "retry_time",
    "split_category",
    "write_error",
]
