"""Crashes and company: SIGKILL in the middle of a refresh, and several writers at once."""

from __future__ import annotations

import asyncio
import contextlib
import multiprocessing
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from multiprocessing.queues import Queue
from multiprocessing.synchronize import Barrier
from pathlib import Path

import pytest

from newsreader.cache import SCHEMA_VERSION, Cache, CacheError
from newsreader.config import load_config
from newsreader.paths import Locations
from newsreader.ui.app import NewsReaderApp
from tests.helpers.cli import newsreader_env
from tests.helpers.config import write_config
from tests.loopback import LoopbackServer, Reply, Request

FEEDS = 120
ITEMS = 40
KILLS = 10


class GrowingFeeds:
    """Feeds whose items change every round, so that every refresh has writing to do."""

    def __init__(self, server: LoopbackServer, count: int) -> None:
        self.round = 0
        self.urls = []
        for number in range(count):
            path = f"/feed-{number}.xml"
            server.routes[path] = self._route(number)
            self.urls.append(server.url(path))

    def _route(self, number: int):  # type: ignore[no-untyped-def]
        def route(_request: Request) -> Reply:
            first = self.round * ITEMS
            items = "".join(
                f"<item><title>Feed {number} item {n}</title><guid>f{number}-{n}</guid>"
                f"<link>https://crash.example/{number}/{n}</link>"
                f"<description>&lt;p&gt;Body of item {n} of feed {number}, "
                f"{'with some words to store ' * 20}&lt;/p&gt;</description></item>"
                for n in range(first, first + ITEMS)
            )
            body = (
                f'<?xml version="1.0"?><rss version="2.0"><channel><title>Feed {number}</title>'
                f"<link>https://crash.example/{number}</link>{items}</channel></rss>"
            ).encode()
            return Reply(200, body, headers={"Content-Type": "application/rss+xml"})

        return route

    def expected_guids(self, rounds: int) -> set[str]:
        return {f"f{f}-{n}" for f in range(len(self.urls)) for n in range(rounds * ITEMS)}


@pytest.fixture
def feeds(server: LoopbackServer, tmp_path: Path) -> Iterator[tuple[GrowingFeeds, Path]]:
    growing = GrowingFeeds(server, FEEDS)
    config = write_config(tmp_path / "feeds.toml", growing.urls, "timeout = 20")
    yield growing, config


def _snapshot(cache_file: Path) -> dict[tuple[str, str], tuple[int, int]]:
    """Every stored article's identity with its read and starred flags."""
    if not cache_file.exists():
        return {}
    with sqlite3.connect(cache_file) as db:
        rows = db.execute("SELECT source, guid, read, starred FROM articles").fetchall()
    return {(source, guid): (read, starred) for source, guid, read, starred in rows}


def _kill_group(process: subprocess.Popen[bytes]) -> None:
    # The refresh's parse workers are in its process group; leave no orphan behind.
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=30)


