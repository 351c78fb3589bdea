#!/usr/bin/env python3
"""The shared generated feeds, with links between their own items.

    python benchmarks/make_linked_feeds.py --feeds 2000 --items 50 --seed 1 --out DIR

The feeds of ../shared/bench/make_feeds.py (same options, same items, same
order of random draws), except that every item's body opens with two links to
other items of the same feed, which the reader resolves from the cache:

- the first paragraph, "Continued from <a href=URL>TITLE</a>.", an inline link
  to the item LINK_STEP places further down (link 1 of the article);
- the second, "Read Also: TITLE", a related-article line naming the item
  ALSO_STEP places further down by its title alone (link 2), as scraped pages
  and some feeds do.

Both targets are older items of the same feed (wrapping around), so on a large
cache they are far from the first screen of the list. Besides the feeds and
make_feeds' manifest.json, writes links.json: for every item's title, the titles
of its two targets ([inline, read-also]).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from html import escape
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent.parent / "shared" / "bench"))
import make_feeds

LINK_STEP = 25
ALSO_STEP = 37


class RecordingFeedMaker(make_feeds.FeedMaker):
    """make_feeds' feed, unchanged, noting each item's (url, title) as it is written."""

    def __init__(self, seed: str, k: int, items: int) -> None:
        super().__init__(seed, k, items)
        self.written: list[tuple[str, str]] = []

    def entries(self) -> Iterator[dict[str, Any]]:
        for entry in super().entries():
            self.written.append((entry["url"], entry["title"]))
            yield entry


class LinkedFeedMaker(RecordingFeedMaker):
    """The same feed with two links at the head of every body (see the module's docstring).

    The targets come from a first, unchanged rendering of the feed: the links are
    added without a random draw, so both renderings draw the same items.
    """

    all_links: dict[str, list[str]] = {}

    def __init__(self, seed: str, k: int, items: int) -> None:
        plain = RecordingFeedMaker(seed, k, items)
        plain.render()
        self.targets = plain.written
        super().__init__(seed, k, items)

    def body_html(self, i: int, title: str) -> str:
        body: str = super().body_html(i, title)
        count = len(self.targets)
        url, inline_title = self.targets[(i - 1 + LINK_STEP) % count]
        also_title = self.targets[(i - 1 + ALSO_STEP) % count][1]
        LinkedFeedMaker.all_links[title] = [inline_title, also_title]
        head = (
            f'<p>Continued from <a href="{escape(url)}">{escape(inline_title)}</a>.</p>\n'
            f"<p>Read Also: {escape(also_title)}</p>\n"
        )
        return head + body

    def render(self) -> bytes:
        data: bytes = super().render()
        if self.written != self.targets:
            raise AssertionError(f"feed {self.k}: the linked rendering drew other items")
        return data


def main(argv: list[str] | None = None) -> int:
    """Write the feeds (make_feeds' options), then links.json beside them."""
    make_feeds.FeedMaker = LinkedFeedMaker  # type: ignore[misc]
    status: int = make_feeds.main(argv)
    args = sys.argv[1:] if argv is None else argv
    out = Path(args[args.index("--out") + 1]) if "--out" in args else Path("feeds")
    (out / "links.json").write_text(json.dumps(LinkedFeedMaker.all_links, ensure_ascii=False))
    return status


if __name__ == "__main__":
    sys.exit(main())
