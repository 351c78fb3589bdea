"""Opening an article for reading: the one step that finishes what a refresh left.

A refresh stores feed entries with their HTML unconverted (converting 50,000
entries would dominate a cold refresh); the first time one is opened its HTML
becomes sections, figures and links, and the result is kept in the cache.
"""

from __future__ import annotations

import contextlib
from dataclasses import replace

from newsreader.cache import Cache, CacheError
from newsreader.extract.htmlbody import convert_body
from newsreader.model import StoredArticle


def open_article(cache: Cache, article_id: int) -> StoredArticle | None:
    """An article ready to read (sections made from its HTML if need be), or None."""
    stored = cache.get_article(article_id)
    if stored is None or stored.article.body_html is None:
        return stored
    converted = convert_body(stored.article)
    with contextlib.suppress(CacheError):
        # Keeping the sections only saves converting again next time; reading
        # must not fail because another process holds the cache or the disk is full.
        cache.replace_sections(article_id, converted)
    return replace(stored, article=converted)
