"""The tree's counts are counted in a worker and redrawn in place when only counts change."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from newsreader.cache import Cache, CacheError
from newsreader.config import FeedConfig
from newsreader.tree import NodeKind, Selection, TreeCounts, TreeItem, count_tree
from newsreader.ui import workers
from newsreader.ui.app import NewsReaderApp
from newsreader.ui.screens import main
from newsreader.ui.widgets.category_tree import CategoryTree
from tests.helpers.reader import HARBOUR, make_app, open_titled, tree_counted, until

WORLD = Selection(NodeKind.CATEGORY, ("World",))
EUROPE = Selection(NodeKind.CATEGORY, ("World", "Europe"))


def unread_label(app: NewsReaderApp) -> str:
    return str(app.query_one(CategoryTree).root.children[1].label)


def starred_label(app: NewsReaderApp) -> str:
    return str(app.query_one(CategoryTree).root.children[2].label)


def cursor(app: NewsReaderApp) -> Selection | None:
    node = app.query_one(CategoryTree).cursor_node
    return node.data if node is not None else None


class HeldCount:
    """Counts the tree in the worker as usual, then holds the result until released;
    the start's count (the first) goes through."""

    def __init__(self) -> None:
        self.counted = threading.Event()
        self.release = threading.Event()
        self.calls = 0

    def __call__(self, cache: Cache, feeds: Sequence[FeedConfig], *rest: Any) -> TreeCounts:
        counts = count_tree(cache, feeds, *rest)
        self.calls += 1
        if self.calls > 1:
            self.counted.set()
            self.release.wait(timeout=60)
        return counts


async def test_a_count_redraws_the_labels_on_the_same_nodes(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(140, 40)) as pilot:
        await tree_counted(app, pilot)
        tree = app.query_one(CategoryTree)
        tree.move_cursor(next(n for n in tree._all_nodes() if n.data == WORLD))
        await pilot.pause()
        before = tree._all_nodes()
        await open_titled(app, pilot, HARBOUR)
        assert await until(pilot, lambda: unread_label(app) == "Unread (8)")
        after = tree._all_nodes()
        assert len(after) == len(before)
        assert all(old is new for old, new in zip(before, after, strict=True))
        world = next(n for n in after if n.data == WORLD)
        assert str(world.label) == "World"  # its one unread article read
        assert cursor(app) == WORLD


async def test_a_changed_shape_is_built_again_and_keeps_the_cursor(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(140, 40)) as pilot:
        await tree_counted(app, pilot)
        tree = app.query_one(CategoryTree)
        next(n for n in tree._all_nodes() if n.data == WORLD).expand()
        await pilot.pause()
        tree.move_cursor(next(n for n in tree._all_nodes() if n.data == EUROPE))
        await pilot.pause()
        before = set(map(id, tree._all_nodes()))
        items = count_tree(app.cache, app.config.feeds).items
        added = Selection(NodeKind.FEED, ("World",), "https://example.org/new.xml")
        for item in items:
            if item.selection == WORLD:
                item.children.append(TreeItem("New Feed", added, 3, 3))
        tree.show(items)
        await pilot.pause()
        nodes = tree._all_nodes()
        assert not before & set(map(id, nodes))  # every node made anew
        assert any(node.data == added and str(node.label) == "New Feed (3)" for node in nodes)
        assert cursor(app) == EUROPE
        assert next(n for n in nodes if n.data == WORLD).is_expanded


async def test_the_reader_answers_keys_while_a_count_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    held = HeldCount()
    monkeypatch.setattr(workers, "count_tree", held)
    app = make_app(tmp_path)
    async with app.run_test(size=(140, 40)) as pilot:
        await tree_counted(app, pilot)
        await open_titled(app, pilot, HARBOUR)
        assert await until(pilot, held.counted.is_set)
        await pilot.press("s")  # answered while the count is held in its worker
        article = app.main_screen.article_view.article
        assert article is not None
        assert await until(pilot, lambda: bool((m := app.cache.marks(article.id)) and m.starred))
        held.release.set()
        assert await until(pilot, lambda: starred_label(app) == "Starred (1)")
        assert unread_label(app) == "Unread (8)"


async def test_a_count_begun_before_a_mark_does_not_overwrite_the_one_after(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    held = HeldCount()
    monkeypatch.setattr(workers, "count_tree", held)
    app = make_app(tmp_path)
    async with app.run_test(size=(140, 40)) as pilot:
        await tree_counted(app, pilot)
        await open_titled(app, pilot, HARBOUR)
        assert await until(pilot, held.counted.is_set)  # counted: 8 unread, held
        app.query_one(CategoryTree).focus()
        await pilot.pause()
        await pilot.press("A")  # All, highlighted in the tree: 8 articles, asked
        await pilot.pause()
        await pilot.press("y")
        assert await until(pilot, lambda: unread_label(app) == "Unread")
        held.release.set()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert unread_label(app) == "Unread"


async def test_a_count_that_fails_says_so(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[None] = []

    def failing(cache: Cache, feeds: Sequence[FeedConfig], *rest: Any) -> TreeCounts:
        calls.append(None)
        if len(calls) == 1:
            return count_tree(cache, feeds, *rest)  # the start's count goes through
        raise CacheError("disk I/O error")

    monkeypatch.setattr(workers, "count_tree", failing)
    app = make_app(tmp_path)
    async with app.run_test(size=(140, 40), notifications=True) as pilot:
        await tree_counted(app, pilot)
        await open_titled(app, pilot, HARBOUR)

        def said() -> bool:
            return any("Cannot count the tree: disk I/O error" in n.message
                       for n in app._notifications)  # fmt: skip

        assert await until(pilot, said)
        assert unread_label(app) == "Unread (9)"  # the counts shown before stay


async def test_a_count_ending_after_the_reader_closed_is_dropped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    held = HeldCount()
    monkeypatch.setattr(workers, "count_tree", held)
    outcomes: list[BaseException | None] = []
    recount = workers.recount_tree

    def recorded(*args: object, **kwargs: object) -> None:
        try:
            recount(*args, **kwargs)  # type: ignore[arg-type]
        except BaseException as error:
            outcomes.append(error)
            raise
        outcomes.append(None)

    monkeypatch.setattr(main, "recount_tree", recorded)
    app = make_app(tmp_path)
    async with app.run_test(size=(140, 40)) as pilot:
        await tree_counted(app, pilot)
        await open_titled(app, pilot, HARBOUR)
        assert await until(pilot, held.counted.is_set)
        await pilot.press("q")
    held.release.set()
    deadline = time.monotonic() + 30
    while len(outcomes) < 2 and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
    assert outcomes == [None, None]  # the start's count, then the held one: neither raised
