"""The cache under damage and limits: corrupt or too-new files, read-only folders, a full disk."""

from __future__ import annotations

import resource
import signal
import sqlite3
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from newsreader.cache import SCHEMA_VERSION, Cache, CacheError
from newsreader.model import Article, Section
from tests.helpers.cache import article_count
from tests.helpers.cli import run_newsreader
from tests.helpers.paths import ARTICLES
from tests.helpers.permissions import as_unprivileged, permission_bits_apply

TRACEBACK = "Traceback"


def _write_articles(folder: Path, count: int, words: int = 600) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    vocabulary = ["river", "council", "budget", "harbour", "signal", "market", "winter"]
    for number in range(count):
        body = " ".join(vocabulary[(number * 7 + i) % len(vocabulary)] for i in range(words))
        (folder / f"story-{number:04d}.txt").write_text(
            f"Story number {number}\n\n{body.capitalize()}.\n", encoding="utf-8"
        )
    return folder


def _cache_with_articles(tmp_path: Path) -> tuple[Path, Path, list[int]]:
    data, config = tmp_path / "data", tmp_path / "feeds.toml"
    result = run_newsreader("import", str(ARTICLES), data_dir=data, config=config)
    assert result.returncode == 0, result.stderr
    with Cache(data / "cache.sqlite3") as cache:
        ids = [summary.id for summary in cache.list_articles(limit=100)]
        cache.set_starred(ids[0])
        cache.set_read(ids[1])
    return data, config, ids


def _contents(cache_file: Path) -> tuple[int, list[tuple[object, ...]]]:
    with sqlite3.connect(cache_file) as db:
        version = db.execute("PRAGMA user_version").fetchone()[0]
        rows = db.execute("SELECT id, title, read, starred, body FROM articles").fetchall()
    return version, rows


def test_a_damaged_cache_is_moved_aside_and_a_new_one_started(tmp_path: Path) -> None:
    data, config = tmp_path / "data", tmp_path / "feeds.toml"
    data.mkdir()
    junk = b"not a database at all\x00" * 500
    (data / "cache.sqlite3").write_bytes(junk)

    result = run_newsreader("import", str(ARTICLES), data_dir=data, config=config)

    assert result.returncode == 0, result.stderr
    assert TRACEBACK not in result.stderr
    [moved] = sorted(data.glob("cache.sqlite3.damaged-????????T??????"))
    assert moved.read_bytes() == junk  # kept byte for byte, never deleted
    assert str(moved) in result.stderr and "damaged" in result.stderr
    with Cache(data / "cache.sqlite3") as cache:
        assert article_count(cache) > 0


def test_a_cache_from_a_newer_version_is_left_alone_until_the_user_resets_it(
    tmp_path: Path,
) -> None:
    data, config, _ = _cache_with_articles(tmp_path)
    cache_file = data / "cache.sqlite3"
    with sqlite3.connect(cache_file) as db:
        db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    before = _contents(cache_file)

    refused = run_newsreader("list", data_dir=data, config=config)
    assert refused.returncode == 1
    assert "newer newsreader" in refused.stderr and "newsreader cache reset" in refused.stderr
    assert TRACEBACK not in refused.stderr
    assert _contents(cache_file) == before

    reset = run_newsreader("cache", "reset", data_dir=data, config=config)
    assert reset.returncode == 0, reset.stderr
    [moved] = sorted(data.glob("cache.sqlite3.reset-????????T??????"))
    assert str(moved) in reset.stdout
    with sqlite3.connect(moved) as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION + 1
    fresh = run_newsreader("list", "--json", data_dir=data, config=config)
    assert fresh.returncode == 0 and fresh.stdout == ""


def test_damage_inside_the_file_is_reported_not_a_traceback(tmp_path: Path) -> None:
    data, config, ids = _cache_with_articles(tmp_path)
    _scribble_over_all_but_the_schema(data / "cache.sqlite3")

    checked = run_newsreader("cache", "check", data_dir=data, config=config)
    shown = run_newsreader("show", str(ids[0]), data_dir=data, config=config)

    assert checked.returncode == 1 and "damaged" in checked.stderr
    assert "cache reset" in checked.stderr
    assert shown.returncode == 1 and "cache reset" in shown.stderr
    for result in (checked, shown):
        assert TRACEBACK not in result.stderr


def _scribble_over_all_but_the_schema(cache_file: Path) -> None:
    """Damage every page but the schema's, so the file still opens.

    The schema has outgrown the header page: its other pages are spared by name.
    """
    with sqlite3.connect(cache_file) as db:
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        page_size = db.execute("PRAGMA page_size").fetchone()[0]
        pages = [
            int(page)
            for (page,) in db.execute(
                "SELECT pageno FROM dbstat WHERE name NOT IN ('sqlite_schema', 'sqlite_master')"
            )
        ]
    assert pages
    with cache_file.open("r+b") as handle:
        for page in pages:
            handle.seek((page - 1) * page_size)
            handle.write(b"\xa5" * page_size)


