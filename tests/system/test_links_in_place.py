"""The article pane: links marked where their text is (``Mac[1]``), a link cursor
that walks them in reading order, self-links left out, and a reading measure."""

from __future__ import annotations

from pathlib import Path
from xml.sax.saxutils import escape

import pytest
from textual.pilot import Pilot

from newsreader.cache import Cache
from newsreader.config import load_config
from newsreader.importer import import_paths
from newsreader.model import LinkKind
from newsreader.paths import Locations
from newsreader.ui.app import NewsReaderApp
from newsreader.ui.widgets.article_list import ArticleList
from newsreader.ui.widgets.article_view import ArticleView, LinkLine, MetaLink, ParagraphBlock
from tests.helpers.browser import graphical_browser
from tests.helpers.config import write_config
from tests.helpers.reader import until

PAGE = "https://site.example/posts/mac"
TITLE = "Links In Place"
MAC_STORY = "The Mac Story"
FILLER = " ".join(["The ferry crossed the harbour in the early light while the town slept."] * 4)
BODY = (
    '<p>Apple sells the <a href="https://apple.example/mac">Mac</a> and the Machine is not one.</p>'
    + f"<p>{FILLER}</p>" * 30
    + '<p>Later a <a href="https://other.example/bee">Bee</a> flew by.<sup><a href="#fn1">1</a></sup></p>'
    + f'<p>See <a href="{PAGE}">this post</a> and its <a href="{PAGE}#top">top</a>.</p>'
    + '<p>Note one. <a href="#fnref1">↩︎</a></p>'
)
FEED = f"""<?xml version="1.0"?>
<rss version="2.0"><channel><title>Site</title><link>https://site.example/</link>
<item><title>{TITLE}</title><link>{PAGE}</link><guid>{PAGE}</guid>
<pubDate>Tue, 02 Jan 2024 10:00:00 GMT</pubDate>
<enclosure url="https://cdn.example/ep.mp3" type="audio/mpeg" length="48200000"/>
<description>{escape(BODY)}</description></item>
<item><title>{MAC_STORY}</title><link>https://apple.example/mac</link>
<pubDate>Mon, 01 Jan 2024 10:00:00 GMT</pubDate>
<description>The story of a computer.</description></item>
</channel></rss>"""


def _app(tmp_path: Path, settings: str = "timeout = 3") -> NewsReaderApp:
    feed = tmp_path / "site.xml"
    feed.write_text(FEED, encoding="utf-8")
    config = write_config(tmp_path / "feeds.toml", [], settings)
    locations = Locations(config, tmp_path / "data", config_given=True)
    with Cache(locations.cache_file) as cache:
        assert not import_paths(cache, [feed], workers=0).failures
    return NewsReaderApp(locations, load_config(config), offline=True, refresh_on_start=False)


async def _open(app: NewsReaderApp, pilot: Pilot[None], title: str = TITLE) -> ArticleView:
    articles = app.query_one(ArticleList)
    articles.focus()
    articles.move_cursor(row=[s.title for s in articles.summaries].index(title))
    await pilot.press("enter")
    view = app.query_one(ArticleView)
    assert await until(pilot, lambda: view.article is not None and bool(view.stops))
    await pilot.pause()
    return view


def _blocks(view: ArticleView) -> list[ParagraphBlock]:
    return list(view.query(ParagraphBlock).results(ParagraphBlock))


def _in_view(view: ArticleView) -> bool:
    """Whether the selected in-text link's line is on screen, below the docked title."""
    stop = view.selected_stop
    assert stop is not None and isinstance(stop.widget, ParagraphBlock) and stop.anchor
    block = stop.widget
    line = block.virtual_region.y + block.styles.padding.top + block.line_of(stop.anchor)
    title = view.query_one(".title").outer_size.height
    return view.scroll_y + title <= line < view.scroll_y + view.scrollable_content_region.height


async def test_links_are_marked_in_the_text_with_their_numbers(tmp_path: Path) -> None:
    app = _app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        view = await _open(app, pilot)
        text = "\n".join(block.render().plain for block in _blocks(view))  # type: ignore[union-attr]
        assert "Apple sells the Mac[1] and the Machine is not one." in text
        assert "Later a Bee[2] flew by." in text
        assert "this post[" not in text and "top[" not in text and "↩︎[" not in text
        lines = [str(line.render()) for line in view.link_lines]
        related = [link for link in view.links if link.kind is LinkKind.RELATED]
        numbers = [f"[{n}]" for n in range(1, 4 + len(related))]
        assert [line.split()[0] for line in lines] == numbers  # the related ones follow
        assert "Mac" in lines[0] and "Bee" in lines[1] and "ep.mp3" in lines[2]


