"""A fast reader for well-formed RSS 2.0, RSS 1.0 (RDF) and Atom 1.0 documents.

feedparser reads anything, but it handles every element and every piece of
text in Python: about 20 ms of CPU for a feed of 50 entries. lxml parses the
same document in about 1 ms. This module parses with lxml and then walks the
tree doing what feedparser's handlers do for the fields the reader keeps, and
gives the entries in feedparser's own shape (plain dicts, the same keys and
the same values), so :mod:`newsreader.extract.feed` turns both into articles
through one normalisation.

It accepts a document only when it is sure to read it as feedparser would: it
returns None (and feedparser reads the document) for anything ill-formed, with
a DOCTYPE (entities feedparser would look up), in another
format (Atom 0.3, RSS 0.90, CDF), or with an entry element it does not follow
(markup inside a text element, an embedded image, a second title element that
is not the first one's copy...). Unknown elements are ignored, as feedparser
ignores them for these fields.

The parser resolves no entity, reads no DTD, fetches nothing and keeps libxml2's
limits on depth and on the size of a text node (no ``huge_tree``).
"""

from __future__ import annotations

import contextlib
import re
from typing import Any

from feedparser.datetimes import _parse_date
from feedparser.html import _cp1252
from feedparser.mixin import _FeedParserMixin
from feedparser.urls import _urljoin, make_safe_absolute_uri
from lxml import etree

from newsreader.extract.shapes import FastFeed

_PARSER = etree.XMLParser(
    resolve_entities=False,
    no_network=True,
    load_dtd=False,
    huge_tree=False,
    remove_comments=False,
    remove_pis=True,
    recover=False,
)
# feedparser's names for namespaces: RSS's and Atom's are "", others a prefix.
_PREFIXES: dict[str, str] = {
    uri.lower(): prefix for uri, prefix in _FeedParserMixin.namespaces.items()
}
_ATOM = "http://www.w3.org/2005/atom"
_RSS10 = "http://purl.org/rss/1.0/"
_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
_HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
_PROLOG_SCAN_BYTES = 4096
_MAX_KNOWN_KEYS = 10_000  # a bound, for documents that invent their own tags
_RSS_VERSIONS = {"0.91": "rss091u", "0.92": "rss092", "0.93": "rss093", "0.94": "rss094"}
_EMAIL = re.compile(
    r"(([a-zA-Z0-9\_\-\.\+]+)@((\[[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}\.)|(([a-zA-Z0-9\-]+\.)+))"
    r"([a-zA-Z]{2,4}|[0-9]{1,3})(\]?))(\?subject=\S+)?"
)
_LINK_REFERENCE = re.compile("&([A-Za-z0-9_]+);")
_C1 = re.compile("[\x80-\x9f]")

# Entry elements whose feedparser handlers change the fields kept here in ways
# this module does not follow: a document with one is left to feedparser.
_NOT_FOLLOWED = frozenset(
    {
        "abstract",
        "body",
        "xhtml:body",
        "fullitem",
        "info",
        "image",
        "textinput",
        "contributor",
        "publisher",
        "webmaster",
        "dc:publisher",
        "itunes:name",
        "itunes:email",
        "itunes:owner",
        "feedburner:browserfriendly",
        "newlocation",
        "feed",
        "channel",
        "item",
        "entry",
        "rss",
    }
)
# Containers whose children feedparser reads as if they stood in the entry.
_TRANSPARENT = frozenset({"media:group"})


class NotFollowed(Exception):
    """The document has something this reader does not do as feedparser does."""


def parse(document: bytes) -> FastFeed | None:
    """The document as feedparser would give it, or None to leave it to feedparser.

    ``document`` is UTF-8 (as :func:`newsreader.extract.xmlencoding.as_utf8` makes it).
    """
    head = document[:_PROLOG_SCAN_BYTES]
    if b"<!DOCTYPE" in head:
        return None  # the cheap test first; the tree's own DOCTYPE is checked below
    try:
        root = etree.fromstring(document, _PARSER)
    except (etree.XMLSyntaxError, ValueError):
        return None
    if root.getroottree().docinfo.doctype:
        return None  # a DOCTYPE further down: its entities are feedparser's to refuse
    try:
        return _read(root, _Bases(root) if b"base" in document else _NO_BASES)
    except NotFollowed:
        return None


