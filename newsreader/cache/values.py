"""Stored values read back without ever raising (bodies, times, text), and category paths."""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from newsreader.extract.dates import plausible_timestamp
from newsreader.model import (
    CATEGORY_SEPARATOR,
    Enclosure,
    Figure,
    Link,
    LinkKind,
    Section,
    body_from_json,
    enclosures_from_json,
)

UNREADABLE_BODY = "This article's stored text is unreadable."
"""What an article whose stored body is not a body shows instead (see :func:`read_body`)."""


@dataclass(frozen=True, slots=True)
class StoredBody:
    """The parts of a stored body, read and checked."""

    sections: tuple[Section, ...]
    figures: tuple[Figure, ...]
    links: tuple[Link, ...]
    enclosures: tuple[Enclosure, ...]
    html: str | None


_UNREADABLE = StoredBody((Section(None, (UNREADABLE_BODY,)),), (), (), (), None)


class _BadBody(Exception):
    """A stored body that is not of the shape :func:`newsreader.model.body_to_json` writes."""


def _list_of_objects(data: Mapping[str, Any], key: str) -> list[Mapping[str, Any]]:
    value = data.get(key, [])
    if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
        raise _BadBody(f"its {key} are not a list of objects")
    return value


def _text(value: object, optional: bool = False) -> bool:
    return isinstance(value, str) or (optional and value is None)


def _whole(value: object) -> bool:
    """An optional whole number, as enclosure lengths and durations are stored."""
    return value is None or (isinstance(value, int) and not isinstance(value, bool))


_LINK_KINDS = frozenset(kind.value for kind in LinkKind)
_JSON_KINDS = {list: "list", str: "string", int: "number", float: "number", bool: "boolean",
               type(None): "null"}  # fmt: skip


def _check_body(data: object) -> Mapping[str, Any]:
    """The stored body if every part has the shape it is written in; else :class:`_BadBody`."""
    if not isinstance(data, dict):
        raise _BadBody(f"it is a JSON {_JSON_KINDS.get(type(data), 'value')}, not an object")
    if not _text(data.get("html"), optional=True):
        raise _BadBody("its html is not text")
    for section in _list_of_objects(data, "sections"):
        paragraphs = section.get("paragraphs")
        if (
            "heading" not in section
            or not _text(section["heading"], optional=True)
            or not isinstance(paragraphs, list)
            or not all(isinstance(paragraph, str) for paragraph in paragraphs)
        ):
            raise _BadBody("a section is not a heading and a list of paragraphs")
    for figure in _list_of_objects(data, "figures"):
        section_index = figure.get("section", 0)
        if (
            not _text(figure.get("caption"))
            or not _text(figure.get("credit"), optional=True)
            or not _text(figure.get("image"), optional=True)
            or not isinstance(section_index, int)
            or isinstance(section_index, bool)
        ):
            raise _BadBody("a figure is not a caption, a credit, a section and an image address")
    for link in _list_of_objects(data, "links"):
        if (
            link.get("kind") not in _LINK_KINDS
            or not _text(link.get("text"))
            or not _text(link.get("url"), optional=True)
        ):
            raise _BadBody("a link is not a kind, a text and an address")
    for enclosure in _list_of_objects(data, "enclosures"):
        if (
            not _text(enclosure.get("url"))
            or not _text(enclosure.get("type"), optional=True)
            or not _whole(enclosure.get("length"))
            or not _whole(enclosure.get("duration"))
        ):
            raise _BadBody("an enclosure is not an address, a type, a length and a duration")
    return data


def _load_body(raw: object) -> StoredBody:
    if not isinstance(raw, str):
        raise _BadBody(f"it is stored as {type(raw).__name__}, not text")
    try:
        data = _check_body(json.loads(raw))
    except (ValueError, RecursionError) as error:
        raise _BadBody("it is not valid JSON") from error
    sections, figures, links = body_from_json(dict(data))
    html = data.get("html")
    return StoredBody(sections, figures, links, enclosures_from_json(dict(data)), html)


def read_body(raw: object) -> StoredBody | None:
    """A stored body's parts; None when it is not valid JSON of the expected shape.

    Never raises: a body written by an older or broken version, or by hand, is
    that article's problem, never the whole cache's.
    """
    try:
        return _load_body(raw)
    except _BadBody:
        return None


def body_problem(raw: object) -> str | None:
    """Why a stored body cannot be read, in words; None when it can."""
    try:
        _load_body(raw)
    except _BadBody as error:
        return str(error)
    return None


def _shown(value: object, limit: int = 40) -> str:
    """A stored value as it may be quoted in a message: its repr, cut short."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _datetime(timestamp: object) -> datetime | None:
    """A stored publication time as a datetime; None for none, and for any value that is
    not a believable time (text, NaN, infinities, huge or negative numbers): never raises."""
    seconds = plausible_timestamp(timestamp)
    if seconds is None:
        return None
    try:
        return datetime.fromtimestamp(seconds, tz=UTC)
    except (OverflowError, ValueError, OSError):
        return None


def _order_key(value: object) -> float:
    """A stored sort key as a number to page and merge by, whatever was stored.

    SQLite orders text and blobs after every number, so a sort key that is not
    a finite number counts as infinitely new: the same order as the index's.
    """
    if isinstance(value, int | float) and not isinstance(value, bool):
        try:
            number = float(value)
        except OverflowError:
            return math.inf if value > 0 else -math.inf
        if not math.isnan(number):
            return number
    return math.inf


def _as_text(value: object) -> str:
    """A stored text column as text, whatever was stored in it."""
    if isinstance(value, str):
        return value
    if value is None:
        return ""
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return str(value)


def _optional_text(value: object) -> str | None:
    return None if value is None else _as_text(value)


def join_category(path: Sequence[str]) -> str:
    """Store a category path as one string (``Updates/Politics``)."""
    return CATEGORY_SEPARATOR.join(part.replace(CATEGORY_SEPARATOR, "-") for part in path)


def split_category(value: str) -> tuple[str, ...]:
    """The inverse of :func:`join_category`."""
    return tuple(value.split(CATEGORY_SEPARATOR)) if value else ()
