"""The page-derived set: real web pages written out as scraped plain text.

Each page of ``corpus/pages/`` comes with Readability's extraction
(``expected.html``) and metadata (title, byline). The HTML says what every
block is: its headings, paragraphs, list items and figure captions. Each page is
written out in several of the ways scrapers write text (see
``corpus/FORMAT.md``), and every line keeps the label its block gave it.

Nothing here is tuned to a page: the styles are the corpus's shapes, and the
choices within a style (which credit, where furniture goes) are drawn from a
random generator seeded by the page's name.
"""

from __future__ import annotations

import hashlib
import json
import random
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import lxml.html
from documents import Document, Line

from newsreader.extract.furniture import is_furniture
from newsreader.extract.patterns import RELATED_LABEL

HEADING_TAGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
SKIPPED_TAGS = frozenset({"pre", "table", "script", "style", "nav", "code", "math", "svg"})
BLOCK_TAGS = frozenset(
    {
        "p",
        "li",
        "figcaption",
        "blockquote",
        "div",
        "section",
        "article",
        "ul",
        "ol",
        "dl",
        "figure",
        "dd",
        "dt",
        "header",
        "footer",
        "aside",
        "main",
        "span",
        "details",
        "summary",
    }
    | HEADING_TAGS
    | SKIPPED_TAGS
)
TOC_HEADINGS = frozenset({"contents", "table of contents", "in this article", "on this page"})
MAX_HEADING_WORDS = 20
BOLD_HEADING_WORDS = 12

_SPACE = re.compile(r"\s+")
PERMALINK_MARK = re.compile(r"(?:\s*\[\s*edit\s*\]|\s*¶|\s+#|\s*🔗)\s*$", re.IGNORECASE)
"""A wiki's edit link or a docs page's permalink after a heading: not the heading's text."""

AGENCIES = (
    "Getty Images",
    "AP",
    "Reuters",
    "EPA",
    "AFP",
    "Rex Features",
    "PA",
    "Shutterstock",
    "Alamy",
    "Bloomberg",
    "NASA",
    "AFP/Getty Images",
    "Associated Press",
    "PA Wire",
)
PHOTOGRAPHERS = (
    "Matt Rourke",
    "Jane Barlow",
    "Carlos Osorio",
    "Evan Vucci",
    "Kirsty Wigglesworth",
    "Andrew Harnik",
    "Frank Augstein",
    "Susan Walsh",
    "Ben Curtis",
    "Jae C. Hong",
)
FURNITURE = (
    "Share",
    "Tweet",
    "Facebook Twitter Pinterest",
    "ADVERTISEMENT",
    "Advertisement",
    "View full size image",
    "Share this article",
    "Share on Facebook",
    "Email",
    "Story continues below advertisement",
    "Sign up for our newsletter",
    "Comments",
    "Print",
    "Share this",
    "Share via Email",
    "WhatsApp",
)
CRUMBS = (
    "Home News",
    "Home Updates World",
    "Home Business",
    "News Politics",
    "Home > Tech",
    "Home » Science",
    "HomeLifestyle",
    "Home World Europe",
)
RELATED_LABELS_INLINE = ("Read Also:", "ALSO READ:", "Related:", "READ MORE:", "See also:")
RELATED_LABELS_BLOCK = ("Read more about:", "READ NEXT", "Related Articles:", "More on this story")
DATELINES = ("WASHINGTON —", "LONDON (Reuters) -", "PARIS (AP) —", "(CNN) --", "BERLIN -")
MONTHS = ("January", "March", "May", "July", "September", "November")


@dataclass(frozen=True, slots=True)
class Block:
    kind: str  # heading, paragraph, item, caption
    text: str


@dataclass(frozen=True, slots=True)
class Page:
    name: str
    title: str
    byline: str | None
    blocks: tuple[Block, ...]


