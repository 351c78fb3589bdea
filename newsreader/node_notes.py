"""What the reader says above a node's list: why its feed failed, or that it is empty.

Plain, cleaned text (no Textual, no rich): the screen shows it as a ``Text``.
"""

from __future__ import annotations

from newsreader.cache.accounts import AccountState
from newsreader.keys import key_label
from newsreader.model import FeedState
from newsreader.sanitize import clean_line, display_url
from newsreader.tree import NodeKind, Selection
from newsreader.wording import plural

_UNITS = ((86_400, "day"), (3_600, "hour"), (60, "minute"))


def ago(seconds: float) -> str:
    """How long ago, in the largest whole unit: ``just now``, ``1 minute ago``, ``2 days ago``."""
    for size, unit in _UNITS:
        if seconds >= size:
            return f"{plural(int(seconds // size), unit)} ago"
    return "just now"


def _failed_lines(
    what: str, state: FeedState | AccountState, now: float, where: str = ""
) -> list[str]:
    """``Last refresh failed 2 hours ago: why (where).`` and when it last succeeded."""
    when = f" {ago(now - state.last_attempt)}" if state.last_attempt is not None else ""
    error = clean_line(state.last_error or "").rstrip(".")
    lines = [f"Last {what} failed{when}: {error}{where}."]
    if state.last_success is not None:
        lines.append(f"Last succeeded {ago(now - state.last_success)}.")
    else:
        lines.append("It has never succeeded.")
    return lines


def failure_note(state: FeedState, now: float, refresh_keys: tuple[str, ...]) -> str | None:
    """Why a feed's last refresh failed, when it last worked and what to do (press the
    first of ``refresh_keys``); None if it did not fail."""
    if state.last_error is None:
        return None
    lines = _failed_lines("refresh", state, now, f" ({display_url(state.url)})")
    retry = f"press {key_label(refresh_keys[0])}" if refresh_keys else "refresh"
    lines.append(f"Check the address in feeds.toml or {retry} to try again.")
    return " ".join(lines)


def sync_failure_note(state: AccountState, now: float, refresh_keys: tuple[str, ...]) -> str | None:
    """Why an account's last sync failed, when it last worked and what to do; None if
    it did not fail."""
    if state.last_error is None:
        return None
    lines = _failed_lines("sync", state, now)
    if state.pending:
        lines.append(f"{plural(state.pending, 'change')} will be sent at the next sync.")
    retry = f"Press {key_label(refresh_keys[0])}" if refresh_keys else "Refresh"
    lines.append(f"{retry} to try again; the cache reads on meanwhile.")
    return " ".join(lines)


def empty_note(
    selection: Selection, name: str, *, search: str | None = None, typed: str | None = None
) -> str:
    """What an empty list says: which node (or search, or typed filter) has nothing to show."""
    if search is not None:
        return f"No articles match “{clean_line(search)}”."
    if typed is not None:
        return f"No articles in “{clean_line(name)}” pass “{clean_line(typed)}”."
    if selection.kind is NodeKind.HIDDEN:
        return "The killfile hides no articles."
    if selection.kind is NodeKind.UNREAD:
        return "No unread articles."
    if selection.kind is NodeKind.STARRED:
        return "No starred articles."
    if selection.kind is NodeKind.ALL:
        return "No articles yet."
    return f"No articles in “{clean_line(name)}”."
