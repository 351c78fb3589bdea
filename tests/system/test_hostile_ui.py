"""Outside text in every widget of the reader, and category paths of any depth.

Textual reads a string given to most widgets as content markup. A section
heading such as ``[@click=app.quit]Summary[/]`` put into the outline as a string
became a button that quit the reader, and a broken one (``[/]``) crashed it.
Every widget must be given rich ``Text``: here the reader is loaded with hostile
headings, titles, feed names, categories, authors and error messages, and what
each widget draws is inspected as its segments and their styles.

The hostile markup names styles newsreader never draws (strike, blink, conceal,
two colours of its own) and actions and links (newsreader puts neither ``@click``
nor ``link`` into any segment; its one meta is a link's number on its marked text
in the pane, ``LINK_META``, never an action). A segment carrying any of them was
styled by outside text; the markup must also be shown as written.

A category path thousands of levels deep killed the reader at start with a
RecursionError (and for good, since the cache kept it): paths are bounded on the
way in, and the tree is built without recursion and at most as deep as the bound.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import time
from collections.abc import Callable, Iterable
from pathlib import Path

import pytest
from rich.style import Style
from textual.geometry import Region
from textual.notifications import SeverityLevel
from textual.pilot import Pilot
from textual.widget import Widget
from textual.widgets import OptionList, Static

from newsreader.cache import Cache, join_category
from newsreader.config import load_config
from newsreader.links import resolve
from newsreader.model import MAX_CATEGORY_CHARS, MAX_CATEGORY_DEPTH, CategoryNode
from newsreader.opml import MAX_DEPTH, OpmlError, read_opml
from newsreader.paths import Locations
from newsreader.render import LINK_META
from newsreader.tree import NodeKind, Selection, TreeItem, build_tree
from newsreader.ui.app import NewsReaderApp
from newsreader.ui.widgets.article_list import ArticleList, ListQuery
from newsreader.ui.widgets.article_view import ArticleView
from newsreader.ui.widgets.category_tree import MAX_LABEL_CHARS, CategoryTree
from tests.helpers.browser import graphical_browser
from tests.helpers.cli import CliRunner, run_newsreader
from tests.helpers.hostile import assert_clean
from tests.helpers.paths import HOSTILE
from tests.helpers.reader import tree_counted
from tests.hostile.generate import DEEP_CATEGORIES, LONG_CATEGORY_CHARS, write_generated
from tests.loopback import LoopbackServer, Reply, Request, static

FOREIGN_COLOURS = frozenset({"#13579b", "#2468ac"})
"""Colours only the hostile markup names."""
REASON = "[@click=app.quit]Bad[/] [#13579b on #2468ac strike]gateway[/]"
"""The reason phrase of the loopback server's failures."""
FEED_TITLE = "[@click=app.quit]Feed[/] [#13579b on #2468ac strike]Title[/]"
"""The channel title of feeds/headings-markup.rss."""
NAMED_FEED = "[@click=app.quit]Named[/] feed"
FEED_CATEGORY = "[@click=app.quit]Feeds/[#13579b on #2468ac strike]Sub"
LOCAL_CATEGORY = "[@click=app.mark_all_read]Local"
WAIT = 60.0
"""The longest any poll waits (a refresh imports every hostile article)."""


# What the widgets draw


def _strips(widget: Widget) -> list[list[tuple[str, Style | None]]]:
    """The lines a widget draws now, as (text, style) segments; padding included."""
    width, height = widget.outer_size
    return [
        [(segment.text, segment.style) for segment in strip]
        for strip in widget.render_lines(Region(0, 0, width, height))
    ]


