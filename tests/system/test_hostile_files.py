"""Hostile things on disk that are not file contents: where a path is opened.

A FIFO, a socket or a device named like an article; links to endless devices,
to files whose stated size lies and to places outside the imported folder; link
loops; names and arguments that are not UTF-8; unreadable and absurdly deep
folders. Each goes through ``import``, ``refresh`` of a ``[[local]]`` folder and,
where it hung before, the reader. Hangs and memory are measured in a child
process with a deadline; what must hold: the command ends in seconds within a
memory bound, names every file it refused with its reason, and imports the rest.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from textual.geometry import Region

from newsreader import importer
from newsreader.cache import Cache
from newsreader.config import load_config
from newsreader.extract import MAX_FILE_BYTES, ExtractError, extract_file
from newsreader.importer import import_paths
from newsreader.model import MAX_CATEGORY_DEPTH
from newsreader.paths import Locations
from newsreader.ui.app import NewsReaderApp
from newsreader.ui.widgets.article_list import ArticleList
from tests.helpers.cli import measured_newsreader, newsreader_env, run_newsreader
from tests.helpers.permissions import as_unprivileged, permission_bits_apply
from tests.helpers.reader import tree_counted
from tests.hostile.special import (
    PAGEMAP,
    UNDECODABLE_EMPTY,
    UNDECODABLE_FILE,
    UNDECODABLE_FOLDER,
    article,
    make_device,
    make_fifo,
    make_socket,
    remove_deep,
    unblock_fifo,
    write_deep,
    write_links,
    write_undecodable,
)

DEADLINE_SECONDS = 30.0
"""A child that has not finished by then is killed: it hung."""
TIME_BOUND_SECONDS = 15.0
MEMORY_BOUND_MIB = 256
ADDRESS_SPACE_LIMIT = 1024 * 1024 * 1024
"""RLIMIT_AS of the measured child: an endless read fails there rather than on the machine."""


def _config(path: Path, local: Path | None = None) -> Path:
    text = "[settings]\ntimeout = 3\n"
    if local is not None:
        text += f'\n[[local]]\npath = "{local}"\ncategory = "Local"\n'
    path.write_text(text, encoding="utf-8")
    return path


def _titles(data: Path) -> set[str]:
    with Cache(data / "cache.sqlite3") as cache:
        return {summary.title for summary in cache.list_articles(limit=1000)}


def _measured(
    *args: str, data: Path, config: Path
) -> tuple[subprocess.CompletedProcess[str], float, float]:
    """``newsreader ARGS`` in a measured child limited to :data:`ADDRESS_SPACE_LIMIT`."""
    return measured_newsreader(
        *args,
        data_dir=data,
        config=config,
        deadline=DEADLINE_SECONDS,
        address_space=ADDRESS_SPACE_LIMIT,
    )


def _assert_one_line_failures(stderr: str, expected: dict[Path, str]) -> None:
    """Every refused path named once with its reason, and nothing else said."""
    assert "Traceback" not in stderr
    lines = stderr.splitlines()
    for path, reason in expected.items():
        assert f"newsreader: {path}: {reason}" in lines, (path, stderr)
    assert len(lines) == len(expected), stderr


# 1. FIFOs, sockets and devices: never waited on, never read


def _special_folder(tmp_path: Path) -> tuple[Path, dict[Path, str]]:
    folder = tmp_path / "articles"
    article(folder / "good.txt", "Good Article")
    article(folder / "sub" / "other.md", "Other Article")
    refused = {
        make_fifo(folder / "pipe.txt"): "not a regular file (FIFO)",
        make_fifo(folder / "sub" / "pipe.xml"): "not a regular file (FIFO)",
        make_socket(folder / "socket.html"): "not a regular file (socket)",
    }
    if make_device(folder / "device.md"):
        refused[folder / "device.md"] = "not a regular file (character device)"
    make_fifo(folder / "pipe-not-an-article")  # not a supported suffix: passed over, as ever
    return folder, refused


def test_fifos_sockets_and_devices_in_a_folder_are_named_and_the_rest_imported(
    tmp_path: Path,
) -> None:
    folder, refused = _special_folder(tmp_path)
    data, config = tmp_path / "data", _config(tmp_path / "feeds.toml")
    try:
        result, seconds, _ = _measured("import", str(folder), data=data, config=config)
    finally:
        for fifo in folder.rglob("pipe*"):
            unblock_fifo(fifo)
    assert seconds < TIME_BOUND_SECONDS
    assert result.returncode == 1
    _assert_one_line_failures(result.stderr, refused)
    assert result.stdout.startswith("2 new,")
    assert _titles(data) == {"Good Article", "Other Article"}


def test_a_fifo_or_socket_named_on_the_command_line_is_refused_too(tmp_path: Path) -> None:
    folder, refused = _special_folder(tmp_path)
    data, config = tmp_path / "data", _config(tmp_path / "feeds.toml")
    named = [folder / "pipe.txt", folder / "socket.html", folder / "good.txt"]
    try:
        result, seconds, _ = _measured("import", *map(str, named), data=data, config=config)
    finally:
        unblock_fifo(folder / "pipe.txt")
    assert seconds < TIME_BOUND_SECONDS
    assert result.returncode == 1
    _assert_one_line_failures(result.stderr, {path: refused[path] for path in named[:2]})
    assert _titles(data) == {"Good Article"}


def test_refresh_of_a_local_folder_with_a_fifo_finishes(tmp_path: Path) -> None:
    folder, refused = _special_folder(tmp_path)
    data, config = tmp_path / "data", _config(tmp_path / "feeds.toml", local=folder)
    try:
        result, seconds, _ = _measured("refresh", "--offline", data=data, config=config)
    finally:
        for fifo in folder.rglob("pipe*"):
            unblock_fifo(fifo)
    assert seconds < TIME_BOUND_SECONDS
    assert result.returncode == 1
    _assert_one_line_failures(result.stderr, refused)
    assert "2 new articles" in result.stdout
    assert _titles(data) == {"Good Article", "Other Article"}


async def test_the_reader_refreshes_past_a_fifo_and_quits(tmp_path: Path) -> None:
    folder = tmp_path / "articles"
    article(folder / "good.txt", "Good Article")
    article(folder / "sub" / "other.md", "Other Article")
    fifos = [make_fifo(folder / "pipe.txt"), make_fifo(folder / "sub" / "pipe.xml")]
    config = _config(tmp_path / "feeds.toml", local=folder)
    locations = Locations(config, tmp_path / "data", config_given=True)
    app = NewsReaderApp(locations, load_config(config), offline=True)
    finished = False
    async with app.run_test(size=(120, 40)) as pilot:
        await tree_counted(app, pilot)
        try:
            deadline = time.monotonic() + TIME_BOUND_SECONDS
            while app.main_screen.refreshing and time.monotonic() < deadline:
                await pilot.pause(0.05)
            finished = not app.main_screen.refreshing
        finally:
            # A refresh stuck on a FIFO is freed, so that the test fails instead of hanging.
            deadline = time.monotonic() + TIME_BOUND_SECONDS
            while app.main_screen.refreshing and time.monotonic() < deadline:
                for fifo in fifos:
                    unblock_fifo(fifo)
                await pilot.pause(0.05)
        assert finished, "the start-up refresh never finished"
        await pilot.pause()
        titles = {summary.title for summary in app.query_one(ArticleList).summaries}
        assert titles == {"Good Article", "Other Article"}
        await pilot.press("q")
    assert not app.is_running


# 2. Links: not out of the folder, never to a device, never read past the cap


def test_links_out_of_a_folder_are_named_and_not_followed_within_memory(tmp_path: Path) -> None:
    folder, outside = tmp_path / "articles", tmp_path / "outside"
    article(folder / "good.txt", "Good Article")
    article(folder / "sub" / "other.md", "Other Article")
    refused = write_links(folder, outside)
    data, config = tmp_path / "data", _config(tmp_path / "feeds.toml")

    result, seconds, peak_mib = _measured("import", str(folder), data=data, config=config)

    assert seconds < TIME_BOUND_SECONDS
    assert peak_mib < MEMORY_BOUND_MIB, f"peak RSS {peak_mib:.0f} MiB"
    assert result.returncode == 1
    _assert_one_line_failures(result.stderr, {folder / n: r for n, r in refused.items()})
    assert _titles(data) == {"Good Article", "Other Article", "Inside Link"}


def test_links_named_on_the_command_line_are_followed_to_regular_files_only(
    tmp_path: Path,
) -> None:
    folder, outside = tmp_path / "articles", tmp_path / "outside"
    folder.mkdir()
    write_links(folder, outside)
    data, config = tmp_path / "data", _config(tmp_path / "feeds.toml")
    named = ["secret.txt", "zero.txt", "random.xml"]

    result, seconds, peak_mib = _measured(
        "import", *(str(folder / n) for n in named),
        data=data, config=config,
    )  # fmt: skip

    assert seconds < TIME_BOUND_SECONDS
    assert peak_mib < MEMORY_BOUND_MIB, f"peak RSS {peak_mib:.0f} MiB"
    assert result.returncode == 1
    device = "not a regular file (character device)"
    _assert_one_line_failures(
        result.stderr, {Path("/dev/zero"): device, Path("/dev/urandom"): device}
    )
    assert _titles(data) == {"Secret Outside"}  # the user named it: it is theirs to import


@pytest.mark.skipif(not PAGEMAP.exists(), reason="no /proc/self/pagemap here")
def test_a_regular_file_that_reads_past_its_stated_size_stops_at_the_cap(tmp_path: Path) -> None:
    # pagemap says it holds 0 bytes and reads 8 bytes for every page of the address
    # space: only a cap on the bytes actually read stops it.
    link = tmp_path / "pagemap.txt"
    link.symlink_to(PAGEMAP)
    data, config = tmp_path / "data", _config(tmp_path / "feeds.toml")

    result, seconds, peak_mib = _measured("import", str(link), data=data, config=config)

    assert seconds < TIME_BOUND_SECONDS
    assert peak_mib < MEMORY_BOUND_MIB, f"peak RSS {peak_mib:.0f} MiB"
    assert result.returncode == 1
    [line] = result.stderr.splitlines()
    assert line.startswith("newsreader: /proc/")
    assert line.endswith(f"/pagemap: file too large (over {MAX_FILE_BYTES // 2**20} MB)")


@pytest.mark.skipif(not PAGEMAP.exists(), reason="no /proc/self/pagemap here")
def test_the_read_cap_counts_bytes_read_not_the_stated_size(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import newsreader.extract

    monkeypatch.setattr(newsreader.extract, "MAX_FILE_BYTES", 4096)
    with pytest.raises(ExtractError, match=r"^file too large"):
        extract_file(PAGEMAP)


def test_a_file_of_exactly_the_cap_is_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import newsreader.extract

    path = tmp_path / "exact.txt"
    text = "Exact Size\n\n" + "word " * 2000 + "\n"
    path.write_text(text, encoding="utf-8")
    monkeypatch.setattr(newsreader.extract, "MAX_FILE_BYTES", len(text))
    [read] = extract_file(path)
    assert read.title == "Exact Size"
    monkeypatch.setattr(newsreader.extract, "MAX_FILE_BYTES", len(text) - 1)
    with pytest.raises(ExtractError, match="file too large"):
        extract_file(path)


# 3. Names that are not UTF-8: imported, shown escaped, never a traceback


def _run_bytes(*args: str, data: Path, config: Path) -> tuple[int, str, str]:
    """A child's exit code, stdout and stderr, which must be strict UTF-8."""
    result = subprocess.run(
        [sys.executable, "-m", "newsreader", *args],
        capture_output=True,
        env=newsreader_env(data, config),
        timeout=DEADLINE_SECONDS,
        check=False,
    )
    out, err = result.stdout.decode("utf-8"), result.stderr.decode("utf-8")  # strict
    for text in (out, err):
        assert "Traceback" not in text
        assert "\\udc" not in text  # no surrogate written out as an escape either
    return result.returncode, out, err


