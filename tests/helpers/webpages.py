"""Small news pages written for the tests: navigation, an article, a footer."""

from __future__ import annotations

from newsreader.extract.webpage import extract_web_page
from newsreader.model import Article

SENTENCES = (
    "The council voted on Tuesday to bring back the harbour ferries, which stopped running "
    "three winters ago when the last operator gave up its licence.",
    "Two boats will run every half hour between the old quay and the island, and a third "
    "will be kept in reserve for the summer crowds and for repairs.",
    "Fares will match the bus fares in town, the council said, and season tickets will be "
    "sold from the first of May at the library and the quay.",
)
BODY = "".join(f"<p>{one} {two}</p>" for one in SENTENCES for two in SENTENCES)
"""Nine paragraphs: enough text for trafilatura to take the article for one."""


def page(
    top: str,
    *,
    title: str = "Harbour ferries return",
    body: str = BODY,
    head: str = "",
    header: str = "",
    after: str = "",
) -> str:
    """A news page: navigation, a ``header``, the article (``top`` above its text), a footer.

    ``after`` comes after the article, in the same container (related stories).
    """
    return (
        f"<html><head><title>{title}</title>{head}</head><body>"
        '<nav><a href="/">Home</a> <a href="/news">News</a></nav>'
        f'<div id="main">{header}<article>{top}<div class="wrapper">{body}</div></article>'
        f"{after}</div><footer>Coast Daily, all rights reserved</footer></body></html>"
    )


def extract(html: str) -> Article:
    """The article of a page, as an import extracts it."""
    return extract_web_page(html, source="page.html", guid="page.html", fallback_title="page")


def headings(article: Article) -> list[str]:
    """The article's section headings."""
    return [s.heading for s in article.sections if s.heading]
