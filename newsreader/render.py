"""Articles for the command line: rich text for a terminal, JSON for programs.

All text passes through :mod:`newsreader.sanitize` again on its way out and is
built as rich ``Text`` (never parsed as markup), so nothing in an article can
style, move or hijack the terminal.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from rich.console import Group, RenderableType
from rich.rule import Rule
from rich.style import Style
from rich.text import Text

from newsreader.links import (
    RELATED_HEADING,
    Anchor,
    ArticleLookup,
    article_links,
    body_links,
    drawn_paragraphs,
    link_anchors,
    related_links,
    resolve,
)
from newsreader.marks import Piece, Tone, anchor_marker, figure_pieces, link_pieces
from newsreader.model import Article, ArticleSummary, Link, LinkKind, StoredArticle
from newsreader.sanitize import clean_line, clean_text, display_url
from newsreader.stories import sources_label

BREADCRUMB_SEPARATOR = " › "


def iso(value: datetime | None) -> str | None:
    """A datetime as ISO 8601, or None."""
    return value.isoformat() if value else None


def link_targets(links: Sequence[Link], lookup: ArticleLookup) -> list[list[int]]:
    """Resolve each link to the cached articles it points at.

    Enclosures are files, not articles: they resolve to nothing.
    """
    return [[] if link.kind is LinkKind.ENCLOSURE else resolve(link, lookup) for link in links]


def article_json(
    stored: StoredArticle,
    targets: list[list[int]],
    source_name: str | None = None,
    related: Sequence[ArticleSummary] = (),
) -> dict[str, Any]:
    """The stable JSON shape of ``show --json``.

    ``targets`` are those of :func:`newsreader.links.article_links`: the body's
    links first, which is what ``links`` lists (self-links left out, as everywhere
    else); enclosures have their own key. ``related``: the cached articles most
    like it, best first.
    """
    article = stored.article
    listed_links = body_links(article)
    return {
        "id": stored.id,
        "title": clean_line(article.title),
        "categories": [clean_line(c) for c in article.categories],
        "source": display_url(article.source),
        "source_name": clean_line(source_name) if source_name else display_url(article.source),
        "url": clean_line(article.url) if article.url else None,
        "published": iso(article.published),
        "author": clean_line(article.author) if article.author else None,
        "sections": [
            {
                "heading": clean_line(section.heading) if section.heading else None,
                "paragraphs": [clean_text(p) for p in section.paragraphs],
            }
            for section in article.sections
        ],
        "figures": [
            {
                "caption": clean_line(f.caption),
                "credit": clean_line(f.credit) if f.credit else None,
                "image": clean_line(f.image) if f.image else None,
            }
            for f in article.figures
        ],
        "links": [
            {
                "kind": link.kind.value,
                "text": clean_line(link.text),
                "url": clean_line(link.url) if link.url else None,
                "target": found[0] if found else None,
                "candidates": found,
            }
            for link, found in zip(listed_links, targets[: len(listed_links)], strict=True)
        ],
        "enclosures": [
            {
                "url": clean_line(enclosure.url),
                "type": enclosure.type,
                "length": enclosure.length,
                "duration": enclosure.duration,
            }
            for enclosure in article.enclosures
        ],
        "related": [{"id": each.id, "title": clean_line(each.title)} for each in related],
        "read": stored.read,
        "starred": stored.starred,
        "content_hash": stored.content_hash,
    }


def summary_json(summary: ArticleSummary) -> dict[str, Any]:
    """One row of ``list --json``."""
    return {
        "id": summary.id,
        "title": clean_line(summary.title),
        "categories": [clean_line(c) for c in summary.categories],
        "source": display_url(summary.source),
        "published": iso(summary.published),
        "read": summary.read,
        "starred": summary.starred,
        "story": summary.story or summary.id,
        "sources": summary.sources,
    }


def summary_line(summary: ArticleSummary, *, whole_story: bool = False) -> str:
    """One row of ``list`` as plain text: marker, id, date, title, category, and how many
    other sources carry its story. A row that stands for its ``whole_story`` is new
    while any copy of the story is."""
    unread = summary.story_unread if whole_story else not summary.read
    marker = ("*" if summary.starred else " ") + ("N" if unread else " ")
    date = summary.published.strftime("%Y-%m-%d") if summary.published else "          "
    category = BREADCRUMB_SEPARATOR.join(clean_line(c) for c in summary.categories)
    suffix = f"  [{category}]" if category else ""
    if others := sources_label(summary):
        suffix += f"  ({others})"
    return f"{marker} {summary.id:>7}  {date}  {clean_line(summary.title)}{suffix}"


TONE_STYLES: dict[Tone, str] = {
    Tone.NUMBER: "bold",
    Tone.TEXT: "",
    Tone.NOTE: "dim",
    Tone.FOUND: "green",
    Tone.CAPTION: "italic",
}
"""The style of each tone of a link's or a figure's line, here and in the reader."""


def pieces_text(pieces: Sequence[Piece], indent: str = "") -> Text:
    """A line of :mod:`newsreader.marks` pieces as rich ``Text``.

    The first piece's style is the whole line's, the others' add to it: a link's
    line is bold throughout, a figure's credit italic too.
    """
    first, *others = pieces
    line = Text(indent + first.text, style=TONE_STYLES[first.tone])
    for piece in others:
        line.append(piece.text, style=TONE_STYLES[piece.tone])
    return line


ANCHOR_STYLE = Style(underline=True)
"""A numbered link's text in the body."""
MARKER_STYLE = Style(bold=True, underline=False)
"""Its number after it (``[5]``)."""
SELECTED_STYLE = Style(reverse=True)
"""The anchor under the reader's link cursor."""
LINK_META = "newsreader-link"
"""The one meta key newsreader puts on text: a link's number (an ``int``), on its
anchor in the reader's pane, read back when it is clicked; never an action."""


