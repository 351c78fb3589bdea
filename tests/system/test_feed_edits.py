"""Editing the feed list: add checks the address, remove/enable/disable find a feed.

Every edit is made on a real feeds.toml through the command line (or the config
functions), against a real HTTP server on 127.0.0.1, and the file is compared
as text: only the feed asked for may change.
"""

from __future__ import annotations

import itertools
import json
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from tomlkit import TOMLDocument

import newsreader.config_edit as config_edit
from newsreader.config import Config, ConfigError, FeedConfig, load_config
from newsreader.config_edit import (
    FeedNotFound,
    add_feeds,
    edit_config,
    remove_feed,
    set_feed_enabled,
)
from tests.helpers.cli import CliRunner, newsreader_env, run_newsreader
from tests.helpers.config import write_config
from tests.helpers.permissions import as_unprivileged, permission_bits_apply
from tests.loopback import LoopbackServer, Route, rss, static

FEEDS = """\
# my feeds: a comment at the top

[settings]
timeout = 3   # quick

# --- World ---
[[feeds]]
url = "https://world.example/rss"
name = "World News"
category = "World"

[[feeds]]
url = "https://science.example/rss"   # the science one
name = "Science"
# full_text = true

# --- Technology ---
[[feeds]]
url = "https://tech.example/feed/"
name = "Tech"
enabled = false  # too noisy

[[feeds]]
url = "https://www.gadgets.example/atom"

[[local]]
path = "articles"
"""


def without(text: str, *parts: str) -> str:
    """The text with each of these parts (which must be there, once) taken out."""
    for part in parts:
        assert text.count(part) == 1, part
        text = text.replace(part, "")
    return text


def with_feed(table: str) -> str:
    """FEEDS with one more feed, where ``add`` puts it: after the last, before [[local]]."""
    return FEEDS.replace("[[local]]\n", f"{table}\n[[local]]\n")


SCIENCE = """\
[[feeds]]
url = "https://science.example/rss"   # the science one
name = "Science"
# full_text = true

"""


def exchange_supported(scratch: Path) -> bool:
    """Whether this system swaps two names in one step (renameat2 on Linux)."""
    first, second = scratch / "exchange-1", scratch / "exchange-2"
    first.write_text("1")
    second.write_text("2")
    try:
        return config_edit._exchange(first, second) and first.read_text() == "2"
    finally:
        first.unlink()
        second.unlink()


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "feeds.toml"
    path.write_text(FEEDS, encoding="utf-8")
    return path


# --- the one edit mechanism ------------------------------------------------------------


def test_an_edit_is_redone_when_an_editor_saves_the_file_meanwhile(config: Path) -> None:
    seen: list[int] = []

    def edit(document: TOMLDocument, current: Config) -> int:
        if not seen:  # an editor saves the file while this edit is being made
            config.write_text(FEEDS.replace("timeout = 3", "timeout = 4"), encoding="utf-8")
        seen.append(len(current.feeds))
        document["settings"]["per_host"] = 2
        return len(seen)

    assert edit_config(config, edit) == 2
    loaded = load_config(config)
    assert (loaded.settings.timeout, loaded.settings.per_host) == (4, 2)
    assert seen == [4, 4]


