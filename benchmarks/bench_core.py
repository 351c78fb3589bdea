#!/usr/bin/env python3
"""Import throughput and list/search latency of the installed ``newsreader``.

    python benchmarks/bench_core.py [--articles 10000] [--cache 100000] [--runs 5] [--work DIR]

1. generates N plain-text articles in the scraped format (make_articles.py) and
   times ``newsreader import`` of all of them, as a whole command, on a fresh cache;
2. builds a cache of M articles, then times ``newsreader list --limit 50`` (whole
   command, wall clock) and the first page of a search (in-process, the cache call).

Prints medians. Everything stays under the work directory (a temporary one by
default), which is removed at the end unless --work is given.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).parent
QUERIES = ["harbour", "ferry festival", "Putin", "bri", "treaty summit border", "zzzz"]


def newsreader(data_dir: Path, *args: str) -> float:
    """Run the installed command; returns its wall time in seconds."""
    command = shutil.which("newsreader", path=str(Path(sys.executable).parent)) or "newsreader"
    start = time.perf_counter()
    subprocess.run([command, "--data-dir", str(data_dir), *args], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    return time.perf_counter() - start


def generate(count: int, out: Path) -> Path:
    if not (out / "batch-000").exists():
        subprocess.run([sys.executable, str(HERE / "make_articles.py"), "--count", str(count),
                        "--out", str(out)], check=True)  # fmt: skip
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--cache", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--work", type=Path)
    args = parser.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="newsreader-bench-"))
    try:
        small = generate(args.articles, work / f"articles-{args.articles}")
        import_times = []
        for run in range(args.runs):
            data = work / f"import-run-{run}"
            shutil.rmtree(data, ignore_errors=True)
            import_times.append(newsreader(data, "import", str(small)))
            shutil.rmtree(data)
        import_median = statistics.median(import_times)

        big = generate(args.cache, work / f"articles-{args.cache}")
        cache_dir = work / f"cache-{args.cache}"
        if not (cache_dir / "cache.sqlite3").exists():
            newsreader(cache_dir, "import", str(big))
        list_median = statistics.median(
            newsreader(cache_dir, "list", "--limit", "50") for _ in range(args.runs)
        )
        search_cli_median = statistics.median(
            newsreader(cache_dir, "list", "--search", "ferry festival", "--limit", "50")
            for _ in range(args.runs)
        )
        from newsreader.cache import Cache

        with Cache(cache_dir / "cache.sqlite3") as cache:
            search_times = []
            for query in QUERIES:
                for _ in range(args.runs):
                    start = time.perf_counter()
                    cache.search(query, limit=50)
                    search_times.append(time.perf_counter() - start)
        size_mib = (cache_dir / "cache.sqlite3").stat().st_size / 2**20

        print(f"| measure | median of {args.runs} | target |")
        print("|---|---|---|")
        print(
            f"| `newsreader import` of {args.articles:,} articles | {import_median:.2f} s = "
            f"{args.articles / import_median:,.0f} articles/s | >= 2,000 articles/s |"
        )
        print(
            f"| `newsreader list --limit 50`, {args.cache:,}-article cache | "
            f"{list_median * 1000:.0f} ms wall | < 400 ms |"
        )
        print(
            f"| search, first page of 50 (cache call, {len(QUERIES)} queries) | "
            f"{statistics.median(search_times) * 1000:.1f} ms | < 50 ms |"
        )
        print(
            f"| `newsreader list --search ... --limit 50`, whole command | "
            f"{search_cli_median * 1000:.0f} ms wall | |"
        )
        print(f"| cache file for {args.cache:,} articles | {size_mib:,.0f} MiB | |")
    finally:
        if args.work is None:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