def test_undecodable_names_are_imported_and_shown_escaped(tmp_path: Path) -> None:
    folder = tmp_path / "articles"
    article(folder / "good.txt", "Good Article")
    shown = write_undecodable(folder)
    data, config = tmp_path / "data", _config(tmp_path / "feeds.toml")

    code, out, err = _run_bytes("import", str(folder), data=data, config=config)

    assert code == 1  # the empty one
    assert err == f"newsreader: {folder}/{shown[UNDECODABLE_EMPTY]}: empty file\n"
    assert out.startswith("3 new,")
    code, listed, err = _run_bytes("list", "--json", data=data, config=config)
    assert code == 0 and err == ""
    rows = {row["title"]: row for row in map(json.loads, listed.splitlines())}
    assert set(rows) == {"Good Article", "Undecodable Name", "Undecodable Folder"}
    assert rows["Undecodable Name"]["source"] == f"{folder}/{shown[UNDECODABLE_FILE]}"
    assert rows["Undecodable Folder"]["categories"] == [shown[UNDECODABLE_FOLDER]]
    folder_source = f"{folder}/{shown[UNDECODABLE_FOLDER]}/story.txt"
    assert rows["Undecodable Folder"]["source"] == folder_source
    code, plain, _ = _run_bytes("list", data=data, config=config)
    assert code == 0 and f"[{shown[UNDECODABLE_FOLDER]}]" in plain
    for title in ("Undecodable Name", "Undecodable Folder"):
        article_id = str(rows[title]["id"])
        code, shown_json, _ = _run_bytes("show", article_id, "--json", data=data, config=config)
        assert code == 0 and json.loads(shown_json)["source"] == rows[title]["source"]
        code, shown_text, _ = _run_bytes("show", article_id, data=data, config=config)
        assert code == 0 and title in shown_text
    # The real file is read again under its real name: nothing changed, nothing new.
    code, out, _ = _run_bytes("import", str(folder), data=data, config=config)
    assert out.startswith("0 new, 0 updated, 3 unchanged")


