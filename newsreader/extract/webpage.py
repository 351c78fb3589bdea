"""Web pages -> :class:`Article`: the article, not the navigation around it.

Finding the article in a page is done by trafilatura: it is maintained, it leads
the published comparisons of open-source main-content extractors, and besides the
text it gives the page's metadata (title, author, date, categories). Its output,
an HTML fragment with headings and links, goes through the same converter as feed
entries, so pages, feeds and files all end up with one shape.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from newsreader.extract.bylines import clean_byline
from newsreader.extract.dates import parse_date
from newsreader.extract.furniture import is_furniture
from newsreader.extract.htmlbody import html_to_body
from newsreader.extract.pagesource import is_headline, read_page, with_figures
from newsreader.model import Article, Figure, Section
from newsreader.sanitize import clean_line, is_safe_url
from newsreader.textnorm import fold

MAX_HEADER_CHARS = 100
"""A paragraph this long is the article's text: the headline is looked for above it."""
MAX_HEADER_SECTIONS = 4
STANDFIRST_KEY = 60
"""How much of a standfirst found in the article means the article has it (sites cut it)."""


class NoArticleFound(Exception):
    """The page holds no article text."""


def extract_web_page(
    html: str, *, source: str, guid: str, fallback_title: str, url: str | None = None
) -> Article:
    """Extract the main article of an HTML page.

    Raises:
        NoArticleFound: the page has no recognisable article text.
    """
    import trafilatura  # imported here: it is heavy, and only pages need it

    fragment = trafilatura.extract(
        html,
        url=url,
        output_format="html",
        include_links=True,
        include_formatting=True,
        include_images=True,
        include_tables=False,
        include_comments=False,
        favor_recall=True,
    )
    page = read_page(html)
    # A saved fragment (the article alone, no page around it) has nothing to
    # separate from; then the whole document is the article.
    fragment = fragment and with_figures(fragment, page.figures)
    body = html_to_body(fragment or html, base_url=url, decorations=page.decorations)
    if not any(section.paragraphs for section in body.sections):
        raise NoArticleFound("no article text found in the page")
    metadata: Any = trafilatura.extract_metadata(html, default_url=url)
    title = clean_line(getattr(metadata, "title", None) or "") or body.first_heading or ""
    sections = [_without_furniture(section) for section in body.sections]
    sections, figures, headline = _take_headline(sections, body.figures, (title, *page.titles))
    title = headline or title
    if page.standfirst:
        sections, figures = _with_standfirst(sections, figures, page.standfirst)
    page_url = getattr(metadata, "url", None) or url
    date = getattr(metadata, "date", None)
    return Article(
        title=title or fallback_title,
        source=source,
        guid=guid,
        url=page_url if is_safe_url(page_url) else None,
        published=parse_date(date) if isinstance(date, str) else None,
        author=clean_byline(clean_line(getattr(metadata, "author", None) or "")),
        sections=tuple(sections),
        figures=tuple(figures),
        links=tuple(body.links),
    )


def _without_furniture(section: Section) -> Section:
    """The section without the page's chrome: share rows, counts, prompts, section labels."""
    kept = tuple(p for p in section.paragraphs if not is_furniture(p))
    return section if len(kept) == len(section.paragraphs) else Section(section.heading, kept)


def _take_headline(
    sections: list[Section], figures: list[Figure], titles: tuple[str, ...]
) -> tuple[list[Section], list[Figure], str | None]:
    """The sections without the headline that repeats the title, and that headline.

    The headline is looked for among the first headings, above the article's
    first long paragraph. What stands above it is the page's header: its
    headings (a kicker, a category) go, its lines (a date, a byline) stay, with
    what follows the headline, in the lead.
    """
    for index, section in enumerate(sections[:MAX_HEADER_SECTIONS]):
        if section.heading and any(is_headline(section.heading, t) for t in titles if t):
            lead = Section(None, tuple(p for s in sections[: index + 1] for p in s.paragraphs))
            kept = [lead, *sections[index + 1 :]] if lead.paragraphs else sections[index + 1 :]
            shift = index + (0 if lead.paragraphs else 1)
            moved = [replace(f, section=max(0, f.section - shift)) for f in figures]
            return kept, moved, section.heading
        if any(len(p) >= MAX_HEADER_CHARS for p in section.paragraphs):
            break
    return [s for s in sections if s.heading or s.paragraphs], figures, None


def _with_standfirst(
    sections: list[Section], figures: list[Figure], standfirst: str
) -> tuple[list[Section], list[Figure]]:
    """The sections with the page's standfirst as the lead's first paragraph, if they lack it.

    trafilatura often leaves out the summary under the headline (it stands in
    the page's header, beside the title). A heading at the top that is the
    standfirst (a dek marked up as ``<h2>``) is no heading: it becomes the lead.
    """
    key = fold(standfirst)[:STANDFIRST_KEY]
    for index, section in enumerate(sections[:MAX_HEADER_SECTIONS]):
        if section.heading and fold(section.heading)[:STANDFIRST_KEY] == key:
            above = [p for s in sections[:index] for p in s.paragraphs]
            lead = Section(None, (section.heading, *above, *section.paragraphs))
            moved = [replace(f, section=max(0, f.section - index)) for f in figures]
            return [lead, *sections[index + 1 :]], moved
    text = fold(" ".join(p for s in sections for p in (s.heading or "", *s.paragraphs)))
    if key in text:
        return sections, figures
    if sections and sections[0].heading is None:
        return [Section(None, (standfirst, *sections[0].paragraphs)), *sections[1:]], figures
    moved = [replace(f, section=f.section + 1) for f in figures]
    return [Section(None, (standfirst,)), *sections], moved
