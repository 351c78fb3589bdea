"""The filter language: text to a tree of tests, by a tokenizer and a recursive-descent parser.

    expression := disjunction
    disjunction := conjunction ("or" conjunction)*
    conjunction := negation ("and" negation)*
    negation   := "not" negation | "(" expression ")" | flag | test
    flag       := "unread" | "read" | "starred" | "has:enclosure"
    test       := field operator value

A newsboat user reads it as newsboat's: ``title =~ "rust" and not author = "Jane Doe"``,
``category = "World/Europe"``, ``age < 7d``, ``published > 2026-01-01``. Every error
is a :class:`FilterError` at the line and column where the expression went wrong.
Nothing here knows SQL: :mod:`newsreader.cache.filters` compiles the tree, and
:mod:`newsreader.filters.evaluate` tests an article against it in Python.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from enum import StrEnum

from newsreader.filters.patterns import Pattern, PatternError, compile_pattern

MAX_FILTER_CHARS = 4_000
"""The longest filter read."""
MAX_TESTS = 100
"""Tests and flags in one filter."""
MAX_DEPTH = 50
"""Parentheses and ``not``\\ s nested in one filter (the parser recurses at each)."""


class FilterError(ValueError):
    """A filter that cannot be read, at a line and column (1-based) of its text."""

    def __init__(self, message: str, line: int = 1, column: int = 1) -> None:
        self.message = message
        self.line = line
        self.column = column
        super().__init__(f"filter:{line}:{column}: {message}")


class Field(StrEnum):
    """What a test looks at."""

    TITLE = "title"
    AUTHOR = "author"
    FEED = "feed"
    """The feed's name (as the tree shows it) or its address."""
    CATEGORY = "category"
    """A category with its sub-categories (``World/Europe`` holds ``World/Europe/France``)."""
    URL = "url"
    CONTENT = "content"
    """The words of the title and body, as the search index holds them."""
    AGE = "age"
    """Time since the article was published (or stored, without a date)."""
    PUBLISHED = "published"


class FlagName(StrEnum):
    UNREAD = "unread"
    READ = "read"
    STARRED = "starred"
    HAS_ENCLOSURE = "has:enclosure"


TEXT_FIELDS = (Field.TITLE, Field.AUTHOR, Field.FEED, Field.CATEGORY, Field.URL)
TEXT_OPERATORS = ("=", "!=", "=~", "!~")
ORDER_OPERATORS = ("<", ">", "<=", ">=")
_OPERATORS_OF: dict[Field, tuple[str, ...]] = {
    **{name: TEXT_OPERATORS for name in TEXT_FIELDS},
    Field.CONTENT: ("=~", "!~"),
    Field.AGE: ORDER_OPERATORS,
    Field.PUBLISHED: ("=", "!=", *ORDER_OPERATORS),
}
_ALL_OPERATORS = ("=~", "!~", "!=", "<=", ">=", "=", "<", ">")


@dataclass(frozen=True, slots=True)
class TextTest:
    """``title = "X"`` (equal, ASCII letters in any case), ``title =~ "x"`` (the pattern
    found anywhere, any case), and their negations ``!=``, ``!~``."""

    field: Field
    operator: str
    value: str
    pattern: Pattern | None = None
    """For ``=~`` and ``!~``: the value as a pattern."""

    @property
    def negated(self) -> bool:
        return self.operator.startswith("!")


@dataclass(frozen=True, slots=True)
class WordsTest:
    """``content =~ "ferry strike"``: every word in the title or body (the last as a prefix)."""

    words: str
    negated: bool = False


@dataclass(frozen=True, slots=True)
class AgeTest:
    """``age < 7d``: an article's age against a duration."""

    operator: str
    seconds: float


@dataclass(frozen=True, slots=True)
class DateTest:
    """``published > 2026-01-01``: a day (local time) or an instant.

    ``start`` and ``end`` bound the value in epoch seconds, ``end`` excluded: a day
    runs from its midnight to the next; an instant lasts a second.
    """

    operator: str
    start: float
    end: float


