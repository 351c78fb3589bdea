"""Hostile input that reaches the cache, class by class (one section each below).

Each class was an input that, once in, broke more than itself: more than its
own feed, file or article. Every test goes through the real parts: the loopback
server, real SQLite files (written by hand where the attack is a stored value),
the command line in a child process, and the reader through Textual's pilot.
"""

from __future__ import annotations

import json
import os
import re
import select
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

import newsreader.cache as store_module
import newsreader.cache.lifecycle as cache_lifecycle
from newsreader.cache import (
    LOCK_SUFFIX,
    MAX_SEARCH_CHARS,
    MAX_SEARCH_TERMS,
    MIGRATIONS,
    RESET_WAIT_SECONDS,
    SCHEMA_VERSION,
    UNREADABLE_BODY,
    WORD_TOKENIZER,
    Cache,
    SearchError,
    parse_search,
    read_body,
)
from newsreader.config import MAX_RETRY_AFTER_LIMIT, ConfigError, load_config
from newsreader.extract.dates import EARLIEST_DATE, FUTURE_SLACK_SECONDS, plausible_timestamp
from newsreader.importer import import_paths
from newsreader.model import Article, FeedState, Section
from newsreader.paths import Locations
from newsreader.refresh import FeedStatus, refresh
from newsreader.sources.http import DEFAULT_MAX_RETRY_AFTER, parse_retry_after
from newsreader.ui.app import NewsReaderApp
from newsreader.ui.widgets.article_list import ArticleList
from newsreader.ui.widgets.article_view import ArticleView
from tests.helpers.cache import article_count
from tests.helpers.cli import newsreader_env, run_newsreader
from tests.helpers.config import write_config
from tests.helpers.paths import ARTICLES, TESTS
from tests.loopback import LoopbackServer, Reply, Request, rss, static

HOSTILE = TESTS / "hostile"
TRACEBACK = "Traceback"
DAY = 86_400.0


def _assert_no_traceback(*results: subprocess.CompletedProcess[str]) -> None:
    for result in results:
        assert TRACEBACK not in result.stderr, result.stderr[-3000:]


def _reader(data: Path, config: Path, *, offline: bool = True) -> NewsReaderApp:
    locations = Locations(config, data, config_given=True)
    return NewsReaderApp(locations, load_config(config), offline=offline, refresh_on_start=False)


async def _browse_everything(app: NewsReaderApp, pilot: object, expected: int) -> list[int]:
    """Load every page of the reader's list and open every article in it; their ids."""
    article_list = app.query_one(ArticleList)
    for _ in range(expected + 1):
        if not article_list.load_more():
            break
    await pilot.pause()  # type: ignore[attr-defined]
    ids = [summary.id for summary in article_list.summaries]
    assert len(ids) == expected
    for article_id in ids:
        assert app.main_screen.show_article(article_id)
        await pilot.pause()  # type: ignore[attr-defined]
        view = app.query_one(ArticleView)
        assert view.article is not None and view.article.id == article_id
    return ids


MANY = """
import contextlib, io, json, sys
from newsreader.cli import main
for line in sys.stdin:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(json.loads(line))
        except SystemExit as exit_:
            code = int(exit_.code or 0)
    print(json.dumps([code, out.getvalue(), err.getvalue()]), flush=True)
"""


def _run_many(
    data: Path, config: Path, commands: list[list[str]]
) -> list[subprocess.CompletedProcess[str]]:
    """Many commands in one child process (one each would take a second apiece), each
    with its own exit code and output; a traceback would end the child and fail here."""
    script = "".join(json.dumps(command) + "\n" for command in commands)
    child = subprocess.run(
        [sys.executable, "-c", MANY], input=script, capture_output=True, text=True,
        env=newsreader_env(data, config), timeout=300, check=False,
    )  # fmt: skip
    assert child.returncode == 0 and TRACEBACK not in child.stderr, child.stderr[-3000:]
    results = [json.loads(line) for line in child.stdout.splitlines()]
    assert len(results) == len(commands)
    return [
        subprocess.CompletedProcess(command, code, out, err)
        for command, (code, out, err) in zip(commands, results, strict=True)
    ]


def _status(app: NewsReaderApp) -> str:
    return str(app.query_one("#status-text").render())


def _notices(app: NewsReaderApp) -> list[str]:
    return [notification.message for notification in app._notifications]


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
    with Cache(data / "cache.sqlite3") as cache:
        assert [s.title for s in cache.list_articles()] == ["Stored Whatever The Others Said"]
        for name, url in urls.items():
            retry_after = cache.feed_state(url).retry_after
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
    server: LoopbackServer, tmp_path: Path, cache: Cache, bound: int
) -> None:
    server.routes["/busy.xml"] = lambda _r: _busy(HOSTILE_RETRY_AFTERS["ten-years"])
    config = load_config(
        write_config(
            tmp_path / "feeds.toml", [server.url("busy.xml")], f"max_retry_after = {bound}"
        )
    )
    assert config.settings.max_retry_after == bound
    before = time.time()
    refresh(config, cache, parse_workers=0)
    retry_after = cache.feed_state(server.url("busy.xml")).retry_after
    again = refresh(config, cache, parse_workers=0)
    if bound == 0:
        assert retry_after is None  # 0: never wait
        assert again.feeds[0].status is FeedStatus.FAILED
        assert len(server.requests_to("/busy.xml")) == 2
    else:
        assert retry_after is not None and before + bound <= retry_after <= time.time() + bound
        assert again.feeds[0].status is FeedStatus.DEFERRED and not again.ok
        assert len(server.requests_to("/busy.xml")) == 1


