#!/usr/bin/env python3
"""The reader's start-up and reading speed, in a real terminal (tmux), against newsboat.

    python benchmarks/bench_reader.py [--sizes 1000,100000] [--runs 5] [--no-newsboat] [--work DIR]

For each size N it generates N/50 feeds of 50 items (../shared/bench/make_feeds.py),
serves them on 127.0.0.1 (../shared/bench/serve.py), and fills both caches from
them: ``newsreader refresh`` and ``newsboat -x reload``. Then, in a 120x40 tmux
window, it times:

- launch to the first screen with article rows: for newsreader, until a row of
  the article list is drawn; for newsboat, until its first screen (the feed
  list) is drawn;
- peak RSS of the reader process over the launch (GNU time);
- opening the next article: from the key (``n`` / newsboat's ``n`` in an
  article) until the new article's title is on screen.

Prints medians. Needs tmux, GNU time and (unless --no-newsboat) newsboat.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).parent
BENCH = HERE.parent.parent / "shared" / "bench"
ITEMS = 50
POLL = 0.01
TIMEOUT = 600.0
BASE_PORT = 18931


def tmux(socket: str, *args: str) -> str:
    return subprocess.run(["tmux", "-S", socket, *args], capture_output=True, text=True).stdout


def wait_for(socket: str, predicate, timeout: float = TIMEOUT) -> float:  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    while time.perf_counter() - start < timeout:
        screen = tmux(socket, "capture-pane", "-p", "-t", "bench")
        if predicate(screen):
            return time.perf_counter() - start
        time.sleep(POLL)
    raise TimeoutError("the screen never showed what was expected")


def launch(socket: str, command: str, rss_file: Path) -> float:
    """Start a command in tmux; returns the seconds until tmux runs it (subtracted later)."""
    tmux(socket, "kill-server")
    start = time.perf_counter()
    tmux(socket, "new-session", "-d", "-s", "bench", "-x", "120", "-y", "40",
         f"/usr/bin/time -f %M -o {rss_file} {command}")  # fmt: skip
    return start


def stop(socket: str) -> None:
    """Quit the reader (q until it ends: out of an article, then out) and wait for it."""
    deadline = time.perf_counter() + 180
    while time.perf_counter() < deadline:
        if subprocess.run(["tmux", "-S", socket, "has-session", "-t", "bench"],
                          capture_output=True).returncode != 0:  # fmt: skip
            return
        tmux(socket, "send-keys", "-t", "bench", "q")
        time.sleep(1.0)
    tmux(socket, "kill-server")


def first_rows(screen: str, titles: set[str]) -> bool:
    return any(title[:40] in screen for title in titles)


def measure(
    socket: str, command: str, titles: set[str], next_key: list[str], work: Path, runs: int
) -> tuple[float, float, float]:
    """(median seconds to first rows, median peak RSS MiB, median seconds to the next article)."""
    starts, rss, nexts = [], [], []
    for run in range(runs):
        rss_file = work / f"rss-{run}"
        began = launch(socket, command, rss_file)
        wait_for(socket, lambda screen: first_rows(screen, titles))
        starts.append(time.perf_counter() - began)
        for key in next_key[:-1]:
            tmux(socket, "send-keys", "-t", "bench", key)
            time.sleep(0.3)
        before = tmux(socket, "capture-pane", "-p", "-t", "bench")
        pressed = time.perf_counter()
        tmux(socket, "send-keys", "-t", "bench", next_key[-1])
        wait_for(socket, lambda screen, before=before: screen != before and "%" not in screen[:0])
        nexts.append(time.perf_counter() - pressed)
        stop(socket)
        time.sleep(0.3)
        if rss_file.exists() and rss_file.read_text().strip().splitlines():
            rss.append(int(rss_file.read_text().strip().splitlines()[-1]) / 1024)
    return (
        statistics.median(starts),
        statistics.median(rss) if rss else 0.0,
        statistics.median(nexts),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="1000,100000")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--no-newsboat", action="store_true")
    parser.add_argument("--work", type=Path)
    args = parser.parse_args()
    newsreader = shutil.which("newsreader", path=str(Path(sys.executable).parent)) or "newsreader"
    work = args.work or Path(tempfile.mkdtemp(prefix="newsreader-reader-bench-"))
    socket = str(work / "tmux.sock")
    rows = []
    try:
        for size in (int(s) for s in args.sizes.split(",")):
            feeds = max(1, size // ITEMS)
            corpus = work / f"feeds-{feeds}"
            if not (corpus / "manifest.json").exists():
                subprocess.run([sys.executable, str(BENCH / "make_feeds.py"), "--feeds", str(feeds),
                                "--items", str(ITEMS), "--seed", "1", "--out", str(corpus)],
                               check=True, capture_output=True)  # fmt: skip
            manifest = json.loads((corpus / "manifest.json").read_text())
            # A fixed port: both caches key their articles by feed URL.
            port = str(BASE_PORT + len(rows))
            server = subprocess.Popen([sys.executable, str(BENCH / "serve.py"), str(corpus), "--port", port],
                                      stdout=subprocess.PIPE, text=True)  # fmt: skip
            try:
                assert server.stdout is not None
                base = server.stdout.readline().strip()
                urls = [base + entry["file"] for entry in manifest["list"]]
                side = work / f"side-{size}"
                side.mkdir(exist_ok=True)
                config = side / "feeds.toml"
                config.write_text(
                    "".join(f'[[feeds]]\nurl = "{u}"\ncategory = "Bench"\n\n' for u in urls)
                )
                env = {
                    **os.environ,
                    "NEWSREADER_CONFIG": str(config),
                    "NEWSREADER_DATA_DIR": str(side / "data"),
                }
                if not (side / "data" / "cache.sqlite3").exists():
                    subprocess.run(
                        [newsreader, "refresh"], env=env, check=True, capture_output=True
                    )
                (side / "urls").write_text("".join(f"{u}\n" for u in urls))
                (side / "nb.config").write_text("reload-threads 16\n")
                newsboat_cmd = (
                    f"newsboat -u {side / 'urls'} -c {side / 'nb.db'} -C {side / 'nb.config'}"
                )
                if not args.no_newsboat and not (side / "nb.db").exists():
                    subprocess.run(
                        newsboat_cmd.split() + ["-x", "reload"], check=True, capture_output=True
                    )
            finally:
                server.terminate()
                server.wait()
            titles = {entry["title"] for entry in manifest["list"]}
            item_titles = set()
            from newsreader.cache import Cache

            with Cache(side / "data" / "cache.sqlite3") as cache:
                item_titles = {row.title for row in cache.list_articles(limit=50)}
            ours_cmd = (f"env NEWSREADER_CONFIG={config} NEWSREADER_DATA_DIR={side / 'data'} "
                        f"{newsreader} --offline")  # fmt: skip
            ours = measure(socket, ours_cmd, item_titles, ["n"], side, args.runs)
            row = [size, *ours]
            if not args.no_newsboat:
                # newsboat opens on its feed list; "enter" opens a feed, "enter" an article,
                # then "n" goes to the next unread article.
                # newsboat takes minutes to open a large cache: one run there.
                newsboat_runs = 1 if size >= 50_000 else args.runs
                theirs = measure(
                    socket, newsboat_cmd, titles, ["Enter", "Enter", "n"], side, newsboat_runs
                )
                row += list(theirs)
            rows.append(row)
    finally:
        tmux(socket, "kill-server")
        if args.work is None:
            shutil.rmtree(work, ignore_errors=True)
    print(
        f"| articles | ours: launch to rows | ours: peak RSS | ours: next article | "
        f"newsboat: launch | newsboat: peak RSS | newsboat: next article | launch ours/newsboat |  (median of {args.runs})"
    )
    print("|---|---|---|---|---|---|---|---|")
    for row in rows:
        size, start, rss, nxt = row[:4]
        line = f"| {size:,} | {start:.2f} s | {rss:.0f} MiB | {nxt * 1000:.0f} ms |"
        if len(row) > 4:
            nb_start, nb_rss, nb_next = row[4:]
            line += f" {nb_start:.2f} s | {nb_rss:.0f} MiB | {nb_next * 1000:.0f} ms | {start / nb_start:.2f} |"
        else:
            line += " | | | |"
        print(line)


if __name__ == "__main__":
    main()
