"""Marking many articles read in the reader: the node highlighted, the question, undo."""

from __future__ import annotations

from pathlib import Path

from rich.text import Text
from textual.pilot import Pilot
from textual.widgets import Static

from newsreader.cache import Cache
from newsreader.config import load_config
from newsreader.tree import NodeKind, Selection
from newsreader.ui.app import NewsReaderApp
from newsreader.ui.screens.confirm import ConfirmScreen
from newsreader.ui.widgets.article_list import ArticleList
from newsreader.ui.widgets.category_tree import CategoryTree
from tests.helpers.reader import HARBOUR, make_app, open_titled, tree_counted, until

WORLD = Selection(NodeKind.CATEGORY, ("world",))
"""The fixtures' world folder: three articles."""
EUROPE = Selection(NodeKind.CATEGORY, ("World", "Europe"))
"""One article, by its breadcrumb."""
SIZE = (140, 40)


def unread_in(app: NewsReaderApp, selection: Selection) -> int:
    """The unread articles of a node, counted on a connection of the test's own."""
    wanted = selection.article_filter
    with Cache(app.locations.cache_file) as cache:
        return cache.count_unread(wanted.category, source=wanted.source)


def notices(app: NewsReaderApp) -> list[str]:
    return [notice.message for notice in app._notifications]


async def highlight(app: NewsReaderApp, pilot: Pilot[None], selection: Selection) -> None:
    """Move the tree's cursor to a node without choosing it (no Enter)."""
    tree = app.query_one(CategoryTree)
    node = next(node for node in tree._all_nodes() if node.data == selection)
    parent = node.parent
    while parent is not None:
        parent.expand()
        parent = parent.parent
    await pilot.pause()
    tree.move_cursor(node)
    await pilot.pause()
    assert tree.cursor_node is node


def question(app: NewsReaderApp) -> str | None:
    """The question on screen, if one is asked."""
    if not isinstance(app.screen, ConfirmScreen):
        return None
    shown = app.screen.query_one("#confirm-question", Static).content
    assert isinstance(shown, Text)  # never markup: it names a node
    return shown.plain


