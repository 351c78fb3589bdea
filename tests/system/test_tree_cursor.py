"""The tree keeps its cursor and open nodes, and the list its row, when the counts are redrawn."""

from __future__ import annotations

from pathlib import Path

from textual.pilot import Pilot
from textual.widgets.tree import TreeNode

from newsreader.tree import NodeKind, Selection, TreeItem, build_tree
from newsreader.ui.app import NewsReaderApp
from newsreader.ui.widgets.article_list import ArticleList
from newsreader.ui.widgets.category_tree import CategoryTree
from tests.helpers.reader import HARBOUR, make_app, open_titled, titles, tree_counted, until
from tests.loopback import LoopbackServer, rss, static

WORLD = Selection(NodeKind.CATEGORY, ("World",))
EUROPE = Selection(NodeKind.CATEGORY, ("World", "Europe"))


def unread_label(app: NewsReaderApp) -> str:
    return str(app.query_one(CategoryTree).root.children[1].label)


def node_of(app: NewsReaderApp, selection: Selection) -> TreeNode[Selection]:
    tree = app.query_one(CategoryTree)
    return next(node for node in tree._all_nodes() if node.data == selection)


async def choose(app: NewsReaderApp, pilot: Pilot[None], selection: Selection) -> None:
    """Put the tree's cursor on a node and press Enter there, as the reader does."""
    tree = app.query_one(CategoryTree)
    tree.focus()
    await pilot.pause()
    tree.move_cursor(node_of(app, selection))
    await pilot.press("enter")
    await pilot.pause()


async def enter_in_tree(app: NewsReaderApp, pilot: Pilot[None]) -> None:
    app.query_one(CategoryTree).focus()
    await pilot.press("enter")
    await pilot.pause()


def cursor(app: NewsReaderApp) -> Selection | None:
    node = app.query_one(CategoryTree).cursor_node
    return node.data if node is not None else None


async def test_opening_an_article_keeps_the_tree_cursor_on_its_node(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(140, 40)) as pilot:
        await tree_counted(app, pilot)
        await choose(app, pilot, WORLD)
        chosen = set(titles(app))
        assert chosen == {HARBOUR}
        await open_titled(app, pilot, HARBOUR)
        assert await until(pilot, lambda: unread_label(app) == "Unread (8)")
        assert cursor(app) == WORLD
        await enter_in_tree(app, pilot)
        assert app.query_one(ArticleList).list_query.selection == WORLD
        assert set(titles(app)) == chosen


async def test_m_keeps_the_tree_cursor_and_the_list_row(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(140, 40)) as pilot:
        await tree_counted(app, pilot)
        await choose(app, pilot, WORLD)
        await open_titled(app, pilot, HARBOUR)
        assert await until(pilot, lambda: unread_label(app) == "Unread (8)")
        await pilot.press("m")
        assert await until(pilot, lambda: unread_label(app) == "Unread (9)")
        assert cursor(app) == WORLD
        article_list = app.query_one(ArticleList)
        assert titles(app)[article_list.cursor_row] == HARBOUR
        await enter_in_tree(app, pilot)
        assert article_list.list_query.selection == WORLD


async def test_collapsed_and_expanded_categories_stay_so(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(140, 40)) as pilot:
        await tree_counted(app, pilot)
        node_of(app, WORLD).expand()
        await pilot.pause()
        await choose(app, pilot, EUROPE)
        node_of(app, EUROPE).collapse()
        await pilot.pause()
        await open_titled(app, pilot, HARBOUR)
        assert await until(pilot, lambda: unread_label(app) == "Unread (8)")
        assert node_of(app, WORLD).is_expanded
        assert not node_of(app, EUROPE).is_expanded
        assert cursor(app) == EUROPE
        await enter_in_tree(app, pilot)
        assert app.query_one(ArticleList).list_query.selection == EUROPE
        assert set(titles(app)) == {HARBOUR}


async def test_a_refresh_and_mark_all_read_keep_the_feed_node(
    tmp_path: Path, server: LoopbackServer
) -> None:
    items = [("g1", "First From The Wire", "<p>One.</p>"), ("g2", "Second", "<p>Two.</p>")]
    server.routes["/good.xml"] = static(rss("Good News", items))
    app = make_app(tmp_path, feeds=[server.url("good.xml")])
    feed = Selection(NodeKind.FEED, ("Test", "Loopback"), server.url("good.xml"))
    async with app.run_test(size=(140, 40)) as pilot:
        await tree_counted(app, pilot)
        await pilot.press("r")
        await app.workers.wait_for_complete()
        assert await until(pilot, lambda: "First From The Wire" in titles(app))
        node_of(app, Selection(NodeKind.CATEGORY, ("Test",))).expand()
        node_of(app, Selection(NodeKind.CATEGORY, ("Test", "Loopback"))).expand()
        await pilot.pause()
        await choose(app, pilot, feed)
        assert set(titles(app)) == {"First From The Wire", "Second"}
        await open_titled(app, pilot, "Second")
        await pilot.press("r")
        await app.workers.wait_for_complete()
        assert await until(pilot, lambda: not app.screen.refreshing)  # type: ignore[attr-defined]
        await pilot.pause()
        assert cursor(app) == feed
        article_list = app.query_one(ArticleList)
        assert titles(app)[article_list.cursor_row] == "Second"
        await pilot.press("A")
        await pilot.pause()
        await pilot.press("y")  # A asks first: 2 articles
        assert await until(pilot, lambda: all(row.read for row in article_list.summaries))
        assert cursor(app) == feed
        await enter_in_tree(app, pilot)
        assert article_list.list_query.selection == feed
        assert set(titles(app)) == {"First From The Wire", "Second"}


async def test_a_node_that_goes_leaves_the_cursor_on_its_nearest_ancestor(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(140, 40)) as pilot:
        await tree_counted(app, pilot)
        node_of(app, WORLD).expand()
        await pilot.pause()
        await choose(app, pilot, EUROPE)
        tree = app.query_one(CategoryTree)
        items = []
        for item in tree_items(app):
            if item.selection == WORLD:
                item.children = [c for c in item.children if c.selection != EUROPE]
            items.append(item)
        tree.show(items)
        await pilot.pause()
        assert cursor(app) == WORLD
        await enter_in_tree(app, pilot)
        assert app.query_one(ArticleList).list_query.selection == WORLD


def tree_items(app: NewsReaderApp) -> list[TreeItem]:
    """The items the screen would draw the tree from now."""
    cache = app.cache
    return build_tree(
        cache.category_tree(),
        app.config.feeds,
        cache.source_counts(),
        cache.feed_states(),
        cache.special_counts(),
    )


async def test_enter_shows_a_node_and_leaves_it_open_space_opens_and_closes_it(
    tmp_path: Path,
) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(140, 40)) as pilot:
        await tree_counted(app, pilot)
        world = node_of(app, WORLD)
        tree = app.query_one(CategoryTree)
        tree.focus()
        tree.move_cursor(world)
        await pilot.press("space")
        assert await until(pilot, lambda: node_of(app, WORLD).is_expanded)
        await pilot.press("enter")
        assert await until(pilot, lambda: set(titles(app)) == {HARBOUR})
        assert node_of(app, WORLD).is_expanded  # Enter chose it; it did not close it
        tree.focus()  # choosing a node hands the keys to the list
        await pilot.press("enter")
        await pilot.pause()
        assert node_of(app, WORLD).is_expanded
        tree.focus()
        await pilot.press("space")
        assert await until(pilot, lambda: not node_of(app, WORLD).is_expanded)