def test_a_deferral_stored_before_the_bound_is_cut_to_it(
    server: LoopbackServer, tmp_path: Path, cache: Cache
) -> None:
    server.routes["/a.xml"] = static(rss("A", [("a1", "A Came Back", "<p>a</p>")]))
    server.routes["/b.xml"] = static(rss("B", [("b1", "B Came Back", "<p>b</p>")]))
    config = load_config(
        write_config(tmp_path / "feeds.toml", [server.url("a.xml"), server.url("b.xml")])
    )
    now = time.time()
    ten_years = now + 10 * 365 * DAY
    # Both were told to wait ten years, by an older newsreader: one two days ago, one just now.
    cache.save_feed_state(FeedState(server.url("a.xml"), last_attempt=now - 2 * DAY,
                                    retry_after=ten_years))  # fmt: skip
    cache.save_feed_state(FeedState(server.url("b.xml"), last_attempt=now - 60,
                                    retry_after=ten_years))  # fmt: skip
    report = refresh(config, cache, parse_workers=0)
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
    with Cache(data / "cache.sqlite3") as cache:
        cache.save_feed_state(
            FeedState(server.url("busy.xml"), last_attempt=time.time(),
                      retry_after=time.time() + 3600)
        )  # fmt: skip
    app = _reader(data, config, offline=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("r")
        await app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.pause()
        assert _status(app) == "1 new article, 0 feeds failed, 1 deferred (Retry-After)"
    assert server.requests_to("/busy.xml") == []


# 2. Dates at the edge: believed only in range, and no stored value breaks reading


EDGE_FILES = ("date-far-future.md", "date-year-one.md", "date-before-1970.md")
EDGE_FEED = "dates-at-the-edge.rss"
MTIME = 1_700_000_000


def _edge_folder(tmp_path: Path) -> Path:
    """The committed edge-date files, and others written now (a date relative to today)."""
    folder = tmp_path / "edge"
    folder.mkdir()
    for name in EDGE_FILES:
        shutil.copy(HOSTILE / "articles" / name, folder / name)
    shutil.copy(HOSTILE / "feeds" / EDGE_FEED, folder / EDGE_FEED)
    now = datetime.now(UTC)
    dated = {
        "next-month.md": datetime.fromtimestamp(now.timestamp() + 30 * DAY, UTC),
        "tomorrow.md": datetime.fromtimestamp(now.timestamp() + DAY, UTC),
        "ordinary.md": datetime(2024, 5, 1, 12, 0, tzinfo=UTC),
    }
    for name, when in dated.items():
        title = name.removesuffix(".md").replace("-", " ").title()
        (folder / name).write_text(
            f"---\ntitle: {title}\ndate: {when.isoformat()}\n---\n\nDated {when}.\n",
            encoding="utf-8",
        )
    for number, path in enumerate(sorted(folder.iterdir())):
        os.utime(path, (MTIME + number * 60, MTIME + number * 60))
    return folder


def test_edge_dates_are_stored_as_unknown_and_sort_by_the_file(tmp_path: Path) -> None:
    folder = _edge_folder(tmp_path)
    data, config = tmp_path / "data", tmp_path / "feeds.toml"
    imported = run_newsreader("import", str(folder), data_dir=data, config=config)
    _assert_no_traceback(imported)
    assert imported.returncode == 0 and imported.stdout.startswith("12 new"), imported.stdout
    mtimes = {path.name: path.stat().st_mtime for path in folder.iterdir()}
    with Cache(data / "cache.sqlite3") as cache:
        summaries = cache.list_articles(limit=100)
    assert len(summaries) == 12
    for summary in summaries:
        name = Path(summary.source).name
        if summary.title in ("Tomorrow", "Ordinary"):
            assert summary.published is not None  # a believable date is kept as written
            assert summary.sort_key == summary.published.timestamp()
            continue
        assert summary.published is None, summary.title
        assert summary.sort_key == mtimes[name], summary.title  # sorted by the file's time
    assert {s.title for s in summaries if s.published is None} >= {
        "Dated In The Last Second Of The Year 9999",
        "Dated At The First Hour Of The Year One",
        "Dated In The Year 1900",
        "Year 9999 at minus fourteen hours",
        "Year one at plus fourteen hours",
        "ISO date in the year 9999",
        "Year 1900",
        "Year 2150",
        "Not a date at all",
        "Next Month",
    }

    shows = [["show", str(s.id), *extra] for s in summaries for extra in ([], ["--json"])]
    results = _run_many(data, config, [["list"], ["list", "--json"], ["cache", "check"], *shows])
    assert all(result.returncode == 0 for result in results), [r.stderr for r in results]
    as_json = results[1]
    rows = [json.loads(line) for line in as_json.stdout.splitlines()]
    assert sum(row["published"] is None for row in rows) == 10


def test_a_feed_entry_with_an_edge_date_sorts_by_the_fetch(
    server: LoopbackServer, tmp_path: Path, cache: Cache
) -> None:
    server.routes["/edge.rss"] = static((HOSTILE / "feeds" / EDGE_FEED).read_bytes())
    config = load_config(write_config(tmp_path / "feeds.toml", [server.url("edge.rss")]))
    before = time.time()
    report = refresh(config, cache, parse_workers=0)
    assert report.feeds[0].status is FeedStatus.UPDATED and report.feeds[0].new == 6
    for summary in cache.list_articles():
        assert summary.published is None, summary.title
        assert before <= summary.sort_key <= time.time(), summary.title


async def test_the_reader_starts_and_opens_articles_with_edge_dates(tmp_path: Path) -> None:
    folder = _edge_folder(tmp_path)
    data, config = tmp_path / "data", write_config(tmp_path / "feeds.toml", [])
    with Cache(data / "cache.sqlite3") as cache:
        assert not import_paths(cache, [folder], workers=0).failures
    app = _reader(data, config)
    async with app.run_test(size=(120, 40)) as pilot:
        await _browse_everything(app, pilot, 12)
        assert app.is_running


@pytest.mark.parametrize(
    ("value", "believed"),
    [
        (0, True),
        (1_700_000_000, True),
        (1_700_000_000.5, True),
        (-1, False),
        (float("nan"), False),
        (float("inf"), False),
        (float("-inf"), False),
        (10**400, False),
        (1e300, False),
        ("1700000000", False),
        (b"\x00", False),
        (None, False),
        (True, False),
    ],
)
def test_plausible_timestamp_never_raises(value: object, believed: bool) -> None:
    assert (plausible_timestamp(value) is not None) == believed
    assert EARLIEST_DATE == 0.0 and FUTURE_SLACK_SECONDS == 3 * DAY
    now = time.time()
    assert plausible_timestamp(now + FUTURE_SLACK_SECONDS - 1, now) is not None
    assert plausible_timestamp(now + FUTURE_SLACK_SECONDS + 1, now) is None


STORED_TIMES = [
    ("NULL", "'NaN'"),
    ("'inf'", "'-inf'"),
    ("1e999", "1e999"),
    ("-1e999", "-1e999"),
    ("9000000000000000000", "-9000000000000000000"),
    ("-1", "-1"),
    ("'not a time'", "'not a time'"),
    ("x'00ff'", "x'00ff'"),
    ("253402351199.0", "253402351199.0"),
    ("1.5e300", "1.5e300"),
    ("'1700000000'", "1700000000"),
]
"""(published, sort_key) written straight into the file, as SQL literals; the last
published is a number written as text, which SQLite's REAL affinity makes a number."""
STORED_FEED_TIMES = ["'yesterday'", "1e999", "-1e999", "9e18", "x'01'", "-5"]


def _tampered_cache(tmp_path: Path, feed_url: str) -> tuple[Path, list[int]]:
    """A cache with one feed's articles whose times are every kind of stored nonsense."""
    data = tmp_path / "data"
    articles = [
        Article(
            title=f"Tampered Story {number}",
            source=feed_url,
            guid=f"t{number}",
            url=f"https://example.org/t{number}",
            categories=("Tampered",),
            sections=(Section(None, (f"Body {number} of a story about lanterns.",)),),
        )
        for number in range(len(STORED_TIMES) + 1)
    ]
    with Cache(data / "cache.sqlite3") as cache:
        ids = [article_id for _, article_id in cache.store_articles(articles)]
        cache.save_feed_state(FeedState(feed_url, title="Tampered", last_success=time.time()))
    db = sqlite3.connect(data / "cache.sqlite3", isolation_level=None)
    for article_id, (published, sort_key) in zip(ids, STORED_TIMES, strict=False):
        db.execute(
            f"UPDATE articles SET published = {published}, sort_key = {sort_key} WHERE id = ?",
            (article_id,),
        )
    # Python's own NaN and huge values, bound rather than written as SQL.
    db.execute("UPDATE articles SET published = ? WHERE id = ?", (float("nan"), ids[-1]))
    for number, value in enumerate(STORED_FEED_TIMES):
        db.execute(
            f"INSERT INTO feeds (url, last_attempt, last_success, retry_after, item_count) "
            f"VALUES (?, {value}, {value}, {value}, {value})",
            (f"{feed_url}?{number}",),
        )
    db.execute(
        "UPDATE feeds SET last_attempt = 'x', retry_after = 1e999, item_count = 'many' "
        "WHERE url = ?",
        (feed_url,),
    )
    db.close()
    return data, ids


def test_no_stored_time_breaks_a_command(tmp_path: Path) -> None:
    feed_url = "https://tampered.example/feed.xml"
    data, ids = _tampered_cache(tmp_path, feed_url)
    feeds = [feed_url] + [f"{feed_url}?{n}" for n in range(len(STORED_FEED_TIMES))]
    config = write_config(tmp_path / "feeds.toml", feeds, "keep_days = 1")
    commands = {
        "list": ["list", "--limit", "100"],
        "list --json": ["list", "--json"],
        "category": ["list", "--category", "Tampered"],
        "search": ["list", "--search", "lanterns"],
        "feeds": ["feeds"],
        "feeds --json": ["feeds", "--json"],
    }
    for article_id in ids:
        commands[f"show {article_id}"] = ["show", str(article_id)]
        commands[f"show --json {article_id}"] = ["show", str(article_id), "--json"]
    runs = dict(zip(commands, _run_many(data, config, list(commands.values())), strict=True))
    for name, result in runs.items():
        assert result.returncode == 0, (name, result.stderr)
    rows = [json.loads(line) for line in runs["list --json"].stdout.splitlines()]
    assert len(rows) == len(ids)
    published = {row["id"]: row["published"] for row in rows}
    believed = {ids[-2]}  # '1700000000' as text is a number to SQLite: a real date
    assert {i for i, value in published.items() if value is not None} == believed
    assert len(runs["search"].stdout.splitlines()) == len(ids)
    assert len(runs["category"].stdout.splitlines()) == len(ids)

    # Retention compares sort times; a refresh (offline: no network) prunes by them.
    pruned = run_newsreader("--offline", "refresh", "--json", data_dir=data, config=config)
    _assert_no_traceback(pruned)
    assert pruned.returncode == 0, pruned.stderr
    assert json.loads(pruned.stdout)["pruned"] > 0


async def test_the_reader_lists_and_opens_articles_with_any_stored_time(tmp_path: Path) -> None:
    feed_url = "https://tampered.example/feed.xml"
    data, ids = _tampered_cache(tmp_path, feed_url)
    config = write_config(tmp_path / "feeds.toml", [feed_url])
    app = _reader(data, config)
    async with app.run_test(size=(120, 40)) as pilot:
        shown = await _browse_everything(app, pilot, len(ids))
        assert sorted(shown) == sorted(ids)
        assert app.is_running


# 3. A stored body that is not a body is that article's problem, not the cache's


GOOD_BODY = '{"sections":[{"heading":null,"paragraphs":["Lighthouse keepers remember."]}]}'
BAD_BODIES = {
    "Not Json Lighthouse": "not json",
    "List Lighthouse": "[1, 2, 3]",
    "Numbered Sections Lighthouse": '{"sections": 5}',
}
"""An old cache's bad rows, by title (every title shares a word a search can hit)."""


def _old_cache(path: Path) -> dict[str, int]:
    """A cache at schema 1 with one good article and the bad ones; their ids by title."""
    path.parent.mkdir(parents=True, exist_ok=True)
    db = sqlite3.connect(path, isolation_level=None)
    MIGRATIONS[0](db)
    db.execute("PRAGMA user_version = 1")
    ids = {}
    for number, (title, body) in enumerate({"Good Lighthouse": GOOD_BODY, **BAD_BODIES}.items()):
        cursor = db.execute(
            "INSERT INTO articles (source, guid, title, title_norm, sort_key, body, "
            "content_hash, read, starred, added, updated) VALUES (?, ?, ?, ?, ?, ?, 'h', 0, 0, "
            "1, 1)",
            (f"/old/{number}.txt", f"/old/{number}.txt", title, title.lower(),
             1_700_000_000 + number, body),
        )  # fmt: skip
        assert cursor.lastrowid is not None
        ids[title] = cursor.lastrowid
    db.close()
    return ids


@pytest.mark.parametrize(
    "body",
    [
        *BAD_BODIES.values(),
        "",
        "null",
        '"text"',
        "{}" * 2,
        '{"sections": [5]}',
        '{"sections": [{"heading": 1, "paragraphs": []}]}',
        '{"sections": [{"heading": null, "paragraphs": "abc"}]}',
        '{"sections": [{"heading": null, "paragraphs": [1]}]}',
        '{"sections": [{"paragraphs": []}]}',
        '{"figures": [{"caption": null}]}',
        '{"figures": [{"caption": "c", "section": true}]}',
        '{"links": [{"kind": "teleport", "text": "t"}]}',
        '{"links": [{"kind": "inline", "text": "t", "url": 5}]}',
        '{"enclosures": [{"url": "https://e.org/a.mp3", "length": "big"}]}',
        '{"html": 5}',
        "[" * 100_000 + "]" * 100_000,
    ],
)
def test_read_body_refuses_every_wrong_shape_without_raising(body: str) -> None:
    assert read_body(body) is None
    assert read_body(body.encode()) is None


def test_read_body_reads_what_the_cache_writes() -> None:
    body = read_body(GOOD_BODY)
    assert body is not None and body.sections[0].paragraphs == ("Lighthouse keepers remember.",)
    assert read_body("{}") is not None  # an empty body is a body


def test_an_old_cache_with_bad_bodies_opens_and_every_command_works(tmp_path: Path) -> None:
    data, config = tmp_path / "data", tmp_path / "feeds.toml"
    local = tmp_path / "local"
    local.mkdir()
    (local / "fresh.txt").write_text("Fresh Local Story\n\nA new story about harbours.\n")
    write_config(config, [], extra=f'\n[[local]]\npath = "{local}"\n')
    ids = _old_cache(data / "cache.sqlite3")

    listed = run_newsreader("list", "--json", data_dir=data, config=config)
    _assert_no_traceback(listed)
    assert listed.returncode == 0, listed.stderr
    assert {json.loads(line)["title"] for line in listed.stdout.splitlines()} == set(ids)
    with Cache(data / "cache.sqlite3") as cache:
        assert cache.schema_version == SCHEMA_VERSION

    for title, article_id in ids.items():
        shown = run_newsreader("show", str(article_id), data_dir=data, config=config)
        as_json = run_newsreader("show", str(article_id), "--json", data_dir=data, config=config)
        _assert_no_traceback(shown, as_json)
        assert title in shown.stdout
        paragraphs = [p for s in json.loads(as_json.stdout)["sections"] for p in s["paragraphs"]]
        if title in BAD_BODIES:
            assert shown.returncode == as_json.returncode == 1
            assert UNREADABLE_BODY in shown.stdout and paragraphs == [UNREADABLE_BODY]
            assert shown.stderr == (
                f"newsreader: article {article_id}: its stored text is unreadable "
                f"({_reason(title)})\n"
            )
        else:
            assert shown.returncode == as_json.returncode == 0
            assert paragraphs == ["Lighthouse keepers remember."]

    # A search hits each by its title (its body has no words the index could hold).
    searched = run_newsreader("list", "--search", "lighthouse", "--json", data_dir=data,
                              config=config)  # fmt: skip
    _assert_no_traceback(searched)
    assert {json.loads(line)["id"] for line in searched.stdout.splitlines()} == set(ids.values())

    refreshed = run_newsreader("--offline", "refresh", data_dir=data, config=config)
    imported = run_newsreader("import", str(ARTICLES), data_dir=data, config=config)
    _assert_no_traceback(refreshed, imported)
    assert refreshed.returncode == 0 and imported.returncode == 0, refreshed.stderr

    checked = run_newsreader("cache", "check", data_dir=data, config=config)
    _assert_no_traceback(checked)
    assert checked.returncode == 1
    for title in BAD_BODIES:
        assert f"article {ids[title]}: its stored text is unreadable: {_reason(title)}" in (
            checked.stderr
        )
    assert f"article {ids['Good Lighthouse']}:" not in checked.stderr
    assert "3 articles cannot be shown whole" in checked.stderr


def test_cache_check_names_the_articles_with_impossible_times(tmp_path: Path) -> None:
    feed_url = "https://tampered.example/feed.xml"
    data, ids = _tampered_cache(tmp_path, feed_url)
    checked = run_newsreader("cache", "check", data_dir=data, config=tmp_path / "feeds.toml")
    _assert_no_traceback(checked)
    assert checked.returncode == 1
    named = {int(n) for n in re.findall(r"^newsreader: article (\d+): ", checked.stderr, re.M)}
    assert named == set(ids) - {ids[-2], ids[-1]}  # a date as text that is a number, and NULL
    assert "impossible date 'not a time'" in checked.stderr
    assert "impossible sort time 'NaN'" in checked.stderr
    assert f"{len(named)} articles cannot be shown whole" in checked.stderr


def _reason(title: str) -> str:
    return {
        "Not Json Lighthouse": "it is not valid JSON",
        "List Lighthouse": "it is a JSON list, not an object",
        "Numbered Sections Lighthouse": "its sections are not a list of objects",
    }[title]


def test_a_bad_row_is_updated_and_deleted_without_breaking_the_index(tmp_path: Path) -> None:
    cache_file = tmp_path / "data" / "cache.sqlite3"
    ids = _old_cache(cache_file)
    with Cache(cache_file) as cache:
        # The same source and id again, with a body: stored in place of the bad one.
        replacement = Article(
            title="Not Json Lighthouse",
            source="/old/1.txt",
            guid="/old/1.txt",
            sections=(Section(None, ("Restored text about foghorns.",)),),
        )
        [(_, restored)] = cache.store_articles([replacement])
        assert restored == ids["Not Json Lighthouse"]
        stored = cache.get_article(restored)
        assert stored is not None and stored.article.paragraphs == ["Restored text about foghorns."]
        assert [s.id for s in cache.search("foghorns")] == [restored]
        assert cache.body_problem(restored) is None
        # A bad row pruned: its terms (its title's) go with it.
        cache.prune("/old/2.txt", older_than=None, keep_newest=0)
        assert cache.get_article(ids["List Lighthouse"]) is None
        assert ids["List Lighthouse"] not in {s.id for s in cache.search("lighthouse")}
        db = sqlite3.connect(cache_file)
        db.execute("INSERT INTO articles_fts (articles_fts) VALUES ('integrity-check')")
        db.close()


async def test_the_reader_opens_an_old_cache_with_bad_bodies(tmp_path: Path) -> None:
    data, config = tmp_path / "data", write_config(tmp_path / "feeds.toml", [])
    ids = _old_cache(data / "cache.sqlite3")
    app = _reader(data, config)
    async with app.run_test(size=(120, 40)) as pilot:
        await _browse_everything(app, pilot, len(ids))
        view = app.query_one(ArticleView)
        assert app.main_screen.show_article(ids["List Lighthouse"])
        await pilot.pause()
        assert view.article is not None and view.article.article.paragraphs == [UNREADABLE_BODY]
        await pilot.press("slash", *"lighthouse", "enter")
        await pilot.pause()
        assert {s.id for s in app.query_one(ArticleList).summaries} == set(ids.values())


# 4. Search: the index's own words, a clear error, a bound


@pytest.mark.parametrize(
    ("typed", "terms"),
    [
        ("COVID-19", ("covid", "19")),
        ("e-mail", ("e", "mail")),
        ("don't", ("don", "t")),
        ("U.S.", ("u", "s")),
        ("Café", ("cafe",)),
        ("cafe\u0301", ("cafe",)),
        ("東京都", ("東京都",)),
        ('"AND" OR NOT(x*)', ("and", "or", "not", "x")),
        ("the cat the", ("cat", "the")),
        ("!!! — ...", ()),
    ],
)
def test_a_search_is_cut_into_the_index_words(typed: str, terms: tuple[str, ...]) -> None:
    assert parse_search(typed).terms == terms


def test_queries_use_the_tokenizer_the_index_was_made_with(cache: Cache) -> None:
    [sql] = cache._db.execute(
        "SELECT sql FROM sqlite_master WHERE name = 'articles_fts'"
    ).fetchone()
    assert f"tokenize='porter {WORD_TOKENIZER}'" in sql


def test_punctuated_words_find_their_article(tmp_path: Path) -> None:
    data, config = tmp_path / "data", tmp_path / "feeds.toml"
    imported = run_newsreader(
        "import", str(HOSTILE / "articles" / "search-words.md"), data_dir=data, config=config
    )
    assert imported.returncode == 0, imported.stderr
    typed = ["COVID-19", "e-mail", "don't", "U.S.", "cafe", "Café", "naïve", "東京都",
             "São Paulo", "Straße", "İstanbul", "½-price", "C++", "3.14", "1,000,000",
             "a_b?x=1", "dash—here", "नमस्ते", "서울특별시", "COVID-19 e-mail U.S."]  # fmt: skip
    results = _run_many(data, config, [["list", "--search", text] for text in typed])
    for text, found in zip(typed, results, strict=True):
        assert found.returncode == 0 and found.stderr == "", (text, found.stderr)
        assert "Words With Inner Punctuation" in found.stdout, text


def _visible_words(article: Article) -> list[str]:
    """Every whitespace-separated word a reader sees of what the index holds."""
    texts = [article.title, *(section.heading or "" for section in article.sections)]
    texts += article.paragraphs + [figure.caption for figure in article.figures]
    return [word for text in texts for word in text.split()]


def test_every_word_of_the_corpus_articles_finds_its_article(corpus: Path, tmp_path: Path) -> None:
    folder = tmp_path / "articles"
    shutil.copytree(corpus / "articles", folder)
    shutil.copy(HOSTILE / "articles" / "search-words.md", folder / "search-words.md")
    searched = 0
    with Cache(tmp_path / "cache.sqlite3") as cache:
        assert not import_paths(cache, [folder], workers=0).failures
        summaries = cache.list_articles(limit=1000)
        assert len(summaries) > 40
        for summary in summaries:
            stored = cache.get_article(summary.id)
            assert stored is not None
            words = list(dict.fromkeys(_visible_words(stored.article)))
            # Every word with a character that is not a letter or digit, and a sample of
            # the rest (the article's every 10th plain word).
            odd = [word for word in words if not word.isalnum()]
            plain = [word for word in words if word.isalnum()][::10]
            for word in odd + plain:
                if not parse_search(word).terms:
                    continue  # only punctuation: no word to find ("—", "...")
                found = {s.id for s in cache.search(word, limit=1000)}
                assert summary.id in found, (summary.title, word, parse_search(word))
                searched += 1
    assert searched > 4000  # 5,156 with the corpus as it is


@hypothesis_settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(text=st.text(alphabet=st.characters(exclude_categories=["Cs"]), min_size=1))
def test_any_text_finds_the_article_it_is_in(cache: Cache, text: str) -> None:
    article = Article(
        title="t", source="s", guid=f"g{hash(text)}", sections=(Section(None, (text,)),)
    )
    [(_, article_id)] = cache.store_articles([article])
    if parse_search(text).terms:
        assert article_id in {s.id for s in cache.search(text, limit=1000)}


def test_a_query_the_index_cannot_answer_is_one_clear_line(tmp_path: Path) -> None:
    data, config = tmp_path / "data", tmp_path / "feeds.toml"
    assert run_newsreader("import", str(ARTICLES), data_dir=data, config=config).returncode == 0
    db = sqlite3.connect(data / "cache.sqlite3")
    db.execute("DROP TABLE articles_fts")  # a damaged index
    db.close()
    with Cache(data / "cache.sqlite3") as cache, pytest.raises(SearchError):
        cache.search("harbour")
    result = run_newsreader("list", "--search", "harbour", data_dir=data, config=config)
    assert result.returncode == 1 and result.stdout == ""
    assert result.stderr == (
        "newsreader: the search index cannot answer this search (no such table: articles_fts)\n"
    )
    nothing = run_newsreader("list", "--search", "— !!!", data_dir=data, config=config)
    assert nothing.returncode == 1
    assert nothing.stderr == (
        "newsreader: nothing to search for in '— !!!': it has no letters or digits\n"
    )


async def test_the_reader_says_why_a_search_cannot_run(tmp_path: Path) -> None:
    data, config = tmp_path / "data", write_config(tmp_path / "feeds.toml", [])
    with Cache(data / "cache.sqlite3") as cache:
        import_paths(cache, [ARTICLES], workers=0)
    db = sqlite3.connect(data / "cache.sqlite3")
    db.execute("DROP TABLE articles_fts")
    db.close()
    app = _reader(data, config)
    async with app.run_test(size=(120, 40)) as pilot:
        everything = [s.id for s in app.query_one(ArticleList).summaries]
        await pilot.press("slash", *"harbour", "enter")
        await pilot.pause()
        assert any("the search index cannot answer this search" in m for m in _notices(app))
        assert [s.id for s in app.query_one(ArticleList).summaries] == everything
        search = app.query_one("#search")
        search.value = "!!!"  # type: ignore[attr-defined]
        await pilot.press("enter")
        await pilot.pause()
        assert any("Nothing to search for" in m for m in _notices(app))


def test_a_huge_search_is_cut_to_the_bound_and_said(tmp_path: Path) -> None:
    words = [f"w{number}" for number in range(12_000)]  # an argument of at most 128 KiB
    query = parse_search(" ".join(words))
    assert query.cut and len(query.terms) <= MAX_SEARCH_TERMS
    assert query.terms[0] == "w0"
    assert parse_search(" ".join(words[:MAX_SEARCH_TERMS])).cut is False
    long_word = parse_search("x" * (MAX_SEARCH_CHARS * 50))
    assert long_word.cut and long_word.terms == ("x" * MAX_SEARCH_CHARS,)
    # The cut falls between words, never inside one.
    spaced = parse_search("ab " * MAX_SEARCH_CHARS)
    assert spaced.terms == ("ab",)

    data, config = tmp_path / "data", tmp_path / "feeds.toml"
    assert run_newsreader("import", str(ARTICLES), data_dir=data, config=config).returncode == 0
    started = time.monotonic()
    result = run_newsreader(
        "list", "--search", "harbour " + " ".join(words), data_dir=data, config=config
    )
    seconds = time.monotonic() - started
    assert result.returncode == 0
    assert result.stderr == (
        f"newsreader: warning: the search was cut to its first {MAX_SEARCH_TERMS} words\n"
    )
    assert seconds < 10


async def test_the_reader_finds_punctuated_words_and_says_when_a_search_is_cut(
    tmp_path: Path,
) -> None:
    data, config = tmp_path / "data", write_config(tmp_path / "feeds.toml", [])
    with Cache(data / "cache.sqlite3") as cache:
        import_paths(cache, [ARTICLES, HOSTILE / "articles" / "search-words.md"], workers=0)
    app = _reader(data, config)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("slash", *"COVID-19", "enter")
        await pilot.pause()
        titles = [s.title for s in app.query_one(ArticleList).summaries]
        assert titles == ["Words With Inner Punctuation, Diacritics And CJK"]
        await pilot.press("escape", "slash")
        search = app.query_one("#search")
        search.value = "U.S. " + " ".join(f"w{n}" for n in range(500))  # type: ignore[attr-defined]
        await pilot.press("enter")
        await pilot.pause()
        assert any(
            f"cut to its first {MAX_SEARCH_TERMS} words" in message for message in _notices(app)
        )


# 5. cache reset waits for, or refuses while, another newsreader has the cache open


HOLDER = """
import sys
from pathlib import Path
from newsreader.cache import Cache
with Cache(Path(sys.argv[1])) as cache:
    print("open", flush=True)
    sys.stdin.readline()
"""


def _read_line(process: subprocess.Popen[str], seconds: float = 30.0) -> str:
    """The child's next line of output, waiting at most ``seconds``."""
    assert process.stdout is not None
    ready, _, _ = select.select([process.stdout], [], [], seconds)
    assert ready, "the child said nothing"
    return process.stdout.readline()


@pytest.fixture
def holder(tmp_path: Path) -> Iterator[subprocess.Popen[str]]:
    """A second process with a Cache open on tmp_path/data's cache, until it reads a line."""
    cache_file = tmp_path / "data" / "cache.sqlite3"
    with Cache(cache_file) as cache:
        cache.store_articles([Article(title="Kept", source="s", guid="g")])
    process = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(cache_file)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert _read_line(process) == "open\n"
        yield process
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=30)


