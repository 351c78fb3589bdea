"""A sync account against a real FreshRSS on loopback: first sync and nothing-new sync.

    python benchmarks/bench_sync.py [--feeds 100] [--items 50] [--runs 3] [--work DIR]

Starts FreshRSS (``../shared/servers/freshrss/serve.sh``, needs PHP), serves the
shared bench corpus (``../shared/bench/make_feeds.py``) from 127.0.0.1 and
subscribes a FreshRSS user to every feed under ten labels (FreshRSS fetches each
as it subscribes). Then, with the installed ``newsreader`` (``.venv``), it
times, each run into a fresh data folder:

- the first sync (every subscription, label and item, their marks), wall time
  and the command's own peak RSS;
- a sync with nothing new, right after it (wall time and peak RSS).

Requests are counted by newsreader itself (``sync --json``'s ``requests``).
Medians of ``--runs`` are printed, with the figures of each run.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SHARED = ROOT.parent / "shared"
NEWSREADER = ROOT / ".venv" / "bin" / "newsreader"
USER, API_PASSWORD = "bench", "bench-api-pass"
PASSWORD_ENV = "NEWSREADER_BENCH_PASSWORD"

_LAUNCHER = """\
import os, sys
report, args = sys.argv[1], sys.argv[2:]
pid = os.fork()
if pid == 0:
    os.execv(args[0], args)
_, status, usage = os.wait4(pid, 0)
with open(report, "w") as out:
    out.write(f"{os.waitstatus_to_exitcode(status)} {usage.ru_maxrss}")
"""


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _start_freshrss(work: Path) -> tuple[subprocess.Popen[str], str]:
    port = _free_port()
    process = subprocess.Popen(
        ["bash", str(SHARED / "servers" / "freshrss" / "serve.sh"), str(work), str(port),
         USER, "bench-web-pass", API_PASSWORD],
        stdout=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )  # fmt: skip
    assert process.stdout is not None
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if line.startswith("READY "):
            api = line.split()[1]
            break
        if not line and process.poll() is not None:
            sys.exit("FreshRSS did not start")
    else:
        sys.exit("FreshRSS did not start in time")
    while time.monotonic() < deadline:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return process, api
        time.sleep(0.05)
    sys.exit("FreshRSS's port never opened")


def _subscribe(api: str, urls: list[str]) -> None:
    sys.path.insert(0, str(ROOT))
    from newsreader.sync.greader import GReaderClient

    client = GReaderClient(api, USER, lambda: API_PASSWORD, timeout=120)
    for index, url in enumerate(urls):
        stream = client.quickadd(url)
        client.edit_subscription(stream, "edit", add_label=f"Label {index % 10}")


def _measured(report: Path, args: list[str], env: dict[str, str]) -> tuple[float, float, str]:
    """Wall seconds, the command's peak RSS in MiB, and what it printed."""
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-c", _LAUNCHER, str(report), *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=1800,
        check=False,
    )
    seconds = time.monotonic() - started
    code, peak_kib = map(int, report.read_text().split())
    if code != 0:
        sys.exit(f"{' '.join(args)} failed: {done.stderr}")
    return seconds, peak_kib / 1024, done.stdout


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--feeds", type=int, default=100)
    parser.add_argument("--items", type=int, default=50)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--work", type=Path)
    args = parser.parse_args()
    if shutil.which("php") is None:
        sys.exit("PHP is needed for FreshRSS (see ../shared/servers/freshrss/README.md)")
    work = args.work or Path(tempfile.mkdtemp(prefix="bench-sync-"))
    feeds = work / "feeds"
    if not (feeds / "manifest.json").is_file():
        subprocess.run(
            [sys.executable, str(SHARED / "bench" / "make_feeds.py"), "--feeds", str(args.feeds),
             "--items", str(args.items), "--seed", "1", "--out", str(feeds), "--quiet"],
            check=True,
            timeout=600,
        )  # fmt: skip
    feed_server = subprocess.Popen(
        [sys.executable, str(SHARED / "bench" / "serve.py"), str(feeds), "--port", "0"],
        stdout=subprocess.PIPE,
        text=True,
    )
    freshrss, api = _start_freshrss(work / "server")
    try:
        assert feed_server.stdout is not None
        base = feed_server.stdout.readline().strip()
        manifest = json.loads((feeds / "manifest.json").read_text())
        started = time.monotonic()
        _subscribe(api, [base + record["file"] for record in manifest["list"]][: args.feeds])
        print(f"subscribed to {args.feeds} feeds in {time.monotonic() - started:.1f} s")
        config = work / "feeds.toml"
        config.write_text(
            f'[[accounts]]\nname = "bench"\ntype = "greader"\nurl = "{api}"\n'
            f'user = "{USER}"\npassword_env = "{PASSWORD_ENV}"\n'
        )
        env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSREADER_")}
        env[PASSWORD_ENV] = API_PASSWORD
        first: list[tuple[float, float, dict[str, object]]] = []
        again: list[tuple[float, float, dict[str, object]]] = []
        for run in range(args.runs):
            data = work / f"data-{run}"
            shutil.rmtree(data, ignore_errors=True)
            command = [str(NEWSREADER), "--config", str(config), "--data-dir", str(data),
                       "sync", "--json"]  # fmt: skip
            for into in (first, again):
                seconds, peak, out = _measured(work / "measured", command, env)
                (report,) = json.loads(out)
                into.append((seconds, peak, report))
                print(
                    f"run {run + 1} {'first' if into is first else 'again'}: {seconds:.2f} s, "
                    f"{peak:.0f} MiB, {report['new']} new, {report['requests']} requests"
                )
        for name, runs in (("first sync", first), ("nothing new", again)):
            print(
                f"{name}: median {statistics.median(r[0] for r in runs):.2f} s, "
                f"peak RSS {statistics.median(r[1] for r in runs):.0f} MiB, "
                f"{statistics.median(int(str(r[2]['requests'])) for r in runs):.0f} requests"
            )
    finally:
        feed_server.send_signal(signal.SIGTERM)
        os.killpg(freshrss.pid, signal.SIGTERM)
        feed_server.wait(timeout=10)
        freshrss.wait(timeout=10)


if __name__ == "__main__":
    main()
