"""What every filtered read shares: a compiled filter, the killfile's hidden, a deadline."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from newsreader.cache.connection import CacheError

FILTER_DEADLINE = 10.0
"""Seconds a filtered read may take before it stops with an error (a pattern searched
through every title of a huge cache, on a very slow machine)."""
_PROGRESS_STEPS = 20_000

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
def deadline(db: sqlite3.Connection, seconds: float = FILTER_DEADLINE) -> Iterator[None]:
    """Stop the statements run inside once ``seconds`` have passed, with :class:`FilterTooSlow`."""
    ends = time.monotonic() + seconds

    def past() -> int:
        return int(time.monotonic() > ends)

    db.set_progress_handler(past, _PROGRESS_STEPS)
    try:
        yield
    except sqlite3.OperationalError as error:
        if "interrupted" not in str(error):
            raise
        raise FilterTooSlow(
            f"the filter took longer than {seconds:g} s; try a narrower one "
            "(a plain word rather than a pattern)"
        ) from error
    finally:
        db.set_progress_handler(None, 0)