_KNOWN_KEYS: dict[str, str] = {}
"""Keys already worked out for tags whose key does not depend on the document's prefix."""


def _key(element: Any) -> str | None:
    """feedparser's name for an element ("title", "dc:creator"), or None for a comment."""
    tag = element.tag
    known = _KNOWN_KEYS.get(tag) if isinstance(tag, str) else None
    if known is not None:
        return known
    if not isinstance(tag, str):
        return None
    if tag[0] == "{":
        uri, local = tag[1:].split("}", 1)
        lowered = uri.lower()
        if "backend.userland.com/rss" in lowered:
            lowered = "http://backend.userland.com/rss"
        prefix = _PREFIXES.get(lowered)
        if prefix is None:
            # feedparser names an element of a namespace it does not know by the
            # document's own prefix, so "dc:creator" of another namespace is its dc:creator.
            given = element.prefix
            if not given:
                return f"?{local.lower()}"
            key = f"{given.lower()}:{local.lower()}"
            if key in _HANDLERS or key in _NOT_FOLLOWED:
                raise NotFollowed(f"<{key}> of an unknown namespace")
            return f"?{key}"
        key = f"{prefix}:{local.lower()}" if prefix else local.lower()
    else:
        key = tag.lower()
    if len(_KNOWN_KEYS) < _MAX_KNOWN_KEYS:
        _KNOWN_KEYS[tag] = key
    return key


class _Bases:
    """The base URI feedparser resolves against inside each element.

    feedparser follows ``xml:base`` (and a plain ``base`` attribute) in document
    order with a stack, and keeps an element's base after it ends when its
    parent had none: a base set on one entry holds for the entries after it.
    This replays that walk once.
    """

    def __init__(self, root: Any) -> None:
        self.at: dict[Any, str] = {}
        if root is None:
            return
        state = ""
        stack: list[str] = []
        for event, element in etree.iterwalk(root, events=("start", "end")):
            if not isinstance(element.tag, str):
                continue
            if event == "start":
                attrs = _attributes(element)
                given = attrs.get("xml:base", attrs.get("base")) or state
                if state:
                    state = make_safe_absolute_uri(state, given) or state
                else:
                    state = _urljoin(state, given)
                stack.append(state)
                self.at[element] = state
            else:
                stack.pop()
                if stack and stack[-1]:
                    state = stack[-1]

    def resolve(self, element: Any, uri: str) -> str:
        """feedparser's ``resolve_uri`` for a value of this element."""
        return str(_urljoin(self.at.get(element, ""), uri))


_NO_BASES = _Bases(None)


def _read(root: Any, bases: _Bases) -> FastFeed:
    key = _key(root)
    uri = root.tag[1:].split("}", 1)[0].lower() if root.tag[0] == "{" else ""
    if key == "rss" and not uri:
        version = root.get("version", "")
        name = _RSS_VERSIONS.get(version) or ("rss20" if version.startswith("2.") else "rss")
        channels = [child for child in root if _key(child) == "channel"]
        if len(channels) != 1:
            raise NotFollowed("not one channel")
        return _read_channel(name, channels[0], bases)
    if key == "feed" and uri == _ATOM:
        return _read_channel("atom10", root, bases)
    if key == "rdf:rdf" and any(_namespace(child) == _RSS10 for child in root):
        channels = [child for child in root if _key(child) == "channel"]
        if len(channels) != 1:
            raise NotFollowed("not one channel")
        # The channel's own fields, then the items beside it.
        feed = _read_channel("rss10", channels[0], bases)
        for child in root:
            if _key(child) == "item":
                feed.entries.append(_Entry(feed.version, bases).read(child))
        return feed
    raise NotFollowed("not RSS 2.0, RSS 1.0 or Atom 1.0")


def _namespace(element: Any) -> str:
    tag = element.tag
    return tag[1:].split("}", 1)[0].lower() if isinstance(tag, str) and tag[0] == "{" else ""


