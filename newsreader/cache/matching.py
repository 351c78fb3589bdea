"""What every filtered read shares: a compiled filter, the killfile's hidden, a deadline."""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from newsreader.cache.connection import CacheError

FILTER_DEADLINE = 5.0
"""Seconds a filtered read may take before it stops with an error (a pattern searched
through every title of a huge cache, on a very slow machine)."""
_PROGRESS_STEPS = 1_000
"""SQLite's steps between two looks at the clock (about a microsecond's work each)."""
_ends = threading.local()


class DeadlinePassed(Exception):
    """Raised inside SQL functions once the read's deadline has passed."""


def check_deadline() -> None:
    """Raise :class:`DeadlinePassed` if the filtered read running on this thread is past
    its deadline: what a SQL function that may be slow calls before its work."""
    ends: float | None = getattr(_ends, "at", None)
    if ends is not None and time.monotonic() > ends:
        raise DeadlinePassed


VISIBLE = "id NOT IN (SELECT article_id FROM hidden)"
"""The condition that leaves out the articles a killfile's ``hide`` rule took."""
HIDDEN = "id IN (SELECT article_id FROM hidden)"


class FilterTooSlow(CacheError):
    """A filtered read that ran past :data:`FILTER_DEADLINE`."""


@dataclass(frozen=True, slots=True)
class CompiledFilter:
    """A filter as a WHERE condition over ``articles`` (unqualified columns) and its
    parameters, in order."""

    sql: str
    params: tuple[object, ...]
    text: str = ""
    """The filter as written."""


@contextmanager
def deadline(db: sqlite3.Connection, seconds: float | None = None) -> Iterator[None]:
    """Stop the statements run inside once ``seconds`` have passed, with :class:`FilterTooSlow`."""
    seconds = FILTER_DEADLINE if seconds is None else seconds
    ends = time.monotonic() + seconds

    def past() -> int:
        return int(time.monotonic() > ends)

    outer: float | None = getattr(_ends, "at", None)
    _ends.at = ends if outer is None else min(outer, ends)
    db.set_progress_handler(past, _PROGRESS_STEPS)
    try:
        yield
    except sqlite3.OperationalError as error:
        # Interrupted by the handler, or a function saw the deadline pass (SQLite then
        # says only that a user-defined function raised an exception).
        if "interrupted" not in str(error) and time.monotonic() <= ends:
            raise
        raise FilterTooSlow(
            f"the filter took longer than {seconds:g} s; try a narrower one "
            "(a plain word rather than a pattern)"
        ) from error
    finally:
        _ends.at = outer
        db.set_progress_handler(None, 0)