def test_refresh_of_a_folder_with_undecodable_names(tmp_path: Path) -> None:
    folder = tmp_path / "articles"
    article(folder / "good.txt", "Good Article")
    shown = write_undecodable(folder)
    data, config = tmp_path / "data", _config(tmp_path / "feeds.toml", local=folder)

    code, out, err = _run_bytes("refresh", "--offline", "--json", data=data, config=config)

    assert code == 1
    report = json.loads(out)
    assert report["local"]["new"] == 3
    assert report["local"]["failures"] == [
        {"path": f"{folder}/{shown[UNDECODABLE_EMPTY]}", "reason": "empty file"}
    ]
    code, _, err = _run_bytes("refresh", "--offline", data=data, config=config)
    assert code == 1
    assert f"newsreader: {folder}/{shown[UNDECODABLE_EMPTY]}: empty file\n" in err
    with Cache(data / "cache.sqlite3") as cache:
        categories = {s.title: s.categories for s in cache.list_articles(limit=10)}
    assert categories["Undecodable Folder"] == ("Local", shown[UNDECODABLE_FOLDER])


async def test_the_reader_shows_undecodable_names_escaped(tmp_path: Path) -> None:
    folder = tmp_path / "articles"
    shown = write_undecodable(folder)
    config = _config(tmp_path / "feeds.toml", local=folder)
    locations = Locations(config, tmp_path / "data", config_given=True)
    app = NewsReaderApp(locations, load_config(config), offline=True)
    async with app.run_test(size=(120, 40)) as pilot:
        await tree_counted(app, pilot)
        await app.workers.wait_for_complete()
        await pilot.pause()
        article_list = app.query_one(ArticleList)
        assert {s.title for s in article_list.summaries} == {
            "Undecodable Name",
            "Undecodable Folder",
        }
        width, height = article_list.outer_size
        drawn = "\n".join(
            "".join(segment.text for segment in strip)
            for strip in article_list.render_lines(Region(0, 0, width, height))
        )
        # The source column names a file's category: here the undecodable folder.
        assert shown[UNDECODABLE_FOLDER] in drawn
        assert not any("\udc80" <= char <= "\udcff" for char in drawn)


