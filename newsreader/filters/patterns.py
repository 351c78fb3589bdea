"""The ``=~`` of a filter: a pattern found anywhere in a text, letters in any case.

A plain word or phrase in ASCII is a substring test with ASCII letters folded,
exactly what SQLite's ``LIKE`` does, so the cache answers it from an index with
no Python call per row; anything else is a regular expression (the ``regex``
module, case folded in full Unicode), each search bounded by
:data:`MATCH_TIMEOUT`: a user's pattern is run against titles anyone can write,
and a pattern that backtracks without end must not hang the reader.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import regex

MAX_PATTERN_CHARS = 500
MATCH_TIMEOUT = 0.01
"""Seconds one search of one text may take; past it the text does not match."""
MAX_TEXT_CHARS = 10_000
"""Characters of a text searched (titles and authors are far shorter)."""

_REGEX_SYNTAX = re.compile(r"[\\.^$*+?{}\[\]|()]")
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


class PatternError(ValueError):
    """A pattern that cannot be used."""


def ascii_lower(text: str) -> str:
    """``text`` with A-Z as a-z and nothing else changed (SQLite's case folding)."""
    return text.translate(_ASCII_LOWER)


@dataclass(frozen=True, slots=True)
class Pattern:
    """A compiled ``=~`` value."""

    text: str
    literal: str | None
    """The ASCII text to find, lower-cased, when the pattern is no regular expression."""
    required: str | None = None
    """For a regular expression: ASCII text, lower-cased, that every match contains
    (``stadium`` of ``^stadium.*final``), which the cache looks for first with ``LIKE``
    so that the expression runs only on the texts that hold it."""

    def search(self, text: str | None) -> bool:
        """Whether the pattern is found in ``text`` (None never matches)."""
        if text is None:
            return False
        if self.literal is not None:
            return self.literal in ascii_lower(text)
        return regex_search(self.text, text)


def compile_pattern(text: str) -> Pattern:
    """A ``=~`` value as a pattern.

    Raises:
        PatternError: empty, too long, or not a regular expression.
    """
    if not text:
        raise PatternError("the pattern is empty")
    if len(text) > MAX_PATTERN_CHARS:
        raise PatternError(f"a pattern is at most {MAX_PATTERN_CHARS} characters")
    if text.isascii() and not _REGEX_SYNTAX.search(text):
        return Pattern(text, ascii_lower(text))
    repeats = _repeat_product(text)
    if repeats > MAX_REPEATS:
        raise PatternError(
            f"its counted repeats ({{n}}) come to {repeats:,}, past the {MAX_REPEATS:,} allowed"
        )
    import regex  # loaded only for a pattern that needs it: most filters have none

    try:
        _compiled(text)
    except (regex.error, ValueError, OverflowError, MemoryError, RecursionError) as error:
        raise PatternError(str(error) or type(error).__name__) from None
    return Pattern(text, None, required_text(text))


MAX_REPEATS = 1_000
"""The most a pattern's counted repeats (``a{5}``, ``(ab){2,8}``) may multiply to: the
engine unrolls them, and ``(?:a{65535}){65535}`` took all the memory there was."""
_COUNTED = re.compile(r"(?<!\\)\{([0-9]*)(?:,([0-9]*))?\}")


def _repeat_product(pattern: str) -> int:
    """The product of every counted repeat's largest count (at least 1 each): a bound on
    how far nesting them could multiply, whatever the groups around them."""
    product = 1
    for match in _COUNTED.finditer(pattern):
        counts = [int(number) for number in match.groups() if number]
        product *= max([1, *(min(count, 10**9) for count in counts)])
        if product > 10**12:
            break
    return product


MIN_REQUIRED_CHARS = 3
_QUANTIFIERS = frozenset("*?{")
_UNFOLDED = frozenset("iks")
"""The ASCII letters that a regular expression in any case also finds as a non-ASCII
character (``K`` KELVIN SIGN, ``ſ`` LONG S, ``İ`` and ``ı``), which ``LIKE`` would not:
a required text is never cut across one."""


def required_text(pattern: str) -> str | None:
    """The longest run of ASCII letters, digits and spaces that every match of a regular
    expression contains, outside any group, class or optional part; None when there is no
    such run of :data:`MIN_REQUIRED_CHARS` or more, or the pattern is not one this reads
    with certainty (an alternative, a group's flags or lookaround, a numbered escape)."""
    if "|" in pattern or "(?" in pattern:
        return None
    runs: list[str] = []
    run: list[str] = []
    depth = 0
    position = 0

    def end_run() -> None:
        if run:
            runs.append("".join(run))
            run.clear()

    while position < len(pattern):
        char = pattern[position]
        if char == "\\":
            escaped = pattern[position + 1 : position + 2]
            if not escaped or escaped.isalnum():
                return None  # \d, \x41, \1, \p{L}: more than one character's meaning
            end_run()
            position += 2
            continue
        if char == "[":
            end_run()
            close = position + 1
            if pattern[close : close + 1] == "^":
                close += 1
            if pattern[close : close + 1] == "]":
                close += 1
            while close < len(pattern) and pattern[close] != "]":
                close += 2 if pattern[close] == "\\" else 1
            position = close + 1
            continue
        if char in _QUANTIFIERS:
            if run:
                run.pop()  # the character before is optional
            end_run()
            if char == "{":
                close = pattern.find("}", position)
                position = close + 1 if close != -1 else len(pattern)
            else:
                position += 1
            continue
        if char == "(":
            end_run()
            depth += 1
        elif char == ")":
            end_run()
            depth = max(0, depth - 1)
        elif depth == 0 and char.isascii() and (char.isalnum() or char == " "):
            if char.lower() in _UNFOLDED:
                end_run()
            else:
                run.append(char)
        else:
            end_run()
        position += 1
    end_run()
    longest = max(runs, key=len, default="")
    return ascii_lower(longest) if len(longest) >= MIN_REQUIRED_CHARS else None


@functools.lru_cache(maxsize=256)
def _compiled(text: str) -> regex.Pattern[str]:
    import regex

    return regex.compile(text, regex.IGNORECASE | regex.VERSION0)


def regex_search(pattern: str, text: str | None) -> bool:
    """Whether the regular expression ``pattern`` is found in ``text``, within the time
    bound; the function the cache's SQL calls, so it never raises."""
    if text is None:
        return False
    import regex

    try:
        return _compiled(pattern).search(text[:MAX_TEXT_CHARS], timeout=MATCH_TIMEOUT) is not None
    except (regex.error, TimeoutError):
        return False