def _text(element: lxml.html.HtmlElement) -> str:
    return _SPACE.sub(" ", element.text_content()).strip()


def _blocks(element: lxml.html.HtmlElement) -> Iterator[Block]:
    tag = element.tag if isinstance(element.tag, str) else ""
    if tag in SKIPPED_TAGS:
        return
    if tag in HEADING_TAGS:
        text = PERMALINK_MARK.sub("", _text(element))
        if text:
            words = len(text.split())
            shaped = words <= MAX_HEADING_WORDS and not text.endswith((".", ":"))
            yield Block("heading" if shaped else "paragraph", text)
        return
    if tag == "figcaption":
        if text := _text(element):
            yield Block("caption", text)
        return
    if tag == "p" and _bold_only(element):
        text = _text(element)
        if len(text.split()) <= BOLD_HEADING_WORDS and not text.endswith((".", ":")):
            yield Block("heading", text)  # a subhead the page marked up as a bold paragraph
            return
    if tag in ("p", "li", "dd", "dt") and not any(
        isinstance(child.tag, str) and child.tag in BLOCK_TAGS - {"span"} for child in element
    ):
        if text := _text(element):
            yield Block("item" if tag == "li" else "paragraph", text)
        return
    if tag == "img":
        return
    own = _SPACE.sub(" ", element.text or "").strip()
    if own and tag not in ("ul", "ol", "dl"):
        yield Block("paragraph", own)
    for child in element:
        yield from _blocks(child)
        tail = _SPACE.sub(" ", child.tail or "").strip()
        if tail and len(tail) > 1:
            yield Block("paragraph", tail)


def _bold_only(element: lxml.html.HtmlElement) -> bool:
    children = [child for child in element if isinstance(child.tag, str)]
    return (
        len(children) == 1
        and children[0].tag in ("strong", "b")
        and not (element.text or "").strip()
        and not (children[0].tail or "").strip()
    )


def _drop_contents(blocks: list[Block]) -> list[Block]:
    """A table of contents is navigation, not text: its heading and items go."""
    kept: list[Block] = []
    skipping = False
    for block in blocks:
        if block.kind == "heading":
            skipping = block.text.casefold() in TOC_HEADINGS
            if skipping:
                continue
        if skipping and block.kind == "item":
            continue
        skipping = False if block.kind != "item" else skipping
        kept.append(block)
    return kept


def read_page(folder: Path) -> Page:
    metadata = json.loads((folder / "expected-metadata.json").read_text(encoding="utf-8"))
    html = (folder / "expected.html").read_text(encoding="utf-8")
    root = lxml.html.document_fromstring(html)
    blocks = _drop_contents(list(_blocks(root.body)))
    title = _SPACE.sub(" ", metadata.get("title") or "").strip()
    byline = metadata.get("byline")
    byline = _SPACE.sub(" ", byline).strip() if isinstance(byline, str) else None
    # Readability sometimes repeats the page title as the first heading.
    if blocks and blocks[0].kind == "heading" and blocks[0].text.casefold() == title.casefold():
        blocks = blocks[1:]
    return Page(folder.name, title, byline or None, tuple(blocks))


# -- writing pages out as plain text -------------------------------------------------


class _Writer:
    """Collects labelled lines; ``blank`` separates blocks in the blank-line styles."""

    def __init__(self, blank_lines: bool) -> None:
        self.lines: list[Line] = []
        self.blank_lines = blank_lines

    def add(self, text: str, label: str, *, blank_after: bool | None = None) -> None:
        self.lines.append(Line(text, label))
        if self.blank_lines if blank_after is None else blank_after:
            self.lines.append(Line("", None))

    def blank(self) -> None:
        """A blank line between blocks, in the styles that have them."""
        if self.blank_lines and self.lines and self.lines[-1].label is not None:
            self.lines.append(Line("", None))


