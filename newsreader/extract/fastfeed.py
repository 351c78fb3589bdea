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

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from feedparser.datetimes import _parse_date
from feedparser.mixin import _FeedParserMixin
from feedparser.urls import _urljoin, make_safe_absolute_uri
from lxml import etree

from newsreader.extract.cdata import repaired
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
_RSS090 = "http://my.netscape.com/rdf/simple/0.9/"
_MAX_ENTRIES = 100_000
_HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
_PROLOG_SCAN_BYTES = 4096
_MAX_KNOWN_KEYS = 10_000  # a bound, for documents that invent their own tags
_RSS_VERSIONS = {"0.91": "rss091u", "0.92": "rss092", "0.93": "rss093", "0.94": "rss094"}
_EMAIL = re.compile(
    r"(([a-zA-Z0-9\_\-\.\+]+)@((\[[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}\.)|(([a-zA-Z0-9\-]+\.)+))"
    r"([a-zA-Z]{2,4}|[0-9]{1,3})(\]?))(\?subject=\S+)?"
)
_LINK_REFERENCE = re.compile("&([A-Za-z0-9_]+);")
# An item or entry start tag, in any case and with any prefix (as feedparser names them).
_ENTRY_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?(?i:item|entry)[\s/>]")

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
        result = _read(root, _Bases(root) if b"base" in document else _NO_BASES)
    except NotFollowed:
        return None
    if len(_ENTRY_TAG.findall(document)) != len(result.entries):
        return None  # an entry somewhere this reader does not look (feedparser does)
    return result


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
            # document's own prefix ("itunes:duration" of another address is its
            # itunes:duration), or by its bare name when it has none.
            given = element.prefix
            if given:
                if sum(1 for u in element.nsmap.values() if u == uri) > 1:
                    raise NotFollowed("one namespace under two prefixes")
                return f"{given.lower()}:{local.lower()}"
            if any(p and u == uri for p, u in element.nsmap.items()):
                raise NotFollowed("a namespace bound to a prefix used as the default")
            return local.lower()
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


@dataclass(slots=True)
class _State:
    """What feedparser keeps across a whole document: the depth of the title that
    holds (a title at that depth or deeper is not taken), and whether content came
    since the last entry ended (it changes how a second description is read)."""

    title_depth: int = -1
    has_content: bool = False


def _read(root: Any, bases: _Bases) -> FastFeed:
    key = _key(root)
    uri = _namespace(root)
    declared = _declared_version(root)
    state = _State()
    if key == "rss" and not uri:
        given = root.get("version", "")
        version = (
            declared
            if declared.startswith("rss")
            else (_RSS_VERSIONS.get(given) or ("rss20" if given.startswith("2.") else "rss"))
        )
        result = FastFeed(version, {})
        _read_root_children(result, root, bases, state)
    elif key == "feed" and uri == _ATOM:
        result = FastFeed(declared or "atom", {})
        _read_feed(result, root, bases, state, 2)
    elif key == "rdf:rdf" and any(_namespace(child) == _RSS10 for child in root):
        result = FastFeed(declared or "rss10", {})
        _read_root_children(result, root, bases, state)
    else:
        raise NotFollowed("not RSS 2.0, RSS 1.0 or Atom 1.0")
    return result


def _read_root_children(result: FastFeed, root: Any, bases: _Bases, state: _State) -> None:
    """An RSS root's children: its channel, and items beside it (feedparser reads
    an item wherever it stands)."""
    for child in root:
        child_key = _key(child)
        if child_key == "channel":
            _read_feed(result, child, bases, state, 3)
        elif child_key in ("item", "entry"):
            result.entries.append(_Entry(result, bases, state).read(child, 2))
        elif child_key is not None:
            _refuse_feed_fields(child)


def _declared_version(root: Any) -> str:
    """The version feedparser takes from the namespaces the root declares, in their
    order: the first of RSS 0.90 (as the default), RSS 1.0 and Atom 1.0."""
    for prefix, uri in root.nsmap.items():
        lowered = uri.lower()
        if prefix is None and lowered == _RSS090:
            return "rss090"
        if lowered == _RSS10:
            return "rss10"
        if lowered == _ATOM:
            return "atom10"
    return ""


def _namespace(element: Any) -> str:
    tag = element.tag
    return tag[1:].split("}", 1)[0].lower() if isinstance(tag, str) and tag[0] == "{" else ""


