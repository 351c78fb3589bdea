"""Fetching a page, extracting its article and caching it, without Textual, on loopback."""

from __future__ import annotations

import pytest

from newsreader.cache import Cache
from newsreader.pages import PAGE_ACCEPT, WEB_CATEGORY, PageError, keep_page
from newsreader.reading import open_article
from tests.helpers.cache import article_count
from tests.loopback import LoopbackServer, article_page, static

PARAGRAPHS = [f"Paragraph {n} of a page no feed carried, long enough to be text." for n in range(4)]


def test_a_page_is_fetched_as_a_page_extracted_and_kept_under_web(
    server: LoopbackServer, cache: Cache
) -> None:
    server.routes["/page.html"] = static(article_page("A Page", PARAGRAPHS), "text/html")
    url = server.url("page.html")
    article_id = keep_page(url, cache, timeout=5)
    [request] = server.requests_to("/page.html")
    assert request.headers["accept"] == PAGE_ACCEPT
    opened = open_article(cache, article_id)
    assert opened is not None
    assert opened.article.title == "A Page"
    assert opened.article.categories == WEB_CATEGORY
    assert opened.article.url == url and opened.article.source == url
    assert opened.article.paragraphs[0] == PARAGRAPHS[0]
    assert keep_page(url, cache, timeout=5) == article_id  # kept once


@pytest.mark.parametrize(
    ("route", "reason"),
    [
        ("missing", "404"),
        ("empty", "empty"),
        ("nothing", "no article"),
    ],
)
def test_a_page_that_cannot_be_had_is_a_page_error(
    server: LoopbackServer, cache: Cache, route: str, reason: str
) -> None:
    server.routes["/empty"] = static(b"", "text/html")
    server.routes["/nothing"] = static(
        b"<html><head><title>T</title></head><body></body></html>", "text/html"
    )
    with pytest.raises(PageError) as caught:
        keep_page(server.url(route), cache, timeout=5)
    assert reason in str(caught.value).lower()
    assert article_count(cache) == 0
