"""Web pages -> :class:`Article`: the article, not the navigation around it.

Finding the article in a page is done by trafilatura: it is maintained, it leads
the published comparisons of open-source main-content extractors, and besides the
text it gives the page's metadata (title, author, date, categories). Its output,
an HTML fragment with headings and links, goes through the same converter as feed
entries, so pages, feeds and files all end up with one shape.
"""

from __future__ import annotations

from typing import Any

from newsreader.extract.dates import parse_date
from newsreader.extract.htmlbody import html_to_body
from newsreader.model import Article, Section
from newsreader.sanitize import clean_line, is_safe_url
from newsreader.textnorm import fold


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
    # A saved fragment (the article alone, no page around it) has nothing to
    # separate from; then the whole document is the article.
    body = html_to_body(fragment or html, base_url=url)
    if not any(section.paragraphs for section in body.sections):
        raise NoArticleFound("no article text found in the page")
    metadata: Any = trafilatura.extract_metadata(html, default_url=url)
    title = clean_line(getattr(metadata, "title", None) or "") or body.first_heading or ""
    sections = body.sections
    if sections and sections[0].heading and title and fold(sections[0].heading) == fold(title):
        sections = [Section(None, sections[0].paragraphs), *sections[1:]]
    page_url = getattr(metadata, "url", None) or url
    date = getattr(metadata, "date", None)
    return Article(
        title=title or fallback_title,
        source=source,
        guid=guid,
        url=page_url if is_safe_url(page_url) else None,
        published=parse_date(date) if isinstance(date, str) else None,
        author=clean_line(getattr(metadata, "author", None) or "") or None,
        sections=tuple(s for s in sections if s.heading or s.paragraphs),
        figures=tuple(body.figures),
        links=tuple(body.links),
    )
