#!/usr/bin/env python3
"""What redrawing the tree's counts costs the reader's thread, on a large cache.

    python benchmarks/bench_tree.py [--side DIR] [--size 100000] [--runs 5] [--work DIR]

``--side DIR`` names a filled cache: DIR/feeds.toml and DIR/data/cache.sqlite3
(a ``side-N-NAME`` folder of ``bench_reader.py --work``). Its data folder is
copied first and only the copy is read and marked. Without it, N/50 feeds of
50 items are generated with make_linked_feeds.py and a cache filled from them
with this interpreter's ``newsreader refresh`` (as bench_reader.py does), in
``--work`` (kept and reused) or a temporary folder.

With Textual's pilot, on the reader as the command line starts it (offline),
it times, median of RUNS each:

- one tree redraw on the reader's thread, before: the four cache reads,
  build_tree, and the tree cleared and built again (``CategoryTree._rebuild``,
  what ``show`` always did), then the screen's next refresh; after: drawing
  counts a worker has read (``CategoryTree.show``, in place when only counts
  changed), then the next refresh. One article is marked read before each, so
  the labels change. Timed until the tree's lines are laid out again (what the
  next refresh would do), not the refresh's wait for its frame;
- a key pressed 0.3 s after an article opens (``n``, from that moment until the
  pane holds the next article; the pilot runs on the reader's loop, so a redraw
  holding it delays the press, and that delay is counted), while the tree's counts, scheduled 0.25 s after the article was
  marked read, are redrawn: before, the screen counts and rebuilds on its own
  thread (the old ``_reload_tree_now``, put back for the run); after, as the
  reader does now; and the same key pressed 2 s after, when the reader is idle.

Prints a table with the load average. A benchmark, not a test: run on demand.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

import bench_reader  # noqa: E402

from newsreader.config import load_config  # noqa: E402
from newsreader.paths import Locations  # noqa: E402
from newsreader.tree import count_tree  # noqa: E402
from newsreader.ui.app import NewsReaderApp  # noqa: E402
from newsreader.ui.screens.main import MainScreen  # noqa: E402
from newsreader.ui.widgets.article_view import ArticleView  # noqa: E402
from newsreader.ui.widgets.category_tree import CategoryTree  # noqa: E402

AFTER_OPEN = 0.3
"""Seconds between an article opening and the timed key: the tree's counts,
scheduled 0.25 s after the article was marked read, are being redrawn."""
IDLE = 2.0
"""Seconds after which the reader is idle: the key's time without a redraw."""
TIMEOUT = 60.0


def old_reload(screen: MainScreen) -> None:
    """What ``_reload_tree_now`` did before: count and rebuild on the reader's thread."""
    if screen._tree_timer is None:
        return
    screen._tree_timer = None
    counts = count_tree(screen.cache, screen.config.feeds)
    screen._feed_states = counts.feed_states
    screen.query_one(CategoryTree)._rebuild(counts.items)


@contextmanager
def reloading_as_before(before: bool) -> Iterator[None]:
    """Put the old scheduled reload back on the screen for a run, if before."""
    saved = MainScreen._reload_tree_now
    if before:
        MainScreen._reload_tree_now = old_reload  # type: ignore[method-assign]
    try:
        yield
    finally:
        MainScreen._reload_tree_now = saved  # type: ignore[method-assign]


def make_app(side: Path) -> NewsReaderApp:
    config = side / "feeds.toml"
    locations = Locations(config, side / "data", config_given=True)
    return NewsReaderApp(locations, load_config(config), offline=True, refresh_on_start=False)


def shown_id(app: NewsReaderApp) -> int | None:
    article = app.query_one(ArticleView).article
    return article.id if article is not None else None


async def until(pilot: object, condition: Callable[[], bool]) -> None:
    deadline = time.monotonic() + TIMEOUT
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError("the reader never showed what was expected")
        await pilot.pause(0.005)  # type: ignore[attr-defined]


async def time_redraw(side: Path, *, before: bool) -> float:
    """Seconds of the reader's thread for one redraw of the tree's counts."""
    app = make_app(side)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = app.main_screen
        tree = screen.query_one(CategoryTree)
        summary = next(s for s in screen.article_list.summaries if not s.read)
        app.cache.set_read(summary.id)
        await pilot.pause()
        if before:
            started = time.perf_counter()
            counts = count_tree(app.cache, app.config.feeds)
            tree._rebuild(counts.items)
        else:
            counts = count_tree(app.cache, app.config.feeds)  # in the worker, off this thread
            started = time.perf_counter()
            tree.show(counts.items)
        tree._tree_lines  # the lines the next refresh lays out, built now  # noqa: B018
        taken = time.perf_counter() - started
        await pilot.pause()
        return taken


