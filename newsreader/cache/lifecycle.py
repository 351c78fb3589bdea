"""The cache file: a Cache opened under the cache lock, set aside when damaged or reset."""

from __future__ import annotations

import contextlib
import os
import sqlite3
import time
import weakref
from datetime import datetime
from pathlib import Path

try:
    import fcntl
except ImportError:  # not on Windows: there the cache is not locked
    fcntl = None  # type: ignore[assignment]

from newsreader.cache.accounts import AccountStates
from newsreader.cache.connection import (
    BUSY_TIMEOUT_SECONDS,
    CACHE_KIB,
    WAL_CHECKPOINT_PAGES,
    CacheDamaged,
    CacheError,
    CacheInUse,
    is_damage,
)
from newsreader.cache.feeds import FeedStates
from newsreader.cache.filters import FilterReads, register_functions
from newsreader.cache.reads import ArticleReads
from newsreader.cache.related import RelatedReads
from newsreader.cache.schema import migrate
from newsreader.cache.search import ArticleSearch
from newsreader.cache.stories import StoryReads
from newsreader.cache.undo import MarkUndo
from newsreader.cache.updates import ArticleUpdates
from newsreader.cache.writes import ArticleWrites

LOCK_SUFFIX = ".lock"
"""The lock file beside the cache: ``cache.sqlite3.lock``."""
RESET_WAIT_SECONDS = 3.0
"""How long moving the cache aside waits for other newsreaders to close it, then refuses."""
LOCK_POLL_SECONDS = 0.05


class CacheLock:
    """``flock`` on a file beside the cache: shared while a :class:`Cache` is open,
    exclusive while the cache is moved aside.

    SQLite's own locks cannot say whether another process merely has the cache
    open: in WAL mode readers and an idle connection hold none that a writer
    waits for, so a reset could move the file under a running refresh, whose
    writes would then land in the file set aside. Every open Cache holds this lock
    shared from open to close (a reader's whole session, a refresh's whole run),
    and a reset takes it exclusively, so one never moves a cache another uses.
    The lock file is never moved or deleted, so every process locks the same
    file. A forked child (a parse worker) lets go of its copy: the lock is its
    parent's. Where ``flock`` is missing or refused (some network file
    systems), nothing is locked.
    """

    _held: weakref.WeakSet[CacheLock] = weakref.WeakSet()

    def __init__(self, cache_file: Path) -> None:
        self.path = cache_file.with_name(cache_file.name + LOCK_SUFFIX)
        self._fd: int | None = None

    def acquire(self, *, exclusive: bool, wait: float) -> bool:
        """Take the lock, waiting up to ``wait`` seconds; False if others kept it."""
        if fcntl is None:
            return True
        try:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError:
            try:
                fd = os.open(self.path, os.O_RDONLY)
            except OSError as error:
                raise CacheError(f"cannot open the lock file {self.path}: {error}") from error
        mode = (fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH) | fcntl.LOCK_NB
        deadline = time.monotonic() + wait
        while True:
            try:
                fcntl.flock(fd, mode)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    os.close(fd)
                    return False
                time.sleep(LOCK_POLL_SECONDS)
            except OSError:
                break  # this file system does not lock: go on without
        self._fd = fd
        CacheLock._held.add(self)
        return True

    def release(self) -> None:
        """Let go (closing the file; never LOCK_UN, which would unlock a forked copy too)."""
        if self._fd is not None:
            fd, self._fd = self._fd, None
            CacheLock._held.discard(self)
            os.close(fd)

    @classmethod
    def _forget_in_child(cls) -> None:
        for lock in list(cls._held):
            if lock._fd is not None:
                with contextlib.suppress(OSError):
                    os.close(lock._fd)
                lock._fd = None
        cls._held.clear()

    def holders(self) -> list[int]:
        """The other processes holding the lock, as far as the system tells (Linux's
        /proc/locks); empty when it does not."""
        try:
            info = self.path.stat()
            text = Path("/proc/locks").read_text(encoding="ascii", errors="replace")
        except OSError:
            return []
        device = f"{os.major(info.st_dev):02x}:{os.minor(info.st_dev):02x}"
        exact: list[int] = []
        same_inode: list[int] = []
        for line in text.splitlines():
            # "1: FLOCK  ADVISORY  READ 12345 08:01:123456 0 EOF"; a waiter's line has "->".
            fields = line.split()
            if len(fields) < 6 or fields[1] != "FLOCK" or not fields[4].isdigit():
                continue
            where, _, inode = fields[5].rpartition(":")
            pid = int(fields[4])
            if inode != str(info.st_ino) or pid in (0, os.getpid()):
                continue
            # An overlay file system reports the device of the layer below.
            found = exact if where == device else same_inode
            if pid not in found:
                found.append(pid)
        return exact or same_inode


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=CacheLock._forget_in_child)


def _holders(lock: CacheLock) -> str:
    """`` (pid 123)``, naming the processes holding a lock; empty when unknown."""
    pids = lock.holders()
    if not pids:
        return ""
    return f" ({'pid' if len(pids) == 1 else 'pids'} {', '.join(map(str, pids))})"