def _refresh(data: Path, config: Path) -> None:
    finished = subprocess.run(
        [sys.executable, "-m", "newsreader", "refresh"],
        env=newsreader_env(data, config),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert finished.returncode == 0, finished.stderr[-2000:]


def test_sigkill_during_refresh_loses_nothing(
    feeds: tuple[GrowingFeeds, Path], tmp_path: Path
) -> None:
    growing, config = feeds
    data = tmp_path / "data"
    cache_file = data / "cache.sqlite3"
    rng = random.Random(5)
    # One whole refresh first: the kills land within its length on this machine, however fast.
    growing.round = 0
    started = time.monotonic()
    _refresh(data, config)
    whole = time.monotonic() - started
    survived = 0
    partial = 0  # kills that left a refresh half-done: some new articles, not all
    delays = []
    for attempt in range(1, KILLS + 1):
        growing.round = attempt
        before = _snapshot(cache_file)
        if before:  # the user's reading state, set just before the crash
            with Cache(cache_file) as cache:
                for source, guid in rng.sample(sorted(before), 20):
                    [[article_id]] = cache._db.execute(
                        "SELECT id FROM articles WHERE source = ? AND guid = ?", (source, guid)
                    ).fetchall()
                    cache.set_read(article_id, rng.random() < 0.7)
                    cache.set_starred(article_id, rng.random() < 0.3)
            before = _snapshot(cache_file)
        process = subprocess.Popen(
            [sys.executable, "-m", "newsreader", "refresh"],
            env=newsreader_env(data, config),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        delay = rng.uniform(0.1, 0.9) * whole
        delays.append(round(delay, 2))
        time.sleep(delay)
        if process.poll() is None:
            os.kill(process.pid, signal.SIGKILL)  # the main process only, as an OOM kill would
            survived += 1
        _kill_group(process)

        with Cache(cache_file) as cache:
            assert cache.integrity_problems() == [], f"kill {attempt} after {delay:.2f} s"
        after = _snapshot(cache_file)
        lost = set(before) - set(after)
        assert not lost, f"kill {attempt}: {len(lost)} articles lost"
        changed = {key for key in before if after[key] != before[key]}
        assert not changed, f"kill {attempt}: read/starred changed on {len(changed)}"
        if 0 < len(after) - len(before) < FEEDS * ITEMS:
            partial += 1
    # Kills must land while the refresh runs, some mid-write (else the test proves little).
    assert survived >= KILLS // 2 and partial >= 2, (whole, delays, survived, partial)

    growing.round = KILLS + 1
    before = _snapshot(cache_file)
    _refresh(data, config)
    after = _snapshot(cache_file)
    assert {key: after[key] for key in before} == before
    new_this_round = {
        f"f{f}-{n}" for f in range(FEEDS) for n in range((KILLS + 1) * ITEMS, (KILLS + 2) * ITEMS)
    }
    assert new_this_round <= {guid for _, guid in after}


async def test_two_refreshes_and_the_reader_at_once(
    feeds: tuple[GrowingFeeds, Path], tmp_path: Path
) -> None:
    growing, config = feeds
    data = tmp_path / "data"
    cache_file = data / "cache.sqlite3"
    # Two refreshes race to create the cache; the reader opens it while they write.
    refreshes = [
        await asyncio.create_subprocess_exec(
            sys.executable, "-m", "newsreader", "refresh",
            env=newsreader_env(data, config),
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        for _ in range(2)
    ]  # fmt: skip
    while not cache_file.exists():
        await asyncio.sleep(0.02)
    locations = Locations(config, data, config_given=True)
    app = NewsReaderApp(locations, load_config(config), offline=True, refresh_on_start=False)
    starred: set[int] = set()
    read_views = 0
    async with app.run_test(size=(120, 40)) as pilot:
        deadline = time.monotonic() + 120
        while any(p.returncode is None for p in refreshes) and time.monotonic() < deadline:
            app.main_screen.article_list.load(app.main_screen.article_list.list_query)
            await pilot.pause(0.2)
            summaries = app.main_screen.article_list.summaries
            if summaries:
                target = summaries[len(summaries) // 2]
                assert app.main_screen.show_article(target.id)
                read_views += 1
                app.main_screen.action_toggle_star()
                await pilot.pause()
                stored = app.cache.get_article(target.id)
                assert stored is not None
                (starred.add if stored.starred else starred.discard)(target.id)
        outputs = [await p.communicate() for p in refreshes]
        errors = [n.message for n in app._notifications if n.severity == "error"]
    for process, (_out, err) in zip(refreshes, outputs, strict=True):
        text = err.decode()
        assert "locked" not in text and "Traceback" not in text, text[-2000:]
        assert process.returncode == 0, text[-2000:]
    assert errors == []
    assert read_views >= 3  # the reader kept reading while both refreshes wrote
    with Cache(cache_file) as cache:
        assert cache.integrity_problems() == []
        guids = {guid for (_, guid) in _snapshot(cache_file)}
        assert guids == growing.expected_guids(1)
        for article_id in starred:
            stored = cache.get_article(article_id)
            assert stored is not None and stored.starred and stored.read


def _open_new_cache(path: str, start: Barrier, answers: Queue[int | str]) -> None:
    start.wait(timeout=30)
    try:
        with Cache(Path(path)) as cache:
            answers.put(cache.schema_version)
    except CacheError as error:
        answers.put(str(error))


def test_newsreaders_started_together_all_open_a_new_cache(tmp_path: Path) -> None:
    # SQLite refuses a change to WAL at once while another process creates the
    # file; before the open retried it, about one start in four failed here.
    context = multiprocessing.get_context("fork")
    for trial in range(20):
        path = tmp_path / f"cache-{trial}.sqlite3"
        start = context.Barrier(4)
        answers: Queue[int | str] = context.Queue()
        workers = [
            context.Process(target=_open_new_cache, args=(str(path), start, answers))
            for _ in range(4)
        ]
        for worker in workers:
            worker.start()
        results = [answers.get(timeout=60) for _ in workers]
        for worker in workers:
            worker.join(timeout=30)
        assert results == [SCHEMA_VERSION] * 4, (trial, results)
