"""An HTML fragment (a feed entry, an extracted page body) -> sections, figures, links.

Only text survives: scripts, styles, forms and embedded frames are dropped with
their content, every other tag is reduced to the structure a reader needs
(headings, paragraphs, list items, figures with captions, links). Link targets
and figures' image addresses are resolved against the document's base URL and
kept only when safe.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field, replace
from html.parser import HTMLParser
from urllib.parse import urljoin

from newsreader.extract.patterns import INLINE_CREDIT, RELATED_LABEL
from newsreader.model import Article, Figure, Link, LinkKind, Section
from newsreader.sanitize import (
    clean_href,
    clean_line,
    feed_url_problem,
    has_unsafe_scheme,
    is_safe_url,
)

_SKIPPED = frozenset(
    {
        "script",
        "style",
        "noscript",
        "template",
        "iframe",
        "object",
        "embed",
        "svg",
        "math",
        "head",
        "title",
        "form",
        "button",
        "select",
        "textarea",
        "nav",
        "canvas",
        "audio",
        "video",
    }
)
_PERMALINK_MARK = re.compile(r"(?:\s*\[\s*edit\s*\]|\s*¶|\s+#|\s*🔗)\s*$", re.IGNORECASE)
"""What a wiki or a docs page puts after a heading: its edit link or its permalink."""
_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
_BLOCKS = frozenset(
    {
        "p",
        "div",
        "li",
        "dd",
        "dt",
        "blockquote",
        "pre",
        "tr",
        "section",
        "article",
        "header",
        "footer",
        "aside",
        "main",
        "table",
        "ul",
        "ol",
        "dl",
        "address",
        "center",
        "hr",
        "br",
    }
)
_VOID = frozenset({"br", "hr", "img", "meta", "link", "input", "source", "wbr", "col", "area"})
MAX_NESTING = 512
TINY_PIXELS = 48
"""A picture at most this wide and high (by its attributes) is an icon or an avatar."""
THIN_PIXELS = 4
"""A picture this thin either way is a rule, a spacer or a tracking pixel."""
DECORATION_WORDS = frozenset(
    {"icon", "icons", "avatar", "avatars", "gravatar", "logo", "logos", "spacer", "sprite", "emoji"}
)
"""Words of a picture's address, class or id that name it as decoration."""
DECORATION_CLASSES = frozenset({"pixel", "tracking", "tracker", "beacon"})
"""Words that name a picture as decoration in its class or id only (a phone may be a Pixel)."""
DECORATION_FILES = frozenset({"clear", "blank", "pixel", "spacer", "1x1", "transparent", "trans"})
"""Names of a spacer's or a tracking pixel's file, without the suffix (``clear.gif``)."""
CREDIT_WORDS = frozenset(
    {
        *("credit", "credits", "attribution", "source", "copyright", "copyrightholder"),
        *("creator", "photographer", "courtesy", "byline"),
    }
)
"""Words of a class or an itemprop in a caption that mark its credit (``.caption-credit``)."""
CREDIT_TAGS = frozenset({"small", "cite"})
HIDDEN_CLASSES = frozenset(
    {
        *("visually-hidden", "visuallyhidden", "sr-only", "screen-reader-text", "screenreader"),
        *("off-screen", "offscreen", "a11y", "assistive-text", "hidden"),
    }
)
"""Classes of a label only screen readers say (``Credit``, ``Media caption``)."""
_CREDIT_LABEL = re.compile(r"^(?:credits?\b:?\s*)+", re.IGNORECASE)
_CAPTION_END = " -–—|/:,;"
IMAGE_ADDRESSES = ("src", "data-src", "data-original", "data-lazy-src", "srcset", "data-srcset")
_WORD_PARTS = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z0-9]+")
_PIXELS = re.compile(r"\s*(\d+)(?:px)?\s*$")