class Cache(
    ArticleWrites,
    ArticleUpdates,
    MarkUndo,
    ArticleReads,
    ArticleSearch,
    FeedStates,
    AccountStates,
    FilterReads,
    RelatedReads,
    StoryReads,
):
    """The SQLite cache. One instance per thread; close it when done.

    Its methods come from one mixin a job (see the bases); this class opens
    and closes the file.
    """

    def __init__(self, path: Path) -> None:
        """Open (creating and migrating as needed) the cache at ``path``.

        Raises:
            CacheError: the file is not a usable cache.
        """
        self.path = path
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise CacheError(f"cannot create the cache folder {path.parent}: {error}") from error
        if not os.access(path.parent, os.W_OK | os.X_OK):
            # SQLite needs to create its -wal and -shm files next to the cache.
            raise CacheError(f"the cache folder {path.parent} is not writable")
        self._lock = CacheLock(path)
        if not self._lock.acquire(exclusive=False, wait=BUSY_TIMEOUT_SECONDS):
            raise CacheInUse(
                f"the cache {path} is being reset by another newsreader{_holders(self._lock)}"
            )
        try:
            self._db = sqlite3.connect(
                path, timeout=BUSY_TIMEOUT_SECONDS, isolation_level=None, check_same_thread=True
            )
        except (OSError, sqlite3.Error) as error:
            self._lock.release()
            raise CacheError(f"cannot open the cache {path}: {error}") from error
        try:
            self._open()
        except BaseException:
            self._lock.release()
            raise

    def _open(self) -> None:
        path = self.path
        try:
            _enter_wal(self._db)
            self._db.execute("PRAGMA synchronous = NORMAL")
            self._db.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
            self._db.execute(f"PRAGMA wal_autocheckpoint = {WAL_CHECKPOINT_PAGES}")
            self._db.execute("PRAGMA foreign_keys = ON")
            register_functions(self._db)
            migrate(self)
        except CacheError:
            self._db.close()
            raise
        except sqlite3.DatabaseError as error:
            self._db.close()
            if is_damage(error):
                message = f"the cache {path} is damaged or not a cache: {error}"
                raise CacheDamaged(message) from error
            raise CacheError(f"cannot open the cache {path}: {error}") from error

    def close(self) -> None:
        """Close the connection (and let go of the cache: see :class:`CacheLock`)."""
        self._db.close()
        self._lock.release()

    def __enter__(self) -> Cache:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()


def _enter_wal(db: sqlite3.Connection) -> None:
    """Switch the file to WAL, retrying while another process holds it.

    SQLite answers a change of journal mode with "database is locked" at once,
    without its busy handler, while another connection is creating the same new
    file; so two newsreaders started together would fail for no real reason.
    """
    deadline = time.monotonic() + BUSY_TIMEOUT_SECONDS
    while True:
        try:
            db.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as error:
            name = getattr(error, "sqlite_errorname", "") or ""
            if not name.startswith("SQLITE_BUSY") or time.monotonic() >= deadline:
                raise
            time.sleep(LOCK_POLL_SECONDS)


def move_aside(path: Path, label: str) -> Path:
    """Rename the cache (and its -wal and -shm files) to ``<name>.<label>-<timestamp>``.

    Nothing is deleted: the user can inspect or restore the old file.
    """
    stamp = datetime.now().strftime("%Y%m%dT%H%M%S")
    target = path.with_name(f"{path.name}.{label}-{stamp}")
    counter = 1
    while target.exists():
        counter += 1
        target = path.with_name(f"{path.name}.{label}-{stamp}-{counter}")
    for suffix in ("-wal", "-shm"):
        companion = path.with_name(path.name + suffix)
        if companion.exists():
            companion.rename(target.with_name(target.name + suffix))
    path.rename(target)
    return target


def reset_cache(path: Path, label: str = "reset", wait: float | None = None) -> Path:
    """Move the cache aside (see :func:`move_aside`) once no other newsreader has it open.

    Waits up to ``wait`` seconds (default :data:`RESET_WAIT_SECONDS`) for the
    others to close it.

    Raises:
        CacheInUse: another process kept it open; it names the process.
        OSError: the file could not be renamed.
    """
    lock = CacheLock(path)
    if not lock.acquire(exclusive=True, wait=RESET_WAIT_SECONDS if wait is None else wait):
        raise CacheInUse(
            f"the cache is in use by another newsreader{_holders(lock)}; close it, or let its "
            "refresh finish, and try again"
        )
    try:
        return move_aside(path, label)
    finally:
        lock.release()


def open_cache(path: Path) -> tuple[Cache, Path | None]:
    """Open the cache; a damaged one is moved aside and a new one started.

    Returns the cache and, when the old file was moved aside, where it went.
    A cache from a newer version is never moved without the user asking
    (:class:`CacheTooNew` is raised), nor one another newsreader has open.
    """
    try:
        return Cache(path), None
    except CacheDamaged as damage:
        try:
            moved = reset_cache(path, "damaged")
        except CacheInUse as busy:
            raise CacheError(f"{damage}; it was not moved aside: {busy}") from busy
        except OSError as error:
            raise CacheError(f"{damage}; it could not be moved aside: {error}") from error
        return Cache(path), moved