async def test_self_links_are_neither_listed_nor_stopped_at(tmp_path: Path) -> None:
    app = _app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        view = await _open(app, pilot)
        own = [link for link in view.links if link.kind is not LinkKind.RELATED]
        assert [link.url for link in own] == [
            "https://apple.example/mac",
            "https://other.example/bee",
            "https://cdn.example/ep.mp3",
        ]
        # The related articles are numbered on, after the article's own links.
        walked = [(type(stop.widget).__name__, stop.number) for stop in view.stops]
        walked = [stop for stop in walked if stop[1] is None or stop[1] <= len(own)]
        assert walked == [
            ("MetaLink", None),  # the article's own address
            ("MetaLink", 3),  # its enclosure
            ("ParagraphBlock", 1),
            ("ParagraphBlock", 2),
            ("LinkLine", 1),
            ("LinkLine", 2),
            ("LinkLine", 3),
        ]


async def test_the_cursor_walks_the_meta_then_the_text_then_the_list(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened: list[str] = []

    def record(url: str) -> bool:  # no browser runs here: record what would open
        opened.append(url)
        return True

    graphical_browser(monkeypatch, record)
    app = _app(tmp_path)
    async with app.run_test(size=(120, 30)) as pilot:
        view = await _open(app, pilot)
        await pilot.press("]")
        assert isinstance(view.selected_stop and view.selected_stop.widget, MetaLink)
        assert view.selected_link is not None and view.selected_link.url == PAGE
        await pilot.press("enter")
        await pilot.press("]", "enter")  # the enclosure, in the meta block
        assert await until(pilot, lambda: len(opened) == 2)
        assert opened == [PAGE, "https://cdn.example/ep.mp3"]
        await pilot.press("]")
        assert view.link_index == 0 and "reverse" in str(view.selected_stop.widget.render().spans)  # type: ignore[union-attr]
        await pilot.press("]")  # Bee, thirty paragraphs down: the pane scrolls to it
        assert view.link_index == 1
        assert await until(pilot, lambda: view.scroll_y > 0 and _in_view(view))
        await pilot.press("]")
        stop = view.selected_stop
        assert stop is not None and isinstance(stop.widget, LinkLine) and stop.number == 1
        assert "-selected" in stop.widget.classes
        await pilot.press("[", "[")
        assert view.link_index == 0 and await until(pilot, lambda: _in_view(view))


async def test_digits_follow_the_link_the_text_numbers(tmp_path: Path) -> None:
    app = _app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await _open(app, pilot)
        await pilot.press("2")
        assert await until(
            pilot,
            lambda: any("https://other.example/bee" in n.message for n in app._notifications),
        )


async def test_a_click_on_a_marked_link_follows_it(tmp_path: Path) -> None:
    app = _app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        view = await _open(app, pilot)
        first = _blocks(view)[0]
        column = len("Apple sells the ")
        await pilot.click(first, offset=(column + 1, first.styles.padding.top))
        assert await until(
            pilot, lambda: view.article is not None and view.article.article.title == MAC_STORY
        )


async def test_a_click_beside_a_link_follows_nothing(tmp_path: Path) -> None:
    app = _app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        view = await _open(app, pilot)
        first = _blocks(view)[0]
        await pilot.click(first, offset=(2, first.styles.padding.top))
        await pilot.pause()
        assert view.article is not None and view.article.article.title == TITLE


@pytest.mark.parametrize(("settings", "width"), [("", 80), ("reading_width = 50", 50)])
async def test_a_wide_terminal_keeps_the_text_to_the_reading_width(
    tmp_path: Path, settings: str, width: int
) -> None:
    app = _app(tmp_path, settings)
    async with app.run_test(size=(200, 40)) as pilot:
        view = await _open(app, pilot)
        column = view.scrollable_content_region
        for block in _blocks(view):
            assert block.region.width == width
            left = block.region.x - column.x
            assert abs(left - (column.right - block.region.right)) <= 1  # centred
            for strip in block.render_lines(block.region.reset_offset):
                assert len(strip.text.rstrip()) <= width
        assert "The ferry crossed" in "".join(
            "".join(s.text for s in strip) for strip in app.screen._compositor.render_strips()
        )


async def test_a_reading_width_of_0_is_the_pane_s_full_width(tmp_path: Path) -> None:
    app = _app(tmp_path, "reading_width = 0")
    async with app.run_test(size=(200, 40)) as pilot:
        view = await _open(app, pilot)
        assert _blocks(view)[0].region.width == view.scrollable_content_region.width
