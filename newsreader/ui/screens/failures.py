"""The failed feeds: each feed whose latest refresh failed, why, and when it last worked."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingsMap
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from newsreader.failures import FeedFailure
from newsreader.keys import HELP
from newsreader.ui.commands import Keys, install_bindings
from newsreader.ui.screens.help import close_line


class FailuresScreen(ModalScreen[None]):
    """Lists failed feeds (all text as rich ``Text``); the help's close keys, or F, close it."""

    def __init__(self, failures: list[FeedFailure], keys: Keys) -> None:
        super().__init__()
        self._failures = failures
        self._keys = keys
        install_bindings(self, HELP, keys)
        if keys["show_failures"]:
            # The key that opened the list closes it too.
            again = Binding(",".join(keys["show_failures"]), "dismiss", "Close", show=False)
            self._bindings = BindingsMap.merge([BindingsMap([again]), self._bindings])

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="failures"):
            yield Static(
                Text(f"Feeds whose last refresh failed ({len(self._failures)})"),
                id="failures-title",
            )
            yield Static(close_line(self._keys, "show_failures"), id="failures-close")
            yield Static(
                Text("\n\n").join(failure_text(failure) for failure in self._failures),
                id="failures-list",
            )


def failure_text(failure: FeedFailure) -> Text:
    """One failed feed: its name, then its address (unless that is its name), why it failed
    and when it last worked.

    Built as ``Text`` pieces (never markup): every part is outside text.
    """
    text = Text(failure.name, style="bold")
    rows = [
        ("address", failure.address),
        ("failed", failure.reason),
        ("last worked", failure.last_success_text),
    ]
    if failure.address == failure.name:  # a feed without a name or title: said once
        rows = rows[1:]
    for label, value in rows:
        text.append(f"\n  {label}: ", style="dim")
        text.append(value)
    return text
