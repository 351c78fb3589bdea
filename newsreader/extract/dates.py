"""Dates as sources write them -> timezone-aware datetimes."""

from __future__ import annotations

import calendar
import time
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime


def parse_date(value: str) -> datetime | None:
    """Parse an ISO 8601 or RFC 2822 date; naive times are taken as UTC."""
    value = value.strip()
    if not value:
        return None
    parsed: datetime
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        try:
            parsed = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed


def from_struct_time(value: time.struct_time | None) -> datetime | None:
    """Convert feedparser's UTC ``struct_time`` to a datetime."""
    if value is None:
        return None
    try:
        return datetime.fromtimestamp(calendar.timegm(value), tz=UTC)
    except (OverflowError, ValueError, OSError):
        return None


def _fast_feed_date(value: str) -> time.struct_time | None:
    """RFC 822 and ISO 8601 dates through the standard library's C-speed parsers.

    feedparser tries a dozen formats in Python for every date; the two that
    nearly every feed uses are tried here first. None hands the value on to
    feedparser's own handlers.
    """
    parsed = parse_date(value)
    return parsed.utctimetuple() if parsed else None


_installed = False


def install_date_handler() -> None:
    """Put the fast date parser in front of feedparser's (idempotent)."""
    global _installed
    if not _installed:
        import feedparser

        feedparser.registerDateHandler(_fast_feed_date)
        _installed = True
