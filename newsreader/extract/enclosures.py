"""Files attached to feed entries: RSS ``<enclosure>``, Atom ``rel="enclosure"``, Media RSS.

feedparser gives RSS and Atom enclosures as ``links`` with ``rel="enclosure"``
(href, type, length; its ``enclosures`` key is derived from them, and entries
here are plain dicts) and ``<media:content>`` as ``media_content`` (url, type, fileSize, duration,
width). Media RSS often lists one picture at several sizes: only the widest of
those is kept. A podcast's ``<itunes:duration>`` belongs to its first enclosure.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import urlsplit

from newsreader.model import Enclosure
from newsreader.sanitize import clean_line

MAX_ENCLOSURES = 20
MAX_TYPE_CHARS = 100
_MEDIA_TYPE = re.compile(r"^[a-z0-9!#$&^_.+-]+/[a-z0-9!#$&^_.+-]+$")
_CLOCK = re.compile(r"^(?:([0-9]{1,3}):)?([0-9]{1,2}):([0-9]{1,2})(?:\.[0-9]+)?$")

SafeLink = Callable[[object, str | None], str | None]
"""Turns an href into an absolute, followable address (or None), against a base."""


def entry_enclosures(
    entry: Mapping[str, Any], base: str | None, safe_link: SafeLink
) -> tuple[Enclosure, ...]:
    """The enclosures of a feed entry, first the RSS/Atom ones, then Media RSS."""
    found: dict[str, Enclosure] = {}
    for item in entry.get("links") or []:
        if item.get("rel") == "enclosure":
            _add(found, safe_link(item.get("href"), base), item.get("type"), item.get("length"))
    widest: dict[str, tuple[int, Mapping[str, Any]]] = {}
    for item in entry.get("media_content") or []:
        url = safe_link(item.get("url"), base)
        if url is None:
            continue
        # The same picture at several widths differs only in its query.
        parts = urlsplit(url)
        key = f"{parts.netloc}{parts.path}"
        width = _number(item.get("width")) or 0
        if key not in widest or width > widest[key][0]:
            widest[key] = (width, {**item, "url": url})
    for _, item in widest.values():
        _add(found, item["url"], item.get("type"), item.get("filesize"), item.get("duration"))
    enclosures = list(found.values())[:MAX_ENCLOSURES]
    duration = seconds(entry.get("itunes_duration"))
    if enclosures and duration and enclosures[0].duration is None:
        first = enclosures[0]
        enclosures[0] = Enclosure(first.url, first.type, first.length, duration)
    return tuple(enclosures)


def _add(
    found: dict[str, Enclosure],
    url: str | None,
    media_type: object,
    length: object,
    duration: object = None,
) -> None:
    if url is None or url in found:
        return
    found[url] = Enclosure(url, _media_type(media_type), _number(length), seconds(duration))


def _media_type(value: object) -> str | None:
    text = clean_line(str(value)).lower() if value else ""
    return text if len(text) <= MAX_TYPE_CHARS and _MEDIA_TYPE.match(text) else None


_DIGITS = re.compile(r"[0-9]{1,15}")
"""ASCII digits only: ``str.isdigit`` also takes ``²`` and other digits ``int`` refuses."""


def _number(value: object) -> int | None:
    """A positive whole number written as text (a size, a width), else None."""
    text = str(value).strip() if value is not None else ""
    if not _DIGITS.fullmatch(text):
        return None
    number = int(text)
    return number if number > 0 else None


def seconds(value: object) -> int | None:
    """A duration as feeds write it (``3156``, ``52:36``, ``1:02:03``) in seconds."""
    text = str(value).strip() if value is not None else ""
    if not text:
        return None
    plain = text.split(".")[0]
    if _DIGITS.fullmatch(plain) and len(plain) <= 7:
        return int(plain) or None
    match = _CLOCK.match(text)
    if match is None:
        return None
    hours, minutes, secs = (int(part or 0) for part in match.groups())
    return hours * 3600 + minutes * 60 + secs or None
