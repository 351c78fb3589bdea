"""The help screen: every key, grouped by where it works, from the command registry."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from newsreader.keys import HELP, key_label
from newsreader.ui.commands import Keys, help_rows, install_bindings

KEYS_COLUMN = 24
"""A long list of keys wraps in its column rather than squeezing what it does."""

TEXTUAL_KEYS: list[tuple[str, str]] = [
    ("ctrl+p", "command palette (every action, with its keys; themes)"),
    ("tab / shift+tab", "move between tree, list and article"),
    ("enter", "in the tree or the list, open the node or the article"),
    ("↑ ↓, pgup pgdn, home end", "move; in the article, scroll"),
]
"""Keys of Textual's own widgets and of the palette, the same for everyone."""


def close_line(keys: Keys, *also: str) -> Text:
    """``Press escape, q or ? to close``: the keys of ``close_help`` (and of ``also``)."""
    labels = [key_label(key) for action in ("close_help", *also) for key in keys[action]]
    labels = list(dict.fromkeys(labels))
    if not labels:  # the config cannot take every key from close_help; no key is said as such
        return Text("")
    said = labels[0] if len(labels) == 1 else f"{', '.join(labels[:-1])} or {labels[-1]}"
    return Text(f"Press {said} to close", style="dim")


class HelpScreen(ModalScreen[None]):
    """Lists the keys, as the config made them; Escape, q or ? closes it by default."""

    def __init__(self, keys: Keys) -> None:
        super().__init__()
        self._keys = keys
        install_bindings(self, HELP, keys)

    def compose(self) -> ComposeResult:
        table = Table(show_header=False, box=None, padding=(0, 2))
        table.add_column(style="bold", max_width=KEYS_COLUMN)
        table.add_column()
        # Text, not markup strings, as everywhere in the reader ("] / [" is a key).
        for group, rows in [*help_rows(self._keys), ("Always", TEXTUAL_KEYS)]:
            table.add_row(Text(group, style="underline"), "")
            for key, what in rows:
                table.add_row(Text(key), Text(what))
            table.add_row("", "")
        with VerticalScroll(id="help"):
            yield Static(Text("Keys"), id="help-title")
            yield Static(close_line(self._keys), id="help-close")
            yield Static(table)
