"""Hostile input that reaches the cache, class by class (one section each below).

Each class was an input that, once in, broke more than itself: more than its
own feed, file or article. Every test goes through the real parts: the loopback
server, real SQLite files (written by hand where the attack is a stored value),
the command line in a child process, and the reader through Textual's pilot.
"""

from __future__ import annotations

import json
import subprocess
import time
from datetime import datetime
from pathlib import Path

import pytest

from newsreader.config import MAX_RETRY_AFTER_LIMIT, ConfigError, load_config
from newsreader.model import FeedState
from newsreader.paths import Locations
from newsreader.refresh import FeedStatus, refresh
from newsreader.sources.http import DEFAULT_MAX_RETRY_AFTER, parse_retry_after
from newsreader.store import Store
from newsreader.ui.app import NewsReaderApp
from tests.conftest import TESTS, run_newsreader, write_config
from tests.loopback import LoopbackServer, Reply, rss, static

HOSTILE = TESTS / "hostile"
TRACEBACK = "Traceback"
DAY = 86_400.0


def _assert_no_traceback(*results: subprocess.CompletedProcess[str]) -> None:
    for result in results:
        assert TRACEBACK not in result.stderr, result.stderr[-3000:]


def _reader(data: Path, config: Path, *, offline: bool = True) -> NewsReaderApp:
    locations = Locations(config, data, config_given=True, offline=offline)
    return NewsReaderApp(locations, load_config(config), offline=offline, refresh_on_start=False)


def _status(app: NewsReaderApp) -> str:
    return str(app.query_one("#status-text").render())


# 1. Retry-After: bounded, never a crash, and a deferred feed is counted and shown


HOSTILE_RETRY_AFTERS = {
    "huge": "99999999999999999999",
    "five-thousand-digits": "9" * 5000,
    "ten-years": str(10 * 365 * 86_400),
    "year-9999": "Fri, 31 Dec 9999 23:59:59 GMT",
    "negative": "-5",
    "fraction": "1.5",
    "text": "soon, maybe",
    "superscript-two": "\u00b2",
    "past": "Sat, 01 Jan 2000 00:00:00 GMT",
    "zero": "0",
}
"""Retry-After values a server may send, by the name of the feed that sends it."""
BOUNDED = frozenset({"huge", "five-thousand-digits", "ten-years", "year-9999"})
"""Those that ask for longer than the bound: the feed waits the bound."""


@pytest.mark.parametrize("name", sorted(HOSTILE_RETRY_AFTERS))
def test_every_retry_after_parses_without_raising_within_the_bound(name: str) -> None:
    now = 1_700_000_000.0
    value = HOSTILE_RETRY_AFTERS[name]
    parsed = parse_retry_after(value, now)
    if name in BOUNDED:
        assert parsed == now + DEFAULT_MAX_RETRY_AFTER
        assert parse_retry_after(value, now, max_wait=60) == now + 60
    else:
        assert parsed is None  # nothing to wait for: the feed is fetched as usual
    assert parse_retry_after(value, now, max_wait=0) is None


def test_a_sensible_retry_after_is_kept_as_sent() -> None:
    now = 1_700_000_000.0
    assert parse_retry_after("120", now) == now + 120
    assert parse_retry_after("Tue, 14 Nov 2023 22:15:20 GMT", now) == now + 120
    assert DEFAULT_MAX_RETRY_AFTER == DAY


def _busy(value: str) -> Reply:
    return Reply(429, b"", {"Retry-After": value})


def test_hostile_retry_afters_end_no_refresh_and_defer_each_feed_at_most_a_day(
    server: LoopbackServer, tmp_path: Path
) -> None:
    server.routes["/good.xml"] = static(
        rss("Good", [("g1", "Stored Whatever The Others Said", "<p>Fine.</p>")])
    )
    for name, value in HOSTILE_RETRY_AFTERS.items():
        server.routes[f"/{name}.xml"] = lambda _r, v=value: _busy(v)  # type: ignore[misc]
    urls = {name: server.url(f"{name}.xml") for name in HOSTILE_RETRY_AFTERS}
    config = write_config(tmp_path / "feeds.toml", [server.url("good.xml"), *urls.values()])
    data = tmp_path / "data"

    asked = time.time()
    first = run_newsreader("refresh", "--json", data_dir=data, config=config)
    done = time.time()

    _assert_no_traceback(first)
    assert first.returncode == 1
    report = json.loads(first.stdout)
    status = {feed["url"]: feed for feed in report["feeds"]}
    assert status[server.url("good.xml")]["status"] == "updated"
    for name, url in urls.items():
        assert status[url]["status"] == "failed" and status[url]["error"].startswith("HTTP 429")
        until = status[url]["deferred_until"]
        if name in BOUNDED:
            seconds = datetime.fromisoformat(until).timestamp()
            assert asked + DAY - 1 <= seconds <= done + DAY, name
        else:
            assert until is None, name
    with Store(data / "cache.sqlite3") as store:
        assert [s.title for s in store.list_articles()] == ["Stored Whatever The Others Said"]
        for name, url in urls.items():
            retry_after = store.feed_state(url).retry_after
            if name in BOUNDED:
                assert retry_after is not None and retry_after <= done + DAY, name
            else:
                assert retry_after is None, name

    second = run_newsreader("refresh", data_dir=data, config=config)
    _assert_no_traceback(second)
    assert second.returncode == 1  # feeds were not fetched: a script must learn it
    summary = second.stdout.splitlines()[-1]
    failed = len(HOSTILE_RETRY_AFTERS) - len(BOUNDED)
    assert summary.startswith(f"{len(urls) + 1} feeds ({failed} failed, {len(BOUNDED)} deferred)")
    deferred_lines = [line for line in second.stdout.splitlines() if line.startswith("deferred")]
    assert len(deferred_lines) == len(BOUNDED)
    assert all("server asked to wait until" in line for line in deferred_lines)
    for name in HOSTILE_RETRY_AFTERS:
        requests = len(server.requests_to(f"/{name}.xml"))
        assert requests == (1 if name in BOUNDED else 2), name

    third = json.loads(run_newsreader("refresh", "--json", data_dir=data, config=config).stdout)
    assert third["deferred"] == len(BOUNDED) and third["failed"] == failed
    for feed in third["feeds"]:
        if feed["status"] == "deferred":
            assert datetime.fromisoformat(feed["deferred_until"]).timestamp() <= done + DAY

    listed = run_newsreader("feeds", data_dir=data, config=config)
    as_json = run_newsreader("feeds", "--json", data_dir=data, config=config)
    _assert_no_traceback(listed, as_json)
    assert listed.returncode == as_json.returncode == 0
    assert listed.stdout.count("deferred until ") == len(BOUNDED)
    records = {record["url"]: record for record in map(json.loads, as_json.stdout.splitlines())}
    for name, url in urls.items():
        until = records[url]["deferred_until"]
        assert (until is not None) == (name in BOUNDED), name
        if until is not None:
            assert datetime.fromisoformat(until).timestamp() <= done + DAY


