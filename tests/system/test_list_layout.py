"""The article list, the tree and the layout at the widths readers use, under the pilot."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from textual.geometry import Region
from textual.pilot import Pilot
from textual.widget import Widget
from textual.widgets._footer import FooterKey
from textual.widgets.data_table import ColumnKey

from newsreader.ui.app import NewsReaderApp
from newsreader.ui.widgets.article_list import ArticleList
from newsreader.ui.widgets.article_view import ArticleView
from newsreader.ui.widgets.category_tree import CategoryTree
from tests.helpers.reader import HARBOUR, TRAM, make_app, open_titled, titles, until

LONG_TITLE = (
    "A Very Long Headline About the Harbour Council Meeting That Went On Well Past "
    "Midnight and Then Some More, Until Every Member Had Spoken Twice Over Everything"
)
LONG = {"long-headline.txt": f"{LONG_TITLE}\n\nThe council met again on Tuesday night.\n"}


def lines(widget: Widget) -> list[str]:
    """What a widget shows, line by line."""
    width, height = widget.size
    return [strip.text for strip in widget.render_lines(Region(0, 0, width, height))]


async def row_of(app: NewsReaderApp, pilot: Pilot[None], title: str) -> str:
    """The list's line for an article, scrolled into view."""
    article_list = app.query_one(ArticleList)
    article_list.move_cursor(row=titles(app).index(title), scroll=True)
    await pilot.pause()
    return next(line for line in lines(article_list) if title[:12] in line)


@pytest.mark.parametrize("width", [80, 120, 200])
async def test_the_title_fills_the_width_and_ends_in_an_ellipsis_when_cut(
    tmp_path: Path, width: int
) -> None:
    app = make_app(tmp_path, extra=LONG)
    async with app.run_test(size=(width, 30)) as pilot:
        article_list = app.query_one(ArticleList)
        assert await until(pilot, lambda: article_list.size.width > 0)
        await pilot.pause()
        line = (await row_of(app, pilot, LONG_TITLE)).rstrip()
        assert line.endswith("…"), line
        # Cut at the edge: only the scrollbar's room is left after it.
        assert len(line) >= article_list.size.width - 3, (len(line), article_list.size.width)
        assert LONG_TITLE[:20] in line
        assert not article_list.horizontal_scrollbar.display
        assert article_list.virtual_size.width <= article_list.scrollable_content_region.width
        if width >= 120:  # room for a title of 50 characters: shown whole
            short = await row_of(app, pilot, TRAM)
            assert TRAM in short and "…" not in short


async def test_titles_widen_and_narrow_with_the_terminal(tmp_path: Path) -> None:
    app = make_app(tmp_path, extra=LONG)
    async with app.run_test(size=(120, 30)) as pilot:
        article_list = app.query_one(ArticleList)
        await pilot.pause()
        before = len((await row_of(app, pilot, LONG_TITLE)).rstrip())
        await pilot.resize_terminal(200, 30)
        await pilot.pause()
        assert len((await row_of(app, pilot, LONG_TITLE)).rstrip()) > before + 50
        assert not article_list.horizontal_scrollbar.display


async def test_the_source_column_names_the_category_of_a_file_not_its_cut_name(
    tmp_path: Path,
) -> None:
    app = make_app(tmp_path, extra=LONG)
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.pause()
        row = await row_of(app, pilot, TRAM)
        assert "world" in row and "tram-line" not in row, row
        solar = next(s for s in app.query_one(ArticleList).summaries if "Solar" in s.title)
        assert "Energy" in await row_of(app, pilot, solar.title)  # the deepest of Technology/Energy


async def test_an_article_without_a_date_shows_the_day_it_was_imported(tmp_path: Path) -> None:
    app = make_app(tmp_path, extra=LONG)
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.pause()
        summary = next(s for s in app.query_one(ArticleList).summaries if s.title == LONG_TITLE)
        assert summary.published is None and summary.added is not None
        today = datetime.now(UTC).strftime("%Y-%m-%d")
        assert today in await row_of(app, pilot, LONG_TITLE)


