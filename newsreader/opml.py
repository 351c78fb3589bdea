"""OPML 2.0 subscription lists, in and out: categories are nested outlines.

Readers disagree on how to write categories: nested outlines (NetNewsWire,
Feedly, newsreader) or a ``category="/A/B"`` attribute (some others). Reading
accepts both; writing nests.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ElementTree
from collections.abc import Mapping
from email.utils import formatdate
from pathlib import Path

from newsreader.config import FeedConfig, is_feed_url
from newsreader.files import FileRefused, display_path, read_file
from newsreader.model import MAX_CATEGORY_DEPTH, FeedState, parse_category_path
from newsreader.sanitize import clean_line, feed_url_problem, read_href

MAX_OPML_BYTES = 10 * 1024 * 1024
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
"""What XML 1.0 cannot hold at all, not even as a character reference."""


def _xml_text(text: str) -> str:
    """A name as OPML may hold it: one clean line, without what XML cannot hold."""
    return clean_line(_NOT_XML.sub("", text))


class OpmlError(Exception):
    """A file that is not a usable OPML subscription list."""


def read_opml(path: Path) -> list[FeedConfig]:
    """The feeds of an OPML file, each with its category path.

    Raises:
        OpmlError: unreadable, not XML, or not OPML.
    """
    try:
        data = read_file(path, MAX_OPML_BYTES)
    except FileRefused as error:
        raise OpmlError(f"{display_path(path)}: {error}") from error
    if b"<!ENTITY" in data or b"<!entity" in data:
        # Entities are never needed in a subscription list and are how XML bombs work.
        raise OpmlError(f"{path}: entity declarations are not accepted")
    try:
        root = ElementTree.fromstring(data)
    except ElementTree.ParseError as error:
        raise OpmlError(f"{path}: not valid XML ({error})") from error
    if root.tag.lower() != "opml" or root.find("body") is None:
        raise OpmlError(f"{path}: not an OPML file")
    feeds: list[FeedConfig] = []
    seen: set[str] = set()
    body = root.find("body")
    assert body is not None
    try:
        _walk(body, (), feeds, seen, depth=0)
    except _TooDeep as error:
        raise OpmlError(f"{path}: {error}") from error
    return feeds


class _TooDeep(Exception):
    pass


MAX_DEPTH = MAX_CATEGORY_DEPTH
"""Outlines nest no deeper than an article's category path may."""


def _walk(
    element: ElementTree.Element,
    path: tuple[str, ...],
    feeds: list[FeedConfig],
    seen: set[str],
    depth: int,
) -> None:
    if depth > MAX_DEPTH:
        raise _TooDeep(f"outlines nested more than {MAX_DEPTH} levels deep")
    for outline in element.findall("outline"):
        text = clean_line(outline.get("title") or outline.get("text") or "")
        url = read_href(outline.get("xmlUrl") or outline.get("xmlurl") or "")
        if url:
            if url in seen or feed_url_problem(url):
                continue  # an escape inside would make it another address: not taken
            seen.add(url)
            category = path
            attribute = outline.get("category")
            if not category and attribute:
                category = parse_category_path(attribute.split(",")[0])
            # Some readers write an address (the feed's, the site's) when they know no title.
            name = text if text and not is_feed_url(text) else None
            feeds.append(FeedConfig(url=url, name=name, category=category))
        else:
            _walk(outline, (*path, text) if text else path, feeds, seen, depth + 1)


def write_opml(
    feeds: list[FeedConfig],
    states: Mapping[str, FeedState] | None = None,
    title: str = "newsreader subscriptions",
) -> str:
    """An OPML 2.0 document of the feeds, categories as nested outlines.

    Each feed is called (``text``, ``title``) by its configured name, else by its
    own title as the cache knows it (``states``), else by its address with its
    password hidden. ``xmlUrl`` is the feed's address as configured, user name and
    password included: the reader it goes to needs them to fetch it. A feed whose
    address a config would refuse is left out, and names lose what XML cannot
    hold, so that the document is always well-formed.
    """
    root = ElementTree.Element("opml", version="2.0")
    head = ElementTree.SubElement(root, "head")
    ElementTree.SubElement(head, "title").text = title
    ElementTree.SubElement(head, "dateCreated").text = formatdate(usegmt=True)
    body = ElementTree.SubElement(root, "body")
    folders: dict[tuple[str, ...], ElementTree.Element] = {(): body}
    for feed in feeds:
        parent = body
        for depth in range(1, len(feed.category) + 1):
            key = feed.category[:depth]
            if key not in folders:
                label = _xml_text(key[-1])
                folders[key] = ElementTree.SubElement(
                    folders[key[:-1]], "outline", text=label, title=label
                )
            parent = folders[key]
        if feed_url_problem(feed.url):
            continue
        name = _xml_text(feed.display_name((states or {}).get(feed.url)))
        ElementTree.SubElement(
            parent, "outline", type="rss", text=name, title=name, xmlUrl=feed.url
        )
    ElementTree.indent(root)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        + ElementTree.tostring(root, encoding="unicode")
        + "\n"
    )