# 4. Arguments that are not UTF-8


@pytest.mark.parametrize(
    ("args", "option"),
    [
        ([b"list", b"--search", b"caf\xe9"], "--search"),
        ([b"list", b"--category", b"News/caf\xe9"], "--category"),
        ([b"import", b"articles", b"--category", b"\xff"], "--category"),
        ([b"--offline", b"add", b"https://a.example/feed", b"--category", b"\xff"], "--category"),
    ],
)
def test_undecodable_search_and_category_are_usage_errors(
    tmp_path: Path, args: list[bytes], option: str
) -> None:
    config = _config(tmp_path / "feeds.toml")
    before = config.read_bytes()
    article(tmp_path / "articles" / "good.txt", "Good Article")
    result = subprocess.run(
        [os.fsencode(sys.executable), b"-m", b"newsreader", *args],
        capture_output=True,
        env=newsreader_env(tmp_path / "data", config),
        cwd=tmp_path,
        timeout=DEADLINE_SECONDS,
        check=False,
    )
    err = result.stderr.decode("utf-8")
    assert result.returncode == 2
    assert "Traceback" not in err
    assert err.splitlines()[-1].endswith(f"error: argument {option}: not valid UTF-8 text")
    assert result.stdout == b""
    assert config.read_bytes() == before
    assert not (tmp_path / "data" / "cache.sqlite3").exists()


