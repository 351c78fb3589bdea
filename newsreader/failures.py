"""Feeds that failed: the one notice a refresh's failures make, and the list behind it.

A refresh where many feeds fail (no network) says so once, grouped by reason
when they share one; the list of which feeds, where and since when, is read
from the cache's feed states, so it is there after a restart too.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from newsreader.config import FeedConfig
from newsreader.model import FeedState
from newsreader.sanitize import clean_line, display_url
from newsreader.wording import plural


@dataclass(frozen=True, slots=True)
class FeedFailure:
    """One feed whose latest refresh failed, as the reader lists it (clean text)."""

    name: str
    address: str
    """Its address with any password hidden."""
    reason: str
    last_success: float | None
    """When it last succeeded (epoch seconds), or None if it never did."""

    @property
    def last_success_text(self) -> str:
        """When it last succeeded, in local time, or ``never``."""
        if self.last_success is None:
            return "never"
        return datetime.fromtimestamp(self.last_success).strftime("%Y-%m-%d %H:%M")


def feed_failures(
    feeds: Iterable[FeedConfig], states: Mapping[str, FeedState]
) -> list[FeedFailure]:
    """The feeds (of those given, in their order) whose latest refresh failed."""
    failures: list[FeedFailure] = []
    for feed in feeds:
        state = states.get(feed.url)
        if state is None or not state.last_error:
            continue
        failures.append(
            FeedFailure(
                clean_line(feed.display_name(state)),
                display_url(feed.url),
                clean_line(state.last_error),
                state.last_success,
            )
        )
    return failures


def failure_summary(failures: Iterable[tuple[str, str]], list_key: str | None) -> str:
    """One notice for a refresh's failed feeds, given as (name, reason).

    One feed is named with its reason; several that share a reason give it
    once (``12 feeds failed: connection refused``), else only their number.
    ``list_key`` is the key that shows the list (None: no key has it).
    """
    failed = list(failures)
    if not failed:
        return ""
    if len(failed) == 1:
        name, reason = failed[0]
        text = f"{clean_line(name)} failed: {clean_line(reason)}"
    else:
        shared = shared_reason([reason for _, reason in failed])
        text = f"{plural(len(failed), 'feed')} failed" + (f": {shared}" if shared else "")
    return f"{text}; press {list_key} for the list" if list_key else text


def shared_reason(reasons: Iterable[str]) -> str | None:
    """The reason every failure shares, or None.

    Either the whole reason, or its cause after the last ``": "`` (``cannot
    connect to a.example: Connection refused`` and ``cannot connect to
    b.example: Connection refused`` share ``Connection refused``).
    """
    cleaned = {clean_line(reason) for reason in reasons}
    if len(cleaned) == 1:
        return cleaned.pop()
    causes = {reason.rpartition(": ")[2] for reason in cleaned if ": " in reason}
    if len(causes) == 1 and all(": " in reason for reason in cleaned):
        return causes.pop()
    return None