@dataclass(frozen=True, slots=True)
class Flag:
    name: FlagName


@dataclass(frozen=True, slots=True)
class Not:
    inner: Node


@dataclass(frozen=True, slots=True)
class All:
    """Every part holds (``and``)."""

    parts: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Any:
    """Some part holds (``or``)."""

    parts: tuple[Node, ...]


Node = TextTest | WordsTest | AgeTest | DateTest | Flag | Not | All | Any


@dataclass(frozen=True, slots=True)
class Filter:
    """A parsed filter: its text and its tree."""

    text: str
    root: Node
    uses: frozenset[Field | FlagName] = field(default_factory=frozenset)
    """The fields and flags it tests."""


class _Kind(StrEnum):
    WORD = "word"
    STRING = "string"
    OPERATOR = "operator"
    OPEN = "("
    CLOSE = ")"
    END = "end"


@dataclass(frozen=True, slots=True)
class _Token:
    kind: _Kind
    text: str
    line: int
    column: int

    @property
    def shown(self) -> str:
        if self.kind is _Kind.END:
            return "the end"
        return f'"{self.text}"' if self.kind is not _Kind.STRING else "a quoted text"


_SPACE = re.compile(r"\s+")
_WORD = re.compile(r"[^\s()=!~<>\"']+")
_ESCAPES = {'"': '"', "'": "'", "\\": "\\", "n": "\n", "t": "\t"}


def _tokens(text: str) -> list[_Token]:
    """The tokens of a filter, each with its line and column."""
    tokens: list[_Token] = []
    position, line, line_start = 0, 1, 0

    def at(offset: int) -> tuple[int, int]:
        return line, offset - line_start + 1

    while position < len(text):
        space = _SPACE.match(text, position)
        if space:
            for index in range(position, space.end()):
                if text[index] == "\n":
                    line, line_start = line + 1, index + 1
            position = space.end()
            continue
        char = text[position]
        where = at(position)
        if char in "()":
            tokens.append(_Token(_Kind(char), char, *where))
            position += 1
        elif char in "\"'":
            value, position = _string(text, position, where)
            tokens.append(_Token(_Kind.STRING, value, *where))
        elif char in "=!~<>":
            operator = next((op for op in _ALL_OPERATORS if text.startswith(op, position)), None)
            if operator is None:
                raise FilterError(f'"{char}" is not an operator (try =, !=, =~ or !~)', *where)
            tokens.append(_Token(_Kind.OPERATOR, operator, *where))
            position += len(operator)
        else:
            word = _WORD.match(text, position)
            if word is None:  # pragma: no cover - every other character starts a word
                raise FilterError(f"unexpected {char!r}", *where)
            tokens.append(_Token(_Kind.WORD, word.group(), *where))
            position = word.end()
    tokens.append(_Token(_Kind.END, "", *at(position)))
    return tokens


def _string(text: str, start: int, where: tuple[int, int]) -> tuple[str, int]:
    """A quoted text from ``start`` (its quote): its value and the offset after it."""
    quote = text[start]
    out: list[str] = []
    position = start + 1
    while position < len(text):
        char = text[position]
        if char == quote:
            return "".join(out), position + 1
        if char == "\\" and position + 1 < len(text):
            escaped = text[position + 1]
            out.append(_ESCAPES.get(escaped, "\\" + escaped))
            position += 2
            continue
        if char == "\n":
            break
        if _CONTROL.match(char):
            raise FilterError(
                f"a quoted value cannot hold the control character {char!r}",
                where[0],
                where[1] + position - start,
            )
        out.append(char)
        position += 1
    raise FilterError(f"this text has no closing {quote}", *where)