# 5. Folders that cannot be read, and folders without end


def test_an_unreadable_sub_folder_is_named(tmp_path: Path) -> None:
    if not permission_bits_apply(tmp_path):
        pytest.skip("cannot run a child bound by file permissions here")
    folder = tmp_path / "articles"
    article(folder / "good.txt", "Good Article")
    article(folder / "locked" / "hidden-away.txt", "Locked Away")
    article(folder / "unreadable.txt", "Unreadable File")
    data, config = tmp_path / "data", _config(tmp_path / "feeds.toml", local=folder)
    (folder / "locked").chmod(0o000)
    (folder / "unreadable.txt").chmod(0o000)
    try:
        results = [
            run_newsreader(*args, data_dir=data, config=config, preexec=as_unprivileged)
            for args in (
                ["import", str(folder)],
                ["import", str(folder / "locked" / "hidden-away.txt")],
                ["refresh", "--offline"],
            )
        ]
    finally:
        (folder / "locked").chmod(0o755)
        (folder / "unreadable.txt").chmod(0o644)
    imported, named, refreshed = results
    denied = {
        folder / "locked": "cannot read folder: Permission denied",
        folder / "unreadable.txt": "Permission denied",
    }
    for result in (imported, refreshed):
        assert result.returncode == 1
        _assert_one_line_failures(result.stderr, denied)
    assert named.returncode == 1
    _assert_one_line_failures(
        named.stderr, {folder / "locked" / "hidden-away.txt": "Permission denied"}
    )
    assert _titles(data) == {"Good Article"}


