"""Process pools: forked only from a process with no other thread, never from the reader."""

from __future__ import annotations

import multiprocessing
import os
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from newsreader import importer
from newsreader.cache import Cache
from newsreader.config import load_config
from newsreader.importer import import_paths
from newsreader.paths import Locations
from newsreader.pool import ForkServerPool, InProcess, may_fork, pool_workers, process_pool
from newsreader.ui.app import NewsReaderApp
from tests.helpers.cache import article_count
from tests.helpers.paths import ARTICLES as ARTICLES_DIR

ARTICLE_COUNT = 250


@pytest.fixture
def forks(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[int]]:
    """Every fork this process makes, recorded (the fork itself still happens)."""
    made: list[int] = []
    real_fork: Callable[[], int] = os.fork

    def recording_fork() -> int:
        child = real_fork()
        if child:
            made.append(child)
        return child

    monkeypatch.setattr(os, "fork", recording_fork)
    yield made


@pytest.fixture
def another_thread() -> Iterator[threading.Thread]:
    """A second thread, alive for the test."""
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait, daemon=True)
    thread.start()
    yield thread
    stop.set()
    thread.join()


def test_pool_workers_is_none_while_another_thread_runs(
    another_thread: threading.Thread,
) -> None:
    assert not may_fork()
    assert pool_workers(4) == 0


def test_pool_workers_is_what_was_asked_in_a_process_of_one_thread(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(threading, "active_count", lambda: 1)
    assert may_fork()
    assert [pool_workers(n) for n in (-1, 0, 1, 4)] == [0, 0, 1, 4]


def test_a_pool_asked_for_from_a_threaded_process_runs_in_process(
    another_thread: threading.Thread, forks: list[int]
) -> None:
    with process_pool(2) as executor:
        assert isinstance(executor, InProcess)
        assert executor.submit(os.getpid).result() == os.getpid()
    assert forks == [] and multiprocessing.active_children() == []


def test_no_pool_asked_for_runs_in_process(forks: list[int]) -> None:
    with process_pool(0) as executor:
        assert isinstance(executor, InProcess)
        failing = executor.submit(int, "not a number")
        assert isinstance(failing.exception(), ValueError)
    assert forks == []


def test_a_process_of_one_thread_gets_a_started_pool() -> None:
    # In a fresh interpreter: the test process may be running threads of its own.
    code = (
        "import os; from newsreader.pool import process_pool\n"
        "with process_pool(2) as executor:\n"
        "    print(type(executor).__name__, executor.submit(os.getpid).result() != os.getpid())\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["ProcessPoolExecutor", "True"]


def _articles(folder: Path, count: int) -> None:
    folder.mkdir(parents=True)
    for number in range(count):
        (folder / f"story-{number:03d}.txt").write_text(
            f"Pooled Story Number {number}\n\nIt was written for a large folder, "
            f"story {number} of {count}, and read by the reader.\n",
            encoding="utf-8",
        )


def test_an_import_from_a_threaded_process_forks_nothing_and_imports_everything(
    tmp_path: Path, cache: Cache, another_thread: threading.Thread, forks: list[int]
) -> None:
    _articles(tmp_path / "articles", importer.POOL_THRESHOLD + 50)
    report = import_paths(cache, [tmp_path / "articles"], workers=2)
    assert forks == [] and multiprocessing.active_children() == []
    assert report.new == importer.POOL_THRESHOLD + 50 and not report.failures


async def test_an_in_app_refresh_of_a_large_local_folder_forks_nothing(
    tmp_path: Path, forks: list[int]
) -> None:
    assert ARTICLE_COUNT >= importer.POOL_THRESHOLD  # enough for a pool, were one allowed
    articles = tmp_path / "articles"
    _articles(articles, ARTICLE_COUNT)
    config_path = tmp_path / "feeds.toml"
    config_path.write_text(f'[[local]]\npath = "{articles}"\n', encoding="utf-8")
    locations = Locations(config_path, tmp_path / "data", config_given=True)
    app = NewsReaderApp(locations, load_config(config_path), offline=True)
    async with app.run_test(size=(120, 40)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert forks == [] and multiprocessing.active_children() == []
    with Cache(locations.cache_file) as cache:
        assert article_count(cache) == ARTICLE_COUNT
        titles = {row.title for row in cache.list_articles(limit=ARTICLE_COUNT + 1)}
    assert titles == {f"Pooled Story Number {n}" for n in range(ARTICLE_COUNT)}


def test_the_reader_s_pool_without_a_fork_server_parses_on_a_thread(forks: list[int]) -> None:
    pool = ForkServerPool(2)
    try:
        assert pool.submit(os.getpid).result(timeout=30) == os.getpid()
    finally:
        pool.shutdown()
    assert forks == [] and multiprocessing.active_children() == []


def test_the_reader_s_pool_parses_in_processes_of_a_fork_server_started_first() -> None:
    """In a process with another thread running (as the reader's refresh is), after the
    fork server started: feeds parse in other processes, none forked from this one."""
    script = (
        "import os, threading, time\n"
        "from newsreader.pool import ForkServerPool, start_fork_server\n"
        "start_fork_server(('newsreader.refresh',))\n"
        "forked = []\n"
        "real = os.fork\n"
        "os.fork = lambda: forked.append(1) or real()\n"
        "threading.Thread(target=time.sleep, args=(5,), daemon=True).start()\n"
        "from newsreader.refresh import _parse_job\n"
        "pool = ForkServerPool(2)\n"
        "feed = open(os.environ['FEED'], 'rb').read()\n"
        "parsed = pool.submit(_parse_job, feed, {}, 'http://x/', (), 'http://x/', 0.0).result(60)\n"
        "pid = pool.submit(os.getpid).result(60)\n"
        "pool.shutdown()\n"
        "print(len(parsed.rows), pid != os.getpid(), forked == [])\n"
    )
    feed = ARTICLES_DIR / "world" / "wire.xml"
    result = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        timeout=120,
        env=os.environ | {"FEED": str(feed)},
        check=False,
    )
    assert result.returncode == 0, result.stderr
    count, elsewhere, unforked = result.stdout.split()
    assert int(count) > 0 and elsewhere == "True" and unforked == "True"
