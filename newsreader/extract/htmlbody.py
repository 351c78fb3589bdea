"""An HTML fragment (a feed entry, an extracted page body) -> sections, figures, links.

Only text survives: scripts, styles, forms and embedded frames are dropped with
their content, every other tag is reduced to the structure a reader needs
(headings, paragraphs, list items, figures with captions, links). Link targets
and figures' image addresses are resolved against the document's base URL and
kept only when safe.
"""

from __future__ import annotations

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
    sections: list[tuple[str | None, list[str]]] = field(default_factory=lambda: [(None, [])])
    figures: list[Figure] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)
    text: list[str] = field(default_factory=list)
    skip_depth: int = 0
    heading_depth: int = 0
    figure_depth: int = 0
    caption_parts: list[str] = field(default_factory=list)
    in_caption: bool = False
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
        if tag in _HEADINGS:
            self._flush()
            self.heading_depth += 1
        elif tag == "figure":
            self._flush()
            self.figure_depth += 1
        elif tag == "figcaption":
            self.in_caption = True
        elif tag == "img":
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
        if tag in _SKIPPED:
            self.skip_depth = max(0, self.skip_depth - 1)
            return
        if self.skip_depth:
            return
        if tag in _HEADINGS and self.heading_depth:
            self.heading_depth -= 1
            heading = clean_line("".join(self.text))
            self.text = []
            if heading:
                self.sections.append((heading, []))
        elif tag == "figcaption":
            self.in_caption = False
        elif tag == "figure" and self.figure_depth:
            self.figure_depth -= 1
            caption = clean_line(" ".join(self.caption_parts)) or self.pending_alt or ""
            image = self.pending_image
            self.caption_parts, self.pending_alt, self.pending_image = [], None, None
            if caption:
                self.figures.append(_figure_from_caption(caption, len(self.sections) - 1, image))
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
            self.caption_parts.append(data)
            return
        self.text.append(data)
        if self.link_href is not None:
            self.link_text.append(data)

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


def html_to_body(html: str, base_url: str | None = None) -> HtmlBody:
    """Convert an HTML fragment to sections, figures and links.

    Args:
        html: The fragment (or page); malformed markup is tolerated.
        base_url: What relative links are resolved against; without one they are dropped.
    """
    builder = _Builder(base_url)
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
