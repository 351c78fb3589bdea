#!/usr/bin/env python3
"""Query feeds on a large cache: a filter's count and first page, the tree with 20 query
feeds, the reader opening on it, and what the filters' index costs a write.

    python benchmarks/bench_filters.py [--size 100000] [--runs 5] [--work DIR]

The cache is filled as bench_tree.py fills it: SIZE/50 generated feeds of 50 items
(make_linked_feeds.py), served on loopback, refreshed by this interpreter's
``newsreader refresh``; here each feed has a name and one of ten categories. The
work folder is kept and reused with ``--work``.

Times, median of RUNS, in this process on its own connection:

- for each filter of FILTERS: ``filtered_counts`` (the tree's count) and the first
  page of 50 (``list_articles(matching=...)``), compiled first as the reader does;
- ``count_tree`` with the 20 query feeds of QUERIES, and without them;
- the reader (Textual's pilot, offline) from its start until the tree is counted,
  with the 20 query feeds;
- storing 5,000 new articles in one transaction on a copy of the cache, with the
  ``articles_facts`` index and with it dropped (what the index costs a refresh).

A benchmark, not a test: run on demand. Prints a table with the load average.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
BENCH = HERE.parent.parent / "shared" / "bench"

from newsreader.cache import Cache, prepare_article  # noqa: E402
from newsreader.config import load_config  # noqa: E402
from newsreader.filters import parse_filter  # noqa: E402
from newsreader.model import Article, Section  # noqa: E402
from newsreader.paths import Locations  # noqa: E402
from newsreader.queries import FilterContext  # noqa: E402
from newsreader.tree import count_tree  # noqa: E402

CATEGORIES = ["World", "World/Europe", "World/Asia", "Tech", "Tech/Rust", "Science",
              "Business", "Sport", "Culture", "Politics"]  # fmt: skip
FILTERS = [
    'title =~ "stadium"',
    'title =~ "zzzz"',
    'feed = "Feed 0001"',
    'category = "World"',
    'author = "José Álvarez" and unread',
    'content =~ "hospital"',
    'content =~ "zzzz"',
    "age < 7d",
    "unread and not starred and has:enclosure",
    'published > 2024-05-01 and (title =~ "data" or content =~ "valley")',
    'title =~ "^stad.*um"',
]
QUERIES = [
    *FILTERS[:10],
    'title =~ "museum" and unread',
    'category = "Tech/Rust" or title =~ "rust"',
    'feed =~ "Feed 00" and unread',
    'author =~ "connor"',
    'content =~ "festival" and age < 30d',
    'title =~ "election" or title =~ "budget"',
    "starred",
    'category = "Sport" and not title =~ "final"',
    'content =~ "bridge repairs"',
    'title != "x" and published < 2024-01-01',
]
PORT = 8793


def fill(work: Path, size: int) -> Path:
    """A data folder of ``size`` articles (kept in ``work``), and its feeds.toml."""
    side = work / f"filters-{size}"
    config = side / "feeds.toml"
    if (side / "data" / "cache.sqlite3").exists():
        return side
    corpus = work / f"corpus-{size}"
    if not (corpus / "manifest.json").exists():
        subprocess.run([sys.executable, str(HERE / "make_linked_feeds.py"), "--feeds",
                        str(size // 50), "--items", "50", "--seed", "1", "--out", str(corpus)],
                       check=True)  # fmt: skip
    side.mkdir(parents=True, exist_ok=True)
    server = subprocess.Popen([sys.executable, str(BENCH / "serve.py"), str(corpus), "--port",
                               str(PORT)], stdout=subprocess.PIPE, text=True)  # fmt: skip
    try:
        assert server.stdout is not None
        base = server.stdout.readline().strip()
        manifest = json.loads((corpus / "manifest.json").read_text())
        config.write_text("".join(
            f'[[feeds]]\nurl = "{base}{entry["file"]}"\nname = "Feed {n:04d}"\n'
            f'category = "{CATEGORIES[n % len(CATEGORIES)]}"\n\n'
            for n, entry in enumerate(manifest["list"])
        ) + "".join(
            f"[[queries]]\nname = \"Query {n}\"\nfilter = '{text}'\n\n"
            for n, text in enumerate(QUERIES)
        ))  # fmt: skip
        command = shutil.which("newsreader", path=str(Path(sys.executable).parent))
        print(f"filling a cache of {size:,} articles", file=sys.stderr)
        subprocess.run([command or "newsreader", "--config", str(config), "--data-dir",
                        str(side / "data"), "refresh"], check=True, capture_output=True)  # fmt: skip
    finally:
        server.terminate()
        server.wait()
    return side


def median_ms(action: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def reader_open_seconds(side: Path, runs: int) -> float:
    """Seconds from the reader's start until its tree shows its counts (pilot, offline)."""
    from newsreader.ui.app import NewsReaderApp

    locations = Locations(side / "feeds.toml", side / "data", config_given=True)

    async def once() -> float:
        app = NewsReaderApp(locations, load_config(locations.config_file), offline=True,
                            refresh_on_start=False)  # fmt: skip
        start = time.perf_counter()
        async with app.run_test(size=(120, 40)) as pilot:
            while not (app.main_screen.tree_counted and app.main_screen._tree_counts_shown):
                await pilot.pause(0.01)
                if time.perf_counter() - start > 60:
                    raise RuntimeError("the tree was never counted")
            return time.perf_counter() - start

    return statistics.median(asyncio.run(once()) for _ in range(runs))