def _read_channel(version: str, channel: Any, bases: _Bases) -> FastFeed:
    atom = version.startswith("atom")
    feed: dict[str, Any] = {}
    result = FastFeed(version, feed)
    title_locked = False
    if channel.get("lastmod") is not None or channel.get("href") is not None:
        raise NotFollowed("CDF attributes")
    for child in channel:
        key = _key(child)
        if key in ("item", "entry"):
            result.entries.append(_Entry(version, bases).read(child))
            title_locked = False  # feedparser forgets its title depth at each entry
        elif key == "title" and not title_locked:
            value, kind = _text_value(child, "text/plain", atom)
            feed["title"] = value
            feed["title_detail"] = {"type": kind}
            title_locked = bool(value)
        elif key == "title" and result.entries:
            raise NotFollowed("a feed title after the entries")
        elif key == "link":
            _feed_link(feed, child, bases)
    return result


def _feed_link(feed: dict[str, Any], element: Any, bases: _Bases) -> None:
    attrs = _attributes(element)
    if "href" in attrs or "url" in attrs or "uri" in attrs:
        href = _link_href(attrs, element, bases)
        if (
            attrs.get("rel", "alternate") == "alternate"
            and _content_type(attrs.get("type", "text/html")) in _HTML_TYPES
        ):
            feed["link"] = href
        return
    value = _finish(_leaf_text(element))
    value = bases.resolve(element, value) if value else value
    feed["link"] = _LINK_REFERENCE.sub(r"&\g<1>", value)