def _release(process: subprocess.Popen[str]) -> None:
    assert process.stdin is not None
    process.stdin.write("\n")
    process.stdin.flush()
    process.wait(timeout=30)


def test_reset_refuses_while_another_process_has_the_cache_open(
    holder: subprocess.Popen[str], tmp_path: Path
) -> None:
    data, config = tmp_path / "data", tmp_path / "feeds.toml"
    started = time.monotonic()
    refused = run_newsreader("cache", "reset", data_dir=data, config=config)
    seconds = time.monotonic() - started
    assert refused.returncode == 1
    assert refused.stderr == (
        f"newsreader: the cache is in use by another newsreader (pid {holder.pid}); "
        "close it, or let its refresh finish, and try again\n"
    )
    assert RESET_WAIT_SECONDS <= seconds < RESET_WAIT_SECONDS + 10
    assert (data / "cache.sqlite3").exists() and not list(data.glob("cache.sqlite3.reset-*"))

    _release(holder)
    reset = run_newsreader("cache", "reset", data_dir=data, config=config)
    assert reset.returncode == 0, reset.stderr
    [moved] = data.glob("cache.sqlite3.reset-*")
    with Cache(moved) as old:
        assert [s.title for s in old.list_articles()] == ["Kept"]
    assert (data / ("cache.sqlite3" + LOCK_SUFFIX)).exists()  # the lock stays where it is


