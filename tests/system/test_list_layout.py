"""The article list, the tree and the layout at the widths readers use, under the pilot."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from textual import events
from textual.geometry import Region
from textual.pilot import Pilot
from textual.widget import Widget
from textual.widgets import OptionList, Static
from textual.widgets._footer import FooterKey
from textual.widgets.data_table import ColumnKey

from newsreader.cache import Cache
from newsreader.model import FeedState
from newsreader.tree import NodeKind, Selection
from newsreader.ui.app import NewsReaderApp
from newsreader.ui.widgets.article_list import MIN_TITLE_WIDTH, ArticleList
from newsreader.ui.widgets.article_view import ArticleView
from newsreader.ui.widgets.category_tree import CategoryTree
from tests.helpers.reader import (
    HARBOUR,
    TRAM,
    make_app,
    open_titled,
    shown_title,
    titles,
    tree_counted,
    until,
)

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
        await tree_counted(app, pilot)
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


async def test_the_first_frame_draws_the_rows_with_their_fitted_titles(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Fitted in the layout pass, not on Resize after it: a launch draws the rows once."""
    drawn: list[int] = []
    render_line = ArticleList.render_line

    def recorded(self: ArticleList, y: int):  # type: ignore[no-untyped-def]
        if self.row_count:
            drawn.append(self.columns[ColumnKey("title")].width)
        return render_line(self, y)

    monkeypatch.setattr(ArticleList, "render_line", recorded)
    app = make_app(tmp_path, extra=LONG)
    async with app.run_test(size=(120, 30)) as pilot:
        await tree_counted(app, pilot)
        await pilot.pause()
        fitted = app.query_one(ArticleList).columns[ColumnKey("title")].width
    assert fitted > MIN_TITLE_WIDTH
    assert drawn and set(drawn) == {fitted}, sorted(set(drawn))


async def test_titles_widen_and_narrow_with_the_terminal(tmp_path: Path) -> None:
    app = make_app(tmp_path, extra=LONG)
    async with app.run_test(size=(120, 30)) as pilot:
        await tree_counted(app, pilot)
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
        await tree_counted(app, pilot)
        await pilot.pause()
        row = await row_of(app, pilot, TRAM)
        assert "world" in row and "tram-line" not in row, row
        solar = next(s for s in app.query_one(ArticleList).summaries if "Solar" in s.title)
        assert "Energy" in await row_of(app, pilot, solar.title)  # the deepest of Technology/Energy


async def test_an_article_without_a_date_shows_the_day_it_was_imported(tmp_path: Path) -> None:
    app = make_app(tmp_path, extra=LONG)
    async with app.run_test(size=(120, 30)) as pilot:
        await tree_counted(app, pilot)
        await pilot.pause()
        summary = next(s for s in app.query_one(ArticleList).summaries if s.title == LONG_TITLE)
        assert summary.published is None and summary.added is not None
        today = datetime.now(UTC).strftime("%Y-%m-%d")
        assert today in await row_of(app, pilot, LONG_TITLE)


async def test_a_starred_unread_row_shows_the_star_and_the_unread_dot(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(120, 30)) as pilot:
        await tree_counted(app, pilot)
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
        await tree_counted(app, pilot)
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
        await tree_counted(app, pilot)
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
        await tree_counted(app, pilot)
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
        await tree_counted(app, pilot)
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
        await tree_counted(app, pilot)
        await pilot.pause()
        assert "Tree" not in footer_keys(app)  # the tree is in sight
        await pilot.press("c")
        assert await until(pilot, lambda: "Tree" in footer_keys(app))
        await pilot.press("c")
        assert await until(pilot, lambda: "Tree" not in footer_keys(app))


FEED = "http://127.0.0.1:9/feed.xml"


async def choose(app: NewsReaderApp, pilot: Pilot[None], wanted: Selection) -> None:
    """Pick a tree node, opening its categories, as a reader would."""
    tree = app.query_one(CategoryTree)
    for ancestor in reversed(wanted.ancestors):
        node = next((n for n in tree._all_nodes() if n.data == ancestor), None)
        if node is not None:
            node.expand()
    await pilot.pause()
    node = next(n for n in tree._all_nodes() if n.data == wanted)
    tree.select_node(node)
    await pilot.pause()


def note(app: NewsReaderApp) -> str | None:
    """The line above the list, if it shows."""
    shown = app.query_one("#list-note", Static)
    return str(shown.render()) if shown.display else None


async def test_choosing_a_failed_feed_shows_its_error_and_what_to_do(tmp_path: Path) -> None:
    app = make_app(tmp_path, feeds=[FEED])
    now = time.time()
    with Cache(app.locations.cache_file) as cache:
        cache.save_feed_state(
            FeedState(
                FEED,
                title="Harbour [b]News[/b]",
                last_attempt=now - 300,
                last_success=now - 2 * 86_400,
                last_error="connection refused",
            )
        )
    async with app.run_test(size=(120, 30)) as pilot:
        await tree_counted(app, pilot)
        await pilot.pause()
        assert note(app) is None  # All has articles and no error of its own
        await choose(app, pilot, Selection(NodeKind.FEED, ("Test", "Loopback"), FEED))
        assert await until(pilot, lambda: note(app) is not None)
        said = note(app)
        assert said == (
            f"Last refresh failed 5 minutes ago: connection refused ({FEED}). "
            "Last succeeded 2 days ago. Check the address in feeds.toml or press r to try again."
        )
        assert app.query_one("#list-note", Static).has_class("-failed")
        await choose(app, pilot, Selection(NodeKind.CATEGORY, ("world",)))
        assert await until(pilot, lambda: note(app) is None)


