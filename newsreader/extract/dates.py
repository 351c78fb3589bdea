"""Dates as sources write them -> timezone-aware datetimes, and which dates to believe.

A date from a feed, a page or a file's front matter is outside text: it may be
any year a parser accepts, from 0001 to 9999 in any offset. Such a date converts
to a ``datetime`` but not always back (9999-12-31 at -14:00 is in the year 10000
in UTC), and an absurd one would sort its article first or last for ever. So a
date is believed only between :data:`EARLIEST_DATE` and a few days ahead of the
clock (:data:`FUTURE_SLACK_SECONDS`); any other is taken as unknown, and the
article sorts by its file's or its fetch's time. :func:`plausible_timestamp` is
that rule, for the cache on the way in and on the way out.
"""

from __future__ import annotations

import calendar
import math
import re
import time
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

from newsreader.extract.localdates import local_date

EARLIEST_DATE = 0.0
"""1970-01-01 UTC: nothing newsreader reads was published before it; a date before is a
mistake (a zero, a year 1 or 1900 placeholder) and is taken as unknown."""
FUTURE_SLACK_SECONDS = 3 * 86_400.0
"""How far ahead of the clock a date may be (time zones, clock skew, a post scheduled a
day early); a date further ahead is taken as unknown."""


def finite_seconds(value: object) -> float | None:
    """``value`` as a finite number of seconds, or None (text, booleans, NaN, infinities,
    integers too large for a float). Never raises."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    try:
        seconds = float(value)
    except OverflowError:
        return None
    return seconds if math.isfinite(seconds) else None


def plausible_timestamp(value: object, now: float | None = None) -> float | None:
    """``value`` as epoch seconds if it is a number in the believed range, else None.

    Never raises, whatever the value (text, NaN, infinities, huge integers).
    """
    seconds = finite_seconds(value)
    now = time.time() if now is None else now
    if seconds is None or not EARLIEST_DATE <= seconds <= now + FUTURE_SLACK_SECONDS:
        return None
    return seconds


def timestamp_of(value: datetime | None, now: float | None = None) -> float | None:
    """A publication date as epoch seconds, or None when it is absent or not believed."""
    if value is None:
        return None
    try:
        seconds = value.timestamp()
    except (OverflowError, ValueError, OSError):
        return None
    return plausible_timestamp(seconds, now)


def parse_date(value: str) -> datetime | None:
    """Parse an ISO 8601 or RFC 2822 date; naive times are taken as UTC.

    An RFC 2822 date in another language's words is read as its English form
    (:func:`~newsreader.extract.localdates.local_date`), or not at all when that
    cannot be told for sure. The date is returned as written, even an absurd one;
    :func:`timestamp_of` decides whether it is believed.
    """
    value = value.strip()
    if not value:
        return None
    parsed: datetime
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        local = local_date(value)
        if local is not None:
            if local.english is None:
                return None
            value = local.english
        written = _RFC_2822_YEAR.search(value)
        if written and len(written.group(1)) > 2 and int(written.group(1)) < 100:
            return None  # "0001" is the year 1, not 2001 (the two-digit-year rule)
        try:
            parsed = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError, OverflowError):
            return None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed


_RFC_2822_YEAR = re.compile(r"\b\d{1,2}\s+[A-Za-z]{3,}\s+(\d+)\b")
"""The year after the day and the month: ``Mon, 01 Jan 0001 00:00:00 +1400``."""


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
    feedparser's own handlers (and so does a date that has no UTC time, such as
    9999-12-31 at -14:00).
    """
    parsed = parse_date(value)
    if parsed is None:
        return None
    try:
        return parsed.utctimetuple()
    except (OverflowError, ValueError):
        return None


_installed = False


def install_date_handler() -> None:
    """Put the fast date parser in front of feedparser's (idempotent)."""
    global _installed
    if not _installed:
        import feedparser

        feedparser.registerDateHandler(_fast_feed_date)
        _installed = True