def _credit(rng: random.Random) -> str:
    agency = rng.choice(AGENCIES)
    person = rng.choice(PHOTOGRAPHERS)
    return rng.choice(
        (
            f"Source: {agency}",
            f"Photo: {agency}",
            f"Credit: {person}/{agency}",
            f"Photograph: {person}/{agency}",
            f"Image copyright {agency.upper()}",
            agency,
            f"({agency})",
            f"Picture: {person}",
        )
    )


def _related_label_alone(text: str) -> bool:
    """A heading such as "See also" labels the related links under it."""
    match = RELATED_LABEL.match(text)
    return match is not None and not match.group("rest").strip()


def _twin(caption: str) -> str:
    """The second copy of a caption, as scrapers print it: other quotes and apostrophes."""
    swapped = caption.replace("’", "'").replace("“", '"').replace("”", '"')
    if swapped == caption:
        swapped = caption.replace("'", "’")
    return swapped


def _related_titles(page: Page, others: list[Page], rng: random.Random, count: int) -> list[str]:
    pool = [p.title for p in others if p.name != page.name and 3 <= len(p.title.split()) <= 20]
    return rng.sample(pool, min(count, len(pool)))


def _byline_lines(page: Page, rng: random.Random) -> list[str]:
    name = page.byline or rng.choice(PHOTOGRAPHERS)
    if len(name) > 60 or any(ch.isdigit() for ch in name):
        name = rng.choice(PHOTOGRAPHERS)
    day = rng.randint(1, 28)
    month = rng.choice(MONTHS)
    return [
        rng.choice(
            (
                f"By {name}",
                f"{name} | Staff Writer | Tuesday, {day} {month} 2016",
                f"By {name} {month} {day}, 2017",
                f"Published {day} {month} 2018",
            )
        )
    ]


def _write_body(
    page: Page,
    writer: _Writer,
    rng: random.Random,
    *,
    caption_copies: int,
    credits: bool,
    furniture: float,
    inline_related: list[str],
    dateline: float = 0.0,
) -> None:
    under_related_label = False
    # A dateline run into the first paragraph ("WASHINGTON — ...", "LONDON (Reuters) -").
    first_paragraph = next((b for b in page.blocks if b.kind == "paragraph"), None)
    place = rng.choice(DATELINES) if rng.random() < dateline else None
    for block in page.blocks:
        if block is first_paragraph and place is not None:
            block = Block(block.kind, f"{place} {block.text}")
        if block.kind != "item":
            under_related_label = block.kind == "heading" and _related_label_alone(block.text)
        if block.kind == "caption":
            if not caption_copies:
                continue
            writer.blank()
            copies = [block.text] if caption_copies == 1 else [block.text, _twin(block.text)]
            for copy in copies:
                writer.add(copy, "caption", blank_after=False)
            if credits:
                writer.add(_credit(rng), "credit", blank_after=False)
            writer.blank()
            continue
        # Widget text Readability kept ("Reply", "Share") is furniture to a reader.
        label = (
            "furniture"
            if is_furniture(block.text)
            else "related"
            if under_related_label and block.kind == "item"  # the items under "See also"
            else "related-label"
            if block.kind == "heading" and _related_label_alone(block.text)
            else "heading"
            if block.kind == "heading"
            else "paragraph"
        )
        if block.kind == "item" and writer.blank_lines and rng.random() < 0.5:
            writer.add(block.text, label, blank_after=False)  # list items one per line
        else:
            writer.blank()
            writer.add(block.text, label)
        if block.kind == "paragraph" and rng.random() < furniture:
            writer.blank()
            writer.add(rng.choice(FURNITURE), "furniture")
        if block.kind == "paragraph" and inline_related and rng.random() < 0.08:
            writer.blank()
            writer.add(f"{rng.choice(RELATED_LABELS_INLINE)} {inline_related.pop()}", "related")