def test_reset_waits_for_a_process_that_closes_the_cache_within_the_bound(
    holder: subprocess.Popen[str], tmp_path: Path
) -> None:
    data, config = tmp_path / "data", tmp_path / "feeds.toml"
    threading.Timer(RESET_WAIT_SECONDS / 3, _release, (holder,)).start()
    reset = run_newsreader("cache", "reset", data_dir=data, config=config)
    assert reset.returncode == 0, reset.stderr
    assert len(list(data.glob("cache.sqlite3.reset-*"))) == 1


def test_reset_refuses_while_a_refresh_runs_and_its_articles_stay_in_the_cache(
    server: LoopbackServer, tmp_path: Path
) -> None:
    body = rss("Slow", [(f"s{n}", f"Slow Story {n}", "<p>Dripped.</p>") for n in range(3)])
    go = threading.Event()

    def slow(_request: Request) -> Reply:
        go.wait(60)  # until the reset has been refused
        return Reply(200, body, drip=0.001, drip_limit=len(body))

    server.routes["/slow.xml"] = slow
    data = tmp_path / "data"
    config = write_config(tmp_path / "feeds.toml", [server.url("slow.xml")], "timeout = 60")
    running = subprocess.Popen(
        [sys.executable, "-m", "newsreader", "refresh"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env=newsreader_env(data, config),
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while not server.requests_to("/slow.xml"):
            assert time.monotonic() < deadline and running.poll() is None
            time.sleep(0.05)
        refused = run_newsreader("cache", "reset", data_dir=data, config=config)
        assert refused.returncode == 1
        assert f"in use by another newsreader (pid {running.pid})" in refused.stderr
        go.set()
        _, err = running.communicate(timeout=60)
    finally:
        go.set()
        if running.poll() is None:
            running.kill()
            running.wait(timeout=30)
    assert running.returncode == 0, err
    with Cache(data / "cache.sqlite3") as cache:
        assert article_count(cache) == 3  # landed in the cache, not in a file set aside
    assert not list(data.glob("cache.sqlite3.reset-*"))
    reset = run_newsreader("cache", "reset", data_dir=data, config=config)
    assert reset.returncode == 0, reset.stderr
    [moved] = data.glob("cache.sqlite3.reset-*")
    with Cache(moved) as old:
        assert article_count(old) == 3


async def test_an_open_reader_holds_the_cache(tmp_path: Path) -> None:
    data, config = tmp_path / "data", write_config(tmp_path / "feeds.toml", [])
    with Cache(data / "cache.sqlite3") as cache:
        import_paths(cache, [ARTICLES], workers=0)
    app = _reader(data, config)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        refused = run_newsreader("cache", "reset", data_dir=data, config=config)
        assert refused.returncode == 1
        assert f"in use by another newsreader (pid {os.getpid()})" in refused.stderr
    reset = run_newsreader("cache", "reset", data_dir=data, config=config)
    assert reset.returncode == 0, reset.stderr


FORKER = """
import multiprocessing, os, sys, time
from pathlib import Path
from newsreader.cache import Cache
cache = Cache(Path(sys.argv[1]))
worker = multiprocessing.get_context("fork").Process(target=time.sleep, args=(60,))
worker.start()
print(worker.pid, flush=True)
os._exit(0)  # killed, as it were: its forked worker lives on
"""


def test_a_forked_worker_does_not_keep_the_cache_of_a_process_that_died(tmp_path: Path) -> None:
    data, config = tmp_path / "data", tmp_path / "feeds.toml"
    Cache(data / "cache.sqlite3").close()
    parent = subprocess.Popen(
        [sys.executable, "-c", FORKER, str(data / "cache.sqlite3")],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    worker = int(_read_line(parent))
    parent.wait(timeout=30)
    try:
        reset = run_newsreader("cache", "reset", data_dir=data, config=config)
        assert reset.returncode == 0, reset.stderr
    finally:
        os.kill(worker, signal.SIGKILL)
        assert parent.stdout is not None
        parent.stdout.close()


def test_a_cache_cannot_open_while_a_reset_holds_the_lock(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache_file = tmp_path / "data" / "cache.sqlite3"
    Cache(cache_file).close()
    lock = store_module.CacheLock(cache_file)
    assert lock.acquire(exclusive=True, wait=0)
    monkeypatch.setattr(cache_lifecycle, "BUSY_TIMEOUT_SECONDS", 0.2)  # read where a Cache opens
    try:
        with pytest.raises(store_module.CacheInUse, match="being reset by another newsreader"):
            Cache(cache_file)
    finally:
        lock.release()
    Cache(cache_file).close()


async def test_scrolling_a_search_the_index_stops_answering_keeps_the_reader(
    tmp_path: Path,
) -> None:
    data, config = tmp_path / "data", write_config(tmp_path / "feeds.toml", [])
    with Cache(data / "cache.sqlite3") as cache:
        cache.store_articles(
            [
                Article(title=f"Harbour note {n}", source="notes", guid=f"n{n}",
                        sections=(Section(None, (f"Harbour note number {n}.",)),))
                for n in range(150)
            ]
        )  # fmt: skip
    app = _reader(data, config)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("slash", *"harbour", "enter")
        await pilot.pause()
        article_list = app.query_one(ArticleList)
        assert len(article_list.summaries) == 100  # the first page
        db = sqlite3.connect(data / "cache.sqlite3")
        db.execute("DROP TABLE articles_fts")  # the index breaks meanwhile
        db.close()
        article_list.move_cursor(row=99)  # near the end: the next page is asked for
        await pilot.pause()
        assert len(article_list.summaries) == 100 and app.is_running
        assert any("the search index cannot answer this search" in m for m in _notices(app))