async def test_a_starred_unread_row_shows_the_star_and_the_unread_dot(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.pause()
        article_list = app.query_one(ArticleList)
        article_list.move_cursor(row=titles(app).index(HARBOUR))
        await pilot.press("s")
        await pilot.pause()
        starred = await row_of(app, pilot, HARBOUR)
        assert starred.lstrip().startswith("●★"), starred
        plain = await row_of(app, pilot, TRAM)
        assert "★" not in plain and "●" in plain


async def test_the_starred_node_counts_the_starred_articles(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.pause()
        tree = app.query_one(CategoryTree)
        assert str(tree.root.children[2].label) == "Starred"
        article_list = app.query_one(ArticleList)
        for title in (HARBOUR, TRAM):
            article_list.move_cursor(row=titles(app).index(title))
            await pilot.press("s")
        assert await until(pilot, lambda: str(tree.root.children[2].label) == "Starred (2)")
        article_list.move_cursor(row=titles(app).index(TRAM))
        await pilot.press("s")
        assert await until(pilot, lambda: str(tree.root.children[2].label) == "Starred (1)")


def footer_keys(app: NewsReaderApp) -> dict[str, FooterKey]:
    """The footer's keys by their description."""
    return {key.description: key for key in app.screen.query(FooterKey)}


async def test_resizing_across_the_breakpoint_hides_and_restores_the_tree(tmp_path: Path) -> None:
    app = make_app(tmp_path, extra=LONG)
    async with app.run_test(size=(120, 30)) as pilot:
        tree = app.query_one(CategoryTree)
        article_list = app.query_one(ArticleList)
        await pilot.pause()
        assert tree.region.width > 0
        wide = len((await row_of(app, pilot, LONG_TITLE)).rstrip())
        await pilot.resize_terminal(80, 24)
        assert await until(pilot, lambda: tree.region.width == 0)
        assert article_list.region.width == 80
        # The title takes the tree's room: more than the 12 characters left beside it.
        assert "…" in await row_of(app, pilot, LONG_TITLE)
        assert article_list.columns[ColumnKey("title")].width > 30
        await pilot.resize_terminal(120, 30)
        assert await until(pilot, lambda: tree.region.width > 0)
        assert len((await row_of(app, pilot, LONG_TITLE)).rstrip()) == wide


async def test_a_crossing_applies_the_rule_again_after_c(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(120, 30)) as pilot:
        tree = app.query_one(CategoryTree)
        await pilot.pause()
        await pilot.press("c")  # hidden by hand while wide
        assert await until(pilot, lambda: tree.region.width == 0)
        await pilot.resize_terminal(119, 30)  # no crossing: the reader's choice stays
        await pilot.pause()
        assert tree.region.width == 0
        await pilot.resize_terminal(80, 24)
        await pilot.pause()
        await pilot.resize_terminal(120, 30)  # back above the breakpoint: shown again
        assert await until(pilot, lambda: tree.region.width > 0)


async def test_the_footer_fits_80_columns_and_offers_c_where_the_tree_is_hidden(
    tmp_path: Path,
) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await open_titled(app, pilot, TRAM)  # the pane shows the most keys
        for place in (ArticleView, ArticleList, ArticleView):
            app.query_one(place).focus()
            await pilot.pause()
            shown = footer_keys(app)
            assert shown["Tree"].key == "c"
            for description, key in shown.items():
                assert key.region.right <= 80, (place.__name__, description, key.region)
                assert key.region.width >= len(description) + 2, description  # drawn whole
    app = make_app(tmp_path / "wide")
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.pause()
        assert "Tree" not in footer_keys(app)  # the tree is in sight
        await pilot.press("c")
        assert await until(pilot, lambda: "Tree" in footer_keys(app))
        await pilot.press("c")
        assert await until(pilot, lambda: "Tree" not in footer_keys(app))
