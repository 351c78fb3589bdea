"""The connection's shared parts: transactions, and every SQLite error as a plain CacheError."""

from __future__ import annotations

import contextlib
import functools
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Concatenate, ParamSpec, TypeVar

BUSY_TIMEOUT_SECONDS = 30.0
CACHE_KIB = 32 * 1024
"""SQLite page cache per connection: enough to keep the indexes hot during an import."""
WAL_CHECKPOINT_PAGES = 8192
"""Checkpoint the WAL every 32 MiB rather than 4: a bulk write fsyncs the database less often."""


class CacheError(Exception):
    """The cache cannot be opened or used (corrupt, too new, unwritable)."""


class SearchError(CacheError):
    """The search index could not answer a search."""


class CacheDamaged(CacheError):
    """The cache file is not an SQLite database, or SQLite found it corrupt."""


class CacheTooNew(CacheError):
    """The cache was written by a newer newsreader, with a schema this one does not know."""


class CacheInUse(CacheError):
    """Another newsreader has the cache open, so it cannot be moved aside."""


_DAMAGE_ERRORS = ("SQLITE_NOTADB", "SQLITE_CORRUPT")


def is_damage(error: BaseException) -> bool:
    """True when an SQLite error says the file is corrupt or not a database."""
    name = getattr(error, "sqlite_errorname", "") or ""
    return name.startswith(_DAMAGE_ERRORS)


def _busy(name: str) -> str | None:
    """The reason for a busy or locked database; None for any other error."""
    if name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")):
        return f"another newsreader kept it busy for over {BUSY_TIMEOUT_SECONDS:g} s"
    return None


def write_error(path: Path, error: sqlite3.Error) -> CacheError:
    """A CacheError that says in plain words why a write to the cache failed."""
    name = getattr(error, "sqlite_errorname", "") or ""
    if name.startswith("SQLITE_FULL"):
        reason = "the disk is full"
    elif name.startswith("SQLITE_IOERR"):
        reason = f"the disk refused the write, full or over a size limit ({error})"
    elif name.startswith("SQLITE_READONLY"):
        reason = "the file or its folder is read-only"
    elif busy := _busy(name):
        reason = busy
    elif is_damage(error):
        return CacheDamaged(
            f"the cache {path} is damaged ({error}); run `newsreader cache reset` "
            "to move it aside and start a new cache"
        )
    else:
        reason = str(error)
    return CacheError(f"cannot write to the cache {path}: {reason}; nothing was half-written")


def read_error(path: Path, error: sqlite3.Error) -> CacheError:
    """A CacheError that says in plain words why a read of the cache failed."""
    name = getattr(error, "sqlite_errorname", "") or ""
    if busy := _busy(name):
        return CacheError(f"cannot read the cache {path}: {busy}")
    if name.startswith("SQLITE_IOERR"):
        return CacheError(f"cannot read the cache {path}: the disk refused the read ({error})")
    message = (
        f"the cache {path} cannot be read ({error}); "
        "`newsreader cache check` tells more, `newsreader cache reset` starts a new cache"
    )
    return CacheDamaged(message) if is_damage(error) else CacheError(message)


_Base = TypeVar("_Base", bound="CacheBase")
_Params = ParamSpec("_Params")
_Result = TypeVar("_Result")


def reading(
    method: Callable[Concatenate[_Base, _Params], _Result],
) -> Callable[Concatenate[_Base, _Params], _Result]:
    """Make a Cache method's SQLite errors plain CacheErrors (see :func:`read_error`).

    Writes get theirs from their transaction (:func:`write_error`); a method that
    reads before it writes is wrapped too, and its transaction's errors pass through.
    """

    @functools.wraps(method)
    def wrapper(cache: _Base, /, *args: _Params.args, **kwargs: _Params.kwargs) -> _Result:
        try:
            return method(cache, *args, **kwargs)
        except sqlite3.Error as error:
            raise read_error(cache.path, error) from error

    return wrapper


class _Transaction:
    """BEGIN IMMEDIATE ... COMMIT, rolled back on error."""

    def __init__(self, db: sqlite3.Connection, path: Path) -> None:
        self._db = db
        self._path = path

    def __enter__(self) -> None:
        try:
            self._db.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as error:
            raise write_error(self._path, error) from error

    def __exit__(
        self, exc_type: type[BaseException] | None, error: BaseException | None, *_: object
    ) -> None:
        if exc_type is None:
            try:
                self._db.execute("COMMIT")
            except sqlite3.Error as commit_error:
                self._rollback()
                raise write_error(self._path, commit_error) from commit_error
            return
        self._rollback()
        if isinstance(error, sqlite3.Error):
            raise write_error(self._path, error) from error

    def _rollback(self) -> None:
        # After some errors SQLite has already rolled back, and ROLLBACK then fails.
        with contextlib.suppress(sqlite3.Error):
            self._db.execute("ROLLBACK")


def user_version(db: sqlite3.Connection) -> int:
    """``PRAGMA user_version``: how many migrations the file has had."""
    return int(db.execute("PRAGMA user_version").fetchone()[0])


class CacheBase:
    """What every part of the Cache shares: the cache's path, its connection, transactions."""

    path: Path
    _db: sqlite3.Connection

    def transaction(self) -> _Transaction:
        """A write transaction (``with cache.transaction(): ...``), committed on success."""
        return _Transaction(self._db, self.path)

    @property
    @reading
    def schema_version(self) -> int:
        """The schema version of the open file."""
        return user_version(self._db)
