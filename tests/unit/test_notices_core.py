"""The core behind the reader's notices: counts, failure summaries, finding a browser."""

from __future__ import annotations

import webbrowser

import pytest

from newsreader.browser import find_browser, is_console_browser
from newsreader.config import FeedConfig
from newsreader.failures import failure_summary, feed_failures, shared_reason
from newsreader.model import FeedState
from newsreader.wording import plural


@pytest.mark.parametrize(
    ("count", "noun", "many", "expected"),
    [
        (0, "article", None, "0 articles"),
        (1, "article", None, "1 article"),
        (2, "new article", None, "2 new articles"),
        (1, "feed", None, "1 feed"),
        (12, "feed", None, "12 feeds"),
        (1, "entry", "entries", "1 entry"),
        (3, "entry", "entries", "3 entries"),
    ],
)
def test_plural(count: int, noun: str, many: str | None, expected: str) -> None:
    assert plural(count, noun, many) == expected


REFUSED_A = "cannot connect to a.example: Connection refused"
REFUSED_B = "cannot connect to b.example: Connection refused"


@pytest.mark.parametrize(
    ("failures", "expected"),
    [
        ([], ""),
        ([("Gone News", "HTTP 404")], "Gone News failed: HTTP 404; press F for the list"),
        (
            [(f"feed {n}", "HTTP 503") for n in range(12)],
            "12 feeds failed: HTTP 503; press F for the list",
        ),
        (
            [("A", REFUSED_A), ("B", REFUSED_B)],
            "2 feeds failed: Connection refused; press F for the list",
        ),
        ([("A", "HTTP 404"), ("B", REFUSED_B)], "2 feeds failed; press F for the list"),
        ([("A", "\x1b[31mHTTP\x1b[0m 404")], "A failed: HTTP 404; press F for the list"),
    ],
)
def test_failure_summary(failures: list[tuple[str, str]], expected: str) -> None:
    assert failure_summary(failures, "F") == expected


def test_failure_summary_without_a_key_names_none() -> None:
    assert failure_summary([("A", "x"), ("B", "x")], None) == "2 feeds failed: x"


def test_shared_reason() -> None:
    assert shared_reason(["timed out", "timed out"]) == "timed out"
    assert shared_reason([REFUSED_A, REFUSED_B]) == "Connection refused"
    assert shared_reason([REFUSED_A, "timed out"]) is None


def test_feed_failures_are_the_feeds_whose_latest_refresh_failed() -> None:
    feeds = [
        FeedConfig("https://user:secret@a.example/rss", "Alpha"),
        FeedConfig("https://b.example/rss"),
        FeedConfig("https://c.example/rss"),
        FeedConfig("https://d.example/rss"),
    ]
    states = {
        "https://user:secret@a.example/rss": FeedState(
            "https://user:secret@a.example/rss", last_error="HTTP 500", last_success=0.0
        ),
        "https://b.example/rss": FeedState("https://b.example/rss", title="Beta"),
        "https://c.example/rss": FeedState("https://c.example/rss", last_error="timed\nout"),
    }
    alpha, charlie = feed_failures(feeds, states)
    assert (alpha.name, alpha.address, alpha.reason) == (
        "Alpha",
        "https://user:***@a.example/rss",
        "HTTP 500",
    )
    assert alpha.last_success_text != "never"
    assert (charlie.name, charlie.reason, charlie.last_success_text) == (
        "https://c.example/rss",
        "timed out",
        "never",
    )


class _Named(webbrowser.BaseBrowser):
    def open(self, url: str, new: int = 0, autoraise: bool = True) -> bool:
        return True


@pytest.mark.parametrize(
    ("name", "console"),
    [("lynx", True), ("/usr/bin/w3m", True), ("www-browser", True), ("firefox", False),
     ("xdg-open", False), ("", False)],
)  # fmt: skip
def test_console_browsers_are_known_by_name(name: str, console: bool) -> None:
    assert is_console_browser(_Named(name)) is console


def test_no_display_on_linux_is_no_browser(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(webbrowser, "get", lambda using=None: _Named("firefox"))
    assert find_browser({}, "linux") is None
    assert find_browser({"DISPLAY": ":0"}, "linux") is not None
    assert find_browser({"WAYLAND_DISPLAY": "wayland-0"}, "linux") is not None
    assert find_browser({}, "darwin") is not None  # no X11 needed there


def test_a_console_browser_or_none_found_is_no_browser(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(webbrowser, "get", lambda using=None: _Named("lynx"))
    assert find_browser({"DISPLAY": ":0"}, "linux") is None

    def none_found(using: str | None = None) -> webbrowser.BaseBrowser:
        raise webbrowser.Error("could not locate runnable browser")

    monkeypatch.setattr(webbrowser, "get", none_found)
    assert find_browser({"DISPLAY": ":0"}, "linux") is None