def _read_feed(result: FastFeed, container: Any, bases: _Bases, state: _State, depth: int) -> None:
    """The feed's own fields and its entries, from a channel or an Atom feed
    element whose children stand at ``depth``."""
    atom = result.version.startswith("atom")
    feed = result.feed
    if container.get("lastmod") is not None or container.get("href") is not None:
        raise NotFollowed("CDF attributes")
    for child in container:
        key = _key(child)
        if key is None:
            continue
        if key in ("item", "entry"):
            result.entries.append(_Entry(result, bases, state).read(child, depth))
        elif key in ("title", "dc:title", "media:title"):
            held = state.title_depth
            if -1 < held <= depth:
                _leaf_text(child)
                continue
            value, kind = _text_value(child, "text/plain", atom)
            feed["title"], feed["title_detail"] = value, {"type": kind}
            if value:
                state.title_depth = depth
            if key == "media:title":
                state.title_depth = held  # feedparser keeps the depth it had
        elif key == "link":
            _feed_link(feed, child, bases)
        elif key in ("id", "guid"):
            is_link = _attributes(child).get("ispermalink", "true") == "true"
            value = _finish(_leaf_text(child), bases.resolve if is_link else None, child)
            feed["id"] = value
            feed.setdefault("guidislink", is_link and "link" not in feed)
            if is_link:
                feed.setdefault("link", value)
        elif key in ("image", "textinput"):
            _read_image(child, key, state, depth)
        elif key in _CONTENT_KEYS:
            state.has_content = True  # feedparser forgets it only at an entry's end
        else:
            _refuse_feed_fields(child)
    if len(result.entries) > _MAX_ENTRIES:
        raise NotFollowed("too many entries")


_CONTENT_KEYS = frozenset({"content", "content:encoded", "body", "xhtml:body", "fullitem"})
# What an element at the feed's level must not hold for this reader: feedparser
# would take it for the feed's own title, link or id, or for an entry.
_FEED_FIELDS = frozenset(
    {"title", "dc:title", "media:title", "link", "id", "guid", "item", "entry", *_CONTENT_KEYS}
)
_IMAGE_CHILDREN = {
    "image": frozenset({"title", "link", "description", "url", "href", "width", "height"}),
    "textinput": frozenset({"title", "link", "description", "name"}),
}


def _refuse_feed_fields(element: Any) -> None:
    for inner in element.iter():
        if inner is not element and _key(inner) in _FEED_FIELDS:
            raise NotFollowed(f"<{_key(inner)}> inside <{_key(element)}>")


def _read_image(element: Any, key: str, state: _State, depth: int) -> None:
    """A channel's image or text input: its fields are its own, but feedparser
    forgets it is inside one at an unprefixed element it does not expect there
    (and then gives the feed its title and link), and it moves the title depth."""
    state.title_depth = -1
    for child in element:
        child_key = _key(child)
        if child_key is None:
            continue
        if ":" not in child_key and child_key not in _IMAGE_CHILDREN[key]:
            raise NotFollowed(f"<{child_key}> in <{key}>")
        if child_key in ("title", "dc:title") and not -1 < state.title_depth <= depth + 1:
            if _finish(_leaf_text(child)):
                state.title_depth = depth + 1
        elif len(child):
            _refuse_feed_fields(child)


def _feed_link(feed: dict[str, Any], element: Any, bases: _Bases) -> None:
    attrs = _enforce_href(_attributes(element))
    if "href" in attrs:
        href = bases.resolve(element, attrs["href"])
        rel = attrs.get("rel", "alternate")
        kind = attrs.get("type", "application/atom+xml" if rel == "self" else "text/html")
        if rel == "alternate" and _content_type(kind) in _HTML_TYPES:
            feed["link"] = href
        return
    value = _finish(_leaf_text(element), bases.resolve, element)
    feed["link"] = _LINK_REFERENCE.sub(r"&\g<1>", value)


def _enforce_href(attrs: dict[str, Any]) -> dict[str, Any]:
    """feedparser's ``_enforce_href``: ``url``, else ``uri``, else ``href`` is the href."""
    href = attrs.get("url", attrs.get("uri", attrs.get("href")))
    if href:
        attrs.pop("url", None)
        attrs.pop("uri", None)
        attrs["href"] = href
    return attrs


