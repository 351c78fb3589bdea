#!/usr/bin/env python3
"""The reader's start-up, reading and link speed, in a real terminal (tmux).

    python benchmarks/bench_reader.py [--sizes 1000,100000] [--runs 5] [--no-newsboat] [--work DIR]
    python benchmarks/bench_reader.py --sizes 100000 --no-newsboat --work DIR \\
        --reader before=OLD/.venv/bin/newsreader --checkout after=NEW

For each size N it generates N/50 feeds of 50 items whose items link to each
other (make_linked_feeds.py, over ../shared/bench/make_feeds.py), serves them on
127.0.0.1 (../shared/bench/serve.py), and fills one cache per reader from them
with that reader's own ``newsreader refresh`` (a newer reader may migrate a cache
an older one then refuses), and newsboat's with ``newsboat -x reload``. Then, in
a 120x40 tmux window, it times:

- launch to the first screen with article rows: for newsreader, until a row of
  the article list is drawn; for newsboat, until its first screen (the feed
  list) is drawn;
- peak RSS of the reader process over the run (GNU time);
- opening the next article: from the key (``n``; newsboat's ``n`` in an
  article) until the article's title heads the article pane (newsboat: until
  the screen changes). For newsreader twice: the session's first article (it
  pays for what the reader imports on the first open), and then the one after it;
- following a link (newsreader only): in that article, from the key ``1`` (its
  first link, to another cached article by URL) until the target's title heads
  the pane; then back, and ``2`` (a "Read Also" line naming a cached article by
  its title alone) likewise.

Every timed key is pressed IDLE seconds after the last step, when the reader
is idle. Before each launch the reader's cache file is read through once, so it
starts with the file in the OS's page cache, as after any recent use. Each run opens the next unread articles, so every run opens (and converts)
articles for the first time, as a reader going down the list does; once the
first page is read, it is marked unread again.

Give two or more readers (``--reader NAME=CMD``, ``--checkout NAME=DIR`` for
DIR/.venv/bin/newsreader) to time them side by side on the same feeds: the runs
alternate between them, and the table gives each reader's medians and the ratio
of the last to the first. Without one, it times this interpreter's newsreader.

Prints medians. Needs tmux, GNU time and (unless --no-newsboat) newsboat.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).parent
BENCH = HERE.parent.parent / "shared" / "bench"
ITEMS = 50
POLL = 0.01
TIMEOUT = 600.0
BASE_PORT = 18931
IDLE = 2.0
"""Seconds before each timed key: the reader has finished drawing (the tree's
counts are redrawn 0.25 s after an article is marked read), as it has by the
time a user has read the list or the article."""
SETTLE = 0.5
"""Seconds left between steps that are not timed (focus moves), so one step's
late drawing (an image arriving) is not counted in the next."""
PREFIX = 30
"""Characters of a title compared: enough to tell the generated titles apart."""


@dataclass
class Reader:
    """One newsreader install, and the cache filled for it."""

    name: str
    command: str
    side: Path = Path()
    env: str = ""


@dataclass
class Times:
    """One reader's measures over the runs, in seconds (RSS in MiB)."""

    launch: list[float] = field(default_factory=list)
    rss: list[float] = field(default_factory=list)
    first: list[float] = field(default_factory=list)
    next: list[float] = field(default_factory=list)
    link: list[float] = field(default_factory=list)
    read_also: list[float] = field(default_factory=list)

    def median(self, name: str) -> float | None:
        values: list[float] = getattr(self, name)
        return statistics.median(values) if values else None


def tmux(socket: str, *args: str) -> str:
    return subprocess.run(["tmux", "-S", socket, *args], capture_output=True, text=True).stdout


def screen_of(socket: str) -> str:
    return tmux(socket, "capture-pane", "-p", "-t", "bench")


def wait_for(socket: str, predicate: Callable[[str], bool], timeout: float = TIMEOUT) -> float:
    start = time.perf_counter()
    while time.perf_counter() - start < timeout:
        if predicate(screen_of(socket)):
            return time.perf_counter() - start
        time.sleep(POLL)
    raise TimeoutError(f"the screen never showed what was expected:\n{screen_of(socket)}")


