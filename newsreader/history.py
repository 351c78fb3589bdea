"""Back/forward history, generic over what it remembers."""

from __future__ import annotations

from typing import Generic, TypeVar

T = TypeVar("T")

MAX_HISTORY = 500


class History(Generic[T]):
    """A browser-style history: visiting after going back drops the forward entries.

    The current entry can be replaced in place (to remember where the reader
    scrolled to before leaving it).
    """

    def __init__(self, limit: int = MAX_HISTORY) -> None:
        self._entries: list[T] = []
        self._position = -1
        self._limit = limit

    @property
    def current(self) -> T | None:
        """The entry being shown, or None before the first visit."""
        return self._entries[self._position] if self._entries else None

    @property
    def can_go_back(self) -> bool:
        """Whether there is an entry before the current one."""
        return self._position > 0

    @property
    def can_go_forward(self) -> bool:
        """Whether there is an entry after the current one."""
        return self._position < len(self._entries) - 1

    def visit(self, entry: T) -> None:
        """Make ``entry`` current, dropping whatever was forward of the old one."""
        del self._entries[self._position + 1 :]
        self._entries.append(entry)
        if len(self._entries) > self._limit:
            del self._entries[0]
        self._position = len(self._entries) - 1

    def replace_current(self, entry: T) -> None:
        """Update the current entry (its scroll position, say)."""
        if self._entries:
            self._entries[self._position] = entry

    def back(self) -> T | None:
        """Step back; returns the new current entry, or None if there is none."""
        if not self.can_go_back:
            return None
        self._position -= 1
        return self._entries[self._position]

    def forward(self) -> T | None:
        """Step forward; returns the new current entry, or None if there is none."""
        if not self.can_go_forward:
            return None
        self._position += 1
        return self._entries[self._position]

    def __len__(self) -> int:
        return len(self._entries)