@contextmanager
def noting_opens(opened: list[float]) -> Iterator[None]:
    """Note when each ``show_article`` returns: the tree's reload is scheduled from then."""
    saved = MainScreen.show_article

    def noted(screen: MainScreen, article_id: int, **options: Any) -> bool:
        shown = saved(screen, article_id, **options)
        opened.append(time.perf_counter())
        return shown

    MainScreen.show_article = noted  # type: ignore[method-assign]
    try:
        yield
    finally:
        MainScreen.show_article = saved  # type: ignore[method-assign]


async def time_key(side: Path, *, before: bool, after_open: float = AFTER_OPEN) -> float:
    """Seconds from ``n``, pressed after_open seconds after an article opened, to the next."""
    opened: list[float] = []
    with reloading_as_before(before), noting_opens(opened):
        app = make_app(side)
        async with app.run_test(size=(120, 40)) as pilot:
            app.main_screen.article_list.focus()
            await pilot.press("n")  # the session's first article pays for imports
            await until(pilot, lambda: shown_id(app) is not None)
            await asyncio.sleep(IDLE)
            await pilot.press("n")
            await until(pilot, lambda: len(opened) == 2)
            second = shown_id(app)
            # The reader presses at this moment: a redraw holding the loop then
            # delays the key (and this sleep) and is counted.
            started = opened[-1] + after_open
            await asyncio.sleep(max(0.0, started - time.perf_counter()))
            await pilot.press("n")
            await until(pilot, lambda: shown_id(app) not in (None, second))
            return time.perf_counter() - started


def filled_side(args: argparse.Namespace, work: Path) -> Path:
    """A copy of the named side's cache, or one made from generated feeds."""
    if args.side is not None:
        side = work / "side-copy"
        if side.exists():
            shutil.rmtree(side)
        side.mkdir()
        shutil.copy2(args.side / "feeds.toml", side / "feeds.toml")
        shutil.copytree(args.side / "data", side / "data")
        (side / "data" / "cache.sqlite3.lock").unlink(missing_ok=True)
        return side
    feeds = max(1, args.size // bench_reader.ITEMS)
    corpus = work / f"linked-feeds-{feeds}"
    if not (corpus / "links.json").exists():
        subprocess.run([sys.executable, str(HERE / "make_linked_feeds.py"), "--feeds", str(feeds),
                        "--items", str(bench_reader.ITEMS), "--seed", "1", "--out", str(corpus),
                        "--quiet"], check=True)  # fmt: skip
    command = shutil.which("newsreader", path=str(Path(sys.executable).parent)) or "newsreader"
    reader = bench_reader.Reader("tree", command, work / f"side-{args.size}-tree")
    reader.env = (f"env NEWSREADER_CONFIG={reader.side / 'feeds.toml'} "
                  f"NEWSREADER_DATA_DIR={reader.side / 'data'}")  # fmt: skip
    bench_reader.fill([reader], corpus, args.size, work, newsboat=False)
    return reader.side


def ms(values: list[float]) -> str:
    return f"{statistics.median(values) * 1000:.1f} ms"


async def measure(side: Path, runs: int) -> None:
    redraw: dict[bool, list[float]] = {True: [], False: []}
    key: dict[bool, list[float]] = {True: [], False: []}
    idle: dict[bool, list[float]] = {True: [], False: []}
    for run in range(runs):
        # Alternating, so the machine's drift hits both alike.
        for before in (True, False) if run % 2 == 0 else (False, True):
            redraw[before].append(await time_redraw(side, before=before))
            key[before].append(await time_key(side, before=before))
            idle[before].append(await time_key(side, before=before, after_open=IDLE))
            print(f"run {run + 1} {'before' if before else 'after'}: redraw "
                  f"{redraw[before][-1] * 1000:.1f} ms, n {key[before][-1] * 1000:.1f} ms, "
                  f"idle n {idle[before][-1] * 1000:.1f} ms", file=sys.stderr)  # fmt: skip
    load = " / ".join(f"{value:.1f}" for value in os.getloadavg())
    print(f"\nmedian of {runs} (load average at the end {load})")
    print("| measure | before | after | after/before |")
    print("|---|---|---|---|")
    for label, values in (
        ("one tree redraw, reader's thread", redraw),
        (f"n, {AFTER_OPEN} s after an article opened", key),
        (f"n, {IDLE} s after (idle)", idle),
    ):
        ratio = statistics.median(values[False]) / statistics.median(values[True])
        print(f"| {label} | {ms(values[True])} | {ms(values[False])} | {ratio:.2f} |")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--side", type=Path, help="a filled side: feeds.toml and data/ (copied)")
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--work", type=Path, help="keep the copy or generated cache here")
    args = parser.parse_args()
    work = (args.work or Path(tempfile.mkdtemp(prefix="newsreader-tree-bench-"))).resolve()
    work.mkdir(parents=True, exist_ok=True)
    try:
        asyncio.run(measure(filled_side(args, work), args.runs))
    finally:
        if args.work is None:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
