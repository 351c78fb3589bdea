"""Every action answers: no browser, the clipboard, one notice for many failed feeds,
the failed feeds' list, the outline's highlight, the help's close keys, a first run."""

from __future__ import annotations

import webbrowser
from collections.abc import Callable
from pathlib import Path

import pytest
from rich.style import Style
from textual.geometry import Region
from textual.widgets import OptionList, Static

from newsreader.cli import reader_app
from newsreader.paths import Locations
from newsreader.ui.app import NewsReaderApp
from newsreader.ui.screens.failures import FailuresScreen
from tests.helpers.reader import HARBOUR, TRAM, make_app, open_titled, titles, until
from tests.loopback import LoopbackServer, rss, static

SOLAR = "Solar Kiosks Bring Charging to Rural Markets"
SOLAR_URL = "https://example.org/news/solar-kiosks"
SOLAR_LINK = "https://example.org/report.pdf"


def _messages(app: NewsReaderApp) -> list[str]:
    return [notification.message for notification in app._notifications]


def _recorder(opened: list[str]) -> Callable[..., bool]:
    """A stand-in for a browser's ``open``: records the address, says it opened."""

    def record(url: str, *args: object, **kwargs: object) -> bool:
        opened.append(url)
        return True

    return record


def _no_display(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    monkeypatch.setattr("sys.platform", "linux")


async def test_o_without_a_display_says_so_and_offers_the_address(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _no_display(monkeypatch)
    opened: list[str] = []
    monkeypatch.setattr(webbrowser, "open", _recorder(opened))
    app = make_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_titled(app, pilot, SOLAR)
        await pilot.press("o")
        await pilot.pause()
    assert opened == []  # nothing was started in the reader's terminal
    assert f"No browser here; press y to copy the address: {SOLAR_URL}" in _messages(app)


async def test_o_with_only_a_console_browser_runs_none(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DISPLAY", ":0")
    lynx = webbrowser.GenericBrowser("lynx")
    started: list[str] = []
    monkeypatch.setattr(lynx, "open", _recorder(started))
    monkeypatch.setattr(webbrowser, "get", lambda *a: lynx)
    app = make_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_titled(app, pilot, SOLAR)
        await pilot.press("]", "]", "o")  # past the article's own address to its first link
        await pilot.pause()
    assert started == []
    assert f"No browser here; press y to copy the address: {SOLAR_LINK}" in _messages(app)


async def test_y_copies_the_selected_link_else_the_articles_address(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_titled(app, pilot, SOLAR)
        await pilot.press("y")
        await pilot.pause()
        assert app.clipboard == SOLAR_URL
        assert f"Copied {SOLAR_URL}" in _messages(app)
        await pilot.press("]", "]", "y")  # past the article's own address to its first link
        await pilot.pause()
        assert app.clipboard == SOLAR_LINK
        assert f"Copied {SOLAR_LINK}" in _messages(app)
        await open_titled(app, pilot, TRAM)  # a plain-text article has no address
        await pilot.press("y")
        await pilot.pause()
        assert app.clipboard == SOLAR_LINK
        assert "No web address to copy." in _messages(app)


def _text_of(widget: Static) -> str:
    """What a widget shows, line by line."""
    width, height = widget.outer_size
    return "\n".join(strip.text for strip in widget.render_lines(Region(0, 0, width, height)))


def _three_failing(tmp_path: Path, server: LoopbackServer) -> NewsReaderApp:
    server.routes["/good.xml"] = static(rss("Good News", [("g1", "Fresh", "<p>New.</p>")]))
    feeds = [server.url(name) for name in ("good.xml", "gone-a.xml", "gone-b.xml", "gone-c.xml")]
    return make_app(tmp_path, feeds=feeds)


async def test_three_failing_feeds_make_one_notice_and_f_lists_them(
    tmp_path: Path, server: LoopbackServer
) -> None:
    app = _three_failing(tmp_path, server)
    async with app.run_test(size=(140, 40)) as pilot:
        await pilot.press("r")
        await app.workers.wait_for_complete()
        assert await until(pilot, lambda: not app.main_screen.refreshing)
        await pilot.pause()
        failed = [m for m in _messages(app) if "failed" in m]
        assert failed == ["3 feeds failed: HTTP 404 Not Found; press F for the list"]
        status = str(app.query_one("#status-text", Static).render())
        assert status == "1 new article, 3 feeds failed"
        await pilot.press("F")
        await pilot.pause()
        assert isinstance(app.screen, FailuresScreen)
        shown = _text_of(app.screen.query_one("#failures-list", Static))
        for name in ("gone-a.xml", "gone-b.xml", "gone-c.xml"):
            assert server.url(name) in shown
        assert shown.count("HTTP 404 Not Found") == 3 and shown.count("never") == 3
        assert "Good News" not in shown
        await pilot.press("F")  # the key that opened it closes it
        await pilot.pause()
        assert not isinstance(app.screen, FailuresScreen)
        await pilot.press("F", "escape")
        await pilot.pause()
        assert not isinstance(app.screen, FailuresScreen)
    # The list is the cache's: after a restart, F still has it.
    again = NewsReaderApp(app.locations, app.config, refresh_on_start=False)
    async with again.run_test(size=(140, 40)) as pilot:
        await pilot.press("F")
        await pilot.pause()
        assert isinstance(again.screen, FailuresScreen)
        assert "3)" in str(again.screen.query_one("#failures-title", Static).render())
        await pilot.press("q")
        await pilot.pause()
        assert not isinstance(again.screen, FailuresScreen)


async def test_one_failing_feed_is_named_and_f_with_none_failed_says_so(
    tmp_path: Path, server: LoopbackServer
) -> None:
    app = make_app(tmp_path, feeds=[server.url("gone.xml")])
    async with app.run_test(size=(140, 40)) as pilot:
        await pilot.press("F")
        await pilot.pause()
        assert "No feed failed its last refresh." in _messages(app)
        await pilot.press("r")
        assert await until(pilot, lambda: not app.main_screen.refreshing)
        await pilot.pause()
    summary = f"{server.url('gone.xml')} failed: HTTP 404 Not Found; press F for the list"
    assert summary in _messages(app)


def _background(strip: object, x: int) -> str | None:
    position = 0
    for segment in strip:  # type: ignore[attr-defined]
        if position + len(segment.text) > x:
            style: Style | None = segment.style
            return str(style.bgcolor) if style and style.bgcolor else None
        position += len(segment.text)
    return None


async def test_the_outline_shows_its_highlighted_entry_in_every_theme(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        app.main_screen.article_list.move_cursor(row=titles(app).index(HARBOUR))
        await pilot.press("enter", "t")
        await pilot.pause()
        outline = app.query_one("#outline", OptionList)
        assert outline.option_count == 2 and outline.highlighted == 0
        width, height = outline.outer_size
        texts = [strip.text for strip in outline.render_lines(Region(0, 0, width, height))]
        first = next(i for i, text in enumerate(texts) if "A Quiet Crossing" in text)
        second = next(i for i, text in enumerate(texts) if "Commuters" in text)
        # The first heading wraps; a line with no words keeps it apart from the next.
        assert second - first >= 3 and texts[first + 1].strip()
        assert not any(c.isalnum() for c in texts[second - 1])
        problems = []
        for focused in (True, False):
            if not focused:
                app.main_screen.article_view.focus()
            for theme in sorted(app.available_themes):
                app.theme = theme
                await pilot.pause()
                strips = outline.render_lines(Region(0, 0, width, height))
                line = [_background(strip, width // 2) for strip in strips]
                highlighted, other, pane = line[first], line[second], line[-1]
                if highlighted in (other, pane):
                    problems.append((theme, focused, highlighted, other, pane))
        assert problems == []


async def test_the_help_says_how_to_close_it(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("question_mark")
        await pilot.pause()
        shown = str(app.screen.query_one("#help-close", Static).render())
        assert shown == "Press escape, q or ? to close"


async def test_the_first_runs_new_config_is_said_in_the_reader(tmp_path: Path) -> None:
    config = tmp_path / "config" / "feeds.toml"
    locations = Locations(config, tmp_path / "data", config_given=False)
    app = reader_app(locations, offline=True)
    async with app.run_test(size=(120, 40)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert f"Created {config} from the bundled default" in _messages(app)
    assert config.exists()