def press(socket: str, key: str, predicate: Callable[[str], bool]) -> float:
    """Seconds from sending a key until the screen satisfies the predicate."""
    pressed = time.perf_counter()
    tmux(socket, "send-keys", "-t", "bench", key)
    wait_for(socket, predicate)
    return time.perf_counter() - pressed


def launch(socket: str, command: str, rss_file: Path) -> float:
    """Start a command in tmux; returns the time it was started."""
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


def heads_pane(title: str) -> Callable[[str], bool]:
    """Whether a line right of the tree starts with the title: the article pane's heading.

    List rows start with their marks and date, and a body line that quotes a
    title ("Continued from ...") does not start with it.
    """
    prefix = title[:PREFIX]

    def shown(screen: str) -> bool:
        return any(
            line.partition("│")[2].strip().startswith(prefix)
            for line in screen.splitlines()
            if "│" in line
        )

    return shown


def read_rss(rss_file: Path) -> float | None:
    lines = rss_file.read_text().strip().splitlines() if rss_file.exists() else []
    return int(lines[-1]) / 1024 if lines and lines[-1].isdigit() else None


def first_page(reader: Reader) -> list[dict[str, object]]:
    """The first page of the list (All), from the reader's own ``list --json``."""
    listed = subprocess.run(
        f"{reader.env} {reader.command} list --limit 50 --json",
        shell=True, check=True, capture_output=True, text=True,
    ).stdout  # fmt: skip
    return [json.loads(line) for line in listed.splitlines() if line.strip()]


def next_unread(reader: Reader) -> tuple[set[str], list[str]]:
    """The first page's titles, and the articles ``n`` opens from the first row, in order.

    When the runs have read the first page, it is marked unread again (its
    articles then open already converted, for every reader alike).
    """
    rows = first_page(reader)
    if sum(not row["read"] for row in rows[1:]) < 2:
        ids = " ".join(str(row["id"]) for row in rows)
        subprocess.run(f"{reader.env} {reader.command} unread {ids}", shell=True, check=True,
                       capture_output=True)  # fmt: skip
        rows = first_page(reader)
    unread = [str(row["title"]) for row in rows[1:] if not row["read"]]
    return {str(row["title"]) for row in rows}, unread


def warm(path: Path) -> None:
    """Read a file through once, so that it is in the OS's page cache when the reader
    starts, as after any recent use (the machine's memory is shared: between runs it
    may have been evicted, and a launch from a cold disk is another measure)."""
    with path.open("rb") as file:
        while file.read(1 << 20):
            pass


def measure_ours(
    socket: str, reader: Reader, links: dict[str, list[str]], run: int, times: Times
) -> None:
    """One run of a newsreader: launch, next article, follow a link and a Read Also line."""
    titles, unread = next_unread(reader)
    rss_file = reader.side / f"rss-{run}"
    warm(reader.side / "data" / "cache.sqlite3")
    began = launch(socket, f"{reader.env} {reader.command} --offline", rss_file)
    wait_for(socket, lambda screen: first_rows(screen, titles))
    times.launch.append(time.perf_counter() - began)
    time.sleep(IDLE)
    times.first.append(press(socket, "n", heads_pane(unread[0])))
    time.sleep(IDLE)
    opened = unread[1]
    times.next.append(press(socket, "n", heads_pane(opened)))
    targets = links.get(opened)
    if targets:
        time.sleep(SETTLE)
        tmux(socket, "send-keys", "-t", "bench", "Tab")  # the article pane takes the digits
        time.sleep(IDLE)
        times.link.append(press(socket, "1", heads_pane(targets[0])))
        time.sleep(SETTLE)
        press(socket, "BSpace", heads_pane(opened))
        time.sleep(IDLE)
        times.read_also.append(press(socket, "2", heads_pane(targets[1])))
    stop(socket)
    time.sleep(0.3)
    rss = read_rss(rss_file)
    if rss is not None:
        times.rss.append(rss)