def render(page: Page, others: list[Page], style: str) -> Document:
    """Write ``page`` out in one of the scraper styles named in :data:`STYLES`."""
    rng = random.Random(f"{page.name}/{style}")
    related = _related_titles(page, others, rng, 4)
    title: str | None = page.title
    if style == "bbc":
        writer = _Writer(blank_lines=True)
        writer.add(page.title, "title")
        # BBC's scraped text has no captions: the pictures went with the page.
        _write_body(
            page, writer, rng, caption_copies=0, credits=False, furniture=0.0, inline_related=[]
        )
        encoding, newline = "utf-8", "\n"
    elif style == "newspaper":
        writer = _Writer(blank_lines=True)
        title = None
        if rng.random() < 0.5:
            for line in _byline_lines(page, rng):
                writer.add(line, "byline")
        _write_body(
            page,
            writer,
            rng,
            caption_copies=1,
            credits=True,
            furniture=0.05,
            inline_related=related[:2],
            dateline=0.3,
        )
        encoding, newline = "utf-8", "\n"
    elif style == "horne":
        writer = _Writer(blank_lines=False)
        writer.add(page.title, "title", blank_after=True)
        _write_body(
            page,
            writer,
            rng,
            caption_copies=2,
            credits=True,
            furniture=0.03,
            inline_related=related[:1],
            dateline=0.3,
        )
        encoding, newline = "cp1252", "\r\n"
    elif style == "seed":
        writer = _Writer(blank_lines=True)
        writer.add(f"{rng.choice(CRUMBS)} {page.title}", "breadcrumb")
        writer.add(page.title, "title")
        _write_body(
            page, writer, rng, caption_copies=2, credits=True, furniture=0.0, inline_related=[]
        )
        if related:
            writer.blank()
            writer.add(f"Read Also: {related[0]}", "related")
        encoding, newline = "utf-8", "\n"
    elif style == "celebrity":
        writer = _Writer(blank_lines=True)
        writer.add(page.title, "title")
        for line in _byline_lines(page, rng):
            writer.add(line, "byline")
        if rng.random() < 0.5:
            writer.add("Share", "furniture", blank_after=False)
            writer.add("Tweet", "furniture")
        _write_body(
            page,
            writer,
            rng,
            caption_copies=1,
            credits=True,
            furniture=0.12,
            inline_related=related[2:3],
        )
        if related[:2]:
            writer.blank()
            writer.add(rng.choice(RELATED_LABELS_BLOCK), "related-label", blank_after=False)
            # READ NEXT blocks print each title twice (the picture's text, then the
            # link) with the other story's byline under it.
            for other in related[:2]:
                writer.add(other, "related", blank_after=False)
                if rng.random() < 0.5:
                    writer.add(other, "related", blank_after=False)
                if rng.random() < 0.5:
                    writer.add(f"By {rng.choice(PHOTOGRAPHERS)}", "furniture", blank_after=False)
        encoding, newline = "utf-8", "\n"
    else:
        raise ValueError(f"unknown style {style}")
    lines = tuple(writer.lines)
    text = newline.join(line.text for line in lines) + newline
    try:
        data = text.encode(encoding)
    except UnicodeEncodeError:
        data = text.encode("utf-8")  # a page that Windows-1252 cannot hold stays UTF-8

    return Document(f"{page.name}/{style}", style, lines, data, title)


STYLES = ("bbc", "newspaper", "horne", "seed", "celebrity")


def is_training_page(name: str) -> bool:
    """Two pages in three fit the heading model; the rest are held out to judge it."""
    return hashlib.sha1(name.encode()).digest()[0] % 3 != 0


def page_documents(pages_folder: Path) -> list[Document]:
    pages = [read_page(folder) for folder in sorted(pages_folder.iterdir()) if folder.is_dir()]
    pages = [
        page for page in pages if page.title and any(b.kind == "paragraph" for b in page.blocks)
    ]
    return [render(page, pages, style) for page in pages for style in STYLES]
