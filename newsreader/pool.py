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
from concurrent.futures import Executor, Future, ProcessPoolExecutor
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


def process_pool(workers: int) -> Executor:
    """A pool of ``workers`` processes, started now, or :class:`InProcess` when
    ``workers`` is below 1 or this process runs other threads.

    The workers start before this returns, so that a caller can fork them before
    it starts threads of its own (an event loop and its resolver threads).
    """
    workers = pool_workers(workers)
    if workers < 1:
        return InProcess()
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else None)
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=context)
    for future in [pool.submit(int) for _ in range(workers)]:
        future.result()
    return pool
