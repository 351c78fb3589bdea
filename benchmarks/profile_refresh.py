"""Where a cold refresh's CPU goes: download, parse, normalise, prepare, SQL with FTS.

    python benchmarks/profile_refresh.py [--feeds 200] [--items 50] [--work DIR]

Generates the bench corpus (``../shared/bench/make_feeds.py``), serves it from
127.0.0.1 with ``../shared/bench/serve.py`` (another process, so its CPU is
not counted), and refreshes it into a fresh cache in this process with no pool
(``parse_workers=0``). It prints:

- the refresh's wall and CPU time without a profiler (the true figures);
- each phase's share of the CPU under cProfile, from the cumulative time of the
  functions that do it (a profiler inflates Python code against C, so the
  shares are a guide, the totals above the truth);
- what the full-text index alone costs: the same search texts put into an
  in-memory FTS5 table with the cache's options.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
BENCH = HERE.parent.parent / "shared" / "bench"

# Phase -> (file suffix, function name) of the functions whose cumulative time it is.
PHASES: dict[str, list[tuple[str, str]]] = {
    "download (HTTP, gzip, event loop)": [("sources/http.py", "fetch")],
    "parse (XML or JSON to entries)": [
        ("extract/fastfeed.py", "parse"),
        ("extract/feed.py", "_feedparser_entries"),
        ("extract/jsonfeed.py", "parse"),
        ("extract/xmlencoding.py", "as_utf8"),
    ],
    "normalise (entries to articles)": [
        ("extract/feed.py", "_settle_text"),
        ("extract/feed.py", "_entry_article"),
    ],
    "prepare (JSON, hashes, search text)": [("cache/rows.py", "prepare_article")],
    "SQL and full-text index": [("cache/writes.py", "store_prepared")],
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--feeds", type=int, default=200)
    parser.add_argument("--items", type=int, default=50)
    parser.add_argument("--work", type=Path)
    args = parser.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="profile-refresh-"))
    feeds = work / "feeds"
    if not (feeds / "manifest.json").is_file():
        subprocess.run(
            [sys.executable, str(BENCH / "make_feeds.py"), "--feeds", str(args.feeds)]
            + ["--items", str(args.items), "--seed", "1", "--out", str(feeds)],
            check=True,
            timeout=600,
        )
    server = subprocess.Popen(
        [sys.executable, str(BENCH / "serve.py"), str(feeds), "--port", "0"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stdout is not None
        base = server.stdout.readline().strip()
        config_path = work / "feeds.toml"
        config_path.write_text(
            "".join(
                f'[[feeds]]\nurl = "{base}feed-{n:04d}.xml"\n\n' for n in range(1, args.feeds + 1)
            )
        )
        wall, cpu = _refresh(work / "plain", config_path, profile=None)
        print(f"{args.feeds} feeds, cold, one process: {wall:.2f} s wall, {cpu:.2f} s CPU")
        profile = cProfile.Profile()
        _refresh(work / "profiled", config_path, profile=profile)
        _print_phases(pstats.Stats(profile))
        _print_fts(feeds)
    finally:
        server.terminate()
        server.wait(timeout=10)


def _refresh(
    folder: Path, config_path: Path, profile: cProfile.Profile | None
) -> tuple[float, float]:
    from newsreader.cache import Cache
    from newsreader.config import load_config
    from newsreader.refresh import refresh

    folder.mkdir(parents=True, exist_ok=True)
    config = load_config(config_path)
    with Cache(folder / "cache.sqlite3") as cache:
        wall, cpu = time.monotonic(), time.process_time()
        if profile is not None:
            profile.enable()
        report = refresh(config, cache, parse_workers=0)
        if profile is not None:
            profile.disable()
        wall, cpu = time.monotonic() - wall, time.process_time() - cpu
    failed = [f for f in report.feeds if f.error]
    if failed:
        raise SystemExit(f"{len(failed)} feeds failed, first: {failed[0].error}")
    return wall, cpu


def _print_phases(stats: pstats.Stats) -> None:
    entries = stats.stats  # type: ignore[attr-defined]
    total = sum(tottime for _cc, _nc, tottime, _ct, _callers in entries.values())
    print(f"\nunder cProfile: {total:.2f} s CPU in all")
    accounted = 0.0
    for phase, functions in PHASES.items():
        seconds = sum(
            cumulative
            for (filename, _line, name), (_cc, _nc, _tt, cumulative, _callers) in entries.items()
            for suffix, wanted in functions
            if name == wanted and filename.endswith(suffix)
        )
        accounted += seconds
        print(f"  {phase:40s} {seconds:6.2f} s  {seconds / total:5.1%}")
    rest = total - accounted
    print(f"  {'the rest (loop, feed states, retention)':40s} {rest:6.2f} s  {rest / total:5.1%}")


def _print_fts(feeds: Path) -> None:
    from newsreader.cache import prepare_article
    from newsreader.extract.feed import parse_feed

    texts: list[tuple[int, str, str]] = []
    for path in sorted(feeds.glob("feed-*.xml")):
        parsed = parse_feed(path.read_bytes(), source=str(path), convert_html=False)
        for article in parsed.articles:
            row = prepare_article(article, 0.0)
            texts.append((len(texts) + 1, article.title, row.search_text))
    db = sqlite3.connect(":memory:")
    db.execute(
        "CREATE VIRTUAL TABLE f USING fts5(title, body, content='', detail='column', "
        "tokenize='porter unicode61 remove_diacritics 2')"
    )
    start = time.process_time()
    with db:
        db.executemany("INSERT INTO f (rowid, title, body) VALUES (?, ?, ?)", texts)
    seconds = time.process_time() - start
    print(f"\nfull-text index alone: {len(texts)} articles in {seconds:.2f} s CPU")


if __name__ == "__main__":
    main()