def test_a_save_that_slips_past_the_last_check_is_put_back_and_the_edit_redone(
    config: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if not exchange_supported(config.parent):
        pytest.skip("no atomic exchange of two names here")
    saved = FEEDS.replace("timeout = 3", "timeout = 5")
    checks: list[bool] = []
    still_as_read = config_edit._still_as_read

    def save_after_the_check(path: Path, read: config_edit._Read) -> bool:
        unchanged = still_as_read(path, read)
        if not checks:  # the editor saves right after the last check
            scratch = path.with_name("editor.tmp")
            scratch.write_text(saved, encoding="utf-8")
            scratch.replace(path)
        checks.append(unchanged)
        return unchanged

    monkeypatch.setattr(config_edit, "_still_as_read", save_after_the_check)
    added = add_feeds(config, [FeedConfig("https://new.example/feed")])
    assert [feed.url for feed in added] == ["https://new.example/feed"]
    assert checks == [True, True]  # the first exchange was undone, the edit redone
    loaded = load_config(config)
    assert loaded.settings.timeout == 5 and loaded.feeds[-1].url == "https://new.example/feed"
    assert config.read_text(encoding="utf-8").startswith(saved.split("[[local]]")[0])


def test_an_edit_of_a_missing_file_does_not_overwrite_one_created_meanwhile(
    tmp_path: Path,
) -> None:
    config = tmp_path / "feeds.toml"
    created = '# the editor\'s\n[[feeds]]\nurl = "https://mine.example/"\n'

    def edit(document: TOMLDocument, current: Config) -> int:
        if not config.exists():
            config.write_text(created, encoding="utf-8")
        document["settings"] = {"timeout": 4}
        return len(current.feeds)

    assert edit_config(config, edit) == 1  # redone on the file the editor created
    assert config.read_text(encoding="utf-8").startswith(created)
    assert load_config(config).settings.timeout == 4


def test_an_edit_gives_up_on_a_file_that_keeps_changing(config: Path) -> None:
    def edit(document: TOMLDocument, current: Config) -> None:
        config.write_text(config.read_text() + "\n", encoding="utf-8")
        document["settings"]["per_host"] = 2

    with pytest.raises(ConfigError, match="the file keeps changing; try again"):
        edit_config(config, edit)
    assert "per_host" not in config.read_text()


def test_an_edit_that_would_break_the_file_is_not_written(config: Path) -> None:
    def edit(document: TOMLDocument, current: Config) -> None:
        document["settings"]["timeout"] = "soon"

    with pytest.raises(ConfigError, match="not changed: the edit would not load"):
        edit_config(config, edit)
    assert config.read_text(encoding="utf-8") == FEEDS


def test_the_functions_behind_the_commands(config: Path) -> None:
    with pytest.raises(FeedNotFound, match="no feed World in"):
        remove_feed(config, "World")  # a name is matched whole, not in part
    feed, changed = set_feed_enabled(config, "World News", False)
    assert (feed.url, changed) == ("https://world.example/rss", True)
    assert remove_feed(config, "https://world.example/rss").enabled is False
    assert len(load_config(config).feeds) == 3


def test_add_feeds_puts_a_feed_after_the_last_one(config: Path) -> None:
    added = add_feeds(config, [FeedConfig("https://new.example/feed", "New", ("A", "B"))])
    assert [feed.url for feed in added] == ["https://new.example/feed"]
    table = '[[feeds]]\nurl = "https://new.example/feed"\nname = "New"\ncategory = "A/B"\n'
    assert config.read_text(encoding="utf-8") == with_feed(table)
    assert add_feeds(config, [FeedConfig("http://NEW.example/feed/")]) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", '[[feeds]]\nurl = "https://n.example/"\n'),
        ("[settings]\ntimeout = 3\n", '[settings]\ntimeout = 3\n\n[[feeds]]\nurl = "https://n.example/"\n'),
        ('[[feeds]]\nurl = "https://a.example/"\n', '[[feeds]]\nurl = "https://a.example/"\n\n[[feeds]]\nurl = "https://n.example/"\n'),
        ('[[feeds]]\nurl = "https://a.example/"\n\n# Folders\n[[local]]\npath = "x"\n',
         '[[feeds]]\nurl = "https://a.example/"\n\n[[feeds]]\nurl = "https://n.example/"\n\n# Folders\n[[local]]\npath = "x"\n'),
        ('feeds = [{url = "https://a.example/"}]\n', 'feeds = [{url = "https://a.example/"}, {url = "https://n.example/"}]\n'),
    ],
)  # fmt: skip
def test_add_feeds_sets_the_new_feed_apart_as_the_others_are(
    tmp_path: Path, text: str, expected: str
) -> None:
    path = tmp_path / "feeds.toml"
    path.write_text(text, encoding="utf-8")
    add_feeds(path, [FeedConfig("https://n.example/")])
    assert path.read_text(encoding="utf-8") == expected


HINT = "; not added (use --force to add it anyway)"