class _Entry:
    """One item or entry read as feedparser reads it."""

    def __init__(self, version: str, bases: _Bases) -> None:
        self.version = version
        self.bases = bases
        self.atom = version.startswith("atom")
        self.entry: dict[str, Any] = {}
        self.title_locked = False
        self.has_content = False
        self.guid_is_link = False
        # feedparser's property_depth_map: a value set at one depth is replaced
        # only from the same depth or nearer the entry.
        self.depths: dict[str, int] = {}
        self.depth = 1

    def read(self, item: Any) -> dict[str, Any]:
        if item.get("lastmod") is not None or item.get("href") is not None:
            raise NotFollowed("CDF attributes")
        about = item.get(f"{{{_RDF}}}about")
        if about:
            self.entry["id"] = about
        for child in item:
            self._element(child, 1)
        return self.entry

    def _store(self, key: str, value: object) -> bool:
        known = self.depths.get(key)
        if known is None or self.depth <= known:
            self.depths[key] = self.depth
            self.entry[key] = value
            return True
        return False

    def _element(self, element: Any, depth: int) -> None:
        key = _key(element)
        if key is None:
            return
        self.depth = depth
        if key in _TRANSPARENT:
            for child in element:
                self._element(child, depth + 1)
            return
        if key in _NOT_FOLLOWED:
            raise NotFollowed(f"<{key}> in an entry")
        handler = _HANDLERS.get(key)
        if handler is not None:
            handler(self, element)
        elif key == "itunes:duration":
            if element.attrib:
                raise NotFollowed("attributes on itunes:duration")
            self.entry["itunes_duration"] = _finish(_leaf_text(element))

    # Titles: the first non-empty one counts; a media title only when no title came.
    def title(self, element: Any) -> None:
        if self.title_locked:
            _leaf_text(element)  # still refuse markup inside, as feedparser would differ
            return
        value, kind = _text_value(element, "text/plain", self.atom)
        self._store("title", value)
        self.entry["title_detail"] = {"type": kind}
        self.title_locked = bool(value)

    def media_title(self, element: Any) -> None:
        locked = self.title_locked
        self.title(element)
        self.title_locked = locked

    def link(self, element: Any) -> None:
        attrs = _attributes(element)
        rel = attrs.setdefault("rel", "alternate")
        attrs.setdefault("type", "application/atom+xml" if rel == "self" else "text/html")
        links: list[dict[str, Any]] = self.entry.setdefault("links", [])
        if "href" in attrs or "url" in attrs or "uri" in attrs:
            attrs["href"] = _link_href(attrs, element, self.bases)
            for name in ("url", "uri"):
                attrs.pop(name, None)
            links.append(attrs)
            if rel == "alternate" and _content_type(attrs["type"]) in _HTML_TYPES:
                self.entry["link"] = attrs["href"]
            return
        links.append(attrs)
        value = _finish(_leaf_text(element))
        if value:
            value = self.bases.resolve(element, value)
        value = _LINK_REFERENCE.sub(r"&\g<1>", value.replace("&amp;", "&"))
        self.entry["link"] = value
        if value:
            links[-1]["href"] = value

    def guid(self, element: Any) -> None:
        attrs = _attributes(element)
        self.guid_is_link = attrs.get("ispermalink", "true") == "true"
        value = _finish(_leaf_text(element))
        if value and self.guid_is_link:
            value = self.bases.resolve(element, value)
        self._store("id", value)
        self.entry.setdefault("guidislink", self.guid_is_link and "link" not in self.entry)
        if self.guid_is_link:
            self.entry.setdefault("link", value)

    def published(self, element: Any) -> None:
        value = _finish(_leaf_text(element))
        self._store("published", value)
        self.entry["published_parsed"] = _parse_date(value)

    def updated(self, element: Any) -> None:
        value = _finish(_leaf_text(element))
        self._store("updated", value)
        self.entry["updated_parsed"] = _parse_date(value)

    def author(self, element: Any) -> None:
        authors: list[dict[str, Any]] = self.entry.setdefault("authors", [])
        authors.append({})
        names = [child for child in element if _key(child) is not None]
        if names:
            # Atom's person construct: its name and email, saved as feedparser saves them.
            for child in names:
                part = _key(child)
                if part in ("name", "email"):
                    # feedparser expects no text of these: it only trims them.
                    value = _leaf_text(child).strip()
                    self.entry.setdefault("author_detail", {})[part] = value
                    authors[-1][part] = value
                elif part not in ("uri", "url", "homepage"):
                    raise NotFollowed(f"<{part}> in an author")
                else:
                    _leaf_text(child)
            text = (element.text or "").strip()
            if text:
                raise NotFollowed("text beside an author's name")
        self._store("author", _finish(_leaf_text(element)) if not names else "")
        self._sync_author()

    def _sync_author(self) -> None:
        """feedparser's ``_sync_author_detail``: the author line from the detail, or
        the detail (a name, an email) from the author line."""
        entry = self.entry
        detail = entry["authors"][-1]
        if detail:
            name, email = detail.get("name"), detail.get("email")
            if name and email:
                entry["author"] = f"{name} ({email})"
            elif name:
                entry["author"] = name
            elif email:
                entry["author"] = email
            return
        author, found = entry.get("author"), None
        if not author:
            return
        match = _EMAIL.search(author)
        if match:
            found = match.group(0)
            author = author.replace(found, "").replace("()", "").replace("<>", "")
            author = author.replace("&lt;&gt;", "").strip()
            if author and author[0] == "(":
                author = author[1:]
            if author and author[-1] == ")":
                author = author[:-1]
            author = author.strip()
        if author or found:
            entry.setdefault("author_detail", detail)
        if author:
            detail["name"] = author
        if found:
            detail["email"] = found

    def description(self, element: Any) -> None:
        if "summary" in self.entry and not self.has_content:
            self._content(element, "text/plain")
        else:
            self._summary(element, "text/html")

    def summary(self, element: Any) -> None:
        if "summary" in self.entry and not self.has_content:
            self._content(element, "text/plain")
        else:
            self._summary(element, "text/plain")

    def _summary(self, element: Any, default_type: str) -> None:
        value, kind = _text_value(element, default_type, self.atom)
        self._store("summary", value)
        self.entry["summary_detail"] = {"type": kind}

    def content(self, element: Any) -> None:
        self._content(element, "text/plain")

    def content_encoded(self, element: Any) -> None:
        self._content(element, "text/html")

    def _content(self, element: Any, default_type: str) -> None:
        self.has_content = True
        value, kind = _text_value(element, default_type, self.atom)
        self.entry.setdefault("content", []).append({"type": kind, "value": value})
        if kind == "text/plain" or kind in _HTML_TYPES:
            self.entry.setdefault("summary", value)

    def enclosure(self, element: Any) -> None:
        attrs = _attributes(element)
        href = attrs.get("url", attrs.get("uri", attrs.get("href")))
        if href:
            attrs.pop("url", None)
            attrs.pop("uri", None)
            attrs["href"] = href
        attrs["rel"] = "enclosure"
        self.entry.setdefault("links", []).append(attrs)

    def media_content(self, element: Any) -> None:
        self.entry.setdefault("media_content", []).append(_attributes(element))
        depth = self.depth
        for child in element:
            self._element(child, depth + 1)

    def source(self, element: Any) -> None:
        # Its fields are the source feed's, not the entry's.
        self.title_locked = False

    def ignore(self, element: Any) -> None:
        return


