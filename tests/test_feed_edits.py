"""Editing the feed list: one mechanism for every edit, and add checks the address.

Every edit is made on a real feeds.toml through the command line (or the config
functions), against a real HTTP server on 127.0.0.1, and the file is compared
as text: only the feed asked for may change.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from tomlkit import TOMLDocument

from newsreader.config import (
    Config,
    ConfigError,
    FeedConfig,
    FeedNotFound,
    add_feeds,
    edit_config,
    load_config,
    remove_feed,
    set_feed_enabled,
)
from tests.conftest import CliRunner
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


def with_feed(table: str) -> str:
    """FEEDS with one more feed, where ``add`` puts it: after the last, before [[local]]."""
    return FEEDS.replace("[[local]]\n", f"{table}\n[[local]]\n")


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