@pytest.mark.parametrize("bound", [0, 60, 3 * 86_400])
def test_the_bound_is_a_setting(
    server: LoopbackServer, tmp_path: Path, store: Store, bound: int
) -> None:
    server.routes["/busy.xml"] = lambda _r: _busy(HOSTILE_RETRY_AFTERS["ten-years"])
    config = load_config(
        write_config(
            tmp_path / "feeds.toml", [server.url("busy.xml")], f"max_retry_after = {bound}"
        )
    )
    assert config.settings.max_retry_after == bound
    before = time.time()
    refresh(config, store, parse_workers=0)
    retry_after = store.feed_state(server.url("busy.xml")).retry_after
    again = refresh(config, store, parse_workers=0)
    if bound == 0:
        assert retry_after is None  # 0: never wait
        assert again.feeds[0].status is FeedStatus.FAILED
        assert len(server.requests_to("/busy.xml")) == 2
    else:
        assert retry_after is not None and before + bound <= retry_after <= time.time() + bound
        assert again.feeds[0].status is FeedStatus.DEFERRED and not again.ok
        assert len(server.requests_to("/busy.xml")) == 1


def test_a_deferral_stored_before_the_bound_is_cut_to_it(
    server: LoopbackServer, tmp_path: Path, store: Store
) -> None:
    server.routes["/a.xml"] = static(rss("A", [("a1", "A Came Back", "<p>a</p>")]))
    server.routes["/b.xml"] = static(rss("B", [("b1", "B Came Back", "<p>b</p>")]))
    config = load_config(
        write_config(tmp_path / "feeds.toml", [server.url("a.xml"), server.url("b.xml")])
    )
    now = time.time()
    ten_years = now + 10 * 365 * DAY
    # Both were told to wait ten years, by an older newsreader: one two days ago, one just now.
    store.save_feed_state(FeedState(server.url("a.xml"), last_attempt=now - 2 * DAY,
                                    retry_after=ten_years))  # fmt: skip
    store.save_feed_state(FeedState(server.url("b.xml"), last_attempt=now - 60,
                                    retry_after=ten_years))  # fmt: skip
    report = refresh(config, store, parse_workers=0)
    a, b = report.feeds
    assert a.status is FeedStatus.UPDATED and a.new == 1
    assert b.status is FeedStatus.DEFERRED
    assert b.retry_after is not None and abs(b.retry_after - (now - 60 + DAY)) < 1
    assert report.deferred_feeds == [b] and not report.ok


@pytest.mark.parametrize("value", ["-1", "2592001", "1e400", "nan", "inf", '"a day"', "true"])
def test_a_bad_max_retry_after_names_the_file_line_and_key(tmp_path: Path, value: str) -> None:
    path = tmp_path / "feeds.toml"
    path.write_text(f"[settings]\ntimeout = 3\nmax_retry_after = {value}\n", encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert str(caught.value) == (
        f"{path}:3: max_retry_after must be a number of seconds from 0 to "
        f"{MAX_RETRY_AFTER_LIMIT} (30 days)"
    )


async def test_the_reader_counts_deferred_feeds_at_the_end_of_a_refresh(
    server: LoopbackServer, tmp_path: Path
) -> None:
    server.routes["/good.xml"] = static(rss("Good", [("g1", "Fresh Story", "<p>New.</p>")]))
    server.routes["/busy.xml"] = lambda _r: _busy("3600")
    config = write_config(tmp_path / "feeds.toml", [server.url("good.xml"), server.url("busy.xml")])
    data = tmp_path / "data"
    with Store(data / "cache.sqlite3") as store:
        store.save_feed_state(
            FeedState(server.url("busy.xml"), last_attempt=time.time(),
                      retry_after=time.time() + 3600)
        )  # fmt: skip
    app = _reader(data, config, offline=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("r")
        await app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.pause()
        assert _status(app) == "1 new articles, 0 feeds failed, 1 deferred (Retry-After)"
    assert server.requests_to("/busy.xml") == []