_HANDLERS: dict[str, Any] = {
    "title": _Entry.title,
    "dc:title": _Entry.title,
    "media:title": _Entry.media_title,
    "link": _Entry.link,
    "guid": _Entry.guid,
    "id": _Entry.guid,
    "published": _Entry.published,
    "issued": _Entry.published,
    "pubdate": _Entry.published,
    "dcterms:issued": _Entry.published,
    "updated": _Entry.updated,
    "modified": _Entry.updated,
    "lastbuilddate": _Entry.updated,
    "dc:date": _Entry.updated,
    "dcterms:modified": _Entry.updated,
    "author": _Entry.author,
    "managingeditor": _Entry.author,
    "dc:creator": _Entry.author,
    "dc:author": _Entry.author,
    "itunes:author": _Entry.author,
    "description": _Entry.description,
    "dc:description": _Entry.description,
    "media:description": _Entry.description,
    "summary": _Entry.summary,
    "itunes:summary": _Entry.summary,
    "content": _Entry.content,
    "content:encoded": _Entry.content_encoded,
    "enclosure": _Entry.enclosure,
    "media:content": _Entry.media_content,
    "source": _Entry.source,
}


def _attributes(element: Any) -> dict[str, Any]:
    """An element's attributes as feedparser keys them: names in lower case (a known
    namespace's with its prefix), ``rel`` and ``type`` values in lower case."""
    result: dict[str, Any] = {}
    attrib = element.attrib
    if not attrib:
        return result
    for name, value in attrib.items():
        if name[0] == "{":
            uri, local = name[1:].split("}", 1)
            prefix = _PREFIXES.get(uri.lower(), "")
            name = f"{prefix}:{local}" if prefix else local
        lowered = name.lower()
        result[lowered] = value.lower() if lowered in ("rel", "type") else value
    return result


def _link_href(attrs: dict[str, Any], element: Any, bases: _Bases) -> str:
    href = attrs.get("url", attrs.get("uri", attrs.get("href")))
    return bases.resolve(element, href) if href else str(href or "")


def _content_type(value: str) -> str:
    lowered = value.lower()
    return {
        "text": "text/plain",
        "plain": "text/plain",
        "html": "text/html",
        "xhtml": "application/xhtml+xml",
    }.get(lowered, lowered)


def _leaf_text(element: Any) -> str:
    """An element's text, around any comment in it; markup inside is refused
    (feedparser keeps it as HTML)."""
    text = str(element.text or "")
    if not len(element):
        return text
    pieces = [text]
    for child in element:
        if child.tag is not etree.Comment:
            raise NotFollowed(f"markup inside <{_key(element)}>")
        pieces.append(child.tail or "")
    return "".join(pieces)


def _text_value(element: Any, default_type: str, atom: bool) -> tuple[str, str]:
    """A text construct's value and type, as feedparser's ``push_content``/``pop`` give them."""
    attrs = _attributes(element)
    kind = _content_type(attrs.get("type", default_type))
    if attrs.get("mode", "") == "base64" or not (
        kind.startswith("text/") or kind.endswith("+xml") or kind.endswith("/xml")
    ):
        raise NotFollowed("base64 content")
    if kind == "application/xhtml+xml" or kind.endswith("xml"):
        raise NotFollowed("inline XML content")
    value = _finish(_leaf_text(element))
    if not atom and kind == "text/plain" and _FeedParserMixin.looks_like_html(value):
        kind = "text/html"
    return value, kind


def _finish(text: str) -> str:
    """What feedparser does to every value: trim it, repair UTF-8 read as Latin-1,
    and read C1 controls as the Windows-1252 characters at those bytes."""
    text = text.strip()
    if not text.isascii():
        with contextlib.suppress(UnicodeEncodeError, UnicodeDecodeError):
            text = text.encode("iso-8859-1").decode("utf-8")
        if _C1.search(text):
            text = text.translate(_cp1252)
    return text
