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
    parsed: datetime | None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        try:
            parsed = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed


def from_struct_time(value: time.struct_time | None) -> datetime | None:
    """Convert feedparser's UTC ``struct_time`` to a datetime."""
    if value is None:
        return None
    try:
        return datetime.fromtimestamp(calendar.timegm(value), tz=UTC)
    except (OverflowError, ValueError, OSError):
        return None
