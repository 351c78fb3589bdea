"""The reader on a cache of the fixture articles, and the pilot steps tests share."""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Callable, Mapping
from pathlib import Path

from textual.pilot import Pilot

from newsreader.cache import Cache
from newsreader.config import load_config
from newsreader.importer import import_paths
from newsreader.paths import Locations
from newsreader.ui.app import NewsReaderApp
from newsreader.ui.widgets.article_list import ArticleList
from newsreader.ui.widgets.article_view import ArticleView
from tests.helpers.config import write_config
from tests.helpers.paths import ARTICLES

HARBOUR = "Harbour Ferries Return to the Old Port After a Decade Away"
TRAM = "Tram Line Extension Opens to the Northern Suburbs"
ORPHAN = """Orphan Story About Lighthouses

Lighthouse keepers met on Tuesday to talk about the future of the old towers on the coast.

Read Also: A Story That Was Never Written
"""


def make_app(
    tmp_path: Path,
    feeds: list[str] | None = None,
    offline: bool = False,
    extra: Mapping[str, str] | None = None,
    settings: str = "",
    config_extra: str = "",
) -> NewsReaderApp:
    """The reader on the fixture articles, the orphan, and ``extra`` (file name: text);
    ``config_extra`` is added to its feeds.toml."""
    articles = tmp_path / "articles"
    shutil.copytree(ARTICLES, articles)
    (articles / "orphan.txt").write_text(ORPHAN)
    for name, text in (extra or {}).items():
        (articles / name).write_text(text)
    # Files without dates sort by modification time: make it fixed, not checkout order.
    for number, path in enumerate(sorted(articles.rglob("*"))):
        os.utime(path, (1_700_000_000 + number * 60, 1_700_000_000 + number * 60))
    config_path = write_config(tmp_path / "feeds.toml", feeds or [], settings, config_extra)
    locations = Locations(config_path, tmp_path / "data", config_given=True)
    with Cache(locations.cache_file) as cache:
        report = import_paths(cache, [articles], workers=0)
        assert not report.failures
    return NewsReaderApp(
        locations, load_config(config_path), offline=offline, refresh_on_start=False
    )


def titles(app: NewsReaderApp) -> list[str]:
    return [summary.title for summary in app.query_one(ArticleList).summaries]


async def open_titled(app: NewsReaderApp, pilot, title: str) -> None:  # type: ignore[no-untyped-def]
    article_list = app.query_one(ArticleList)
    article_list.focus()
    article_list.move_cursor(row=titles(app).index(title))
    await pilot.press("enter")
    await pilot.pause()


def shown_title(app: NewsReaderApp) -> str | None:
    view = app.query_one(ArticleView)
    return view.article.article.title if view.article else None


async def until(pilot: Pilot[None], condition: Callable[[], bool], seconds: float = 30.0) -> bool:
    """Let the app run until ``condition`` holds or ``seconds`` pass; whether it held."""
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        await pilot.pause(0.05)
    return True


async def tree_counted(app: NewsReaderApp, pilot: Pilot[None]) -> None:
    """Let the app run until the tree shows its counts (they are counted in a worker)."""
    assert await until(pilot, lambda: app.main_screen.tree_counted), "the tree was never counted"
