#!/usr/bin/env python3
"""Entries per feed: in the file, stored by newsreader, kept by newsboat, over the same server.

Serves every feed file of a folder (by default the shared corpus's ``feeds/``)
from 127.0.0.1 with the content type its suffix suggests, refreshes it with
``newsreader refresh`` and with ``newsboat -x reload`` into fresh state, and
prints one Markdown row per feed. "In the file" is the number of entries
feedparser finds and, after a slash, how many distinct ids they carry.

    python benchmarks/compare_entries.py [--feeds DIR] [--newsreader CMD] [--newsboat CMD]

Needs newsboat (``apt-get install newsboat``). Nothing leaves loopback.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import sqlite3
import subprocess
import sys
import tempfile
import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import feedparser

HERE = Path(__file__).resolve().parent
CONTENT_TYPES = {
    ".xml": "application/xml",
    ".rss": "application/rss+xml",
    ".atom": "application/atom+xml",
    ".rdf": "application/rdf+xml",
    ".json": "application/feed+json",
}


class FeedHandler(SimpleHTTPRequestHandler):
    """Static files with a feed's content type and no charset (as many servers send)."""

    def guess_type(self, path: str | os.PathLike[str]) -> str:
        return CONTENT_TYPES.get(Path(path).suffix.lower(), "application/octet-stream")

    def log_message(self, format: str, *args: object) -> None:
        pass


def entries_in_file(path: Path) -> tuple[int, int]:
    """(entries, distinct ids) as feedparser reads the file (JSON Feed by its own keys)."""
    if path.suffix == ".json":
        items = json.loads(path.read_bytes()).get("items", [])
        return len(items), len({str(item.get("id")) for item in items})
    parsed = feedparser.parse(path.read_bytes())
    ids = {entry.get("id") or entry.get("link") or id(entry) for entry in parsed.entries}
    return len(parsed.entries), len(ids)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--feeds", type=Path, default=HERE.parent.parent / "shared/corpus/feeds")
    parser.add_argument("--newsreader", default="newsreader")
    parser.add_argument("--newsboat", default="newsboat")
    args = parser.parse_args()
    files = sorted(p for p in args.feeds.iterdir() if p.suffix.lower() in CONTENT_TYPES)
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(FeedHandler, directory=args.feeds))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    with tempfile.TemporaryDirectory() as work_dir:
        work = Path(work_dir)
        urls = {path.name: base + path.name for path in files}
        (work / "urls").write_text("".join(f"{url}\n" for url in urls.values()))
        (work / "nb.config").write_text("reload-threads 8\n")
        (work / "feeds.toml").write_text(
            "".join(f'[[feeds]]\nurl = "{url}"\n\n' for url in urls.values())
        )
        env = {**os.environ, "HOME": str(work), "XDG_CONFIG_HOME": str(work / "config"),
               "XDG_DATA_HOME": str(work / "data")}  # fmt: skip
        subprocess.run(
            [*shlex.split(args.newsboat), "-u", str(work / "urls"), "-c", str(work / "nb.db"),
             "-C", str(work / "nb.config"), "-x", "reload"],
            env=env, check=False, capture_output=True, timeout=600,
        )  # fmt: skip
        ours = [*shlex.split(args.newsreader), "--config", str(work / "feeds.toml"),
                "--data-dir", str(work / "ours")]  # fmt: skip
        subprocess.run([*ours, "refresh"], env=env, check=False, capture_output=True, timeout=600)
        listing = subprocess.run(
            [*ours, "feeds", "--json"], env=env, check=True, capture_output=True, text=True
        )
        stored = {}
        for line in listing.stdout.splitlines():
            record = json.loads(line)
            stored[record["url"]] = (record["articles"], record["last_error"])
        newsboat = dict(
            sqlite3.connect(work / "nb.db").execute(
                "SELECT feedurl, COUNT(*) FROM rss_item GROUP BY feedurl"
            )
        )
    server.shutdown()
    print("| feed | in the file (entries / ids) | newsreader | newsboat |")
    print("|---|---|---|---|")
    for path in files:
        entries, distinct = entries_in_file(path)
        articles, error = stored.get(urls[path.name], (0, None))
        note = f" ({error})" if error else ""
        kept = newsboat.get(urls[path.name], 0)
        print(f"| {path.name} | {entries} / {distinct} | {articles}{note} | {kept} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