def image_addresses(attributes: Mapping[str, str]) -> list[str]:
    """Every address an ``<img>`` names: its source, a lazy loader's, each of a srcset's."""
    addresses: list[str] = []
    for name in IMAGE_ADDRESSES:
        value = (attributes.get(name) or "").strip()
        if not value:
            continue
        if name.endswith("srcset"):
            addresses += [part.split()[0] for part in value.split(",") if part.strip()]
        else:
            addresses.append(value)
    return addresses


def image_key(address: str) -> str:
    """An address as pages and trafilatura may both write it: ``//host/a.png`` for ``https://host/a.png``."""
    address = address.strip()
    scheme, colon, rest = address.partition(":")
    if colon and scheme.lower() in ("http", "https") and rest.startswith("//"):
        return rest
    return address


def is_decorative_image(attributes: Mapping[str, str]) -> bool:
    """Whether an ``<img>`` decorates rather than shows: an icon, a spacer, an avatar, a pixel.

    Judged by its attributes alone: only a ``data:`` address (a lazy picture's
    placeholder has its address beside it), tiny or a few pixels thin by its
    ``width`` and ``height`` (0 is no size), a spacer's file (``clear.gif``,
    ``pixel.png``), or named so by a word of its address, class or id
    (``icon``, ``avatar``, ``logo``, ``spacer``; ``pixel`` and ``tracking`` in
    a class; ``silicon.jpg`` is no icon). ``role="presentation"`` is not
    believed: large sites put it on their articles' pictures.
    """
    addresses = image_addresses(attributes)
    if addresses and all(a.lower().startswith("data:") for a in addresses):
        return True
    sizes = [
        int(match.group(1))
        for match in (_PIXELS.match(attributes.get(name) or "") for name in ("width", "height"))
        if match and int(match.group(1)) > 0  # 0 is a page's "as it comes", not a size
    ]
    if sizes and min(sizes) <= THIN_PIXELS:
        return True
    if len(sizes) == 2 and max(sizes) <= TINY_PIXELS:
        return True
    real = [a for a in addresses if not a.lower().startswith("data:")]
    if any(_file_stem(a) in DECORATION_FILES for a in real):
        return True
    marks = " ".join((attributes.get("class") or "", attributes.get("id") or ""))
    words = {part.lower() for part in _WORD_PARTS.findall(marks)}
    if words & (DECORATION_WORDS | DECORATION_CLASSES):
        return True
    return any(part.lower() in DECORATION_WORDS for a in real for part in _WORD_PARTS.findall(a))


def _file_stem(address: str) -> str:
    name = address.split("?", 1)[0].split("#", 1)[0].rstrip("/").rsplit("/", 1)[-1]
    return name.rsplit(".", 1)[0].lower()


@dataclass(slots=True)
class HtmlBody:
    """The reader-relevant structure of an HTML fragment."""

    sections: list[Section]
    figures: list[Figure]
    links: list[Link]
    first_heading: str | None = None


