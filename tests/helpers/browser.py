"""A graphical browser for tests: no real one can run here, so its opens are recorded."""

from __future__ import annotations

import webbrowser
from collections.abc import Callable

import pytest


class RecordingBrowser(webbrowser.BaseBrowser):
    """A browser that hands each address to ``opener`` (whose answer it returns)."""

    def __init__(self, opener: Callable[[str], bool]) -> None:
        super().__init__("firefox")
        self._opener = opener

    def open(self, url: str, new: int = 0, autoraise: bool = True) -> bool:
        return self._opener(url)


def graphical_browser(monkeypatch: pytest.MonkeyPatch, opener: Callable[[str], bool]) -> None:
    """Make this test's machine have a display and a graphical browser that runs ``opener``."""
    monkeypatch.setenv("DISPLAY", ":0")
    browser = RecordingBrowser(opener)
    monkeypatch.setattr(webbrowser, "get", lambda using=None: browser)