def marked_paragraph(
    text: str, anchors: Sequence[Anchor], *, clickable: bool = False, selected: int | None = None
) -> Text:
    """A paragraph (cleaned as drawn) with each anchor's text styled as a link and
    its number after it (``Mac[5]``).

    ``clickable`` puts the link's number in each anchor's meta (:data:`LINK_META`);
    ``selected`` is the index in ``anchors`` of the one under the link cursor.
    """
    if not anchors:
        return Text(text)
    line = Text()
    position = 0
    for index, anchor in enumerate(anchors):
        line.append(text[position : anchor.start])
        extra = Style(meta={LINK_META: anchor.number}) if clickable else Style()
        if index == selected:
            extra += SELECTED_STYLE
        line.append(text[anchor.start : anchor.end], ANCHOR_STYLE + extra)
        line.append(anchor_marker(anchor.number), MARKER_STYLE + extra)
        position = anchor.end
    line.append(text[position:])
    return line


def address_line(url: str) -> str:
    """The article's own address, under the meta line."""
    return f"Link: {clean_line(url)}"


def meta_line(article: Article, source_label: str) -> str:
    """The line under a title: source, date, author, category breadcrumb (cleaned)."""
    meta = [clean_line(source_label)]
    if article.published:
        meta.append(article.published.strftime("%Y-%m-%d %H:%M"))
    if article.author:
        meta.append(clean_line(article.author))
    if article.categories:
        meta.append(BREADCRUMB_SEPARATOR.join(clean_line(c) for c in article.categories))
    return " · ".join(meta)


def article_renderable(
    stored: StoredArticle,
    targets: list[list[int]],
    source_name: str | None = None,
    related: Sequence[ArticleSummary] = (),
) -> RenderableType:
    """The article as rich renderables: title, meta line, sections, figures, links, and
    the related articles of the cache (numbered on after the links)."""
    article = stored.article
    parts: list[RenderableType] = [Text(clean_line(article.title), style="bold")]
    source_label = source_name or display_url(article.source)
    parts.append(Text(meta_line(article, source_label), style="dim"))
    if article.url:
        parts.append(Text(address_line(article.url), style="dim"))
    figures_by_section: dict[int, list[int]] = {}
    for index, figure in enumerate(article.figures):
        figures_by_section.setdefault(figure.section, []).append(index)
    paragraphs = drawn_paragraphs(article)
    by_paragraph: dict[int, list[Anchor]] = {}
    for anchor in link_anchors(paragraphs, body_links(article)):
        by_paragraph.setdefault(anchor.paragraph, []).append(anchor)
    drawn = 0
    for number, section in enumerate(article.sections):
        if section.heading:
            parts.append(Text(""))
            parts.append(Text(clean_line(section.heading), style="bold underline"))
        for _ in section.paragraphs:
            parts.append(Text(""))
            parts.append(marked_paragraph(paragraphs[drawn], by_paragraph.get(drawn, [])))
            drawn += 1
        for index in figures_by_section.get(number, []):
            parts.append(Text(""))
            parts.append(pieces_text(figure_pieces(article.figures[index]), indent="  "))
    links = article_links(article)
    if links:
        parts.append(Text(""))
        parts.append(Rule("Links", style="dim"))
        for number, (link, found) in enumerate(zip(links, targets, strict=True), 1):
            target = f"article {found[0]}" if found else None
            parts.append(pieces_text(link_pieces(number, link, target)))
    if related:
        parts.append(Text(""))
        parts.append(Rule(RELATED_HEADING, style="dim"))
        for number, (link, each) in enumerate(
            zip(related_links(related), related, strict=True), len(links) + 1
        ):
            line = pieces_text(link_pieces(number, link, None))
            line.append(f"  article {each.id}", style=TONE_STYLES[Tone.NOTE])
            parts.append(line)
    return Group(*parts)