async def test_an_empty_node_says_so(tmp_path: Path) -> None:
    app = make_app(tmp_path, feeds=[FEED])
    async with app.run_test(size=(80, 24)) as pilot:
        await tree_counted(app, pilot)
        await pilot.pause()
        await choose(app, pilot, Selection(NodeKind.STARRED))
        assert await until(pilot, lambda: note(app) == "No starred articles.")
        await choose(app, pilot, Selection(NodeKind.CATEGORY, ("Test",)))
        assert await until(pilot, lambda: note(app) == "No articles in “Test”.")
        await choose(app, pilot, Selection(NodeKind.FEED, ("Test", "Loopback"), FEED))
        assert await until(pilot, lambda: note(app) == f"No articles in “{FEED}”.")


async def test_one_click_on_a_row_opens_its_article(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(120, 30)) as pilot:
        await tree_counted(app, pilot)
        await pilot.pause()
        article_list = app.query_one(ArticleList)
        row = titles(app).index(TRAM)
        assert row != article_list.cursor_row
        await pilot.click(ArticleList, offset=(40, 1 + row))
        assert await until(pilot, lambda: shown_title(app) == TRAM)
        assert article_list.cursor_row == row
        harbour = titles(app).index(HARBOUR)
        await pilot.click(ArticleList, offset=(10, 1 + harbour))
        assert await until(pilot, lambda: shown_title(app) == HARBOUR)
        await pilot.click(ArticleList, offset=(10, 0))  # the header opens nothing
        await pilot.pause()
        assert shown_title(app) == HARBOUR


def many() -> dict[str, str]:
    """Forty one-line stories in forty categories, and one long article of forty sections."""
    stories = {
        f"story-{n:02}.md": f"---\ntitle: Story {n}\ncategories: Topic {n:02}\n---\n\nText {n}.\n"
        for n in range(40)
    }
    sections = "\n\n".join(
        f"## Section {n}\n\nParagraph {n} of the long article, long enough to wrap."
        for n in range(40)
    )
    return stories | {"long-article.md": f"# The Long Article\n\n{sections}\n"}


async def wheel(pilot: Pilot[None], widget: Widget, times: int = 5) -> None:
    """Turn the mouse wheel down over a widget."""
    for _ in range(times):
        await pilot._post_mouse_events([events.MouseScrollDown], widget, offset=(2, 2))


def scrolled(pane: Widget, *, to_top: bool) -> Callable[[], bool]:
    """Whether a pane is at its top (or has left it)."""
    return lambda: (pane.scroll_y == 0) == to_top


async def test_the_mouse_wheel_scrolls_every_pane(tmp_path: Path) -> None:
    app = make_app(tmp_path, extra=many())
    async with app.run_test(size=(120, 30)) as pilot:
        await tree_counted(app, pilot)
        await pilot.pause()
        await open_titled(app, pilot, "The Long Article")
        await pilot.press("t")  # the outline
        await pilot.pause()
        outline = app.query_one("#outline", OptionList)
        panes: list[Widget] = [
            app.query_one(CategoryTree),
            app.query_one(ArticleList),
            app.query_one(ArticleView),
            outline,
        ]
        for pane in panes:
            assert pane.region.height > 0 and pane.max_scroll_y > 0, pane
            pane.scroll_home(animate=False)
            assert await until(pilot, scrolled(pane, to_top=True)), pane
            await wheel(pilot, pane)
            assert await until(pilot, scrolled(pane, to_top=False)), pane


async def test_opening_an_article_draws_it_before_the_list_redraws_its_row(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from textual.screen import Screen

    happened: list[str] = []
    refresh = Screen._compositor_refresh
    update_cell_at = ArticleList.update_cell_at

    def frame(screen: Screen[object]) -> None:
        happened.append("frame")
        refresh(screen)

    def cell(article_list: ArticleList, *args: object, **kwargs: object) -> None:
        happened.append("cell")
        update_cell_at(article_list, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Screen, "_compositor_refresh", frame)
    monkeypatch.setattr(ArticleList, "update_cell_at", cell)
    app = make_app(tmp_path)
    async with app.run_test(size=(120, 30)) as pilot:
        await tree_counted(app, pilot)
        article_list = app.query_one(ArticleList)
        await pilot.pause()
        happened.clear()
        await pilot.press("n")
        assert await until(pilot, lambda: "cell" in happened)
        opened = app.query_one(ArticleView).article
        assert opened is not None
        row = article_list.summaries.index(
            next(s for s in article_list.summaries if s.id == opened.id)
        )
        assert "●" not in str(article_list.get_row_at(row)[0])  # its dot cleared
    assert "frame" in happened[: happened.index("cell")], happened


async def test_n_pressed_twice_at_once_opens_two_articles(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(120, 30)) as pilot:
        await tree_counted(app, pilot)
        await pilot.press("n", "n")
        assert await until(
            pilot, lambda: sum(s.read for s in app.query_one(ArticleList).summaries) == 2
        )
        with Cache(app.locations.cache_file) as cache:
            assert len([s for s in cache.list_articles((), limit=100) if s.read]) == 2
