"""What the feed readers give: a document's version, feed fields and entries, in
feedparser's shape (plain dicts), whichever reader made them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(slots=True)
class FastFeed:
    """A document read without feedparser: feedparser's ``version``, ``feed`` and ``entries``."""

    version: str
    feed: dict[str, Any]
    entries: list[dict[str, Any]] = field(default_factory=list)