def test_a_read_of_a_damaged_cache_is_a_plain_cache_error(tmp_path: Path) -> None:
    cache_file = tmp_path / "cache.sqlite3"
    with Cache(cache_file) as cache:
        [(_, article_id)] = cache.store_articles(
            [Article(title="Harbour notes", source="notes", guid="n1",
                     sections=(Section(None, ("The harbour opened at dawn.",)),))]
        )  # fmt: skip
    _scribble_over_all_but_the_schema(cache_file)
    reads: dict[str, Callable[[Cache], object]] = {
        "list": lambda cache: cache.list_articles(),
        "list of a source": lambda cache: cache.list_articles(source="notes"),
        "article": lambda cache: cache.get_article(article_id),
        "tree": lambda cache: cache.category_tree(),
        "counts": lambda cache: cache.source_counts(),
        "special counts": lambda cache: cache.special_counts(),
        "feeds": lambda cache: cache.feed_states(),
        "lookup": lambda cache: cache.ids_by_title("harbour notes"),
        "search": lambda cache: cache.search("harbour"),
    }
    with Cache(cache_file) as cache:  # the schema is whole: the file opens
        for name, read in reads.items():
            with pytest.raises(CacheError) as raised:
                read(cache)
            message = str(raised.value)
            assert "\n" not in message and TRACEBACK not in message, name
            assert f"the cache {cache_file} cannot be read" in message, name
            assert "newsreader cache reset" in message, name


def test_cache_check_says_ok_for_a_sound_cache(tmp_path: Path) -> None:
    data, config, _ = _cache_with_articles(tmp_path)
    result = run_newsreader("cache", "check", data_dir=data, config=config)
    assert result.returncode == 0 and result.stdout.strip().endswith(": ok")


def test_a_read_only_data_folder_is_named_in_a_clear_error(tmp_path: Path) -> None:
    if not permission_bits_apply(tmp_path):
        pytest.skip("cannot run a child bound by file permissions here")
    data, config, _ = _cache_with_articles(tmp_path)
    data.chmod(0o555)
    before = {path.name: path.read_bytes() for path in data.iterdir()}
    try:
        result = run_newsreader(
            "import", str(ARTICLES), data_dir=data, config=config, preexec=as_unprivileged
        )
    finally:
        data.chmod(0o755)
    assert result.returncode == 1
    assert f"the cache folder {data} is not writable" in result.stderr
    assert TRACEBACK not in result.stderr
    assert {path.name: path.read_bytes() for path in data.iterdir()} == before


def _limit_file_size(limit: int) -> None:
    # Files may not grow past `limit` bytes: writes fail as on a full disk.
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))


def test_a_full_disk_stops_the_import_with_a_clear_error_and_nothing_half_written(
    tmp_path: Path,
) -> None:
    data, config, ids = _cache_with_articles(tmp_path)
    with Cache(data / "cache.sqlite3") as cache:
        before = {i: cache.get_article(i) for i in ids}
    many = _write_articles(tmp_path / "many", 300)

    result = run_newsreader(
        "import", str(many), data_dir=data, config=config, preexec=lambda: _limit_file_size(300_000)
    )

    assert result.returncode == 1
    assert "cannot write to the cache" in result.stderr and "full" in result.stderr
    assert TRACEBACK not in result.stderr
    with Cache(data / "cache.sqlite3") as cache:
        assert cache.integrity_problems() == []
        assert {i: cache.get_article(i) for i in ids} == before
        stored = cache.list_articles(limit=1000)
        # Whatever did land is whole: every stored article opens with its text.
        for summary in stored:
            article = cache.get_article(summary.id)
            assert article is not None and article.article.title
    # With room again, the same import completes.
    retried = run_newsreader("import", str(many), data_dir=data, config=config)
    assert retried.returncode == 0, retried.stderr
    with Cache(data / "cache.sqlite3") as cache:
        assert article_count(cache) == len(ids) + 300


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A real 1.5 MiB filesystem (tmpfs), where the machine lets us mount one."""
    mount_point = tmp_path / "small-disk"
    mount_point.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=1536k", "tmpfs", str(mount_point)],
        capture_output=True,
        check=False,
    )
    if mounted.returncode != 0:
        pytest.skip("cannot mount a small filesystem here")
    try:
        yield mount_point
    finally:
        subprocess.run(["umount", "-l", str(mount_point)], capture_output=True, check=False)


def test_a_really_full_disk_gives_a_plain_error_and_keeps_the_cache(
    small_disk: Path, tmp_path: Path
) -> None:
    data, config = small_disk / "data", tmp_path / "feeds.toml"
    first = run_newsreader("import", str(ARTICLES), data_dir=data, config=config)
    assert first.returncode == 0, first.stderr
    with Cache(data / "cache.sqlite3") as cache:
        before = article_count(cache)

    result = run_newsreader(
        "import", str(_write_articles(tmp_path / "many", 300)), data_dir=data, config=config
    )

    assert result.returncode == 1
    assert "cannot write to the cache" in result.stderr and "the disk is full" in result.stderr
    assert "Traceback" not in result.stderr
    with Cache(data / "cache.sqlite3") as cache:
        assert cache.integrity_problems() == []
        assert article_count(cache) >= before
