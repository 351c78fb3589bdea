"""A few pictures of the reader (SVG snapshots): kept few, they change with Textual."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from newsreader.ui.app import NewsReaderApp
from tests.helpers.reader import HARBOUR, make_app, titles

IMPORTED = 1_700_000_000.0
"""The list shows an undated article's import day: the same in every run."""


def reader(tmp_path: Path) -> NewsReaderApp:
    """The fixture reader, its articles imported on a fixed day."""
    app = make_app(tmp_path)
    with closing(sqlite3.connect(app.locations.cache_file)) as db, db:
        db.execute("UPDATE articles SET added = ?", (IMPORTED,))
    return app


def test_main_screen(tmp_path: Path, snap_compare) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(reader(tmp_path), terminal_size=(120, 32))


def test_article_pane_with_outline_and_link_cursor(tmp_path: Path, snap_compare) -> None:  # type: ignore[no-untyped-def]
    app = reader(tmp_path)

    async def open_harbour(pilot) -> None:  # type: ignore[no-untyped-def]
        app.main_screen.article_list.move_cursor(row=titles(app).index(HARBOUR))
        await pilot.press("enter", "t")
        app.main_screen.article_view.focus()
        await pilot.press("]")
        await pilot.pause()

    assert snap_compare(app, terminal_size=(120, 40), run_before=open_harbour)


def test_narrow_terminal(tmp_path: Path, snap_compare) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(reader(tmp_path), terminal_size=(80, 24))


OUTLINE_THEMES = ["textual-dark", "textual-light", "gruvbox", "nord", "dracula",
                  "solarized-light", "catppuccin-mocha", "ansi-dark"]  # fmt: skip
"""One theme of each family: the outline's highlighted entry must show in all."""


@pytest.mark.parametrize("theme", OUTLINE_THEMES)
def test_outline_highlight(theme: str, tmp_path: Path, snap_compare) -> None:  # type: ignore[no-untyped-def]
    app = reader(tmp_path)

    async def open_outline(pilot) -> None:  # type: ignore[no-untyped-def]
        app.theme = theme
        app.main_screen.article_list.move_cursor(row=titles(app).index(HARBOUR))
        await pilot.press("enter", "t")
        app.main_screen.article_view.focus()  # the outline unfocused: the harder case
        await pilot.pause()

    assert snap_compare(app, terminal_size=(120, 32), run_before=open_outline)
