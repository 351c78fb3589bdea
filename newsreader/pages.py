"""Web pages: fetch one, extract its article, and keep it in the cache.

A refresh's ``full_text`` and a link followed in the reader both fetch a page and
extract its article; this is the one way either does it (the same Accept
header, the same extraction, the same failures).
"""

from __future__ import annotations

import asyncio
from dataclasses import replace
from typing import TYPE_CHECKING

from newsreader.cache import Cache
from newsreader.extract import webpage
from newsreader.extract.decode import UnreadableFile, decode_text
from newsreader.extract.webpage import NoArticleFound
from newsreader.model import Article

if TYPE_CHECKING:
    from newsreader.sources.http import Fetcher, Response

PAGE_ACCEPT = "text/html,application/xhtml+xml"
"""What a page fetch asks for (a feed fetch asks for feeds)."""
WEB_CATEGORY = ("Web",)
"""Where a page kept on its own (not a feed's article's) is filed."""


class PageError(Exception):
    """A page that could not be fetched, or holds no article: the message says why."""


async def fetch_page(fetcher: Fetcher, url: str) -> Response:
    """GET a page as a browser would ask for it.

    Raises:
        FetchError: as :meth:`Fetcher.fetch`.
    """
    return await fetcher.fetch(url, accept=PAGE_ACCEPT)


def extract_page(body: bytes, url: str, *, fallback_title: str = "") -> Article:
    """The article of a fetched page, keyed by its address.

    Raises:
        UnreadableFile: the body is not text.
        NoArticleFound: the page holds no article text.
    """
    # Through the module, so that whoever replaces the extractor replaces it here too.
    return webpage.extract_web_page(
        decode_text(body), source=url, guid=url, fallback_title=fallback_title, url=url
    )


def keep_page(url: str, cache: Cache, *, timeout: float) -> int:
    """Fetch a page, extract its article and cache it under :data:`WEB_CATEGORY`.

    Returns:
        The cached article's id.

    Raises:
        PageError: the page cannot be fetched or holds no article.
        CacheError: the cache cannot keep it.
    """
    # Here rather than at the top: the reader imports this module at launch, and
    # the HTTP client (aiohttp) is needed only once a page is fetched.
    from newsreader.sources.http import Fetcher, FetchError

    async def fetch() -> bytes:
        async with Fetcher(timeout=timeout) as fetcher:
            return (await fetch_page(fetcher, url)).body

    try:
        article = extract_page(asyncio.run(fetch()), url, fallback_title=url)
    except (FetchError, UnreadableFile, NoArticleFound) as error:
        raise PageError(str(error)) from error
    [(_, article_id)] = cache.store_articles([replace(article, categories=WEB_CATEGORY)])
    return article_id
