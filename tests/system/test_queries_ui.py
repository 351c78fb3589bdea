"""Query feeds, typed filters and the killfile in the reader (Textual's pilot)."""

from __future__ import annotations

from pathlib import Path

from rich.text import Text
from textual.widgets import Input, Static

from newsreader.tree import NodeKind, Selection
from newsreader.ui.app import NewsReaderApp
from newsreader.ui.screens.confirm import ConfirmScreen
from newsreader.ui.widgets.article_list import ArticleList
from newsreader.ui.widgets.category_tree import CategoryTree
from tests.helpers.reader import HARBOUR, TRAM, make_app, titles, tree_counted, until

SIZE = (140, 40)
QUERIES = """
[[queries]]
name = "Transport"
filter = 'title =~ "ferr" or title =~ "tram"'

[[queries]]
name = "[b]Bold[/b] [@click=app.quit]x[/]"
filter = 'title =~ "tram"'
category = "world"
"""


def node_of(app: NewsReaderApp, label_start: str):  # type: ignore[no-untyped-def]
    tree = app.query_one(CategoryTree)
    return next(node for node in tree._all_nodes() if str(node.label).startswith(label_start))


async def choose(app: NewsReaderApp, pilot, label_start: str) -> None:  # type: ignore[no-untyped-def]
    node = node_of(app, label_start)
    parent = node.parent
    while parent is not None:
        parent.expand()
        parent = parent.parent
    await pilot.pause()
    tree = app.query_one(CategoryTree)
    tree.focus()
    tree.move_cursor(node)
    await pilot.press("enter")
    await pilot.pause()


def notices(app: NewsReaderApp) -> list[str]:
    return [notice.message for notice in app._notifications]


async def test_a_query_feed_lists_counts_and_marks_read_with_undo(tmp_path: Path) -> None:
    app = make_app(tmp_path, config_extra=QUERIES)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await tree_counted(app, pilot)
        assert str(node_of(app, "Transport").label) == "Transport (2)"
        await choose(app, pilot, "Transport")
        assert await until(pilot, lambda: sorted(titles(app)) == sorted([HARBOUR, TRAM]))
        selection = app.query_one(ArticleList).list_query.selection
        assert selection.kind is NodeKind.QUERY
        await pilot.press("A")
        assert await until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        question = app.screen.query_one("#confirm-question", Static).content
        assert isinstance(question, Text)
        assert question.plain == 'Mark 2 articles in "Transport" read?'
        await pilot.press("y")
        assert await until(pilot, lambda: str(node_of(app, "Transport").label) == "Transport")
        assert 'Marked 2 articles in "Transport" read (u undoes it)' in notices(app)
        await pilot.press("u")
        assert await until(pilot, lambda: str(node_of(app, "Transport").label) == "Transport (2)")


async def test_a_query_name_is_text_never_markup(tmp_path: Path) -> None:
    app = make_app(tmp_path, config_extra=QUERIES)
    async with app.run_test(size=SIZE) as pilot:
        await tree_counted(app, pilot)
        node = node_of(app, "[b]Bold")
        assert isinstance(node.label, Text)
        assert node.label.plain == "[b]Bold[/b] [@click=app.quit]x[/] (1)"
        assert not node.label.spans or all("@click" not in str(s.style) for s in node.label.spans)
        await choose(app, pilot, "[b]Bold")
        assert await until(pilot, lambda: titles(app) == [TRAM])
        assert app.is_running


async def test_a_typed_filter_narrows_the_node_and_a_wrong_one_says_where(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await tree_counted(app, pilot)
        everything = len(titles(app))
        await pilot.press("/")
        search = app.query_one("#search", Input)
        search.value = 'title =~ "tram" or title =~ "harbour"'
        await pilot.press("enter")
        assert await until(pilot, lambda: sorted(titles(app)) == sorted([HARBOUR, TRAM]))
        assert app.query_one(ArticleList).list_query.selection == Selection(NodeKind.ALL)
        await pilot.press("escape")
        assert await until(pilot, lambda: len(titles(app)) == everything)
        await pilot.press("/")
        search.value = 'title =~ "tram" and feed ='
        await pilot.press("enter")
        expected = 'Not a filter: filter:1:27: expected a value after "="'
        assert await until(pilot, lambda: expected in notices(app))
        assert len(titles(app)) == everything  # the list stays as it was
        search.value = "ferries"  # plain words still search
        await pilot.press("enter")
        assert await until(pilot, lambda: titles(app) == [HARBOUR])


async def test_the_killfile_hides_under_hidden(tmp_path: Path) -> None:
    app = make_app(tmp_path, config_extra="[[ignore]]\nfilter = 'title =~ \"tram\"'\n")
    async with app.run_test(size=SIZE) as pilot:
        await tree_counted(app, pilot)
        assert TRAM not in titles(app)
        assert str(node_of(app, "Hidden").label) == "Hidden (1)"
        await choose(app, pilot, "Hidden")
        assert await until(pilot, lambda: titles(app) == [TRAM])


async def test_a_marks_what_a_typed_filter_shows(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await tree_counted(app, pilot)
        unread_before = len([s for s in app.query_one(ArticleList).summaries if not s.read])
        await pilot.press("/")
        app.query_one("#search", Input).value = 'title =~ "tram" or title =~ "harbour"'
        await pilot.press("enter")
        assert await until(pilot, lambda: sorted(titles(app)) == sorted([HARBOUR, TRAM]))
        await pilot.press("A")
        assert await until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        question = app.screen.query_one("#confirm-question", Static).content
        assert isinstance(question, Text)
        assert question.plain == (
            'Mark 2 articles in "All" passing title =~ "tram" or title =~ "harbour" read?'
        )
        await pilot.press("y")
        assert await until(pilot, lambda: not isinstance(app.screen, ConfirmScreen))
        await pilot.press("escape")
        assert await until(pilot, lambda: len(titles(app)) > 2)
        rows = app.query_one(ArticleList).summaries
        assert len([s for s in rows if not s.read]) == unread_before - 2