_DURATION = re.compile(r"([0-9]{1,6})(m|min|h|d|w)", re.IGNORECASE)
_UNIT_SECONDS = {"m": 60, "min": 60, "h": 3600, "d": 86400, "w": 7 * 86400}
_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_INSTANT = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}(?::[0-9]{2})?(?:Z|[+-][0-9]{2}:[0-9]{2})?"
)
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def parse_filter(text: str) -> Filter:
    """Read a filter.

    Raises:
        FilterError: at the line and column where it goes wrong.
    """
    if len(text) > MAX_FILTER_CHARS:
        raise FilterError(f"a filter is at most {MAX_FILTER_CHARS:,} characters")
    parser = _Parser(_tokens(text))
    if parser.peek.kind is _Kind.END:
        raise FilterError("the filter is empty")
    root = parser.expression(0)
    last = parser.peek
    if last.kind is _Kind.CLOSE:
        raise FilterError('this ")" closes nothing', last.line, last.column)
    if last.kind is not _Kind.END:
        raise FilterError(
            f'expected "and", "or" or the end, not {last.shown}', last.line, last.column
        )
    return Filter(text, root, frozenset(parser.uses))


class _Parser:
    def __init__(self, tokens: list[_Token]) -> None:
        self._tokens = tokens
        self._position = 0
        self.tests = 0
        self.uses: set[Field | FlagName] = set()

    @property
    def peek(self) -> _Token:
        return self._tokens[self._position]

    def _take(self) -> _Token:
        token = self._tokens[self._position]
        if token.kind is not _Kind.END:
            self._position += 1
        return token

    def _keyword(self, word: str) -> bool:
        token = self.peek
        if token.kind is _Kind.WORD and token.text.lower() == word:
            self._take()
            return True
        return False

    def expression(self, depth: int) -> Node:
        parts = [self._conjunction(depth)]
        while self._keyword("or"):
            parts.append(self._conjunction(depth))
        return parts[0] if len(parts) == 1 else Any(tuple(parts))

    def _conjunction(self, depth: int) -> Node:
        parts = [self._negation(depth)]
        while self._keyword("and"):
            parts.append(self._negation(depth))
        return parts[0] if len(parts) == 1 else All(tuple(parts))

    def _negation(self, depth: int) -> Node:
        token = self.peek
        if depth >= MAX_DEPTH:
            raise FilterError(f"nested more than {MAX_DEPTH} deep", token.line, token.column)
        if self._keyword("not"):
            return Not(self._negation(depth + 1))
        if token.kind is _Kind.OPEN:
            self._take()
            inner = self.expression(depth + 1)
            close = self.peek
            if close.kind is not _Kind.CLOSE:
                raise FilterError(
                    f'expected ")" to close the "(" at {token.line}:{token.column}, '
                    f"not {close.shown}",
                    close.line,
                    close.column,
                )
            self._take()
            return inner
        if token.kind is not _Kind.WORD:
            raise FilterError(
                f'expected a test such as title =~ "word" or unread, not {token.shown}',
                token.line,
                token.column,
            )
        self.tests += 1
        if self.tests > MAX_TESTS:
            raise FilterError(f"more than {MAX_TESTS} tests", token.line, token.column)
        name = token.text.lower()
        if name in FlagName.__members__.values():
            self._take()
            flag = FlagName(name)
            self.uses.add(flag)
            return Flag(flag)
        return self._test()

    def _test(self) -> Node:
        token = self._take()
        name = token.text.lower()
        if name not in Field.__members__.values():
            if name.startswith("has:"):
                raise FilterError(
                    f'unknown "{token.text}" (there is has:enclosure)', token.line, token.column
                )
            if name in ("and", "or"):
                raise FilterError(
                    f'expected a test before "{token.text}"', token.line, token.column
                )
            known = ", ".join([*Field.__members__.values(), *FlagName.__members__.values()])
            raise FilterError(
                f'unknown field "{token.text}" (there are {known})', token.line, token.column
            )
        subject = Field(name)
        self.uses.add(subject)
        allowed = _OPERATORS_OF[subject]
        operator = self.peek
        if operator.kind is not _Kind.OPERATOR:
            raise FilterError(
                f'expected an operator after "{token.text}" ({", ".join(allowed)}), '
                f"not {operator.shown}",
                operator.line,
                operator.column,
            )
        self._take()
        if operator.text not in allowed:
            raise FilterError(
                f'"{subject}" takes {", ".join(allowed)}, not "{operator.text}"',
                operator.line,
                operator.column,
            )
        value = self.peek
        if value.kind not in (_Kind.STRING, _Kind.WORD) or (
            value.kind is _Kind.WORD and value.text.lower() in ("and", "or", "not")
        ):
            raise FilterError(f'expected a value after "{operator.text}"', value.line, value.column)
        self._take()
        return _value_test(subject, operator.text, value)