async def test_a_marks_the_node_highlighted_in_the_tree_after_asking(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await tree_counted(app, pilot)
        everything = unread_in(app, Selection(NodeKind.ALL))
        world = unread_in(app, WORLD)
        assert 1 < world < everything
        await highlight(app, pilot, WORLD)  # the list still shows All
        assert app.query_one(ArticleList).list_query.selection == Selection(NodeKind.ALL)
        app.query_one(ArticleList).focus()
        await pilot.press("A")
        assert await until(pilot, lambda: question(app) is not None)
        assert question(app) == f'Mark {world} articles in "world" read?'
        assert unread_in(app, WORLD) == world  # nothing yet
        await pilot.press("y")
        assert await until(pilot, lambda: not isinstance(app.screen, ConfirmScreen))
        assert unread_in(app, WORLD) == 0
        assert unread_in(app, Selection(NodeKind.ALL)) == everything - world
        assert f'Marked {world} articles in "world" read (u undoes it)' in notices(app)
        rows = app.query_one(ArticleList).summaries
        assert all(row.read for row in rows if row.categories[:1] == ("world",))


async def test_no_and_escape_change_nothing(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await tree_counted(app, pilot)
        everything = unread_in(app, Selection(NodeKind.ALL))
        for answer in ("n", "escape"):
            await pilot.press("A")
            assert await until(pilot, lambda: question(app) is not None)
            assert question(app) == f'Mark {everything} articles in "All" read?'
            await pilot.press(answer)
            assert await until(pilot, lambda: not isinstance(app.screen, ConfirmScreen))
            assert unread_in(app, Selection(NodeKind.ALL)) == everything
        await pilot.press("u")
        await pilot.pause()
        assert "Nothing to undo." in notices(app)


async def test_u_marks_them_unread_again_and_redraws_the_tree(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await tree_counted(app, pilot)
        everything = unread_in(app, Selection(NodeKind.ALL))
        await pilot.press("A")
        assert await until(pilot, lambda: question(app) is not None)
        await pilot.press("enter")
        assert await until(pilot, lambda: unread_in(app, Selection(NodeKind.ALL)) == 0)
        assert await until(pilot, lambda: unread_label(app) == "Unread")
        await pilot.press("u")
        assert await until(pilot, lambda: unread_label(app) == f"Unread ({everything})")
        assert unread_in(app, Selection(NodeKind.ALL)) == everything
        assert f'Marked {everything} articles unread again (marked read in "All")' in notices(app)
        assert not any(row.read for row in app.query_one(ArticleList).summaries)


async def test_with_the_tree_hidden_a_marks_the_list_s_node(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await tree_counted(app, pilot)
        world = unread_in(app, WORLD)
        tree = app.query_one(CategoryTree)
        await highlight(app, pilot, WORLD)
        await pilot.press("c")  # the tree hides; its cursor stays on World
        assert await until(pilot, lambda: not tree.display)
        app.query_one(ArticleList).focus()
        await pilot.press("A")
        assert await until(pilot, lambda: question(app) is not None)
        assert (
            question(app)
            == f'Mark {unread_in(app, Selection(NodeKind.ALL))} articles in "All" read?'
        )
        await pilot.press("n")
        assert unread_in(app, WORLD) == world


async def test_no_unread_articles_asks_nothing_and_one_is_marked_at_once(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await tree_counted(app, pilot)
        await highlight(app, pilot, WORLD)
        await pilot.press("A")
        assert await until(pilot, lambda: question(app) is not None)
        await pilot.press("y")
        assert await until(pilot, lambda: unread_in(app, WORLD) == 0)
        await pilot.press("A")
        await pilot.pause()
        assert question(app) is None
        assert 'No unread articles in "world".' in notices(app)
        assert unread_in(app, EUROPE) == 1
        await highlight(app, pilot, EUROPE)
        await pilot.press("A")
        await pilot.pause()
        assert question(app) is None  # one article needs no question
        assert unread_in(app, EUROPE) == 0
        assert 'Marked 1 article in "World/Europe" read (u undoes it)' in notices(app)
        await pilot.press("u")
        assert await until(pilot, lambda: unread_in(app, EUROPE) == 1)
        assert 'Marked 1 article unread again (marked read in "World/Europe")' in notices(app)


async def test_m_says_what_it_did(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await tree_counted(app, pilot)
        await open_titled(app, pilot, HARBOUR)
        await pilot.press("m")
        assert await until(pilot, lambda: "Marked unread" in notices(app))
        await pilot.press("m")
        assert await until(pilot, lambda: "Marked read" in notices(app))


async def test_undo_after_restarting_the_reader(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await tree_counted(app, pilot)
        everything = unread_in(app, Selection(NodeKind.ALL))
        await pilot.press("A")
        assert await until(pilot, lambda: question(app) is not None)
        await pilot.press("y")
        assert await until(pilot, lambda: unread_in(app, Selection(NodeKind.ALL)) == 0)
    again = NewsReaderApp(
        app.locations, load_config(app.locations.config_file), refresh_on_start=False
    )
    async with again.run_test(size=SIZE) as pilot:
        await tree_counted(again, pilot)
        assert unread_label(again) == "Unread"
        await pilot.press("u")
        assert await until(pilot, lambda: unread_label(again) == f"Unread ({everything})")
        assert unread_in(again, Selection(NodeKind.ALL)) == everything


def unread_label(app: NewsReaderApp) -> str:
    return str(app.query_one(CategoryTree).root.children[1].label)


async def test_the_question_shows_a_node_s_name_as_written(tmp_path: Path) -> None:
    loud = "[bold red]Loud [@click=app.quit]x"  # no "/": that would be a sub-category
    notes = {
        f"loud-{n}.md": f"---\ncategory: {loud}\n---\n# Loud {n}\n\nText {n}.\n" for n in range(2)
    }
    app = make_app(tmp_path, extra=notes)
    async with app.run_test(size=SIZE) as pilot:
        await tree_counted(app, pilot)
        await highlight(app, pilot, Selection(NodeKind.CATEGORY, (loud,)))
        await pilot.press("A")
        assert await until(pilot, lambda: question(app) is not None)
        assert question(app) == f'Mark 2 articles in "{loud}" read?'
        shown = app.screen.query_one("#confirm-question", Static).content
        assert isinstance(shown, Text) and not shown.spans
        await pilot.press("escape")
        assert await until(pilot, lambda: not isinstance(app.screen, ConfirmScreen))
