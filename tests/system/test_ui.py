"""The reader, driven through Textual's pilot against a real cache and real files."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import textual.screen
from textual.widgets import Input, OptionList, Static

from newsreader.cache import Cache
from newsreader.config import load_config
from newsreader.importer import import_paths
from newsreader.paths import Locations
from newsreader.prefs import load_prefs
from newsreader.tree import NodeKind
from newsreader.ui.app import NewsReaderApp
from newsreader.ui.widgets.article_list import ArticleList
from newsreader.ui.widgets.article_view import ArticleView
from newsreader.ui.widgets.category_tree import CategoryTree
from tests.helpers.browser import graphical_browser
from tests.helpers.config import write_config
from tests.helpers.paths import ARTICLES
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
from tests.loopback import LoopbackServer, article_page, rss, static


async def test_select_a_category_and_open_an_article(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(140, 40)) as pilot:
        await tree_counted(app, pilot)
        tree = app.query_one(CategoryTree)
        labels = [str(node.label) for node in tree.root.children]
        assert labels[:3] == ["All (9)", "Unread (9)", "Starred"]
        world = next(n for n in tree.root.children if str(n.label).startswith("World"))
        tree.select_node(world)
        await pilot.pause()
        assert set(titles(app)) == {HARBOUR}
        await open_titled(app, pilot, HARBOUR)
        assert shown_title(app) == HARBOUR
        article_id = app.query_one(ArticleView).article.id  # type: ignore[union-attr]
        stored = app.cache.get_article(article_id)
        assert stored is not None and stored.read
        # The tree's counts are redrawn a moment later, once, counted in a worker.
        tree = app.query_one(CategoryTree)
        assert await until(pilot, lambda: str(tree.root.children[1].label) == "Unread (8)")


async def test_outline_lists_headings_and_jumps_to_a_section(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(120, 30)) as pilot:
        await tree_counted(app, pilot)
        await open_titled(app, pilot, HARBOUR)
        await pilot.press("t")
        outline = app.query_one("#outline", OptionList)
        assert outline.display
        headings = [str(outline.get_option_at_index(i).prompt) for i in range(outline.option_count)]
        assert headings == [
            "A Quiet Crossing - Electric Boats Replace the Diesel Fleet",
            "Commuters Welcome the Shorter Journey",
        ]
        view = app.query_one(ArticleView)
        assert view.scroll_y == 0
        outline.highlighted = 1
        await pilot.press("enter")
        await pilot.pause()
        second = view.query(".heading")[1]
        title_height = view.query_one(".title").outer_size.height  # docked: never scrolls
        assert view.scroll_y == pytest.approx(second.virtual_region.y - title_height, abs=1)
        assert view.scroll_y > 10
        await pilot.press("{")
        await pilot.pause()
        assert view.scroll_y < second.virtual_region.y


async def test_the_outline_before_any_article_is_open_says_so(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(120, 30), notifications=True) as pilot:
        await tree_counted(app, pilot)
        await pilot.press("t")  # no article open yet: no empty box, a word instead
        await pilot.pause()
        outline = app.query_one("#outline", OptionList)
        assert not outline.display
        assert [n.message for n in app._notifications] == ["No article is open."]
        await open_titled(app, pilot, "Orphan Story About Lighthouses")  # no headings
        await pilot.press("t")
        await pilot.pause()
        assert outline.display
        assert [str(outline.get_option_at_index(0).prompt)] == ["(no sections)"]


async def test_follow_read_also_then_back_and_forward(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await tree_counted(app, pilot)
        await open_titled(app, pilot, HARBOUR)
        await pilot.press("]")
        assert app.query_one(ArticleView).link_index == 0
        await pilot.press("enter")
        await pilot.pause()
        assert shown_title(app) == TRAM
        await pilot.press("backspace")
        await pilot.pause()
        assert shown_title(app) == HARBOUR
        await pilot.press("alt+right")
        await pilot.pause()
        assert shown_title(app) == TRAM
        await pilot.press("backspace")
        await pilot.press("1")  # numbered hint: follow link 1 directly
        await pilot.pause()
        assert shown_title(app) == TRAM
        assert not app.main_screen.history.can_go_forward


async def test_back_restores_the_scroll_position(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(100, 16)) as pilot:
        await tree_counted(app, pilot)
        await open_titled(app, pilot, HARBOUR)
        view = app.query_one(ArticleView)
        await pilot.press("]")  # the link is at the end: the pane scrolls to it
        await pilot.pause()
        where = view.scroll_y
        assert where > 5
        await pilot.press("enter")
        await pilot.pause()
        assert shown_title(app) == TRAM and view.scroll_y == 0
        await pilot.press("backspace")
        await pilot.pause()
        await pilot.pause()
        assert shown_title(app) == HARBOUR and view.scroll_y == where


async def test_back_returns_to_a_link_followed_before_the_screen_redrew(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A busy machine redraws seldom: ] and Enter then arrive between two redraws, and
    # the position to come back to must be where ] took the pane, not where it was.
    monkeypatch.setattr(textual.screen, "UPDATE_PERIOD", 1.0)
    app = make_app(tmp_path)
    async with app.run_test(size=(100, 16)) as pilot:
        await tree_counted(app, pilot)
        await open_titled(app, pilot, HARBOUR)
        view = app.query_one(ArticleView)
        assert await until(pilot, lambda: view.max_scroll_y > 5)
        await pilot.press("]", "enter")
        assert await until(pilot, lambda: shown_title(app) == TRAM)
        await pilot.press("backspace")
        assert await until(pilot, lambda: shown_title(app) == HARBOUR)
        # ] took the pane from its top down to the link (the related articles follow it).
        assert await until(pilot, lambda: view.scroll_y > 5), view.scroll_y


async def test_a_restored_position_is_reached_when_the_pane_grows_taller_later(
    tmp_path: Path,
) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(70, 16)) as pilot:
        await tree_counted(app, pilot)
        await open_titled(app, pilot, HARBOUR)
        view = app.query_one(ArticleView)
        assert await until(pilot, lambda: view.max_scroll_y > 0)
        bottom, harbour = view.max_scroll_y, view.article
        assert harbour is not None
        await pilot.resize_terminal(99, 16)  # wider (still narrow): the article needs fewer lines
        await open_titled(app, pilot, TRAM)
        app.main_screen.show_article(harbour.id, remember=False, scroll_y=bottom)
        assert await until(pilot, lambda: view.scroll_y > 0)
        assert view.scroll_y < bottom  # as far as the pane went at the first try
        # The article's lines grow after that try (here: the terminal narrows again).
        await pilot.resize_terminal(70, 16)
        assert await until(pilot, lambda: view.scroll_y == bottom, 10), view.scroll_y


async def test_a_link_followed_by_its_number_comes_back_to_where_the_reader_was(
    tmp_path: Path,
) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(100, 16)) as pilot:
        await tree_counted(app, pilot)
        await open_titled(app, pilot, HARBOUR)
        view = app.query_one(ArticleView)
        await pilot.pause()
        assert view.scroll_y == 0 and view.max_scroll_y > 5  # its links are out of view
        await pilot.press("1")
        assert await until(pilot, lambda: shown_title(app) == TRAM)
        await pilot.press("backspace")
        assert await until(pilot, lambda: shown_title(app) == HARBOUR)
        await pilot.pause()
        assert view.scroll_y == 0  # not at the list of links the number named


async def test_an_unresolvable_link_followed_by_its_number_comes_into_view(
    tmp_path: Path,
) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(100, 12), notifications=True) as pilot:
        await tree_counted(app, pilot)
        await open_titled(app, pilot, "Orphan Story About Lighthouses")
        view = app.query_one(ArticleView)
        await pilot.pause()
        assert view.max_scroll_y > 0
        await pilot.press("1")
        assert await until(pilot, lambda: view.scroll_y > 0)
        assert view.link_index == 0


async def test_unresolvable_link_gives_a_notice_and_changes_nothing(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await tree_counted(app, pilot)
        await open_titled(app, pilot, "Orphan Story About Lighthouses")
        await pilot.press("1")
        await pilot.pause()
        assert shown_title(app) == "Orphan Story About Lighthouses"
        messages = [notification.message for notification in app._notifications]
        assert any(
            "A Story That Was Never Written" in m and "not in the cache" in m for m in messages
        )
        assert len(app.main_screen.history) == 1


async def test_search_and_escape(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await tree_counted(app, pilot)
        everything = titles(app)
        await pilot.press("slash")
        assert app.query_one("#search", Input).has_focus
        await pilot.press(*"valve", "enter")
        await pilot.pause()
        assert titles(app) == ["Museum Reopens With a Hall of Old Computers"]
        await pilot.press("escape")
        await pilot.pause()
        assert titles(app) == everything
        assert not app.query_one("#search", Input).display


async def test_star_and_toggle_read(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await tree_counted(app, pilot)
        await open_titled(app, pilot, TRAM)
        article_id = app.query_one(ArticleView).article.id  # type: ignore[union-attr]
        await pilot.press("s")
        await pilot.press("m")
        await pilot.pause()
        stored = app.cache.get_article(article_id)
        assert stored is not None and stored.starred and not stored.read
        tree = app.query_one(CategoryTree)
        assert await until(pilot, lambda: str(tree.root.children[2].label) == "Starred (1)")
        starred = tree.root.children[2]
        tree.select_node(starred)
        await pilot.pause()
        assert titles(app) == [TRAM]


async def test_next_unread_walks_the_list(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await tree_counted(app, pilot)
        first_unread = titles(app)[1]
        app.query_one(ArticleList).move_cursor(row=0)
        await pilot.press("n")
        await pilot.pause()
        assert shown_title(app) == first_unread


async def test_refresh_with_one_failing_feed(tmp_path: Path, server: LoopbackServer) -> None:
    server.routes["/good.xml"] = static(
        rss("Good News", [("g1", "Fresh From The Wire", "<p>New.</p>")])
    )
    app = make_app(tmp_path, feeds=[server.url("good.xml"), server.url("gone.xml")])
    async with app.run_test(size=(140, 40)) as pilot:
        await tree_counted(app, pilot)
        await pilot.press("r")
        await app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.pause()
        status = str(app.query_one("#status-text").render())
        assert "Fresh From The Wire" in titles(app), (
            status,
            [n.message for n in app._notifications],
        )
        tree = app.query_one(CategoryTree)
        labels = [str(node.label) for node in tree._all_nodes()]
        assert any(label.startswith(server.url("gone.xml")) and "✗" in label for label in labels)
        assert any(label.startswith("Good News") and "✗" not in label for label in labels)
        messages = [notification.message for notification in app._notifications]
        assert any("HTTP 404" in m for m in messages)
        # The feed has no name in the config: its own title stands for it, not its address.
        article_list = app.query_one(ArticleList)
        row = titles(app).index("Fresh From The Wire")
        assert str(article_list.get_row_at(row)[2]) == "Good News"
        await open_titled(app, pilot, "Fresh From The Wire")
        assert str(app.query_one("ArticleView .meta", Static).render()).startswith("Good News · ")


async def test_offline_start_shows_the_cache_and_fetches_nothing(
    tmp_path: Path, server: LoopbackServer
) -> None:
    server.routes["/good.xml"] = static(rss("Good News", [("g1", "Fresh", "<p>New.</p>")]))
    app = make_app(tmp_path, feeds=[server.url("good.xml")], offline=True)
    async with app.run_test(size=(120, 40)) as pilot:
        await tree_counted(app, pilot)
        assert HARBOUR in titles(app)
        await pilot.press("r")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert server.requests == []


async def test_narrow_terminal_stacks_the_panes(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await tree_counted(app, pilot)
        await pilot.pause()
        assert app.screen.has_class("-narrow")
        assert (
            not app.query_one(CategoryTree).display or app.query_one(CategoryTree).region.width == 0
        )
        article_list = app.query_one(ArticleList)
        view = app.query_one(ArticleView)
        assert article_list.region.width >= 78 and view.region.width >= 70
        assert article_list.region.y < view.region.y
        await pilot.press("c")
        await pilot.pause()
        tree = app.query_one(CategoryTree)
        assert tree.has_focus and tree.region.width >= 78
        world = next(n for n in tree.root.children if str(n.label).startswith("World"))
        tree.select_node(world)
        await pilot.pause()
        assert set(titles(app)) == {HARBOUR}
        assert tree.region.width == 0 and article_list.region.width >= 78


async def test_help_and_theme_is_remembered(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await tree_counted(app, pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        assert type(app.screen).__name__ == "HelpScreen"
        await pilot.press("escape")
        app.theme = "nord"
        await pilot.pause()
    assert load_prefs(tmp_path / "data")["theme"] == "nord"
    again = NewsReaderApp(app.locations, app.config, refresh_on_start=False)
    async with again.run_test(size=(120, 40)):
        assert again.theme == "nord"


def test_build_tree_puts_feeds_under_their_categories_with_counts_and_marks() -> None:
    from newsreader.config import FeedConfig
    from newsreader.model import CategoryNode, FeedState
    from newsreader.tree import build_tree

    root = CategoryNode("", ())
    world = CategoryNode("World", ("World",), total_count=5, unread_count=3)
    root.children["World"] = world
    feeds = [
        FeedConfig("https://a.example/rss", "Alpha", ("World",)),
        FeedConfig("https://b.example/rss", None, ("Science", "Space")),
    ]
    states = {
        "https://b.example/rss": FeedState(
            "https://b.example/rss", title="Beta", last_error="HTTP 500"
        )
    }
    items = build_tree(root, feeds, {"https://a.example/rss": (5, 3)}, states, (7, 4, 1))
    assert [(i.label, i.unread_count, i.total_count) for i in items[:3]] == [
        ("All", 4, 7),
        ("Unread", 4, 4),
        ("Starred", 0, 1),
    ]
    science, world_item = sorted(items[3:], key=lambda i: i.label)
    assert (world_item.label, world_item.unread_count) == ("World", 3)
    [alpha] = world_item.children
    assert (alpha.label, alpha.selection.kind, alpha.unread_count, alpha.failed) == (
        "Alpha",
        NodeKind.FEED,
        3,
        False,
    )
    [space] = science.children  # a category that has no articles yet still appears
    [beta] = space.children
    assert (beta.label, beta.failed, beta.error) == ("Beta", True, "HTTP 500")


async def test_a_web_link_not_in_the_cache_is_fetched_extracted_and_shown(
    tmp_path: Path, server: LoopbackServer
) -> None:
    paragraphs = [
        f"Paragraph {n} of a page that no feed carried, long enough to be article text."
        for n in range(4)
    ]
    server.routes["/page.html"] = static(
        article_page("A Page From The Web", paragraphs), "text/html"
    )
    app = make_app(tmp_path)
    (tmp_path / "linker.md").write_text(f"# Linker\n\nSee [the page]({server.url('page.html')}).\n")
    with Cache(app.locations.cache_file) as cache:
        import_paths(cache, [tmp_path / "linker.md"], workers=0)
    async with app.run_test(size=(120, 40)) as pilot:
        await tree_counted(app, pilot)
        app.main_screen.article_list.load(app.main_screen.article_list.list_query)
        await open_titled(app, pilot, "Linker")
        await pilot.press("1")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert shown_title(app) == "A Page From The Web"
        view = app.query_one(ArticleView)
        assert view.article is not None and view.article.article.paragraphs == paragraphs
        assert view.article.article.categories == ("Web",)
        await pilot.press("backspace")
        await pilot.pause()
        assert shown_title(app) == "Linker"
        await pilot.press("1")  # now cached: opens without fetching again
        await pilot.pause()
        assert shown_title(app) == "A Page From The Web"
        assert len(server.requests_to("/page.html")) == 1


async def test_first_offline_start_imports_the_local_sources(tmp_path: Path) -> None:
    articles = tmp_path / "articles"
    shutil.copytree(ARTICLES / "world", articles)
    config_path = tmp_path / "feeds.toml"
    config_path.write_text(f'[[local]]\npath = "{articles}"\n')
    locations = Locations(config_path, tmp_path / "data", config_given=True)
    app = NewsReaderApp(locations, load_config(config_path), offline=True)
    async with app.run_test(size=(120, 40)) as pilot:
        await tree_counted(app, pilot)
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert TRAM in titles(app) and HARBOUR in titles(app)


async def test_o_opens_the_selected_link_in_the_system_browser(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened: list[str] = []

    # No browser can run here: record what would have been opened.
    def record(url: str) -> bool:
        opened.append(url)
        return True

    graphical_browser(monkeypatch, record)
    app = make_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await tree_counted(app, pilot)
        await open_titled(app, pilot, "Solar Kiosks Bring Charging to Rural Markets")
        await pilot.press("o")  # no link selected: the article's own address
        await pilot.press("]", "]", "o")  # past the address in the meta: the first link
        await open_titled(app, pilot, TRAM)
        await pilot.press("o")  # a plain-text article has no address
        await pilot.pause()
    assert opened == ["https://example.org/news/solar-kiosks", "https://example.org/report.pdf"]
    assert any("No web address" in n.message for n in app._notifications)


async def test_a_damaged_cache_is_set_aside_and_said_in_the_reader(tmp_path: Path) -> None:
    config_path = write_config(tmp_path / "feeds.toml", [])
    locations = Locations(config_path, tmp_path / "data", config_given=True)
    locations.cache_file.parent.mkdir(parents=True)
    locations.cache_file.write_bytes(b"no database here " * 200)
    app = NewsReaderApp(locations, load_config(config_path), offline=True, refresh_on_start=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await tree_counted(app, pilot)
        await pilot.pause()
        [moved] = sorted(locations.data_dir.glob("cache.sqlite3.damaged-*"))
        assert moved.read_bytes() == b"no database here " * 200
        assert any(str(moved) in n.message for n in app._notifications)
        assert titles(app) == []