def test_folders_nested_past_the_bound_are_read_and_never_crash_the_walk(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "articles"
    article(folder / "good.txt", "Good Article")
    data, config = tmp_path / "data", _config(tmp_path / "feeds.toml")
    try:
        write_deep(folder / "deep", 1100)  # deeper than Python's recursion limit
        result, seconds, _ = _measured("import", str(folder), data=data, config=config)
    finally:
        remove_deep(folder / "deep")

    assert seconds < TIME_BOUND_SECONDS
    assert result.returncode == 0, result.stderr
    assert _titles(data) == {"Good Article", "Bottom Of The Deep Folder"}
    with Cache(data / "cache.sqlite3") as cache:
        [bottom] = [s for s in cache.list_articles() if s.title.startswith("Bottom")]
    # Its folders give its category, cut to the bound on categories.
    assert bottom.categories == ("deep", *(["d"] * (MAX_CATEGORY_DEPTH - 1)))


def test_a_folder_past_its_bound_is_cut_and_said_and_the_walk_goes_on(
    tmp_path: Path, cache: Cache, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(importer, "MAX_FOLDER_ENTRIES", 3)
    folder = tmp_path / "articles"
    crowded = folder / "crowded"
    for number in range(5):
        article(crowded / f"article-{number}.txt", f"Crowded {number}")
    (crowded / ".hidden.txt").write_text("Hidden\n\nNot counted.\n")
    (crowded / "notes.bin").write_bytes(b"not an article type, not counted")
    for number in range(3):  # as many as the bound: all of them
        article(folder / "full" / f"article-{number}.txt", f"Full {number}")
    for number in range(3):  # the walk is not bounded as a whole: every folder is read
        article(folder / "more" / f"top-{number}.txt", f"Top {number}")

    report = import_paths(cache, [folder], workers=0)

    assert report.failures == [(crowded, "more than 3 names in one folder; the rest were not read")]
    titles = {s.title for s in cache.list_articles()}
    assert len({t for t in titles if t.startswith("Crowded")}) == 3
    assert {t for t in titles if not t.startswith("Crowded")} == {
        *(f"Full {n}" for n in range(3)),
        *(f"Top {n}" for n in range(3)),
    }
    assert report.new == 9


def test_the_walk_feeds_the_import_as_it_goes(tmp_path: Path, cache: Cache) -> None:
    """Files are imported while the walk goes on, never listed whole first (a folder
    of millions of files took gigabytes before its first article was read)."""
    folder = tmp_path / "articles"
    article(folder / "a" / "first.txt", "First Found")
    (folder / "z").mkdir()

    def after_each(path: Path) -> None:
        # Written once the first article is stored, into a folder the walk reads later.
        if path.name == "first.txt":
            article(folder / "z" / "late.txt", "Written Meanwhile")

    report = import_paths(cache, [folder], workers=0, progress=after_each)

    assert report.new == 2 and not report.failures
    assert {s.title for s in cache.list_articles()} == {"First Found", "Written Meanwhile"}


def test_a_large_import_through_the_pool_keeps_order_and_every_file(
    tmp_path: Path, cache: Cache
) -> None:
    folder = tmp_path / "articles"
    count = importer.POOL_THRESHOLD + importer.POOL_CHUNK * 2 * importer.POOL_AHEAD + 7
    for number in range(count):
        article(folder / f"article-{number:04d}.txt", f"Pooled Article {number}")
    handled: list[str] = []

    report = import_paths(cache, [folder], workers=2, progress=lambda p: handled.append(p.name))

    assert report.new == count and not report.failures
    assert handled == sorted(handled) and len(handled) == count


def test_a_folder_mounted_inside_itself_is_walked_once(tmp_path: Path) -> None:
    folder = tmp_path / "articles"
    article(folder / "good.txt", "Good Article")
    mount_point = folder / "sub" / "again"
    mount_point.mkdir(parents=True)
    mounted = subprocess.run(
        ["mount", "--bind", str(folder), str(mount_point)], capture_output=True, check=False
    )
    if mounted.returncode != 0:
        pytest.skip("cannot bind-mount a folder here")
    data, config = tmp_path / "data", _config(tmp_path / "feeds.toml")
    try:
        result, seconds, _ = _measured("import", str(folder), data=data, config=config)
    finally:
        subprocess.run(["umount", "-l", str(mount_point)], capture_output=True, check=False)
    assert seconds < TIME_BOUND_SECONDS
    assert result.returncode == 1
    _assert_one_line_failures(
        result.stderr, {mount_point: "a folder already walked (mounted twice), not read again"}
    )
    assert result.stdout.startswith("1 new, 0 updated, 0 unchanged, 0 duplicate")


@pytest.mark.parametrize("kind", ["fifo", "endless"])
def test_an_opml_list_or_a_config_that_is_no_regular_file_is_refused_at_once(
    tmp_path: Path, kind: str
) -> None:
    """The same rule for every file read on the user's behalf, not only articles."""
    special = tmp_path / f"special-{kind}"
    if kind == "fifo":
        os.mkfifo(special)
    else:
        special.symlink_to("/dev/zero")
    data, config = tmp_path / "data", _config(tmp_path / "feeds.toml")
    opml, seconds, peak = _measured("opml", "import", str(special), data=data, config=config)
    assert opml.returncode == 1 and "Traceback" not in opml.stderr
    assert seconds < TIME_BOUND_SECONDS and peak < MEMORY_BOUND_MIB
    kind_name = "FIFO" if kind == "fifo" else "character device"
    assert opml.stderr == f"newsreader: {special}: not a regular file ({kind_name})\n"
    configured, seconds, peak = _measured("feeds", data=data, config=special)
    assert configured.returncode == 2 and "Traceback" not in configured.stderr
    assert seconds < TIME_BOUND_SECONDS and peak < MEMORY_BOUND_MIB
    assert configured.stderr.startswith(f"newsreader: {special}: cannot read: ")
