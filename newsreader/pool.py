"""Process pools for CPU work (parsing feeds, extracting files), never forked from threads.

Workers are forked where the platform can (they start without re-importing
anything). A fork copies only the forking thread, so a lock another thread
held at that moment stays held forever in the child: a process that runs
other threads (the reader, whose refresh is a worker thread; an event loop's
resolver threads) gets no pool here, whatever its caller asked, and the work
runs in-process instead.
"""

from __future__ import annotations

import multiprocessing
import threading
from collections.abc import Callable
from concurrent.futures import Executor, Future, ProcessPoolExecutor, ThreadPoolExecutor
from typing import Any, TypeVar

T = TypeVar("T")


class InProcess(Executor):
    """An executor that runs each job at once, in this process (no pool wanted or allowed)."""

    def submit(self, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> Future[T]:
        """Run ``fn`` now; its result or exception is in the returned future."""
        future: Future[T] = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as error:
            future.set_exception(error)
        return future


def may_fork() -> bool:
    """Whether this process may start a pool now: it runs no thread but this one."""
    return threading.active_count() <= 1


def pool_workers(wanted: int) -> int:
    """The processes a pool may have: ``wanted``, or 0 when this process runs other
    threads (see the module's notes)."""
    return wanted if wanted > 0 and may_fork() else 0


def process_pool(workers: int, *, background: bool = False) -> Executor:
    """A pool of ``workers`` processes, started now, or :class:`InProcess` when
    ``workers`` is below 1 or this process runs other threads.

    With ``background``, the fallback is one worker thread instead: an event loop
    that hands it the jobs goes on with its downloads while a job runs (lxml and
    SQLite release the interpreter lock for much of their work), where
    :class:`InProcess` would stop the loop for each job.

    The workers start before this returns, so that a caller can fork them before
    it starts threads of its own (an event loop and its resolver threads).
    """
    workers = pool_workers(workers)
    if workers < 1:
        return ThreadPoolExecutor(max_workers=1) if background else InProcess()
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else None)
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=context)
    for future in [pool.submit(int) for _ in range(workers)]:
        future.result()
    return pool


def start_fork_server(preload: tuple[str, ...]) -> None:
    """Start the fork server (and multiprocessing's resource tracker) now, while this
    process's standard streams are its own: a full-screen app replaces them, and
    starting either then fails on their file descriptors. The server imports
    ``preload`` once, in the background."""
    global _fork_server_started
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(list(preload))
    from multiprocessing import forkserver

    try:
        forkserver.ensure_running()
    except (OSError, ValueError):
        return  # no server (a sandbox that forbids it): feeds parse on a thread
    _fork_server_started = True


_fork_server_started = False


class ForkServerPool(Executor):
    """A process pool for a process that runs threads (the reader), started at its
    first job and kept until :meth:`shutdown`.

    Its workers fork from a fork server: a fresh interpreter that has run no
    thread, so a lock another thread of this process holds is never copied into
    a worker. Start that server with :func:`start_fork_server` before the app
    takes the terminal; without it (or where the platform has none) the jobs
    run on one background thread instead.
    """

    def __init__(self, workers: int) -> None:
        self._workers = workers
        self._pool: Executor | None = None
        self._lock = threading.Lock()

    def _started(self) -> Executor:
        with self._lock:
            if self._pool is None:
                if self._workers < 1 or not _fork_server_started:
                    self._pool = ThreadPoolExecutor(max_workers=1)
                else:
                    context = multiprocessing.get_context("forkserver")
                    self._pool = ProcessPoolExecutor(max_workers=self._workers, mp_context=context)
            return self._pool

    def submit(self, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> Future[T]:
        """Run ``fn`` in a worker (the pool starts with the first job)."""
        return self._started().submit(fn, *args, **kwargs)

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        """Stop the workers, if they were ever started."""
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=wait, cancel_futures=cancel_futures)
