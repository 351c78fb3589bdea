"""Network faults from a real loopback server: each fails its own feed, in time, clearly."""

from __future__ import annotations

import socket
import time
from pathlib import Path

from newsreader.cache import Cache
from newsreader.config import load_config
from newsreader.refresh import FeedStatus, refresh
from tests.helpers.cache import article_count
from tests.helpers.config import write_config
from tests.loopback import LoopbackServer, Reply, redirect, rss, static

TIMEOUT = 3
FEED = rss("Good", [(f"Good item {n}", f"https://good.example/{n}", "Body.") for n in range(5)])
BIG_FEED = FEED + b"<!--" + b"x" * 200_000 + b"-->"


def _closed_port() -> int:
    """A loopback port nothing listens on (connection refused)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_every_fault_fails_only_its_feed_within_the_timeout(
    tmp_path: Path, server: LoopbackServer, cache: Cache
) -> None:
    server.routes["/good-1.xml"] = static(FEED)
    server.routes["/good-2.xml"] = static(
        FEED.replace(b"Good", b"Fine").replace(b"good.", b"fine.")
    )
    server.routes["/reset.xml"] = lambda _r: Reply(
        200, BIG_FEED, headers={"Content-Length": str(len(BIG_FEED))}, reset_after=4096
    )
    server.routes["/drip.xml"] = lambda _r: Reply(200, FEED, drip=1.0, drip_limit=TIMEOUT * 3)
    server.routes["/loop"] = redirect(server.url("loop"), 302)
    server.routes["/endless.xml"] = lambda _r: Reply(200, endless_for=TIMEOUT * 4)
    server.routes["/stall.xml"] = lambda _r: Reply(200, FEED, delay=TIMEOUT * 3)
    plain_port = server.base.rsplit(":", 1)[1].rstrip("/")
    faults = {
        f"http://127.0.0.1:{_closed_port()}/refused.xml": "cannot connect to 127.0.0.1: connection refused",
        server.url("reset.xml"): "the response was cut off",
        server.url("drip.xml"): f"timed out after {TIMEOUT} s",
        server.url("loop"): "more than 5 redirects",
        server.url("endless.xml"): "",  # too large or too slow: whichever limit comes first
        server.url("stall.xml"): f"timed out after {TIMEOUT} s",
        f"https://127.0.0.1:{plain_port}/tls.xml": "TLS handshake failed",
        "http://feeds.newsreader-test.invalid/rss": "cannot resolve host",
    }
    good = [server.url("good-1.xml"), server.url("good-2.xml")]
    config = load_config(
        write_config(tmp_path / "feeds.toml", [good[0], *faults, good[1]], f"timeout = {TIMEOUT}")
    )

    started = time.monotonic()
    report = refresh(config, cache, parse_workers=0)
    elapsed = time.monotonic() - started

    # Feeds are fetched side by side: the slowest fault bounds the whole refresh.
    assert elapsed < TIMEOUT + 3, elapsed
    results = {result.url: result for result in report.feeds}
    for url, reason in faults.items():
        result = results[url]
        assert result.status is FeedStatus.FAILED, (url, result)
        assert result.error and reason in result.error, (url, result.error)
    assert results[server.url("endless.xml")].error in (
        f"timed out after {TIMEOUT} s",
        "response too large (over 10240 KiB)",
    )
    for url in good:
        assert results[url].status is FeedStatus.UPDATED
    assert article_count(cache) == 10
    states = cache.feed_states()
    for url in faults:
        assert states[url].last_error == results[url].error
    # The failures are recorded and the good articles stay through another refresh.
    again = refresh(config, cache, parse_workers=0)
    assert sum(r.failed for r in again.feeds) == len(faults)
    assert article_count(cache) == 10