def _foreign(style: Style) -> str | None:
    """What in a style newsreader never draws, if anything: outside text made it."""
    if style.meta and "@click" in style.meta:
        return f"the action {style.meta['@click']!r}"
    if style.meta and LINK_META in style.meta and type(style.meta[LINK_META]) is not int:
        return f"the link meta {style.meta[LINK_META]!r}"
    if style.link:
        return f"a link to {style.link!r}"
    for name in ("strike", "blink", "blink2", "conceal"):
        if getattr(style, name):
            return name
    for colour in (style.color, style.bgcolor):
        triplet = colour.triplet if colour is not None else None
        if triplet is not None and triplet.hex in FOREIGN_COLOURS:
            return f"the colour {triplet.hex}"
    return None


BORDERS = str.maketrans("", "", "▌▐▏▕▎▊│┃─━╭╮╰╯┌┐└┘▁▔█")


def _squeezed(text: str) -> str:
    """Text without white space and border lines: wrapping and frames change only those."""
    return "".join(text.translate(BORDERS).split())


def _drawn(app: NewsReaderApp, where: str) -> str:
    """The text of every visible widget, line by line, after checking its styles.

    Each widget is drawn on its own (what is scrolled out of a pane too), toasts
    and modal screens included, and the composed screen is checked as well.
    """
    texts: list[str] = []
    lines = [line for widget in _visible(app) for line in _strips(widget)]
    composed = [
        [(segment.text, segment.style) for segment in strip]
        for strip in app.screen._compositor.render_strips()
    ]
    for line in lines + composed:
        for text, style in line:
            problem = _foreign(style) if style else None
            assert problem is None, f"{where}: {text!r} is drawn with {problem}"
    for line in lines:
        texts.append("".join(text for text, _ in line))
    drawn = "\n".join(texts)
    assert_clean(drawn, where)
    return drawn


def _visible(app: NewsReaderApp) -> Iterable[Widget]:
    for widget in app.screen.walk_children(Widget):
        if widget.display and widget.size.area and all(a.display for a in widget.ancestors):
            yield widget


def check(app: NewsReaderApp, where: str, *written: str) -> None:
    """The screen has no foreign style, and each of ``written`` is shown as written."""
    drawn = _squeezed(_drawn(app, where))
    for text in written:
        assert _squeezed(text) in drawn, f"{where}: {text!r} is not shown as written"
    assert app.is_running, f"{where}: the reader stopped"


async def until(pilot: Pilot[None], condition: Callable[[], bool], seconds: float = WAIT) -> None:
    """Let the app run until ``condition`` holds; fail after ``seconds``."""
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out waiting"
        await pilot.pause(0.05)


def _status(app: NewsReaderApp) -> str:
    return str(app.query_one("#status-text", Static).render())


# The reader loaded with hostile input


def _failing(_request: Request) -> Reply:
    return Reply(502, b"", reason=REASON)


def _reader(
    tmp_path: Path, server: LoopbackServer, *, offline: bool = False, refresh: bool = True
) -> NewsReaderApp:
    """A reader on the hostile articles (a local source) and three loopback feeds."""
    articles = tmp_path / "articles"
    shutil.copytree(HOSTILE / "articles", articles)
    host = server.base.removeprefix("http://").rstrip("/").encode()
    for name in ("headings-markup.rss", "markup.rss"):
        body = (HOSTILE / "feeds" / name).read_bytes().replace(b"@@LOOPBACK@@", host)
        server.routes[f"/{name}"] = static(body)
    server.routes["/named.rss"] = _failing
    server.routes["/broken-page"] = _failing
    server.routes["/gone"] = lambda _request: Reply(502, b"", reason=REASON, delay=1.0)
    config = tmp_path / "feeds.toml"
    config.write_text(
        "[settings]\ntimeout = 5\n\n"
        f'[[feeds]]\nurl = "{server.url("headings-markup.rss")}"\n'
        f'category = "{FEED_CATEGORY}"\n\n'
        f'[[feeds]]\nurl = "{server.url("markup.rss")}"\n\n'
        f'[[feeds]]\nurl = "{server.url("named.rss")}"\nname = "{NAMED_FEED}"\n'
        'category = "[blink]Blink"\n\n'
        f'[[local]]\npath = "articles"\ncategory = "{LOCAL_CATEGORY}"\n',
        encoding="utf-8",
    )
    locations = Locations(config, tmp_path / "data", config_given=True)
    return NewsReaderApp(locations, load_config(config), offline=offline, refresh_on_start=refresh)