@dataclass
class _Builder(HTMLParser):
    base_url: str | None
    decorations: Collection[str] = ()
    sections: list[tuple[str | None, list[str]]] = field(default_factory=lambda: [(None, [])])
    figures: list[Figure] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)
    text: list[str] = field(default_factory=list)
    skip_depth: int = 0
    heading_depth: int = 0
    figure_depth: int = 0
    caption_parts: list[str] = field(default_factory=list)
    credit_parts: list[str] = field(default_factory=list)
    in_caption: bool = False
    credit_at: int = 0
    """The nesting at which the caption's credit element opened (0: not in one)."""
    hidden_at: int = 0
    """The nesting at which a hidden label in the caption opened (0: not in one)."""
    pending_alt: str | None = None
    pending_image: str | None = None
    link_href: str | None = None
    link_text: list[str] = field(default_factory=list)
    block_links: list[int] = field(default_factory=list)
    list_depth: int = 0
    open_tags: int = 0

    def __post_init__(self) -> None:
        HTMLParser.__init__(self, convert_charrefs=True)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in _VOID:
            self.open_tags += 1
        if tag in _SKIPPED:
            self.skip_depth += 1
            return
        if self.skip_depth or self.open_tags > MAX_NESTING:
            return
        attributes = {name: value or "" for name, value in attrs}
        if self.in_caption and tag not in _VOID:
            self._mark_caption_part(tag, attributes)
        if tag in _HEADINGS:
            self._flush()
            self.heading_depth += 1
        elif tag == "figure":
            self._flush()
            self.figure_depth += 1
        elif tag == "figcaption":
            self.in_caption = True
        elif tag == "img":
            if self._is_decoration(attributes):
                return
            alt = clean_line(attributes.get("alt") or attributes.get("title") or "")
            credit = clean_line(attributes.get("title") or "")
            image = self._image_address(attributes.get("src"))
            if alt and not self.figure_depth:
                self.figures.append(
                    Figure(
                        alt,
                        credit if credit and credit != alt else None,
                        len(self.sections) - 1,
                        image,
                    )
                )
            elif self.figure_depth:
                if alt:
                    self.pending_alt = alt
                # A figure's first picture is the one shown (the others are alternatives).
                self.pending_image = self.pending_image or image
        elif tag == "a":
            href = attributes.get("href") or ""
            # javascript:, data:, file: ... are no links at all: the text stays, as text.
            self.link_href = None if has_unsafe_scheme(href) else self._resolve(href)
            self.link_text = []
        elif tag in ("ul", "ol"):
            self.list_depth += 1
            self._flush()
        elif tag in _BLOCKS:
            self._flush()
            if tag == "li":
                self.text.append("• ")

    def handle_endtag(self, tag: str) -> None:
        if tag not in _VOID:
            self.open_tags = max(0, self.open_tags - 1)
            if self.open_tags < self.credit_at:
                self.credit_at = 0
            if self.open_tags < self.hidden_at:
                self.hidden_at = 0
        if tag in _SKIPPED:
            self.skip_depth = max(0, self.skip_depth - 1)
            return
        if self.skip_depth:
            return
        if tag in _HEADINGS and self.heading_depth:
            self.heading_depth -= 1
            heading = _PERMALINK_MARK.sub("", clean_line("".join(self.text)))
            self.text = []
            if heading:
                self.sections.append((heading, []))
        elif tag == "figcaption":
            self.in_caption, self.credit_at, self.hidden_at = False, 0, 0
        elif tag == "figure" and self.figure_depth:
            self.figure_depth -= 1
            figure = self._caption_figure()
            self.caption_parts, self.credit_parts = [], []
            self.pending_alt, self.pending_image = None, None
            if figure is not None:
                self.figures.append(figure)
        elif tag == "a":
            self._close_link()
        elif tag in ("ul", "ol"):
            self.list_depth = max(0, self.list_depth - 1)
            self._flush()
        elif tag in _BLOCKS:
            self._flush()

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in _VOID:
            self.handle_endtag(tag)

    def handle_data(self, data: str) -> None:
        if self.skip_depth:
            return
        if self.in_caption:
            if not self.hidden_at:
                (self.credit_parts if self.credit_at else self.caption_parts).append(data)
            return
        self.text.append(data)
        if self.link_href is not None:
            self.link_text.append(data)

    def _mark_caption_part(self, tag: str, attributes: Mapping[str, str]) -> None:
        """Note where a caption's credit, or a label only screen readers say, begins."""
        classes = (attributes.get("class") or "").lower().split()
        if not self.hidden_at and any(name in HIDDEN_CLASSES for name in classes):
            self.hidden_at = self.open_tags
            return
        if self.credit_at:
            return
        marks = " ".join((attributes.get("class") or "", attributes.get("itemprop") or ""))
        words = {part.lower() for part in _WORD_PARTS.findall(marks)}
        if tag in CREDIT_TAGS or words & CREDIT_WORDS:
            self.credit_at = self.open_tags

    def _caption_figure(self) -> Figure | None:
        """The figure just closed, its caption and its credit apart; None without either."""
        section = len(self.sections) - 1
        caption = clean_line(" ".join(self.caption_parts))
        credit = _CREDIT_LABEL.sub("", clean_line(" ".join(self.credit_parts))).strip()
        if credit:
            # A caption that is only a credit: the alt says what the picture shows, if anything.
            caption = caption.rstrip(_CAPTION_END) or self.pending_alt or ""
            return Figure(caption, credit, section, self.pending_image)
        caption = caption or self.pending_alt or ""
        return _figure_from_caption(caption, section, self.pending_image) if caption else None

    def _is_decoration(self, attributes: Mapping[str, str]) -> bool:
        if is_decorative_image(attributes):
            return True
        return bool(self.decorations) and any(
            image_key(address) in self.decorations for address in image_addresses(attributes)
        )

    def _resolve(self, href: str | None) -> str | None:
        href = clean_href(href or "")
        if not href:
            return ""
        if self.base_url:
            try:
                href = urljoin(self.base_url, href)
            except ValueError:
                return ""
        return href if is_safe_url(href) else ""

    def _image_address(self, src: str | None) -> str | None:
        """An ``<img>``'s address, resolved, if it is one a picture may be fetched from."""
        if not src or has_unsafe_scheme(src):
            return None
        address = self._resolve(src)
        return address if address and feed_url_problem(address) is None else None

    def _close_link(self) -> None:
        if self.link_href is None:
            return
        text = clean_line("".join(self.link_text))
        if text and not self.in_caption:
            self.links.append(Link(LinkKind.INLINE, text, self.link_href or None))
            self.block_links.append(len(self.links) - 1)
        self.link_href, self.link_text = None, []

    def _flush(self) -> None:
        """End the current paragraph; a related-article line becomes links instead."""
        self._close_link()
        paragraph = clean_line("".join(self.text))
        self.text = []
        block_links, self.block_links = self.block_links, []
        if not paragraph or paragraph == "•":
            return
        label = RELATED_LABEL.match(paragraph)
        if label and label.group("sep") and label.group("rest"):
            for index in block_links:
                link = self.links[index]
                self.links[index] = Link(LinkKind.READ_ALSO, link.text, link.url)
            if not block_links:
                self.links.append(Link(LinkKind.READ_ALSO, label.group("rest").strip()))
            return
        self.sections[-1][1].append(paragraph)

    def result(self) -> HtmlBody:
        self._flush()
        sections = [Section(heading, tuple(paras)) for heading, paras in self.sections]
        first_heading = sections[1].heading if len(sections) > 1 else None
        if len(sections) > 1 and sections[0].heading is None and not sections[0].paragraphs:
            sections = sections[1:]
            figures = [replace(f, section=max(0, f.section - 1)) for f in self.figures]
        else:
            figures = self.figures
        return HtmlBody(sections, figures, self.links, first_heading)