class _Entry:
    """One item or entry read as feedparser reads it."""

    def __init__(self, result: FastFeed, bases: _Bases, state: _State) -> None:
        self.bases = bases
        self.state = state
        self.atom = result.version.startswith("atom")
        self.entry: dict[str, Any] = {}
        self.has_content = state.has_content
        self.guid_is_link = False
        # feedparser's property_depth_map: a value set at one depth is replaced
        # only from the same depth or nearer the entry.
        self.depths: dict[str, int] = {}
        self.depth = 1

    def read(self, item: Any, depth: int) -> dict[str, Any]:
        """The entry of an item or entry element standing at ``depth``."""
        attrs = _attributes(item)
        if "lastmod" in attrs or "href" in attrs:
            raise NotFollowed("CDF attributes")
        self.state.title_depth = -1
        if attrs.get("rdf:about"):
            self.entry["id"] = attrs["rdf:about"]
        for child in item:
            self._element(child, depth + 1)
        self.state.has_content = False
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
        if key in _NOT_FOLLOWED:
            raise NotFollowed(f"<{key}> in an entry")
        handler = _HANDLERS.get(key)
        if handler is not None:
            handler(self, element)
        elif key == "itunes:duration":
            if element.attrib:
                raise NotFollowed("attributes on itunes:duration")
            self._store("itunes_duration", _finish(_leaf_text(element)))
        else:
            # feedparser reads what an element it does not know holds (media:group,
            # an activity's object) as if it stood in the entry, deeper down.
            for child in element:
                self._element(child, depth + 1)

    # A non-empty title holds against titles at its depth or deeper; a media
    # title is taken as one but leaves the depth as it was.
    def title(self, element: Any) -> None:
        state = self.state
        if -1 < state.title_depth <= self.depth:
            _leaf_text(element)  # still refuse markup inside, as feedparser would differ
            return
        value, kind = _text_value(element, "text/plain", self.atom)
        self._store("title", value)
        self.entry["title_detail"] = {"type": kind}
        if value:
            state.title_depth = self.depth

    def media_title(self, element: Any) -> None:
        held = self.state.title_depth
        self.title(element)
        self.state.title_depth = held

    def link(self, element: Any) -> None:
        attrs = _enforce_href(_attributes(element))
        rel = attrs.setdefault("rel", "alternate")
        attrs.setdefault("type", "application/atom+xml" if rel == "self" else "text/html")
        links: list[dict[str, Any]] = self.entry.setdefault("links", [])
        if "href" in attrs:
            attrs["href"] = self.bases.resolve(element, attrs["href"])
            links.append(attrs)
            if rel == "alternate" and _content_type(attrs["type"]) in _HTML_TYPES:
                self.entry["link"] = attrs["href"]
            return
        links.append(attrs)
        value = _finish(_leaf_text(element), self.bases.resolve, element)
        value = _LINK_REFERENCE.sub(r"&\g<1>", value.replace("&amp;", "&"))
        self.entry["link"] = value
        if value:
            links[-1]["href"] = value

    def guid(self, element: Any) -> None:
        attrs = _attributes(element)
        self.guid_is_link = attrs.get("ispermalink", "true") == "true"
        resolve = self.bases.resolve if self.guid_is_link else None
        value = _finish(_leaf_text(element), resolve, element)
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
        if names and not any(_key(child) == "name" for child in names):
            raise NotFollowed("an author without a name")  # feedparser's detail is its own
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
        attrs = _enforce_href(_attributes(element))
        attrs["rel"] = "enclosure"
        self.entry.setdefault("links", []).append(attrs)

    def media_content(self, element: Any) -> None:
        self.entry.setdefault("media_content", []).append(_attributes(element))
        depth = self.depth
        for child in element:
            self._element(child, depth + 1)

    def source(self, element: Any) -> None:
        """Its fields are the source feed's, not the entry's; but it resets the title
        depth, a title in it sets it, and content in it counts as the entry's."""
        self.state.title_depth = -1
        for inner in element.iter():
            if inner is element:
                continue
            key = _key(inner)
            if key in _CONTENT_KEYS:
                self.has_content = True
            elif (
                key in ("title", "dc:title")
                and self.state.title_depth == -1
                and _finish(_leaf_text(inner))
            ):
                self.state.title_depth = self.depth + _depth_below(element, inner)


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
    namespaced = []
    for name, value in attrib.items():
        if name[0] == "{":
            uri, local = name[1:].split("}", 1)
            prefix = _PREFIXES.get(uri.lower(), "")
            namespaced.append((uri, local, value))
            name = f"{prefix}:{local}" if prefix else local
        _set_attribute(result, name, value)
    # Then every attribute under its name as written: a plain "url" wins over
    # another namespace's "x:url", which the first pass filed as "url" too.
    for uri, local, value in namespaced:
        given = next((p for p, u in element.nsmap.items() if p and u == uri), None)
        if given:
            _set_attribute(result, f"{given}:{local}", value)
    for name, value in attrib.items():
        if name[0] != "{":
            _set_attribute(result, name, value)
    return result


def _set_attribute(attributes: dict[str, Any], name: str, value: str) -> None:
    lowered = name.lower()
    attributes[lowered] = value.lower() if lowered in ("rel", "type") else value


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


def _finish(
    text: str, resolve: Callable[[Any, str], str] | None = None, element: Any = None
) -> str:
    """What feedparser does to every value: trim it, resolve it against its base
    (``resolve``, for an address), repair UTF-8 read as Latin-1, and read C1
    controls as the Windows-1252 characters at those bytes."""
    text = text.strip()
    if text and resolve is not None:
        text = resolve(element, text)
    return repaired(text)


def _depth_below(top: Any, inner: Any) -> int:
    """How many levels ``inner`` stands below ``top``."""
    levels = 0
    while inner is not None and inner is not top:
        inner = inner.getparent()
        levels += 1
    return levels