async def _refreshed(app: NewsReaderApp, pilot: Pilot[None]) -> None:
    await until(pilot, lambda: "new article" in _status(app) or "Every feed" in _status(app))
    await pilot.pause()


def _record_notices(app: NewsReaderApp, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every notice the app gives from now on, as "title: message" (toasts expire)."""
    said: list[str] = []
    notify = app.notify

    def record(
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = False,
    ) -> None:
        said.append(f"{title}: {message}")
        notify(message, title=title, severity=severity, timeout=timeout, markup=markup)

    monkeypatch.setattr(app, "notify", record)
    return said


async def test_every_widget_draws_outside_text_as_written(
    tmp_path: Path, server: LoopbackServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    graphical_browser(monkeypatch, lambda url: True)  # no browser here
    monkeypatch.chdir(tmp_path)  # where an app.screenshot action would write
    app = _reader(tmp_path, server)
    notices = _record_notices(app, monkeypatch)
    async with app.run_test(size=(250, 60), notifications=True, tooltips=True) as pilot:
        await tree_counted(app, pilot)
        # The start: a refresh in which one feed fails with a markup reason.
        await _refreshed(app, pilot)
        assert any(n.startswith("Refresh: ") and NAMED_FEED in n for n in notices), notices
        check(app, "after the first refresh", FEED_CATEGORY.split("/")[0])

        # A feed that worked fails: its title and its error in a notice.
        server.routes["/headings-markup.rss"] = _failing
        await pilot.press("r")
        await until(pilot, lambda: any("2 feeds failed" in notice for notice in notices))
        await pilot.pause()
        check(app, "a feed fails", f"HTTP 502 {REASON}")
        await _refreshed(app, pilot)
        # Their names and errors in the list of failed feeds.
        await pilot.press("F")
        await until(pilot, lambda: type(app.screen).__name__ == "FailuresScreen")
        await pilot.pause()
        check(app, "the failed feeds", FEED_TITLE, f"HTTP 502 {REASON}", NAMED_FEED)
        await pilot.press("escape")
        await until(pilot, lambda: type(app.screen).__name__ != "FailuresScreen")

        # The tree, full width as on a narrow terminal, every node open.
        await pilot.resize_terminal(99, 60)
        await until(pilot, lambda: app.screen.has_class("-narrow"))
        await pilot.press("c")
        await until(pilot, lambda: app.query_one(CategoryTree).region.width > 90)
        tree = app.query_one(CategoryTree)
        tree.root.expand_all()
        await pilot.pause()
        labels = [
            "[@click=app.quit]Feeds", "[#13579b on #2468ac strike]Sub", LOCAL_CATEGORY,
            "[@click=app.quit]Cat", "[blink on #2468ac]Sub", "[blink]Blink", FEED_TITLE,
            NAMED_FEED, "[bold]Markup[/bold] feed",
        ]  # fmt: skip
        check(app, "the tree", *labels)
        # Each node chosen in turn: the list of its articles.
        nodes = [node for node in tree._all_nodes() if node.data is not None]
        assert len(nodes) >= len(labels) + 3
        for node in nodes:
            if not app.screen.has_class("-tree-open"):
                await pilot.press("c")
                await pilot.pause()
            tree.select_node(node)
            await pilot.pause()
            check(app, f"the list of {str(node.label)!r}")

        # Every article, its outline and its links, on a wide terminal.
        await pilot.resize_terminal(250, 60)
        await until(pilot, lambda: not app.screen.has_class("-narrow"))
        article_list = app.query_one(ArticleList)
        article_list.load(ListQuery(Selection(NodeKind.ALL)))
        await pilot.pause()
        while article_list.load_more():
            pass
        await pilot.pause()
        summaries = list(article_list.summaries)
        assert len(summaries) >= 14
        check(app, "every article listed", "Markup [@click=app.quit]Quit[/] title")
        view = app.query_one(ArticleView)
        outline = app.query_one("#outline", OptionList)
        headings_seen = 0
        for summary in summaries:
            assert app.main_screen.show_article(summary.id)
            await pilot.pause()
            stored = view.article
            assert stored is not None
            article = stored.article
            where = f"article {article.title!r}"
            headings = [s.heading for s in article.sections if s.heading]
            check(app, where, article.title, *headings)
            await pilot.press("t")
            await pilot.pause()
            assert outline.display
            check(app, f"{where}, outline", *headings)
            headings_seen += len(headings)
            await pilot.press("t")
            await pilot.pause()
            for number, link in enumerate(view.links):
                reachable = link.url is None or link.url.startswith(server.base)
                if not reachable and not resolve(link, app.cache):
                    continue  # a web address elsewhere: nothing here may leave the machine
                view.select_link(number)
                await pilot.press("enter")
                await pilot.pause()
                if link.url and link.url.startswith(server.url("gone")):
                    await until(pilot, lambda: "Fetching" in _status(app))
                    check(app, f"{where}, fetching link {number + 1}", link.url)
                if link.url and link.url.startswith(server.base):
                    said = f"Cannot open {link.url}"
                    await until(pilot, lambda: any(said in n for n in notices))  # noqa: B023
                    await pilot.pause()
                    check(app, f"{where}, link {number + 1} failed", f"HTTP 502 {REASON}")
                else:
                    check(app, f"{where}, link {number + 1}")
                if view.article is None or view.article.id != summary.id:
                    await pilot.press("backspace")
                    await pilot.pause()
        assert headings_seen >= 16
        assert any("not in the cache" in notice for notice in notices), notices
        assert len(server.requests_to("/broken-page")) == len(server.requests_to("/gone")) == 1

        # The help screen and the command palette.
        await pilot.press("question_mark")
        await pilot.pause()
        check(app, "help", "] / [")
        await pilot.press("escape")
        await pilot.press("ctrl+p")
        await pilot.pause()
        check(app, "command palette")
        await pilot.press(*"outline")
        await pilot.pause()
        check(app, "command palette, searched")
        await pilot.press("escape")
        await pilot.pause()
        check(app, "the end")
        assert app.is_running
    assert not any(tmp_path.rglob("*.svg"))


async def test_clicking_every_outline_heading_runs_no_action(
    tmp_path: Path, server: LoopbackServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # where [@click=app.screenshot(...)] would write
    app = _reader(tmp_path, server, offline=True)
    async with app.run_test(size=(160, 50), notifications=True, tooltips=True) as pilot:
        await tree_counted(app, pilot)
        await _refreshed(app, pilot)
        [summary] = [
            s for s in app.query_one(ArticleList).summaries if s.source.endswith("markup.md")
            and "Front" in s.title
        ]  # fmt: skip
        assert app.main_screen.show_article(summary.id)
        await pilot.pause()
        unread_before = app.cache.special_counts()[1]
        assert unread_before > 1
        await pilot.press("t")
        await pilot.pause()
        outline = app.query_one("#outline", OptionList)
        assert outline.option_count == 6
        # The first line of each heading, where its words begin (read as markup,
        # the action's words would be there), past the border and the padding.
        first_lines: dict[int, int] = {}
        for y, line in enumerate(_strips(outline)):
            for _, style in line:
                option = style.meta.get("option") if style and style.meta else None
                if option is not None:
                    first_lines.setdefault(option, y)
        assert sorted(first_lines) == list(range(6))
        # Last first, so that read as markup the quit would come after the rest.
        for option, y in sorted(first_lines.items(), reverse=True):
            assert await pilot.click(outline, offset=(3, y))
            assert app.is_running, f"a click on heading {option} quit the reader"
            assert outline.highlighted == option  # chosen, as a click on a heading does
        await pilot.pause()
        assert app.cache.special_counts()[1] == unread_before  # nothing was marked read
        assert app.is_running
    assert not (tmp_path / "hostile-screenshot").exists()
    assert not any(tmp_path.rglob("*.svg"))


async def test_broken_markup_headings_open_in_the_outline(
    tmp_path: Path, server: LoopbackServer
) -> None:
    app = _reader(tmp_path, server, offline=True)
    async with app.run_test(size=(160, 50), notifications=True, tooltips=True) as pilot:
        await tree_counted(app, pilot)
        await _refreshed(app, pilot)
        [summary] = [
            s for s in app.query_one(ArticleList).summaries
            if s.title == "Broken Markup In Headings"
        ]  # fmt: skip
        assert app.main_screen.show_article(summary.id)
        await pilot.pause()
        await pilot.press("t")
        await pilot.pause()
        outline = app.query_one("#outline", OptionList)
        prompts = [str(outline.get_option_at_index(i).prompt) for i in range(6)]
        assert prompts == [
            "[/] closing nothing",
            "[/bold] closing what was never opened",
            "[link=https://hostile.example/open Unclosed link",
            "[bold]Opened and never closed",
            "[@click=app.bell(]Broken call[/]",
            "[#13579b on]Half a colour[/]",
        ]
        check(app, "broken outline", *prompts)
        await pilot.press("t")
        await pilot.pause()
        assert app.is_running


async def test_the_layout_follows_the_terminal_as_it_is_resized(tmp_path: Path) -> None:
    # The walk above narrows the terminal to see the tree full width: the app's
    # own size is updated only after the resize event, so the event's is used.
    config = tmp_path / "feeds.toml"
    config.write_text("", encoding="utf-8")
    locations = Locations(config, tmp_path / "data", config_given=True)
    app = NewsReaderApp(locations, load_config(config), offline=True, refresh_on_start=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await tree_counted(app, pilot)
        assert not app.screen.has_class("-narrow")
        await pilot.resize_terminal(80, 40)
        await until(pilot, lambda: app.screen.has_class("-narrow"), 10)
        await pilot.resize_terminal(120, 40)
        await until(pilot, lambda: not app.screen.has_class("-narrow"), 10)


# Category paths of any depth


def test_the_outline_nesting_of_opml_has_the_same_bound() -> None:
    assert MAX_DEPTH == MAX_CATEGORY_DEPTH == 32
    assert MAX_CATEGORY_CHARS == 200


def _nested_opml(path: Path, depth: int) -> Path:
    path.write_text(
        '<?xml version="1.0"?><opml version="2.0"><head/><body>'
        + "".join(f'<outline text="level-{n}">' for n in range(depth))
        + '<outline type="rss" xmlUrl="https://hostile.example/deep.xml"/>'
        + "</outline>" * depth
        + "</body></opml>\n",
        encoding="utf-8",
    )
    return path


def test_opml_nested_as_deep_as_the_bound_is_read_and_one_level_more_refused(
    tmp_path: Path,
) -> None:
    [feed] = read_opml(_nested_opml(tmp_path / "at.opml", MAX_CATEGORY_DEPTH))
    assert feed.category == tuple(f"level-{n}" for n in range(MAX_CATEGORY_DEPTH))
    with pytest.raises(OpmlError, match="nested more than 32"):
        read_opml(_nested_opml(tmp_path / "over.opml", MAX_CATEGORY_DEPTH + 1))


def _shown(cli: CliRunner, article_id: int) -> dict[str, object]:
    shown = cli("show", str(article_id), "--json")
    assert shown.code == 0, shown.err
    result: dict[str, object] = json.loads(shown.out)
    return result


def _article_ids(cli: CliRunner) -> dict[str, int]:
    listed = cli("list", "--json")
    assert listed.code == 0, listed.err
    rows = [json.loads(line) for line in listed.out.splitlines()]
    return {row["title"]: row["id"] for row in rows}


def test_a_category_path_5000_deep_is_stored_32_deep(cli: CliRunner, tmp_path: Path) -> None:
    generated = write_generated(tmp_path / "generated")
    deep, long = generated["deep-categories-5000.md"], generated["long-category-100000.md"]
    levels = [f"level-{n}" for n in range(DEEP_CATEGORIES)]
    assert deep.read_text(encoding="utf-8").count("level-") == DEEP_CATEGORIES

    imported = cli("import", str(deep), str(long))
    assert imported.code == 0, imported.err
    ids = _article_ids(cli)
    assert _shown(cli, ids["Deep Categories"])["categories"] == levels[:MAX_CATEGORY_DEPTH]
    # A part of 100,000 characters is cut to the bound.
    assert _shown(cli, ids["Long Category"])["categories"] == ["Top", "n" * MAX_CATEGORY_CHARS]
    assert LONG_CATEGORY_CHARS > MAX_CATEGORY_CHARS


def test_the_root_given_on_import_is_kept_first(cli: CliRunner, tmp_path: Path) -> None:
    deep = write_generated(tmp_path / "generated")["deep-categories-5000.md"]
    root = "/".join(f"root-{n}" for n in range(3))
    imported = cli("import", "--category", root, str(deep))
    assert imported.code == 0, imported.err
    categories = _shown(cli, _article_ids(cli)["Deep Categories"])["categories"]
    expected = ["root-0", "root-1", "root-2"] + [f"level-{n}" for n in range(29)]
    assert categories == expected and len(expected) == MAX_CATEGORY_DEPTH
    # A root deeper than the bound is itself cut: the article's own path is dropped.
    deep_root = "/".join(f"r{n}" for n in range(DEEP_CATEGORIES))
    again = tmp_path / "again.md"
    again.write_text("---\ntitle: Again\ncategories: own/path\n---\n\nBody text.\n")
    assert cli("import", "--category", deep_root, str(again)).code == 0
    shown = _shown(cli, _article_ids(cli)["Again"])["categories"]
    assert shown == [f"r{n}" for n in range(MAX_CATEGORY_DEPTH)]


def test_folders_nested_deeper_than_the_bound_are_stored_32_deep(
    cli: CliRunner, tmp_path: Path
) -> None:
    folder = tmp_path / "top"
    names = [f"f{n}" for n in range(MAX_CATEGORY_DEPTH + 8)]
    deepest = folder.joinpath(*names)
    deepest.mkdir(parents=True)
    (deepest / "story.md").write_text("# Folded Story\n\nA story many folders down.\n")
    assert cli("import", str(folder)).code == 0
    categories = _shown(cli, _article_ids(cli)["Folded Story"])["categories"]
    assert categories == names[:MAX_CATEGORY_DEPTH]


def _deep_chain(depth: int) -> CategoryNode:
    """A category tree that is one path ``depth`` levels deep (built without recursion)."""
    root = CategoryNode("", ())
    parent = root
    path: tuple[str, ...] = ()
    for level in range(depth):
        path = (*path, f"c{level}")
        node = CategoryNode(f"c{level}", path, 1, 1)
        parent.children[node.name] = node
        parent = node
    return root


def _depth(items: list[TreeItem]) -> int:
    deepest = 0
    stack = [(item, 1) for item in items]
    while stack:
        item, depth = stack.pop()
        deepest = max(deepest, depth)
        stack.extend((child, depth + 1) for child in item.children)
    return deepest


def test_build_tree_folds_any_depth_without_recursion() -> None:
    from newsreader.config import FeedConfig

    chain = _deep_chain(2_000)  # past the recursion limit; each node holds its path (16 MB)
    feed = FeedConfig("https://a.example/rss", "Deep feed", tuple(f"c{n}" for n in range(5_000)))
    items = build_tree(chain, [feed], {}, {}, (1, 1, 0))
    assert _depth(items) == MAX_CATEGORY_DEPTH + 1  # the categories, then the feed
    deepest = items[3]
    for _ in range(MAX_CATEGORY_DEPTH - 1):
        [deepest] = deepest.children
    assert deepest.selection.path == tuple(f"c{n}" for n in range(MAX_CATEGORY_DEPTH))
    assert (deepest.total_count, [c.label for c in deepest.children]) == (1, ["Deep feed"])


async def test_the_category_tree_widget_draws_any_depth_without_recursion(
    tmp_path: Path,
) -> None:
    config = tmp_path / "feeds.toml"
    config.write_text("", encoding="utf-8")
    locations = Locations(config, tmp_path / "data", config_given=True)
    app = NewsReaderApp(locations, load_config(config), offline=True, refresh_on_start=False)
    top = TreeItem("c0", Selection(NodeKind.CATEGORY, ("c0",)))
    item = top
    for level in range(1, DEEP_CATEGORIES):
        child = TreeItem(f"c{level}", Selection(NodeKind.CATEGORY, (f"c{level}",)))
        item.children.append(child)
        item = child
    async with app.run_test(size=(120, 40), notifications=True, tooltips=True) as pilot:
        await tree_counted(app, pilot)
        tree = app.query_one(CategoryTree)
        tree.show([top])
        tree.show([top])  # again, keeping what was open
        await pilot.pause()
        assert len(tree._all_nodes()) == DEEP_CATEGORIES
        check(app, "a tree 5,000 deep", "c0")


def _deep_cache(tmp_path: Path, cli: CliRunner) -> tuple[Path, Path, list[str]]:
    """A cache holding a category path 5,000 levels deep, as an older version could write."""
    (tmp_path / "deep.md").write_text("# Deep Story\n\nAn article very far down.\n")
    (tmp_path / "long.md").write_text("# Long Story\n\nAn article under a long name.\n")
    assert cli("import", str(tmp_path / "deep.md"), str(tmp_path / "long.md")).code == 0
    ids = _article_ids(cli)
    levels = [f"level-{n}" for n in range(DEEP_CATEGORIES)]
    cache_file = tmp_path / "data" / "cache.sqlite3"
    with sqlite3.connect(cache_file) as db:
        db.execute(
            "UPDATE articles SET category = ? WHERE id = ?",
            (join_category(levels), ids["Deep Story"]),
        )
        db.execute(
            "UPDATE articles SET category = ? WHERE id = ?",
            (join_category(["Long", "x" * LONG_CATEGORY_CHARS]), ids["Long Story"]),
        )
    db.close()
    config = tmp_path / "feeds.toml"
    # A feed filed 5,000 deep in the config (its category is not an article's).
    config.write_text(
        '[[feeds]]\nurl = "http://127.0.0.1:9/deep.xml"\nname = "Deep feed"\n'
        f'category = "{"/".join(f"c{n}" for n in range(DEEP_CATEGORIES))}"\n',
        encoding="utf-8",
    )
    return cache_file, config, levels


async def test_a_cache_holding_a_5000_deep_path_opens(cli: CliRunner, tmp_path: Path) -> None:
    cache_file, config, levels = _deep_cache(tmp_path, cli)
    with Cache(cache_file) as cache:
        tree = cache.category_tree()
    assert set(tree.children) == {"level-0", "Long"}
    node, depth = tree.children["level-0"], 1
    while node.children:
        [node] = node.children.values()
        depth += 1
    assert depth == MAX_CATEGORY_DEPTH and (node.total_count, node.unread_count) == (1, 1)

    locations = Locations(config, tmp_path / "data", config_given=True)
    started = time.monotonic()
    app = NewsReaderApp(locations, load_config(config), offline=True, refresh_on_start=False)
    async with app.run_test(size=(160, 50), notifications=True, tooltips=True) as pilot:
        await tree_counted(app, pilot)
        await pilot.pause()
        assert time.monotonic() - started < 15
        widget = app.query_one(CategoryTree)
        widget.root.expand_all()
        await pilot.pause()
        nodes = widget._all_nodes()
        paths = {n.data.path: n for n in nodes if n.data and n.data.kind is NodeKind.CATEGORY}
        assert max(len(path) for path in paths) == MAX_CATEGORY_DEPTH
        labels = [str(n.label) for n in nodes]
        assert max(len(label) for label in labels) <= MAX_LABEL_CHARS + len(" (1)")
        assert any(label.startswith("x" * (MAX_LABEL_CHARS - 1) + "…") for label in labels)
        assert any(label.startswith("Deep feed") for label in labels)
        check(app, "the deep tree", "level-0")
        widget.select_node(paths[tuple(levels[:MAX_CATEGORY_DEPTH])])
        await pilot.pause()
        article_list = app.query_one(ArticleList)
        assert [s.title for s in article_list.summaries] == ["Deep Story"]
        assert app.main_screen.show_article(article_list.summaries[0].id)
        await pilot.pause()
        check(app, "the deep article", "Deep Story", "level-4999")
        assert app.is_running

    data = tmp_path / "data"
    listed = run_newsreader("list", data_dir=data, config=config)
    assert listed.returncode == 0 and "Deep Story" in listed.stdout, listed.stderr
    ids = _article_ids(cli)
    shown = run_newsreader("show", str(ids["Deep Story"]), data_dir=data, config=config)
    assert shown.returncode == 0 and "level-4999" in shown.stdout, shown.stderr
    as_json = run_newsreader("show", str(ids["Deep Story"]), "--json", data_dir=data, config=config)
    assert json.loads(as_json.stdout)["categories"] == levels
    under = run_newsreader("list", "--category", "level-0/level-1", data_dir=data, config=config)
    assert under.returncode == 0 and "Deep Story" in under.stdout


def test_a_reader_that_crashes_does_not_exit_0(
    cli: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from newsreader.ui.app import NewsReaderApp
    from newsreader.ui.screens.main import MainScreen

    (tmp_path / "feeds.toml").write_text("")
    run = NewsReaderApp.run

    def headless(self: NewsReaderApp) -> None:  # no terminal here: the same app, headless
        run(self, headless=True)

    def crash(self: MainScreen) -> None:
        raise RuntimeError("a bug in the reader")

    monkeypatch.setattr(NewsReaderApp, "run", headless)
    monkeypatch.setattr(MainScreen, "_recount_tree", crash)
    assert cli("--offline").code != 0


def test_a_configured_category_is_bounded_and_exports(cli: CliRunner, tmp_path: Path) -> None:
    deep = "/".join(f"c{n}" for n in range(5000))
    (tmp_path / "feeds.toml").write_text(
        f'[[feeds]]\nurl = "https://deep.example/rss"\ncategory = "{deep}"\n'
    )
    exported = cli("opml", "export")
    assert exported.code == 0 and "Traceback" not in exported.err
    [feed] = load_config(tmp_path / "feeds.toml").feeds
    assert len(feed.category) == MAX_CATEGORY_DEPTH


async def test_ctrl_c_says_which_key_quits_in_plain_words(tmp_path: Path) -> None:
    from newsreader.paths import Locations
    from newsreader.ui.app import NewsReaderApp

    config = tmp_path / "feeds.toml"
    config.write_text("")
    locations = Locations(config, tmp_path / "data", config_given=True)
    app = NewsReaderApp(locations, load_config(config), offline=True, refresh_on_start=False)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await tree_counted(app, pilot)
        await pilot.press("ctrl+c")
        await pilot.pause()
        [notice] = [n.message for n in app._notifications]
        assert notice.startswith("Press ") and notice.endswith(" to quit the app")
        assert "[" not in notice and " q " in f" {notice.replace(' or ', ' ')} "