def _figure_from_caption(caption: str, section: int, image: str | None) -> Figure:
    inline = INLINE_CREDIT.search(caption)
    if inline and inline.start() > 0:
        return Figure(caption[: inline.start()], inline.group("credit").strip(), section, image)
    return Figure(caption, None, section, image)


def html_to_body(
    html: str, base_url: str | None = None, decorations: Collection[str] = ()
) -> HtmlBody:
    """Convert an HTML fragment to sections, figures and links.

    Decorative pictures (:func:`is_decorative_image`) are no figures.

    Args:
        html: The fragment (or page); malformed markup is tolerated.
        base_url: What relative links are resolved against; without one they are dropped.
        decorations: Addresses (:func:`image_key`) of pictures known to be
            decoration (a page's, when the fragment lost their attributes).
    """
    builder = _Builder(base_url, decorations)
    builder.feed(html)
    builder.close()
    return builder.result()


def convert_body(article: Article, base_url: str | None = None) -> Article:
    """Turn an article's feed HTML (``body_html``) into sections, figures and links."""
    if article.body_html is None:
        return article
    body = html_to_body(article.body_html, base_url=article.url or base_url)
    return replace(
        article,
        sections=tuple(body.sections),
        figures=tuple(body.figures),
        links=tuple(body.links),
        body_html=None,
    )