def write_cost(side: Path, runs: int) -> tuple[float, float]:
    """Milliseconds to store 5,000 new articles, with the filters' index and without."""
    results = []
    for drop in (False, True):
        times = []
        for run in range(runs):
            with tempfile.TemporaryDirectory() as scratch:
                copy = Path(scratch) / "cache.sqlite3"
                shutil.copy(side / "data" / "cache.sqlite3", copy)
                with Cache(copy) as cache:
                    if drop:
                        cache._db.execute("DROP INDEX articles_facts")
                    body = (Section(None, ("A paragraph of text. " * 30,)),)
                    rows = [
                        prepare_article(
                            Article(
                                title=f"Bench article {run} {n} about the stadium",
                                source="bench",
                                guid=f"{run}-{n}",
                                author="Bench Writer",
                                categories=("Bench",),
                                sections=body,
                            ),
                            time.time(),
                        )
                        for n in range(5_000)
                    ]
                    start = time.perf_counter()
                    cache.store_prepared(rows)
                    times.append(time.perf_counter() - start)
        results.append(statistics.median(times) * 1000)
    return results[0], results[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--work", type=Path)
    args = parser.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="bench-filters-"))
    side = fill(work, args.size)
    config = load_config(side / "feeds.toml")
    print(f"load average {os.getloadavg()[0]:.2f}; {args.size:,} articles; median of {args.runs}")
    print(f"{'filter':60} {'count':>8} {'ms':>7} {'page ms':>8}")
    with Cache(side / "data" / "cache.sqlite3") as cache:
        context = FilterContext.of(config.feeds, cache.feed_states())
        for text in FILTERS:

            def compiled(text: str = text) -> object:
                return context.compile(cache, [parse_filter(text)])

            matching = compiled()
            count = cache.filtered_counts(matching)  # type: ignore[arg-type]
            count_ms = median_ms(lambda: cache.filtered_counts(compiled()), args.runs)  # type: ignore[arg-type]
            page_ms = median_ms(
                lambda: cache.list_articles(matching=compiled(), limit=50), args.runs
            )  # type: ignore[arg-type]
            print(f"{text:60} {count[0]:>8,} {count_ms:>7.1f} {page_ms:>8.1f}")
        with_queries = median_ms(
            lambda: count_tree(cache, config.feeds, (), config.queries), args.runs
        )
        without = median_ms(lambda: count_tree(cache, config.feeds), args.runs)
    print(f"count_tree with {len(config.queries)} query feeds: {with_queries:.0f} ms "
          f"(without: {without:.0f} ms)")  # fmt: skip
    print(f"the reader, start to counted tree: {reader_open_seconds(side, args.runs):.2f} s")
    with_index, without_index = write_cost(side, args.runs)
    print(f"store 5,000 new articles: {with_index:.0f} ms with articles_facts, "
          f"{without_index:.0f} ms without ({with_index / without_index:.2f}x)")  # fmt: skip
    if args.work is None:
        shutil.rmtree(work)


if __name__ == "__main__":
    main()
