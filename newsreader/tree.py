"""The reader's tree of categories and feeds, built from the cache and the config.

Pure data (no Textual): the UI draws what :func:`build_tree` returns.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING

from newsreader.cache.accounts import AccountFeed, AccountState, account_source, label_category
from newsreader.cache.matching import FilterTooSlow
from newsreader.config import FeedConfig, QueryConfig
from newsreader.filters import Filter
from newsreader.model import MAX_CATEGORY_DEPTH, CategoryNode, FeedState
from newsreader.queries import FilterContext

if TYPE_CHECKING:
    from newsreader.cache import Cache


class NodeKind(StrEnum):
    """What a tree node stands for."""

    ALL = "all"
    UNREAD = "unread"
    STARRED = "starred"
    CATEGORY = "category"
    FEED = "feed"
    QUERY = "query"
    """A query feed: the articles a filter of the config passes."""
    HIDDEN = "hidden"
    """The articles the killfile's ``hide`` rules take."""


@dataclass(frozen=True, slots=True)
class ArticleFilter:
    """Which articles a cache query takes (the arguments of
    :meth:`~newsreader.cache.Cache.list_articles` and ``mark_all_read``)."""

    category: tuple[str, ...] = ()
    """A category and its sub-categories; empty: every category."""
    source: str | None = None
    """One feed's articles (its listings too); None: every source."""
    unread_only: bool = False
    starred_only: bool = False
    filters: tuple[Filter, ...] = ()
    """Filters every article listed passes (a query feed's, a typed one)."""
    hidden: bool = False
    """The killfile's hidden articles instead of the others."""


@dataclass(frozen=True, slots=True)
class Selection:
    """Which articles a node shows."""

    kind: NodeKind
    path: tuple[str, ...] = ()
    feed_url: str | None = None
    query: QueryConfig | None = None
    """A query feed's entry of the config."""

    @property
    def ancestors(self) -> tuple[Selection, ...]:
        """The nodes above this one in the tree, nearest first: its categories, then
        All (a feed outside any category has All alone, the special views none)."""
        if self.kind not in (NodeKind.CATEGORY, NodeKind.FEED, NodeKind.QUERY):
            return ()
        below = len(self.path) - (self.kind is NodeKind.CATEGORY)
        categories = (
            Selection(NodeKind.CATEGORY, self.path[:depth]) for depth in range(below, 0, -1)
        )
        return (*categories, Selection(NodeKind.ALL))

    @property
    def article_filter(self) -> ArticleFilter:
        """The cache query filter of this node: a feed's node is its source alone (its
        category path only places it in the tree)."""
        return ArticleFilter(
            category=self.path if self.kind is NodeKind.CATEGORY else (),
            source=self.feed_url,
            unread_only=self.kind is NodeKind.UNREAD,
            starred_only=self.kind is NodeKind.STARRED,
            filters=(self.query.filter,) if self.query is not None else (),
            hidden=self.kind is NodeKind.HIDDEN,
        )


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

    @property
    def shown_count(self) -> int:
        """The count beside the label: unread articles; for Starred, every starred one."""
        return self.total_count if self.selection.kind is NodeKind.STARRED else self.unread_count


def build_tree(
    categories: CategoryNode,
    feeds: Sequence[FeedConfig],
    source_counts: Mapping[str, tuple[int, int]],
    feed_states: Mapping[str, FeedState],
    special_counts: tuple[int, int, int],
    account_states: Mapping[str, AccountState] | None = None,
    query_counts: Sequence[tuple[QueryConfig, tuple[int, int] | None, str | None]] = (),
    hidden_counts: tuple[int, int] | None = None,
) -> list[TreeItem]:
    """The top-level nodes: All, Unread, Starred, then the categories.

    Query feeds (``query_counts``: each with its (articles, unread) count, or
    the error that kept it from being counted) sit under their category, or
    after Starred without one; Hidden (``hidden_counts``, when the killfile
    hides) comes after them.

    A sync account is the category of its name; its node is marked when the
    account's last sync failed (``account_states``), and its subscriptions are
    among ``feeds`` (see :func:`account_feed_configs`).

    Category nodes nest by path and count unread articles below them; feeds sit
    under their category (which appears even before the feed has articles), and
    a feed whose last refresh failed is marked.

    The tree is at most ``MAX_CATEGORY_DEPTH`` categories deep, however deep
    the paths it is given (an older cache, a feed's category in the config): a
    deeper category node is left out (its ancestor's counts hold it) and a
    feed filed deeper sits under that ancestor. Nothing here recurses.
    """
    total, unread, starred = special_counts
    items = [
        TreeItem("All", Selection(NodeKind.ALL), unread, total),
        TreeItem("Unread", Selection(NodeKind.UNREAD), unread, unread),
        TreeItem("Starred", Selection(NodeKind.STARRED), 0, starred),
    ]
    roots: dict[str, TreeItem] = {}
    by_path: dict[tuple[str, ...], TreeItem] = {}

    def category_item(path: tuple[str, ...]) -> TreeItem:
        """The node of a category path (cut to the deepest allowed), made as needed."""
        path = path[:MAX_CATEGORY_DEPTH]
        known = len(path)
        while known and path[:known] not in by_path:
            known -= 1
        for depth in range(known + 1, len(path) + 1):
            key = path[:depth]
            made = by_path[key] = TreeItem(key[-1], Selection(NodeKind.CATEGORY, key))
            if depth == 1:
                roots[key[-1]] = made
            else:
                by_path[key[:-1]].children.append(made)
        return by_path[path]

    def by_name(node: CategoryNode) -> list[CategoryNode]:
        return sorted(node.children.values(), key=lambda c: c.name.casefold())

    # Depth first and in name order, as a recursive walk would go.
    stack = by_name(categories)[::-1]
    while stack:
        child = stack.pop()
        if not child.path or len(child.path) > MAX_CATEGORY_DEPTH:
            continue
        item = category_item(child.path)
        item.unread_count, item.total_count = child.unread_count, child.total_count
        stack.extend(by_name(child)[::-1])
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
    for name, account in (account_states or {}).items():
        node = category_item((name,))
        node.failed, node.error = account.failed, account.last_error
    for query, counts, error in query_counts:
        total_count, unread_count = counts or (0, 0)
        item = TreeItem(
            query.name,
            Selection(NodeKind.QUERY, query.category, query=query),
            unread_count,
            total_count,
            failed=error is not None,
            error=error,
        )
        if query.category:
            # Before the category's own nodes, in the config's order.
            children = category_item(query.category).children
            place = next(
                (
                    n
                    for n, child in enumerate(children)
                    if child.selection.kind is not NodeKind.QUERY
                ),
                len(children),
            )
            children.insert(place, item)
        else:
            items.append(item)
    if hidden_counts is not None:
        items.append(TreeItem("Hidden", Selection(NodeKind.HIDDEN), *hidden_counts[::-1]))
    return items + sorted(roots.values(), key=lambda i: (i.selection.kind, i.label.casefold()))


