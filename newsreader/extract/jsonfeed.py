"""JSON Feed 1.0 and 1.1 (https://jsonfeed.org/version/1.1) -> entries in feedparser's shape.

feedparser cannot read JSON Feed. This module reads it into the same plain
dicts :mod:`newsreader.extract.fastfeed` gives for XML (``title``, ``link``,
``id``, ``published``, ``author_detail``, ``summary``, ``content``, enclosures
as ``media_content``), so :mod:`newsreader.extract.feed` makes articles of all
three through one normalisation.

- ``content_html`` is the body; ``content_text`` (plain text) becomes escaped
  paragraphs; ``summary`` is plain text, else the body stands in for it.
- ``url``, else ``external_url``, is the link; ``id`` (a number too, as the
  spec asks) is the id.
- ``authors`` (1.1) or ``author`` (1.0): their names, joined.
- ``attachments`` are enclosures (``url``, ``mime_type``, ``size_in_bytes``,
  ``duration_in_seconds``); ``tags`` are kept as ``tags``, as RSS categories are.

A value of the wrong type is taken as absent, never as an error. What is not
JSON, or not a JSON Feed, raises :class:`NotAJsonFeed`; so does JSON nested too
deep, or a number too long to read.
"""

from __future__ import annotations

import html
import json
import math
import re
from typing import Any

from feedparser.datetimes import _parse_date

from newsreader.extract.shapes import FastFeed

_VERSION = re.compile(r"^https?://jsonfeed\.org/version/(\d+(?:\.\d+)?)/?$")
_BLANK_LINES = re.compile(r"\n\s*\n")
# Plain-text fields that carry HTML references anyway ("Blog &#8211; News", from
# publishing tools that escape every title): a reference is read as its character.
_REFERENCE = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
_JSON_START = (b"{", b"[")
MAX_ITEMS = 10_000


class NotAJsonFeed(ValueError):
    """The document is not a JSON Feed; the message says why."""


def looks_like_json(data: bytes) -> bool:
    """Whether a document is JSON rather than XML: its first character (after any
    byte order mark and white space) opens an object or an array, as no XML does."""
    head = data[:512].removeprefix(b"\xef\xbb\xbf").lstrip()
    return head.startswith(_JSON_START)


def parse(data: bytes) -> FastFeed:
    """A JSON Feed document as feedparser-shaped entries.

    Raises:
        NotAJsonFeed: it is not JSON, or not a JSON Feed.
    """
    text = data.decode("utf-8-sig", errors="replace")  # JSON is UTF-8 (RFC 8259)
    try:
        document = json.loads(text)
    except RecursionError:
        raise NotAJsonFeed("not a feed (JSON nested too deep)") from None
    except ValueError as error:  # JSONDecodeError, or a number too long to read
        raise NotAJsonFeed(f"not a feed (JSON error: {error})") from None
    if not isinstance(document, dict):
        raise NotAJsonFeed("not a feed (JSON, but not an object)")
    version = _VERSION.match(_string(document, "version") or "")
    items = document.get("items")
    if version is None or not isinstance(items, list):
        raise NotAJsonFeed("not a feed (JSON, but not a JSON Feed: no jsonfeed.org version)")
    feed: dict[str, Any] = {"title_detail": {"type": "text/plain"}}
    if (title := _string(document, "title")) is not None:
        feed["title"] = _references_read(title)
    if (home := _string(document, "home_page_url")) is not None:
        feed["link"] = home
    entries = [_entry(item) for item in items[:MAX_ITEMS] if isinstance(item, dict)]
    return FastFeed(f"json{version.group(1)}", feed, entries)


def _entry(item: dict[str, Any]) -> dict[str, Any]:
    entry: dict[str, Any] = {}
    item_id = item.get("id")
    if isinstance(item_id, str) or (
        isinstance(item_id, int | float) and not isinstance(item_id, bool)
    ):
        entry["id"] = str(item_id)
    link = _string(item, "url") or _string(item, "external_url")
    if link is not None:
        entry["link"] = link
    title = _string(item, "title")
    if title is not None:
        entry["title"] = _references_read(title)
        entry["title_detail"] = {"type": "text/plain"}
    body_html = _string(item, "content_html")
    body_text = _string(item, "content_text")
    if body_html:
        entry["content"] = [{"type": "text/html", "value": body_html}]
    elif body_text:
        entry["content"] = [{"type": "text/html", "value": _paragraphs(body_text)}]
    summary = _string(item, "summary")
    if summary is not None:
        entry["summary"] = _references_read(summary)
        entry["summary_detail"] = {"type": "text/plain"}
    elif body_text and not body_html:
        entry["summary"], entry["summary_detail"] = body_text, {"type": "text/plain"}
    elif body_html:
        entry["summary"], entry["summary_detail"] = body_html, {"type": "text/html"}
    for key, field in (("published", "date_published"), ("updated", "date_modified")):
        written = _string(item, field)
        if written:
            entry[key] = written
            entry[f"{key}_parsed"] = _parse_date(written)
    names = _author_names(item)
    if names:
        entry["author"] = ", ".join(names)
        entry["author_detail"] = {"name": entry["author"]}
    tags = item.get("tags")
    if isinstance(tags, list):
        entry["tags"] = [
            {"term": tag, "scheme": None, "label": None} for tag in tags if isinstance(tag, str)
        ]
    attachments = item.get("attachments")
    if isinstance(attachments, list):
        entry["media_content"] = [
            _attachment(attachment) for attachment in attachments if isinstance(attachment, dict)
        ]
    return entry


def _author_names(item: dict[str, Any]) -> list[str]:
    """The names of ``authors`` (1.1), else of ``author`` (1.0)."""
    people = item.get("authors")
    if not isinstance(people, list):
        people = [item.get("author")]
    names = [_string(person, "name") for person in people if isinstance(person, dict)]
    return [_references_read(name) for name in names if name and name.strip()]


def _attachment(attachment: dict[str, Any]) -> dict[str, Any]:
    """An attachment in Media RSS's shape: url, type, filesize, duration (all text)."""
    found: dict[str, Any] = {}
    if (url := _string(attachment, "url")) is not None:
        found["url"] = url
    if (kind := _string(attachment, "mime_type")) is not None:
        found["type"] = kind
    for key, field in (("filesize", "size_in_bytes"), ("duration", "duration_in_seconds")):
        value = attachment.get(field)
        if isinstance(value, int) and not isinstance(value, bool):
            found[key] = str(value)
        elif isinstance(value, float) and math.isfinite(value):  # JSON also reads NaN
            found[key] = str(int(value)) if value.is_integer() else str(value)
    return found


def _references_read(text: str) -> str:
    if "&" not in text:
        return text
    return _REFERENCE.sub(lambda match: html.unescape(match.group(0)), text)


def _string(mapping: dict[str, Any], key: str) -> str | None:
    value = mapping.get(key)
    return value if isinstance(value, str) else None


def _paragraphs(text: str) -> str:
    """Plain text as HTML paragraphs (blank lines part them), every character escaped."""
    parts = [part.strip() for part in _BLANK_LINES.split(text.replace("\r\n", "\n"))]
    return "".join(f"<p>{html.escape(part)}</p>" for part in parts if part)
