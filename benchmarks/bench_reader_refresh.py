"""The reader's ``r`` against ``newsreader refresh``: a cold refresh of the same feeds.

    python benchmarks/bench_reader_refresh.py [--feeds 200] [--runs 3] [--work DIR]

The bench corpus (``../shared/bench/make_feeds.py``, 50 items per feed) is served
by ``../shared/bench/serve.py`` with 50 ms of latency over 20 loopback hosts,
as in ``compare_refresh.sh``. Each run starts from an empty cache:

- the command: ``newsreader refresh``, timed as a whole (interpreter start
  included);
- the reader: ``newsreader`` in a 120x40 tmux window, which refreshes as it
  starts (the work of ``r``), timed from its launch until the status line
  reports the new articles; then ``r`` once more, all 304s, against a second
  ``newsreader refresh``.

The reader parses in its refresh thread (no process pool: see
``newsreader.pool``); the command forks a pool. Prints the medians and their
ratio.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
BENCH = HERE.parent.parent / "shared" / "bench"
NEWSREADER = HERE.parent / ".venv" / "bin" / "newsreader"
HOSTS = 20
TIMEOUT = 300.0
DONE_MARK = "new article"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--feeds", type=int, default=200)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--work", type=Path)
    parser.add_argument("--newsreader", default=str(NEWSREADER))
    args = parser.parse_args()
    if shutil.which("tmux") is None:
        raise SystemExit("needs tmux")
    work = args.work or Path(tempfile.mkdtemp(prefix="reader-refresh-"))
    feeds = work / "feeds"
    if not (feeds / "manifest.json").is_file():
        subprocess.run(
            [sys.executable, str(BENCH / "make_feeds.py"), "--feeds", str(args.feeds)]
            + ["--items", "50", "--seed", "1", "--out", str(feeds)],
            check=True,
            timeout=600,
        )
    server = subprocess.Popen(
        [sys.executable, str(BENCH / "serve.py"), str(feeds), "--port", "0"]
        + ["--hosts", str(HOSTS), "--latency-ms", "50"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert server.stdout is not None
        base = server.stdout.readline().strip()
        config = work / "feeds.toml"
        config.write_text(
            "".join(
                f'[[feeds]]\nurl = "{base.replace("127.0.0.1", f"127.0.0.{n % HOSTS + 1}", 1)}'
                f'feed-{n:04d}.xml"\n\n'
                for n in range(1, args.feeds + 1)
            )
        )
        times: dict[str, list[float]] = {}
        for run in range(args.runs):
            found = _command(args.newsreader, work / f"command-{run}", config)
            found |= _reader(args.newsreader, work / f"reader-{run}", config)
            for name, seconds in found.items():
                times.setdefault(name, []).append(seconds)
            print(f"run {run + 1}: " + ", ".join(f"{k} {v:.2f} s" for k, v in found.items()))
        print(f"median of {args.runs}:")
        for phase in ("cold", "warm"):
            ours = statistics.median(times[f"reader {phase}"])
            theirs = statistics.median(times[f"command {phase}"])
            print(
                f"  {phase}: reader {ours:.2f} s, command {theirs:.2f} s, ratio {ours / theirs:.2f}"
            )
    finally:
        server.terminate()
        server.wait(timeout=10)


def _environment(state: Path, config: Path) -> dict[str, str]:
    shutil.rmtree(state, ignore_errors=True)
    state.mkdir(parents=True)
    return os.environ | {
        "HOME": str(state),
        "XDG_CONFIG_HOME": str(state / "config"),
        "XDG_DATA_HOME": str(state / "data"),
        "XDG_CACHE_HOME": str(state / "cache"),
        "XDG_STATE_HOME": str(state / "state"),
        "NEWSREADER_DATA_DIR": str(state / "newsreader"),
        "NEWSREADER_CONFIG": str(config),
    }


def _command(newsreader: str, state: Path, config: Path) -> dict[str, float]:
    environment = _environment(state, config)
    found = {}
    for phase in ("cold", "warm"):
        start = time.monotonic()
        subprocess.run(
            [newsreader, "refresh"],
            env=environment,
            check=True,
            capture_output=True,
            timeout=TIMEOUT,
        )
        found[f"command {phase}"] = time.monotonic() - start
    return found


def _reader(newsreader: str, state: Path, config: Path) -> dict[str, float]:
    environment = _environment(state, config)
    socket = f"reader-refresh-{os.getpid()}"
    exports = " ".join(
        f"{k}={v}" for k, v in environment.items() if k.startswith(("XDG_", "NEWS", "HOME"))
    )
    tmux = ["tmux", "-L", socket]
    start = time.monotonic()
    subprocess.run(
        [*tmux, "new-session", "-d", "-x", "120", "-y", "40", f"env {exports} {newsreader}"],
        check=True,
        timeout=30,
    )
    try:
        _wait(tmux, lambda screen: DONE_MARK in screen)
        found = {"reader cold": time.monotonic() - start}
        subprocess.run([*tmux, "send-keys", "r"], check=True, timeout=10)
        start = time.monotonic()
        _wait(
            tmux,
            lambda screen: any(line.startswith("0 new articles") for line in screen.splitlines()),
        )
        found["reader warm"] = time.monotonic() - start
        return found
    finally:
        subprocess.run([*tmux, "kill-server"], timeout=10, check=False)


def _wait(tmux: list[str], shown: object) -> None:
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        screen = subprocess.run(
            [*tmux, "capture-pane", "-p"], capture_output=True, text=True, timeout=10
        ).stdout
        if shown(screen):  # type: ignore[operator]
            return
        time.sleep(0.05)
    raise SystemExit("the reader did not get there in time")


if __name__ == "__main__":
    main()