@dataclass(frozen=True, slots=True)
class TreeCounts:
    """The tree as counted from the cache at one moment, with the feed states it used."""

    items: list[TreeItem]
    feed_states: dict[str, FeedState]
    account_feeds: list[FeedConfig] = field(default_factory=list)
    """The sync accounts' subscriptions, as feeds (the names of their sources)."""
    account_states: dict[str, AccountState] = field(default_factory=dict)
    """The config's sync accounts' states, by name."""


def account_feed_configs(
    account_feeds: Mapping[str, Sequence[AccountFeed]], accounts: Sequence[str]
) -> list[FeedConfig]:
    """The subscriptions of these accounts as the tree's feeds: one under each label."""
    configs = []
    for account in accounts:
        for feed in account_feeds.get(account, ()):
            labels: tuple[str | None, ...] = feed.labels or (None,)
            for position, label in enumerate(labels):
                configs.append(
                    FeedConfig(
                        url=account_source(account, feed.stream_id, label if position else None),
                        name=feed.title,
                        category=label_category(account, label),
                    )
                )
    return configs


def filter_context(
    cache: Cache, feeds: Sequence[FeedConfig], accounts: Sequence[str] = ()
) -> FilterContext:
    """What ``feed`` means in a filter here: the config's feeds and the accounts'
    subscriptions, by every name the tree knows them by.

    Raises:
        CacheError: a read failed.
    """
    synced = account_feed_configs(cache.account_feeds(), accounts) if accounts else []
    return FilterContext.of([*feeds, *synced], cache.feed_states())


def count_tree(
    cache: Cache,
    feeds: Sequence[FeedConfig],
    accounts: Sequence[str] = (),
    queries: Sequence[QueryConfig] = (),
    hiding: bool = False,
) -> TreeCounts:
    """Count the tree from the cache: its reads, then :func:`build_tree`.

    ``accounts`` names the config's sync accounts, shown with their subscriptions;
    ``queries`` are the config's query feeds; ``hiding`` says whether the
    killfile hides articles (Hidden is shown then, and whenever some are hidden).
    A query that cannot be counted (its filter too slow) is marked failed.

    Raises:
        CacheError: a read failed.
    """
    feed_states = cache.feed_states()
    synced: list[FeedConfig] = []
    states: dict[str, AccountState] = {}
    if accounts:
        synced = account_feed_configs(cache.account_feeds(), accounts)
        known = cache.account_states()
        states = {name: known.get(name) or AccountState(name) for name in accounts}
    query_counts: list[tuple[QueryConfig, tuple[int, int] | None, str | None]] = []
    if queries:
        context = FilterContext.of([*feeds, *synced], feed_states)
        for query in queries:
            try:
                compiled = context.compile(cache, [query.filter])
                assert compiled is not None
                query_counts.append((query, cache.filtered_counts(compiled), None))
            except FilterTooSlow as error:
                query_counts.append((query, None, str(error)))
    hidden = cache.hidden_counts()
    items = build_tree(
        cache.category_tree(),
        [*feeds, *synced],
        cache.source_counts(),
        feed_states,
        cache.special_counts(),
        states,
        query_counts,
        hidden if hiding or hidden[0] else None,
    )
    return TreeCounts(items, feed_states, synced, states)
