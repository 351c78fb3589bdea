"""The help screen: every key, grouped by where it works."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

KEYS: list[tuple[str, list[tuple[str, str]]]] = [
    ("Anywhere", [
        ("?", "this help"), ("q", "quit"), ("ctrl+p", "command palette (every action, themes)"),
        ("tab / shift+tab", "move between tree, list and article"),
        ("/", "search the cache; Escape returns"), ("r", "refresh feeds"),
        ("n / p", "next / previous unread article"), ("s", "star or unstar"),
        ("m", "toggle read"), ("A", "mark everything in the node read"),
        ("backspace / alt+left", "back"), ("shift+backspace / alt+right", "forward"),
        ("t", "outline of the article's sections"), ("c", "show or hide the categories"),
        ("o", "open link or article in the browser"),
    ]),
    ("Tree and list", [
        ("↑ ↓ / j k", "move"), ("enter", "open the node or the article"),
    ]),
    ("Article", [
        ("↑ ↓ / j k, pgup pgdn", "scroll"), ("] / [", "next / previous link"),
        ("enter", "follow the selected link"), ("1 … 9", "follow link N"),
        ("} / {", "next / previous section"),
    ]),
]  # fmt: skip


class HelpScreen(ModalScreen[None]):
    """Lists the keys; any of Escape, q or ? closes it."""

    BINDINGS = [
        Binding("escape,q,question_mark", "dismiss", "Close"),
    ]

    def compose(self) -> ComposeResult:
        table = Table(show_header=False, box=None, padding=(0, 2))
        table.add_column(style="bold")
        table.add_column()
        # Text, not markup strings, as everywhere in the reader ("] / [" is a key).
        for group, keys in KEYS:
            table.add_row(Text(group, style="underline"), "")
            for key, what in keys:
                table.add_row(Text(key), Text(what))
            table.add_row("", "")
        with VerticalScroll(id="help"):
            yield Static(Text("Keys"), id="help-title")
            yield Static(table)