@pytest.fixture
def closed_port() -> Iterator[int]:
    """A loopback port that refuses connections: bound, never listening."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        yield sock.getsockname()[1]


def feed_page(href: str) -> bytes:
    return (
        "<html><head><title>A site</title>"
        f'<link rel="alternate" type="application/rss+xml" href="{href}">'
        "</head><body><p>Hello.</p></body></html>"
    ).encode()


# --- add: what is known to be wrong is refused ----------------------------------------


@pytest.mark.parametrize(
    ("status", "reason"),
    [(404, "Not Found"), (410, "Gone"), (500, "Internal Server Error"), (403, "Forbidden")],
)
def test_add_of_an_http_error_is_refused_and_changes_nothing(
    cli: CliRunner, config: Path, server: LoopbackServer, status: int, reason: str
) -> None:
    server.routes["/feed.xml"] = static(b"no", "text/plain", status=status)
    url = server.url("feed.xml")
    result = cli("add", url)
    assert result.code == 1
    assert result.err == f"newsreader: cannot fetch {url}: HTTP {status} {reason}{HINT}\n"
    assert result.out == ""
    assert config.read_text(encoding="utf-8") == FEEDS


def test_add_of_a_page_that_names_no_feed_is_refused(
    cli: CliRunner, config: Path, server: LoopbackServer
) -> None:
    page = b"<html><head><title>Plain</title></head><body><p>No feed here.</p></body></html>"
    server.routes["/about"] = static(page, "text/html")
    url = server.url("about")
    result = cli("add", url)
    assert result.code == 1
    assert result.err == f"newsreader: {url} is neither a feed nor a page that names one{HINT}\n"
    assert config.read_text(encoding="utf-8") == FEEDS


@pytest.mark.parametrize(
    ("route", "failure"),
    [(None, "HTTP 404 Not Found"), (static(b"<html><body>hi</body></html>", "text/html"), "not a")],
)
def test_add_of_a_page_whose_feed_fails_is_refused(
    cli: CliRunner, config: Path, server: LoopbackServer, route: Route | None, failure: str
) -> None:
    server.routes["/"] = static(feed_page("/feed.xml"), "text/html")
    if route is not None:
        server.routes["/feed.xml"] = route
    result = cli("add", server.url("/"))
    assert result.code == 1
    assert result.err.startswith(
        f"newsreader: the page names {server.url('feed.xml')}, which failed: {failure}"
    )
    assert result.err.endswith(f"{HINT}\n") and len(result.err.splitlines()) == 1
    assert config.read_text(encoding="utf-8") == FEEDS


@pytest.mark.parametrize("case", ["404", "no feed link", "named feed 404"])
def test_force_adds_it_anyway_with_a_warning(
    cli: CliRunner, config: Path, server: LoopbackServer, case: str
) -> None:
    server.routes["/page"] = static(b"<html><body><p>Nothing.</p></body></html>", "text/html")
    server.routes["/site"] = static(feed_page("/gone.xml"), "text/html")
    asked, added = {
        "404": (server.url("missing.xml"), server.url("missing.xml")),
        "no feed link": (server.url("page"), server.url("page")),
        "named feed 404": (server.url("site"), server.url("gone.xml")),
    }[case]
    result = cli("add", asked, "--force", "--category", "Later")
    assert result.code == 0, result.err
    assert result.err.startswith("newsreader: warning: ")
    assert result.err.endswith(f"; adding {added} anyway\n")
    assert result.out == f"added {added} to {config}\n"
    table = f'[[feeds]]\nurl = "{added}"\ncategory = "Later"\n'
    assert config.read_text(encoding="utf-8") == with_feed(table)
    assert load_config(config).feeds[-1].category == ("Later",)


def test_add_of_a_feed_records_only_the_name_given(
    cli: CliRunner, config: Path, server: LoopbackServer
) -> None:
    server.routes["/news.xml"] = static(rss("Site News", [("n1", "Hello", "<p>Hi.</p>")]))
    server.routes["/other.xml"] = static(rss("Other", [("o1", "Hey", "<p>Hey.</p>")]))
    url = server.url("news.xml")
    result = cli("add", url)
    assert result.code == 0, result.err
    assert (result.out, result.err) == (f"added {url} (Site News) to {config}\n", "")
    assert config.read_text(encoding="utf-8") == with_feed(f'[[feeds]]\nurl = "{url}"\n')
    assert load_config(config).feeds[-1].name is None  # the feed's own title shows elsewhere

    named = cli("add", server.url("other.xml"), "--name", "Mine")
    assert named.code == 0, named.err
    assert load_config(config).feeds[-1].name == "Mine"

    fetched = len(server.requests_to("/news.xml"))
    spelled = url.replace("http://", "HTTPS://") + "/"
    again = cli("add", spelled)
    assert again.code == 1
    assert again.err == f"newsreader: {spelled} is already in {config}\n"
    assert len(server.requests_to("/news.xml")) == fetched  # known without fetching it


def test_add_of_an_unreachable_address_adds_it_with_a_warning(
    cli: CliRunner, config: Path, closed_port: int
) -> None:
    url = f"http://127.0.0.1:{closed_port}/feed.xml"
    result = cli("add", url)
    assert result.code == 0, result.err
    assert result.err.startswith(f"newsreader: warning: cannot fetch {url}: cannot connect to ")
    assert result.err.endswith(f"; could not check it, adding {url} as given\n")
    assert result.out == f"added {url} to {config}\n"
    assert load_config(config).feeds[-1].url == url


def test_add_offline_is_not_checked_and_says_so(
    cli: CliRunner, config: Path, server: LoopbackServer
) -> None:
    url = server.url("missing.xml")
    result = cli("--offline", "add", url)
    assert result.code == 0, result.err
    assert result.err == f"newsreader: warning: offline: {url} was not checked\n"
    assert server.requests == []
    assert load_config(config).feeds[-1].url == url


def test_add_of_an_address_the_config_would_refuse(cli: CliRunner, config: Path) -> None:
    result = cli("--offline", "add", "https://")
    assert (result.code, result.err) == (2, "newsreader: not an http or https address: https://\n")
    assert config.read_text(encoding="utf-8") == FEEDS


# --- remove, enable, disable ---------------------------------------------------------


@pytest.mark.parametrize(
    "wanted",
    [
        "https://science.example/rss",
        "http://science.example/rss",  # http and https are one address
        "https://SCIENCE.Example/rss/",  # the host's case, a trailing slash
        "https://www.science.example/rss#top",
        "science",  # the name, in any case
        "  SCIENCE ",
    ],
)
def test_remove_by_url_or_name_takes_only_that_table(
    cli: CliRunner, config: Path, wanted: str
) -> None:
    result = cli("remove", wanted)
    assert result.code == 0, result.err
    assert result.out == f"removed https://science.example/rss from {config}\n"
    assert config.read_text(encoding="utf-8") == without(FEEDS, SCIENCE)
    assert [feed.name for feed in load_config(config).feeds] == ["World News", "Tech", None]


def test_remove_keeps_the_comment_that_heads_the_next_feed(cli: CliRunner, config: Path) -> None:
    assert cli("remove", "World News").code == 0
    world = (
        '[[feeds]]\nurl = "https://world.example/rss"\nname = "World News"\ncategory = "World"\n\n'
    )
    assert config.read_text(encoding="utf-8") == without(FEEDS, world)
    assert cli("remove", "https://gadgets.example/atom").code == 0
    gadgets = '[[feeds]]\nurl = "https://www.gadgets.example/atom"\n\n'
    assert config.read_text(encoding="utf-8") == without(FEEDS, world, gadgets)
    assert cli("remove", "tech").code == 0
    tech = '[[feeds]]\nurl = "https://tech.example/feed/"\nname = "Tech"\nenabled = false  # too noisy\n\n'
    assert config.read_text(encoding="utf-8") == without(FEEDS, world, gadgets, tech)


def test_removing_every_feed_leaves_a_valid_file(cli: CliRunner, config: Path) -> None:
    for feed in load_config(config).feeds:
        assert cli("remove", feed.url).code == 0
    loaded = load_config(config)
    assert loaded.feeds == () and loaded.settings.timeout == 3 and len(loaded.local) == 1
    text = config.read_text(encoding="utf-8")
    assert text.startswith(
        "# my feeds: a comment at the top\n\n[settings]\ntimeout = 3   # quick\n"
    )
    assert "# --- World ---" in text and "# --- Technology ---" in text
    assert text.endswith('[[local]]\npath = "articles"\n')


def test_remove_of_the_last_feed_at_the_end_of_the_file(cli: CliRunner, tmp_path: Path) -> None:
    config = tmp_path / "feeds.toml"
    config.write_text('[settings]\ntimeout = 3\n\n[[feeds]]\nurl = "https://a.example/"\n')
    assert cli("remove", "https://a.example").code == 0
    assert config.read_text() == "[settings]\ntimeout = 3\n"
    assert load_config(config).feeds == ()


@pytest.mark.parametrize("wanted", ["https://science.example/rss", "Science"])
def test_disable_then_enable_gives_back_the_file(cli: CliRunner, config: Path, wanted: str) -> None:
    result = cli("disable", wanted)
    assert result.code == 0, result.err
    assert result.out == f"disabled https://science.example/rss in {config}\n"
    disabled = FEEDS.replace('name = "Science"\n', 'name = "Science"\nenabled = false\n')
    assert config.read_text(encoding="utf-8") == disabled
    assert [feed.enabled for feed in load_config(config).feeds] == [True, False, False, True]
    again = cli("disable", wanted)
    assert (again.code, again.out) == (0, "https://science.example/rss is already disabled\n")
    assert config.read_text(encoding="utf-8") == disabled
    enabled = cli("enable", wanted if "://" in wanted else wanted.upper())
    assert enabled.code == 0, enabled.err
    assert enabled.out == f"enabled https://science.example/rss in {config}\n"
    assert config.read_text(encoding="utf-8") == FEEDS


def test_enable_removes_enabled_false_and_disable_sets_it_in_place(
    cli: CliRunner, config: Path
) -> None:
    assert cli("enable", "http://Tech.example/feed").code == 0
    tech_enabled = without(FEEDS, "enabled = false  # too noisy\n")
    assert config.read_text(encoding="utf-8") == tech_enabled
    assert load_config(config).feeds[2].enabled is True
    assert cli("enable", "tech").out == "https://tech.example/feed/ is already enabled\n"
    explicit = FEEDS.replace("enabled = false  # too noisy", "enabled = true  # too noisy")
    config.write_text(explicit, encoding="utf-8")
    assert cli("disable", "tech").code == 0
    assert config.read_text(encoding="utf-8") == FEEDS  # the value changed, its comment kept


def test_a_new_key_goes_under_the_keys_not_under_the_next_heading(
    cli: CliRunner, tmp_path: Path
) -> None:
    config = tmp_path / "feeds.toml"
    text = (
        '[[feeds]]\n  url = "https://a.example/"\n  name = "A"\n\n# B next\n'
        '[[feeds]]\nurl = "https://b.example/"'  # no final newline
    )
    config.write_text(text)
    assert cli("disable", "a").code == 0
    assert config.read_text() == text.replace('"A"\n', '"A"\n  enabled = false\n')
    assert cli("disable", "https://b.example").code == 0
    assert config.read_text().endswith('url = "https://b.example/"\nenabled = false\n')
    assert [feed.enabled for feed in load_config(config).feeds] == [False, False]


@pytest.mark.parametrize("command", ["remove", "enable", "disable"])
def test_an_ambiguous_name_is_refused(cli: CliRunner, tmp_path: Path, command: str) -> None:
    config = tmp_path / "feeds.toml"
    text = (
        '[[feeds]]\nurl = "https://a.example/"\nname = "News"\nenabled = false\n\n'
        '[[feeds]]\nurl = "https://b.example/"\nname = "NEWS"\n'
    )
    config.write_text(text)
    result = cli(command, "news")
    assert result.code == 1
    assert result.err == (
        f"newsreader: 2 feeds are named 'news' in {config}: https://a.example/, "
        "https://b.example/; give the URL of the one you mean\n"
    )
    assert config.read_text() == text
    assert cli(command, "https://b.example").code == 0


@pytest.mark.parametrize("command", ["remove", "enable", "disable"])
def test_an_unknown_feed_is_named(cli: CliRunner, config: Path, command: str) -> None:
    for wanted in ("Nonesuch", "https://science.example/rss/other"):
        result = cli(command, wanted)
        assert (result.code, result.out) == (1, "")
        assert result.err == f"newsreader: no feed {wanted} in {config}\n"
    assert config.read_text(encoding="utf-8") == FEEDS


def test_a_broken_config_is_not_edited(cli: CliRunner, tmp_path: Path) -> None:
    config = tmp_path / "feeds.toml"
    config.write_text('[[feeds]]\nurl = "https://a.example/"\nenabled = "no"\n')
    result = cli("remove", "https://a.example/")
    assert result.code == 2
    assert result.err == f"newsreader: {config}:3: enabled must be true or false\n"


def test_remove_says_the_cached_articles_stay(
    cli: CliRunner, tmp_path: Path, server: LoopbackServer
) -> None:
    items = [("k1", "Kept One", "<p>One.</p>"), ("k2", "Kept Two", "<p>Two.</p>")]
    server.routes["/kept.xml"] = static(rss("Kept", items))
    server.routes["/one.xml"] = static(rss("One", [("o1", "Only One", "<p>Only.</p>")]))
    config = write_config(tmp_path / "feeds.toml", [server.url("kept.xml"), server.url("one.xml")])
    assert cli("refresh").code == 0
    result = cli("remove", server.url("kept.xml"))
    assert result.out == (
        f"removed {server.url('kept.xml')} from {config}; its 2 cached articles stay in the cache\n"
    )
    titles = {json.loads(line)["title"] for line in cli("list", "--json").out.splitlines()}
    assert titles == {"Kept One", "Kept Two", "Only One"}
    assert cli("remove", server.url("one.xml")).out.endswith(
        "; its 1 cached article stays in the cache\n"
    )
    assert load_config(config).feeds == ()


def test_inline_feed_arrays_are_edited_too(cli: CliRunner, tmp_path: Path) -> None:
    config = tmp_path / "feeds.toml"
    text = '# inline\nfeeds = [\n  {url = "https://a.example/"},  # first\n  {url = "https://b.example/", name = "B"},\n]\n'
    config.write_text(text)
    assert cli("disable", "b").code == 0
    assert config.read_text() == text.replace('"B"}', '"B", enabled = false}')
    assert cli("--offline", "add", "https://c.example/", "--name", "C").code == 0
    assert cli("remove", "https://a.example").code == 0
    feeds = load_config(config).feeds
    assert [(f.url, f.name, f.enabled) for f in feeds] == [
        ("https://b.example/", "B", False),
        ("https://c.example/", "C", True),
    ]
    assert config.read_text().startswith("# inline\nfeeds = [\n")


@pytest.mark.parametrize("command", ["remove", "disable"])
def test_a_read_only_config_is_refused(tmp_path: Path, command: str) -> None:
    if not permission_bits_apply(tmp_path):
        pytest.skip("cannot run a child bound by file permissions here")
    config = tmp_path / "feeds.toml"
    config.write_text(FEEDS, encoding="utf-8")
    config.chmod(0o444)
    try:
        result = run_newsreader(
            command, "Science", data_dir=tmp_path / "data", config=config, preexec=as_unprivileged
        )
    finally:
        config.chmod(0o644)
    assert result.returncode == 2
    assert result.stderr == f"newsreader: {config}: cannot write: the file is read-only\n"
    assert config.read_text(encoding="utf-8") == FEEDS


def test_edits_at_the_same_time_all_land(tmp_path: Path) -> None:
    config = tmp_path / "feeds.toml"
    urls = [f"https://site{n}.example/feed.xml" for n in range(8)]
    write_config(config, urls)
    commands = [["disable", url] for url in urls[:4]] + [["remove", url] for url in urls[4:]]
    processes = [
        subprocess.Popen(
            [sys.executable, "-m", "newsreader", *command],
            env=newsreader_env(tmp_path / "data", config),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for command in commands
    ]
    for process in processes:
        _out, err = process.communicate(timeout=60)
        assert process.returncode == 0, err
    loaded = load_config(config)
    assert [(feed.url, feed.enabled) for feed in loaded.feeds] == [(url, False) for url in urls[:4]]


# --- an editor saving the file all the while ---------------------------------------

EDITOR = r"""
import ctypes, os, random, sys, time