def measure_newsboat(socket: str, command: str, titles: set[str], work: Path, runs: int) -> Times:
    """newsboat opens on its feed list; Enter opens a feed, Enter an article, n the next."""
    times = Times()
    for run in range(runs):
        rss_file = work / f"nb-rss-{run}"
        began = launch(socket, command, rss_file)
        wait_for(socket, lambda screen: first_rows(screen, titles))
        times.launch.append(time.perf_counter() - began)
        for key in ("Enter", "Enter"):
            tmux(socket, "send-keys", "-t", "bench", key)
            time.sleep(0.3)
        before = screen_of(socket)
        times.next.append(press(socket, "n", lambda screen, before=before: screen != before))
        stop(socket)
        time.sleep(0.3)
        rss = read_rss(rss_file)
        if rss is not None:
            times.rss.append(rss)
    return times


def fill(readers: list[Reader], corpus: Path, size: int, work: Path, newsboat: bool) -> Path:
    """Each reader's cache (and newsboat's) from the served feeds, unless filled before."""
    manifest = json.loads((corpus / "manifest.json").read_text())
    side = work / f"side-{size}"
    side.mkdir(exist_ok=True)
    missing = [r for r in readers if not (r.side / "data" / "cache.sqlite3").exists()]
    nb_missing = newsboat and not (side / "nb.db").exists()
    if not missing and not nb_missing:
        return side
    # A fixed port per size: the caches key their articles by feed URL.
    port = str(BASE_PORT + len(str(size)))
    server = subprocess.Popen([sys.executable, str(BENCH / "serve.py"), str(corpus), "--port", port],
                              stdout=subprocess.PIPE, text=True)  # fmt: skip
    try:
        assert server.stdout is not None
        base = server.stdout.readline().strip()
        urls = [base + entry["file"] for entry in manifest["list"]]
        for reader in missing:
            reader.side.mkdir(exist_ok=True)
            (reader.side / "feeds.toml").write_text(
                "".join(f'[[feeds]]\nurl = "{u}"\ncategory = "Bench"\n\n' for u in urls)
            )
            print(f"filling {reader.name}'s cache of {size:,} articles", file=sys.stderr)
            subprocess.run(f"{reader.env} {reader.command} refresh", shell=True, check=True,
                           capture_output=True)  # fmt: skip
        (side / "urls").write_text("".join(f"{u}\n" for u in urls))
        (side / "nb.config").write_text("reload-threads 16\n")
        if nb_missing:
            subprocess.run(newsboat_command(side).split() + ["-x", "reload"], check=True,
                           capture_output=True)  # fmt: skip
    finally:
        server.terminate()
        server.wait()
    return side


def newsboat_command(side: Path) -> str:
    return f"newsboat -u {side / 'urls'} -c {side / 'nb.db'} -C {side / 'nb.config'}"


def parse_readers(args: argparse.Namespace) -> list[Reader]:
    readers = []
    for value in args.reader:
        name, _, command = value.rpartition("=")
        readers.append(Reader(name or f"reader{len(readers) + 1}", command))
    for value in args.checkout:
        name, _, directory = value.rpartition("=")
        command = str(Path(directory).resolve() / ".venv" / "bin" / "newsreader")
        readers.append(Reader(name or Path(directory).name, command))
    if not readers:
        here = shutil.which("newsreader", path=str(Path(sys.executable).parent)) or "newsreader"
        readers.append(Reader("ours", here))
    if len({r.name for r in readers}) != len(readers):
        raise SystemExit("give each reader its own name (NAME=...)")
    return readers


def ms(value: float | None) -> str:
    return f"{value * 1000:.0f} ms" if value is not None else ""


def seconds(value: float | None) -> str:
    return f"{value:.2f} s" if value is not None else ""


def mib(value: float | None) -> str:
    return f"{value:.0f} MiB" if value is not None else ""