def _value_test(subject: Field, operator: str, value: _Token) -> Node:
    where = (value.line, value.column)
    if subject is Field.AGE:
        duration = _DURATION.fullmatch(value.text)
        if duration is None or value.kind is _Kind.STRING:
            raise FilterError(
                f'expected a duration such as 30m, 12h, 7d or 2w after "{operator}", '
                f"not {value.shown}",
                *where,
            )
        seconds = int(duration.group(1)) * _UNIT_SECONDS[duration.group(2).lower()]
        return AgeTest(operator, float(seconds))
    if subject is Field.PUBLISHED:
        return _date_test(operator, value)
    if value.kind is not _Kind.STRING:
        raise FilterError(
            f'expected a quoted value after "{operator}" (such as "{value.text}")', *where
        )
    if subject is Field.CONTENT:
        return WordsTest(value.text, negated=operator == "!~")
    pattern = None
    if operator in ("=~", "!~"):
        try:
            pattern = compile_pattern(value.text)
        except PatternError as error:
            raise FilterError(f"not a pattern: {error}", *where) from error
    return TextTest(subject, operator, value.text, pattern)


def _date_test(operator: str, value: _Token) -> DateTest:
    """A day (local midnight to the next local midnight, whatever the clocks do between)
    or an instant; anything else, or a time no clock can hold, is an error."""
    text = value.text
    try:
        if _DAY.fullmatch(text):
            day = date.fromisoformat(text)
            start = datetime.combine(day, time()).astimezone()
            end = datetime.combine(day + timedelta(days=1), time()).astimezone()
            return DateTest(operator, start.timestamp(), end.timestamp())
        if _INSTANT.fullmatch(text):
            instant = datetime.fromisoformat(text.replace("Z", "+00:00"))
            stamp = (instant if instant.tzinfo else instant.astimezone()).timestamp()
            return DateTest(operator, stamp, stamp + 1)
    except (ValueError, OverflowError, OSError):
        pass
    raise FilterError(
        f"expected a date such as 2026-01-01 (or 2026-01-01T09:30), not {value.shown}",
        value.line,
        value.column,
    )


_FIELD_TEST = re.compile(
    r"(?:^|[\s(])(?:" + "|".join(Field.__members__.values()) + r")\s*(?:=~|!~|!=|<=|>=|=|<|>)",
    re.IGNORECASE,
)
_FLAG_WORD = re.compile(r"(?:^|[\s(])(?:unread|read|starred|has:\S+)(?=$|[\s)])", re.IGNORECASE)
_BOOLEAN_WORD = re.compile(r"(?:^|[\s(])(?:and|or|not)(?=$|[\s(])", re.IGNORECASE)


def looks_like_filter(text: str) -> bool:
    """Whether a search box's text is meant as a filter rather than words to search for.

    A filter has a test (a field and its operator: ``title =~``, ``age <``) or a
    ``has:`` flag, or joins flags with ``and``, ``or`` or ``not``
    (``unread and starred``). Anything else is words: ``read``, ``covid (update)``,
    ``C++ <3``.
    """
    if _FIELD_TEST.search(text) or re.search(r"(?:^|[\s(])has:", text, re.IGNORECASE):
        return True
    return bool(_FLAG_WORD.search(text) and _BOOLEAN_WORD.search(text))