path, saves, pace = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
temporary = path + ".tmp"
renameat2 = ctypes.CDLL(None, use_errno=True).renameat2


def exchange(first, second):
    if renameat2(-100, os.fsencode(first), -100, os.fsencode(second), 2) != 0:
        raise OSError(ctypes.get_errno(), "renameat2")


def same(a, b):
    return (a.st_dev, a.st_ino) == (b.st_dev, b.st_ino)


rng = random.Random(1)
number = 1
while number <= saves:
    with open(path, encoding="utf-8") as file:
        read = os.fstat(file.fileno())
        first, _, rest = file.read().partition("\n")
        with open(temporary, "w", encoding="utf-8") as out:
            out.write(f"{first} {number}\n{rest}")
        put_in = os.stat(temporary)
        exchange(temporary, path)  # the save: a rename that says what it replaced
        displaced = os.stat(temporary)
        if not same(displaced, read) or displaced.st_mtime_ns != read.st_mtime_ns:
            # It replaced a file it had not read: put that back, then save again.
            for _attempt in range(100):
                held = os.stat(temporary)
                exchange(temporary, path)
                if same(os.stat(temporary), put_in):
                    break
                put_in = held
            else:
                raise SystemExit("cannot put the file back")
            number -= 1
    os.unlink(temporary)
    number += 1
    time.sleep(rng.uniform(0, pace))
