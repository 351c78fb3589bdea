"""The reader's tree of categories and feeds, built from the cache and the config.

Pure data (no Textual): the UI draws what :func:`build_tree` returns.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from newsreader.config import FeedConfig
from newsreader.model import CategoryNode, FeedState


class NodeKind(StrEnum):
    """What a tree node stands for."""

    ALL = "all"
    UNREAD = "unread"
    STARRED = "starred"
    CATEGORY = "category"
    FEED = "feed"


@dataclass(frozen=True, slots=True)
class Selection:
    """Which articles a node shows."""

    kind: NodeKind
    path: tuple[str, ...] = ()
    feed_url: str | None = None


@dataclass(slots=True)
class TreeItem:
    """A node of the reader's tree."""

    label: str
    selection: Selection
    unread_count: int = 0
    total_count: int = 0
    failed: bool = False
    error: str | None = None
    children: list[TreeItem] = field(default_factory=list)


def build_tree(
    categories: CategoryNode,
    feeds: Sequence[FeedConfig],
    source_counts: Mapping[str, tuple[int, int]],
    feed_states: Mapping[str, FeedState],
    special_counts: tuple[int, int, int],
) -> list[TreeItem]:
    """The top-level nodes: All, Unread, Starred, then the categories.

    Category nodes nest by path and count unread articles below them; feeds sit
    under their category (which appears even before the feed has articles), and
    a feed whose last refresh failed is marked.
    """
    total, unread, starred = special_counts
    items = [
        TreeItem("All", Selection(NodeKind.ALL), unread, total),
        TreeItem("Unread", Selection(NodeKind.UNREAD), unread, unread),
        TreeItem("Starred", Selection(NodeKind.STARRED), 0, starred),
    ]
    roots: dict[str, TreeItem] = {}

    def category_item(path: tuple[str, ...]) -> TreeItem:
        siblings = roots
        parent: TreeItem | None = None
        for depth in range(1, len(path) + 1):
            key = path[:depth]
            found = next(
                (c for c in (parent.children if parent else siblings.values())
                 if c.selection.kind is NodeKind.CATEGORY and c.selection.path == key),
                None,
            )  # fmt: skip
            if found is None:
                found = TreeItem(key[-1], Selection(NodeKind.CATEGORY, key))
                if parent is None:
                    siblings[key[-1]] = found
                else:
                    parent.children.append(found)
            parent = found
        assert parent is not None
        return parent

    def add_categories(node: CategoryNode) -> None:
        for child in sorted(node.children.values(), key=lambda c: c.name.casefold()):
            item = category_item(child.path)
            item.unread_count, item.total_count = child.unread_count, child.total_count
            add_categories(child)

    add_categories(categories)
    for feed in feeds:
        state = feed_states.get(feed.url)
        total_count, unread_count = source_counts.get(feed.url, (0, 0))
        item = TreeItem(
            feed.display_name(state),
            Selection(NodeKind.FEED, feed.category, feed.url),
            unread_count,
            total_count,
            failed=bool(state and state.failed),
            error=state.last_error if state else None,
        )
        if feed.category:
            category_item(feed.category).children.append(item)
        else:
            roots[f"\x00{feed.url}"] = item
    return items + sorted(roots.values(), key=lambda i: (i.selection.kind, i.label.casefold()))