def ratio(after: float | None, before: float | None) -> str:
    return f"{after / before:.2f}" if after is not None and before else ""


MEASURES = (
    ("launch to first rows", "launch", seconds),
    ("peak RSS", "rss", mib),
    ("first article of the session", "first", ms),
    ("next article", "next", ms),
    ("following a link", "link", ms),
    ("following a Read Also title", "read_also", ms),
)


def print_tables(
    size: int, readers: list[Reader], times: dict[str, Times], runs: int, newsboat: Times | None
) -> None:
    names = [r.name for r in readers]
    header = ["measure", *names]
    if len(readers) > 1:
        header.append(f"{names[-1]}/{names[0]}")
    if newsboat is not None:
        header += ["newsboat", f"{names[0]}/newsboat"]
    load = " / ".join(f"{value:.1f}" for value in os.getloadavg())
    print(f"\n{size:,} articles, median of {runs} (load average at the end {load})")
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    for label, name, show in MEASURES:
        values = [times[n].median(name) for n in names]
        cells = [label, *(show(v) for v in values)]
        if len(readers) > 1:
            cells.append(ratio(values[-1], values[0]))
        if newsboat is not None:
            theirs = newsboat.median(name)
            cells += [show(theirs), ratio(values[0], theirs)]
        print("| " + " | ".join(cells) + " |")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", default="1000,100000")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--no-newsboat", action="store_true")
    parser.add_argument("--work", type=Path, help="keep feeds and caches here (reused)")
    parser.add_argument("--reader", action="append", default=[], metavar="[NAME=]CMD",
                        help="a newsreader command to time (repeat to compare)")  # fmt: skip
    parser.add_argument("--checkout", action="append", default=[], metavar="[NAME=]DIR",
                        help="time DIR/.venv/bin/newsreader (repeat to compare)")  # fmt: skip
    args = parser.parse_args()
    readers = parse_readers(args)
    work = (args.work or Path(tempfile.mkdtemp(prefix="newsreader-reader-bench-"))).resolve()
    work.mkdir(parents=True, exist_ok=True)
    socket = str(work / "tmux.sock")
    try:
        for size in (int(s) for s in args.sizes.split(",")):
            feeds = max(1, size // ITEMS)
            corpus = work / f"linked-feeds-{feeds}"
            if not (corpus / "links.json").exists():
                subprocess.run([sys.executable, str(HERE / "make_linked_feeds.py"), "--feeds",
                                str(feeds), "--items", str(ITEMS), "--seed", "1", "--out",
                                str(corpus), "--quiet"], check=True)  # fmt: skip
            for reader in readers:
                reader.side = work / f"side-{size}-{reader.name}"
                reader.env = (f"env NEWSREADER_CONFIG={shlex.quote(str(reader.side / 'feeds.toml'))} "
                              f"NEWSREADER_DATA_DIR={shlex.quote(str(reader.side / 'data'))}")  # fmt: skip
            side = fill(readers, corpus, size, work, not args.no_newsboat)
            links: dict[str, list[str]] = json.loads((corpus / "links.json").read_text())
            times = {r.name: Times() for r in readers}
            for run in range(args.runs):
                # Alternating, so the machine's drift hits every reader alike.
                for reader in readers if run % 2 == 0 else reversed(readers):
                    print(f"{size:,} articles, run {run + 1}: {reader.name}", file=sys.stderr)
                    measure_ours(socket, reader, links, run, times[reader.name])
            for name, taken in times.items():
                print(f"{name}: {taken}", file=sys.stderr)
            theirs = None
            if not args.no_newsboat:
                titles = {
                    entry["title"]
                    for entry in json.loads((corpus / "manifest.json").read_text())["list"]
                }
                # newsboat takes minutes to open a large cache: one run there.
                theirs = measure_newsboat(socket, newsboat_command(side), titles, side,
                                          1 if size >= 50_000 else args.runs)  # fmt: skip
            print_tables(size, readers, times, args.runs, theirs)
    finally:
        tmux(socket, "kill-server")
        if args.work is None:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