"""
"""A text editor that saves the way most do (the whole file to ``feeds.toml.tmp``,
renamed over ``feeds.toml``), each save adding its number to the first line. It
reads the file before each save, and its rename is an exchange, so that it knows
when it replaced a file it had not read: it puts that file back and saves again.
So it loses nothing of others' (unless it reads in the instant between an exchange
of newsreader's and its undoing), and whatever goes missing was lost by newsreader.
Its pauses stand for a user's typing between saves."""

EDITOR_SAVES = 300
EDITOR_PACE = 0.01
"""Seconds, at most, between two saves: several saves fall within one edit."""


def test_no_save_of_an_editor_is_lost_to_edits_made_meanwhile(
    cli: CliRunner, tmp_path: Path
) -> None:
    if not exchange_supported(tmp_path):
        pytest.skip("the editor needs renameat2 (RENAME_EXCHANGE)")
    config = tmp_path / "feeds.toml"
    config.write_text("# editor saves:\n[settings]\ntimeout = 3\n", encoding="utf-8")
    editor = subprocess.Popen(
        [sys.executable, "-c", EDITOR, str(config), str(EDITOR_SAVES), str(EDITOR_PACE)],
    )
    expected: set[str] = set()
    succeeded = refused = 0
    deadline = time.monotonic() + 120
    try:
        for number in itertools.count(1):
            if editor.poll() is not None:
                break
            assert time.monotonic() < deadline, "the editor did not finish"
            url = f"https://feed{number}.example/rss"
            command = ["--offline", "add", url]
            if number % 3 == 0 and expected:
                url = min(expected)
                command = ["remove", url]
            result = cli(*command)
            if result.code == 0:
                succeeded += 1
                (expected.discard if command[0] == "remove" else expected.add)(url)
            else:  # the file changed under every attempt: said, and nothing written
                assert result.err.endswith("the file keeps changing; try again\n"), result.err
                refused += 1
    finally:
        if editor.poll() is None:
            editor.kill()
        editor.communicate(timeout=30)
    assert editor.returncode == 0
    saves = config.read_text(encoding="utf-8").partition("\n")[0].split(":")[1].split()
    assert saves == [str(n) for n in range(1, EDITOR_SAVES + 1)]  # every save, in order
    assert {feed.url for feed in load_config(config).feeds} == expected  # every edit
    assert succeeded >= 10, (succeeded, refused)
