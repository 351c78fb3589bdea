"""A Google Reader API item as an article, through the normalisation feed entries take.

The item becomes an entry in feedparser's shape (title, link, id, dates, author,
content, enclosures) and goes through :func:`newsreader.extract.feed.entry_article`,
so its HTML becomes sections, figures and links as a feed's does (when the
article is first read). Anything of the wrong type is left out; an item with no
usable id is no item.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from newsreader.extract.feed import entry_article
from newsreader.model import Article
from newsreader.sync.greader import READ_STATE, STARRED_STATE, decimal_item_id

_READ_SUFFIX = READ_STATE.removeprefix("user/-")
_STARRED_SUFFIX = STARRED_STATE.removeprefix("user/-")
"""A state tag ends so whatever user id the server writes in it (``user/-`` or a number)."""
_LATEST_SECONDS = 2**40
_LATEST_USEC = 2**62
"""Beyond any server time in microseconds (SQLite's integers end at 2**63)."""
"""Beyond any believable time (a garbage number is no date)."""


@dataclass(frozen=True, slots=True)
class SyncedItem:
    """An item of the account: its article, where it came from and its marks there."""

    item_id: str
    """Decimal, as the id streams give it."""
    stream_id: str | None
    article: Article
    read: bool
    starred: bool
    usec: int
    """The server's time for the item (``timestampUsec``, else its crawl time)."""


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""


_FULL_WIDTH = str.maketrans({"＆": "&", "＜": "<", "＞": ">"})
"""FreshRSS's Google Reader API writes ``&``, ``<`` and ``>`` of titles and names in
their full-width forms (so that a client cannot take them for HTML); they are read
back, and the text then judged as a feed's is."""


def _seconds(value: object) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) < 20:
        value = int(value)
    if isinstance(value, (int, float)) and 0 < value < _LATEST_SECONDS:
        return float(value)
    return None


def _first_href(links: object) -> str | None:
    if isinstance(links, list):
        for link in links:
            if isinstance(link, dict) and isinstance(link.get("href"), str) and link["href"]:
                return str(link["href"])
    return None


def _usec(item: dict[str, Any]) -> int:
    """The item's server time in microseconds (0 when it gives none believable)."""
    for key, scale in (("timestampUsec", 1), ("crawlTimeMsec", 1000)):
        value = item.get(key)
        if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) < 20:
            value = int(value)
        if (
            isinstance(value, int)
            and not isinstance(value, bool)
            and 0 < value * scale < _LATEST_USEC
        ):
            return value * scale
    return 0


def synced_item(
    item: dict[str, Any],
    *,
    source: str,
    categories: tuple[str, ...],
    base: str | None,
) -> SyncedItem | None:
    """The item as an article of ``source`` filed under ``categories``; None when it
    has no id the server would know it by."""
    item_id = decimal_item_id(item.get("id"))
    if item_id is None:
        return None
    entry: dict[str, Any] = {"id": str(item["id"])}
    title = _text(item.get("title")).translate(_FULL_WIDTH)
    if title:
        entry["title"] = title
    link = _first_href(item.get("canonical")) or _first_href(item.get("alternate"))
    if link:
        entry["link"] = link
    for key in ("published", "updated"):
        seconds = _seconds(item.get(key))
        if seconds is not None:
            entry[f"{key}_parsed"] = time.gmtime(seconds)
    author = _text(item.get("author")).translate(_FULL_WIDTH)
    if author:
        entry["author"] = author
    for key in ("content", "summary"):
        body = item.get(key)
        if isinstance(body, dict) and isinstance(body.get("content"), str) and body["content"]:
            entry["content"] = [{"value": body["content"], "type": "text/html"}]
            break
    enclosures = item.get("enclosure")
    if isinstance(enclosures, list):
        entry["links"] = [
            {
                "rel": "enclosure",
                "href": enclosure.get("href"),
                "type": enclosure.get("type"),
                "length": str(enclosure["length"])
                if isinstance(enclosure.get("length"), (int, str))
                else None,
            }
            for enclosure in enclosures
            if isinstance(enclosure, dict)
        ]
    states = item.get("categories")
    tags = {tag for tag in states if isinstance(tag, str)} if isinstance(states, list) else set()
    article = entry_article(entry, source=source, categories=categories, base=base)
    return SyncedItem(
        item_id=item_id,
        stream_id=item_stream(item),
        article=article,
        read=any(tag.endswith(_READ_SUFFIX) for tag in tags),
        starred=any(tag.endswith(_STARRED_SUFFIX) for tag in tags),
        usec=_usec(item),
    )


def item_stream(item: dict[str, Any]) -> str | None:
    """The subscription an item came from (its ``origin.streamId``)."""
    origin = item.get("origin")
    stream = origin.get("streamId") if isinstance(origin, dict) else None
    return stream if isinstance(stream, str) and stream else None
